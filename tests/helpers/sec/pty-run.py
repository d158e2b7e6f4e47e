#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run a command on a private pseudo-terminal and report what reached it.

    pty-run.py [--ctty] [--timeout SEC] -- COMMAND [ARG...]

The command gets a fresh pty (never this session's terminal) as its
stdin, stdout and stderr.  With --ctty the pty is also its controlling
terminal (a new session of its own, TIOCSCTTY), which TIOCSTI needs
without CAP_SYS_ADMIN.  The line discipline is non-canonical with echo,
so a character pushed with TIOCSTI both echoes to the master and waits in
the slave's input queue.

Prints, on this script's stdout:
    rc N                    the command's exit status (128+SIG if killed)
    queued REPR             bytes left unread in the slave's input queue
    output REPR             everything read from the master
"""
import fcntl
import os
import select
import signal
import sys
import termios
import time


def main():
    args = sys.argv[1:]
    ctty = False
    timeout = 20.0
    while args and args[0] != "--":
        if args[0] == "--ctty":
            ctty = True
            args = args[1:]
        elif args[0] == "--timeout":
            timeout = float(args[1])
            args = args[2:]
        else:
            sys.exit("pty-run.py: unknown option " + args[0])
    args = args[1:]
    if not args:
        sys.exit("pty-run.py: COMMAND is missing")

    master, slave = os.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[3] &= ~termios.ICANON         # lflag: bytes readable at once
    attrs[3] |= termios.ECHO
    attrs[6][termios.VMIN] = 1
    attrs[6][termios.VTIME] = 0
    termios.tcsetattr(slave, termios.TCSANOW, attrs)

    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if ctty:
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            os.close(master)
            if slave > 2:
                os.close(slave)
            os.execvp(args[0], args)
        except OSError as e:
            os.write(2, ("pty-run.py: %s: %s\n" % (args[0], e)).encode())
        os._exit(127)

    # Keep our slave fd: the input queue survives the command, to be read.
    out = b""
    status = None
    deadline = time.monotonic() + timeout
    while status is None and time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.02)
        if r:
            out += os.read(master, 4096)
        wpid, st = os.waitpid(pid, os.WNOHANG)
        if wpid == pid:
            status = st
    if status is None:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        print("timeout")
    # what is left: the command and everything that held the slave are gone
    os.set_blocking(master, False)
    try:
        while True:
            chunk = os.read(master, 4096)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    rc = os.waitstatus_to_exitcode(status)
    if rc < 0:
        rc = 128 - rc
    fl = fcntl.fcntl(slave, fcntl.F_GETFL)
    fcntl.fcntl(slave, fcntl.F_SETFL, fl | os.O_NONBLOCK)
    queued = b""
    try:
        while True:
            chunk = os.read(slave, 4096)
            if not chunk:
                break
            queued += chunk
    except BlockingIOError:
        pass
    except OSError:
        pass
    print("rc %d" % rc)
    print("queued %r" % queued)
    print("output %r" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

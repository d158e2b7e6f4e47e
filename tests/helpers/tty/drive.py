#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Drive a command on a fresh pseudo-terminal, as a user at a terminal.

    drive.py [--size ROWS COLS] [--timeout SEC] [--out FILE] STEP... --
             COMMAND [ARG...]

The command runs in a new session with the pty's slave as its controlling
terminal and its stdin, stdout and stderr (never this session's terminal).
The pty starts with the kernel's default mode (canonical, echo), as a
fresh terminal does.  The steps, in order:

    expect:REGEX     wait (up to --timeout) for REGEX in the output after
                     the last match (CRs dropped)
    send:TEXT        type TEXT (Python escapes: \\r, \\x03 for Ctrl-C)
    sleep:SEC        wait
    winsize:R:C      resize the terminal (TIOCSWINSZ: SIGWINCH to the
                     terminal's foreground group, which is the command)
    signal:NAME      send signal NAME (TERM, INT, ...) to the command
    killchild:NAME   send it to the command's first child
    mode:same|raw    the terminal's mode now: as before, or raw (no
                     ICANON, ECHO, ISIG)
    wait             wait for the command to exit (up to --timeout)

A failed step ends the steps; the command is then killed.  Prints:
    step N ok|FAIL STEP
    rc N             the exit status (128+N for signal N; "rc timeout")
    termios same|changed ...   the terminal's mode before and after
    output REPR      everything the command wrote (CRs dropped), also
                     written to FILE with --out
"""
import fcntl
import os
import re
import select
import signal
import struct
import sys
import termios
import time


def parse_args(argv):
    size, timeout, out = (24, 80), 20.0, None
    while argv and argv[0].startswith("--") and argv[0] != "--":
        if argv[0] == "--size":
            size, argv = (int(argv[1]), int(argv[2])), argv[3:]
        elif argv[0] == "--timeout":
            timeout, argv = float(argv[1]), argv[2:]
        elif argv[0] == "--out":
            out, argv = argv[1], argv[2:]
        else:
            sys.exit("drive.py: unknown option " + argv[0])
    i = argv.index("--")
    return size, timeout, out, argv[:i], argv[i + 1:]


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def spawn(slave, master, cmd):
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            os.close(master)
            os.close(slave)
            os.execvp(cmd[0], cmd)
        except OSError as e:
            os.write(2, ("drive.py: %s: %s\n" % (cmd[0], e)).encode())
        os._exit(127)
    return pid


class Run:
    def __init__(self, master, slave, pid, timeout):
        self.master, self.pid, self.timeout = master, pid, timeout
        self.slave = slave
        self.before = termios.tcgetattr(slave)
        self.out = b""
        self.pos = 0
        self.status = None

    def pump(self, wait):
        got = b""
        r, _, _ = select.select([self.master], [], [], wait)
        if r:
            try:
                got = os.read(self.master, 65536)
            except OSError:
                time.sleep(wait)
        self.out += got
        if self.status is None:
            wpid, st = os.waitpid(self.pid, os.WNOHANG)
            if wpid == self.pid:
                self.status = st
        return got

    def text(self):
        return self.out.decode(errors="replace").replace("\r", "")

    def expect(self, regex):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            m = re.compile(regex, re.M).search(self.text(), self.pos)
            if m:
                self.pos = m.end()
                return True
            self.pump(0.05)
        return False

    def wait(self):
        deadline = time.monotonic() + self.timeout
        while self.status is None and time.monotonic() < deadline:
            self.pump(0.05)
        return self.status is not None

    def step(self, s):
        kind, _, arg = s.partition(":")
        if kind == "expect":
            return self.expect(arg)
        if kind == "send":
            os.write(self.master, arg.encode().decode("unicode_escape")
                     .encode("latin-1"))
        elif kind == "sleep":
            end = time.monotonic() + float(arg)
            while time.monotonic() < end:
                self.pump(0.05)
        elif kind == "winsize":
            rows, cols = arg.split(":")
            set_size(self.master, int(rows), int(cols))
        elif kind == "signal":
            os.kill(self.pid, getattr(signal, "SIG" + arg))
        elif kind == "killchild":
            with open("/proc/%d/task/%d/children" % (self.pid, self.pid)) as f:
                kids = f.read().split()
            if not kids:
                return False
            os.kill(int(kids[0]), getattr(signal, "SIG" + arg))
        elif kind == "wait":
            return self.wait()
        elif kind == "mode":
            now = termios.tcgetattr(self.slave)
            if arg == "same":
                return now == self.before
            return not now[3] & (termios.ICANON | termios.ECHO | termios.ISIG)
        else:
            sys.exit("drive.py: unknown step " + s)
        return True


def main():
    size, timeout, out, steps, cmd = parse_args(sys.argv[1:])
    master, slave = os.openpty()
    set_size(slave, *size)
    run = Run(master, slave, spawn(slave, master, cmd), timeout)
    for n, s in enumerate(steps, 1):
        good = run.step(s)
        print("step %d %s %s" % (n, "ok" if good else "FAIL", s))
        if not good:
            break
    timed_out = run.status is None and not run.wait()
    if timed_out:
        os.kill(run.pid, signal.SIGKILL)
        _, run.status = os.waitpid(run.pid, 0)
    while run.pump(0.1):     # what is still on its way
        pass
    after = termios.tcgetattr(slave)
    if timed_out:
        print("rc timeout")
    else:
        rc = os.waitstatus_to_exitcode(run.status)
        print("rc %d" % (128 - rc if rc < 0 else rc))
    print("termios %s" % ("same" if run.before == after else
                          "changed %r -> %r" % (run.before, after)))
    print("output %r" % run.text())
    if out:
        with open(out, "w") as f:
            f.write(run.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())

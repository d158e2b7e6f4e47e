#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Be the other end of an OCI runtime's --console-socket.

    console.py [--timeout SEC] SOCKET STEP... -- COMMAND [ARG...]

Listens on the Unix socket SOCKET (made new), runs COMMAND (stdin
/dev/null, stdout and stderr this script's stderr), takes the terminal's
master that the runtime sends over the socket (SCM_RIGHTS, as runc and
containerd's shim take it), then does the steps on that master:

    expect:REGEX   wait (up to --timeout) for REGEX in the terminal's
                   output after the last match (CRs dropped)
    send:TEXT      type TEXT (Python escapes: \\n, \\x03)
    sh:CMD         run the shell command CMD now (e.g. `nook-oci start
                   ID`), its output on stderr; the step fails unless it
                   exits 0
    wait           wait for COMMAND to exit
    eof            wait for the terminal's end: every slave closed (EIO)

A failed step ends the steps.  Prints:
    got 1|0        whether a descriptor came over the socket
    istty 1|0      whether it is a terminal
    step N ok|FAIL STEP
    rc N           COMMAND's exit status (128+N for signal N; "rc
                   timeout": it was killed after --timeout)
    output REPR    everything the terminal said (CRs dropped)
"""
import array
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time


def parse_args(argv):
    timeout = 20.0
    if argv[:1] == ["--timeout"]:
        timeout, argv = float(argv[1]), argv[2:]
    i = argv.index("--")
    return timeout, argv[0], argv[1:i], argv[i + 1:]


def receive(listener, proc, timeout):
    """The descriptor sent by the first connection, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([listener], [], [], 0.05)
        if r:
            conn, _ = listener.accept()
            fds = array.array("i")
            with conn:
                conn.settimeout(max(deadline - time.monotonic(), 0.1))
                _, anc, _, _ = conn.recvmsg(
                    64, socket.CMSG_SPACE(4 * fds.itemsize))
            for level, kind, data in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.frombytes(data[:len(data) - len(data) % 4])
            for extra in fds[1:]:
                os.close(extra)
            return fds[0] if fds else None
        if proc.poll() is not None:     # it ended without connecting
            return None
    return None


class Term:
    def __init__(self, master, proc, timeout):
        self.master, self.proc, self.timeout = master, proc, timeout
        self.out = b""
        self.pos = 0
        self.ended = master is None

    def pump(self, wait):
        if self.ended:
            time.sleep(wait)
            return b""
        r, _, _ = select.select([self.master], [], [], wait)
        if not r:
            return b""
        try:
            got = os.read(self.master, 65536)
        except OSError:     # EIO: no slave open any more
            got = b""
        if not got:
            self.ended = True
        self.out += got
        return got

    def text(self):
        return self.out.decode(errors="replace").replace("\r", "")

    def until(self, cond, output=False):
        """cond() polled; with output, no longer than the terminal lasts."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if cond():
                return True
            if output and self.ended:
                break
            self.pump(0.05)
        return cond()

    def expect(self, regex):
        rx = re.compile(regex, re.M)

        def found():
            m = rx.search(self.text(), self.pos)
            if m:
                self.pos = m.end()
            return m is not None
        return self.until(found, output=True)

    def step(self, s):
        kind, _, arg = s.partition(":")
        if kind == "expect":
            return self.expect(arg)
        if kind == "send":
            if self.master is None:
                return False
            os.write(self.master, arg.encode().decode("unicode_escape")
                     .encode("latin-1"))
            return True
        if kind == "sh":
            try:
                rc = subprocess.run(["/bin/sh", "-c", arg],
                                    stdin=subprocess.DEVNULL,
                                    stdout=sys.stderr, stderr=sys.stderr,
                                    timeout=self.timeout).returncode
            except subprocess.TimeoutExpired:
                return False
            return rc == 0
        if kind == "wait":
            return self.until(lambda: self.proc.poll() is not None)
        if kind == "eof":
            return self.until(lambda: self.ended)
        sys.exit("console.py: unknown step " + s)


def main():
    timeout, path, steps, cmd = parse_args(sys.argv[1:])
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=sys.stderr, stderr=sys.stderr)
    master = receive(listener, proc, timeout)
    listener.close()
    print("got %d" % (master is not None))
    print("istty %d" % (master is not None and os.isatty(master)))
    term = Term(master, proc, timeout)
    for n, s in enumerate(steps, 1):
        good = term.step(s)
        print("step %d %s %s" % (n, "ok" if good else "FAIL", s))
        if not good:
            break
    try:
        rc = proc.wait(timeout)
        print("rc %d" % (128 - rc if rc < 0 else rc))
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        print("rc timeout")
    while term.pump(0.1):   # what is still on its way
        pass
    print("output %r" % term.text())
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

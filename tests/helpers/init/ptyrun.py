#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run a command on a fresh pseudo-terminal (as its controlling terminal and
stdin/stdout/stderr), for the nook-init terminal tests.

ptyrun.py MODE TIMEOUT CMD...
  MODE plain: just collect the output
       input: once "ready" shows up, type "hello" + Enter
       ctrlc: once "ready" shows up, type Ctrl-C
Prints the output (CRs dropped), then a last line "rc=<status>" (128+N if
killed by signal N, "rc=timeout" if TIMEOUT seconds passed: then the command
gets SIGKILL).
"""
import os
import pty
import select
import signal
import sys
import time

mode, timeout, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)

out = b""
sent = mode == "plain"
deadline = time.time() + timeout
timed_out = False
while True:
    left = deadline - time.time()
    if left <= 0:
        timed_out = True
        break
    r, _, _ = select.select([fd], [], [], min(left, 0.2))
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    if not sent and b"ready" in out:
        time.sleep(0.2)
        os.write(fd, b"hello\n" if mode == "input" else b"\x03")
        sent = True
if timed_out:
    os.kill(pid, signal.SIGKILL)
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
if timed_out:
    rc = "timeout"
elif os.WIFSIGNALED(st):
    rc = str(128 + os.WTERMSIG(st))
else:
    rc = str(os.WEXITSTATUS(st))
sys.stdout.write("\nrc=%s\n" % rc)

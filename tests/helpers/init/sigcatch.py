#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Signal catcher for the nook-init tests.

sigcatch.py DIR TAG EXIT [grandchild]

Catches every catchable signal and appends "TAG SIGNUM" to DIR/log.  Creates
DIR/TAG.ready once the handlers are in place (and the optional grandchild,
which stays in our process group, is ready too); exits with status EXIT once
DIR/quit exists.
"""
import os
import signal
import subprocess
import sys
import time

d, tag, code = sys.argv[1], sys.argv[2], int(sys.argv[3])
gc = len(sys.argv) > 4 and sys.argv[4] == "grandchild"
fd = os.open(os.path.join(d, "log"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)


def handler(signum, frame):
    os.write(fd, ("%s %d\n" % (tag, signum)).encode())


for s in range(1, 65):
    if s in (signal.SIGKILL, signal.SIGSTOP):
        continue
    try:
        signal.signal(s, handler)
    except (OSError, ValueError, RuntimeError):
        pass  # 32, 33: reserved by glibc

child = None
if gc:
    # Do not log SIGCHLD from our own grandchild's exit at the very end.
    child = subprocess.Popen([sys.executable, __file__, d, "gc", "0"])
    ready = os.path.join(d, "gc.ready")
    while not os.path.exists(ready):
        time.sleep(0.02)

with open(os.path.join(d, tag + ".ready"), "w") as f:
    f.write("%d\n" % os.getpid())

quit_file = os.path.join(d, "quit")
while not os.path.exists(quit_file):
    time.sleep(0.05)
if child:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    child.wait()
sys.exit(code)

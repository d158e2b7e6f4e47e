#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Where do our orphans go?  Double-forks a grandchild, lets the middle
process exit and prints "orphan->init" when the grandchild was reparented to
our parent (the init), "orphan->pid1" when to PID 1, else "orphan->PID"."""
import os
import time

r, w = os.pipe()
mid = os.fork()
if mid == 0:
    parent = os.getpid()
    if os.fork() == 0:
        os.close(r)
        end = time.time() + 10
        while os.getppid() == parent and time.time() < end:
            time.sleep(0.01)
        os.write(w, str(os.getppid()).encode())
        os._exit(0)
    os._exit(0)
os.close(w)
os.waitpid(mid, 0)
got = int(os.read(r, 64) or b"0")
print("orphan->" + ("init" if got == os.getppid() else "pid1" if got == 1 else str(got)))
time.sleep(0.3)  # let the init reap the orphan before we go

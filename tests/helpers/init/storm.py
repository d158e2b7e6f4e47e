#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Orphan storm for the nook-init tests.

storm.py N WAIT: create N double-forked orphans, then wait up to WAIT
seconds for the PID namespace to hold no zombie, and print
"zombies=<count left>".  Intermediates fork 100 orphans each, in parallel;
half the orphans exit at once (often before their parent: they are
reparented as zombies), half after 0.2 s (reparented alive).
"""
import os
import sys
import time

n, wait = int(sys.argv[1]), float(sys.argv[2])
mids = []
for m in range(0, n, 100):
    pid = os.fork()
    if pid == 0:
        for i in range(min(100, n - m)):
            if os.fork() == 0:
                if i % 2:
                    time.sleep(0.2)
                os._exit(0)
        os._exit(0)
    mids.append(pid)
for pid in mids:
    os.waitpid(pid, 0)


def zombies():
    count = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                s = f.read()
        except OSError:
            continue
        if s[s.rindex(")") + 2] == "Z":
            count += 1
    return count


end = time.time() + wait
z = zombies()
while z and time.time() < end:
    time.sleep(0.1)
    z = zombies()
print("zombies=%d" % z)

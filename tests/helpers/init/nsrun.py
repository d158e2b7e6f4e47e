#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""PID 1 of a test namespace in which nook-init runs as PID 2+.

nsrun.py DIR CMD...: start a sibling (sleep 60, not a descendant of CMD),
run CMD and wait for it (waitpid on that pid only: this PID 1 never reaps
anything else), then print one line:
  rc=<CMD status> sibling=alive|dead el=<s from DIR/main.exit to CMD's exit>
  NAME=alive|dead for every DIR/NAME.pid
"""
import os
import subprocess
import sys
import time


def state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return "dead"
    return "dead" if s[s.rindex(")") + 2] in "ZX" else "alive"


d, cmd = sys.argv[1], sys.argv[2:]
sib = subprocess.Popen(["sleep", "60"])
rc = subprocess.call(cmd)
t1 = time.time()
if rc < 0:
    rc = 128 - rc
time.sleep(0.2)
out = ["rc=%d" % rc, "sibling=%s" % state(sib.pid)]
try:
    with open(os.path.join(d, "main.exit")) as f:
        out.append("el=%.3f" % (t1 - float(f.read())))
except (OSError, ValueError):
    out.append("el=-1")
for f in sorted(os.listdir(d)):
    if f.endswith(".pid"):
        with open(os.path.join(d, f)) as fh:
            out.append("%s=%s" % (f[:-4], state(int(fh.read()))))
print(" ".join(out))
sib.kill()

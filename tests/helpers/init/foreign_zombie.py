#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A zombie in a container whose parent is outside, for the nook-init tests.

foreign_zombie.py DIR PID LIFETIME

From the host, enter the PID namespace of PID (setns), fork a child that
exits at once and do not reap it: the init of that namespace sees a zombie
it cannot reap.  Writes DIR/zombie ("<pid in the namespace> <state>") once
the zombie exists.  DIR/alive is a FIFO that the namespace's init alone
holds open: EOF on it means the init has exited.  That is the only way to
see it from outside: the kernel does not report the exit of a namespace's
PID 1 to its parent before every zombie of the namespace is reaped.  Waits
for that EOF or for LIFETIME seconds, whichever comes first, writes the
time of the EOF (or "none") to DIR/init.exit, then reaps the zombie.
"""
import ctypes
import os
import select
import sys
import time

CLONE_NEWPID = 0x20000000

d, pid, lifetime = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
alive = os.open(os.path.join(d, "alive"), os.O_RDONLY | os.O_NONBLOCK)
libc = ctypes.CDLL(None, use_errno=True)
ns = os.open("/proc/%d/ns/pid" % pid, os.O_RDONLY)
if libc.setns(ns, CLONE_NEWPID) != 0:
    sys.exit("foreign_zombie.py: setns: %s" % os.strerror(ctypes.get_errno()))
zombie = os.fork()  # lands in the namespace
if zombie == 0:
    os._exit(0)


def status(field):
    with open("/proc/%d/status" % zombie) as f:
        for line in f:
            if line.startswith(field + ":"):
                return line.split()[1:]
    return []


end = time.time() + 5
while status("State")[0] != "Z" and time.time() < end:
    time.sleep(0.01)
nspid = status("NSpid")
with open(os.path.join(d, "zombie.tmp"), "w") as f:
    f.write("%s %s\n" % (nspid[-1] if len(nspid) > 1 else "none",
                         status("State")[0]))
os.rename(os.path.join(d, "zombie.tmp"), os.path.join(d, "zombie"))

seen = "none"
end = time.time() + lifetime
while time.time() < end:
    r, _, _ = select.select([alive], [], [], end - time.time())
    if r:
        try:
            if os.read(alive, 64) == b"":
                seen = "%.6f" % time.time()
                break
        except BlockingIOError:
            pass
        time.sleep(0.01)  # data nobody wrote; do not spin
with open(os.path.join(d, "init.exit"), "w") as f:
    f.write(seen + "\n")
os.waitpid(zombie, 0)

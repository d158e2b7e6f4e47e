#!/bin/sh
# SPDX-License-Identifier: MIT
# The README's main job.  Until the spawner lands: nook-init as PID 1 of a
# fresh PID namespace, reaping orphans and shutting the rest down gracefully.
set -eu
B=${1:-build}
rc=0
unshare --pid --fork --mount-proc --kill-child -- "$B/nook-init" -v -t 2 -- \
	sh -c 'echo "demo: I am PID $$ under $(cat /proc/1/comm) (PID 1)"
	(sleep 60 &)
	(trap "echo demo: orphan got SIGTERM, cleaning up; exit 0" TERM; sleep 60 & wait) &
	sleep 0.2
	echo "demo: left behind: $(ps -o pid=,comm= --ppid 1 | tr -s " \n" " ")"
	exit 3' || rc=$?
echo "demo: nook-init exited with the child's status: $rc"
[ "$rc" -eq 3 ]

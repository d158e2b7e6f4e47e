#!/bin/sh
# SPDX-License-Identifier: MIT
# The workload of tests/init-vm.t: busybox sh, run by nook-init as PID 1 of a
# qemu VM.  Everything goes to the serial console; the test greps the log
# for the NOOK-* lines.  Usage: payload.sh main|quick|flaky|stop
export PATH=/bin
mode=${1:-main}
echo "NOOK-PAYLOAD-START mode=$mode pid=$$ ppid=$PPID"
echo "NOOK-STDIO $(readlink /proc/$$/fd/0) $(readlink /proc/$$/fd/1)" \
	"$(readlink /proc/$$/fd/2)"

case $mode in
main)
	# What the init mounted: "NOOK-MOUNT <dir> <fstype or none>".
	for m in /proc /sys /dev /run; do
		t=$(awk -v m="$m" '$2 == m { t = $3 } END { print t }' \
			/proc/mounts 2>/dev/null)
		echo "NOOK-MOUNT $m ${t:-none}"
	done

	# Orphans that exit at once: they are re-parented to PID 1, which
	# must reap them while we are still running.
	for i in 1 2 3 4; do (sleep 0.2 &); done
	sleep 2
	z=0
	for s in /proc/[0-9]*/stat; do
		read -r _ _ st _ <"$s" 2>/dev/null || continue
		[ "$st" = Z ] && z=$((z + 1))
	done
	echo "NOOK-ZOMBIES $z"

	# Orphans still there when we exit: the init must stop them.
	for i in 1 2 3; do (sleep 1000 &); done
	# (`wait` returns at once for a trapped signal, a foreground command
	# would delay the trap, for ever if it was forked as the signal came.)
	(sh -c 'trap "echo NOOK-STRAGGLER-CLEANED; exit 0" TERM
		touch /tmp/straggler-ready
		while :; do sleep 1 & wait $!; done' &)
	# One that ignores SIGTERM: only SIGKILL after the grace period ends it.
	(sh -c 'trap "" TERM; touch /tmp/ignorer-ready; exec sleep 1000' &)
	while [ ! -e /tmp/straggler-ready ] || [ ! -e /tmp/ignorer-ready ]; do
		sleep 0.1
	done
	echo "NOOK-PAYLOAD-EXIT status=3 uptime=$(cut -d' ' -f1 /proc/uptime)"
	exit 3
	;;
quick)
	echo "NOOK-PAYLOAD-EXIT status=0"
	exit 0
	;;
flaky)
	# Fails the first time, succeeds the second: the count lives in /run,
	# a tmpfs the init mounted, so it survives the restart.
	n=$(cat /run/nook-runs 2>/dev/null || echo 0)
	n=$((n + 1))
	echo "$n" >/run/nook-runs
	echo "NOOK-FLAKY-RUN $n"
	[ "$n" -ge 2 ] && exit 0
	exit 1
	;;
stop)
	# Ask the init to shut the machine down; it must SIGTERM us (and not
	# restart us, even with --restart=always), then power off.
	trap 'echo NOOK-STOP-GOT-TERM; exit 0' TERM
	kill -TERM 1
	i=0
	while [ $i -lt 60 ]; do
		sleep 1 &
		wait $!
		i=$((i + 1))
	done
	echo "NOOK-STOP-NO-TERM"
	exit 1
	;;
esac
echo "NOOK-PAYLOAD-BAD-MODE $mode"
exit 2

#!/bin/bash
# SPDX-License-Identifier: MIT
# Main child for the nook-init shutdown tests.
#
# straggle.sh DIR CODE SPEC...: start one background straggler per SPEC,
# wait until each is ready, write $EPOCHREALTIME to DIR/main.exit, exit CODE
# (CODE "sigusr1": die of SIGUSR1 instead).  SPEC is NAME:MODE[:setsid]:
#   clean    trap TERM: sleep 0.3, write DIR/NAME.cleaned, exit 0
#   slow     trap TERM: sleep 2, then write DIR/NAME.cleaned, exit 0
#   ignore   SIGTERM ignored (SIGKILL needed)
#   plain    default SIGTERM disposition
#   respawn  trap TERM: start NAME-2 (clean) in the background, exit 0
# Every straggler writes its pid to DIR/NAME.pid when ready.
dir=$1 code=$2
shift 2
self=${BASH_SOURCE[0]}

straggler() {	# NAME MODE
	local name=$1 mode=$2
	case $mode in
	clean) trap 'sleep 0.3; echo cleaned >"$dir/$name.cleaned"; exit 0' TERM ;;
	slow) trap 'sleep 2; echo cleaned >"$dir/$name.cleaned"; exit 0' TERM ;;
	ignore) trap '' TERM ;;
	plain) ;;
	respawn) trap '"$self" "$dir" straggler "$name-2:clean" & wait_ready "$name-2"; exit 0' TERM ;;
	esac
	echo "$BASHPID" >"$dir/$name.pid.tmp" && mv "$dir/$name.pid.tmp" "$dir/$name.pid"
	# sleep in a child we wait for: the wait is interrupted by the trap
	while :; do
		sleep 0.2 &
		wait $!
	done
}
wait_ready() {
	local i
	for ((i = 0; i < 400; i++)); do
		[ -e "$dir/$1.pid" ] && return 0
		sleep 0.05
	done
	return 1
}

if [ "$code" = straggler ]; then	# internal: one straggler in the foreground
	IFS=: read -r name mode _ <<<"$1"
	straggler "$name" "$mode"
fi

for spec; do
	IFS=: read -r name mode how <<<"$spec"
	if [ "$how" = setsid ]; then
		setsid "$self" "$dir" straggler "$name:$mode" </dev/null &
	else
		( straggler "$name" "$mode" ) </dev/null &
	fi
done
for spec; do
	wait_ready "${spec%%:*}" || echo "straggle.sh: ${spec%%:*} not ready" >&2
done
echo "$EPOCHREALTIME" >"$dir/main.exit"
[ "$code" = sigusr1 ] && kill -USR1 $$
exit "$code"

#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: soak and faults (issue 14).  Many container runs one after the
# other and 8 at a time, then faults: the first process SIGKILLed during
# the start, nook SIGKILLed during the start (the next run sweeps what it
# left), a bind source removed between --check and the start, full file
# systems, too few descriptors.  Each ends with a clear error or a clean
# exit, and afterwards the host has exactly the mounts, network namespaces
# and links, cgroups, records, descriptors and processes it had before;
# nook's own peak RSS does not grow from the first runs to the last.
#
# make check: 50 runs in a row and 16 in parallel; make check-long
# (NOOK_LONG=1): 2,000 and 200.  NOOK_SOAK_SEQ / NOOK_SOAK_PAR override.
. "$(dirname "$0")/lib.sh"
nook_setup
need_cmd python3 ip

if [ -n "${NOOK_LONG:-}" ]; then
	SEQ=${NOOK_SOAK_SEQ:-2000} PAR=${NOOK_SOAK_PAR:-200} ROUNDS=5
else
	SEQ=${NOOK_SOAK_SEQ:-50} PAR=${NOOK_SOAK_PAR:-16} ROUNDS=1
fi
TAG=rsoak$$		# every container name of this test starts so
DELAYS=(0 0.0002 0.0005 0.001 0.002 0.004 0.008 0.02)

plan 24

write_conf "$W/soak.ini" <<EOF
[container]
name = $TAG
[process]
command = /probe echo ok
EOF

# snap FILE: what a run may leave on the host, as far as it can be told
# apart from the machine's other users: mounts and processes of our $W,
# our containers' cgroups and records, this shell's descriptors and jobs
# (all gone by the time nook exits: compared at once), then all network
# namespaces and links (others' may come and go: given time to settle).
snap() {
	local p r
	jobs -pr >"$W/jobs"	# here: a pipeline's subshell has no jobs
	{
		awk -v w="$W" -v t="$TAG" 'index($0, w) || index($0, t) {
			print "mount", $4, $5, $9, $10 }' /proc/self/mountinfo
		find /sys/fs/cgroup -maxdepth 4 -type d -name "nook-$TAG*" \
			2>/dev/null | sed 's/^/cgroup /'
		ls /run/nook/containers 2>/dev/null | grep "^$TAG" | sed 's/^/record /'
		for p in /proc/$$/fd/*; do
			echo "fd ${p##*/} $(readlink "$p")"
		done
		echo "jobs running: $(wc -l <"$W/jobs")"
		for p in /proc/[0-9]*; do
			r=$(readlink "$p/root" 2>/dev/null) || continue
			[[ $r == "$W"* ]] && echo "process ${p#/proc/} in $r"
		done
	} 2>/dev/null | sort >"$1"
	{
		ip netns list 2>/dev/null | sed 's/^/netns /'
		ip -o link show 2>/dev/null | awk -F': ' '{ print "link", $2 }'
	} | sort >"$1.global"
}

# same_as_before DESC: the host as in $W/before; of the network, nothing
# new (what the machine's other users remove meanwhile is theirs)
same_as_before() {
	snap "$W/after"
	if cmp -s "$W/before" "$W/after" && wait_for 15 eval \
	    'snap "$W/after" && [ -z "$(comm -13 "$W/before.global" \
	    "$W/after.global")" ]'; then
		pass "$1"
	else
		fail "$1"
		diag "$(diff "$W/before" "$W/after"; comm -13 \
			"$W/before.global" "$W/after.global" | head -20)"
	fi
}

# rss ARGS: nook ARGS, its peak RSS (with its children's) in KiB in RSS,
# its status in RC
rss() {
	read -r RC RSS < <(python3 -c '
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, st, ru = os.wait4(p.pid, 0)
print(os.waitstatus_to_exitcode(st), ru.ru_maxrss)' "$NOOK" "$@")
}

# nap SECONDS: a sleep without a fork (read times out on a FIFO of ours)
mkfifo "$W/nap"
exec 7<>"$W/nap"
nap() { read -r -t "$1" -u 7 _; return 0; }

snap "$W/before"
t0=$SECONDS

# --- runs one after the other ---
bad=0 first= rss_first=0 rss_last=0
for ((i = 0; i < SEQ; i++)); do
	if ((i < 10 || i >= SEQ - 10)); then
		rss "$W/soak.ini"
		((i < 10 && RSS > rss_first)) && rss_first=$RSS
		((i >= SEQ - 10 && RSS > rss_last)) && rss_last=$RSS
		[ "$RC" = 0 ] || { bad=$((bad + 1)); first=${first:-"run $i: rc=$RC"}; }
		continue
	fi
	out=$("$NOOK" "$W/soak.ini" -- /probe echo "ok $i" 2>&1 </dev/null)
	rc=$?
	[ "$rc:$out" = "0:ok $i" ] ||
		{ bad=$((bad + 1)); first=${first:-"run $i: rc=$rc: $out"}; }
done
is "$bad" 0 "$SEQ runs in a row: each exit 0 with its output${first:+ ($first)}"
diag "$SEQ runs in $((SECONDS - t0)) s; peak RSS of the first 10: $rss_first KiB, of the last 10: $rss_last KiB"
ok $((rss_first > 0 && rss_last <= rss_first + rss_first / 20 + 256 ? 0 : 1)) \
	"  nook's peak RSS does not grow ($rss_first -> $rss_last KiB)"
same_as_before "  afterwards the host is as before"

# --- 8 at a time ---
t0=$SECONDS
bad=0 first=
for ((b = 0; b < PAR; b += 8)); do
	pids=()
	for ((j = 0; j < 8 && b + j < PAR; j++)); do
		"$NOOK" -s "container.name=$TAG-p$j" "$W/soak.ini" -- \
			/probe echo "ok $((b + j))" >"$W/par.$j" 2>&1 </dev/null &
		pids+=($!)
	done
	for j in "${!pids[@]}"; do
		wait "${pids[j]}"
		rc=$?
		out=$(<"$W/par.$j")
		[ "$rc:$out" = "0:ok $((b + j))" ] ||
			{ bad=$((bad + 1)); first=${first:-"run $((b + j)): rc=$rc: $out"}; }
	done
done
is "$bad" 0 "$PAR runs 8 at a time: each exit 0 with its output${first:+ ($first)}"
diag "$PAR parallel runs in $((SECONDS - t0)) s"
same_as_before "  afterwards the host is as before"

# --- faults ---
# first_of NPID: the pid of nook's first child, waiting for its birth
first_of() {
	local k
	for ((k = 0; k < 400; k++)); do
		C=$(first_process "$1") && return 0
		[ -d "/proc/$1" ] || return 1
		nap 0.001
	done
	return 1
}

# the container's first process SIGKILLed at points of its start
n=0 unexplained= rcs=
for ((r = 0; r < ROUNDS; r++)); do
	for d in "${DELAYS[@]}"; do
		start_nook -s "container.name=$TAG-k" "$W/soak.ini" -- /bin/sleep 30
		first_of "$NPID" && { [ "$d" = 0 ] || nap "$d"; } &&
			kill -KILL "$C" 2>/dev/null
		wait_nook 30
		n=$((n + 1))
		rcs+=" $RC"
		case $RC in
		137) ;;
		125) [ -s "$W/bg.err" ] || unexplained+=" 125(silent)" ;;
		*) unexplained+=" $RC:$(head -c 100 "$W/bg.err")" ;;
		esac
	done
done
is "$unexplained" "" "first process SIGKILLed during the start ($n times): 137, or 125 with a message"
diag "  exits:$rcs"
same_as_before "  afterwards the host is as before"

# nook itself SIGKILLed at points of the start: the container dies with it
# (parent-death signal); the next run sweeps its cgroups, nook ps its record
n=0
for ((r = 0; r < ROUNDS; r++)); do
	for d in "${DELAYS[@]}"; do
		start_nook -s "container.name=$TAG-n" "$W/soak.ini" -- /bin/sleep 30
		[ "$d" = 0 ] || nap "$d"
		kill -KILL "$NPID"
		wait_nook 30
		n=$((n + 1))
	done
done
gone() {
	local p r
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		[[ $r == "$W"* ]] && return 1
	done
	return 0
}
ok $(wait_for 20 gone && echo 0 || echo 1) "nook SIGKILLed during the start ($n times): its container dies with it"
run_nook -s "container.name=$TAG-n" "$W/soak.ini"
is "$RC:$OUT" "0:ok" "  the next run with that name works"
run_nook ps
is "$RC" 0 "  nook ps (removes the stale record)"
same_as_before "  afterwards the host is as before (cgroups swept)"

# a bind source removed between --check and the start
mkdir "$W/src"
write_conf "$W/bind.ini" <<EOF
[container]
name = $TAG-b
[process]
command = /bin/true
[mounts]
bind = $W/src:/mnt
EOF
run_nook --check "$W/bind.ini"
is "$RC:$ERR" "0:" "a bind mount: --check passes"
rmdir "$W/src"
run_nook "$W/bind.ini"
is "$RC:$ERR" "125:nook: $W/bind.ini:9: [mounts] bind: source \"$W/src\" does not exist" \
	"  source removed before the start: exit 125 naming it"
same_as_before "  afterwards the host is as before"

# full file systems: /run/nook (in a mount namespace of our own), the
# rootfs itself (no inode left for a [mounts] file), TMPDIR (not used)
timeout -k 5 30 unshare --mount --propagation private /bin/sh -c '
	mount -t tmpfs -o size=8k,mode=0755 nook-full /run/nook || exit 99
	mkdir /run/nook/containers /run/nook/ranges /run/nook/seccomp
	dd if=/dev/zero of=/run/nook/fill bs=1k count=64 2>/dev/null
	exec "$@"' sh "$NOOK" -s "container.name=$TAG-f" "$W/soak.ini" \
	>"$W/out" 2>"$W/err" </dev/null
is "$?:$(<"$W/err")" "125:nook: $TAG-f: write its record: No space left on device" \
	"a full /run/nook: exit 125, saying so"
mkdir "$W/full"
mount -t tmpfs -o size=16m,nr_inodes=700,mode=0755 nook-full "$W/full"
make_rootfs "$W/full/root"
for ((i = 0; ; i++)); do touch "$W/full/fill.$i" 2>/dev/null || break; done
write_conf "$W/fullroot.ini" "$W/full/root" <<EOF
[container]
name = $TAG-r
[rootfs]
readonly = no
[process]
command = /bin/true
[mounts]
file = /etc/new:=hello
EOF
run_nook "$W/fullroot.ini"
is "$RC:$ERR" "125:nook: $W/fullroot.ini:11: [mounts] file: create \"/etc/new\": No space left on device" \
	"a full rootfs: exit 125 naming the mount and the error"
TMPDIR=$W/full run_nook "$W/soak.ini"
is "$RC:$OUT" "0:ok" "a full TMPDIR: not used, the run works"
umount "$W/full"
same_as_before "  afterwards the host is as before"

# too few descriptors for nook: each limit fails at another step
unexplained= n=0
for ((l = 4; l <= 30; l++)); do
	(ulimit -n "$l" && exec timeout -k 5 30 "$NOOK" -s \
		"container.name=$TAG-e" "$W/soak.ini") >"$W/out" 2>"$W/err" </dev/null
	rc=$?
	n=$((n + 1))
	case $rc in
	0) ;;
	125) grep -q "Too many open files" "$W/err" ||
		unexplained+=" $l:$(head -c 100 "$W/err")" ;;
	*) unexplained+=" $l:rc=$rc" ;;
	esac
done
is "$unexplained" "" "ulimit -n 4..30 ($n runs): exit 0, or 125 saying 'Too many open files'"
same_as_before "  afterwards the host is as before"

# the payload filling its own tmpfs: its error, nook's clean exit
mkdir -p "$ROOT/data"
write_conf "$W/fill.ini" <<EOF
[container]
name = $TAG-t
[process]
command = /bin/sh -c 'cat /dev/zero >/data/fill; echo status \$?'
[mounts]
tmpfs = /data:size=1M
EOF
run_nook "$W/fill.ini"
like "$RC:$OUT" "^0:status 1$" "the container's tmpfs full: the payload's error, nook exits cleanly"
same_as_before "  afterwards the host is as before"

run_nook ps
ok $([[ $OUT != *"$TAG"* ]] && echo 0 || echo 1) "nook ps lists none of ours"
snap "$W/after"
is "$(diff "$W/before" "$W/after")" "" "at the end: mounts, cgroups, records, fds, jobs, processes as before"

done_testing

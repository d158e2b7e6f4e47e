#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: [cgroup] - limits (memory, pids, cpu, cpuset), the cgroup namespace
# and /sys/fs/cgroup inside, per-controller v1/v2 choice, cleanup after
# every kind of exit and the sweep of a SIGKILLed nook's cgroups.
#
# Every cgroup is made below a test parent, nooktest.PID, in each
# hierarchy (not named nook-NAME-PID: another nook would sweep it);
# nook makes that parent itself and removes it when empty.
. "$(dirname "$0")/lib.sh"
nook_setup

CG=/sys/fs/cgroup
P=nooktest.$$
[ -d $CG/unified ] || [ "$(stat -f -c %T $CG)" = cgroup2fs ] ||
	skip_all "no cgroup2 mounted at $CG or $CG/unified"
U=$CG/unified
[ "$(stat -f -c %T $CG)" = cgroup2fs ] && U=$CG
HYBRID=0
[ -d $CG/memory ] && [ "$(stat -f -c %T $CG/memory)" = cgroupfs ] && HYBRID=1

# Remove what a failed test left of our parent (deepest first).
rm_test_cgroups() {
	local d
	for d in $(find $CG/*/$P $CG/$P -depth -type d 2>/dev/null); do
		rmdir "$d"
	done
}
at_cleanup rm_test_cgroups

# Kill what a failed test left running on the host (sleep 4321, 4322).
kill_markers() {
	local f c
	for f in /proc/[0-9]*/cmdline; do
		{ c=$(tr '\0' ' ' <"$f"); } 2>/dev/null
		case $c in "sleep 432"[12]" ") f=${f#/proc/}; kill -KILL "${f%/*}";;
		esac
	done
}
at_cleanup kill_markers

# left: the directories of our parent still there, in any hierarchy.
left() { find $CG/*/$P $CG/$P -type d 2>/dev/null | sort | tr '\n' ' '; }

# cg_conf FILE: a config with [cgroup] parent = $P and stdin's keys.
cg_conf() {
	write_conf "$1" <<-EOF
	[cgroup]
	parent = $P
	$(</dev/stdin)
	EOF
}

# has_line TEXT LINE: is LINE one of TEXT's lines?
has_line() { grep -qxF -- "$2" <<<"$1"; }

# A process in the cgroup: the container's first process, from the host.
# CPID: the container's first process - nook's child in a mount
# namespace of its own (for a moment nook also has its network helper as
# a child, in nook's; pid = host rules out first_process) - once its user
# namespace has its id maps (one joined before they are written is a
# namespace where nook is nobody)
container_pid() {
	local c m
	m=$(readlink "/proc/$NPID/ns/mnt" 2>/dev/null) || return 1
	CPID=
	for c in $(children "$NPID"); do
		[ "$(readlink "/proc/$c/ns/mnt" 2>/dev/null)" != "$m" ] &&
			CPID=$c && break
	done
	[ -n "$CPID" ] && [ -n "$(cat "/proc/$CPID/uid_map" 2>/dev/null)" ]
}

# Is there a process whose command line starts with $1?  (Not "holds":
# nook's own command line holds the payload's words, long before the
# payload runs.)
running() {
	local f c
	for f in /proc/[0-9]*/cmdline; do
		{ c=$(tr '\0' ' ' <"$f"); } 2>/dev/null
		[ "${c#"$1"}" != "$c" ] && return 0
	done
	return 1
}

plan 44

# --- limits ---
cg_conf "$W/mem.ini" <<'EOF'
memory_max = 32M
EOF
run_nook "$W/mem.ini" -- /bin/dd if=/dev/zero of=/dev/null bs=96M count=1
is "$RC" 137 "memory_max: a process allocating past it is OOM-killed (137)"
run_nook "$W/mem.ini" -- /bin/sh -c 'dd if=/dev/zero of=/dev/null bs=8M \
	count=1 2>/dev/null && for f in /sys/fs/cgroup/memory.max \
	/sys/fs/cgroup/memory/memory.limit_in_bytes; do
	[ ! -e $f ] || cat $f; done'
is "$RC:$OUT" "0:$((32 << 20))" "  a process within it runs; it sees its limit"
is "$(left)" "" "  nothing left of the cgroups"

cg_conf "$W/pids.ini" <<'EOF'
pids_max = 10
EOF
# (ash exits when a fork fails: the loop runs in a shell of its own)
run_nook "$W/pids.ini" -- /bin/sh -c 'sh -c "for i in \$(seq 30); do
	sleep 60 & done" 2>/dev/null; n=0; for p in /proc/[0-9]*; do
	n=$((n + 1)); done; echo procs $n'
field procs
ok "$(( RC == 0 && V >= 3 && V <= 10 ? 0 : 1 ))" \
	"pids_max = 10: a fork loop stops at 10 processes ($V) and the container exits 0 (rc $RC)"
is "$(left)" "" "  nothing left of the cgroups"

# CPU time of the cgroup over 2 s, from the unified hierarchy's cpu.stat.
cg_conf "$W/cpu.ini" <<'EOF'
cpu_max = 0.2
EOF
run_nook "$W/cpu.ini" -- /bin/sh -c 'while :; do :; done & f=/sys/fs/cgroup/cpu.stat
	[ -e $f ] || f=/sys/fs/cgroup/unified/cpu.stat; sleep 0.5
	read k a <$f && sleep 2 && read k b <$f &&
	echo pct $(( (b - a) / 20000 ))'
field pct
ok "$(( RC == 0 && ${V:-100} >= 1 && ${V:-100} < 60 ? 0 : 1 ))" \
	"cpu_max = 0.2: a busy loop gets well under one CPU (${V:-none}% over 2 s)"

cg_conf "$W/cpuset.ini" <<'EOF'
cpuset_cpus = 0
EOF
probe_in "$W/cpuset.ini" status Cpus_allowed_list
like "$OUT" 'Cpus_allowed_list:[[:space:]]*0$' "cpuset_cpus = 0: Cpus_allowed_list is 0"

if [ $HYBRID = 1 ]; then
	cg_conf "$W/w.ini" <<'EOF'
cpu_weight = 100
memory_max = 64M
memory_swap_max = 16M
EOF
	run_nook "$W/w.ini" -- /bin/sh -c 'cat /sys/fs/cgroup/cpu/cpu.shares
		cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes'
	is "${L[0]}" 2597 "cpu_weight = 100 on v1: cpu.shares 2 + 99 * 262142 / 9999 = 2597"
	is "${L[1]}" $((80 << 20)) "memory_swap_max on v1: memsw = memory_max + swap"
	cg_conf "$W/w2.ini" <<'EOF'
cpu_weight = 10000
EOF
	run_nook "$W/w2.ini" -- /bin/cat /sys/fs/cgroup/cpu/cpu.shares
	is "$OUT" 262144 "cpu_weight = 10000 on v1: cpu.shares 262144"
	cg_conf "$W/high.ini" <<'EOF'
memory_high = 10M
EOF
	# hierarchies = all: a cgroup in every v1 hierarchy (cpuacct, blkio,
	# name=systemd ... too), and without a cgroup namespace each bound
	# read-only at /sys/fs/cgroup/NAME, as runc does
	cg_conf "$W/all.ini" <<'EOF'
hierarchies = all
[namespaces]
cgroup = host
EOF
	nv1=$(awk '/ - cgroup /{print $5}' /proc/self/mountinfo | sort -u | wc -l)
	want=$(awk '/ - cgroup /{n=split($5,a,"/"); print a[n]}' /proc/self/mountinfo |
		sort -u | tr '\n' ' ')
	run_nook "$W/all.ini" -- /bin/sh -c "grep -c ':/$P/' /proc/self/cgroup
		ls /sys/fs/cgroup | grep -v '^unified\$' | tr '\n' ' '; echo
		touch /sys/fs/cgroup/memory/x 2>&1 | grep -c 'Read-only'"
	is "$RC:${L[0]}:${L[1]}:${L[2]}" "0:$((nv1 + 1)):$want:1" \
		"hierarchies = all: a cgroup in each of the $nv1 v1 hierarchies and the unified one, bound read-only at /sys/fs/cgroup"
	is "$(left)" "" "  and none left after it"
	run_nook "$W/high.ini" -- /probe exit 0
	like "$RC:$ERR" '^125:nook: .*high.ini:[0-9]+: \[cgroup\] memory_high: needs the memory controller on cgroup v2; this host has it on v1' \
		"memory_high with memory on v1: 125, file:line and why"
	is "$(left)" "" "  nothing left after that failure"
else
	skip 7 "not a hybrid host: no v1 memory and cpu hierarchies"
fi

# --- the cgroup namespace, /sys/fs/cgroup inside ---
cg_conf "$W/ns.ini" <<'EOF'
memory_max = 48M
EOF
start_nook "$W/ns.ini" -- /bin/sh -c 'cat /proc/self/cgroup; echo -
	cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max
	mkdir /sys/fs/cgroup/unified/sub /sys/fs/cgroup/sub; sleep 30' 2>/dev/null
wait_for 10 container_pid
# born in its v2 cgroup, put into the v1 ones just after: read once it runs
wait_for 10 eval '[ -s "$W/bg.out" ]'
host=$(cat /proc/$CPID/cgroup 2>/dev/null)
want="/$P/nook-ns-$NPID"
ok "$(has_line "$host" "0::$want"; echo $?)" "from the host: the container's first process is in $want (v2)"
if [ $HYBRID = 1 ]; then
	ok "$(grep -qE "^[0-9]+:memory:$want\$" <<<"$host"; echo $?)" "  and in the v1 memory hierarchy's $want"
else
	skip 1 "no v1 memory hierarchy"
fi
like "$(left)" "$P/nook-ns-$NPID" "  the directories exist while it runs"
wait_for 5 eval 'grep -q Read-only "$W/bg.err"'
kill -TERM "$NPID"
wait_nook 20
read_lines "$W/bg.out"
ok "$(sed '/^-$/,$d' "$W/bg.out" | grep -vqE '^[0-9]+:[^:]*:/$'; echo $((! $?)))" \
	"cgroup = new: every line of /proc/self/cgroup inside is \"/\"-rooted"
like "$(sed -n '/^-$/,$p' "$W/bg.out")" "$((48 << 20))" \
	"  /sys/fs/cgroup inside is the container's own cgroup (its memory limit)"
like "$(<"$W/bg.err")" "(unified/sub|cgroup/sub).*Read-only" \
	"  read-only without delegate = yes"
is "$(left)" "" "after SIGTERM to nook: nothing left"

cg_conf "$W/del.ini" <<'EOF'
delegate = yes
EOF
d=/sys/fs/cgroup/unified
[ $U = $CG ] && d=/sys/fs/cgroup
run_nook "$W/del.ini" -- /bin/sh -c "mkdir $d/sub && echo made &&
	echo \$\$ >$d/sub/cgroup.procs && cat /proc/self/cgroup | grep '^0::'"
is "$OUT" "made
0::/sub" "delegate = yes: container root makes and enters a cgroup of its own"
is "$(left)" "" "  removed with the container's"

# --- cleanup after every kind of exit ---
cg_conf "$W/stay.ini" <<'EOF'
pids_max = 50
[namespaces]
pid = host
EOF
start_nook "$W/stay.ini" -- /bin/sh -c 'sleep 4321 & exec sleep 60'
wait_for 10 running 'sleep 4321'
wait_for 10 container_pid
like "$(left)" "$P/nook-stay-$NPID" "pid = host: the cgroup exists while it runs"
kill -KILL "$CPID"
wait_nook 20
is "$RC" 137 "SIGKILL of the payload: nook exits 137"
ok "$(running 'sleep 4321'; echo $((! $?)))" \
	"  what it left running (pid = host) is killed (cgroup.kill)"
is "$(left)" "" "  nothing left of the cgroups"

cg_conf "$W/v1.ini" <<'EOF'
version = v1
memory_max = 64M
[namespaces]
pid = host
EOF
if [ $HYBRID = 1 ] && [ -d $CG/freezer ]; then
	start_nook "$W/v1.ini" -- /bin/sh -c 'sleep 4322 & exec sleep 60'
	wait_for 10 running 'sleep 4322'
	wait_for 10 container_pid
	host=$(cat /proc/$CPID/cgroup 2>/dev/null)
	like "$host" ":freezer:/$P/nook-v1-$NPID" \
		"version = v1: the freezer hierarchy tracks the processes"
	ok "$(has_line "$host" "0::/"; echo $?)" "  and the unified hierarchy is left alone"
	kill -KILL "$CPID"
	wait_nook 20
	ok "$(running 'sleep 4322'; echo $((! $?)))" \
		"  what it left running is killed (freezer, then SIGKILL)"
	is "$(left)" "" "  nothing left of the cgroups"
else
	skip 4 "no v1 freezer hierarchy"
fi

# nook itself SIGKILLed: its cgroups stay until the next run sweeps them
cg_conf "$W/gone.ini" <<'EOF'
pids_max = 50
EOF
start_nook "$W/gone.ini" -- /bin/sleep 60
wait_for 10 container_pid
wait_for 5 eval '[ -d $U/$P/nook-gone-$NPID ]'
gone=$NPID
kill -KILL "$NPID"
wait_nook 10
wait_for 5 eval '! kill -0 $CPID 2>/dev/null'
like "$(left)" "$P/nook-gone-$gone" "SIGKILL of nook: its cgroups stay behind"
run_nook -v "$W/gone.ini" -- /probe exit 0
like "$ERR" "removed the stale cgroup .*/$P/nook-gone-$gone \\(its nook, pid $gone, is gone\\)" \
	"  the next run removes them, saying so"
# (the parent it made stays: nook cannot tell it from one made by hand)
is "$RC:$(find $CG/*/$P $CG/$P -mindepth 1 -type d 2>/dev/null)" "0:" \
	"  and nothing of either run is left after it"
rm_test_cgroups

# A nook that joins another container's user namespace is nobody to the
# host's cgroup file system once in it, and the root of a hierarchy is
# 0555: a keeper forked before the join removes its cgroups.  Run from
# the root cgroup, so that its cgroup sits right below it.
write_conf "$W/host.ini" <<EOF
[container]
name = keeperhost$$
EOF
start_nook "$W/host.ini" -- /bin/sleep 60
wait_for 10 container_pid
HOSTNPID=$NPID
write_conf "$W/joiner.ini" <<EOF
[container]
name = keeperjoin$$
[namespaces]
user = /proc/$CPID/ns/user
EOF
( echo "$BASHPID" >"$U/cgroup.procs" &&
	exec timeout -k 5 "$NOOK_TIMEOUT" "$NOOK" "$W/joiner.ini" -- /probe exit 0 \
	>"$W/out" 2>"$W/err" </dev/null )
RC=$?
ERR=$(<"$W/err")
is "$RC:$(find "$U" -maxdepth 1 -name "nook-keeperjoin$$-*")" "0:" \
	"a nook in a joined user namespace: its cgroup removed at the end" ||
	show
find "$U" -maxdepth 1 -name "nook-keeperjoin$$-*" -exec rmdir {} +
! grep -q "cannot remove" <<<"$ERR"
ok $? "  with no warning"
kill -TERM "$HOSTNPID"
NPID=$HOSTNPID
wait_nook 10
rm_test_cgroups

# --- versions, errors, --check ---
cg_conf "$W/v2.ini" <<'EOF'
version = v2
EOF
start_nook "$W/v2.ini" -- /bin/sh -c 'cat /sys/fs/cgroup/unified/cgroup.procs \
	/sys/fs/cgroup/cgroup.procs 2>/dev/null | wc -l; sleep 30'
wait_for 10 container_pid
wait_for 5 eval '[ -s "$W/bg.out" ]'
like "$(cat /proc/$CPID/cgroup)" "0::/$P/nook-v2-$NPID" \
	"version = v2: born in its v2 cgroup (CLONE_INTO_CGROUP)"
n=$(<"$W/bg.out")
ok "$(( n >= 1 && n <= 5 ? 0 : 1 ))" "  its cgroup.procs inside: just its processes ($n)"
kill -TERM "$NPID"
wait_nook 20
is "$(left)" "" "  nothing left of the cgroups"

if [ $HYBRID = 1 ]; then
	cg_conf "$W/v2m.ini" <<'EOF'
version = v2
memory_max = 10M
EOF
	run_nook "$W/v2m.ini" -- /probe exit 0
	like "$RC:$ERR" '^125:nook: .*v2m.ini:[0-9]+: \[cgroup\] memory_max: needs the memory controller, which the unified \(v2\) hierarchy does not offer here' \
		"version = v2 with memory on v1: 125, naming the key and why"
else
	skip 1 "not a hybrid host"
fi

# --- finding the v2 hierarchy without mountinfo (statmount, Linux 6.8) ---
# opened TRACE: did the traced nook open /proc/self/mountinfo?
opened() { grep -q '"/proc/self/mountinfo"' "$1"; }
kv=$(uname -r)
kmaj=${kv%%.*} kmin=${kv#*.} kmin=${kmin%%[!0-9]*}
if ! command -v strace >/dev/null 2>&1; then
	skip 3 "strace not installed"
elif (( kmaj < 6 || (kmaj == 6 && kmin < 8) )); then
	skip 3 "kernel $kv has no statmount (6.8): nook reads mountinfo"
else
	cg_conf "$W/plain.ini" </dev/null
	timeout -k 5 30 strace -f -o "$W/st1" -e trace=open,openat,mkdir \
		"$NOOK" "$W/plain.ini" -- /probe exit 0 >/dev/null 2>&1
	ok "$(( $? == 0 ? 0 : 1 ))$(opened "$W/st1" && echo ' read')" \
		"v2 at $U, no v1 controller needed: mountinfo is not read"
	if [ $HYBRID = 1 ] && ! grep -qw memory $U/cgroup.controllers; then
		timeout -k 5 30 strace -f -o "$W/st2" -e trace=open,openat \
			"$NOOK" -s cgroup.memory_max=64M "$W/plain.ini" \
			-- /probe exit 0 >/dev/null 2>&1
		rc=$?
		opened "$W/st2"
		ok "$(( rc == 0 && $? == 0 ? 0 : 1 ))" \
			"  memory on v1 (hybrid host): mountinfo is read"
	else
		skip 1 "the unified hierarchy offers memory here"
	fi
	# a subtree of the hierarchy bound over its mount point: not the
	# root of our view, so mountinfo decides (and skips it too)
	mkdir -p "$U/$P/sub"
	timeout -k 5 30 unshare -m --propagation private sh -c \
		"mount --bind $U/$P/sub $U && exec strace -f -o $W/st3 \
		-e trace=open,openat,mkdir $NOOK $W/plain.ini -- /probe exit 0" \
		>/dev/null 2>"$W/err3"
	made=$(grep -c "mkdir(\"$U/" "$W/st3")
	opened "$W/st3"
	ok "$(( $? == 0 && made == 0 ? 0 : 1 ))" \
		"  a subtree bound over $U: mountinfo is read, nothing made in it ($made)"
	rmdir "$U/$P/sub" "$U/$P" 2>/dev/null
fi

if add_user nookcgt; then
	cg_conf "$W/unpriv.ini" <<'EOF'
pids_max = 10
EOF
	chmod 644 "$W/unpriv.ini"
	out=$(setpriv --reuid=nookcgt --regid=nookcgt --clear-groups \
		"$NOOK" --check "$W/unpriv.ini" -- /probe 2>&1)
	like "$?:$out" "^125:.*\\[cgroup\\] parent: cannot make the container's cgroup in /sys/fs/cgroup/[a-z]+/$P: /sys/fs/cgroup/[a-z]+ is not writable by uid [0-9]+ \\(run nook as root" \
		"unprivileged --check: names the directory and what to do"
else
	skip 1 "cannot add a user"
fi

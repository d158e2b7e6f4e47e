# SPDX-License-Identifier: MIT
# The one harness of nook's shell tests: TAP, the temp dir and its cleanup,
# a static busybox, the throw-away rootfs, PID namespaces, running nook.
# Source it first, and nothing else (the qemu tests add
# tests/helpers/vm/lib-vm.sh):   . "$(dirname "$0")/lib.sh"
#
# TAP
#   plan N, ok STATUS DESC, pass DESC, fail DESC, skip N WHY, is GOT WANT
#   DESC, like GOT REGEX DESC, todo_ok STATUS DESC WHY, diag LINES...,
#   skip_all WHY, done_testing
# What a test needs (each skips the whole test when it is missing)
#   need_root, need_cmd CMD..., need_nook (nook and nook-init built),
#   need_probe (built or rebuilt by make), need_busybox, need_userns
# The temp dir and the cleanup (one EXIT trap for all of it)
#   test_tmp NAME [tmpfs]  W = a new 0755 dir below /tmp (a tmpfs of its
#                          own with "tmpfs"); at exit: the at_cleanup
#                          commands (last first), the processes of
#                          start_nook and start_bg, the users and network
#                          namespaces added, the mounts under W, W
#   at_cleanup CMD         eval CMD at exit
#   add_user NAME, add_netns NAME   made now, removed at exit
# A rootfs
#   find_busybox           BUSYBOX = a static busybox: NOOK_BUSYBOX, else
#                          /bin, /usr/bin, /usr/lib/busybox (done once when
#                          this file is sourced; "" when there is none)
#   is_static FILE         FILE is an ELF without a program interpreter
#   install_busybox DIR    DIR/bin/busybox and a link for every applet
#   make_rootfs DIR        busybox, /probe and /sec (the probe by a name
#                          that makes it the attacker: tests/probe.c),
#                          users root, app (1000) and nobody
#   write_conf FILE [ROOT] [rootfs] path = ROOT ($ROOT), then stdin
# PID namespaces: nook-init never runs as a plain process on the host
#   PIDNS                  the command words: unshare --pid --fork ...
#   in_pidns ARGS...       ARGS as PID 1 of a new namespace, bounded by TMO
#                          seconds (default 20)
#   run_init ARGS...       in_pidns $NOOK_INIT ARGS: OUT, ERR, RC
#   start_bg ARGS...       in a new namespace in the background: UPID (the
#                          unshare), IPID (nook-init's host pid), IPPID
#   finish_bg SECONDS      wait for it: RC (999 and killed on timeout)
#   find_init PID, sig_init KILL-ARGS..., ns_enter NSENTER-ARGS...,
#   _bg_kill UNSHARE-PID   the namespace of start_bg killed now
# nook on a rootfs
#   run_nook ARGS...       $NOOK ARGS, stdin /dev/null, bounded by
#                          NOOK_TIMEOUT: OUT, ERR, RC, the lines in L/NL
#   probe_in CONF ARGS...  run_nook CONF -- /probe ARGS
#   conf_probe ARGS...     the same with $W/c.ini written from stdin
#   start_nook ARGS...     $NOOK ARGS in the background: NPID, $W/bg.out/err
#   wait_nook SECONDS      wait for it: RC (999 and killed on timeout)
#   show                   diag the last run
#   joined, field, res, mountpoint_of, read_lines: read the last run
# Setups
#   nook_setup   the nook tests: W (tmpfs), ROOT = $W/root, CONF its config
#   sec_setup    the same for the attacker tests: BASE the config, $W/sec
#   need_init    the nook-init tests: W = T (no rootfs)
# Misc: wait_for SECONDS CMD..., children PID, host_ns NAME, mounts_under
# DIR, _pstate PID, _ppid PID, now, fsub, fge, flt
[ -n "${_NOOK_LIB_SH:-}" ] && return 0	# sourced once (the old names source it too)
_NOOK_LIB_SH=1
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${NOOK_BUILD:-$TOP/build}
NOOK=$BUILD/nook
# What a container, a runc bundle or a VM runs: static, always.  The tests
# that run the init themselves, in a PID namespace on the host (need_init),
# take NOOK_HOST_INIT instead when it is set (make check-sanitize: an ASan
# build, which cannot be static).
NOOK_INIT=$BUILD/nook-init
PROBE=$BUILD/tests/probe
NOOK_TIMEOUT=${NOOK_TIMEOUT:-30}
INIT_HELPERS=$TOP/tests/helpers/init
# the system's python: a pyenv-style shim in PATH costs seconds a start
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || echo python3)
export LC_ALL=C
ulimit -c 0	# a signal-killed init or probe leaves no core file behind
unset NOOK_INIT_SUBREAPER TINI_SUBREAPER NOOK_INIT_KILL_PROCESS_GROUP \
	TINI_KILL_PROCESS_GROUP NOOK_INIT_GRACE NOOK_INIT_VERBOSITY TINI_VERBOSITY
PIDNS=(unshare --pid --fork --mount-proc --kill-child --)

_tap_n=0
_tap_fail=0
W=
ROOT=
CONF=
_lib_tmp=
_lib_cleanups=()
_nook_bg=()	# start_nook's, and pids a test adds: killed at exit, with
		# their children
_bg_pids=()	# start_bg's unshare processes not waited for yet
_lib_users=()
_lib_netns=()

# ---- TAP ----------------------------------------------------------------

plan() { echo "1..$1"; }
diag() { local l; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done; }
ok() {	# ok COND-STATUS DESCRIPTION
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_fail=$((_tap_fail + 1))
	fi
}
pass() { ok 0 "$1"; }
fail() { ok 1 "$1"; }
skip() {	# skip COUNT REASON
	local i
	for ((i = 0; i < $1; i++)); do
		_tap_n=$((_tap_n + 1))
		echo "ok $_tap_n # SKIP $2"
	done
}
is() {		# is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3"
		diag "got:  '$1'" "want: '$2'"
	fi
}
like() {	# like GOT REGEX DESCRIPTION
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3"
		diag "got: '$1'" "want match: '$2'"
	fi
}
# todo_ok STATUS DESCRIPTION REASON: a TAP "# TODO" point (reported, never
# fails the file): behaviour outside the contract that we want to see.
todo_ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2 # TODO $3"
	else
		echo "not ok $_tap_n - $2 # TODO $3"
	fi
}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
done_testing() { [ "$_tap_fail" -eq 0 ]; }

# ---- what a test needs --------------------------------------------------

need_root() { [ "$(id -u)" -eq 0 ] || skip_all "needs root"; }
need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_all "$c not installed"
	done
}
need_nook() {
	[ -x "$NOOK" ] && [ -x "$NOOK_INIT" ] || skip_all "$NOOK not built (run make)"
}
# oci ARGS...: nook-oci ($OCI), with --root $OCI_ROOT when that is set,
# no stdin, at most NOOK_TIMEOUT: RC, OUT (its NUL bytes dropped), ERR
oci() {
	timeout -k 5 "$NOOK_TIMEOUT" "$OCI" ${OCI_ROOT:+--root "$OCI_ROOT"} \
		"$@" >"$W/out" 2>"$W/err" </dev/null
	RC=$?
	OUT=$(tr -d '\0' <"$W/out")
	ERR=$(<"$W/err")
}

# need_probe: build the probe (again) when it is missing or older than its
# source: a test may run before `make check` builds the test programs.
need_probe() {
	if [ ! -x "$PROBE" ] || [ "$TOP/tests/probe.c" -nt "$PROBE" ]; then
		make -s -C "$TOP" "B=$BUILD" "$PROBE" >/dev/null 2>&1 ||
			skip_all "cannot build $PROBE (make $PROBE)"
	fi
}
need_busybox() {
	[ -n "$BUSYBOX" ] || skip_all "no static busybox (install busybox-static)"
}
need_userns() {
	local v=1
	[ -e /proc/self/ns/time ] || skip_all "no time namespaces in this kernel"
	read -r v </proc/sys/user/max_user_namespaces 2>/dev/null
	[ "$v" -gt 0 ] 2>/dev/null || skip_all "user namespaces are disabled"
}

# ---- the temp dir and the cleanup ---------------------------------------

# test_tmp NAME [tmpfs]: W = /tmp/NAME.XXXXXX, 0755; with "tmpfs" a tmpfs of
# its own: idmapped mounts (the default as root) need a file system that
# supports them, which /tmp may not be (an overlay root).
test_tmp() {
	W=$(mktemp -d "/tmp/$1.XXXXXX") || skip_all "mktemp failed"
	_lib_tmp=$W
	chmod 755 "$W"
	if [ "${2:-}" = tmpfs ]; then
		mount -t tmpfs -o mode=0755 "$1" "$W" 2>/dev/null ||
			diag "no tmpfs on $W: the tests use the file system of /tmp"
	fi
	trap _lib_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

at_cleanup() { _lib_cleanups+=("$1"); }

add_user() {
	useradd -M -r -s /usr/sbin/nologin -U -d /nonexistent "$1" >/dev/null 2>&1 ||
		return 1
	_lib_users+=("$1")
}

add_netns() {
	ip netns add "$1" 2>/dev/null || return 1
	_lib_netns+=("$1")
}

# Mount points at or under DIR in our mount namespace, deepest first.
mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' \
		/proc/self/mountinfo | sort -r
}

_lib_cleanup() {
	local p c m i
	for p in "${_nook_bg[@]}"; do
		# nook, then what it started (they die with it; be sure)
		for c in $(children "$p"); do
			kill -KILL "$c" 2>/dev/null
		done
		kill -KILL "$p" 2>/dev/null
	done
	for p in "${_nook_bg[@]}"; do
		wait "$p" 2>/dev/null	# only ours: a test's other jobs may not end
	done
	for p in "${_bg_pids[@]}"; do
		_bg_kill "$p"
	done
	for p in "${_lib_users[@]}"; do
		userdel "$p" >/dev/null 2>&1
		getent group "$p" >/dev/null && groupdel "$p" >/dev/null 2>&1
	done
	for p in "${_lib_netns[@]}"; do
		ip netns delete "$p" 2>/dev/null
	done
	for ((i = ${#_lib_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_lib_cleanups[i]}" >/dev/null 2>&1
	done
	[ -n "$_lib_tmp" ] && [ -d "$_lib_tmp" ] || return 0
	for m in $(mounts_under "$_lib_tmp"); do
		umount -l "$m" 2>/dev/null
	done
	if [ -n "$(mounts_under "$_lib_tmp")" ]; then
		echo "# cleanup: mounts left under $_lib_tmp; not removing it" >&2
		return 0
	fi
	rm -rf --one-file-system "$_lib_tmp"
}

# ---- a static busybox and a rootfs --------------------------------------

is_static() {
	if command -v readelf >/dev/null 2>&1; then
		readelf -h "$1" >/dev/null 2>&1 &&
			! readelf -lW "$1" 2>/dev/null | grep -q 'program interpreter'
	else
		ldd "$1" 2>&1 | grep -q 'not a dynamic executable'
	fi
}

find_busybox() {
	local b
	BUSYBOX=
	for b in "${NOOK_BUSYBOX:-}" /bin/busybox /usr/bin/busybox \
	    /usr/lib/busybox/busybox; do
		[ -n "$b" ] && [ -x "$b" ] && is_static "$b" &&
			{ BUSYBOX=$b; return 0; }
	done
	return 1
}
find_busybox

# install_busybox DIR: DIR/bin/busybox and its applets as links (one
# process: busybox --install in a chroot; forks are slow on small VMs).
install_busybox() {
	mkdir -p "$1/bin" && cp "$BUSYBOX" "$1/bin/busybox" || return 1
	chroot "$1" /bin/busybox --install -s /bin 2>/dev/null
	[ -e "$1/bin/sh" ] || ln -s busybox "$1/bin/sh"
}

# make_rootfs DIR: busybox, /probe and /sec (the probe by the name that
# makes it answer as tests/nook-escape.t's attacker), users root, app
# (1000, home /home/app) and nobody, groups wheel (app) and audio.
make_rootfs() {
	local d=$1
	mkdir -p "$d"/{bin,proc,sys,dev,tmp,etc,root,home/app,run,mnt}
	chmod 755 "$d"
	chmod 1777 "$d/tmp"
	install_busybox "$d"
	if [ -x "$PROBE" ]; then
		install -m 755 "$PROBE" "$d/probe"
		install -m 755 "$PROBE" "$d/sec"
	fi
	cat >"$d/etc/passwd" <<-'EOF'
	root:x:0:0:root:/root:/bin/sh
	app:x:1000:1000:app user:/home/app:/bin/sh
	nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$d/etc/group" <<-'EOF'
	root:x:0:
	app:x:1000:
	wheel:x:10:app
	audio:x:29:
	nogroup:x:65534:
	EOF
	echo rootfs >"$d/etc/hostname"
	chown 1000:1000 "$d/home/app"
}

# write_conf FILE [ROOT]: [rootfs] path, then stdin (more sections/keys).
write_conf() {
	local f=$1 r=${2:-$ROOT} body
	body=$(</dev/stdin)
	printf '[rootfs]\npath = %s\n\n%s\n' "$r" "$body" >"$f"
}

# ---- PID namespaces -----------------------------------------------------

in_pidns() { timeout -k 3 "${TMO:-20}" "${PIDNS[@]}" "$@"; }

run_init() {
	in_pidns "$NOOK_INIT" "$@" >"$W/out" 2>"$W/err" </dev/null
	RC=$?
	OUT=$(<"$W/out")
	ERR=$(<"$W/err")
}

# find_init ROOTPID: the host pid of the topmost descendant of ROOTPID that
# runs nook-init (its comm), polled for 10 s.
_find_init_once() {
	local queue=("$1") p c
	while [ ${#queue[@]} -gt 0 ]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		for c in $(cat "/proc/$p/task/$p/children" 2>/dev/null); do
			if [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$INIT_COMM" ]; then
				echo "$c"
				return 0
			fi
			queue+=("$c")
		done
	done
	return 1
}
find_init() {
	local end=$((SECONDS + 10)) p
	while :; do
		p=$(_find_init_once "$1") && { echo "$p"; return 0; }
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
}

start_bg() {
	"${PIDNS[@]}" "$@" >"$W/bg.out" 2>"$W/bg.err" </dev/null &
	UPID=$!
	_bg_pids+=("$UPID")
	IPID=$(find_init "$UPID") || IPID=
	IPPID=
	[ -n "$IPID" ] && IPPID=$(_ppid "$IPID")
}

# sig_init KILL-OPTIONS...: kill KILL-OPTIONS $IPID, but only while $IPID is
# still the init we started (same parent, same name): never a recycled pid.
sig_init() {
	[ -n "$IPID" ] && [ -n "$IPPID" ] && [ "$(_ppid "$IPID")" = "$IPPID" ] &&
		[ "$(cat "/proc/$IPID/comm" 2>/dev/null)" = "$INIT_COMM" ] || return 1
	kill "$@" "$IPID" 2>/dev/null
}

# ns_enter NSENTER-OPTIONS... -- CMD...: nsenter -t $IPID, only while $IPID
# is still the init we started.
ns_enter() {
	sig_init -0 || return 1
	nsenter -t "$IPID" "$@"
}

finish_bg() {
	if wait_for "$1" eval '! kill -0 "$UPID" 2>/dev/null || [ "$(_pstate "$UPID")" = Z ]'; then
		wait "$UPID"
		RC=$?
		_bg_forget "$UPID"
	else
		RC=999
		_bg_kill "$UPID"
	fi
}

# _bg_kill UNSHARE-PID: SIGKILL the namespace's PID 1 (that takes the whole
# namespace down), then unshare; only while they are still our child and
# its child (no pid reuse accident).
_bg_kill() {
	local p=$1 c
	if [ "$(_ppid "$p")" = "$$" ]; then
		for c in $(cat "/proc/$p/task/$p/children" 2>/dev/null); do
			[ "$(_ppid "$c")" = "$p" ] && kill -KILL "$c" 2>/dev/null
		done
		kill -KILL "$p" 2>/dev/null
	fi
	wait "$p" 2>/dev/null
	_bg_forget "$p"
}
_bg_forget() {
	local p keep=()
	for p in "${_bg_pids[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	_bg_pids=("${keep[@]}")
}

# ---- nook on a rootfs ---------------------------------------------------

run_nook() {
	timeout -k 5 "$NOOK_TIMEOUT" "$NOOK" "$@" >"$W/out" 2>"$W/err" </dev/null
	RC=$?
	OUT=$(<"$W/out")
	ERR=$(<"$W/err")
	read_lines "$W/out"
}

probe_in() {
	local c=$1
	shift
	run_nook "$c" -- /probe "$@"
}

# conf_probe ARGS... <<EOF ... EOF: write $W/c.ini from stdin, run the probe.
conf_probe() {
	write_conf "$W/c.ini"
	probe_in "$W/c.ini" "$@"
}

start_nook() {
	: >"$W/bg.out"
	: >"$W/bg.err"
	"$NOOK" "$@" >"$W/bg.out" 2>"$W/bg.err" </dev/null &
	NPID=$!
	_nook_bg+=("$NPID")
}

wait_nook() {
	if wait_for "$1" eval '[ "$(_pstate "$NPID")" = Z ] || ! kill -0 "$NPID" 2>/dev/null'; then
		wait "$NPID" 2>/dev/null
		RC=$?
	else
		kill -KILL "$NPID" 2>/dev/null
		wait "$NPID" 2>/dev/null
		RC=999
	fi
}

# capture LABEL CMD...: CMD with no stdin and at most 30 s; RC, OUT, ERR.
# A hang or a death by a signal is noted in CRASHES under LABEL.
CRASHES=
capture() {
	local label=$1
	shift
	timeout -k 5 30 "$@" >"$W/out" 2>"$W/err" </dev/null
	RC=$?
	OUT=$(<"$W/out")
	ERR=$(<"$W/err")
	case $RC in
	124|137|13[0-9]) CRASHES+=" [$(cut -c1-60 <<<"$label")]=$RC" ;;
	esac
}
show() { diag "rc=$RC" "stdout: $OUT" "stderr: $ERR"; }

# read_lines FILE: L = its lines, NL = their number; L is padded with empty
# strings so that a missing line compares as "" instead of tripping set -u.
read_lines() {
	mapfile -t L <"$1"
	NL=${#L[@]}
	while [ ${#L[@]} -lt $((NL + 64)) ]; do L+=(""); done
}

# Fork-free views of the last run's output (forks are slow on small VMs):
#   joined A [B]   J = lines A..B (1-based, default A) joined by blanks
#   mountpoint_of P   MP = the mount root ($4) of mount point P in L (of
#                  /probe mounts), MPLINE = its whole line; 1 if none
#   field NAME     V = the rest of the first line of L starting "NAME "
#   res NAME       prints the same (for "/sec VERB" answers: "VERB RESULT")
joined() {
	local i b=${2:-$1}
	J=
	for ((i = $1; i <= b; i++)); do
		J+="${J:+ }${L[i - 1]}"
	done
}
mountpoint_of() {
	local l f
	MP=
	for l in "${L[@]:0:NL}"; do
		read -r -a f <<<"$l"
		[ "${f[4]-}" = "$1" ] && { MP=${f[3]}; MPLINE=$l; return 0; }
	done
	return 1
}
field() {
	local l
	V=
	for l in "${L[@]:0:NL}"; do
		[ "${l%% *}" = "$1" ] && { V=${l#* }; return 0; }
	done
	return 1
}
res() { printf '%s\n' "$OUT" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'; }

# ---- setups -------------------------------------------------------------

# nook_setup: what the nook tests share (see the top).
nook_setup() {
	need_root
	need_cmd timeout mktemp
	need_nook
	need_probe
	need_busybox
	# the defaults create every namespace, time and user included
	need_userns
	test_tmp nook-test tmpfs
	ROOT=$W/root
	CONF=$W/test.ini
	make_rootfs "$ROOT"
	write_conf "$CONF" </dev/null
}

# sec_setup: nook_setup for the attacker tests: BASE is the config (the
# rootfs alone), $W/sec the attacker (the probe, answering as "sec").
sec_setup() {
	need_cmd sha256sum
	nook_setup
	BASE=$CONF
	install -m 755 "$PROBE" "$W/sec"
}

# need_init: what the nook-init tests share: W = T, INIT_COMM.
need_init() {
	need_root
	need_cmd unshare timeout "$PY"
	NOOK_INIT=${NOOK_HOST_INIT:-$NOOK_INIT}
	INIT_COMM=$(basename "$NOOK_INIT" | cut -c1-15)
	[ -x "$NOOK_INIT" ] || skip_all "$NOOK_INIT not built (run make)"
	"${PIDNS[@]}" true 2>/dev/null ||
		skip_all "cannot create a PID namespace here"
	test_tmp nook-init-test
	T=$W
}
INIT_COMM=$(basename "$NOOK_INIT" | cut -c1-15)

# ---- misc ---------------------------------------------------------------

wait_for() {	# wait_for SECONDS CMD...: poll CMD every 50 ms
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
}

# _pstate PID: its one-letter state, or "gone"
_pstate() {
	local s
	{ s=$(<"/proc/$1/stat"); } 2>/dev/null || { echo gone; return; }
	s=${s##*) }
	echo "${s%% *}"
}
# _ppid PID: its parent's pid ("" if gone)
_ppid() {
	local s
	{ s=$(<"/proc/$1/stat"); } 2>/dev/null || return
	s=${s##*) }
	s=${s#* }
	echo "${s%% *}"
}
# children PID: the direct children of PID.
children() {
	local c
	{ c=$(<"/proc/$1/task/$1/children"); } 2>/dev/null
	echo $c
}

# first_process NPID: nook's child in a PID namespace of its own - its
# container's first process (not the helper that makes the network
# namespace, a child of nook's for a moment, in nook's)
first_process() {
	local c p
	for c in $(children "$1"); do
		p=$(readlink "/proc/$c/ns/pid" 2>/dev/null) || continue
		[ "$p" != "$(readlink "/proc/$1/ns/pid" 2>/dev/null)" ] &&
			echo "$c" && return 0
	done
	return 1
}

# host_ns NAME: H = the inode of our /proc/self/ns/NAME
host_ns() {
	H=$(readlink "/proc/self/ns/$1")
	H=${H#*[}
	H=${H%]}
}

# float helpers
now() { echo "$EPOCHREALTIME"; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
fge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
flt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# SPDX-License-Identifier: MIT
# Shared helpers for nook's end-to-end tests (tests/nook-*.t).  Source it
# after nothing else:  . "$(dirname "$0")/lib-nook.sh"
#
#   nook_setup             skip unless root, busybox-static, nook and the
#                          probe are there; make $W (a 0755 mktemp dir), the
#                          rootfs $ROOT in it and the config $CONF (just
#                          the rootfs; $W is below /tmp, a tmpfs inside);
#                          set the cleanup trap
#   make_rootfs DIR        a busybox rootfs with /probe, root and app (1000)
#   write_conf FILE [ROOT] the config for ROOT ($ROOT) plus stdin appended
#   run_nook ARGS...       $NOOK ARGS; sets OUT, ERR, RC (bounded in time)
#   probe_in CONF ARGS...  run_nook CONF -- /probe ARGS
#   conf_probe ARGS...     probe_in with a fresh config from stdin
#   start_nook ARGS...     $NOOK ARGS in the background: NPID, $W/bg.out/err
#   wait_nook SECONDS      wait for it: RC (999 and killed on timeout)
#   wait_for SECONDS CMD   poll CMD until it succeeds
#   add_user NAME          a temporary system user, deleted at cleanup
#   host_ns NAME           H = the inode of the host's /proc/self/ns/NAME
#   joined, mountpoint_of, field: read the last run's lines (see below)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export LC_ALL=C
PROBE=$BUILD/tests/probe
BUSYBOX=${BUSYBOX:-/bin/busybox}
NOOK_TIMEOUT=${NOOK_TIMEOUT:-30}

W=
ROOT=
CONF=
_nook_bg=()
_nook_users=()
_nook_netns=()
_nook_cleanups=()

nook_setup() {
	need_root
	need_cmd timeout mktemp
	[ -x "$NOOK" ] && [ -x "$NOOK_INIT" ] || skip_all "$NOOK not built (run make)"
	if [ ! -x "$PROBE" ] || [ "$TOP/tests/probe.c" -nt "$PROBE" ]; then
		make -s -C "$TOP" "B=$BUILD" "$PROBE" >/dev/null 2>&1 ||
			skip_all "cannot build $PROBE (make build/tests/probe)"
	fi
	[ -x "$BUSYBOX" ] && file_is_static "$BUSYBOX" ||
		skip_all "no static busybox at $BUSYBOX (busybox-static)"
	# the defaults create every namespace, time and user included
	[ -e /proc/self/ns/time ] || skip_all "no time namespaces in this kernel"
	local v=1
	read -r v </proc/sys/user/max_user_namespaces 2>/dev/null
	[ "$v" -gt 0 ] 2>/dev/null || skip_all "user namespaces are disabled"
	W=$(mktemp -d /tmp/nook-test.XXXXXX) || skip_all "mktemp failed"
	chmod 755 "$W"
	# a tmpfs of its own: idmapped mounts (the default as root) need a file
	# system that supports them, which /tmp may not be (an overlay root)
	mount -t tmpfs -o mode=0755 nook-test "$W" 2>/dev/null ||
		diag "no tmpfs on $W: the tests use the file system of /tmp"
	trap nook_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	ROOT=$W/root
	CONF=$W/test.ini
	make_rootfs "$ROOT"
	write_conf "$CONF" </dev/null
}

# A static binary has no PT_INTERP; without file(1), look for ld-linux.
file_is_static() {	# no program interpreter (readelf: binutils, with gcc)
	readelf -lW "$1" >/dev/null 2>&1 &&
		! readelf -lW "$1" 2>/dev/null | grep -q 'program interpreter'
}

make_rootfs() {
	local d=$1 a
	mkdir -p "$d"/{bin,proc,sys,dev,tmp,etc,root,home/app,run,mnt}
	chmod 755 "$d"
	chmod 1777 "$d/tmp"
	cp "$BUSYBOX" "$d/bin/busybox"
	# links to /bin/busybox, as seen inside (one process: forks are slow)
	chroot "$d" /bin/busybox --install -s /bin 2>/dev/null
	[ -e "$d/bin/sh" ] || ln -s busybox "$d/bin/sh"
	cp "$PROBE" "$d/probe"
	chmod 755 "$d/probe"
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

# run_nook ARGS...: the nook binary, stdin from /dev/null, time-bounded.
run_nook() {
	timeout -k 5 "$NOOK_TIMEOUT" "$NOOK" "$@" >"$W/out" 2>"$W/err" </dev/null
	RC=$?
	OUT=$(<"$W/out")
	ERR=$(<"$W/err")
	read_lines "$W/out"
}

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

# show: diag the last run when something went wrong.
show() { diag "rc=$RC" "stdout: $OUT" "stderr: $ERR"; }

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

wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
}

_pstate() {
	local s
	{ s=$(<"/proc/$1/stat"); } 2>/dev/null || { echo gone; return; }
	s=${s##*) }
	echo "${s%% *}"
}

# children PID: the direct children of PID.
children() {
	local c
	{ c=$(<"/proc/$1/task/$1/children"); } 2>/dev/null
	echo $c
}

add_user() {
	useradd -M -r -s /usr/sbin/nologin -U -d /nonexistent "$1" >/dev/null 2>&1 ||
		return 1
	_nook_users+=("$1")
}

add_netns() {
	ip netns add "$1" 2>/dev/null || return 1
	_nook_netns+=("$1")
}

# at_cleanup CMD: run CMD (eval) at exit.
at_cleanup() { _nook_cleanups+=("$1"); }

# host_ns NAME: H = the inode of our /proc/self/ns/NAME
host_ns() {
	H=$(readlink "/proc/self/ns/$1")
	H=${H#*[}
	H=${H%]}
}

# Mount points at or under DIR in our mount namespace, deepest first.
mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' \
		/proc/self/mountinfo | sort -r
}

nook_cleanup() {
	local p c m i
	for p in "${_nook_bg[@]}"; do
		# nook, then what it started (they die with it; be sure)
		for c in $(children "$p"); do
			kill -KILL "$c" 2>/dev/null
		done
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for p in "${_nook_users[@]}"; do
		userdel "$p" >/dev/null 2>&1
		getent group "$p" >/dev/null && groupdel "$p" >/dev/null 2>&1
	done
	for p in "${_nook_netns[@]}"; do
		ip netns delete "$p" 2>/dev/null
	done
	for ((i = ${#_nook_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_nook_cleanups[i]}" >/dev/null 2>&1
	done
	[ -n "$W" ] && [ -d "$W" ] || return 0
	for m in $(mounts_under "$W"); do
		umount -l "$m" 2>/dev/null
	done
	if [ -n "$(mounts_under "$W")" ]; then
		echo "# cleanup: mounts left under $W; not removing it" >&2
		return 0
	fi
	rm -rf --one-file-system "$W"
}

# SPDX-License-Identifier: MIT
# Helpers of the security tests (tests/nook-escape.t, tests/nook-hardening.t).
# Self-contained on top of tests/lib.sh.  Source it:
#   . "$(dirname "$0")/helpers/sec/lib-sec.sh"
#
#   sec_setup            skip unless root, nook, musl-gcc and a static
#                        busybox are there; make $W (mktemp, 0755, below
#                        /tmp), build the attacker $W/sec (static, from
#                        sec.c), the rootfs $ROOT and $BASE (its config);
#                        set the cleanup trap
#   make_rootfs DIR      busybox, /sec, root and user 1000 (app)
#   run_nook ARGS...     $NOOK ARGS: OUT, ERR, RC (stdin /dev/null, bounded)
#   res NAME             the rest of the first line "NAME ..." of $OUT
#   show                 diag the last run
#   at_cleanup CMD       eval CMD at exit
#   $PYTHON              python3 (for pty-run.py)
. "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
export LC_ALL=C
SEC_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUSYBOX=${BUSYBOX:-/bin/busybox}
NOOK_TIMEOUT=${NOOK_TIMEOUT:-30}
# The system's python3 first: a pyenv shim costs seconds a call.
PYTHON=$(command -v /usr/bin/python3 python3 2>/dev/null | head -n 1)
W=
ROOT=
BASE=
_sec_cleanups=()

sec_setup() {
	need_root
	need_cmd musl-gcc timeout mktemp sha256sum
	[ -x "$NOOK" ] && [ -x "$NOOK_INIT" ] || skip_all "$NOOK not built (run make)"
	[ -x "$BUSYBOX" ] && { ! command -v file >/dev/null ||
		file -L "$BUSYBOX" | grep -q 'statically linked'; } ||
		skip_all "no static busybox at $BUSYBOX (busybox-static)"
	W=$(mktemp -d /tmp/nook-sec.XXXXXX) || skip_all "mktemp failed"
	chmod 755 "$W"
	# a tmpfs of its own: idmapped mounts (the default as root) need a file
	# system that supports them, which /tmp may not be (an overlay root)
	mount -t tmpfs -o mode=0755 nook-sec "$W" 2>/dev/null ||
		diag "no tmpfs on $W: the tests use the file system of /tmp"
	trap sec_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	musl-gcc -static -O2 -Wall -o "$W/sec" "$SEC_SRC/sec.c" 2>"$W/cc.err" ||
		skip_all "cannot build tests/helpers/sec/sec.c: $(head -c 300 "$W/cc.err")"
	ROOT=$W/root
	make_rootfs "$ROOT"
	BASE=$W/base.ini
	printf '[rootfs]\npath = %s\n' "$ROOT" >"$BASE"
}

make_rootfs() {
	local d=$1 a
	mkdir -p "$d"/{bin,proc,sys,dev,tmp,etc,root,home/app}
	chmod 755 "$d"
	chmod 1777 "$d/tmp"
	cp "$BUSYBOX" "$d/bin/busybox"
	for a in sh cat ls readlink id echo sleep; do
		ln -s busybox "$d/bin/$a"
	done
	install -m 755 "$W/sec" "$d/sec"
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
		'app:x:1000:1000:app:/home/app:/bin/sh' >"$d/etc/passwd"
	printf '%s\n' 'root:x:0:' 'app:x:1000:' >"$d/etc/group"
	chown 1000:1000 "$d/home/app"
}

run_nook() {
	timeout -k 5 "$NOOK_TIMEOUT" "$NOOK" "$@" >"$W/out" 2>"$W/err" </dev/null
	RC=$?
	OUT=$(cat "$W/out")
	ERR=$(cat "$W/err")
}

res() { printf '%s\n' "$OUT" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'; }

show() { diag "rc=$RC" "stdout: $OUT" "stderr: $ERR"; }

at_cleanup() { _sec_cleanups+=("$1"); }

sec_cleanup() {
	local i m
	for ((i = ${#_sec_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_sec_cleanups[i]}" >/dev/null 2>&1
	done
	[ -n "$W" ] && [ -d "$W" ] || return 0
	for m in $(awk -v d="$W" '$5 == d || index($5, d "/") == 1 { print $5 }' \
		/proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	if awk -v d="$W" '$5 == d || index($5, d "/") == 1 { f = 1 } END { exit !f }' \
		/proc/self/mountinfo; then
		echo "# cleanup: mounts left under $W; not removing it" >&2
		return 0
	fi
	rm -rf --one-file-system "$W"
}

#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: known container escapes, each one performed from inside (by
# tests/probe.c, as /sec, as container root unless said otherwise); a test
# fails when the attack works.
#   CVE-2019-5736   overwrite the runtime through /proc/1/exe
#   CVE-2024-21626  a leaked descriptor as the working directory
#   CVE-2015-1335   a mount destination that is a symlink out of the rootfs
#   CVE-2017-5226   TIOCSTI pushing commands into the caller's terminal
#                   (and CVE-2019-10063: the same with the request's upper
#                   32 bits set, past a filter that compares 64 bits)
#   and the classics: core_pattern, uevent_helper, sysrq, mknod of the host
#   disk, open_by_handle_at ("shocker"), a nested user+mount namespace for
#   a cgroup release_agent (CVE-2022-0492), the host's ptys.
#   Issue 8: mknod with user = host, a dumpable joining process
#   (CVE-2016-9962), numeric users matched by name, the identity map as
#   root, masks raced or skipped, setup hangs.
# The plan comes at the end (the count depends on what this host can do).
. "$(dirname "$0")/lib.sh"
sec_setup
PTYRUN=$TOP/tests/helpers/sec/pty-run.py

# ---------------------------------------------------------------------------
# CVE-2019-5736: PID 1 is nook-init, exec'd from a sealed memfd.  Every way
# of writing to it must fail, and the host's build/nook-init stay the same.
sum_before=$(sha256sum <"$NOOK_INIT")

exe_attacks() {	# exe_attacks LABEL NOOK-OPTIONS...
	local label=$1 r a
	shift
	run_nook "$@" "$BASE" -- /sec openw /proc/1/exe + openrw /proc/1/exe + \
		opentrunc /proc/1/exe + trunc /proc/1/exe + ftrunc /proc/1/exe + \
		reopenw /proc/1/exe + mmapw /proc/1/exe
	for a in openw openrw opentrunc trunc ftrunc reopenw mmapw; do
		r=$(res "$a")
		if [ -n "$r" ] && [ "${r%% *}" != ok ]; then
			pass "$label: $a /proc/1/exe fails ($r)"
		else
			fail "$label: $a /proc/1/exe fails"
			show
		fi
	done
}
exe_attacks "CVE-2019-5736"
# the strongest container nook can make: every capability, writable root
exe_attacks "CVE-2019-5736 with keep = all" -s capabilities.keep=all \
	-s rootfs.readonly=no -s security.seccomp=none

run_nook "$BASE" -- /bin/readlink /proc/1/exe
like "$OUT" '^/?memfd:nook-init' "PID 1 runs from a memfd, not from the host's file"
run_nook "$BASE" -- /sec seals /proc/1/exe
seals=$(res seals)
seals=${seals#ok }
# F_SEAL_SEAL 1, F_SEAL_WRITE 8
case $seals in
0x[0-9a-f]*) [ $((seals & 9)) -eq 9 ] ;;
*) false ;;
esac
ok $? "the memfd of PID 1 carries F_SEAL_WRITE and F_SEAL_SEAL ($seals)"
# a file system that cannot splice from its files (sendfile says EINVAL;
# here a seccomp filter on nook does): nook-init is copied by read, whole
timeout -k 5 "$NOOK_TIMEOUT" "$PROBE" nosendfile "$NOOK" "$BASE" -- \
	/bin/sha256sum /proc/1/exe >"$W/out" 2>"$W/err" </dev/null
RC=$?
OUT=$(<"$W/out") ERR=$(<"$W/err")
is "$RC:${OUT%% *}" "0:${sum_before%% *}" \
	"CVE-2019-5736: without sendfile, the memfd of PID 1 is nook-init all the same" || show
# the command's own executable, from the read-only rootfs
run_nook "$BASE" -- /sec openw /proc/self/exe + trunc /proc/self/exe
r1=$(res openw) r2=$(res trunc)
if [ -n "$r1" ] && [ "${r1%% *}" != ok ] && [ -n "$r2" ] && [ "${r2%% *}" != ok ]; then
	pass "/proc/self/exe of the command cannot be written ($r1, $r2)"
else
	fail "/proc/self/exe of the command cannot be written"
	show
fi
is "$(sha256sum <"$NOOK_INIT")" "$sum_before" \
	"CVE-2019-5736: the host's nook-init is unchanged byte for byte"

# ---------------------------------------------------------------------------
# CVE-2024-21626: descriptors of the caller must not reach the container.
exec 7</ 8<"$W"
run_nook "$BASE" -- /sec fds + chdir /proc/self/fd/7 + fchdir 7 + fchdir 8
is "$(res fds)" "ok 0 1 2" "CVE-2024-21626: inherited fds 7 and 8 are closed inside"
like "$(res chdir)" '^E' "CVE-2024-21626: cd /proc/self/fd/7 fails inside"
r=$(printf '%s\n' "$OUT" | awk '$1 == "fchdir"' | tr '\n' ' ')
like "$r" '^fchdir EBADF fchdir EBADF $' "CVE-2024-21626: fchdir to the leaked fds fails"
run_nook "$BASE" -- /sec count /proc/1/fd
is "$(res count)" "ok 3" "nook-init (PID 1) holds only 0-2"
run_nook -s process.pass_fd=7 "$BASE" -- /sec fds
is "$(res fds)" "ok 0 1 2 7" "pass_fd = 7: exactly fd 7 is passed"

# The working directory named through a descriptor: refused, or inside.
cwd_inside() {	# after run_nook ... /sec getcwd
	local c
	c=$(res getcwd)
	if [ "$RC" = 125 ] && [ -z "$OUT" ]; then
		return 0
	fi
	case $c in
	"ok /"*) return 0 ;;
	esac
	return 1
}
run_nook -s process.cwd=/proc/self/fd/7 "$BASE" -- /sec getcwd
cwd_inside
ok $? "CVE-2024-21626: cwd = /proc/self/fd/7 (the host's /) is refused" || show
run_nook -s init.mode=direct -s process.cwd=/proc/self/fd/7 "$BASE" -- /sec getcwd
cwd_inside
ok $? "CVE-2024-21626: the same with [init] mode = direct" || show
# nook's own descriptors, open in the child until its exec: none may serve
# as a way out (the O_PATH of the rootfs on the old root must be closed, or
# the check must see that it is not under the new root)
bad=
for fd in $(seq 3 32); do
	[ "$fd" = 7 ] || [ "$fd" = 8 ] && continue
	run_nook -s process.cwd=/proc/self/fd/$fd "$BASE" -- /sec getcwd
	cwd_inside || bad="$bad $fd($(res getcwd))"
done
if [ -z "$bad" ]; then
	pass "CVE-2024-21626: cwd = /proc/self/fd/N never starts outside the root (N = 3..32)"
else
	fail "CVE-2024-21626: cwd = /proc/self/fd/N never starts outside the root (N = 3..32)"
	diag "started outside the root with:$bad"
	# show what that means: the host's files, writable
	fd=${bad# }
	fd=${fd%%(*}
	run_nook -s process.cwd=/proc/self/fd/$fd "$BASE" -- /bin/sh -c \
		'ls -d ../../../etc ../../../root; echo escaped >../escape-proof && echo wrote ../escape-proof'
	diag "cwd = /proc/self/fd/$fd, then ls/echo relative to it:" "$OUT" "host: $(cat "$W/escape-proof" 2>/dev/null)"
	rm -f "$W/escape-proof"
fi
exec 7<&- 8<&-

# ---------------------------------------------------------------------------
# CVE-2015-1335: a rootfs whose /etc is a symlink to a host directory.
H=$(mktemp -d /var/tmp/nook-sec-host.XXXXXX) || skip_all "mktemp /var/tmp failed"
at_cleanup "umount -l '$H'/* '$H' 2>/dev/null; rm -rf --one-file-system '$H'"
H2=$(mktemp -d /var/tmp/nook-sec-host.XXXXXX) || skip_all "mktemp /var/tmp failed"
at_cleanup "umount -l '$H2'/* '$H2' 2>/dev/null; rm -rf --one-file-system '$H2'"
echo host-target >"$H2/target"
echo payload >"$W/payload"
R2=$W/r2
make_rootfs "$R2"
rm -rf "$R2/etc"
ln -s "$H" "$R2/etc"
printf '[rootfs]\npath = %s\n' "$R2" >"$W/r2.ini"
host_mounts() { grep -c "nook-sec-host" /proc/self/mountinfo; }

symlink_case() {	# symlink_case LABEL NOOK-OPTIONS...
	local label=$1
	shift
	run_nook "$@" "$W/r2.ini" -- /sec getpid
	if [ -z "$(ls -A "$H")" ] && [ "$(host_mounts)" = 0 ]; then
		pass "CVE-2015-1335: $label stays off the host (rc $RC)"
	else
		fail "CVE-2015-1335: $label stays off the host"
		show
		diag "host dir $H: $(ls -A "$H" | tr '\n' ' ')" \
			"$(grep nook-sec-host /proc/self/mountinfo)"
	fi
}
symlink_case "bind SRC:/etc/x:create=file" -s "mounts.bind=$W/payload:/etc/x:create=file"
symlink_case "tmpfs /etc/sub" -s mounts.tmpfs=/etc/sub
symlink_case "bind, writable root" -s rootfs.readonly=no \
	-s "mounts.bind=$W/payload:/etc/x:create=file"
symlink_case "tmpfs, writable root" -s rootfs.readonly=no -s mounts.tmpfs=/etc/sub
symlink_case "mkdir, writable root" -s rootfs.readonly=no -s mounts.mkdir=/etc/sub/dir
symlink_case "file, writable root" -s rootfs.readonly=no -s "mounts.file=/etc/f:=text"
symlink_case "symlink, writable root" -s rootfs.readonly=no -s mounts.symlink=/x:/etc/lnk
symlink_case "bind with overlay = tmpfs" -s rootfs.overlay=tmpfs \
	-s "mounts.bind=$W/payload:/etc/x:create=file"
# /etc/x itself a symlink to an existing host file
rm "$R2/etc"
mkdir "$R2/etc"
ln -s "$H2/target" "$R2/etc/x"
run_nook -s "mounts.bind=$W/payload:/etc/x" "$W/r2.ini" -- /sec getpid
run_nook -s rootfs.readonly=no -s "mounts.bind=$W/payload:/etc/x:create=file" \
	"$W/r2.ini" -- /sec getpid
if [ "$(cat "$H2/target")" = host-target ] && [ "$(host_mounts)" = 0 ]; then
	pass "CVE-2015-1335: a bind onto a symlinked last component stays off the host"
else
	fail "CVE-2015-1335: a bind onto a symlinked last component stays off the host"
	show
fi
# /proc itself a symlink out of the rootfs
rm -rf "$R2/etc" "$R2/proc"
ln -s "$H" "$R2/etc"
ln -s "$H" "$R2/proc"
symlink_case "/proc a symlink to a host directory (proc = yes)"
rm "$R2/proc"
mkdir "$R2/proc"
# The target also exists inside the rootfs: the mount must land there.
mkdir -p "$R2$H"
run_nook -s rootfs.readonly=no -s "mounts.bind=$W/payload:/etc/x:create=file" \
	"$W/r2.ini" -- /bin/cat /etc/x
if [ "$RC" = 0 ] && [ "$OUT" = payload ] && [ -e "$R2$H/x" ] &&
	[ -z "$(ls -A "$H")" ] && [ "$(host_mounts)" = 0 ]; then
	pass "CVE-2015-1335: an absolute symlink is resolved inside the rootfs"
else
	fail "CVE-2015-1335: an absolute symlink is resolved inside the rootfs"
	show
fi
rm -rf "$R2${H%/*}" "$R2/etc"
ln -s "../../../../../../../../..$H" "$R2/etc"
symlink_case "a relative symlink climbing out (../../..)" -s rootfs.readonly=no \
	-s "mounts.bind=$W/payload:/etc/x:create=file"
rm "$R2/etc"

# ---------------------------------------------------------------------------
# CVE-2017-5226: TIOCSTI.  Always on a pty made here, never a real terminal.
tiocsti=$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)
pty() {	# pty [--ctty] NOOK-ARGS...: sets PTY
	local o=()
	[ "$1" = --ctty ] && o=(--ctty) && shift
	PTY=$(timeout -k 5 40 "$PY" "$PTYRUN" "${o[@]}" -- "$NOOK" -T "$@" 2>&1)
}
injected() { printf '%s\n' "$PTY" | grep -q "^queued b'.*Z"; }
sti_blocked() {	# LABEL: sti EPERM and nothing queued
	if printf '%s\n' "$PTY" | grep -q '^output .*sti EPERM' && ! injected; then
		pass "$1"
	else
		fail "$1"
		diag "$PTY"
	fi
}
pty "$BASE" -- /sec sti 0
sti_blocked "CVE-2017-5226: TIOCSTI fails with EPERM, nothing injected (defaults)"
pty --ctty -s process.new_session=no "$BASE" -- /sec sti 0
sti_blocked "CVE-2017-5226: the same on the controlling tty (new_session = no)"
pty --ctty -s process.new_session=no "$BASE" -- /sec tioclinux 0
if printf '%s\n' "$PTY" | grep -q '^output .*tioclinux EPERM'; then
	pass "TIOCLINUX fails with EPERM"
else
	fail "TIOCLINUX fails with EPERM"
	diag "$PTY"
fi
# CVE-2019-10063: ioctl's request is an unsigned int; a filter that
# compares all 64 bits of the argument misses TIOCSTI | 1 << 32.
pty --ctty -s process.new_session=no "$BASE" -- /sec sti 0 Z high
sti_blocked "CVE-2019-10063: TIOCSTI with the upper 32 bits set fails too (new_session = no)"
# claim the pty as the controlling tty of a new session, when no session has it
pty "$BASE" -- /sec cttysti 0 Z
if ! injected; then
	pass "a pty without a session: setsid + TIOCSCTTY + TIOCSTI injects nothing"
else
	fail "a pty without a session: setsid + TIOCSCTTY + TIOCSTI injects nothing"
	diag "$PTY"
fi
pty "$BASE" -- /sec cttysti 0 Z high
if ! injected; then
	pass "a pty without a session: the same with the upper 32 bits set injects nothing"
else
	fail "a pty without a session: the same with the upper 32 bits set injects nothing"
	diag "$PTY"
fi
# Without the filter the ioctl is not stopped by seccomp (this shows the
# pty check above can see an injection).
pty --ctty -s process.new_session=no -s security.block_tiocsti=no \
	-s security.seccomp=none "$BASE" -- /sec sti 0 + status Seccomp
like "$PTY" 'Seccomp:\\t0' "block_tiocsti = no, seccomp = none: no filter at all"
if [ "$tiocsti" = 0 ]; then
	skip 1 "dev.tty.legacy_tiocsti = 0: the kernel refuses TIOCSTI itself"
elif printf '%s\n' "$PTY" | grep -q '^output .*sti ok' && injected; then
	pass "block_tiocsti = no, seccomp = none: TIOCSTI on the controlling tty injects (control)"
else
	fail "block_tiocsti = no, seccomp = none: TIOCSTI on the controlling tty injects (control)"
	diag "$PTY"
fi
# new_session = yes (the default): the pty is not the container's
# controlling tty, so the kernel itself says EPERM - a second defence.
pty --ctty -s security.block_tiocsti=no -s security.seccomp=none "$BASE" -- /sec sti 0
sti_blocked "without the filter, new_session = yes still stops TIOCSTI on the caller's tty (kernel: not the controlling tty)"

# ---------------------------------------------------------------------------
# The classics.
run_nook "$BASE" -- /sec write /proc/sys/kernel/core_pattern '|/tmp/x' + \
	write /sys/kernel/uevent_helper /tmp/x + write /proc/sysrq-trigger c + \
	write /proc/sys/kernel/modprobe /tmp/x
r=$(printf '%s\n' "$OUT" | awk '$1 == "write" { print $2 }' | tr '\n' ' ')
like "$r" '^E[A-Z]+ E[A-Z]+ E[A-Z]+ E[A-Z]+ $' \
	"core_pattern, uevent_helper, sysrq-trigger and modprobe cannot be written ($r)"
dev=$(mountpoint -d / 2>/dev/null || echo 8:0)
run_nook -s rootfs.readonly=no "$BASE" -- /sec mknod /tmp/disk "${dev%:*}" "${dev#*:}" + \
	mknod /dev/disk "${dev%:*}" "${dev#*:}"
r=$(printf '%s\n' "$OUT" | awk '$1 == "mknod" { print $2 }' | tr '\n' ' ')
like "$r" '^E[A-Z]+ E[A-Z]+ $' "mknod of the host's root disk ($dev) fails ($r)"
run_nook "$BASE" -- /sec open_by_handle
like "$(res open_by_handle)" '^E' "open_by_handle_at (shocker) fails"
run_nook "$BASE" -- /sec unshare 10020000
is "$(res unshare)" EPERM "CVE-2022-0492: unshare(CLONE_NEWUSER | CLONE_NEWNS) for a cgroup mount fails"
run_nook "$BASE" -- /sec mount /tmp
is "$(res mount)" EPERM "mount (of a cgroup or anything) fails"
run_nook "$BASE" -- /sec count /dev/pts
is "$(res count)" "ok 1" "/dev/pts is a new instance: no host ptys, only ptmx"

# ===========================================================================
# Issue 8: the escapes found in the review, each performed from inside.
# A test fails when the attack works.  Nothing here writes to a device, to
# /proc/sys or to /sys: those are opened for writing and closed.
I8=$W/i8
mkdir -p "$I8" "$ROOT/mnt"
capline() { printf '%s\n' "$OUT" | awk -v k="$1:" '$1 == "status" && $2 == k { print $3; exit }'; }
cap_has() { [ -n "$1" ] && [ $(((16#$1 >> $2) & 1)) = 1 ]; }	# HEX BIT
words() { printf '%s\n' "$OUT" | awk -v k="$1" '$1 == k { print $2 }' | tr '\n' ' '; }
refused() {	# refused REGEX: nook's own failure (125) naming REGEX, nothing run
	[ "$RC" = 125 ] && [ -z "$OUT" ] && printf '%s' "$ERR" | grep -Eq -- "$1"
}
ms() { date +%s%3N; }
alive() { [ -e "/proc/$1" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
# A loop device of our own: 1 MiB of a file with a known first line.
LOOPDEV=
head -c 1048576 /dev/zero >"$I8/loop.img"
printf 'NOOK-LOOP-MARKER-8\n' | dd of="$I8/loop.img" conv=notrunc status=none
if command -v losetup >/dev/null &&
	LOOPDEV=$(losetup -f --show "$I8/loop.img" 2>/dev/null) && [ -b "$LOOPDEV" ]; then
	at_cleanup "losetup -d '$LOOPDEV'"
	LMAJ=$((16#$(stat -c %t "$LOOPDEV"))) LMIN=$((16#$(stat -c %T "$LOOPDEV")))
else
	LOOPDEV=
fi

# ---------------------------------------------------------------------------
# 8.1: mknod of a host block device with [namespaces] user = host.  No
# CAP_MKNOD (27) by default when user != new; every tmpfs and overlay nook
# mounts is nodev, so a node made with CAP_MKNOD kept is useless.
run_nook -s namespaces.user=host "$BASE" -- /sec status CapBnd + status CapEff + \
	mknod /dev/i8blk 7 0 + mknod /tmp/i8blk 7 0
r=$(words mknod)
if [ "$RC" != 125 ] && ! cap_has "$(capline CapBnd)" 27 &&
	! cap_has "$(capline CapEff)" 27 && [ "$r" = "EPERM EPERM " ]; then
	pass "8.1 user = host, default keep: no CAP_MKNOD, mknod fails ($r)"
else
	fail "8.1 user = host, default keep: no CAP_MKNOD, mknod fails"
	show
fi
mknod_case() {	# mknod_case LABEL NODE NOOK-OPTIONS...
	local label=$1 node=$2 rd wr
	shift 2
	run_nook -s namespaces.user=host -s capabilities.keep=default \
		-s capabilities.keep=CAP_MKNOD "$@" "$BASE" -- /sec \
		mknod "$node" "$LMAJ" "$LMIN" + readstr "$node" 18 + openw "$node" + \
		readstr /dev/zero 4 + openw /dev/null
	rd=$(res readstr)
	wr=$(words openw)
	# the node may be made, but neither read nor write open; /dev/null
	# and /dev/zero (bound from the host) still work
	if [ "$RC" != 125 ] && [ "${rd%% *}" != ok ] && [ -n "$rd" ] &&
		[ "${wr%% *}" != ok ] && [ "${wr#* }" = "ok " ] &&
		printf '%s\n' "$OUT" | grep -q '^readstr ok \.\.\.\.$' &&
		! printf '%s\n' "$OUT" | grep -q NOOK-LOOP; then
		pass "8.1 user = host, keep CAP_MKNOD: $label: $LOOPDEV's node cannot be opened (read $rd, write ${wr%% *})"
	else
		fail "8.1 user = host, keep CAP_MKNOD: $label: $LOOPDEV's node cannot be opened"
		show
	fi
}
# (/tmp was nodev before the fix already; /dev and the overlay were not)
if [ -n "$LOOPDEV" ]; then
	mknod_case "in /dev" /dev/i8blk
	mknod_case "in /tmp" /tmp/i8blk
	mknod_case "in / with overlay = tmpfs" /i8blk -s rootfs.overlay=tmpfs
else
	skip 3 "cannot set up a loop device here"
fi
run_nook --check -s namespaces.user=host "$BASE" -- /sec getpid
c1=$RC e1=$ERR
run_nook --check "$BASE" -- /sec getpid
if [ "$c1" = 0 ] && printf '%s' "$e1" | grep -q 'user = host' &&
	[ "$RC" = 0 ] && ! printf '%s' "$ERR" | grep -q 'user = host'; then
	pass "8.1 nook --check warns about user = host (exit 0), not about user = new"
else
	fail "8.1 nook --check warns about user = host (exit 0), not about user = new"
	diag "user = host: rc=$c1 stderr: $e1" "default: rc=$RC stderr: $ERR"
fi

# ---------------------------------------------------------------------------
# 8.2 (CVE-2016-9962): a nook that joins the user and pid namespaces of a
# running container A must not be dumpable while its root is the host's:
# an attacker in A with CAP_SYS_PTRACE races for /proc/PID/root of every
# new pid and reads a file that exists only on the host.  Once with A's
# default id map, once with an explicit identity map (the old default,
# which both builds accept), so the joining nook is A's root either way.
echo host-only-i8 >"$I8/marker"
race_join() {	# race_join LABEL NOOK-OPTIONS-OF-A...
	local label=$1 apid a1 rcs= a seen i
	shift
	: >"$I8/a.out"
	"$NOOK" -s capabilities.keep=default -s capabilities.keep=CAP_SYS_PTRACE \
		"$@" "$BASE" -- /sec watchroot "$I8/marker" 25 \
		>"$I8/a.out" 2>"$I8/a.err" </dev/null &
	apid=$!
	at_cleanup "kill -KILL $apid; wait $apid"
	for i in $(seq 100); do
		grep -q '^watchroot ready' "$I8/a.out" && break
		sleep 0.05
	done
	a1=$(pgrep -P "$apid" | head -n 1)
	if [ -z "$a1" ] || ! grep -q '^watchroot ready' "$I8/a.out"; then
		fail "8.2 CVE-2016-9962 ($label): the attacker in A starts"
		diag "$(cat "$I8/a.out" "$I8/a.err")"
		kill -TERM "$apid" 2>/dev/null
		wait "$apid" 2>/dev/null
		return
	fi
	printf '[namespaces]\nuser = /proc/%s/ns/user\npid = /proc/%s/ns/pid\n' \
		"$a1" "$a1" >"$I8/join.ini"
	for i in $(seq 10); do
		run_nook -s "rootfs.path=$ROOT" "$I8/join.ini" -- /sec getpid
		rcs="$rcs $RC"
		grep -q '^watchroot ok' "$I8/a.out" && break
	done
	[ "$RC" = 0 ] || show
	kill -TERM "$apid" 2>/dev/null
	wait "$apid" 2>/dev/null
	a=$(grep '^watchroot' "$I8/a.out" | tail -n 1)
	seen=$(printf '%s\n' "$a" | sed -n 's/.* pids=\([0-9]*\).*/\1/p')
	# the attacker saw the new pids come and go, never the host's file
	if ! grep -q '^watchroot ok' "$I8/a.out" && [ "${rcs// 0/}" = "" ] &&
		[ "${seen:-0}" -ge 2 ]; then
		pass "8.2 CVE-2016-9962 ($label): 10 nooks join A's user+pid ns (rc$rcs), A's ptracer never opens their /proc/PID/root ($a)"
	else
		fail "8.2 CVE-2016-9962 ($label): 10 nooks join A's user+pid ns, A's ptracer never opens their /proc/PID/root"
		diag "rc of the joining nooks:$rcs" "attacker: $a"
	fi
}
race_join "A with the default map"
race_join "A with uid/gid_map = 0 0 4294967295" -s "user.uid_map=0 0 4294967295" \
	-s "user.gid_map=0 0 4294967295"

# ---------------------------------------------------------------------------
# 8.3: a value made only of digits is an id, never a name.  The image has a
# user and a group named "1000" with id 0.
R3=$I8/r3
make_rootfs "$R3"
printf '%s\n' '1000:x:0:0::/:/bin/sh' 'root:x:0:0:root:/root:/bin/sh' >"$R3/etc/passwd"
printf '%s\n' '1000:x:0:' 'root:x:0:' >"$R3/etc/group"
printf '[rootfs]\npath = %s\n' "$R3" >"$I8/r3.ini"
run_nook -s process.user=1000 "$I8/r3.ini" -- /sec ids + status CapEff + status CapPrm
is "$(res ids)" "ok 1000 1000 1000" "8.3 user = 1000 is uid 1000, not the user named \"1000\" (uid 0)"
is "$(capline CapEff)/$(capline CapPrm)" 0000000000000000/0000000000000000 \
	"8.3 user = 1000: no capabilities"
run_nook -s process.user=1000 -s process.group=1000 -s process.groups=1000 \
	"$I8/r3.ini" -- /sec status Gid + status Groups
like "$(printf '%s\n' "$OUT" | grep '^status Gid:')" '^status Gid:\s+1000\s+1000\s+1000\s+1000$' \
	"8.3 group = 1000 is gid 1000, not the group named \"1000\" (gid 0)"
like "$(printf '%s\n' "$OUT" | grep '^status Groups:')" '^status Groups:\s*1000\s*$' \
	"8.3 groups = 1000 is supplementary gid 1000"

# ---------------------------------------------------------------------------
# 8.4: as root, uid_map/gid_map = auto maps 0-65535 onto a private range,
# never the identity; the rootfs and binds are idmapped mounts.
umap() { printf '%s\n' "$OUT" | awk '$1 == "0" && NF == 3 { print $1, $2, $3; exit }'; }
private() {	# private "0 OUT COUNT"
	set -- $1 x x x
	[ "$1" = 0 ] && [ "$2" -ge 65536 ] 2>/dev/null && [ "$3" = 65536 ]
}
mkdir "$I8/own"
chown 1000:1000 "$I8/own"
run_nook -s "mounts.bind=$I8/own:/mnt" "$BASE" -- /bin/sh -c \
	'cat /proc/self/uid_map; busybox stat -c "bb %u:%g" /bin/busybox; busybox stat -c "mnt %u:%g" /mnt'
m=$(umap)
if [ "$RC" = 0 ] && private "$m" && [ "$(res bb)" = 0:0 ]; then
	pass "8.4 default map: uid 0 is host uid ${m#0 } (not the identity), the rootfs's root files show as 0:0"
else
	fail "8.4 default map: uid 0 is a private range, the rootfs's root files show as 0:0"
	show
fi
if [ "$RC" = 0 ] && private "$m" && [ "$(res mnt)" = 1000:1000 ]; then
	pass "8.4 default map: a bound host directory of 1000:1000 shows as 1000:1000 (idmapped)"
else
	fail "8.4 default map: a bound host directory of 1000:1000 shows as 1000:1000 (idmapped)"
	show
fi
run_nook -s "mounts.bind=$I8/own:/mnt:idmap=no" "$BASE" -- /bin/sh -c \
	'busybox stat -c "mnt %u:%g" /mnt'
is "$(res mnt)" 65534:65534 "8.4 bind with idmap=no: the 1000:1000 directory shows as the overflow id"
run_nook -s user.uid_map=identity -s user.gid_map=identity "$BASE" -- /bin/sh -c \
	'cat /proc/self/uid_map /proc/self/gid_map'
is "$(printf '%s\n' "$OUT" | awk '{ print $1, $2, $3 }' | tr '\n' ' ')" \
	"0 0 4294967295 0 0 4294967295 " "8.4 uid_map = gid_map = identity: the old identity map"
if [ -n "$LOOPDEV" ]; then
	run_nook -s filesystem.dev=host "$BASE" -- /sec openw "$LOOPDEV" + openrw "$LOOPDEV"
	r=$(res openw)/$(res openrw)
	if [ "$RC" != 125 ] && [ -n "$(res openw)" ] && [ "${r#ok}" = "$r" ] && [ "${r#*/ok}" = "$r" ]; then
		pass "8.4 dev = host: container root cannot open the host's $LOOPDEV for writing ($r)"
	else
		fail "8.4 dev = host: container root cannot open the host's $LOOPDEV for writing"
		show
	fi
else
	skip 1 "cannot set up a loop device here"
fi
# open for writing and close, never write
run_nook -s filesystem.readonly_path= "$BASE" -- /sec openw /proc/sys/kernel/core_pattern
r=$(res openw)
if [ "$RC" != 125 ] && [ -n "$r" ] && [ "${r%% *}" != ok ]; then
	pass "8.4 readonly_path emptied: /proc/sys/kernel/core_pattern cannot be opened for writing ($r)"
else
	fail "8.4 readonly_path emptied: /proc/sys/kernel/core_pattern cannot be opened for writing"
	show
fi
if [ -e /sys/power/state ]; then
	run_nook -s filesystem.sys=rw "$BASE" -- /sec openw /sys/power/state
	r=$(res openw)
	if [ "$RC" != 125 ] && [ -n "$r" ] && [ "${r%% *}" != ok ]; then
		pass "8.4 sys = rw: /sys/power/state cannot be opened for writing ($r)"
	else
		fail "8.4 sys = rw: /sys/power/state cannot be opened for writing"
		show
	fi
else
	skip 1 "no /sys/power/state"
fi
# two containers at once: disjoint ranges
"$NOOK" "$BASE" -- /bin/sh -c 'cat /proc/self/uid_map; exec sleep 5' \
	>"$I8/two.out" 2>"$I8/two.err" </dev/null &
TPID=$!
at_cleanup "kill -KILL $TPID; wait $TPID"
for i in $(seq 100); do
	[ -s "$I8/two.out" ] && break
	sleep 0.05
done
# (a name of its own: a second container of one name is refused)
run_nook -s container.name=second "$BASE" -- /bin/cat /proc/self/uid_map
m2=$(umap)
OUT=$(cat "$I8/two.out")
m1=$(umap)
kill -TERM "$TPID" 2>/dev/null
wait "$TPID" 2>/dev/null
set -- $m1 x x x
o1=$2
set -- $m2 x x x
o2=$2
if private "$m1" && private "$m2" && { [ $((o1 - o2)) -ge 65536 ] || [ $((o2 - o1)) -ge 65536 ]; }; then
	pass "8.4 two containers running at once get disjoint ranges ($o1, $o2)"
else
	fail "8.4 two containers running at once get disjoint ranges"
	diag "first: '$m1' ($(cat "$I8/two.err")) second: '$m2' ($ERR)"
fi

# ---------------------------------------------------------------------------
# 8.5: masks that cannot be applied, and /proc, /sys, /dev not what they seem.
R5=$I8/r5
for d in proc sys dev; do
	rm -rf "$R5"
	make_rootfs "$R5"
	rm -rf "${R5:?}/$d"
	mkdir "$R5/elsewhere"
	ln -s /elsewhere "$R5/$d"
	printf '[rootfs]\npath = %s\n' "$R5" >"$I8/r5.ini"
	run_nook "$I8/r5.ini" -- /sec getpid
	if refused "/$d"; then
		pass "8.5 a rootfs whose /$d is a symlink is refused (125, /$d named)"
	else
		fail "8.5 a rootfs whose /$d is a symlink is refused (125, /$d named)"
		show
	fi
done
rm -rf "$R5"
make_rootfs "$R5"
ln -s /etc/loop "$R5/etc/loop"
printf '[rootfs]\npath = %s\n' "$R5" >"$I8/r5.ini"
# (readonly_path failed closed before the fix already; mask did not)
for a in "mask=/etc/loop" "mask=/etc/passwd/x" "readonly_path=/etc/loop" \
	"readonly_path=/etc/passwd/x"; do
	run_nook -s "filesystem.$a" "$I8/r5.ini" -- /sec getpid
	if refused "${a#*=}"; then
		pass "8.5 $a (ELOOP/ENOTDIR, not ENOENT) is a setup failure (125)"
	else
		fail "8.5 $a (ELOOP/ENOTDIR, not ENOENT) is a setup failure (125)"
		show
	fi
done
run_nook -s filesystem.mask=/etc/none -s filesystem.readonly_path=/etc/none/x \
	"$I8/r5.ini" -- /sec getpid
if [ "$RC" = 0 ] && [ -n "$(res getpid)" ]; then
	pass "8.5 a missing mask or readonly_path (ENOENT) is still skipped"
else
	fail "8.5 a missing mask or readonly_path (ENOENT) is still skipped"
	show
fi
# The race: the host renames the rootfs's /proc back and forth while
# containers start; every start must refuse or leave /proc/sys read-only.
# The check writes the container's own hostname (uts = new): harmless.
R6=$I8/r6
make_rootfs "$R6"
printf '[rootfs]\npath = %s\nreadonly = no\n[namespaces]\nuts = new\n' "$R6" >"$I8/r6.ini"
"$PY" - "$R6" "$I8/r6.stop" <<'EOF' &
import os, sys, time
d, stop = sys.argv[1], sys.argv[2]
end = time.time() + 120
while time.time() < end and not os.path.exists(stop):
    for a, b in (("proc", "proc.x"), ("proc.x", "proc")):
        try:
            os.rename(os.path.join(d, a), os.path.join(d, b))
        except OSError:
            pass
EOF
RPID=$!
at_cleanup "touch '$I8/r6.stop'; kill -KILL $RPID; wait $RPID"
bad= refusals=0 ros=0 why=
for i in $(seq 20); do
	run_nook "$I8/r6.ini" -- /bin/sh -c 'for i in 1 2 3; do
		/sec write /proc/sys/kernel/hostname i8 + write /proc.x/sys/kernel/hostname i8
	done'
	if printf '%s\n' "$OUT" | grep -q '^write ok'; then
		bad="$bad $i"
	elif [ "$RC" = 125 ]; then
		refusals=$((refusals + 1))
		why=$ERR
	else
		ros=$((ros + 1))
	fi
done
touch "$I8/r6.stop"
wait "$RPID" 2>/dev/null
[ -d "$R6/proc" ] || mv -T "$R6/proc.x" "$R6/proc"
if [ -z "$bad" ]; then
	pass "8.5 /proc renamed during 20 starts: /proc/sys never writable ($refusals refused, $ros read-only)"
	[ -z "$why" ] || diag "a refusal: $why"
else
	fail "8.5 /proc renamed during 20 starts: /proc/sys never writable"
	diag "/proc/sys writable in starts:$bad ($refusals refused, $ros read-only)"
fi

# ---------------------------------------------------------------------------
# 8.6: setup must not hang, and TERM/HUP or a time limit must stop it.
R7=$I8/r7
make_rootfs "$R7"
rm "$R7/etc/passwd"
mkfifo "$R7/etc/passwd"
printf '[rootfs]\npath = %s\n' "$R7" >"$I8/r7.ini"
t0=$(ms)
NOOK_TIMEOUT=8 run_nook -s process.user=app "$I8/r7.ini" -- /sec getpid
t=$(($(ms) - t0))
if refused /etc/passwd && [ "$t" -lt 5000 ]; then
	pass "8.6 an image whose /etc/passwd is a FIFO is refused (125 in $t ms)"
else
	fail "8.6 an image whose /etc/passwd is a FIFO is refused (125 in $t ms)"
	show
fi
# A slow setup: 40000 tmpfs mounts (well below fs.mount-max).
{
	printf '[rootfs]\npath = %s\n[mounts]\n' "$ROOT"
	for i in $(seq 40000); do printf 'tmpfs = /tmp/m%d\n' "$i"; done
} >"$I8/slow.ini"
for sig in TERM HUP; do
	"$NOOK" "$I8/slow.ini" -- /bin/sleep 3 >"$I8/slow.out" 2>"$I8/slow.err" </dev/null &
	SPID=$!
	sleep 0.3
	kids=$(pgrep -P "$SPID" | tr '\n' ' ')
	t0=$(ms)
	kill -"$sig" "$SPID"
	for i in $(seq 150); do
		alive "$SPID" || break
		sleep 0.1
	done
	kill -KILL "$SPID" 2>/dev/null
	wait "$SPID"
	RC=$?
	t=$(($(ms) - t0))
	sleep 0.2
	left=$(pgrep -f -- "$I8/slow.ini" | tr '\n' ' ')
	for p in $kids; do
		alive "$p" && left="$left$p "
	done
	ERR=$(cat "$I8/slow.err") OUT=$(cat "$I8/slow.out")
	if [ -n "$kids" ] && [ "$RC" = 125 ] && [ -z "$left" ] && [ "$t" -lt 5000 ]; then
		pass "8.6 SIG$sig during a slow setup: 125 in $t ms, no process left"
	else
		fail "8.6 SIG$sig during a slow setup: 125, no process left"
		show
		diag "child at the signal: '$kids'; after $t ms left: '$left'"
	fi
	for p in $left; do kill -KILL "$p" 2>/dev/null; done
done
# the slow setup takes over a second: a tiny limit must stop it
t0=$(ms)
run_nook -s process.setup_timeout=1ms "$I8/slow.ini" -- /sec getpid
t=$(($(ms) - t0))
sleep 0.2
left=$(pgrep -f -- "$I8/slow.ini" | tr '\n' ' ')
if refused 'time ?limit|timed? ?out|too long|within' && [ -z "$left" ] &&
	! printf '%s' "$ERR" | grep -q unknown && [ "$t" -lt 5000 ]; then
	pass "8.6 setup_timeout = 1ms: a slow setup stops with 125 and a time-limit message ($t ms)"
else
	fail "8.6 setup_timeout = 1ms: a slow setup stops with 125 and a time-limit message"
	show
	diag "after $t ms left: '$left'"
fi
for p in $left; do kill -KILL "$p" 2>/dev/null; done

plan "$_tap_n"
done_testing

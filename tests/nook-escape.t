#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: known container escapes, each one performed from inside (by
# tests/helpers/sec/sec.c as container root unless said otherwise); a test
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
# The plan comes at the end (the count depends on what this host can do).
. "$(dirname "$0")/helpers/sec/lib-sec.sh"
sec_setup
PTYRUN=$SEC_SRC/pty-run.py

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
	PTY=$(timeout -k 5 40 "$PYTHON" "$PTYRUN" "${o[@]}" -- "$NOOK" "$@" 2>&1)
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

plan "$_tap_n"
done_testing

#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: the hardening of the container's process, seen from inside by
# tests/probe.c as /sec - the capability sets ([capabilities] keep, drop,
# ambient), the seccomp filter ([security] seccomp, seccomp_deny,
# seccomp_allow, seccomp_action, nested_userns), masked and read-only
# paths ([filesystem] mask, readonly_path), [rlimits] and no_new_privs.
# Every check has a control run where the protection is off, so each one
# can fail.  The plan comes at the end (what is tested depends on the host).
. "$(dirname "$0")/lib.sh"
sec_setup

CAPS="status CapInh + status CapPrm + status CapEff + status CapBnd + status CapAmb"
cap() { printf '%s\n' "$OUT" | awk -v k="$1:" '$1 == "status" && $2 == k { print $3; exit }'; }
DOCKER=00000000a80425fb		# Docker's 14

# ---------------------------------------------------------------------------
# Capabilities (from /proc/self/status, not capsh).
run_nook -s capabilities.keep=none "$BASE" -- /sec $CAPS
for s in CapInh CapPrm CapEff CapBnd CapAmb; do
	is "$(cap $s)" 0000000000000000 "keep = none: $s is empty"
done
run_nook "$BASE" -- /sec $CAPS
is "$(cap CapEff)" $DOCKER "default: CapEff is Docker's 14"
is "$(cap CapPrm)" $DOCKER "default: CapPrm is Docker's 14"
is "$(cap CapBnd)" $DOCKER "default: CapBnd is Docker's 14"
is "$(cap CapInh)/$(cap CapAmb)" 0000000000000000/0000000000000000 \
	"default: no inheritable or ambient capabilities"
run_nook -s capabilities.drop=CAP_CHOWN -s capabilities.drop=net_raw "$BASE" -- /sec $CAPS
is "$(cap CapEff)/$(cap CapBnd)" 00000000a80405fa/00000000a80405fa \
	"drop = CAP_CHOWN, net_raw: both gone from CapEff and CapBnd"
# a non-root user with an ambient capability
run_nook -s process.user=1000 -s capabilities.keep= \
	-s capabilities.keep=CAP_NET_BIND_SERVICE \
	-s capabilities.ambient=CAP_NET_BIND_SERVICE "$BASE" -- /sec $CAPS + ids + bind 80
is "$(res ids)" "ok 1000 1000 1000" "user = 1000 runs as uid 1000"
is "$(cap CapAmb)/$(cap CapEff)/$(cap CapPrm)" \
	0000000000000400/0000000000000400/0000000000000400 \
	"user 1000, ambient = CAP_NET_BIND_SERVICE: exactly that in CapAmb, CapEff, CapPrm"
is "$(cap CapBnd)" 0000000000000400 "keep = CAP_NET_BIND_SERVICE: CapBnd is that alone"
is "$(res bind)" ok "user 1000 with the ambient capability binds port 80"
run_nook -s process.user=1000 -s capabilities.ambient=NET_BIND_SERVICE "$BASE" -- /sec $CAPS
is "$(cap CapAmb)/$(cap CapEff)/$(cap CapBnd)" \
	0000000000000400/0000000000000400/$DOCKER \
	"user 1000, default keep, ambient = NET_BIND_SERVICE: that alone is effective"
run_nook -s process.user=1000 "$BASE" -- /sec $CAPS + bind 80 + bind 8080
is "$(cap CapEff)/$(cap CapPrm)/$(cap CapAmb)" \
	0000000000000000/0000000000000000/0000000000000000 \
	"user 1000 without ambient: no capabilities"
is "$(printf '%s\n' "$OUT" | awk '$1 == "bind" { print $2 }' | tr '\n' ' ')" \
	"EACCES ok " "user 1000 without the capability: port 80 EACCES, 8080 ok (control)"
run_nook -s capabilities.ambient=CAP_SYS_ADMIN "$BASE" -- /sec $CAPS
if [ "$RC" = 125 ] && printf '%s' "$ERR" | grep -q 'ambient.*subset'; then
	pass "ambient outside keep is refused (125)"
else
	fail "ambient outside keep is refused (125)"
	show
fi

# ---------------------------------------------------------------------------
# Seccomp.
run_nook "$BASE" -- /sec status Seccomp + status NoNewPrivs + keyctl + add_key + \
	request_key + bpf + unshare 10000000 + clone_userns + clone3 + \
	sti 1 + tioclinux 1 + mount /tmp + umount /tmp + open_tree / + \
	name_to_handle / + open_by_handle
is "$(res status)" "Seccomp: 2" "default: Seccomp: 2 (a filter)"
like "$OUT" 'NoNewPrivs:.1' "default: NoNewPrivs: 1"
for a in keyctl add_key request_key bpf unshare clone_userns sti tioclinux \
	mount umount open_tree name_to_handle open_by_handle; do
	is "$(res $a)" EPERM "default: $a fails with EPERM"
done
is "$(res clone3)" ENOSYS "default: clone3 fails with ENOSYS (libc falls back to clone)"
# stdout is a file: TIOCSTI with the upper 32 bits set must still hit the rule
run_nook "$BASE" -- /sec sti 1 Z high + tioclinux 1
is "$(res sti)" EPERM "default: TIOCSTI | 1 << 32 fails with EPERM (the kernel uses 32 bits)"
run_nook "$BASE" -- /sec getpid + getcwd + unshare 600
like "$(res getpid)" '^ok [0-9]+$' "default: getpid works"
is "$(res getcwd)" "ok /" "default: getcwd works"
is "$(res unshare)" ok "default: unshare(CLONE_FS | CLONE_FILES) works (only CLONE_NEWUSER is matched)"
# the control: no filter at all
run_nook -s security.seccomp=none -s security.block_tiocsti=no "$BASE" -- \
	/sec status Seccomp + keyctl + open_tree / + name_to_handle / + sti 1 + \
	clone_userns + clone3 + unshare 10000000
is "$(res status)" "Seccomp: 0" "seccomp = none, block_tiocsti = no: Seccomp: 0"
r=$(printf '%s\n' "$OUT" | awk '$1 != "status" { print $1 "=" $2 }' | tr '\n' ' ')
is "$r" "keyctl=ok open_tree=ok name_to_handle=ok sti=ENOTTY clone_userns=ok clone3=ok unshare=ok " \
	"seccomp = none: keyctl, open_tree, name_to_handle_at, TIOCSTI, clone/clone3/unshare(CLONE_NEWUSER) reach the kernel (control)"
run_nook -s security.seccomp=none "$BASE" -- /sec status Seccomp + keyctl + sti 1
is "$(res status)/$(res keyctl)/$(res sti)" "Seccomp: 2/ok/EPERM" \
	"seccomp = none, block_tiocsti = yes: only the TIOCSTI filter"
run_nook -s security.seccomp_deny=getcwd "$BASE" -- /sec getcwd + getpid
is "$(res getcwd)/$(res getpid | cut -c1-2)" "EPERM/ok" "seccomp_deny = getcwd: getcwd fails, getpid works"
run_nook -s security.seccomp_allow=keyctl "$BASE" -- /sec keyctl + add_key
is "$(res keyctl)/$(res add_key)" "ok/EPERM" "seccomp_allow = keyctl: keyctl passes, add_key does not"
run_nook -s security.nested_userns=yes "$BASE" -- /sec unshare 10000000
is "$(res unshare)" ok "nested_userns = yes: unshare(CLONE_NEWUSER) works"
run_nook -s capabilities.keep=default -s capabilities.keep=CAP_SYS_ADMIN "$BASE" -- /sec open_tree /
is "$(res open_tree)" ok "keep with CAP_SYS_ADMIN: the mount calls are allowed"
run_nook -s security.seccomp_action=log "$BASE" -- /sec keyctl
is "$(res keyctl)" ok "seccomp_action = log: keyctl is let through"
# kill: the process dies of SIGSYS (128 + 31)
# (reboot allowed: nook-init calls it, see below)
run_nook -s security.seccomp_action=kill -s security.seccomp_allow=reboot "$BASE" -- \
	/sec getpid + keyctl + getpid
if [ "$RC" = 159 ] && [ "$(printf '%s\n' "$OUT" | grep -c '^getpid ok')" = 1 ]; then
	pass "seccomp_action = kill: keyctl kills the process (159) after the first getpid"
else
	fail "seccomp_action = kill: keyctl kills the process (159) after the first getpid"
	show
fi
run_nook -s security.seccomp_action=kill "$BASE" -- /sec getpid
if [ "$RC" = 0 ] && [ -n "$(res getpid)" ]; then
	pass "seccomp_action = kill: a command that calls nothing denied exits 0 (nook-init survives)"
else
	fail "seccomp_action = kill: a command that calls nothing denied exits 0 (nook-init survives)"
	show
	diag "nook-init calls reboot(2), denied by default, to find out it is not a machine's init"
fi
run_nook -s security.seccomp_action=kill -s init.mode=direct "$BASE" -- /sec getpid + keyctl + getpid
if [ "$RC" = 159 ] && [ "$(printf '%s\n' "$OUT" | grep -c '^getpid ok')" = 1 ]; then
	pass "seccomp_action = kill, mode = direct: keyctl kills the process (159)"
else
	fail "seccomp_action = kill, mode = direct: keyctl kills the process (159)"
	show
fi
# no_new_privs = no loads the filter early, before nook's own last steps
run_nook -s security.no_new_privs=no -s security.seccomp_deny=getcwd "$BASE" -- \
	/sec getpid + getcwd + status Seccomp
if [ "$RC" != 125 ] && [ "$(res getcwd)" = EPERM ] && [ "$(res status)" = "Seccomp: 2" ]; then
	pass "no_new_privs = no, seccomp_deny = getcwd: starts, getcwd fails inside"
else
	fail "no_new_privs = no, seccomp_deny = getcwd: starts, getcwd fails inside"
	show
fi
run_nook -s security.no_new_privs=no -s security.seccomp_action=kill \
	-s security.seccomp_allow=reboot -s security.seccomp_deny=getcwd "$BASE" -- /sec getpid
if [ -n "$(res getpid)" ] || { [ "$RC" = 125 ] && [ -n "$ERR" ]; }; then
	pass "no_new_privs = no, kill, deny getcwd: runs, or nook reports a setup error"
else
	fail "no_new_privs = no, kill, deny getcwd: runs, or nook reports a setup error"
	show
	diag "nook's child died of SIGSYS before the exec; nook exited $RC as if the command had"
fi
# x32 and i386 system calls: another architecture, killed
run_nook "$BASE" -- /sec getpid + x32
if [ "$RC" = 159 ] && [ -n "$(res getpid)" ] && [ -z "$(res x32)" ]; then
	pass "an x32 system call (nr | 0x40000000) is killed with SIGSYS (159)"
else
	fail "an x32 system call (nr | 0x40000000) is killed with SIGSYS (159)"
	show
fi
run_nook -s security.seccomp=none -s security.block_tiocsti=no "$BASE" -- /sec i386
if [ "$RC" = 139 ] || [ -z "$(res i386)" ]; then
	skip 1 "this kernel has no i386 system calls (int 0x80: SIGSEGV)"
else
	run_nook "$BASE" -- /sec getpid + i386
	if [ "$RC" = 159 ] && [ -z "$(res i386)" ]; then
		pass "an i386 system call (int 0x80) is killed with SIGSYS (159)"
	else
		fail "an i386 system call (int 0x80) is killed with SIGSYS (159)"
		show
	fi
fi

# personality(2): only Docker's five values (0, PER_LINUX32, UNAME26, both,
# 0xffffffff the query); the kernel drops the upper 32 bits of the argument
run_nook "$BASE" -- /sec personality 400000 + personality 100400000 + \
	personality ffffffff + personality 0 + personality 8 + personality 20008 + \
	personality 1 + personality fffffffe
is "$(printf '%s\n' "$OUT" | awk '{ print $2 }' | tr '\n' ' ')" \
	"EPERM EPERM ok ok ok ok EPERM EPERM " \
	"default: personality READ_IMPLIES_EXEC (also | 1 << 32), 1, 0xfffffffe fail with EPERM; 0xffffffff, 0, 8, 0x20008 work"
run_nook -s security.seccomp=none -s security.block_tiocsti=no "$BASE" -- \
	/sec personality 400000 + personality 100400000
is "$(printf '%s\n' "$OUT" | awk '{ print $2 }' | tr '\n' ' ')" "ok ok " \
	"seccomp = none: personality READ_IMPLIES_EXEC reaches the kernel (control)"
# kcmp (CAP_SYS_PTRACE), NUMA placement (CAP_SYS_NICE), memfd_secret (always)
GAPS="kcmp + mbind + set_mempolicy + move_pages + memfd_secret"
gaps() { printf '%s\n' "$OUT" | awk '{ print $1 "=" $2 }' | tr '\n' ' '; }
run_nook "$BASE" -- /sec $GAPS
is "$(gaps)" "kcmp=EPERM mbind=EPERM set_mempolicy=EPERM move_pages=EPERM memfd_secret=EPERM " \
	"default: kcmp, mbind, set_mempolicy, move_pages, memfd_secret fail with EPERM"
run_nook -s security.seccomp=none -s security.block_tiocsti=no "$BASE" -- /sec $GAPS
if [ -n "$OUT" ] && ! printf '%s\n' "$OUT" | grep -q EPERM; then
	pass "seccomp = none: none of them fails with EPERM (control: $(gaps))"
else
	fail "seccomp = none: none of them fails with EPERM (control)"
	show
fi
run_nook -s capabilities.keep=default -s capabilities.keep=CAP_SYS_PTRACE \
	-s capabilities.keep=CAP_SYS_NICE "$BASE" -- /sec $GAPS
r=$(gaps)
if [ -n "$r" ] && ! printf '%s' "${r% memfd_secret=*}" | grep -q EPERM &&
	[ "${r##* memfd_secret=}" = "EPERM " ]; then
	pass "keep CAP_SYS_PTRACE, CAP_SYS_NICE: kcmp and the NUMA calls pass the filter, memfd_secret does not ($r)"
else
	fail "keep CAP_SYS_PTRACE, CAP_SYS_NICE: kcmp and the NUMA calls pass the filter, memfd_secret does not"
	show
fi
run_nook -s capabilities.keep=default -s capabilities.keep=CAP_SYS_PTRACE "$BASE" -- /sec $GAPS
is "$(gaps)" "kcmp=ok mbind=EPERM set_mempolicy=EPERM move_pages=EPERM memfd_secret=EPERM " \
	"keep CAP_SYS_PTRACE alone: kcmp works, the NUMA calls still fail"
# seccomp_action = log is for finding the calls a program needs: the user
# namespace rules keep failing
run_nook -s security.seccomp_action=log "$BASE" -- /sec unshare 10000000 + \
	clone3 + unshare 600 + keyctl
is "$(res unshare)/$(res clone3)/$(res keyctl)" EPERM/ENOSYS/ok \
	"seccomp_action = log: unshare(CLONE_NEWUSER) still EPERM, clone3 ENOSYS (keyctl logged only)"
run_nook -s security.seccomp_action=log -s security.seccomp_deny=unshare \
	-s security.seccomp_deny=clone3 "$BASE" -- /sec unshare 10000000 + clone3
is "$(res unshare)/$(res clone3)" EPERM/ENOSYS \
	"seccomp_action = log, seccomp_deny = unshare, clone3: CLONE_NEWUSER still EPERM, clone3 ENOSYS"
# a rule libseccomp refuses is a setup error, not a weaker filter: a
# preloaded shim makes it refuse the rule for unshare
if command -v gcc >/dev/null && printf '#include <seccomp.h>\n' |
	gcc -E - >/dev/null 2>&1; then
	cat >"$W/refuse.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <seccomp.h>
#include <stdarg.h>

static int
refused(int nr, uint32_t act, unsigned n, const struct scmp_arg_cmp *a,
    scmp_filter_ctx f)
{
	int (*real)(scmp_filter_ctx, uint32_t, int, unsigned,
	    const struct scmp_arg_cmp *) =
	    (void *)dlsym(RTLD_NEXT, "seccomp_rule_add_array");

	if (nr == SCMP_SYS(unshare))
		return -EINVAL;
	return real(f, act, nr, n, a);
}

int
seccomp_rule_add_array(scmp_filter_ctx f, uint32_t act, int nr, unsigned n,
    const struct scmp_arg_cmp *a)
{
	return refused(nr, act, n, a, f);
}

int
seccomp_rule_add(scmp_filter_ctx f, uint32_t act, int nr, unsigned n, ...)
{
	struct scmp_arg_cmp a[6];
	va_list ap;
	unsigned i;

	va_start(ap, n);
	for (i = 0; i < n && i < 6; i++)
		a[i] = va_arg(ap, struct scmp_arg_cmp);
	va_end(ap);
	return refused(nr, act, n, a, f);
}
EOF
	# nook is static: the same objects linked dynamically take the shim;
	# and libseccomp compiles only what its cache (nook -v names the file)
	# does not hold
	DYN=$W/nook-dyn
	if gcc -shared -fPIC -o "$W/refuse.so" "$W/refuse.c" -ldl 2>"$W/cc2.err" &&
		gcc -o "$DYN" "$BUILD"/spawner/*.o -linih -lcap-ng -lseccomp -ljson-c 2>>"$W/cc2.err"; then
		NOOK=$DYN run_nook -v -s init.path="$NOOK_INIT" "$BASE" -- /sec getpid
		f=$(printf '%s\n' "$ERR" | sed -n 's/.*seccomp: filter .*[ (]\([0-9a-f]*\.bpf\).*/\1/p')
		[ -n "$f" ] && rm -f "/run/nook/seccomp/$f"
		NOOK=$DYN LD_PRELOAD=$W/refuse.so run_nook -s init.path="$NOOK_INIT" "$BASE" -- \
			/sec unshare 10000000 + getpid
		if [ "$RC" = 125 ] && [ -z "$(res getpid)" ] &&
			printf '%s' "$ERR" | grep -q 'unshare'; then
			pass "a seccomp rule libseccomp refuses: nook exits 125 naming it, the command does not run"
		else
			fail "a seccomp rule libseccomp refuses: nook exits 125 naming it, the command does not run"
			show
		fi
	else
		skip 1 "cannot build the libseccomp shim: $(head -c 200 "$W/cc2.err")"
	fi
else
	skip 1 "no gcc or seccomp.h for the libseccomp shim"
fi

# ---------------------------------------------------------------------------
# Masked and read-only paths.
mask_file() {	# mask_file PATH: a test that it reads as empty
	if [ ! -e "$1" ]; then
		skip 1 "this host has no $1"
	elif [ "$(head -c 4096 "$1" 2>/dev/null | wc -c)" = 0 ]; then
		skip 1 "$1 is empty on this host anyway"
	else
		run_nook "$BASE" -- /sec size "$1"
		is "$(res size)" "ok 0" "$1 reads as empty"
	fi
}
mask_file /proc/kcore
mask_file /proc/timer_list
mask_file /proc/sched_debug
mask_file /proc/keys
run_nook "$BASE" -- /sec write /proc/sys/kernel/hostname evil + \
	umount /proc/timer_list + count /sys/firmware
is "$(res write)" EROFS "/proc/sys is read-only (EROFS)"
is "$(res umount)" EPERM "a mask cannot be unmounted"
if [ -d /sys/firmware ] && [ -n "$(ls -A /sys/firmware)" ]; then
	is "$(res count)" "ok 0" "/sys/firmware is empty"
else
	skip 1 "/sys/firmware is empty on this host anyway"
fi
# the masks are what stands in the way when container root is host root
run_nook -s filesystem.mask= -s filesystem.readonly_path= \
	-s user.uid_map=identity -s user.gid_map=identity "$BASE" -- \
	/sec size /proc/timer_list + write /proc/sys/kernel/hostname evil + count /sys/firmware
like "$(res size)/$(res write)/$(res count)" '^ok [1-9][0-9]*/ok/ok [1-9]' \
	"mask = and readonly_path = (empty), identity map: nothing masked, /proc/sys writable (control)"
# with the private range (the default as root) the host's files stay closed
run_nook -s filesystem.mask= -s filesystem.readonly_path= "$BASE" -- \
	/sec size /proc/timer_list + write /proc/sys/kernel/hostname evil
is "$(res size)/$(res write)" "EACCES/EACCES" \
	"  the same with the private range: files of host root stay closed to container root"
run_nook -s filesystem.mask=/etc/passwd -s filesystem.readonly_path=/tmp "$BASE" -- \
	/sec size /etc/passwd + size /proc/timer_list + write /tmp/x y
like "$(res size)" '^ok 0$' "mask = /etc/passwd: a file of the rootfs reads as empty"
is "$(res write)" EROFS "readonly_path = /tmp: /tmp is read-only"
# A path given to mask or readonly_path that is a symlink in the rootfs:
# masked (runc follows it inside the root), or refused - never silently
# left as it was.
mkdir -p "$ROOT/data"
echo secret >"$ROOT/etc/secret"
ln -s /etc/secret "$ROOT/etc/secret-link"
ln -s /data "$ROOT/datalink"
run_nook -s filesystem.mask=/etc/secret-link "$BASE" -- /sec size /etc/secret-link
if [ "$(res size)" = "ok 0" ] || { [ "$RC" = 125 ] && [ -n "$ERR" ]; }; then
	pass "mask = a symlink: masked or refused"
else
	fail "mask = a symlink: masked or refused"
	show
	diag "the symlink was skipped without a word; what it points to is readable"
fi
run_nook -s rootfs.readonly=no -s filesystem.readonly_path=/datalink "$BASE" -- \
	/sec write /datalink/x y
if [ "$(res write)" = EROFS ] || { [ "$RC" = 125 ] && [ -n "$ERR" ]; }; then
	pass "readonly_path = a symlink: read-only or refused"
else
	fail "readonly_path = a symlink: read-only or refused"
	show
	diag "the symlink was skipped without a word; what it points to is writable"
fi
rm -rf "$ROOT/data" "$ROOT/datalink" "$ROOT/etc/secret" "$ROOT/etc/secret-link"

# ---------------------------------------------------------------------------
# rlimits.
run_nook -s rlimits.nofile=100:200 -s rlimits.core=0 -s rlimits.stack=8M \
	-s rlimits.cpu=10s -s rlimits.nproc=500:600 -s rlimits.fsize=1M:2M \
	-s rlimits.memlock=64K -s rlimits.nice=0 "$BASE" -- /bin/cat /proc/self/limits
lim() { printf '%s\n' "$OUT" | awk -v k="$1" 'index($0, k) == 1 {
	s = substr($0, 27); split(s, f, " "); print f[1] ":" f[2]; exit }'; }
is "$(lim 'Max open files')" 100:200 "nofile = 100:200"
is "$(lim 'Max core file size')" 0:0 "core = 0"
is "$(lim 'Max stack size')" 8388608:8388608 "stack = 8M"
is "$(lim 'Max cpu time')" 10:10 "cpu = 10s"
is "$(lim 'Max processes')" 500:600 "nproc = 500:600"
is "$(lim 'Max file size')" 1048576:2097152 "fsize = 1M:2M"
is "$(lim 'Max locked memory')" 65536:65536 "memlock = 64K"
is "$(lim 'Max nice priority')" 0:0 "nice = 0"
run_nook -s process.user=1000 -s rlimits.nproc=20 "$BASE" -- /sec forkloop 100
r=$(res forkloop)
if [ "${r%% *}" = EAGAIN ] && [ "${r#* }" -lt 100 ]; then
	pass "nproc = 20 stops a fork loop of user 1000 ($r)"
else
	fail "nproc = 20 stops a fork loop of user 1000"
	show
fi
run_nook -s process.user=1000 "$BASE" -- /sec forkloop 100
is "$(res forkloop)" "ok 100" "without nproc the same loop makes 100 (control)"
if [ $(( (0x$(awk '/^CapEff/ { print $2 }' /proc/self/status) >> 24) & 1 )) = 1 ]; then
	skip 4 "this root has CAP_SYS_RESOURCE: it may raise hard limits"
else
	hard=$(ulimit -Hn)
	if [ "$hard" = unlimited ]; then
		skip 3 "the hard limit of nofile is unlimited here"
	else
		run_nook --check -s rlimits.nofile=100:$((hard + 1000)) "$BASE" -- /sec getpid
		is "$RC" 125 "nook --check: raising nofile's hard limit without CAP_SYS_RESOURCE is an error"
		if printf '%s' "$ERR" | grep -q '\[rlimits\] nofile' &&
			printf '%s' "$ERR" | grep -q CAP_SYS_RESOURCE; then
			pass "the message names [rlimits] nofile and CAP_SYS_RESOURCE"
		else
			fail "the message names [rlimits] nofile and CAP_SYS_RESOURCE"
			show
		fi
		run_nook -s rlimits.nofile=100:$((hard + 1000)) "$BASE" -- /sec getpid
		is "$RC/$(res getpid)" "125/" "and nook refuses to start it"
	fi
	run_nook --check -s rlimits.nofile=100:200 "$BASE" -- /sec getpid
	is "$RC" 0 "nook --check: lowering a hard limit is fine (control)"
fi

# ---------------------------------------------------------------------------
# no_new_privs: a setuid-root copy of sec, run as user 1000.
install -o 0 -g 0 -m 4755 "$W/sec" "$ROOT/suid"
if findmnt -no OPTIONS -T "$ROOT" | grep -qw nosuid; then
	skip 4 "$ROOT is on a nosuid mount"
else
	run_nook -s process.user=1000 "$BASE" -- /suid ids + status NoNewPrivs
	is "$(res ids)" "ok 1000 1000 1000" "default: a setuid-root binary does not give user 1000 euid 0"
	is "$(res status)" "NoNewPrivs: 1" "default: NoNewPrivs: 1 for user 1000"
	run_nook -s process.user=1000 -s security.no_new_privs=no "$BASE" -- \
		/suid ids + status NoNewPrivs
	is "$(res status)" "NoNewPrivs: 0" "no_new_privs = no: NoNewPrivs: 0"
	is "$(res ids)" "ok 1000 0 0" "no_new_privs = no: the setuid bit works (euid 0; control)"
fi

plan "$_tap_n"
done_testing

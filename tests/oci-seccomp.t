#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-oci: config.json's linux.seccomp, seen from inside a busybox bundle
# by the probe (called /sec, it answers "CMD ok" or "CMD ERRNO"): the
# default action and its errnoRet, rules with their action and errnoRet,
# argument comparisons (ANDed; OR when an index repeats), the kill and
# trap actions (128+SIGSYS), architectures, flags, unknown system call
# names skipped, the filter cache keyed by the profile, the profile Podman
# 4.3 gives runc (tests/helpers/oci/podman-seccomp.json, its
# linux.seccomp whole), and every bad value refused by its JSON path.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd timeout mktemp
need_nook
need_probe
need_busybox
OCI=$BUILD/nook-oci
[ -x "$OCI" ] || skip_all "$OCI not built (run make)"
test_tmp oci-seccomp
EDIT=$TOP/tests/helpers/oci/edit.py
PODMAN=$TOP/tests/helpers/oci/podman-seccomp.json
B=$W/bundle
make_rootfs "$B/rootfs"
(cd "$B" && "$OCI" spec </dev/null >/dev/null 2>&1)
cp "$B/config.json" "$W/default.json" 2>/dev/null ||
	skip_all "nook-oci spec wrote no config.json"
# the profiles' filters this test compiled leave the cache with it
touch "$W/start"
drop_filters() {
	local f
	for f in $(find /run/nook/seccomp -maxdepth 1 -name '*.bpf' -newer "$W/start" 2>/dev/null); do
		[ "$(head -c 8 "$f")" = nookbpfP ] && rm -f "$f"
	done
}
at_cleanup drop_filters

plan 51

# orun STATEMENTS...: run the spec's default config.json changed by the
# Python statements (tests/helpers/oci/edit.py: d is the document)
orun() {
	cp "$W/default.json" "$B/config.json"
	"$PY" "$EDIT" "$B/config.json" "$@"
	oci run --bundle "$B" sc1
}
args() {	# args WORDS...: the Python statement for process.args
	local a=$("$PY" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@")
	echo "d['process']['args'] = $a"
}
# sc PYTHON-DICT: the statement setting linux.seccomp
sc() { echo "d['linux']['seccomp'] = $1"; }
one() { tr '\n' ' ' <<<"$OUT" | sed 's/ $//'; }
ALLOW="'defaultAction': 'SCMP_ACT_ALLOW'"
# Podman's allow-list (its rules with SCMP_ACT_ALLOW and no args): what
# busybox and the static probe need (arch_prctl for its TLS, say)
ALLOWED="[n for r in json.load(open('$PODMAN'))['syscalls'] if r['action'] == 'SCMP_ACT_ALLOW' and 'args' not in r for n in r['names']]"

# --- none: no filter at all, like runc ---
orun "$(args /probe status Seccomp)"
like "$RC:$OUT" '^0:Seccomp:[[:space:]]+0$' "no linux.seccomp: no filter at all (not even nook's TIOCSTI rule)"
orun "$(args /probe status Seccomp)" "$(sc "{$ALLOW}")"
like "$RC:$OUT" '^0:Seccomp:[[:space:]]+2$' "linux.seccomp given: a filter (Seccomp: 2)"

# --- the default action ---
orun "$(args /sec personality 1 + personality 0 + getpid)" \
	"$(sc "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38, 'syscalls': [{'names': [n for n in $ALLOWED if n != 'personality'], 'action': 'SCMP_ACT_ALLOW'}]}")"
like "$(one)" '^personality ENOSYS personality ENOSYS getpid ok' \
	"defaultAction ERRNO, defaultErrnoRet 38: a call not allowed fails with ENOSYS, the allowed run"
orun "$(args /sec personality 1)" \
	"$(sc "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': $ALLOWED, 'action': 'SCMP_ACT_ALLOW'}]}")"
is "$(one)" "personality EPERM" "  without defaultErrnoRet: EPERM"
orun "$(args /probe exit 3)" \
	"$(sc "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': [n for n in $ALLOWED if n not in ('execve', 'execveat')], 'action': 'SCMP_ACT_ALLOW'}]}")"
like "$RC:$(tr '\n' ' ' <<<"$ERR")" '^126:.*/probe: Operation not permitted' "  execve not allowed: the command cannot run (126)"
orun "$(args /sec personality 1)" "$(sc "{'defaultAction': 'SCMP_ACT_KILL_PROCESS', 'syscalls': [{'names': $ALLOWED, 'action': 'SCMP_ACT_ALLOW'}]}")"
is "$RC" 159 "defaultAction KILL_PROCESS: a call not allowed kills it (128 + SIGSYS)"

# --- rules: action, errnoRet ---
orun "$(args /probe mkdir /tmp/x + exit 0)" "$(sc "{$ALLOW, 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO'}]}")"
is "$(one)" "error EPERM /tmp/x" "defaultAction ALLOW, mkdir ERRNO: EPERM (not EROFS)"
orun "$(args /probe mkdir /tmp/x)" "$(sc "{$ALLOW}")"
like "$(one)" 'error (EROFS|EEXIST) /tmp/x' "  the same without the rule: EROFS, the root is read-only"
orun "$(args /probe mkdir /tmp/x)" "$(sc "{$ALLOW, 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38}]}")"
is "$(one)" "error ENOSYS /tmp/x" "errnoRet 38: ENOSYS"
orun "$(args /probe mkdir /tmp/x)" "$(sc "{$ALLOW, 'syscalls': [{'names': ['nosuchcall_x', 'mkdir', 'no_such_call', 'socketcall', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 95}]}")"
is "$RC:$(one)" "1:error EOPNOTSUPP /tmp/x" "a system call name libseccomp does not know is skipped, one of another architecture (socketcall) too, the others kept"
orun "$(args /sec getpid)" "$(sc "{$ALLOW, 'syscalls': [{'names': ['getpid'], 'action': 'SCMP_ACT_KILL'}]}")"
is "$RC:$OUT" "159:" "SCMP_ACT_KILL: killed by SIGSYS (159)"
orun "$(args /sec getpid)" "$(sc "{$ALLOW, 'syscalls': [{'names': ['getpid'], 'action': 'SCMP_ACT_KILL_THREAD'}]}")"
is "$RC:$OUT" "159:" "SCMP_ACT_KILL_THREAD: the only thread, so the process (159)"
orun "$(args /sec getpid)" "$(sc "{$ALLOW, 'syscalls': [{'names': ['getpid'], 'action': 'SCMP_ACT_TRAP'}]}")"
is "$RC:$OUT" "159:" "SCMP_ACT_TRAP: SIGSYS, not handled (159)"
orun "$(args /sec getpid)" "$(sc "{$ALLOW, 'syscalls': [{'names': ['getpid'], 'action': 'SCMP_ACT_LOG'}]}")"
like "$RC:$OUT" '^0:getpid ok' "SCMP_ACT_LOG: allowed (and logged)"
orun "$(args /sec personality 1)" "$(sc "{$ALLOW, 'syscalls': [{'names': ['personality'], 'action': 'SCMP_ACT_TRACE', 'errnoRet': 95}]}")"
is "$(one)" "personality ENOSYS" "SCMP_ACT_TRACE without a tracer: ENOSYS, as the kernel does"
orun "$(args /sec getpid + personality 1)" \
	"$(sc "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': $ALLOWED, 'action': 'SCMP_ACT_ALLOW'}, {'names': ['personality'], 'action': 'SCMP_ACT_ERRNO'}]}")"
like "$RC:$(one)" '^1:getpid ok [0-9]+ personality EPERM' "a rule with the default action is left out (libseccomp refuses it)"

# --- arguments ---
PERS="{$ALLOW, 'syscalls': [{'names': ['personality'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': 0, 'op': 'SCMP_CMP_NE'}]}]}"
orun "$(args /sec personality 0 + personality 8 + personality ffffffff)" "$(sc "$PERS")"
is "$(one)" "personality ok 0x0 personality EPERM personality EPERM" "args: personality only with 0 (SCMP_CMP_NE 0 denied)"
orun "$(args /sec personality 8 + personality 20000 + personality 0 + personality 20008)" \
	"$(sc "{$ALLOW, 'syscalls': [{'names': ['personality'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': 8, 'op': 'SCMP_CMP_EQ'}, {'index': 0, 'value': 131072, 'op': 'SCMP_CMP_EQ'}]}]}")"
is "$(one)" "personality EPERM personality EPERM personality ok 0x0 personality ok 0x0" \
	"args: one index twice is either comparison (one rule each, as runc)"
# sock PROTOCOL: socket(AF_INET, *, PROTOCOL) fails with EOPNOTSUPP
sock() { sc "{$ALLOW, 'syscalls': [{'names': ['socket'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 95, 'args': [{'index': 0, 'value': 2, 'op': 'SCMP_CMP_EQ'}, {'index': 2, 'value': $1, 'op': 'SCMP_CMP_EQ'}]}]}"; }
orun "$(args /sec bind 0)" "$(sock 0)"
is "$(one)" "bind EOPNOTSUPP" "args: two indexes, both matching (socket AF_INET, protocol 0): denied"
orun "$(args /sec bind 0)" "$(sock 6)"
is "$(one)" "bind ok" "  one not matching: allowed (ANDed)"
orun "$(args /sec unshare 4000000 + unshare 0)" \
	"$(sc "{$ALLOW, 'syscalls': [{'names': ['unshare'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 95, 'args': [{'index': 0, 'value': 67108864, 'valueTwo': 67108864, 'op': 'SCMP_CMP_MASKED_EQ'}]}]}")"
is "$(one)" "unshare EOPNOTSUPP unshare ok" "args: SCMP_CMP_MASKED_EQ (value the mask, valueTwo the bits)"
orun "$(args /sec personality 8 + personality 1)" \
	"$(sc "{$ALLOW, 'syscalls': [{'names': ['personality'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': 8, 'op': 'SCMP_CMP_GE'}]}]}")"
is "$(one)" "personality EPERM personality ok 0x0" "args: SCMP_CMP_GE"
orun "$(args /sec personality 0)" \
	"$(sc "{$ALLOW, 'syscalls': [{'names': ['personality'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': 18446744073709551615, 'op': 'SCMP_CMP_LT'}]}]}")"
is "$(one)" "personality EPERM" "args: a value of 2^64-1"

# --- architectures, flags ---
orun "$(args /sec i386)" "$(sc "{$ALLOW, 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']}")"
if [ "$(uname -m)" = x86_64 ] && [ "$RC:$OUT" = "0:i386 ok 1" ]; then
	pass "architectures X86_64, X86, X32: an i386 call is filtered, and allowed"
	orun "$(args /sec i386)" "$(sc "{$ALLOW, 'architectures': ['SCMP_ARCH_X86_64']}")"
	is "$RC:$OUT" "159:" "  architectures X86_64 alone: an i386 call kills (159)"
	orun "$(args /sec i386)" "$(sc "{$ALLOW, 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'], 'syscalls': [{'names': ['getpid'], 'action': 'SCMP_ACT_ERRNO'}]}")"
	is "$(one)" "i386 EPERM" "  a rule holds for each architecture (getpid is 20 on i386)"
else
	skip 3 "no i386 system calls here (x86_64 with IA32 emulation)"
fi
orun "$(args /sec getpid)" "$(sc "{$ALLOW, 'flags': ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'], 'syscalls': [{'names': ['getppid'], 'action': 'SCMP_ACT_ERRNO'}]}")"
like "$RC:$OUT" '^0:getpid ok' "flags LOG, TSYNC, SPEC_ALLOW: accepted, loaded"

# --- with the rest of the process ---
orun "$(args /sec personality 1 + ids)" "d['process']['noNewPrivileges'] = False" \
	"d['process']['user'] = {'uid': 1000, 'gid': 1000}" \
	"$(sc "{$ALLOW, 'syscalls': [{'names': ['personality'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38}]}")"
like "$(one)" '^personality ENOSYS ids ok 1000 1000 1000' "noNewPrivileges false, uid 1000: loaded all the same (CAP_SYS_ADMIN held until then)"
orun "$(args /probe status CapEff + status NoNewPrivs)" "d['process']['noNewPrivileges'] = False" \
	"$(sc "{$ALLOW}")"
like "$(one)" 'CapEff:[[:space:]]+0+20000420 NoNewPrivs:[[:space:]]+0' "  and CAP_SYS_ADMIN given back after (the bounding set's, no_new_privs off)"
orun "$(args /probe exit 0)" "d['process']['noNewPrivileges'] = False" \
	"$(sc "{$ALLOW, 'syscalls': [{'names': ['capset'], 'action': 'SCMP_ACT_ERRNO'}]}")"
like "$RC:$(tr '\n' ' ' <<<"$ERR")" '^125:.*setup: linux\.seccomp: drop CAP_SYS_ADMIN, held to load the filter without noNewPrivileges: Operation not permitted' \
	"  a profile denying capset then: 125, never CAP_SYS_ADMIN left to the process"

# --- the cache of compiled filters is keyed by the profile ---
orun "$(args /probe mkdir /tmp/x)" "$(sc "{$ALLOW, 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 13}]}")"
A=$(one)
orun "$(args /probe mkdir /tmp/x)" "$(sc "{$ALLOW, 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 28}]}")"
is "$A / $(one)" "error EACCES /tmp/x / error ENOSPC /tmp/x" "two profiles differing in an errnoRet: two filters (the cache keys on the profile)"

# --- Podman 4.3's profile for runc ---
PODMAN_SC="d['linux']['seccomp'] = json.load(open('$PODMAN'))"
orun "$(args /sec personality 0 + personality 1 + kcmp + getpid + bind 0)" "$PODMAN_SC"
like "$RC:$(one)" '^1:personality ok 0x0 personality ENOSYS kcmp EPERM getpid ok [0-9]+ bind ok' \
	"Podman's profile: personality 0 allowed, 1 ENOSYS (its default), kcmp EPERM (its rule), the rest allowed"
orun "$(args /bin/sh -c 'echo hi; mkdir -p /tmp/y && echo made; ls / >/dev/null && echo listed')" \
	"$PODMAN_SC" "d['root']['readonly'] = False"
rmdir "$B/rootfs/tmp/y" 2>/dev/null
is "$RC:$(one)" "0:hi made listed" "  busybox sh runs under it"
orun "$(args /sec unshare 20000 + mount /mnt)" "$PODMAN_SC"
is "$(one)" "unshare EPERM mount EPERM" "  unshare and mount allowed by it: EPERM from the kernel (no CAP_SYS_ADMIN)"

# --- features: what a profile may name ---
oci features
if "$PY" -c 'import json, sys; sys.exit(not json.loads(sys.stdin.read())["linux"]["seccomp"]["enabled"])' <<<"$OUT" 2>/dev/null; then
	"$PY" -c 'import json, sys; s = json.loads(sys.stdin.read())["linux"]["seccomp"]; assert "SCMP_ACT_KILL_PROCESS" in s["actions"] and "SCMP_ACT_NOTIFY" not in s["actions"] and len(s["operators"]) == 7 and "SCMP_CMP_MASKED_EQ" in s["operators"] and "SCMP_ARCH_X86_64" in s["archs"] and "SECCOMP_FILTER_FLAG_LOG" in s["knownFlags"]' <<<"$OUT" 2>/dev/null
	ok $? "features: linux.seccomp enabled, its actions (no NOTIFY), operators, archs, flags"
else
	skip 1 "features does not list linux.seccomp yet (oci-cli.c: oci_seccomp_features())"
fi

# --- bad input: 125, the JSON path ---
bad() {	# bad REGEX DESCRIPTION SECCOMP-DICT
	orun "$(args /probe exit 0)" "$(sc "$3")"
	like "$RC:$ERR" "^125:.*nook-oci: config\\.json: linux\\.seccomp$1" "$2"
}
bad '\.syscalls\[1\]\.action: "SCMP_ACT_NOPE": unknown action' "an unknown action: 125, its path" \
	"{$ALLOW, 'syscalls': [{'names': ['getpid'], 'action': 'SCMP_ACT_ERRNO'}, {'names': ['getpid'], 'action': 'SCMP_ACT_NOPE'}]}"
bad '\.defaultAction: "allow": unknown action' "an unknown default action" "{'defaultAction': 'allow'}"
bad '\.defaultAction: missing' "no defaultAction" "{'syscalls': []}"
bad '\.syscalls\[0\]\.args\[1\]\.op: "SCMP_CMP_XX": unknown operator' "an unknown operator: its path" \
	"{$ALLOW, 'syscalls': [{'names': ['personality'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': 1, 'op': 'SCMP_CMP_EQ'}, {'index': 1, 'value': 1, 'op': 'SCMP_CMP_XX'}]}]}"
bad '\.architectures\[1\]: "SCMP_ARCH_VAX": unknown architecture' "an unknown architecture: its path" \
	"{$ALLOW, 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_VAX']}"
bad '\.syscalls\[0\]\.action: "SCMP_ACT_NOTIFY": not supported' "SCMP_ACT_NOTIFY: refused (no listener)" \
	"{$ALLOW, 'syscalls': [{'names': ['getpid'], 'action': 'SCMP_ACT_NOTIFY'}]}"
bad '\.listenerPath: not supported' "listenerPath: refused" \
	"{$ALLOW, 'listenerPath': '/run/agent.sock', 'listenerMetadata': 'x'}"
bad '\.flags\[0\]: "SECCOMP_FILTER_FLAG_NEW_LISTENER": not supported' "a flag libseccomp cannot set: refused" \
	"{$ALLOW, 'flags': ['SECCOMP_FILTER_FLAG_NEW_LISTENER']}"
bad '\.syscalls\[0\]\.errnoRet: only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE' "errnoRet with SCMP_ACT_ALLOW: refused" \
	"{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['getpid'], 'action': 'SCMP_ACT_ALLOW', 'errnoRet': 1}]}"
bad '\.syscalls\[0\]\.args\[0\]\.index: 6 is out of range' "an argument index past 5" \
	"{$ALLOW, 'syscalls': [{'names': ['getpid'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 6, 'value': 1, 'op': 'SCMP_CMP_EQ'}]}]}"
bad '\.syscalls\[0\]\.args\[0\]\.value: -1: expected a number' "a negative value" \
	"{$ALLOW, 'syscalls': [{'names': ['getpid'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': -1, 'op': 'SCMP_CMP_EQ'}]}]}"
bad '\.syscalls\[0\]\.comment: not supported yet' "an unknown member: named" \
	"{$ALLOW, 'syscalls': [{'names': ['getpid'], 'action': 'SCMP_ACT_ERRNO', 'comment': 'x'}]}"
bad '\.syscalls\[0\]\.errnoRet: 65536 is out of range' "errnoRet past 16 bits" \
	"{$ALLOW, 'syscalls': [{'names': ['getpid'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 65536}]}"
bad '\.syscalls\[0\]\.names: missing' "a rule without names" "{$ALLOW, 'syscalls': [{'action': 'SCMP_ACT_ERRNO'}]}"
bad ': expected object, not array' "not an object" "[]"
orun "$(args /probe exit 0)" "$(sc "{'defaultAction': 'SCMP_ACT_NOPE', 'architectures': ['SCMP_ARCH_NOPE'], 'syscalls': [{'names': ['getpid'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 9, 'value': 0, 'op': 'EQ'}]}]}")"
is "$RC:$(grep -c 'linux\.seccomp' <<<"$ERR")" "125:4" "every bad value of the profile is named, in one run"

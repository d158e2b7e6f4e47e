#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-oci's hooks (spawner/oci-hooks.c): config.json's "hooks" checked by
# the loader (125 and the JSON path from nook-oci run), and the runner
# driven by tests/helpers/oci/hooks-driver.c, apart from the lifecycle:
# the state JSON on stdin byte for byte, args and env exact, no
# descriptor and no blocked or ignored signal of nook's, exit status,
# signal and timeout errors naming the hook, the order, a failure that
# stops createRuntime but not poststart, and a hook run in the
# namespaces of another process (UTS, mount, PID, user).
. "$(dirname "$0")/lib.sh"
need_cmd timeout mktemp "$PY"
DRV=$BUILD/tests/oci-hooks-driver
OCI=$BUILD/nook-oci
# build-or-skip: the driver is no part of `make all`
if [ ! -x "$DRV" ] || [ "$TOP/spawner/oci-hooks.c" -nt "$DRV" ] ||
    [ "$TOP/tests/helpers/oci/hooks-driver.c" -nt "$DRV" ]; then
	make -s -C "$TOP" "B=$BUILD" "$DRV" >/dev/null 2>&1 ||
		skip_all "cannot build $DRV (make B=$BUILD $DRV)"
fi
test_tmp oci-hooks
B=$W/b
mkdir -p "$B/rootfs"

plan 35

# conf HOOKS: $B/config.json with d['hooks'] = HOOKS (a Python literal)
conf() {
	"$PY" - "$B/config.json" "$1" <<-'EOF'
	import json, sys
	d = {"ociVersion": "1.0.2", "root": {"path": "rootfs"},
	     "process": {"args": ["/bin/true"], "cwd": "/"},
	     "linux": {"namespaces": [{"type": "mount"}]}}
	d["hooks"] = eval(sys.argv[2])
	with open(sys.argv[1], "w") as f:
	    json.dump(d, f)
	EOF
}
# drv KIND [NS-PID]: the driver on $B with $W/state.json: RC OUT ERR, and
# the time it took in T (seconds)
drv() {
	local t0=$EPOCHREALTIME
	LEAKED_VAR=1 timeout -k 5 30 "$DRV" "$B" "$1" "$W/state.json" ${2:+"$2"} \
		>"$W/out" 2>"$W/err" </dev/null
	RC=$?
	T=$(fsub "$EPOCHREALTIME" "$t0")
	OUT=$(<"$W/out")
	ERR=$(<"$W/err")
}
STATE='{"ociVersion":"1.2.0","id":"hk","status":"creating","pid":4242,"bundle":"/srv/b","annotations":{"a":"x y","\u00e9":"\"q\"\\n"}}'
printf '%s' "$STATE" >"$W/state.json"

# --- the state JSON on stdin ---
conf "{'createRuntime': [{'path': '/bin/cat'}]}"
drv createRuntime
cmp -s "$W/out" "$W/state.json"
ok $? "the state JSON reaches the hook's stdin intact (rc $RC)"
"$PY" -c 'import sys; sys.stdout.write("{\"pad\": \"" + "x" * 300000 + "\"}")' >"$W/state.json"
drv createRuntime
cmp -s "$W/out" "$W/state.json"
ok $? "a state of 300 KB (more than a pipe holds) reaches it whole"
conf "{'createRuntime': [{'path': '/bin/true'}]}"
drv createRuntime
is "$RC:$ERR" "0:" "a hook that does not read its stdin: no error, no SIGPIPE"
like "$T" '^[0-2]\.' "  and no wait for it to read (${T}s)"
printf '%s' "$STATE" >"$W/state.json"

# --- args, env ---
conf "{'prestart': [{'path': '/bin/sh', 'args': ['sh', '-c', 'printf \"[%s]\" \"\$0\" \"\$@\"', 'zero', 'a  b', '*', '']}]}"
drv prestart
is "$RC:$OUT" "0:[zero][a  b][*][]" "args: taken as execv's argv, word for word"
if [ -n "$BUSYBOX" ]; then
	conf "{'prestart': [{'path': '$BUSYBOX', 'args': ['echo', 'argv0', 'is', 'args[0]']}]}"
	drv prestart
	is "$RC:$OUT" "0:argv0 is args[0]" "args[0] is the hook's argv[0] (busybox runs it as echo)"
else
	skip 1 "no static busybox"
fi
conf "{'prestart': [{'path': '/usr/bin/env', 'env': ['A=1', 'B=x y', 'PATH=/nowhere']}]}"
drv prestart
is "$RC:$(tr '\n' '|' <<<"$OUT")" "0:A=1|B=x y|PATH=/nowhere|" "env: exactly the hook's, nothing of ours"
conf "{'prestart': [{'path': '/usr/bin/env'}]}"
drv prestart
is "$RC:$OUT" "0:" "no env: an empty environment"

# --- what nook leaves behind does not reach the hook ---
conf "{'poststart': [{'path': '/bin/ls', 'args': ['ls', '/proc/self/fd']}]}"
drv poststart
is "$RC:$(tr '\n' ' ' <<<"$OUT")" "0:0 1 2 3 " "no descriptor but 0-2 (and ls's own 3); the driver holds 5 and 6"
conf "{'poststart': [{'path': '/bin/cat', 'args': ['cat', '/proc/self/status']}]}"
drv poststart
is "$(grep -E '^Sig(Blk|Ign):' <<<"$OUT" | tr -s '\t\n' '  ')" \
	"SigBlk: 0000000000000000 SigIgn: 0000000000000000 " \
	"an empty signal mask and no ignored signal (the driver blocks all, ignores TERM and INT)"

# --- failures: the hook's JSON path, its path, why ---
conf "{'createRuntime': [{'path': '/bin/sh', 'args': ['sh', '-c', 'exit 3']}]}"
drv createRuntime
is "$RC:$ERR" "1:nook-oci: hooks.createRuntime[0]: /bin/sh: exited with 3" "a non-zero exit: an error naming the hook"
conf "{'createContainer': [{'path': '/bin/true'}, {'path': '/bin/sh', 'args': ['sh', '-c', 'kill -9 \$\$']}]}"
drv createContainer
is "$RC:$ERR" "1:nook-oci: hooks.createContainer[1]: /bin/sh: killed by signal 9" "a hook killed by a signal"
conf "{'prestart': [{'path': '$W/no/such/hook'}]}"
drv prestart
is "$RC:$ERR" "1:nook-oci: hooks.prestart[0]: $W/no/such/hook: No such file or directory" "a hook that is not there: the exec's error"
printf '#!/bin/sh\n' >"$W/noexec"
conf "{'prestart': [{'path': '$W/noexec'}]}"
drv prestart
is "$RC:$ERR" "1:nook-oci: hooks.prestart[0]: $W/noexec: Permission denied" "a hook that is not executable"
conf "{'poststart': [{'path': '/bin/true'}, {'path': '/bin/sleep', 'args': ['sleep', '20'], 'timeout': 1}]}"
drv poststart
is "$RC:$ERR" "1:nook-oci: hooks.poststart[1]: /bin/sleep: timed out after 1 s" "timeout: the hook killed, an error"
fge 2.5 "$T" && fge "$T" 0.9
ok $? "  killed after its timeout, within a second more (${T}s)"
conf "{'poststop': [{'path': '/bin/sh', 'args': ['sh', '-c', 'exec sleep 20'], 'timeout': 2}]}"
drv poststop
fge 3.5 "$T" && fge "$T" 1.9 && [[ $ERR == *"hooks.poststop[0]: /bin/sh: timed out after 2 s" ]]
ok $? "  a timeout of 2 s, the hook exec'ing another program (${T}s)"

# --- order; fatal kinds stop, poststart and poststop go on ---
order() {	# order NAME: a hook that appends NAME to $W/order
	echo "{'path': '/bin/sh', 'args': ['sh', '-c', 'echo $1 >>$W/order']}"
}
failing="{'path': '/bin/false'}"
: >"$W/order"
conf "{'prestart': [$(order p1), $(order p2)], 'poststart': [$(order s1)], 'createRuntime': [$(order r1), $(order r2), $(order r3)]}"
drv createRuntime
is "$RC:$(tr '\n' ' ' <"$W/order")" "0:r1 r2 r3 " "the hooks of a kind run in their order, and only that kind"
: >"$W/order"
drv prestart
is "$RC:$(tr '\n' ' ' <"$W/order")" "0:p1 p2 " "  prestart: its own two"
: >"$W/order"
conf "{'createRuntime': [$(order r1), $failing, $(order r3)]}"
drv createRuntime
is "$RC:$(tr '\n' ' ' <"$W/order"):$ERR" "1:r1 :nook-oci: hooks.createRuntime[1]: /bin/false: exited with 1" \
	"createRuntime: the first failure stops the rest (fatal)"
: >"$W/order"
conf "{'startContainer': [$failing, $(order c2)]}"
drv startContainer
is "$RC:$(tr '\n' ' ' <"$W/order")" "1:" "startContainer: fatal too"
: >"$W/order"
conf "{'poststart': [$failing, $(order s2)], 'poststop': [$(order t1), $failing, $failing, $(order t4)]}"
drv poststart
is "$RC:$(tr '\n' ' ' <"$W/order")" "1:s2 " "poststart: a failure is said, the rest still run"
: >"$W/order"
drv poststop
is "$RC:$(tr '\n' ' ' <"$W/order"):$(grep -c 'exited with 1' <<<"$ERR")" "1:t1 t4 :2" \
	"poststop: every failure said, every hook run"

# --- in the namespaces of another process (createContainer, startContainer) ---
# nsbox [userns]: a process in new UTS, mount and PID namespaces, its
# hostname nsbox, a tmpfs on $W/nsd of its own holding the hook
# $W/nsd/hook; NSPID its pid once ready.  With userns, in a user namespace
# too, whose root is host uid 200000 (host root is not mapped: the hook
# must become its root).
NSBOX_SH='hostname nsbox && mount -t tmpfs hk "$1/nsd" &&
printf "#!/bin/sh\nhostname\ncat /proc/\$\$/comm\ncat /proc/1/comm\nid -u\n" >"$1/nsd/hook" &&
chmod 755 "$1/nsd/hook" && touch "$1/flag/ready" && exec sleep 60'
NSBOX_PY='
import ctypes, os, sys
r, w = os.pipe()
r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    if ctypes.CDLL(None, use_errno=True).unshare(0x10000000):
        sys.exit("unshare CLONE_NEWUSER: " + os.strerror(ctypes.get_errno()))
    os.write(w, b"x")
    os.read(r2, 1)
    os.setresgid(0, 0, 0)
    os.setresuid(0, 0, 0)
    os.execvp("unshare", sys.argv[1:])
os.read(r, 1)
for m in ("uid_map", "gid_map"):
    with open("/proc/%d/%s" % (pid, m), "w") as f:
        f.write("0 200000 65536")
os.write(w2, b"x")
os.waitpid(pid, 0)
'
nsbox() {
	local pre=() p
	rm -f "$W/flag/ready"
	mkdir -p "$W/nsd" "$W/flag"
	chmod 1777 "$W/flag"	# the user namespace's root is not ours
	[ "${1:-}" = userns ] && pre=("$PY" -c "$NSBOX_PY")
	"${pre[@]}" unshare --uts --mount --pid --fork --mount-proc --kill-child \
		-- /bin/sh -c "$NSBOX_SH" sh "$W" >/dev/null 2>"$W/nsbox.err" </dev/null &
	UPID=$!
	at_cleanup "kill -KILL $UPID; wait $UPID"
	NSPID=
	wait_for 10 test -e "$W/flag/ready" || return 1
	p=$UPID
	[ "${1:-}" = userns ] && p=$(children "$UPID")	# the unshare
	at_cleanup "kill -KILL $p"
	NSPID=$(children "$p")
}
conf "{'createContainer': [{'path': '$W/nsd/hook'}]}"
if [ "$(id -u)" = 0 ] && nsbox && [ -n "$NSPID" ]; then
	drv createContainer "$NSPID"
	is "$RC:$(sed -n 1p "$W/out")" "0:nsbox" "ns_pid: the hook sees the namespace's hostname"
	is "$(sed -n 2,3p "$W/out" | tr '\n' ' ')" 'hook sleep ' \
		"  and its PID namespace: the hook itself, not only its children"
	is "$(sed -n 4p "$W/out")" 0 "  as root"
	drv createContainer
	like "$RC:$ERR" "^1:.*hooks\.createContainer\[0\]: $W/nsd/hook: No such file" \
		"  its path is looked up in the namespace's mounts (without ns_pid: not there)"
	kill -KILL "$UPID" 2>/dev/null
	wait "$UPID" 2>/dev/null
	drv createContainer "$NSPID"
	like "$RC:$ERR" "^1:nook-oci: hooks\.createContainer: the container's process $NSPID: " \
		"  a process that is gone: an error, no hook run"
else
	skip 5 "no process in new namespaces here (needs root and unshare: $(cat "$W/nsbox.err" 2>/dev/null))"
fi
if [ "$(id -u)" = 0 ] && nsbox userns && [ -n "$NSPID" ]; then
	conf "{'startContainer': [{'path': '$W/nsd/hook'}]}"
	drv startContainer "$NSPID"
	is "$RC:$(sed -n 1p "$W/out"):$(sed -n 4p "$W/out")" "0:nsbox:0" \
		"ns_pid in a user namespace too: joined, its root (uid 200000 on the host)"
	kill -KILL "$(children "$UPID")" "$UPID" 2>/dev/null
	wait "$UPID" 2>/dev/null
else
	skip 1 "no user namespace here ($(cat "$W/nsbox.err" 2>/dev/null))"
fi

# --- the loader: a bad hooks section is 125 with its JSON path ---
if [ -x "$OCI" ]; then
	oci_bad() {	# oci_bad HOOKS: nook-oci run of it: RC ERR
		conf "$1"
		timeout -k 5 30 "$OCI" run --bundle "$B" hk >"$W/out" 2>"$W/err" </dev/null
		RC=$?
		ERR=$(<"$W/err")
	}
	oci_bad "{'poststart': [{'path': 'bin/true'}]}"
	like "$RC:$ERR" '^125:nook-oci: config\.json: hooks\.poststart\[0\]\.path: "bin/true": expected an absolute path' \
		"run: a relative path is 125, its JSON path named"
	oci_bad "{'prestart': [{'path': '/bin/true', 'timeout': 0}], 'poststop': [{'path': '/bin/true', 'timeout': -5}]}"
	like "$RC:$(tr '\n' ' ' <<<"$ERR")" '^125:.*hooks\.prestart\[0\]\.timeout: 0: expected seconds.*hooks\.poststop\[0\]\.timeout: -5: expected seconds' \
		"run: a timeout of 0 or less, every one named"
	oci_bad "{'prestrat': [{'path': '/bin/true'}]}"
	like "$RC:$ERR" '^125:nook-oci: config\.json: hooks\.prestrat: unknown kind of hook \(did you mean prestart\?\)' \
		"run: an unknown kind of hook"
	oci_bad "{'createRuntime': [{'args': ['x']}]}"
	like "$RC:$ERR" '^125:nook-oci: config\.json: hooks\.createRuntime\[0\]\.path: missing' "run: a hook without its path"
	oci_bad "{'startContainer': [{'path': '/x', 'args': [1], 'env': ['NOEQUALS'], 'when': 'now'}], 'poststart': {}}"
	like "$RC:$(tr '\n' ' ' <<<"$ERR")" '^125:.*startContainer\[0\]\.args\[0\]: expected string, not int.*startContainer\[0\]\.env\[0\]: "NOEQUALS": expected NAME=VALUE.*startContainer\[0\]\.when: not supported yet.*hooks\.poststart: expected array, not object' \
		"run: args, env, an unknown field and a kind not an array, at once"
else
	skip 5 "$OCI not built (make B=$BUILD)"
fi
conf "{'createRuntime': [{'path': 'true'}]}"
drv createRuntime
like "$RC:$ERR" '^125:nook-oci: config\.json: hooks\.createRuntime\[0\]\.path: "true": expected an absolute path' \
	"the driver's loader says the same"
done_testing

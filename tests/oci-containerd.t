#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-oci under containerd: `ctr run --runc-binary build/nook-oci`, i.e.
# containerd-shim-runc-v2 (the io.containerd.runc.v2 runtime) with
# nook-oci as its BinaryName, as Kubernetes nodes run it.  A private
# containerd 1.6 (own root, state, socket and config, the CRI plugin off)
# in the test's own PID and mount namespaces with a private /run (the
# shims' fixed /run/containerd paths), an image imported from an OCI
# archive made here from a static busybox root.  Exit statuses, output, an
# error of the runtime reaching ctr, --tty and Ctrl-C through the console
# socket, task exec (-t too), ps, kill, a memory limit, delete, and nothing
# left after: no process, no cgroup, no mount, no runtime state.
#
# OCI_RUNTIME=PATH picks another runtime (e.g. $(command -v runc)); the
# host's runc, when there is one, first shows that containerd works here
# (against a script that exits 1: 14 of the 28 points fail, in 43 s).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/engines/lib-engines.sh"
. "$TOP/tests/helpers/engines/lib-oci.sh"

need_cmd containerd ctr containerd-shim-runc-v2 sha256sum tar
oci_isolate oci-containerd
# ---- from here on: PID 1 of our own PID and mount namespaces ----

CPID=
cleanup() {
	local id
	[ -n "$BGPID" ] && kill -KILL "$BGPID" 2>/dev/null
	if [ -n "$CPID" ]; then
		for id in $("${CTR[@]}" task ls -q 2>/dev/null); do
			timeout 10 "${CTR[@]}" task kill -s KILL "$id" >/dev/null 2>&1
			timeout 10 "${CTR[@]}" task delete -f "$id" >/dev/null 2>&1
		done
		for id in $("${CTR[@]}" container ls -q 2>/dev/null); do
			timeout 10 "${CTR[@]}" container delete "$id" >/dev/null 2>&1
		done
		# our containerd, by its pid: TERM, then KILL after 10 s
		kill -TERM "$CPID" 2>/dev/null
		wait_for 10 eval '! kill -0 "$CPID" 2>/dev/null' ||
			kill -KILL "$CPID" 2>/dev/null
		wait "$CPID" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- an OCI image archive of the busybox root, by hand
# blob FILE: FILE moved to blobs/sha256/DIGEST; sets DIG, SIZE
blob() {
	DIG=$(sha256sum <"$1") && DIG=${DIG%% *} && SIZE=$(stat -c %s "$1") &&
		mv "$1" "$T/img/blobs/sha256/$DIG"
}
mk_image() {
	local ld ls cd cs
	mkdir -p "$T"/img/blobs/sha256 &&
		eng_rootfs "$T"/layer.tar && blob "$T"/layer.tar || return 1
	ld=$DIG ls=$SIZE
	printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin:/sbin"],"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$ld" >"$T"/cfg && blob "$T"/cfg || return 1
	cd=$DIG cs=$SIZE
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
		"$cd" "$cs" "$ld" "$ls" >"$T"/man && blob "$T"/man || return 1
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"latest"}}]}' \
		"$DIG" "$SIZE" "$IMG" >"$T"/img/index.json
	echo '{"imageLayoutVersion":"1.0.0"}' >"$T"/img/oci-layout
	tar -C "$T"/img -cf "$T"/bb.tar .
}
IMG=localhost/nook-bb:latest
[ "$(uname -m)" = x86_64 ] || skip_all "the image made here is amd64"
mk_image || { echo "Bail out! cannot make the busybox image"; exit 1; }

# ---- a private containerd
cat >"$T"/config.toml <<EOF
version = 2
root = "$T/root"
state = "$T/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
	"io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
	"io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
	"io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$T/containerd.sock"
[ttrpc]
  address = "$T/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
containerd --config "$T"/config.toml </dev/null >"$T"/containerd.log 2>&1 &
CPID=$!
wait_for 20 test -S "$T"/containerd.sock ||
	skip_all "the private containerd does not start: $(tail -n 3 "$T"/containerd.log | tr '\n' ' ')"
# a containerd namespace of this run only: the cgroups are /$CGP/ID
CTR=(ctr --address "$T"/containerd.sock --namespace "$CGP")
STATE=/run/containerd/runc/$CGP	# the shim's --root for the runtime
OCI_STATE=$STATE
RB=(--runc-binary "$OCI_RUNTIME")
out=$(timeout -k 5 120 "${CTR[@]}" image import "$T"/bb.tar 2>&1) ||
	skip_all "ctr image import fails here: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
# Can containerd run a container here at all?  With the host's runc.
if command -v runc >/dev/null; then
	out=$(timeout -k 5 60 "${CTR[@]}" run --rm --runc-binary "$(command -v runc)" \
		"$IMG" sane echo sane 2>&1 </dev/null)
	[ "$out" = sane ] ||
		skip_all "containerd cannot run a busybox container with runc here: $(head -c 300 <<<"$out" | tr '\n' ' ')"
fi

N=0
# ctrun ARGS... -- CMD...: `ctr run --rm` of a fresh task in the foreground;
# sets ID, RC, OUT, ERR (files), LEFT (the containers ctr left)
ctrun() {
	local o=()
	name
	while [ "$1" != -- ]; do o+=("$1"); shift; done
	shift
	timeout -k 5 60 "${CTR[@]}" run --rm "${RB[@]}" "${o[@]}" "$IMG" "$ID" "$@" \
		</dev/null >"$OUT" 2>"$ERR"
	RC=$?
	LEFT=$("${CTR[@]}" container ls -q 2>&1)
	rmtask "$ID"
}
# cstart ARGS... -- CMD...: the same in the background until "ready" is on
# its stdout; sets BGPID; 1 if never ready (30 s)
cstart() {
	local o=()
	name
	while [ "$1" != -- ]; do o+=("$1"); shift; done
	shift
	"${CTR[@]}" run --rm "${RB[@]}" "${o[@]}" "$IMG" "$ID" "$@" \
		</dev/null >"$OUT" 2>"$ERR" &
	BGPID=$!
	wait_for 30 eval 'grep -q ready "$OUT" || ! kill -0 "$BGPID" 2>/dev/null'
	grep -q ready "$OUT"
}
# cfinish: wait for the background ctr run (30 s); sets RC
cfinish() {
	if ! wait_for 30 eval '! kill -0 "$BGPID" 2>/dev/null'; then
		diag "task $ID still running after 30 s: killing it"
		timeout 10 "${CTR[@]}" task kill -s KILL "$ID" >/dev/null 2>&1
		sleep 1
		kill -KILL "$BGPID" 2>/dev/null
	fi
	wait "$BGPID"
	RC=$?
	BGPID=
	rmtask "$ID"
}
# rmtask ID: the task and container gone, whatever happened to them
rmtask() {
	"${CTR[@]}" task delete -f "$1" >/dev/null 2>&1
	"${CTR[@]}" container delete "$1" >/dev/null 2>&1
}
LOOP='while :; do sleep 100 & wait $!; done'

plan 28
diag "$(containerd --version), runtime $OCI_RUNTIME"

# 1-6: exit statuses, output, an error of the runtime
ctrun -- sh -c 'echo hello; echo to-stderr >&2'
is "$RC/$(cat "$OUT")" 0/hello "ctr run: exit status 0 and the output"
is "$(cat "$ERR")" to-stderr "ctr run: the task's stderr passes through"
ctrun -- sh -c 'exit 7'
is_rc 7 "ctr run: exit status 7"
ctrun -- sh -c 'sh -c "kill -KILL \$\$"; exit $?'
is_rc 137 "ctr run: a process killed by SIGKILL gives 128+9"
ctrun -- /nonexistent
ok "$([ "$RC" != 0 ] && grep -q /nonexistent "$ERR"; echo $?)" \
	"ctr run of a missing program: fails, and the runtime's error naming it reaches ctr"
on_fail show
is "$LEFT" "" "ctr run --rm of a missing program: no container left"

# 7-10: --tty through the console socket: a terminal, then Ctrl-C
name
drive expect:/dev/pts/ wait -- "${CTR[@]}" run --rm -t "${RB[@]}" "$IMG" "$ID" \
	sh -c 'tty; exit 3'
like "$TTYOUT" '^/dev/pts/0' "ctr run -t: the task's stdin is its own /dev/pts/0"
on_fail diag "$DRV"
is "$RC" 3 "ctr run -t: exit status 3 comes back"
rmtask "$ID"
name
drive expect:ready 'send:\x03' wait -- "${CTR[@]}" run --rm -t "${RB[@]}" "$IMG" \
	"$ID" sh -c "trap 'echo got-INT; exit 9' INT; echo ready; $LOOP"
like "$TTYOUT" got-INT "ctr run -t, Ctrl-C: the task's INT trap ran"
on_fail diag "$DRV"
is "$RC" 9 "ctr run -t, Ctrl-C: the trap's exit status 9 comes back"
rmtask "$ID"

# 11-20: a running task: ls, its memory limit, exec, exec -t, ps, kill -s
if cstart --memory-limit 33554432 -- sh -c "trap 'echo got-HUP; exit 42' HUP; echo ready; $LOOP"; then
	read -r t pid st <<<"$("${CTR[@]}" task ls 2>/dev/null | grep "^$ID ")"
	is "$t/$st" "$ID/RUNNING" "ctr task ls: the task is running"
	is "$(cat "/sys/fs/cgroup/memory/$CGP/$ID/memory.limit_in_bytes" 2>&1)" 33554432 \
		"ctr run --memory-limit: the task's cgroup /$CGP/$ID has the limit"
	out=$(timeout 30 "${CTR[@]}" task exec --exec-id e1 "$ID" \
		sh -c 'echo exec-out; echo exec-err >&2' 2>"$T"/exec.err </dev/null)
	is "$out/$(cat "$T"/exec.err)" exec-out/exec-err "ctr task exec: its stdout and stderr"
	timeout 30 "${CTR[@]}" task exec --exec-id e2 "$ID" sh -c 'exit 5' \
		</dev/null >/dev/null 2>&1
	is "$?" 5 "ctr task exec: its exit status 5"
	timeout 30 "${CTR[@]}" task exec --exec-id e0 "$ID" cat /proc/1/cgroup \
		</dev/null >"$T"/cg 2>&1
	is "$?/$(grep -v '^0::' "$T"/cg | grep -vc ":/$CGP/$ID\$")" 0/0 \
		"the task's cgroup is /$CGP/$ID in every v1 hierarchy"
	on_fail diag "$(cat "$T"/cg)"
	out=$(timeout 30 "${CTR[@]}" task exec --exec-id e3 "$ID" \
		sh -c 'read -r _ _ _ ppid _ </proc/1/stat; echo "ppid=$ppid"' </dev/null 2>&1)
	is "$out" ppid=0 "ctr task exec: it joins the task's PID namespace"
	drive expect:/dev/pts/ wait -- "${CTR[@]}" task exec -t --exec-id e4 "$ID" \
		sh -c 'tty; exit 4'
	like "$TTYOUT" '^/dev/pts/[0-9]+' "ctr task exec -t: a terminal of the task's devpts"
	on_fail diag "$DRV"
	is "$RC" 4 "ctr task exec -t: its exit status 4"
	out=$(timeout 30 "${CTR[@]}" task ps "$ID" 2>&1)
	like "$(awk 'NR > 1 { print $1 }' <<<"$out" | tr '\n' ' ')" "(^| )$pid( |$)" \
		"ctr task ps: lists the task's PID $pid (the runtime's ps --format json)"
	on_fail diag "$out"
	timeout 30 "${CTR[@]}" task kill -s HUP "$ID" >/dev/null 2>&1
	cfinish
	is "$RC/$(grep -c got-HUP "$OUT")" 42/1 "ctr task kill -s HUP: the trap ran, its exit status 42"
else
	fail "ctr run: the task did not get ready"
	show
	skip 9 "no task"
	cfinish
fi

# 21-22: ctr task kill: SIGTERM (its default) to a trap, SIGKILL
if cstart -- sh -c "trap 'exit 0' TERM; echo ready; $LOOP"; then
	timeout 30 "${CTR[@]}" task kill "$ID" >/dev/null 2>&1
	cfinish
	is_rc 0 "ctr task kill: SIGTERM reaches the task's trap (exit 0)"
else
	fail "ctr task kill: the task did not get ready"
	cfinish
fi
if cstart -- sh -c "echo ready; $LOOP"; then
	timeout 30 "${CTR[@]}" task kill -s KILL "$ID" >/dev/null 2>&1
	cfinish
	is_rc 137 "ctr task kill -s KILL: 137"
else
	fail "ctr task kill -s KILL: the task did not get ready"
	cfinish
fi

# 23: a detached task, killed, then deleted by hand
name
timeout 30 "${CTR[@]}" run -d "${RB[@]}" "$IMG" "$ID" sleep 1000 </dev/null >/dev/null 2>"$ERR"
timeout 30 "${CTR[@]}" task kill -s KILL "$ID" >/dev/null 2>&1
wait_for 10 eval '"${CTR[@]}" task ls 2>/dev/null | grep -q "^$ID .*STOPPED"'
timeout 30 "${CTR[@]}" task delete "$ID" >/dev/null 2>>"$ERR" &&
	timeout 30 "${CTR[@]}" container delete "$ID" >/dev/null 2>>"$ERR"
ok $? "ctr run -d, task kill, task delete, container delete"
on_fail show

# 24-28: nothing left
is "$("${CTR[@]}" task ls -q 2>&1; "${CTR[@]}" container ls -q 2>&1)" "" \
	"ctr: no task and no container left"
sleep 0.5
oci_leftovers >"$T"/left
is "$(grep ^process "$T"/left)" "" "no process left in the tasks' cgroups"
is "$(grep ^cgroup "$T"/left)" "" "no task cgroup left below /$CGP"
is "$(grep ^mount "$T"/left)" "" "no mount left under $T"
is "$(grep ^state "$T"/left)" "" "the runtime's state dir $STATE (the shim's --root) is empty"

done_testing

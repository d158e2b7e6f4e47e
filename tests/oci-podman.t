#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-oci as Podman's OCI runtime: `podman --runtime build/nook-oci`, as a
# user would plug it in (conmon calls create/start/exec/kill/delete).
# Podman 4.3 with private storage, state and config (vfs, cgroupfs, no
# network) runs an image made with `podman import` from a static busybox
# root.  Exit statuses (also 126/127/137/143), output, -it with `tty` and
# Ctrl-C through the console socket, podman exec (-it too), ps, top,
# kill -s, stop, rm, a memory and a pids limit, and nothing left after:
# no process, no container cgroup, no mount, no runtime state.
#
# OCI_RUNTIME=PATH picks another runtime (e.g. $(command -v runc)); the
# host's runc, when there is one, first shows that podman works here at
# all, so that a runtime that fails everything fails here, not skips (a
# script that exits 1: 23 of the 36 points fail, in 35 s).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/engines/lib-engines.sh"
. "$TOP/tests/helpers/engines/lib-oci.sh"

need_cmd podman conmon
oci_isolate oci-podman
# ---- from here on: PID 1 of our own PID and mount namespaces ----

cleanup() {
	[ -n "$BGPID" ] && kill -KILL "$BGPID" 2>/dev/null
	timeout -k 5 60 "${ENG[@]}" rm -a -f -t 0 >/dev/null 2>&1
	[ -n "${RUNC_ENG:-}" ] && timeout -k 5 60 "${RUNC_ENG[@]}" rm -a -f -t 0 >/dev/null 2>&1
	umount -l /var/lib 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Podman keeps its blob cache in /var/lib/containers/cache whatever its
# --root: it gets a copy-on-write /var/lib whose changes stay in $T.
mkdir -p "$T"/varlib/up "$T"/varlib/work
mount -t overlay nook-varlib -o "lowerdir=/var/lib,upperdir=$T/varlib/up,workdir=$T/varlib/work" /var/lib ||
	skip_all "cannot mount an overlay on /var/lib to keep podman's blob cache private"

# storage, state, locks, events and network config: all under $T
mkdir -p "$T"/net "$T"/libpod
{
	printf '[containers]\nlog_driver = "k8s-file"\n'
	printf '[network]\nnetwork_config_dir = "%s"\n' "$T/net"
	printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
	printf 'tmp_dir = "%s"\nimage_copy_tmp_dir = "%s"\nvolume_path = "%s"\n' \
		"$T/libpod" "$T/tmp" "$T/root/volumes"
} >"$T"/containers.conf
printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' \
	"$T/runroot" "$T/root" >"$T"/storage.conf
echo 'unqualified-search-registries = []' >"$T"/registries.conf
export CONTAINERS_CONF=$T/containers.conf CONTAINERS_STORAGE_CONF=$T/storage.conf \
	CONTAINERS_REGISTRIES_CONF=$T/registries.conf TMPDIR=$T/tmp
PODMAN=(podman --root "$T"/root --runroot "$T"/runroot --storage-driver vfs
	--cgroup-manager cgroupfs --events-backend file)
ENG=("${PODMAN[@]}" --runtime "$OCI_RUNTIME")
# root here cannot raise its hard limits, as podman's defaults would
RUN_OPTS=(--network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096
	--cgroup-parent "/$CGP")
IMG=localhost/nook-bb:latest

eng_rootfs "$T"/bb.tar || { echo "Bail out! cannot make the busybox root"; exit 1; }
out=$(timeout -k 5 120 "${ENG[@]}" import "$T"/bb.tar "$IMG" 2>&1) ||
	skip_all "podman import fails here: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
# Can podman run a container here at all?  With the host's runc: a failure
# there is the host's, not the runtime's under test.
if command -v runc >/dev/null; then
	RUNC_ENG=("${PODMAN[@]}" --runtime "$(command -v runc)")
	out=$(timeout -k 5 90 "${RUNC_ENG[@]}" run --rm "${RUN_OPTS[@]}" "$IMG" \
		echo sane 2>&1 </dev/null)
	[ "$out" = sane ] ||
		skip_all "podman cannot run a busybox container with runc here: $(head -c 300 <<<"$out" | tr '\n' ' ')"
	unset RUNC_ENG
fi

# dstart NAME ARGS...: a detached container that says "ready" on its log
# when it is; 1 if it never does (30 s)
dstart() {
	local n=$1 i
	shift
	timeout -k 5 90 "${ENG[@]}" run -d --name "$n" "${RUN_OPTS[@]}" "$@" \
		</dev/null >"$T/$n.id" 2>"$T/$n.err" || return 1
	for ((i = 0; i < 300; i++)); do
		grep -q ready <("${ENG[@]}" logs "$n" 2>/dev/null) && return 0
		sleep 0.1
	done
	return 1
}
# pwait NAME: its exit status by podman wait (at most 30 s)
pwait() { timeout -k 5 30 "${ENG[@]}" wait "$1" 2>/dev/null; }
pexec() { timeout -k 5 60 "${ENG[@]}" exec "$@" </dev/null 2>"$T/exec.err"; }
LOOP='while :; do sleep 100 & wait $!; done'

plan 37
diag "$(podman --version), $(conmon --version | head -n 1), runtime $OCI_RUNTIME"

# 1-8: exit statuses and output
run "$IMG" sh -c 'echo hello; echo to-stderr >&2'
is "$RC/$(cat "$OUT")" 0/hello "podman run: exit status 0 and the output"
is "$(cat "$ERR")" to-stderr "podman run: the container's stderr passes through"
run "$IMG" sh -c 'exit 7'
is_rc 7 "podman run: exit status 7"
# --init with nook-init: PID 1 is the init Podman mounts, the command its
# child, the status the command's
if [ -x "$BUILD/nook-init" ]; then
	run --init --init-path "$BUILD/nook-init" "$IMG" sh -c \
		'tr "\0" " " </proc/1/cmdline; sleep 5 & exit 6'
	is "$RC/$(cat "$OUT")" "6//run/podman-init -- sh -c tr \"\\0\" \" \" </proc/1/cmdline; sleep 5 & exit 6 " \
		"podman run --init --init-path nook-init: nook-init is PID 1, the status the command's"
else
	skip 1 "no $BUILD/nook-init"
fi
run "$IMG" sh -c 'echo "$1"' sh 'two
lines'
is "$RC/$(cat "$OUT")" "0/two
lines" "podman run: an argument with a newline in it (a script of many lines)"
on_fail show
# 127 and 126 come either from create's error (runc checks the program
# before start; podman makes 127 of "no such file or directory", 126 of
# anything else - any failure, so the error must name the program too) or
# from the container's own exit status (an exec failing inside, as sh's)
run "$IMG" /nonexistent
is "$RC/$(grep -ci '/nonexistent.*\(no such file\|not found\)' "$ERR")" 127/1 \
	"podman run: a missing program gives 127, the runtime's error names it"
on_fail show
run "$IMG" /noexec
is "$RC/$(grep -ci '/noexec.*permission denied' "$ERR")" 126/1 \
	"podman run: a program that cannot be executed gives 126, the error names it"
on_fail show
# (PID 1 of a PID namespace does not die of its own kill: a child does)
run "$IMG" sh -c 'sh -c "kill -KILL \$\$"; exit $?'
is_rc 137 "podman run: a process killed by SIGKILL gives 128+9"
run "$IMG" sh -c 'sh -c "kill -TERM \$\$"; exit $?'
is_rc 143 "podman run: a process killed by SIGTERM gives 128+15"

# 9-12: -it through the console socket: a terminal, then Ctrl-C
drive expect:/dev/pts/ wait -- "${ENG[@]}" run --rm -it "${RUN_OPTS[@]}" "$IMG" \
	sh -c 'tty; exit 3'
like "$TTYOUT" '^/dev/pts/0' "podman run -it: the container's stdin is its own /dev/pts/0"
on_fail diag "$DRV"
is "$RC" 3 "podman run -it: exit status 3 comes back"
drive expect:ready 'send:\x03' wait -- "${ENG[@]}" run --rm -it "${RUN_OPTS[@]}" \
	"$IMG" sh -c "trap 'echo got-INT; exit 9' INT; echo ready; $LOOP"
like "$TTYOUT" got-INT "podman run -it, Ctrl-C: the container's INT trap ran"
on_fail diag "$DRV"
is "$RC" 9 "podman run -it, Ctrl-C: the trap's exit status 9 comes back"

# 13: the container's cgroup in every hierarchy (v1: each controller, and
# name=systemd), as runc does: engines read their stats there
run "$IMG" cat /proc/self/cgroup
is "$RC/$(grep -v '^0::' "$OUT" | grep -vc ":/$CGP/libpod-[0-9a-f]*\$")" 0/0 \
	"podman run: /proc/self/cgroup is /$CGP/libpod-ID in every v1 hierarchy"
on_fail show

# 14-17: a memory and a pids limit, read inside (cgroup v1: the
# container's own memory and pids directories at /sys/fs/cgroup)
run -m 32m "$IMG" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
is "$RC/$(cat "$OUT")" 0/33554432 "podman run -m 32m: memory.limit_in_bytes inside is 32 MiB"
on_fail show
if dstart cm -m 32m "$IMG" sh -c "echo ready; $LOOP"; then
	id=$(cat "$T"/cm.id)
	is "$(cat "/sys/fs/cgroup/memory/$CGP/libpod-$id/memory.limit_in_bytes" 2>&1)" 33554432 \
		"podman run -m 32m: the host's memory cgroup /$CGP/libpod-ID has the limit"
else
	fail "podman run -m 32m: the container did not get ready"
	diag "$(cat "$T"/cm.err)"
fi
timeout 60 "${ENG[@]}" rm -f -t 0 cm >/dev/null 2>&1
run --pids-limit 20 "$IMG" sh -c 'cat /sys/fs/cgroup/pids/pids.max; i=0; while [ $i -lt 40 ]; do sleep 5 & i=$((i + 1)); echo $i; done 2>/dev/null'
read_lines "$OUT"
is "${L[0]}" 20 "podman run --pids-limit 20: pids.max inside is 20"
on_fail show
ok "$([ "$NL" -ge 2 ] && [ "${L[NL - 1]}" -lt 20 ] 2>/dev/null; echo $?)" \
	"podman run --pids-limit 20: the 20th process cannot be forked (started ${L[NL - 1]} of 40)"

# 18-26: a detached container: ps, exec, exec -it, top, kill -s, wait
if dstart c1 "$IMG" sh -c "trap 'echo got-HUP; exit 42' HUP; echo ready; $LOOP"; then
	out=$("${ENG[@]}" ps --format '{{.Names}} {{.Status}}' 2>&1)
	like "$out" '^c1 Up' "podman ps: the container is up"
	out=$(pexec c1 sh -c 'echo exec-out; echo exec-err >&2')
	is "$out/$(cat "$T"/exec.err)" exec-out/exec-err "podman exec: its stdout and stderr"
	pexec c1 sh -c 'exit 5' >/dev/null
	is "$?" 5 "podman exec: its exit status 5"
	drive expect:/dev/pts/ wait -- "${ENG[@]}" exec -it c1 sh -c 'tty; exit 4'
	like "$TTYOUT" '^/dev/pts/[0-9]+' "podman exec -it: a terminal of the container's devpts"
	on_fail diag "$DRV"
	is "$RC" 4 "podman exec -it: its exit status 4"
	out=$(timeout 30 "${ENG[@]}" top c1 pid args 2>&1)
	like "$out" "1 +sh -c trap" "podman top: PID 1 is the container's shell"
	pexec c1 sh -c 'cat /proc/1/status' >"$T"/st1
	like "$(grep -E '^(NSpid|PPid)' "$T"/st1 | tr '\n' ' ')" 'PPid:.0 ' \
		"podman exec: it joins the container's PID namespace (PID 1 has no parent)"
	timeout 30 "${ENG[@]}" kill -s HUP c1 >/dev/null 2>&1
	is "$(pwait c1)" 42 "podman kill -s HUP: the trap's exit status 42"
	like "$("${ENG[@]}" logs c1 2>&1)" got-HUP "podman kill -s HUP: the trap ran"
else
	fail "podman run -d: the container did not get ready"
	diag "$(cat "$T"/c1.err)"
	skip 8 "no container"
fi

# 27-29: podman stop: SIGTERM to a trap; SIGKILL after -t to an ignorer;
# podman kill's default SIGKILL
if dstart c2 "$IMG" sh -c "trap 'exit 0' TERM; echo ready; $LOOP"; then
	timeout 60 "${ENG[@]}" stop -t 20 c2 >/dev/null 2>&1
	is "$(pwait c2)" 0 "podman stop: SIGTERM reaches the container's trap (exit 0)"
else
	fail "podman stop: the container did not get ready"
fi
if dstart c3 "$IMG" sh -c "trap '' TERM; echo ready; $LOOP"; then
	timeout 60 "${ENG[@]}" stop -t 1 c3 >/dev/null 2>&1
	is "$(pwait c3)" 137 "podman stop -t 1: SIGKILL for what ignores SIGTERM (137)"
else
	fail "podman stop -t 1: the container did not get ready"
fi
if dstart c4 "$IMG" sh -c "echo ready; $LOOP"; then
	timeout 60 "${ENG[@]}" kill c4 >/dev/null 2>&1
	is "$(pwait c4)" 137 "podman kill: SIGKILL (137)"
else
	fail "podman kill: the container did not get ready"
fi

# 30-31: podman rm, also of a running container (rm -f -t 0)
if dstart c5 "$IMG" sh -c "echo ready; $LOOP"; then
	timeout 60 "${ENG[@]}" rm -f -t 0 c5 >/dev/null 2>"$T"/rm.err
	ok $? "podman rm -f: a running container"
	on_fail diag "$(cat "$T"/rm.err)"
else
	fail "podman rm -f: the container did not get ready"
fi
timeout 60 "${ENG[@]}" rm c1 c2 c3 c4 >/dev/null 2>"$T"/rm.err
ok $? "podman rm: the exited ones"
on_fail diag "$(cat "$T"/rm.err)"

# 32-36: nothing left
is "$("${ENG[@]}" ps -a --format '{{.Names}}' 2>&1)" "" "podman ps -a: no container left"
sleep 0.5
oci_leftovers 'libpod-*' >"$T"/left
is "$(grep ^process "$T"/left)" "" "no process left in the containers' cgroups"
is "$(grep ^cgroup "$T"/left)" "" "no container cgroup left below /$CGP"
is "$(grep ^mount "$T"/left)" "" "no mount left under $T"
is "$(grep ^state "$T"/left)" "" "the runtime's state dir $OCI_STATE is empty"

done_testing

#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-init as the init of Podman containers: `podman run --init
# --init-path build/nook-init`, as a user would drop it in.  Podman with
# private storage and config (vfs, cgroupfs, runc, no network) runs an image
# made with `podman import` from a static busybox root.  Exit statuses,
# reaping (also of `podman exec`'d orphans), `podman kill -s`, `podman stop`
# ending on nook-init's grace period rather than podman's timeout, and a
# terminal (-t, -it with Ctrl-C); containers.conf's init_path.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/engines/lib-engines.sh"

need_cmd podman runc
eng_isolate podman
# ---- from here on: PID 1 of our own PID and mount namespaces ----

cleanup() {
	[ -n "$BGPID" ] && kill -KILL "$BGPID" 2>/dev/null
	timeout -k 5 60 "${ENG[@]}" rm -a -f -t 0 >/dev/null 2>&1
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
conf() {	# conf [KEY = VALUE...]: a containers.conf, extra [containers] keys
	printf '[containers]\n'
	printf '%s\n' "$@"
	printf '[network]\nnetwork_config_dir = "%s"\n' "$T/net"
	printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
	printf 'runtime = "runc"\ntmp_dir = "%s"\n' "$T/libpod"
	printf 'image_copy_tmp_dir = "%s"\nvolume_path = "%s"\n' "$T/tmp" "$T/root/volumes"
}
conf >"$T"/containers.conf
conf "init_path = \"$NOOK_INIT\"" >"$T"/containers-init.conf
printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' \
	"$T/runroot" "$T/root" >"$T"/storage.conf
echo 'unqualified-search-registries = []' >"$T"/registries.conf
export CONTAINERS_CONF=$T/containers.conf CONTAINERS_STORAGE_CONF=$T/storage.conf \
	CONTAINERS_REGISTRIES_CONF=$T/registries.conf TMPDIR=$T/tmp
# runc: crun refuses a cgroup v1 hybrid host such as this one
ENG=(podman --root "$T"/root --runroot "$T"/runroot --storage-driver vfs
	--cgroup-manager cgroupfs --runtime runc --events-backend file)
# root here cannot raise its hard limits, as podman's defaults would
RUN_OPTS=(--network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096
	--cgroup-parent "/$CGP" -v "$SHARED":/shared)
INIT=(--init --init-path "$NOOK_INIT")
IMG=localhost/nook-bb:latest

eng_rootfs "$T"/bb.tar || { echo "Bail out! cannot make the busybox root"; exit 1; }
out=$(timeout -k 5 120 "${ENG[@]}" import "$T"/bb.tar "$IMG" 2>&1) ||
	skip_all "podman import fails here: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
# Can podman run a container here at all?  Without nook-init: a failure
# here is the host's, not ours.
run "$IMG" sh -c 'echo sane'
if [ "$RC" != 0 ] || [ "$(cat "$OUT")" != sane ]; then
	skip_all "podman cannot run a busybox container here: $(head -c 300 "$ERR" | tr '\n' ' ')"
fi

plan 27
diag "$(podman --version), $(runc --version | head -n 1), $INITVER"

# 1-7: exit statuses, also nook-init's own 126 and 127
run "${INIT[@]}" "$IMG" sh -c 'exit 7'
is_rc 7 "exit status 7 passes through podman run --init"
run "${INIT[@]}" "$IMG" sh -c 'exit 0'
is_rc 0 "exit status 0 passes through"
run "${INIT[@]}" "$IMG" sh -c 'kill -KILL $$'
is_rc 137 "a child killed by SIGKILL gives 128+9"
run "${INIT[@]}" "$IMG" sh -c 'kill -TERM $$'
is_rc 143 "a child killed by SIGTERM gives 128+15"
run "${INIT[@]}" "$IMG" /nonexistent
is_rc 127 "a missing program gives 127"
like "$(cat "$ERR")" '^nook-init: /nonexistent: ' "a missing program: nook-init says so (not podman)"
run "${INIT[@]}" "$IMG" /noexec
is_rc 126 "a program that cannot be executed gives 126"

# 8-9: nook-init is PID 1 and the child's parent; stderr passes through
run "${INIT[@]}" "$IMG" sh -c 'echo "ppid=$PPID $(/proc/1/exe --version)"; echo to-stderr >&2'
is "$RC/$(cat "$OUT")" "0/ppid=1 $INITVER" "PID 1 is nook-init, the child's parent"
is "$(cat "$ERR")" to-stderr "the child's stderr passes through"

# 10-11: orphans re-parented to nook-init are reaped
run "${INIT[@]}" "$IMG" sh -c "$ORPHANS; $ZOMBIES"
is_rc 0 "a child making short-lived orphans exits 0"
is "$(cat "$OUT")" zombies=0 "nook-init reaps orphans"

# 12-13: ... and the orphans of a process that entered with podman exec
rm -f "$SHARED"/*
start "${INIT[@]}" "$IMG" sh -c '
	echo ready >/shared/ready
	while [ ! -e /shared/go ]; do sleep 0.1; done
	exit 4'
if await "$SHARED"/ready; then
	timeout 60 "${ENG[@]}" exec "$ID" sh -c "$ORPHANS" </dev/null >/dev/null 2>&1
	z=$(timeout 60 "${ENG[@]}" exec "$ID" sh -c "$ZOMBIES" </dev/null 2>&1)
	touch "$SHARED"/go
	finish 30
	is "$z" zombies=0 "podman exec: the orphans it leaves are reaped"
	is_rc 4 "podman exec: then the child's exit status 4 comes back"
else
	touch "$SHARED"/go
	finish 5
	fail "podman exec: the container did not get ready"
	skip 1 "no container"
	show
fi

# 14-16: podman kill -s TERM reaches the child through nook-init
rm -f "$SHARED"/*
start "${INIT[@]}" "$IMG" sh -c '
	trap "echo got-TERM; echo TERM >/shared/term; exit 0" TERM
	echo ready >/shared/ready
	while :; do sleep 100 & wait $!; done'
if await "$SHARED"/ready; then
	timeout 60 "${ENG[@]}" kill -s TERM "$ID" >/dev/null
	finish 30
	is_rc 0 "podman kill -s TERM: the child traps it and exits 0"
	is "$(cat "$SHARED"/term 2>/dev/null)" TERM "podman kill -s TERM: the child's trap wrote its marker"
	is "$(cat "$OUT")" got-TERM "podman kill -s TERM: the child's stdout has its marker"
else
	finish 1
	fail "podman kill -s TERM: the container did not get ready"
	skip 2 "no container"
	show
fi

# 17-18: podman kill -s HUP; the child's exit status comes back
rm -f "$SHARED"/*
start "${INIT[@]}" "$IMG" sh -c '
	trap "echo got-HUP; exit 42" HUP
	echo ready >/shared/ready
	while :; do sleep 100 & wait $!; done'
if await "$SHARED"/ready; then
	timeout 60 "${ENG[@]}" kill -s HUP "$ID" >/dev/null
	finish 30
	is_rc 42 "podman kill -s HUP: forwarded; the child's exit status 42 comes back"
	is "$(cat "$OUT")" got-HUP "podman kill -s HUP: the child's stdout has its marker"
else
	finish 1
	fail "podman kill -s HUP: the container did not get ready"
	skip 1 "no container"
	show
fi

# 19-22: podman stop -t 10 with a straggler that ignores SIGTERM: nook-init
# kills it after its own grace period (NOOK_INIT_GRACE=2) and exits with
# the child's status; podman's 10 s timeout and SIGKILL (137) never come
rm -f "$SHARED"/*
start -e NOOK_INIT_GRACE=2 "${INIT[@]}" "$IMG" sh -c '
	(sh -c "trap \"\" TERM; echo ready >/shared/ignorer-ready
		exec sleep 1000" &)
	trap "exit 0" TERM
	echo ready >/shared/ready
	while :; do sleep 100 & wait $!; done'
if await "$SHARED"/ready && await "$SHARED"/ignorer-ready; then
	T0=$(now)
	timeout 60 "${ENG[@]}" stop -t 10 "$ID" >/dev/null 2>"$T"/stop.err
	src=$?
	finish 30
	is "$src" 0 "podman stop -t 10: succeeds"
	is_rc 0 "podman stop -t 10: the child's status 0, not podman's SIGKILL (137)"
	within 1.5 9 "podman stop -t 10: over after nook-init's 2 s grace, well before podman's 10 s"
	diag "podman stop -t 10 with a SIGTERM-ignoring straggler took ${SECS}s"
	is "$(cat "$T"/stop.err)" "" "podman stop -t 10: no warning of podman resorting to SIGKILL"
else
	finish 1
	fail "podman stop: the container did not get ready"
	skip 3 "no container"
	show
fi

# 23-24: a terminal (-t): the child is the foreground process group of
# the container's pty (its own group, not nook-init's), so it may change
# the tty settings
ptyrun plain -t "${INIT[@]}" "$IMG" sh -c '
	read -r pid _ _ _ pgrp _ _ tpgid _ </proc/$$/stat
	stty -echo && echo "fg-ok $(tty) own=$((pid == pgrp)) fg=$((tpgid == pgrp))"
	exit 3'
is_rc 3 "podman run -t: exit status 3 comes back"
like "$(cat "$OUT")" 'fg-ok /dev/pts/[0-9]+ own=1 fg=1' "podman run -t: the child's own process group is the foreground one"

# 25-26: -it and Ctrl-C typed at the terminal: SIGINT reaches the child
ptyrun ctrlc -it "${INIT[@]}" "$IMG" sh -c '
	trap "echo got-INT; exit 9" INT
	echo ready
	while :; do sleep 100 & wait $!; done'
is_rc 9 "podman run -it, Ctrl-C: the child's INT trap exits 9"
like "$(cat "$OUT")" got-INT "podman run -it, Ctrl-C: the child's trap ran"

# 27: containers.conf's [containers] init_path, and a plain --init.
# (Podman 4.3 does not act on `init = true` there: --init is needed.)
CONTAINERS_CONF=$T/containers-init.conf run --init "$IMG" sh -c 'echo "ppid=$PPID $(/proc/1/exe --version)"'
is "$RC/$(cat "$OUT")" "0/ppid=1 $INITVER" "containers.conf init_path and podman run --init: PID 1 is nook-init"

done_testing

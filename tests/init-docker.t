#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-init as Docker's init: a private dockerd (own data-root, exec-root,
# socket and cgroup parent, no bridge, no iptables, vfs) started with
# `--init-path build/nook-init`, and `docker run --init` on an image made
# with `docker import` from a static busybox root.  dockerd's reading of
# `nook-init --version`, exit statuses, reaping (also of `docker exec`'d
# orphans), `docker kill -s`, `docker stop` (stragglers get SIGTERM; one
# that ignores it does not wait for docker's timeout), a terminal (-t, -it
# with Ctrl-C), and daemon.json's "init" and "init-path".
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/engines/lib-engines.sh"

DOCKERD=${NOOK_DOCKERD:-$(command -v dockerd || echo /usr/sbin/dockerd)}
[ -x "$DOCKERD" ] || skip_all "dockerd not installed (install docker.io)"
need_cmd containerd runc
# the client that came with this dockerd (Debian's docker.io: /usr/bin)
# before another one earlier in PATH
DOCKER=${NOOK_DOCKER:-}
if [ -z "$DOCKER" ]; then
	DOCKER=$(dirname "$(dirname "$DOCKERD")")/bin/docker
	[ -x "$DOCKER" ] || DOCKER=$(command -v docker)
fi
[ -n "$DOCKER" ] && [ -x "$DOCKER" ] || skip_all "no docker client (install docker.io)"
eng_isolate docker
# ---- from here on: PID 1 of our own PID and mount namespaces ----

DPID=
cleanup() {
	[ -n "$BGPID" ] && kill -KILL "$BGPID" 2>/dev/null
	[ -n "$DPID" ] && stop_dockerd
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export DOCKER_HOST=unix://$T/docker.sock DOCKER_CONFIG=$T/client
ENG=("$DOCKER")
RUN_OPTS=(--network none -v "$SHARED":/shared)
IMG=nook-bb
# dockerd before 23.0 writes a key to /etc/docker/key.json unless its
# config names another file; and our own /etc/docker, just in case
KEY=
major=$("$DOCKERD" --version 2>/dev/null | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p')
[ -n "$major" ] && [ "$major" -lt 23 ] && KEY="\"deprecated-key-path\": \"$T/key.json\""
[ -d /etc/docker ] && mount -t tmpfs -o mode=755 nook-etc-docker /etc/docker
# daemon_json [KEY-VALUE...]: a daemon.json on stdout
daemon_json() {
	local kv sep=
	printf '{'
	for kv in ${KEY:+"$KEY"} "$@"; do
		printf '%s\n\t%s' "$sep" "$kv"
		sep=,
	done
	printf '\n}\n'
}

# start_dockerd CONFIG [OPTIONS...]: a private dockerd; DPID
start_dockerd() {
	local i
	"$DOCKERD" --config-file "$1" --data-root "$T"/data \
		--exec-root "$T"/exec -H "$DOCKER_HOST" --pidfile "$T"/docker.pid \
		--bridge=none --iptables=false --ip6tables=false \
		--ip-forward=false --ip-masq=false --storage-driver vfs \
		--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$CGP" \
		"${@:2}" >>"$T"/dockerd.log 2>&1 &
	DPID=$!
	for ((i = 0; i < 600; i++)); do
		"$DOCKER" version >/dev/null 2>&1 && return 0
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}
# stop_dockerd: SIGTERM to our dockerd, SIGKILL after 60 s; DRC, DSECS
stop_dockerd() {
	local i t0
	t0=$(now)
	kill -TERM "$DPID" 2>/dev/null
	for ((i = 0; i < 600; i++)); do
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$DPID" 2>/dev/null
	wait "$DPID"
	DRC=$?
	DSECS=$(elapsed "$t0")
	DPID=
}

daemon_json >"$T"/daemon.json
if ! start_dockerd "$T"/daemon.json --init-path "$NOOK_INIT"; then
	why=$(grep -v -i 'level=info' "$T"/dockerd.log | tail -n 3 | tr '\n' ' ')
	[ -n "$DPID" ] && stop_dockerd
	skip_all "a private dockerd does not start here: $why"
fi
eng_rootfs "$T"/bb.tar || { echo "Bail out! cannot make the busybox root"; exit 1; }
out=$(timeout -k 5 120 "$DOCKER" import "$T"/bb.tar "$IMG" 2>&1) ||
	skip_all "docker import fails here: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
# Can docker run a container here at all?  Without nook-init: a failure
# here is the host's, not ours.
run "$IMG" sh -c 'echo sane'
if [ "$RC" != 0 ] || [ "$(cat "$OUT")" != sane ]; then
	skip_all "docker cannot run a busybox container here: $(head -c 300 "$ERR" | tr '\n' ' ')"
fi

plan 32
diag "dockerd $("$DOCKER" version -f '{{.Server.Version}}' 2>&1), client $("$DOCKER" version -f '{{.Client.Version}}' 2>&1), $INITVER"

# 1-2: dockerd runs `nook-init --version` and reads the commit from it
# ("tini version X - git.COMMIT": the version only after "tini version ")
commit=$(sed -n 's/.* - git\.\([^ ]*\)$/\1/p' <<<"$INITVER")
v=$("$DOCKER" version -f '{{range .Server.Components}}{{.Name}}={{.Details.GitCommit}};{{end}}' 2>&1)
like "$v" "(^|;)nook-init=$commit;" "docker version: a nook-init component with its git commit $commit"
v=$("$DOCKER" info -f '{{.InitBinary}} {{.InitCommit.ID}}' 2>&1)
is "$v" "$NOOK_INIT $commit" "docker info: init binary and init version (not N/A)"

# 3-9: exit statuses, also nook-init's own 126 and 127
run --init "$IMG" sh -c 'exit 7'
is_rc 7 "exit status 7 passes through docker run --init"
run --init "$IMG" sh -c 'exit 0'
is_rc 0 "exit status 0 passes through"
run --init "$IMG" sh -c 'kill -KILL $$'
is_rc 137 "a child killed by SIGKILL gives 128+9"
run --init "$IMG" sh -c 'kill -TERM $$'
is_rc 143 "a child killed by SIGTERM gives 128+15"
run --init "$IMG" /nonexistent
is_rc 127 "a missing program gives 127"
like "$(cat "$ERR")" '^nook-init: /nonexistent: ' "a missing program: nook-init says so (not docker)"
run --init "$IMG" /noexec
is_rc 126 "a program that cannot be executed gives 126"

# 10-11: nook-init is PID 1 and the child's parent; stderr passes through
run --init "$IMG" sh -c 'echo "ppid=$PPID $(/proc/1/exe --version)"; echo to-stderr >&2'
is "$RC/$(cat "$OUT")" "0/ppid=1 $INITVER" "PID 1 is nook-init, the child's parent"
is "$(cat "$ERR")" to-stderr "the child's stderr passes through"

# 12-13: orphans re-parented to nook-init are reaped
run --init "$IMG" sh -c "$ORPHANS; $ZOMBIES"
is_rc 0 "a child making short-lived orphans exits 0"
is "$(cat "$OUT")" zombies=0 "nook-init reaps orphans"

# 14-15: ... and the orphans of a process that entered with docker exec
rm -f "$SHARED"/*
start --init "$IMG" sh -c '
	echo ready >/shared/ready
	while [ ! -e /shared/go ]; do sleep 0.1; done
	exit 4'
if await "$SHARED"/ready; then
	timeout 60 "$DOCKER" exec "$ID" sh -c "$ORPHANS" </dev/null >/dev/null 2>&1
	z=$(timeout 60 "$DOCKER" exec "$ID" sh -c "$ZOMBIES" </dev/null 2>&1)
	touch "$SHARED"/go
	finish 30
	is "$z" zombies=0 "docker exec: the orphans it leaves are reaped"
	is_rc 4 "docker exec: then the child's exit status 4 comes back"
else
	touch "$SHARED"/go
	finish 5
	fail "docker exec: the container did not get ready"
	skip 1 "no container"
	show
fi

# 16-19: docker stop: the child gets SIGTERM and exits 0; what is left,
# an orphan and a docker exec'd process, gets SIGTERM from nook-init
rm -f "$SHARED"/*
start --init "$IMG" sh -c '
	(sh -c "trap \"echo TERM >/shared/orphan-term; exit 0\" TERM
		echo ready >/shared/orphan-ready
		while :; do sleep 1 & wait \$!; done" &)
	trap "exit 0" TERM
	echo ready >/shared/ready
	while :; do sleep 100 & wait $!; done'
if await "$SHARED"/ready && await "$SHARED"/orphan-ready &&
	timeout 60 "$DOCKER" exec -d "$ID" sh -c '
		trap "echo TERM >/shared/exec-term; exit 0" TERM
		echo ready >/shared/exec-ready
		while :; do sleep 1 & wait $!; done' </dev/null >/dev/null 2>&1 &&
	await "$SHARED"/exec-ready; then
	T0=$(now)
	timeout 60 "$DOCKER" stop -t 30 "$ID" >/dev/null
	finish 60
	is_rc 0 "docker stop: the child traps SIGTERM and exits 0"
	is "$(cat "$SHARED"/orphan-term 2>/dev/null)" TERM "docker stop: a leftover orphan got SIGTERM"
	is "$(cat "$SHARED"/exec-term 2>/dev/null)" TERM "docker stop: a docker exec'd process got SIGTERM"
	within 0 25 "docker stop -t 30: over without docker's timeout"
else
	finish 1
	fail "docker stop: the container or docker exec did not get ready"
	skip 3 "no container"
	show
fi

# 20-22: docker stop -t 10 with a straggler that ignores SIGTERM: nook-init
# kills it after its own grace period (NOOK_INIT_GRACE=2) and exits with
# the child's status; docker's 10 s timeout and SIGKILL (137) never come
rm -f "$SHARED"/*
start -e NOOK_INIT_GRACE=2 --init "$IMG" sh -c '
	(sh -c "trap \"\" TERM; echo ready >/shared/ignorer-ready
		exec sleep 1000" &)
	trap "exit 0" TERM
	echo ready >/shared/ready
	while :; do sleep 100 & wait $!; done'
if await "$SHARED"/ready && await "$SHARED"/ignorer-ready; then
	T0=$(now)
	timeout 60 "$DOCKER" stop -t 10 "$ID" >/dev/null
	src=$?
	finish 30
	is "$src" 0 "docker stop -t 10: succeeds"
	is_rc 0 "docker stop -t 10: the child's status 0, not docker's SIGKILL (137)"
	within 1.5 9 "docker stop -t 10: over after nook-init's 2 s grace, well before docker's 10 s"
	diag "docker stop -t 10 with a SIGTERM-ignoring straggler took ${SECS}s"
else
	finish 1
	fail "docker stop -t 10: the container did not get ready"
	skip 2 "no container"
	show
fi

# 23-24: docker kill -s HUP; the child's exit status comes back
rm -f "$SHARED"/*
start --init "$IMG" sh -c '
	trap "echo got-HUP; exit 42" HUP
	echo ready >/shared/ready
	while :; do sleep 100 & wait $!; done'
if await "$SHARED"/ready; then
	timeout 60 "$DOCKER" kill -s HUP "$ID" >/dev/null
	finish 30
	is_rc 42 "docker kill -s HUP: forwarded; the child's exit status 42 comes back"
	is "$(cat "$OUT")" got-HUP "docker kill -s HUP: the child's stdout has its marker"
else
	finish 1
	fail "docker kill -s HUP: the container did not get ready"
	skip 1 "no container"
	show
fi

# 25: docker kill -s USR1 reaches the child too
rm -f "$SHARED"/*
start --init "$IMG" sh -c '
	trap "exit 10" USR1
	echo ready >/shared/ready
	while :; do sleep 100 & wait $!; done'
if await "$SHARED"/ready; then
	timeout 60 "$DOCKER" kill -s USR1 "$ID" >/dev/null
	finish 30
	is_rc 10 "docker kill -s USR1: the child's trap exits 10"
else
	finish 1
	fail "docker kill -s USR1: the container did not get ready"
	show
fi

# 26-27: a terminal (-t): the child is the foreground process group of
# the container's pty (its own group, not nook-init's), so it may change
# the tty settings
ptyrun plain -t --init "$IMG" sh -c '
	read -r pid _ _ _ pgrp _ _ tpgid _ </proc/$$/stat
	stty -echo && echo "fg-ok $(tty) own=$((pid == pgrp)) fg=$((tpgid == pgrp))"
	exit 3'
is_rc 3 "docker run -t: exit status 3 comes back"
like "$(cat "$OUT")" 'fg-ok /dev/pts/[0-9]+ own=1 fg=1' "docker run -t: the child's own process group is the foreground one"

# 28-29: -it and Ctrl-C typed at the terminal: SIGINT reaches the child
ptyrun ctrlc -it --init "$IMG" sh -c '
	trap "echo got-INT; exit 9" INT
	echo ready
	while :; do sleep 100 & wait $!; done'
is_rc 9 "docker run -it, Ctrl-C: the child's INT trap exits 9"
like "$(cat "$OUT")" got-INT "docker run -it, Ctrl-C: the child's trap ran"

# 30: daemon.json {"init": true, "init-path": ...}: every container gets
# nook-init, without --init
stop_dockerd
daemon_json '"init": true' "\"init-path\": \"$NOOK_INIT\"" >"$T"/daemon-init.json
if start_dockerd "$T"/daemon-init.json; then
	run "$IMG" sh -c 'echo "ppid=$PPID $(/proc/1/exe --version)"'
	is "$RC/$(cat "$OUT")" "0/ppid=1 $INITVER" "daemon.json init and init-path: PID 1 is nook-init without --init"
else
	fail "daemon.json init and init-path: dockerd does not start"
	diag "$(tail -n 5 "$T"/dockerd.log)"
fi

# 31-32: dockerd ends on SIGTERM, and nothing of it is left
stop_dockerd
is "$DRC" 0 "dockerd exits 0 on SIGTERM (${DSECS}s)"
left=$(ps -e -o pid=,comm= | awk -v me=$$ '$1 != 1 && $1 != me && $2 !~ /^(ps|awk|bash)$/')
is "$left" "" "no process of docker's is left"

done_testing

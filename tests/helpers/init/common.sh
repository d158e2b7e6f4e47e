# SPDX-License-Identifier: MIT
# Shared helpers for the nook-init end-to-end tests (tests/init-*.t).
# Sourced after tests/lib.sh.  Every nook-init run goes through a fresh PID
# namespace: never run it as a plain process on the host.
# shellcheck disable=SC2034	# variables for the test files
export LC_ALL=C
ulimit -c 0	# a signal-killed init must not leave core files behind
INIT_HELPERS=$TOP/tests/helpers/init
# the system python: a pyenv-style shim in PATH costs seconds per start
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || echo python3)
INIT_COMM=$(basename "$NOOK_INIT" | cut -c1-15)
unset NOOK_INIT_SUBREAPER TINI_SUBREAPER NOOK_INIT_KILL_PROCESS_GROUP \
	TINI_KILL_PROCESS_GROUP NOOK_INIT_GRACE NOOK_INIT_VERBOSITY TINI_VERBOSITY

need_init() {
	need_root
	need_cmd unshare timeout "$PY"
	[ -x "$NOOK_INIT" ] || skip_all "$NOOK_INIT not built (run make)"
	unshare --pid --fork --mount-proc --kill-child -- true 2>/dev/null ||
		skip_all "cannot create a PID namespace here"
	T=$(mktemp -d /tmp/nook-init-test.XXXXXX)
	chmod 755 "$T"
	trap _init_cleanup EXIT
}

_bg_pids=()	# unshare processes started by start_bg and not waited for yet
_init_cleanup() {
	local p
	for p in "${_bg_pids[@]}"; do
		_init_cleanup_one "$p"
	done
	wait 2>/dev/null
	rm -rf "$T"
}

# pidns [ARGS...]: run ARGS synchronously as PID 1 of a new PID namespace,
# bounded by $TMO seconds (default 20).
pidns() {
	timeout -k 3 "${TMO:-20}" unshare --pid --fork --mount-proc --kill-child -- "$@"
}

# run_init ARGS...: nook-init ARGS as PID 1 of a new namespace; stdout in
# $OUT, stderr in $ERR, exit status in $RC.
run_init() {
	pidns "$NOOK_INIT" "$@" >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
}

# find_init ROOTPID: host pid of the topmost descendant of ROOTPID whose comm
# is nook-init's (i.e. that has exec'd nook-init).
_find_init_once() {
	local queue=("$1") p c
	while [ ${#queue[@]} -gt 0 ]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		for c in $(cat "/proc/$p/task/$p/children" 2>/dev/null); do
			if [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$INIT_COMM" ]; then
				echo "$c"
				return 0
			fi
			queue+=("$c")
		done
	done
	return 1
}
find_init() {
	local end=$((SECONDS + 10)) p
	while :; do
		p=$(_find_init_once "$1") && { echo "$p"; return 0; }
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
}

# start_bg ARGS...: run ARGS as PID 1 of a new namespace in the background
# (stdout $T/bg.out, stderr $T/bg.err); sets UPID (unshare's pid) and IPID
# (nook-init's pid as seen from the host, "" if it never showed up).
start_bg() {
	unshare --pid --fork --mount-proc --kill-child -- "$@" \
		>"$T/bg.out" 2>"$T/bg.err" </dev/null &
	UPID=$!
	_bg_pids+=("$UPID")
	IPID=$(find_init "$UPID") || IPID=
	IPPID=
	[ -n "$IPID" ] && IPPID=$(_ppid "$IPID")
}

# sig_init KILL-OPTIONS...: kill KILL-OPTIONS $IPID, but only while $IPID is
# still the init we started (same parent, same name): never a recycled pid.
sig_init() {
	[ -n "$IPID" ] && [ -n "$IPPID" ] && [ "$(_ppid "$IPID")" = "$IPPID" ] &&
		[ "$(cat "/proc/$IPID/comm" 2>/dev/null)" = "$INIT_COMM" ] || return 1
	kill "$@" "$IPID" 2>/dev/null
}

# finish_bg SECONDS: wait up to SECONDS for the background namespace to end;
# sets RC (999 and kills it on timeout).
finish_bg() {
	if wait_for "$1" eval '! kill -0 "$UPID" 2>/dev/null || [ "$(_pstate "$UPID")" = Z ]'; then
		wait "$UPID"
		RC=$?
		_bg_forget "$UPID"
	else
		RC=999
		_init_cleanup_one "$UPID"
	fi
}
# _ppid PID: parent pid of PID ("" if gone)
_ppid() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return
	s=${s##*) }
	s=${s#* }
	echo "${s%% *}"
}
# _init_cleanup_one UNSHARE-PID: SIGKILL the namespace's PID 1 (that takes
# the whole namespace down), then unshare; only while they are still our
# child and its child (no pid reuse accident).
_init_cleanup_one() {
	local p=$1 c
	if [ "$(_ppid "$p")" = "$$" ]; then
		for c in $(cat "/proc/$p/task/$p/children" 2>/dev/null); do
			[ "$(_ppid "$c")" = "$p" ] && kill -KILL "$c" 2>/dev/null
		done
		kill -KILL "$p" 2>/dev/null
	fi
	wait "$p" 2>/dev/null
	_bg_forget "$p"
}
_bg_forget() {
	local p keep=()
	for p in "${_bg_pids[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	_bg_pids=("${keep[@]}")
}

# _pstate PID: one-letter process state, or "gone".
_pstate() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo gone; return; }
	s=${s##*) }
	echo "${s%% *}"
}

# float helpers
now() { echo "$EPOCHREALTIME"; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
fge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
flt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# todo_ok STATUS DESCRIPTION REASON: a TAP "# TODO" point (reported, never
# fails the file): behaviour outside the contract that we want to see.
todo_ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2 # TODO $3"
	else
		echo "not ok $_tap_n - $2 # TODO $3"
	fi
}

# ns_enter NSENTER-OPTIONS... -- CMD...: nsenter -t $IPID, only while $IPID
# is still the init we started.
ns_enter() {
	sig_init -0 || return 1
	nsenter -t "$IPID" "$@"
}

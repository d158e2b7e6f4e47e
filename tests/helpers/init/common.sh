# SPDX-License-Identifier: MIT
# Shared helpers for the nook-init end-to-end tests (tests/init-*.t).
# Sourced after tests/lib.sh.  Every nook-init run goes through a fresh PID
# namespace: never run it as a plain process on the host.
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

_bg_pids=()
_init_cleanup() {
	local p c
	for p in "${_bg_pids[@]}"; do
		# kill the namespace's PID 1 (takes the whole namespace down), then unshare
		for c in $(cat "/proc/$p/task/$p/children" 2>/dev/null); do
			kill -KILL "$c" 2>/dev/null
		done
		kill -KILL "$p" 2>/dev/null
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
}

# finish_bg SECONDS: wait up to SECONDS for the background namespace to end;
# sets RC (999 and kills it on timeout).
finish_bg() {
	if wait_for "$1" eval '! kill -0 "$UPID" 2>/dev/null || [ "$(_pstate "$UPID")" = Z ]'; then
		wait "$UPID"
		RC=$?
	else
		RC=999
		_init_cleanup_one "$UPID"
	fi
}
_init_cleanup_one() {
	local p=$1 c
	for c in $(cat "/proc/$p/task/$p/children" 2>/dev/null); do
		kill -KILL "$c" 2>/dev/null
	done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
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

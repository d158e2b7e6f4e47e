# SPDX-License-Identifier: MIT
# Shared TAP helpers for nook's shell tests. Source it: . "$(dirname "$0")/lib.sh"
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${NOOK_BUILD:-$TOP/build}
NOOK_INIT=$BUILD/nook-init
NOOK=$BUILD/nook
_tap_n=0
_tap_fail=0

plan() { echo "1..$1"; }
diag() { local l; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done; }
ok() {	# ok COND-STATUS DESCRIPTION
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_fail=$((_tap_fail + 1))
	fi
}
pass() { ok 0 "$1"; }
fail() { ok 1 "$1"; }
skip() {	# skip COUNT REASON
	local i
	for ((i = 0; i < $1; i++)); do
		_tap_n=$((_tap_n + 1))
		echo "ok $_tap_n # SKIP $2"
	done
}
is() {		# is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3"
		diag "got:  '$1'" "want: '$2'"
	fi
}
like() {	# like GOT REGEX DESCRIPTION
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3"
		diag "got: '$1'" "want match: '$2'"
	fi
}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
need_root() { [ "$(id -u)" -eq 0 ] || skip_all "needs root"; }
need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_all "$c not installed"
	done
}
# Run a command in a fresh PID namespace: nook-init must never run as a plain
# process on the host (its shutdown may kill(-1, ...)).
in_pidns() { unshare --pid --fork --mount-proc --kill-child -- "$@"; }
done_testing() { [ "$_tap_fail" -eq 0 ]; }

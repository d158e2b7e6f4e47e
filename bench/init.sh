#!/usr/bin/env bash
# bench/init.sh - nook-init vs tini, tini-static, dumb-init and catatonit.
#
# Prints a markdown table (one row per metric, one column per init), the
# ratios of every other init to nook-init, and whether nook-init is at or
# under tini-static in start overhead, init CPU per orphan and signal round
# trip (issue 12's targets).  See bench/README.md.
#
# Every init runs only as PID 1 of its own PID namespace, via
#   unshare --pid --fork --mount-proc --kill-child -- INIT -- CMD
# never as a plain process on the host.  Needs root (run by `make bench-init`).
#
# usage: bench/init.sh [NOOK_INIT_BINARY]
#
# Environment (defaults in brackets):
#   NOOK_INIT          nook-init binary, if no arg [build/nook-init]
#   BENCH_START_RUNS   runs of `INIT -- true`       [200]
#   BENCH_ORPHANS      orphans to reap per run      [20000]
#   BENCH_ORPHAN_MODE  vfork | fork                 [vfork]
#   BENCH_REAP_REPS    reaping runs per init        [3]
#   BENCH_PINGS        signal round trips per run   [2000]
#   BENCH_PING_REPS    signal runs per init         [5]
#   BENCH_RSS_REPS     RSS samples per init         [3]
#   BENCH_JSON         also write raw results here  [unset]
#   BENCH_QUICK=1      small counts, for a smoke test
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
nook=${1:-${NOOK_INIT:-$root/build/nook-init}}

if [ "$(id -u)" != 0 ]; then
	echo "bench/init.sh: needs root (unshare --pid)" >&2
	exit 1
fi

# ---- Debian dependencies, installed only when missing
find_catatonit() {
	for p in /usr/bin/catatonit /usr/libexec/podman/catatonit; do
		[ -x "$p" ] && { echo "$p"; return 0; }
	done
	return 1
}
need=()
{ [ -x /usr/bin/tini ] && [ -x /usr/bin/tini-static ]; } || need+=(tini)
[ -x /usr/bin/dumb-init ] || need+=(dumb-init)
find_catatonit >/dev/null || need+=(catatonit)
command -v python3 >/dev/null || need+=(python3)
command -v cc >/dev/null || need+=(gcc libc6-dev)
{ command -v strip && command -v readelf; } >/dev/null || need+=(binutils)
command -v unshare >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
	echo "bench/init.sh: installing ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
catatonit=$(find_catatonit) || { echo "bench/init.sh: no catatonit" >&2; exit 1; }
for b in /usr/bin/tini /usr/bin/tini-static /usr/bin/dumb-init; do
	[ -x "$b" ] || { echo "bench/init.sh: no $b" >&2; exit 1; }
done

# ---- C helpers, compiled into a temp dir
tmp=$(mktemp -d /tmp/bench-init.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for h in orphans pong pinger; do
	cc -O2 -Wall -o "$tmp/$h" "$here/init/$h.c"
done

inits=()
if [ -x "$nook" ]; then
	# snapshot: a rebuild during the run must not swap the binary under us
	cp "$nook" "$tmp/nook-init"
	inits+=(--init "nook-init=$tmp/nook-init" --source "nook-init=$(realpath "$nook")")
else
	echo "bench/init.sh: WARNING: $nook not found (run make); benchmarking the others only" >&2
fi
inits+=(--init tini=/usr/bin/tini --init tini-static=/usr/bin/tini-static
	--init dumb-init=/usr/bin/dumb-init --init "catatonit=$catatonit")

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_START_RUNS:=20}" "${BENCH_ORPHANS:=2000}" "${BENCH_REAP_REPS:=1}"
	: "${BENCH_PINGS:=200}" "${BENCH_PING_REPS:=1}" "${BENCH_RSS_REPS:=1}"
fi

args=(--helpers "$tmp" "${inits[@]}"
	--start-runs "${BENCH_START_RUNS:-200}"
	--orphans "${BENCH_ORPHANS:-20000}"
	--orphan-mode "${BENCH_ORPHAN_MODE:-vfork}"
	--reap-reps "${BENCH_REAP_REPS:-3}"
	--pings "${BENCH_PINGS:-2000}"
	--ping-reps "${BENCH_PING_REPS:-5}"
	--rss-reps "${BENCH_RSS_REPS:-3}")
[ -n "${BENCH_JSON:-}" ] && args+=(--json "$BENCH_JSON")

python3 "$here/init/bench.py" "${args[@]}"

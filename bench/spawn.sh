#!/usr/bin/env bash
# bench/spawn.sh - container start time: nook against the floor (a raw
# clone3 + pivot_root + /proc + exec, bench/spawn/floor.c), unshare,
# bubblewrap, runc, crun and systemd-nspawn.
#
# Every variant starts a sandbox on the same throw-away, read-only busybox
# root that runs /bin/true, a static no-op (bench/spawn/true.c), and exits.
# The C runner (bench/spawn/runner.c) times them one at a time, interleaved
# round by round, then 8 at a time as starts per second; bench/spawn/bench.py
# prints markdown tables, ratios to the floor and to nook, and the target
# checks of issue 12 as PASS/MISS lines.  See bench/README.md.  Needs root.
#
# usage: bench/spawn.sh [BUILD_DIR]        (default: build)
#   BUILD_DIR holds nook, nook-init and bench/{runner,floor,true}
#   (`make bench-spawn` builds them all).
#
# Environment (defaults in brackets):
#   BENCH_SPAWN_RUNS   interleaved rounds, one start of each a round  [200]
#   BENCH_PAR_ROUNDS   rounds of the 8-at-a-time windows              [4]
#   BENCH_PAR_SECS     seconds of one window                          [1.5]
#   BENCH_PAR_JOBS     starts kept in flight                          [8]
#   BENCH_TRUE         tiny | busybox: which static true is /bin/true [tiny]
#   BENCH_NET_HOST     1: also the floor and nook in the host's network
#                      namespace (the dearest of the eight), 0: not  [1]
#   BENCH_ABLATION     1: also nook with each of its defaults turned off
#                      alone (one at a time only): what each costs    [1]
#   BENCH_JSON         also write raw results here                    [unset]
#   BENCH_QUICK=1      20 rounds, 1 window of 0.5 s: a smoke test
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac

if [ "$(id -u)" != 0 ]; then
	echo "bench/spawn.sh: needs root" >&2
	exit 1
fi
for b in runner floor true; do
	if [ ! -x "$build/bench/$b" ]; then
		echo "bench/spawn.sh: no $build/bench/$b (run make bench-spawn)" >&2
		exit 1
	fi
done

# ---- Debian dependencies, installed only when missing
static_busybox() {
	[ -x /bin/busybox ] && ! readelf -d /bin/busybox 2>/dev/null | grep -q NEEDED
}
updated=0
apt_update() {
	[ $updated = 1 ] && return 0
	apt-get update -qq >&2
	updated=1
}
export DEBIAN_FRONTEND=noninteractive
need=()
{ command -v strip && command -v readelf; } >/dev/null || need+=(binutils)
[ -x /usr/bin/bwrap ] || need+=(bubblewrap)
command -v runc >/dev/null || need+=(runc)
command -v unshare >/dev/null || need+=(util-linux)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
	echo "bench/spawn.sh: installing ${need[*]}" >&2
	apt_update
	apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
if ! static_busybox; then   # after binutils: the check needs readelf
	echo "bench/spawn.sh: installing busybox-static" >&2
	apt_update
	apt-get install -y -qq --no-install-recommends busybox-static >&2
fi

# Optional peers: installed when the Debian archive has them, skipped if not.
# apt-get update is run for them only when apt has no package lists at all,
# so that a peer missing from the archive does not cost an update every run.
skipped=()
candidate() {
	apt-cache policy "$1" 2>/dev/null |
		awk '/Candidate:/ { ok = ($2 != "(none)") } END { exit !ok }'
}
optional() {   # optional NAME BINARY PACKAGE
	command -v "$2" >/dev/null && return 0
	if ! candidate "$3" && [ $updated = 0 ] &&
		! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
		apt_update
	fi
	if candidate "$3"; then
		echo "bench/spawn.sh: installing $3" >&2
		apt-get install -y -qq --no-install-recommends "$3" >&2 ||
			skipped+=(--skipped "$1=apt-get install $3 failed")
	else
		skipped+=(--skipped "$1=not installed; package $3 is not in the Debian archive apt knows")
	fi
}
optional crun crun crun
optional systemd-nspawn systemd-nspawn systemd-container

# ---- the throw-away root file system and snapshots, in a temp dir
tmp=$(mktemp -d /tmp/bench-spawn.XXXXXX)
nspawn_state=/run/systemd/nspawn
nspawn_had_state=0
[ -e $nspawn_state ] && nspawn_had_state=1
cleanup() {
	# every sandbox mounts in its own mount namespace; should a mount below
	# $tmp still be there, detach it rather than delete through it
	local m
	# shellcheck disable=SC2013  # mount points: no blanks (mountinfo escapes them)
	for m in $(awk -v t="$tmp/" 'index($5, t) == 1 { print $5 }' \
		/proc/self/mountinfo | sort -r); do
		echo "bench/spawn.sh: unmounting leftover $m" >&2
		umount -l "$m" || true
	done
	rm -rf --one-file-system "$tmp"
	# systemd-nspawn leaves its (empty) state dirs when /run is no tmpfs;
	# remove them only if they were not there before, and only when empty
	if [ $nspawn_had_state = 0 ] && [ -d $nspawn_state ]; then
		rmdir $nspawn_state/propagate/* $nspawn_state/* $nspawn_state \
			2>/dev/null || true
	fi
}
trap cleanup EXIT

R=$tmp/rootfs
mkdir -p "$R"/bin "$R"/proc "$R"/sys "$R"/dev "$R"/tmp "$R"/etc
# systemd-nspawn refuses a tree without /usr and, read-only, wants /run
mkdir -p "$R"/usr "$R"/run
chmod 755 "$tmp" "$R"
cp /bin/busybox "$R"/bin/busybox
for a in $("$R"/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$R/bin/$a"
done
case ${BENCH_TRUE:-tiny} in
tiny)
	rm "$R"/bin/true
	cp "$build/bench/true" "$R"/bin/true
	payload="a static no-op of $(stat -c %s "$R"/bin/true) bytes"
	payload+=" (bench/spawn/true.c)"
	;;
busybox)
	payload="busybox-static's true ($(stat -Lc %s "$R"/bin/true) bytes)"
	;;
*)
	echo "bench/spawn.sh: BENCH_TRUE is tiny or busybox" >&2
	exit 1
	;;
esac

# snapshots: a rebuild during the run must not swap the binaries under us;
# nook finds nook-init in its own directory
mkdir "$tmp/bin"
cp "$build/bench/runner" "$build/bench/floor" "$tmp/bin/"
args=(--rootfs "$R" --bin "$tmp/bin" --tmpdir "$tmp" --payload "$payload")
if [ -x "$build/nook" ] && [ -x "$build/nook-init" ]; then
	mkdir "$tmp/nook"
	cp "$build/nook" "$build/nook-init" "$tmp/nook/"
	args+=(--nook "$tmp/nook/nook" --nook-init "$tmp/nook/nook-init"
		--nook-source "$(realpath "$build")")
else
	echo "bench/spawn.sh: WARNING: no $build/nook or nook-init (run" \
		"make); benchmarking the others only" >&2
fi
args+=(--unshare "$(command -v unshare)" --bwrap /usr/bin/bwrap
	--runc "$(command -v runc)")
command -v crun >/dev/null && args+=(--crun "$(command -v crun)")
if command -v systemd-nspawn >/dev/null; then
	args+=(--nspawn "$(command -v systemd-nspawn)")
fi

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_SPAWN_RUNS:=20}" "${BENCH_PAR_ROUNDS:=1}" "${BENCH_PAR_SECS:=0.5}"
fi
args+=(--runs "${BENCH_SPAWN_RUNS:-200}" --par-rounds "${BENCH_PAR_ROUNDS:-4}"
	--par-secs "${BENCH_PAR_SECS:-1.5}" --par-jobs "${BENCH_PAR_JOBS:-8}"
	${skipped[@]+"${skipped[@]}"})
[ "${BENCH_NET_HOST:-1}" = 1 ] && args+=(--net-host)
[ "${BENCH_ABLATION:-1}" = 1 ] && args+=(--ablation)
[ -n "${BENCH_JSON:-}" ] && args+=(--json "$BENCH_JSON")

# not exec: the trap above cleans up after python
python3 "$here/spawn/bench.py" "${args[@]}"

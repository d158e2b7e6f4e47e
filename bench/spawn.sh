#!/usr/bin/env bash
# bench/spawn.sh - start time of nook against bubblewrap, runc,
# systemd-nspawn and nsjail (the peers Debian can install here).
#
# Each spawner starts a sandbox on a throw-away busybox-static root that runs
# /bin/true and exits; prints a markdown table (one row per spawner: median
# and p90 ms, ratio to nook, binary size, peak RSS) and a one-line summary
# of the ratios.  See bench/README.md.  Needs root.
#
# usage: bench/spawn.sh [BUILD_DIR]        (default: build)
#
# Environment (defaults in brackets):
#   BENCH_SPAWN_RUNS   interleaved timed runs per spawner   [200]
#   BENCH_RSS_REPS     GNU time %M runs per spawner         [5]
#   BENCH_HWM_REPS     spawner VmHWM samples per spawner    [3]
#   BENCH_JSON         also write raw results here          [unset]
#   BENCH_QUICK=1      20 runs, 1 RSS sample each: a smoke test
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac

if [ "$(id -u)" != 0 ]; then
	echo "bench/spawn.sh: needs root" >&2
	exit 1
fi

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
command -v python3 >/dev/null || need+=(python3)
[ -x /usr/bin/time ] || need+=(time)
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
# (nsjail is not in Debian 12.)  apt-get update is run for them only when
# apt has no package lists at all, so that a peer missing from the archive
# does not cost an update on every run.
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
optional systemd-nspawn systemd-nspawn systemd-container
optional nsjail nsjail nsjail

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

args=(--rootfs "$R")
if [ -x "$build/nook" ] && [ -x "$build/nook-init" ]; then
	# snapshot: a rebuild during the run must not swap the binaries under
	# us; nook finds nook-init in its own directory
	mkdir "$tmp/nook"
	cp "$build/nook" "$build/nook-init" "$tmp/nook/"
	args+=(--nook "$tmp/nook/nook" --nook-init "$tmp/nook/nook-init"
		--nook-source "$(realpath "$build")")
else
	echo "bench/spawn.sh: WARNING: no $build/nook or nook-init (run make); benchmarking the others only" >&2
fi
args+=(--bwrap /usr/bin/bwrap --runc "$(command -v runc)")
if command -v systemd-nspawn >/dev/null; then
	args+=(--nspawn "$(command -v systemd-nspawn)")
fi
if command -v nsjail >/dev/null; then
	args+=(--nsjail "$(command -v nsjail)")
fi

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_SPAWN_RUNS:=20}" "${BENCH_RSS_REPS:=1}" "${BENCH_HWM_REPS:=1}"
fi
args+=(--runs "${BENCH_SPAWN_RUNS:-200}" --rss-reps "${BENCH_RSS_REPS:-5}"
	--hwm-reps "${BENCH_HWM_REPS:-3}" --time /usr/bin/time
	${skipped[@]+"${skipped[@]}"})
[ -n "${BENCH_JSON:-}" ] && args+=(--json "$BENCH_JSON")

# not exec: the trap above cleans up after python
python3 "$here/spawn/bench.py" "${args[@]}"

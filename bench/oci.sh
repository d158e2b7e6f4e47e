#!/usr/bin/env bash
# bench/oci.sh - a container's start to finish under the engines: `podman
# run --rm IMAGE true` and `ctr run --rm IMAGE ID true`, with nook-oci,
# runc and crun as the OCI runtime.
#
# The engines are Debian 12's (podman 4.3 with conmon; containerd 1.6 with
# containerd-shim-runc-v2, the runtime given by --runc-binary), each with
# private storage and state (podman: vfs and cgroupfs; containerd: its own
# root, state and socket, the CRI plugin off) in PID and mount namespaces of
# their own with a private /run: nothing of the host's podman or containerd
# is touched.  The image is a static busybox root (podman import, and an OCI
# archive made here for ctr import).  Rounds are interleaved: each round
# starts one container of every engine x runtime pair, so drift in the
# machine's load hits them alike; the table gives the median, p25 and p75
# wall time of each and its ratio to runc and to nook-oci.  A runtime that
# cannot run a container here (crun refuses a cgroup v1 hybrid host; a
# nook-oci without create/start) is tried once, said so, and left out.
# Needs root.
#
# usage: bench/oci.sh [BUILD_DIR]        (default: build; BUILD_DIR/nook-oci)
#
# Environment (defaults in brackets):
#   BENCH_OCI_RUNS      interleaved rounds                             [20]
#   BENCH_OCI_ENGINES   which engines: "podman ctr", "podman", "ctr"   [both]
#   BENCH_OCI_RUNTIMES  runtimes: names (nook-oci runc crun) or paths  [all 3]
#   BENCH_QUICK=1       3 rounds: a smoke test
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
me="bench/oci.sh"

if [ "$(id -u)" != 0 ]; then
	echo "$me: needs root" >&2
	exit 1
fi

# ---- the outer half: check, make the temp dir, run the inner half in new
# PID and mount namespaces, clean up
if [ -z "${BENCH_OCI_TMP:-}" ]; then
	bb=
	for b in /bin/busybox /usr/bin/busybox; do
		if [ -x "$b" ] && ! readelf -d "$b" 2>/dev/null | grep -q NEEDED; then
			bb=$b
			break
		fi
	done
	if [ -z "$bb" ]; then
		echo "$me: no static busybox (apt-get install busybox-static)" >&2
		exit 1
	fi
	tmp=$(mktemp -d /tmp/bench-oci.XXXXXX)
	chmod 755 "$tmp"
	cg=bench-oci-${tmp##*.}
	rc=0
	BENCH_OCI_TMP=$tmp BENCH_OCI_CG=$cg BENCH_OCI_BB=$bb \
		unshare --mount --pid --fork --mount-proc --kill-child \
		--propagation private -- bash "$0" "$build" || rc=$?
	# the engines' cgroups: the parent of this run, deepest first
	for d in /sys/fs/cgroup/*/"$cg"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		[ -d "$d" ] && echo "$me: cannot remove the cgroup $d" >&2
	done
	if awk -v t="$tmp/" 'index($5, t) == 1 { f = 1 } END { exit !f }' \
		/proc/self/mountinfo; then
		echo "$me: mounts left under $tmp: not removing it" >&2
	else
		rm -rf --one-file-system "$tmp"
	fi
	exit "$rc"
fi

# ---- the inner half: PID 1 of our own namespaces
T=$BENCH_OCI_TMP
CG=$BENCH_OCI_CG
CPID=
cleanup() {
	set +e
	trap - ERR
	if [ -n "${PODMAN+x}" ]; then
		"${PODMAN[@]}" rm -a -f -t 0 >/dev/null 2>&1
	fi
	if [ -n "$CPID" ]; then
		kill -TERM "$CPID" 2>/dev/null
		wait "$CPID" 2>/dev/null
	fi
	[ -n "${VARLIB:-}" ] && umount -l /var/lib 2>/dev/null
	return 0
}
trap cleanup EXIT
trap 'echo "$me: line $LINENO: a command failed (status $?)" >&2' ERR
mount -t tmpfs -o mode=755 bench-run /run
mount -t tmpfs -o mode=1777 bench-shm /dev/shm
mkdir -p "$T"/tmp "$T"/bin

# the runtimes, as snapshots: a rebuild during the run must not swap them
runtimes=()
skipped=()
for r in ${BENCH_OCI_RUNTIMES:-nook-oci runc crun}; do
	case $r in
	nook-oci)
		if [ -x "$build/nook" ] && [ -x "$build/nook-init" ]; then
			mkdir -p "$T"/nook
			cp "$build/nook" "$build/nook-init" "$T"/nook/
			ln -s nook "$T"/nook/nook-oci
			runtimes+=("$T/nook/nook-oci")
		else
			skipped+=("nook-oci: no $build/nook (run make)")
		fi
		;;
	/*)	runtimes+=("$r") ;;
	*)
		if command -v "$r" >/dev/null; then
			runtimes+=("$(command -v "$r")")
		else
			skipped+=("$r: not installed (apt-get install $r)")
		fi
		;;
	esac
done

# the busybox root as a tarball, and as an OCI archive for ctr
r=$T/rootfs
mkdir -p "$r"/bin "$r"/etc "$r"/proc "$r"/sys "$r"/dev "$r"/tmp
cp "$BENCH_OCI_BB" "$r"/bin/busybox
chroot "$r" /bin/busybox --install -s /bin
echo 'root:x:0:0:root:/:/bin/sh' >"$r"/etc/passwd
echo 'root:x:0:' >"$r"/etc/group
tar -C "$r" -cf "$T"/bb.tar .
IMG=localhost/bench-oci-bb:latest
blob() {	# blob FILE: into the layout by its digest; sets DIG, SIZE
	DIG=$(sha256sum <"$1")
	DIG=${DIG%% *}
	SIZE=$(stat -c %s "$1")
	mv "$1" "$T/img/blobs/sha256/$DIG"
}
mkdir -p "$T"/img/blobs/sha256
cp "$T"/bb.tar "$T"/layer.tar
blob "$T"/layer.tar
ld=$DIG ls=$SIZE
printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
	"$ld" >"$T"/cfg
blob "$T"/cfg
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
	"$DIG" "$SIZE" "$ld" "$ls" >"$T"/man
blob "$T"/man
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"latest"}}]}' \
	"$DIG" "$SIZE" "$IMG" >"$T"/img/index.json
echo '{"imageLayoutVersion":"1.0.0"}' >"$T"/img/oci-layout
tar -C "$T"/img -cf "$T"/bb-oci.tar .

engines=()
for e in ${BENCH_OCI_ENGINES:-podman ctr}; do
	case $e in
	podman)
		if ! command -v podman >/dev/null || ! command -v conmon >/dev/null; then
			skipped+=("podman: not installed (apt-get install podman)")
			continue
		fi
		# podman's blob cache is in /var/lib/containers whatever --root
		mkdir -p "$T"/varlib/up "$T"/varlib/work "$T"/net "$T"/libpod
		mount -t overlay bench-varlib -o "lowerdir=/var/lib,upperdir=$T/varlib/up,workdir=$T/varlib/work" /var/lib
		VARLIB=1
		{
			printf '[containers]\n[network]\nnetwork_config_dir = "%s"\n' "$T/net"
			printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
			printf 'tmp_dir = "%s"\nvolume_path = "%s"\n' "$T/libpod" "$T/st/volumes"
		} >"$T"/containers.conf
		printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' \
			"$T/run" "$T/st" >"$T"/storage.conf
		echo 'unqualified-search-registries = []' >"$T"/registries.conf
		export CONTAINERS_CONF=$T/containers.conf \
			CONTAINERS_STORAGE_CONF=$T/storage.conf \
			CONTAINERS_REGISTRIES_CONF=$T/registries.conf TMPDIR=$T/tmp
		PODMAN=(podman --root "$T"/st --runroot "$T"/run --storage-driver vfs
			--cgroup-manager cgroupfs --events-backend file)
		PODMAN_RUN=(run --rm --network none --ulimit nofile=1024:1024
			--ulimit nproc=4096:4096 --cgroup-parent "/$CG")
		"${PODMAN[@]}" import "$T"/bb.tar "$IMG" >/dev/null 2>"$T"/err ||
			{ cat "$T"/err >&2; exit 1; }
		engines+=(podman)
		;;
	ctr)
		if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
			skipped+=("ctr: not installed (apt-get install containerd)")
			continue
		fi
		cat >"$T"/containerd.toml <<-EOF
		version = 2
		root = "$T/croot"
		state = "$T/cstate"
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt"]
		[grpc]
		  address = "$T/containerd.sock"
		[ttrpc]
		  address = "$T/containerd.sock.ttrpc"
		EOF
		containerd --config "$T"/containerd.toml </dev/null \
			>"$T"/containerd.log 2>&1 &
		CPID=$!
		for ((i = 0; i < 200; i++)); do
			[ -S "$T"/containerd.sock ] && break
			sleep 0.1
		done
		CTR=(ctr --address "$T"/containerd.sock --namespace "$CG")
		"${CTR[@]}" image import "$T"/bb-oci.tar >/dev/null
		engines+=(ctr)
		;;
	*) echo "$me: unknown engine $e (podman, ctr)" >&2; exit 1 ;;
	esac
done

# once ENGINE RUNTIME ID: one container, start to finish; its status
once() {
	case $1 in
	podman)	timeout -k 5 60 "${PODMAN[@]}" --runtime "$2" "${PODMAN_RUN[@]}" \
			"$IMG" true </dev/null >/dev/null 2>"$T"/err ;;
	ctr)	timeout -k 5 60 "${CTR[@]}" run --rm --runc-binary "$2" "$IMG" \
			"$3" true </dev/null >/dev/null 2>"$T"/err ;;
	esac
}
# the pairs that work here, found by one try each (it warms the caches too)
pairs=()
for e in "${engines[@]}"; do
	for rt in "${runtimes[@]}"; do
		if once "$e" "$rt" probe-$$; then
			pairs+=("$e ${rt##*/} $rt")
		else
			skipped+=("$e + ${rt##*/}: $(grep -v 'level=' "$T"/err | tail -n 2 | tr '\n' ' ' | tail -c 300)")
			if [ "$e" = ctr ]; then
				"${CTR[@]}" container delete probe-$$ >/dev/null 2>&1 || :
			fi
		fi
	done
done

runs=${BENCH_OCI_RUNS:-20}
[ "${BENCH_QUICK:-0}" = 1 ] && runs=3
echo "$me: $runs rounds of ${#pairs[@]} pairs; $(nproc) CPUs; $(uname -r)" >&2
: >"$T"/times
fails=0
for ((n = 0; n < runs; n++)); do
	for p in "${pairs[@]}"; do
		read -r e name rt <<<"$p"
		t0=$EPOCHREALTIME
		if once "$e" "$rt" "b$n"; then
			t1=$EPOCHREALTIME
			echo "$e $name $t0 $t1" >>"$T"/times
		else
			fails=$((fails + 1))
			echo "$me: $e + $name failed in round $n: $(head -c 200 "$T"/err)" >&2
		fi
	done
done

# ---- the table: medians, spread, ratios to runc and to nook-oci
echo "## Container start to finish under the engines (\`run --rm IMAGE true\`)"
echo
echo "$runs interleaved rounds; wall time of the engine's command, ms."
echo "podman $(podman --version 2>/dev/null | awk '{ print $3 }'), containerd $(containerd --version 2>/dev/null | awk '{ print $3 }'); $(nproc) CPUs, Linux $(uname -r)."
echo
awk '
function med(a, n, q,   i) {	# the q-quantile of sorted a[1..n]
	i = q * (n - 1) + 1
	return a[int(i)] + (i - int(i)) * (a[int(i) + 1] - a[int(i)])
}
{ k = $1 " " $2; t[k, ++n[k]] = ($4 - $3) * 1000; if (!(k in seen)) { seen[k] = 1; order[++nk] = k } }
END {
	for (j = 1; j <= nk; j++) {
		k = order[j]
		for (i = 1; i <= n[k]; i++) v[i] = t[k, i]
		# insertion sort: small n
		for (i = 2; i <= n[k]; i++) { x = v[i]; for (m = i - 1; m >= 1 && v[m] > x; m--) v[m + 1] = v[m]; v[m + 1] = x }
		v[n[k] + 1] = v[n[k]]
		md[k] = med(v, n[k], 0.5); p25[k] = med(v, n[k], 0.25); p75[k] = med(v, n[k], 0.75)
		split(k, f, " "); eng[k] = f[1]; rt[k] = f[2]
		if (rt[k] == "runc") runc[f[1]] = md[k]
		if (rt[k] == "nook-oci") nook[f[1]] = md[k]
	}
	print "| engine | runtime | runs | median ms | p25 | p75 | / runc | / nook-oci |"
	print "|---|---|---:|---:|---:|---:|---:|---:|"
	for (j = 1; j <= nk; j++) {
		k = order[j]
		r1 = (eng[k] in runc) ? sprintf("%.2f", md[k] / runc[eng[k]]) : "-"
		r2 = (eng[k] in nook) ? sprintf("%.2f", md[k] / nook[eng[k]]) : "-"
		printf "| %s | %s | %d | %.1f | %.1f | %.1f | %s | %s |\n", eng[k], rt[k], n[k], md[k], p25[k], p75[k], r1, r2
	}
}' "$T"/times
echo
echo "A ratio below 1 is faster than runc (or nook-oci) under the same engine."
if [ ${#skipped[@]} -gt 0 ] || [ "$fails" -gt 0 ]; then
	echo
	echo "Not measured:"
	for s in "${skipped[@]}"; do
		echo "- $s"
	done
	[ "$fails" -gt 0 ] && echo "- $fails runs failed during the rounds (left out)"
fi
exit 0

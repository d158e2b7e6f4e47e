# SPDX-License-Identifier: MIT
# What tests/oci-podman.t and tests/oci-containerd.t share: an OCI runtime
# (nook-oci by default) under a container engine that nook did not write.
# Source it after tests/lib.sh and tests/helpers/engines/lib-engines.sh.
#
#   OCI_RUNTIME        the runtime binary under test: the environment's
#                      OCI_RUNTIME, else $BUILD/nook-oci (an absolute path;
#                      never resolved: nook-oci is a link to nook and runs
#                      as the OCI runtime by its name)
#   OCI_STATE          the runtime's default state dir (runc /run/runc,
#                      crun /run/crun, else /run/nook-oci); OCI_STATE_DIR
#                      in the environment overrides it
#   oci_isolate NAME   the rest of the test runs as PID 1 of new PID and
#                      mount namespaces with private tmpfs on /run and
#                      /dev/shm (the runtime's state, the shims' sockets,
#                      podman's locks); sets T (temp dir), CGP (a cgroup
#                      parent name of this run only), BUSYBOX.  The outer
#                      half waits, removes CGP's cgroups and T.
#   oci_leftovers [GLOB]  after the last container: what is left of them (a
#                      process in CGP's cgroups, a cgroup below CGP, a
#                      mount under T, an entry in OCI_STATE), one line each
#   drive STEP... -- CMD...   CMD on a fresh terminal (drive.py)
#   on_fail CMD...     CMD when the last point failed
# shellcheck shell=bash disable=SC2034	# variables for the test files
DRIVE=$TOP/tests/helpers/tty/drive.py

OCI_RUNTIME=${OCI_RUNTIME:-$BUILD/nook-oci}
case $OCI_RUNTIME in
/*) ;;
*) OCI_RUNTIME=$(command -v "$OCI_RUNTIME" || echo "$OCI_RUNTIME") ;;
esac
case ${OCI_RUNTIME##*/} in
runc) OCI_STATE=/run/runc ;;
crun) OCI_STATE=/run/crun ;;
*) OCI_STATE=/run/nook-oci ;;
esac
OCI_STATE=${OCI_STATE_DIR:-$OCI_STATE}

# oci_isolate NAME: see the top.  The outer half checks what every such
# test needs, runs the test again in the namespaces, waits and cleans up.
oci_isolate() {
	local rc upid

	if [ -n "${NOOK_OCI_ENG_TMP:-}" ]; then
		T=$NOOK_OCI_ENG_TMP
		CGP=nook-$1-${T##*.}
		BUSYBOX=${NOOK_BUSYBOX:-}
		mount -t tmpfs -o mode=755 nook-run /run &&
			mount -t tmpfs -o mode=1777 nook-shm /dev/shm || {
			echo "Bail out! cannot mount private tmpfs on /run and /dev/shm"
			exit 1
		}
		mkdir -p "$T"/tmp
		return 0
	fi
	need_root
	need_cmd unshare mount timeout find "$PY"
	need_busybox
	[ -x "$OCI_RUNTIME" ] ||
		skip_all "no runtime $OCI_RUNTIME (run make, or set OCI_RUNTIME)"
	unshare --mount --pid --fork --mount-proc --kill-child -- \
		mount -t tmpfs none /run 2>/dev/null ||
		skip_all "cannot make PID and mount namespaces with a tmpfs on /run"
	T=$(mktemp -d "/tmp/nook-$1.XXXXXX") || exit 1
	chmod 755 "$T"
	# In the background, so that a signal here still reaches the trap.
	NOOK_OCI_ENG_TMP=$T NOOK_BUSYBOX=$BUSYBOX OCI_RUNTIME=$OCI_RUNTIME \
		unshare --mount --pid --fork --mount-proc --kill-child \
		--propagation private -- bash "$0" &
	upid=$!
	trap 'kill -KILL $upid 2>/dev/null' INT TERM HUP
	while :; do
		wait "$upid"
		rc=$?
		kill -0 "$upid" 2>/dev/null || break
	done
	eng_rm_cgroups "nook-$1-${T##*.}"
	if [ -n "${NOOK_ENG_KEEP:-}" ]; then
		echo "# kept $T" >&2
	elif [ -n "$(mounts_under "$T")" ]; then
		echo "# mounts left under $T on the host: not removing it" >&2
	else
		rm -rf --one-file-system "$T"
	fi
	exit "$rc"
}

# oci_leftovers [CGROUP-GLOB]: see the top; CGROUP-GLOB names the container
# cgroups below CGP (default: any directory).
oci_leftovers() {
	local d f p
	for f in /sys/fs/cgroup/*/"$CGP"/cgroup.procs \
	    /sys/fs/cgroup/*/"$CGP"/*/cgroup.procs \
	    /sys/fs/cgroup/*/"$CGP"/*/*/cgroup.procs; do
		[ -f "$f" ] || continue
		for p in $(cat "$f" 2>/dev/null); do
			echo "process $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)) in ${f%/cgroup.procs}"
		done
	done
	for d in /sys/fs/cgroup/*/"$CGP"/${1:-*}; do
		[ -d "$d" ] && echo "cgroup $d"
	done
	mounts_under "$T" | sed 's/^/mount /'
	for d in "$OCI_STATE"/*; do
		[ -e "$d" ] && echo "state $d"
	done
}

# drive STEP... -- CMD...: tests/helpers/tty/drive.py, 15 s a step; sets
# RC (its "rc" line), TTYOUT (its output, decoded), DRV (all it printed)
drive() {
	DRV=$(timeout -k 5 60 "$PY" "$DRIVE" --timeout 15 "$@" </dev/null 2>&1)
	RC=$(sed -n 's/^rc //p' <<<"$DRV" | tail -n 1)
	TTYOUT=$("$PY" -c 'import ast, sys
for l in sys.stdin:
    if l.startswith("output "):
        sys.stdout.write(ast.literal_eval(l[7:]))' <<<"$DRV")
}

# on_fail CMD...: CMD when the last point (ok, is, like, pass, fail) failed:
# lib.sh's ok, wrapped to keep its status in OK_LAST
eval "_lib_ok() $(declare -f ok | tail -n +2)"
OK_LAST=0
ok() {
	_lib_ok "$@"
	OK_LAST=$1
}
on_fail() {
	[ "$OK_LAST" -eq 0 ] || "$@"
}

#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-oci: linux.resources.devices (the device cgroup: v1 devices.allow
# and devices.deny here, a BPF program on cgroup v2), linux.devices (nodes
# bound into nook's /dev, with their mode and owner, allowed in the device
# cgroup), linux.cgroupsPath (absolute and relative, the limits in it,
# removed after), the propagation options of bind mounts, and the bad
# values of all of them refused with 125 naming their JSON path.
#
# Device nodes are made in the container's root (a directory of /tmp, not
# nodev) with CAP_MKNOD, of a loop device the test attaches to a small
# file: reading it shows whether the device cgroup let the access through.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd timeout mktemp losetup
need_nook
need_busybox
OCI=$BUILD/nook-oci
[ -x "$OCI" ] || skip_all "$OCI not built (run make)"
test_tmp oci-devices
EDIT=$TOP/tests/helpers/oci/edit.py
B=$W/bundle
make_rootfs "$B/rootfs"
CG=/sys/fs/cgroup
P=nookdevtest.$$

printf 'Z%.0s' $(seq 4096) >"$W/loopfile"
LOOP=$(losetup -f --show "$W/loopfile" 2>/dev/null) ||
	skip_all "cannot attach a loop device (losetup -f)"
detach_loop() { losetup -d "$LOOP" 2>/dev/null; }
at_cleanup detach_loop
LMIN=$(stat -c %T "$LOOP")
LMIN=$((16#$LMIN))
LMAJ=$((16#$(stat -c %t "$LOOP")))

# Remove what a failed test left of our cgroup parents (deepest first).
rm_test_cgroups() {
	local d
	for d in $(find $CG/*/ $CG/ -maxdepth 6 -depth -type d -name "$P" \
	    2>/dev/null); do
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
}
at_cleanup rm_test_cgroups

plan 31

# edit STATEMENTS...: a fresh copy of the spec's default, changed: the root
# writable, CAP_MKNOD, no cgroup namespace (so /proc/self/cgroup shows the
# host's paths)
edit() {
	cp "$W/default.json" "$B/config.json"
	"$PY" "$EDIT" "$B/config.json" "d['root']['readonly'] = False" \
		"d['process']['capabilities']['bounding'].append('CAP_MKNOD')" \
		"d['process']['capabilities']['effective'].append('CAP_MKNOD')" \
		"d['process']['capabilities']['permitted'].append('CAP_MKNOD')" \
		"d['linux']['namespaces'] = [n for n in d['linux']['namespaces'] if n['type'] != 'cgroup']" \
		"$@"
}
orun() {
	local id=$1
	shift
	edit "$@"
	oci run --bundle "$B" "$id"
}
sh_args() {	# sh_args SCRIPT: process.args = /bin/sh -c SCRIPT
	local a=$("$PY" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' /bin/sh -c "$1")
	echo "d['process']['args'] = $a"
}
rules() {	# rules JSON: linux.resources.devices
	echo "d['linux'].setdefault('resources', {})['devices'] = $1"
}
devices() {	# devices JSON: linux.devices
	echo "d['linux']['devices'] = $1"
}
DENY="{'allow': False, 'access': 'rwm'}"
# the loop node made in the container, read, removed
READ_LOOP="mknod /lp b $LMAJ $LMIN && { head -c1 /lp; echo \" rc=\$?\"; } 2>&1; rm -f /lp"

(cd "$B" && "$OCI" spec </dev/null >/dev/null 2>&1)
cp "$B/config.json" "$W/default.json" || skip_all "nook-oci spec failed"

# --- linux.resources.devices ---
orun d1 "$(sh_args "$READ_LOOP")"
is "$RC:$OUT" "0:Z rc=0" "no rules: a node made in the container reads"
orun d1 "$(sh_args "$READ_LOOP")" "$(rules "[$DENY]")"
like "$RC:$(tr '\n' ' ' <<<"$OUT")" "^0:.*(Operation not permitted|EPERM).* rc=1" \
	"deny-all: the node is made (m) but reading it fails with EPERM"
orun d1 "$(sh_args 'echo x >/dev/null && head -c2 /dev/zero | wc -c && head -c2 /dev/urandom | wc -c && head -c1 /dev/full | wc -c && test -c /dev/tty && echo ok')" \
	"$(rules "[$DENY]")"
is "$RC:$(tr '\n' ' ' <<<"$OUT")" "0:2 2 1 ok " \
	"deny-all: /dev/null, zero, urandom, full still work (the default allow list)"
orun d1 "$(sh_args "$READ_LOOP")" \
	"$(rules "[$DENY, {'allow': True, 'type': 'b', 'major': $LMAJ, 'minor': $LMIN, 'access': 'r'}]")"
is "$RC:$OUT" "0:Z rc=0" "an allow rule after deny-all: the loop device reads"
orun d1 "$(sh_args "mknod /lp b $LMAJ $LMIN && { echo y >/lp; echo \" rc=\$?\"; } 2>&1; rm -f /lp")" \
	"$(rules "[$DENY, {'allow': True, 'type': 'b', 'major': $LMAJ, 'access': 'r'}]")"
like "$RC:$(tr '\n' ' ' <<<"$OUT")" "^0:.*(Operation not permitted|EPERM).* rc=1" \
	"  allowed r only (minor missing: all): writing is refused"
orun d1 "$(sh_args "$READ_LOOP")" \
	"$(rules "[{'allow': True, 'access': 'rwm'}, {'allow': False, 'type': 'b', 'major': $LMAJ, 'minor': -1, 'access': 'r'}]")"
like "$RC:$(tr '\n' ' ' <<<"$OUT")" "^0:.*(Operation not permitted|EPERM).* rc=1" \
	"a deny rule alone (minor -1): that device is refused"

# --- linux.devices ---
orun d2 "$(sh_args 'stat -c "%A %u %g %t:%T" /dev/lp0 /dev/sub/fifo; head -c1 /dev/lp0; echo')" \
	"$(devices "[{'type': 'b', 'path': '/dev/lp0', 'major': $LMAJ, 'minor': $LMIN, 'fileMode': 0o644, 'uid': 1000, 'gid': 29}, {'type': 'p', 'path': '/dev/sub/fifo', 'fileMode': 0o600}]")" \
	"$(rules "[$DENY]")"
is "$RC:$(tr '\n' ' ' <<<"$OUT")" "0:brw-r--r-- 1000 29 $(printf %x:%x $LMAJ $LMIN) prw------- 0 0 0:0 Z " \
	"linux.devices: a block node and a FIFO with their mode and owner; the node allowed past deny-all"
FUSE_OK=0
[ -c /dev/fuse ] && FUSE_OK=1
if [ $FUSE_OK = 1 ] && [ "$(cat /proc/sys/user/max_user_namespaces)" -gt 0 ]; then
	orun d2 "$(sh_args 'stat -c "%A %u %g %t:%T" /dev/fuse')" \
		"$(devices "[{'type': 'c', 'path': '/dev/fuse', 'major': 10, 'minor': 229, 'fileMode': 0o666, 'uid': 0, 'gid': 0}]")" \
		"d['linux']['namespaces'].append({'type': 'user'})" \
		"d['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 200000, 'size': 65536}]" \
		"d['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 200000, 'size': 65536}]"
	is "$RC:$OUT" "0:crw-rw-rw- 0 0 a:e5" \
		"linux.devices in a user namespace: /dev/fuse, owned by the container's root"
else
	skip 1 "no /dev/fuse or no user namespaces"
fi
ls -a /dev | grep -q '^\.nook-'
ok $((!$?)) "the host's private node directories are gone"

# --- linux.cgroupsPath ---
cg_line() {	# cg_line CONTROLLER: that line of the container's /proc/self/cgroup
	awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' <<<"$OUT"
}
own_cg() {	# own_cg CONTROLLER: our own cgroup there
	awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/self/cgroup
}
MEMCG=$CG/memory PIDCG=$CG/pids
[ "$(stat -f -c %T $MEMCG 2>/dev/null)" = cgroupfs ] || MEMCG=
[ "$(stat -f -c %T $PIDCG 2>/dev/null)" = cgroupfs ] || PIDCG=
LIMITS="d['linux']['resources'] = {'memory': {'limit': 67108864}, 'pids': {'limit': 77}}"
if [ -n "$MEMCG" ] && [ -n "$PIDCG" ]; then
	orun c1 "$(sh_args 'cat /proc/self/cgroup; echo limits $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null) $(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null)')" \
		"$LIMITS" "d['linux']['cgroupsPath'] = '/$P/ctr-abs'"
	is "$RC:$(cg_line memory):$(cg_line pids)" "0:/$P/ctr-abs:/$P/ctr-abs" \
		"cgroupsPath absolute: the container is in /$P/ctr-abs on memory and pids"
	orun c1 "$(sh_args "cat /proc/self/cgroup; cat $MEMCG/$P/ctr-abs/memory.limit_in_bytes $PIDCG/$P/ctr-abs/pids.max")" \
		"$LIMITS" "d['linux']['cgroupsPath'] = '/$P/ctr-abs'" \
		"d['mounts'].append({'destination': '$CG', 'type': 'bind', 'source': '$CG', 'options': ['rbind', 'ro']})"
	like "$RC:$(tr '\n' ' ' <<<"$OUT")" "^0:.* 67108864 77 $" \
		"  memory and pids limits are written in that cgroup"
	is "$(ls -d $MEMCG/$P $PIDCG/$P $CG/unified/$P 2>/dev/null)" "" \
		"  removed afterwards, with the parent nook made"
	orun c2 "$(sh_args 'cat /proc/self/cgroup')" "$LIMITS" \
		"d['linux']['cgroupsPath'] = '$P/sub/ctr-rel'"
	OWNM=$(own_cg memory)
	OWNP=$(own_cg pids)
	is "$RC:$(cg_line memory):$(cg_line pids)" \
		"0:${OWNM%/}/$P/sub/ctr-rel:${OWNP%/}/$P/sub/ctr-rel" \
		"cgroupsPath relative: below nook-oci's own cgroup on each hierarchy"
	is "$(ls -d $MEMCG${OWNM%/}/$P $PIDCG${OWNP%/}/$P 2>/dev/null)" "" \
		"  removed afterwards"
	mkdir -p "$MEMCG/$P/busy"
	orun c3 "$(sh_args 'true')" "$LIMITS" \
		"d['linux']['cgroupsPath'] = '/$P/busy'"
	like "$RC:$ERR" "^125:.*linux.cgroupsPath.*File exists" \
		"  a cgroup that exists already: 125 naming linux.cgroupsPath"
	rmdir "$MEMCG/$P/busy" "$MEMCG/$P"
else
	skip 6 "no v1 memory and pids hierarchies on this host"
fi
orun c4 "$(sh_args 'true')" "d['linux']['cgroupsPath'] = 'system.slice:cri:abc'"
like "$RC:$ERR" "^125:nook-oci: .*linux.cgroupsPath.*systemd.*not support" \
	"cgroupsPath slice:prefix:name (systemd): 125, refused clearly"
orun c4 "$(sh_args 'true')" "d['linux']['cgroupsPath'] = '/$P/../x'"
like "$RC:$ERR" "^125:nook-oci: .*linux.cgroupsPath" "cgroupsPath with ..: 125"

# --- bad values: 125, naming the JSON path ---
bad() {	# bad REGEX DESCRIPTION STATEMENTS...
	local re=$1 what=$2
	shift 2
	orun b1 "$(sh_args 'echo ran')" "$@"
	like "$RC:$ERR" "^125:nook-oci: .*$re" "$what"
}
bad 'linux\.resources\.devices\[1\]\.type.*"x"' 'devices: type "x" is 125 naming the path' \
	"$(rules "[$DENY, {'allow': True, 'type': 'x', 'access': 'r'}]")"
bad 'linux\.resources\.devices\[0\]\.access.*"rwz"' 'devices: access "rwz"' \
	"$(rules "[{'allow': True, 'type': 'c', 'access': 'rwz'}]")"
bad 'linux\.resources\.devices\[0\]\.major.*-2' 'devices: major -2' \
	"$(rules "[{'allow': True, 'type': 'c', 'major': -2, 'access': 'r'}]")"
bad 'linux\.resources\.devices\[0\]\.allow' 'devices: allow missing' \
	"$(rules "[{'type': 'c', 'access': 'r'}]")"
bad 'linux\.devices\[0\]\.path.*"/etc/x"' 'linux.devices: a path not under /dev' \
	"$(devices "[{'type': 'c', 'path': '/etc/x', 'major': 1, 'minor': 3}]")"
bad 'linux\.devices\[0\]\.path.*"dev/x"' 'linux.devices: a relative path' \
	"$(devices "[{'type': 'c', 'path': 'dev/x', 'major': 1, 'minor': 3}]")"
bad 'linux\.devices\[0\]\.type.*"x"' 'linux.devices: type "x"' \
	"$(devices "[{'type': 'x', 'path': '/dev/x', 'major': 1, 'minor': 3}]")"
bad 'linux\.devices\[0\].*major and minor' 'linux.devices: a c node without numbers' \
	"$(devices "[{'type': 'c', 'path': '/dev/x'}]")"

# --- propagation options of bind mounts ---
echo from-host >"$W/f"
orun m1 "$(sh_args 'cat /mnt/f')" \
	"d['mounts'].append({'destination': '/mnt/f', 'type': 'bind', 'source': '$W/f', 'options': ['bind', 'rprivate', 'nosuid']})" \
	"d['mounts'].append({'destination': '/mnt/g', 'type': 'bind', 'source': '$W/f', 'options': ['rbind', 'rslave']})"
is "$RC:$OUT" "0:from-host" "bind options rprivate and rslave are accepted"
bad 'mounts\[[0-9]+\]\.options\[1\].*"rshared".*not supported' 'rshared on a bind: 125, refused clearly' \
	"d['mounts'].append({'destination': '/mnt/f', 'type': 'bind', 'source': '$W/f', 'options': ['bind', 'rshared']})"

# --- Podman 4.3's config.json (as it gave runc here) gets past these ---
PC=$TOP/tests/helpers/oci/podman-config.json
if [ -f "$PC" ]; then
	mkdir -p "$W/pod"
	: >"$W/pod/hosts" >"$W/pod/hostname" >"$W/pod/.containerenv"
	mkdir -p "$W/pod/shm"
	cp "$PC" "$B/config.json"
	"$PY" "$EDIT" "$B/config.json" "d['root']['path'] = '$B/rootfs'" \
		"d['linux'].pop('seccomp', None)" \
		"d['linux']['cgroupsPath'] = '/$P/libpod-' + 'a' * 64" \
		"d['process']['args'] = ['/bin/sh', '-c', 'grep devices /proc/self/cgroup; head -c1 /dev/zero | wc -c']" \
		"[m.update(source='$W/pod/' + m['source'].split('/')[-1]) for m in d['mounts'] if m['type'] == 'bind']"
	oci run --bundle "$B" p1
	like "$RC:$(tr '\n' ' ' <<<"$OUT")" "^0:.*devices:/$P/libpod-a{64} 1 $" \
		"Podman's config.json (no seccomp): runs, in its cgroupsPath, deny-all with /dev/zero"
else
	skip 1 "no Podman config.json to try"
fi

# --- nook's own [cgroup] devices, on cgroup v2: a BPF program ---
U=
[ "$(stat -f -c %T $CG 2>/dev/null)" = cgroup2fs ] && U=$CG
[ -z "$U" ] && [ "$(stat -f -c %T $CG/unified 2>/dev/null)" = cgroup2fs ] && U=$CG/unified
if [ -n "$U" ]; then
	printf '%s\nhead -c1 /dev/zero | wc -c\n' "$READ_LOOP" >"$B/rootfs/t.sh"
	for v in "deny-all" "deny-all, allow b $LMAJ:$LMIN r"; do
		write_conf "$W/v2.ini" "$B/rootfs" <<-EOF
		readonly = no
		[namespaces]
		user = host
		[capabilities]
		keep = default
		keep = CAP_MKNOD
		[process]
		command = /bin/sh /t.sh
		[cgroup]
		version = v2
		parent = $P
		devices = $v
		EOF
		capture v2 "$NOOK" "$W/v2.ini"
		case $v in
		deny-all) like "$RC:$(tr '\n' ' ' <<<"$OUT")" "^0:.*(Operation not permitted|EPERM).* rc=1 1 $" \
			"[cgroup] devices = deny-all, version = v2 (BPF): the node refused, /dev/zero not";;
		*) like "$RC:$(tr '\n' ' ' <<<"$OUT")" "^0:Z rc=0 1 $" \
			"  $v: the loop device reads";;
		esac
	done
	is "$(ls -d $U/$P 2>/dev/null)" "" "  the v2 cgroup is removed"
else
	skip 3 "no cgroup2 mounted"
fi

#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-oci: `spec`, then `run` of a busybox bundle - what the
# container sees of config.json's fields from inside (the probe), the
# fields not supported yet refused by their JSON path with 125, malformed
# JSON, runc's own default config.json, and the commands of runc that
# nook-oci refuses by name.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd timeout mktemp
need_nook
need_probe
need_busybox
OCI=$BUILD/nook-oci
[ -x "$OCI" ] || skip_all "$OCI not built (run make)"
test_tmp oci-test
EDIT=$TOP/tests/helpers/oci/edit.py
B=$W/bundle
make_rootfs "$B/rootfs"

plan 53

# edit STATEMENTS...: change the bundle's config.json (a fresh copy of the
# spec's default each time, so tests do not leak into each other)
edit() {
	cp "$W/default.json" "$B/config.json"
	"$PY" "$EDIT" "$B/config.json" "$@"
}
# orun ID STATEMENTS...: run the bundle changed by the statements
orun() {
	local id=$1
	shift
	edit "$@"
	oci run --bundle "$B" "$id"
}
args() {	# args WORDS...: the Python statement for process.args
	local a=$("$PY" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@")
	echo "d['process']['args'] = $a"
}

# --- spec, version, features ---
(cd "$B" && "$OCI" spec </dev/null >/dev/null 2>&1)
"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["ociVersion"] == "1.1.0" and d["root"]["path"] == "rootfs"' \
	"$B/config.json" 2>/dev/null
ok $? "spec writes a default config.json in the bundle"
cp "$B/config.json" "$W/default.json"
oci spec --bundle "$B"
like "$RC:$ERR" '^125:nook-oci: spec: .*/config.json: exists' "spec does not replace a config.json (125)"
oci --version
like "$RC:$(tr '\n' ' ' <<<"$OUT")" '^0:nook-oci version [0-9.]+ .*spec: 1\.1\.0' "--version: runc's shape, with the spec version"
oci features
"$PY" -c 'import json, sys; d = json.loads(sys.stdin.read()); assert d["ociVersionMin"] == "1.0.0" and d["hooks"] == ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"] and "pid" in d["linux"]["namespaces"] and "CAP_KILL" in d["linux"]["capabilities"] and d["linux"]["seccomp"]["enabled"]' \
	<<<"$OUT" 2>/dev/null
ok $? "features: JSON with the versions, the six hooks, namespaces, capabilities, seccomp"

# --- exit statuses ---
orun t1 "$(args /probe exit 0)"
is "$RC" 0 "run: the container's exit status 0"
orun t1 "$(args /probe exit 7)"
is "$RC" 7 "run: the container's exit status 7"
orun t1 "$(args /nonexistent)"
is "$RC" 127 "run: a command not found is 127"

# --- the process ---
orun t1 "$(args /bin/sh -c 'printf "[%s]" "$@"' sh 'a b' "c'd" '$HOME')"
is "$OUT" "[a b][c'd][\$HOME]" "process.args: words taken verbatim"
NOOK_OCI_LEAK=host-only orun t1 "$(args /probe env)" \
	"d['process']['env'] = ['FOO=bar baz', 'PATH=/bin']"
is "$(grep -c '^FOO=bar baz$' <<<"$OUT"):$(grep -c NOOK_OCI_LEAK <<<"$OUT")" \
	1:0 "process.env: given, and nothing of nook-oci's environment"
orun t1 "$(args /probe cwd)" "d['process']['cwd'] = '/tmp'"
is "$OUT" /tmp "process.cwd"
orun t1 "$(args /probe hostname)" "d['hostname'] = 'ocihost'"
like "$OUT" '^hostname ocihost' "hostname, in the new UTS namespace"
orun t1 "$(args /probe ids)" \
	"d['process']['user'] = {'uid': 1000, 'gid': 1000, 'additionalGids': [10, 29]}"
like "$(tr '\n' ' ' <<<"$OUT")" '^uid 1000 1000 1000 gid 1000 1000 1000 groups 10 29' \
	"process.user: uid, gid, additionalGids"
orun t1 "$(args /bin/sh -c 'ulimit -n; ulimit -Hn')" \
	"d['process']['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'soft': 100, 'hard': 200}]"
is "$(tr '\n' ' ' <<<"$OUT")" "100 200 " "process.rlimits: RLIMIT_NOFILE soft and hard"
orun t1 "$(args /probe status CapBnd)" \
	"d['process']['capabilities'] = {k: ['CAP_KILL'] for k in ('bounding', 'effective', 'permitted')}"
like "$OUT" '^CapBnd:[[:space:]]+0+20$' "process.capabilities: the bounding set is CAP_KILL alone"
orun t1 "$(args /probe status NoNewPrivs)" "d['process']['noNewPrivileges'] = True"
like "$OUT" 'NoNewPrivs:[[:space:]]+1' "process.noNewPrivileges"
orun t1 "$(args /probe status NoNewPrivs)" "d['process']['noNewPrivileges'] = False"
like "$OUT" 'NoNewPrivs:[[:space:]]+0' "  false: not set (nook's own default is on)"

# --- the root and the mounts ---
orun t1 "$(args /probe write /etc/x)"
like "$OUT" 'EROFS|Read-only' "root.readonly (true in the spec's default): the root is read-only"
orun t1 "$(args /probe write /etc/x)" "d['root']['readonly'] = False"
is "$OUT" ok "root.readonly false: writable"
rm -f "$B/rootfs/etc/x"
mkdir -p "$W/data"
echo from-host >"$W/data/f"
orun t1 "$(args /probe cat /mnt/f + write /mnt/g)" \
	"d['mounts'].append({'destination': '/mnt', 'type': 'bind', 'source': '$W/data', 'options': ['rbind', 'ro']})"
like "$(tr '\n' ' ' <<<"$OUT")" '^from-host .*(EROFS|Read-only)' "mounts: a read-only bind mount"
orun t1 "$(args /probe cat /run/x + write /run/x)" \
	"d['mounts'].append({'destination': '/run', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['nosuid', 'size=1m']})"
like "$(tr '\n' ' ' <<<"$OUT")" 'ENOENT.* ok' "mounts: a tmpfs, empty and writable"
orun t1 "$(args /probe cat /etc/hostname)"
is "$OUT" rootfs "  /etc/hostname as the image has it"
orun t1 "$(args /probe cat /etc/hostname)" "d['linux']['maskedPaths'].append('/etc/hostname')"
is "$RC:$OUT" "0:" "linux.maskedPaths: a masked file reads empty"
orun t1 "$(args /probe write /proc/sys/kernel/hostname)"
like "$OUT" 'EROFS|Read-only' "linux.readonlyPaths: /proc/sys read-only"

# --- namespaces and cgroups ---
NS=nook-oci-$$
if add_netns "$NS"; then
	orun t1 "$(args /probe ns)" \
		"d['linux']['namespaces'] = [n for n in d['linux']['namespaces'] if n['type'] != 'network'] + [{'type': 'network', 'path': '/run/netns/$NS'}]"
	is "$(res net)" "$(stat -L -c %i "/run/netns/$NS")" "linux.namespaces: a network namespace joined by its path"
else
	skip 1 "cannot add a network namespace"
fi
orun t1 "$(args /probe ns)"
is "$(res user)" "$(stat -L -c %i /proc/self/ns/user)" "a namespace not listed (user) is the host's"
if [ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	orun t1 "$(args /bin/sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max 2>/dev/null; echo; cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max 2>/dev/null')" \
		"d['linux']['resources'] = {'memory': {'limit': 67108864}, 'pids': {'limit': 50}}"
	like "$(tr '\n' ' ' <<<"$OUT")" '^67108864 ' "linux.resources.memory.limit: in the container's cgroup"
	like "$(tr '\n' ' ' <<<"$OUT")" ' 50 ?$' "linux.resources.pids.limit too"
else
	skip 2 "no memory cgroup"
fi
orun t1 "$(args /bin/sh -c 'cat /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us 2>/dev/null; true')" \
	"d['linux']['resources'] = {'cpu': {'quota': 50000, 'period': 100000}}"
like "$RC:$(tr '\n' ' ' <<<"$OUT")" '^0:(50000 100000|50000) ' "linux.resources.cpu quota and period"
# shares 512 -> weight 1 + 510 * 9999 / 262142 = 20; nook writes that
# weight to a v1 hierarchy as shares 500 (the default 100 is 2500)
orun t1 "$(args /bin/sh -c 'cat /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu,cpuacct/cpu.shares 2>/dev/null; true')" \
	"d['linux']['resources'] = {'cpu': {'shares': 512}}"
like "$RC:$(tr '\n' ' ' <<<"$OUT")" '^0:(20|500) ' "linux.resources.cpu.shares: as cpu_weight 20"
if [ -f /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] || [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	orun t1 "$(args /bin/sh -c 'cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes /sys/fs/cgroup/memory.swap.max 2>/dev/null; true')" \
		"d['linux']['resources'] = {'memory': {'limit': 33554432, 'swap': 67108864}}"
	like "$RC:$OUT" '^0:(67108864|33554432)$' "linux.resources.memory.swap: memory and swap together"
else
	skip 1 "no swap accounting"
fi
orun t1 "$(args /probe exit 0)" "d['linux']['resources'] = {'memory': {'limit': 33554432, 'swap': 33554432}}"
like "$RC:$ERR" '^125:nook-oci: config.json: linux.resources.memory.swap: equal to memory.limit' "memory.swap equal to the limit: 125, named"
orun t1 "$(args /probe exit 0)" "d['mounts'].append({'destination': '/run', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['nosuid', 'strictatime', 'mode=755', 'size=65536k']})"
is "$RC" 0 "a tmpfs with strictatime (containerd's /run): runs"
orun t1 "$(args /bin/cat /proc/self/oom_score_adj)" "d['process']['oomScoreAdj'] = 500"
is "$RC:$OUT" "0:500" "process.oomScoreAdj"
orun t1 "$(args /bin/sh -c 'ulimit -Hf')" \
	"d['process']['rlimits'] = [{'type': 'RLIMIT_FSIZE', 'soft': 1048576, 'hard': 18446744073709551615}]"
if [ "$(ulimit -Hf)" = unlimited ]; then
	is "$RC:$OUT" "0:unlimited" "process.rlimits: 2^64-1 is unlimited"
else
	skip 1 "the hard fsize limit here is not unlimited (no CAP_SYS_RESOURCE to raise it)"
fi
orun t1 "$(args /probe cat /proc/sys/net/ipv4/ip_forward)" "d['linux']['sysctl'] = {'net.ipv4.ip_forward': '1'}"
is "$RC:$OUT" "0:1" "linux.sysctl: a namespaced sysctl set"
orun t1 "$(args /probe cat /proc/self/uid_map)" \
	"d['linux']['namespaces'].append({'type': 'user'})" \
	"d['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 200000, 'size': 65536}]" \
	"d['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 200000, 'size': 65536}]"
like "$RC:$(tr -s ' ' <<<"$OUT")" '^0: ?0 200000 65536' "linux.uidMappings in a new user namespace"

# --- errors: the JSON path, 125 ---
orun t1 "$(args /probe exit 0)" "d['linux']['intelRdt'] = {'closID': 'x'}"
like "$RC:$ERR" '^125:nook-oci: config.json: linux.intelRdt: not supported yet' "linux.intelRdt: 125, not supported yet"
orun t1 "$(args /probe exit 0)" "d['hooks'] = {'prestart': [{'path': 'bin/true'}]}"
like "$RC:$ERR" '^125:nook-oci: config.json: hooks.prestart\[0\].path: "bin/true": expected an absolute path' "hooks.prestart: a bad hook is 125, named"
orun t1 "$(args /probe exit 0)" "d['linux']['personality'] = {'domain': 'LINUX'}" "d['process']['apparmorProfile'] = 'x'"
like "$RC:$(grep -c 'not supported yet' <<<"$ERR"):$(tr '\n' ' ' <<<"$ERR")" \
	'^125:2:.*config\.json: linux\.personality: not supported yet' "every unsupported field is named, in one run:"
like "$ERR" 'config\.json: process\.apparmorProfile: not supported yet' "  process.apparmorProfile too"
orun t1 "$(args /probe exit 0)" "d['mounts'].append({'destination': '/x', 'type': 'nfs', 'source': 'h:/x'})"
like "$RC:$ERR" "^125:nook-oci: config.json: mounts\[7\]: type \"nfs\" on \"/x\": not supported yet" "a mount of another type: 125, its index"
orun t1 "$(args /probe exit 0)" "d['mounts'].append({'destination': '/mnt', 'type': 'bind', 'source': '/tmp', 'options': ['rbind', 'ro', 'rshared']})"
like "$RC:$ERR" '^125:nook-oci: config.json: mounts\[7\].options\[2\]: "rshared": not supported' "a mount option not supported: 125, its index"
orun t1 "$(args /probe exit 0)" "d['process']['capabilities']['effective'] = ['CAP_KILL']"
like "$RC:$ERR" '^125:nook-oci: config.json: process.capabilities: effective differs from bounding' "capability sets that differ: 125"
orun t1 "$(args /probe exit 0)" "d['process']['cwd'] = 'tmp'"
like "$RC:$ERR" '^125:nook-oci: config.json: process.cwd: \[process\] cwd: "tmp": expected an absolute path' \
	"a bad value: nook's own check, with its JSON path"
printf '{\n  "ociVersion": "1.0.0",\n  "root": { "path": "rootfs" },\n  "process": { "args": [ "x" ], }\n}\n' >"$B/config.json"
oci run --bundle "$B" t1
like "$RC:$ERR" '^125:nook-oci: config.json:4: column [0-9]+: ' "malformed JSON: 125, line and column"
edit "d['ociVersion'] = '2.0.0'"
oci run --bundle "$B" t1
like "$RC:$ERR" '^125:nook-oci: config.json: ociVersion: "2.0.0": not supported' "an ociVersion past 1.2: refused"

# --- runc's default config.json ---
if command -v runc >/dev/null 2>&1; then
	R=$W/runc-bundle
	mkdir -p "$R"
	ln -s "$B/rootfs" "$R/rootfs"
	(cd "$R" && runc spec)
	"$PY" "$EDIT" "$R/config.json" "d['process']['terminal'] = False" \
		"$(args /bin/sh -c 'head -c1 /dev/zero | wc -c')"
	oci run --bundle "$R" r1
	is "$RC:$OUT" 0:1 "runc spec's default (no terminal) runs, with its linux.resources.devices deny-all"
	"$PY" "$EDIT" "$R/config.json" "del d['linux']['resources']" \
		"d['process']['terminal'] = False" "$(args /probe hostname + caps)"
	oci run --bundle "$R" r1
	like "$RC:$(tr '\n' ' ' <<<"$OUT")" '^0:hostname runc .*CapBnd:[[:space:]]+0+20000420' \
		"  without it: runs, with runc's host name and capabilities"
else
	skip 2 "runc not installed"
fi

# --- the command line ---
oci pause c1
like "$RC:$ERR" '^125:nook-oci: pause: not supported \(nook has no freezer' "pause: refused by name (125)"
oci --systemd-cgroup run --bundle "$B" t1
like "$RC:$ERR" '^125:nook-oci: --systemd-cgroup: not supported' "--systemd-cgroup: refused"
edit "d['linux']['intelRdt'] = {}"
oci --log "$W/log.json" --log-format json run --bundle "$B" t1
"$PY" -c 'import json, sys; e = json.loads(open(sys.argv[1]).readline()); assert e["level"] == "error" and e["msg"] == "config.json: linux.intelRdt: not supported yet"' \
	"$W/log.json" 2>/dev/null
ok $? "--log with --log-format json: the error as runc's JSON log line"
orun "bad/id" "$(args /probe exit 0)"
like "$RC:$ERR" '^125:nook-oci: run: "bad/id": not a container ID' "an invalid container ID: 125"

if command -v mandoc >/dev/null 2>&1; then
	is "$(mandoc -Tlint -W warning "$TOP/spawner/nook-oci.1" 2>&1)" "" "mandoc -Tlint clean: nook-oci(1)"
else
	skip 1 "no mandoc"
fi

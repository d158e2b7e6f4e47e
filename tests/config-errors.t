#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: bad configs through the real binary.  Each case of the table is run
# twice: "nook --check" must exit 125 with a line naming FILE:LINE (or
# "--set ...") and, where there is one, the [section] key and a reason; and
# a real start ("nook FILE", in a throw-away UTS/IPC/mount namespace) must
# exit 125 without running the command, which would create a marker file.
# Then: --print-config output is read back unchanged, and every error of a
# file is reported.  Known bugs are "# TODO" tests.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
[ -x "$NOOK" ] || skip_all "$NOOK not built (make)"
[ -x "$NOOK_INIT" ] || skip_all "$NOOK_INIT not built (make)"

W=$(mktemp -d /tmp/config-errors.XXXXXX)
trap 'rm -rf "$W"' EXIT
ROOT=$W/root			# a busybox rootfs; the command touches /ran
MARK=$ROOT/ran
mkdir -p "$ROOT/bin" "$W/adir"
mkfifo "$W/fifo"
: >"$W/afile"
printf '#!/bin/sh\nexit 0\n' >"$W/init-noexec"
chmod 644 "$W/init-noexec"
if [ -n "$BUSYBOX" ]; then	# a static one (lib.sh); none: no starts
	cp "$BUSYBOX" "$ROOT/bin/busybox"
	ln -s busybox "$ROOT/bin/touch"
fi

# Lines 1-5 of every case unless it says "#!nobase"; its own lines are 6-.
BASE="[process]
command = /bin/touch /ran
[rootfs]
path = $ROOT
readonly = no"

# A test of a known bug: TODO when $2 is not empty.
tok() {		# tok STATUS TODO-REASON DESCRIPTION
	if [ -z "$2" ]; then
		ok "$1" "$3"
		return
	fi
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $3 # TODO $2"
	else
		echo "not ok $_tap_n - $3 # TODO $2"
	fi
}

# --- the table ---------------------------------------------------------------
# case_ NAME LOC LABEL REASON [NOOK-ARGS...] <<EOF (body) EOF
#   LOC: a line number (FILE:N:), "set:ASSIGNMENT" (--set ASSIGNMENT:),
#   "file" (FILE: - no line), "anyline" (FILE:N: for any N) or "none"
#   (no location).  LABEL: "[section] key", "[section]" or "".
#   Body directives on its first line: "#!nobase" (no base lines),
#   "#!missing" (no file at all).  TODO=REASON marks a known bug; with
#   MSG=1 only the message is wrong (the start test is not a TODO).
NAMES=() LOCS=() LABELS=() WHYS=() ARGS=() BODIES=() TODOS=() RUNTODOS=()
case_() {
	NAMES+=("$1") LOCS+=("$2") LABELS+=("$3") WHYS+=("$4")
	shift 4
	local a="" x
	for x in "$@"; do
		a+="${a:+$'\x1f'}$x"
	done
	ARGS+=("$a")
	BODIES+=("$(cat)")
	TODOS+=("${TODO:-}")
	if [ -n "${MSG:-}" ]; then RUNTODOS+=(""); else RUNTODOS+=("${TODO:-}"); fi
}

# typos
case_ "unknown section, with a hint" 6 "" \
	"unknown section [proces] (did you mean [process]?)" <<'EOF'
[proces]
user = 1
EOF
case_ "unknown section, no hint" 6 "" "unknown section [zzzzzz]" <<'EOF'
[zzzzzz]
key = 1
EOF
case_ "unknown key, with a hint" 7 "[process]" \
	'unknown key "comand" (did you mean "command"?)' <<'EOF'
[process]
comand = /bin/false
EOF
case_ "unknown key, no hint" 7 "[rootfs]" 'unknown key "flavour"' <<'EOF'
[rootfs]
flavour = vanilla
EOF
case_ "unknown key, wrong case" 7 "[filesystem]" \
	'unknown key "PROC" (did you mean "proc"?)' <<'EOF'
[filesystem]
PROC = no
EOF
case_ "--set: unknown key" set:process.umsk=0022 "[process]" \
	'unknown key "umsk" (did you mean "umask"?)' -s process.umsk=0022 </dev/null
case_ "--set: unknown section" set:rootf.path=/ "" \
	"unknown section [rootf] (did you mean [rootfs]?)" -s rootf.path=/ </dev/null
case_ "--set: no section" set:umask=0022 "" "expected SECTION.KEY=VALUE" \
	-s umask=0022 </dev/null
case_ "--set: no '='" set:process.umask "" "expected SECTION.KEY=VALUE" \
	-s process.umask </dev/null

# bad values
case_ "bool" 7 "[filesystem] proc" \
	"expected yes, no, true, false, on, off, 1 or 0" <<'EOF'
[filesystem]
proc = maybe
EOF
case_ "size" 7 "[filesystem] shm_size" \
	"expected a size such as 64M, 1G, 4096 or max" <<'EOF'
[filesystem]
shm_size = 64Q
EOF
case_ "duration" 7 "[process] stop_timeout" \
	"expected a duration such as 500ms, 10s, 2m or 1h" <<'EOF'
[process]
stop_timeout = 10 seconds
EOF
case_ "duration, negative" 7 "[process] stop_timeout" \
	"expected a duration such as 500ms, 10s, 2m or 1h" <<'EOF'
[process]
stop_timeout = -5s
EOF
case_ "duration, out of range" 7 "[process] stop_timeout" \
	"out of range (at most 3650 days)" <<'EOF'
[process]
stop_timeout = 3651d
EOF
# numbers: too large is an error, never a silent wrap
case_ "rttime 427007965d (once wrapped to 7.9 hours)" 7 "[rlimits] rttime" \
	"out of range (at most 3650 days)" <<'EOF'
[rlimits]
rttime = 427007965d
EOF
case_ "rttime, the hard limit too long" 7 "[rlimits] rttime" \
	"out of range (at most 3650 days)" <<'EOF'
[rlimits]
rttime = 1s:3651d
EOF
case_ "cpu past 2^64" 7 "[rlimits] cpu" "out of range (at most 3650 days)" <<'EOF'
[rlimits]
cpu = 18446744073709551617s
EOF
case_ "fsize past 2^63 bytes" 7 "[rlimits] fsize" "out of range" <<'EOF'
[rlimits]
fsize = 8388608T
EOF
case_ "nofile past 2^40" 7 "[rlimits] nofile" "out of range" <<'EOF'
[rlimits]
nofile = 1099511627777
EOF
case_ "shm_size past 2^63 bytes" 7 "[filesystem] shm_size" \
	"out of range (at most 8E, 2^63 - 1 bytes)" <<'EOF'
[filesystem]
shm_size = 99999999999999999999
EOF
case_ "stop_timeout past 2^64" 7 "[process] stop_timeout" \
	"out of range (at most 3650 days)" <<'EOF'
[process]
stop_timeout = 18446744073709551616ms
EOF
case_ "monotonic_offset, negative past 2^64" 7 "[time] monotonic_offset" \
	"out of range (at most 3650 days)" <<'EOF'
[time]
monotonic_offset = -18446744073709551616s
EOF
case_ "enum, with a hint" 7 "[filesystem] sys" \
	'"r0" is not one of ro, rw, no (did you mean ro?)' <<'EOF'
[filesystem]
sys = r0
EOF
case_ "enum, no hint" 7 "[init] mode" \
	'"supervisor" is not one of init, direct' <<'EOF'
[init]
mode = supervisor
EOF
case_ "--set: enum" set:rootfs.propagation=slav "[rootfs] propagation" \
	'"slav" is not one of slave, private, shared, unbindable (did you mean slave?)' \
	-s rootfs.propagation=slav </dev/null
case_ "umask, not octal" 7 "[process] umask" \
	"expected an octal mode from 0000 to 0777" <<'EOF'
[process]
umask = 0o22
EOF
case_ "umask 0800" 7 "[process] umask" \
	"expected an octal mode from 0000 to 0777" <<'EOF'
[process]
umask = 0800
EOF
case_ "--set: umask 0800" set:process.umask=0800 "[process] umask" \
	"expected an octal mode from 0000 to 0777" -s process.umask=0800 </dev/null
case_ "hostname with '_'" 7 "[container] hostname" \
	"expected a host name: 1-64 characters of A-Z a-z 0-9 - . (not starting with - or .)" <<'EOF'
[container]
hostname = web_1
EOF
case_ "hostname starting with '-'" 7 "[container] hostname" \
	"expected a host name" <<'EOF'
[container]
hostname = -web
EOF
case_ "name with a blank" 7 "[container] name" \
	"expected 1-64 characters of A-Z a-z 0-9 - _ ." <<'EOF'
[container]
name = my box
EOF
case_ "env without '='" 7 "[process] env" "expected NAME=VALUE" <<'EOF'
[process]
env = FOO
EOF
case_ "env, bad name" 7 "[process] env" \
	"expected NAME=VALUE with a valid variable name" <<'EOF'
[process]
env = 1FOO=x
EOF
case_ "cwd, relative" 7 "[process] cwd" "expected an absolute path" <<'EOF'
[process]
cwd = tmp
EOF
case_ "user 4294967295" 7 "[process] user" \
	"expected an id from 0 to 4294967294 or a name" <<'EOF'
[process]
user = 4294967295
EOF
case_ "uid_map, two fields" 7 "[user] uid_map" \
	'expected "INSIDE OUTSIDE COUNT" (COUNT > 0, ids below 2^32), auto or identity' <<'EOF'
[user]
uid_map = 0 1000
EOF
case_ "uid_map, count 0" 7 "[user] uid_map" \
	'expected "INSIDE OUTSIDE COUNT"' <<'EOF'
[user]
uid_map = 0 100000 0
EOF
case_ "gid_map, past 2^32" 7 "[user] gid_map" \
	'expected "INSIDE OUTSIDE COUNT"' <<'EOF'
[user]
gid_map = 4294967295 0 2
EOF
case_ "namespace value" 7 "[namespaces] ipc" \
	"expected new, host or the path of a namespace file" <<'EOF'
[namespaces]
ipc = private
EOF
case_ "shm_size 0" 7 "[filesystem] shm_size" "must not be 0" <<'EOF'
[filesystem]
shm_size = 0
EOF
case_ "tmpfs size=0" 7 "[mounts] tmpfs" \
	'"/scratch:size=0": bad option (expected size=SIZE, mode=OCTAL, uid=N or gid=N)' <<'EOF'
[mounts]
tmpfs = /scratch:size=0
EOF
case_ "tmpfs size=12Q" 7 "[mounts] tmpfs" '"/scratch:size=12Q": bad option' <<'EOF'
[mounts]
tmpfs = /scratch:size=12Q
EOF
case_ "tmpfs mode=0999" 7 "[mounts] tmpfs" '"/scratch:mode=0999": bad option' <<'EOF'
[mounts]
tmpfs = /scratch:mode=0999
EOF
case_ "bind, relative" 7 "[mounts] bind" \
	'"etc:/mnt": expected SRC[:DST[:OPTIONS]] with absolute paths' <<'EOF'
[mounts]
bind = etc:/mnt
EOF
case_ "bind, unknown option" 7 "[mounts] bind_ro" \
	'"/etc:/mnt:rox": unknown option (expected ro, rw, nosuid, nodev, noexec, optional, create=dir, create=file, idmap=yes or idmap=no)' <<'EOF'
[mounts]
bind_ro = /etc:/mnt:rox
EOF
case_ "symlink without LINK" 7 "[mounts] symlink" \
	'"/target": expected TARGET:LINK with an absolute LINK' <<'EOF'
[mounts]
symlink = /target
EOF
case_ "mkdir with .." 7 "[mounts] mkdir" \
	'"/a/../../b": the destination must not contain ".."' <<'EOF'
[mounts]
mkdir = /a/../../b
EOF
case_ "--set: unterminated quote" "set:process.command=/bin/sh -c 'echo" \
	"[process] command" "unterminated ' quote" \
	-s "process.command=/bin/sh -c 'echo" </dev/null

# given twice
case_ "scalar given twice" 9 "[process] umask" "given twice (first on line 7)" <<'EOF'
[process]
umask = 0027
env = A=1
umask = 0077
EOF
case_ "scalar given twice, reopened section" 7 "[rootfs] path" \
	"given twice (first on line 4)" <<'EOF'
[rootfs]
path = /
EOF
case_ "command given twice" 7 "[process] command" \
	"given twice (first on line 2)" <<'EOF'
[process]
command = /bin/true
EOF
case_ "scalar given twice, empty the first time" 8 "[container] hostname" \
	"given twice (first on line 7)" <<'EOF'
[container]
hostname =
hostname = box
EOF

# overlong lines, cut values
long=$(printf '%0250d' 0)
case_ "overlong line" 7 "" \
	"line is 258 characters long; the limit is 198: continue the value on indented lines" <<EOF
[process]
env = X=$long
EOF
case_ "overlong line, its tail a key" 7 "" "line is 270 characters long" <<EOF
[process]
env = X=${long}umask = 0777
EOF
case_ "overlong comment line" 6 "" "line is 252 characters long" <<EOF
# $long
EOF
case_ "inline ' ;'" 7 "" \
	"\" ;\" starts an inline comment, which would cut this value; write \\; for a ; in a command (or drop the blank before it), and put comments on their own line" <<'EOF'
[process]
env = A=1 ; the first
EOF
case_ "inline tab ';'" 7 "" '" ;" starts an inline comment' <<EOF
[process]
env = A=1	;x
EOF
case_ "' ;' inside quotes" 7 "" '" ;" starts an inline comment' <<'EOF'
[init]
args = -c 'a ; b'
EOF

# missing files
case_ "config file missing" file "" "No such file or directory" <<'EOF'
#!missing
EOF
case_ "config file is a FIFO (no hang)" file "" "not a regular file" <<'EOF'
#!fifo
EOF
case_ "config file over 1 MiB" file "" "the file is larger than 1 MiB" <<'EOF'
#!big
EOF
case_ "config file is a directory" file "" "Is a directory" <<'EOF'
#!dir
EOF
case_ "rootfs path missing" 4 "[rootfs] path" \
	"\"$W/nonexistent\": No such file or directory" <<EOF
#!nobase
[process]
command = /bin/touch /ran
[rootfs]
path = $W/nonexistent
EOF
case_ "--set: rootfs path missing" "set:rootfs.path=$W/nonexistent" \
	"[rootfs] path" "\"$W/nonexistent\": No such file or directory" \
	-s "rootfs.path=$W/nonexistent" </dev/null
case_ "rootfs path is a file" 4 "[rootfs] path" \
	"\"$W/afile\" is not a directory" <<EOF
#!nobase
[process]
command = /bin/touch /ran
[rootfs]
path = $W/afile
EOF
case_ "bind source missing" 7 "[mounts] bind" \
	"source \"$W/nonexistent\" does not exist" <<EOF
[mounts]
bind = $W/nonexistent:/mnt
EOF
case_ "bind_ro source missing" 8 "[mounts] bind_ro" \
	"source \"$W/nonexistent\" does not exist" <<EOF
[mounts]
bind_ro = /etc:/mnt/etc
bind_ro = $W/nonexistent:/mnt
EOF
case_ "init path missing" 7 "[init] path" \
	"\"$W/no-init\": No such file or directory" <<EOF
[init]
path = $W/no-init
EOF
case_ "init path not executable" 7 "[init] path" "\"$W/init-noexec\":" <<EOF
[init]
path = $W/init-noexec
EOF
case_ "init path a directory" 7 "[init] path" \
	"\"$W/adir\": not an executable file" <<EOF
[init]
path = $W/adir
EOF
case_ "namespace path not a namespace" 7 "[namespaces] net" \
	'"/etc/hostname" is not a namespace file' <<'EOF'
[namespaces]
net = /etc/hostname
EOF
case_ "namespace path of another type" 7 "[namespaces] uts" \
	'"/proc/self/ns/net" is not a uts namespace' <<'EOF'
[namespaces]
uts = /proc/self/ns/net
EOF
case_ "namespace path a FIFO (no hang)" 7 "[namespaces] net" \
	"\"$W/fifo\" is not a namespace file" <<EOF
[namespaces]
net = $W/fifo
EOF
case_ "namespace path /dev/null (not nsfs: no ioctl)" 7 "[namespaces] ipc" \
	'"/dev/null" is not a namespace file' <<'EOF'
[namespaces]
ipc = /dev/null
EOF
case_ "namespace path missing" 7 "[namespaces] ipc" \
	"\"$W/nonexistent\": No such file or directory" <<EOF
[namespaces]
ipc = $W/nonexistent
EOF

# conflicts
case_ "mount = host" 7 "[namespaces] mount" \
	"must be new: nook builds the container's root in a mount namespace of its own" <<'EOF'
[namespaces]
mount = host
EOF
case_ "mount = a path" 7 "[namespaces] mount" "must be new" <<'EOF'
[namespaces]
mount = /proc/self/ns/mnt
EOF
case_ "uid_map with user = host" 9 "[user] uid_map" \
	"needs [namespaces] user = new" <<'EOF'
[namespaces]
user = host
[user]
uid_map = 0 0 1
EOF
case_ "gid_map with user = host" 7 "[user] gid_map" \
	"needs [namespaces] user = new" <<'EOF'
[user]
gid_map = 0 0 1
[namespaces]
user = host
EOF
case_ "hostname with uts = host" 7 "[container] hostname" \
	"needs [namespaces] uts = new" <<'EOF'
[container]
hostname = box
[namespaces]
uts = host
EOF
case_ "domainname with uts = host" 7 "[container] domainname" \
	"needs [namespaces] uts = new" <<'EOF'
[container]
domainname = example.org
[namespaces]
uts = host
EOF
case_ "--set: uts = host with a hostname" 7 "[container] hostname" \
	"needs [namespaces] uts = new" -s namespaces.uts=host <<'EOF'
[container]
hostname = box
EOF
case_ "sys with net = host" 7 "[filesystem] sys" \
	"mounting sysfs in a new user namespace needs [namespaces] net = new (or leave sys out to get the host's /sys read-only, or set sys = no)" <<'EOF'
[filesystem]
sys = ro
[namespaces]
net = host
EOF
case_ "proc with pid = host" 7 "[filesystem] proc" \
	"mounting /proc in a new user namespace needs [namespaces] pid = new (or leave proc out to get the host's /proc bound, or set proc = no)" <<'EOF'
[filesystem]
proc = yes
[namespaces]
pid = host
EOF
case_ "init args with mode = direct" 8 "[init] args" \
	"conflicts with [init] mode = direct (no init runs)" <<'EOF'
[init]
mode = direct
args = -v
EOF
case_ "shm_size with dev = host" 8 "[filesystem] shm_size" \
	"applies only with [filesystem] dev = minimal" <<'EOF'
[filesystem]
dev = host
shm_size = 128M
EOF
case_ "shm_size with dev = none" 7 "[filesystem] shm_size" \
	"applies only with [filesystem] dev = minimal" <<'EOF'
[filesystem]
shm_size = 128M
dev = none
EOF
case_ "boottime_offset with time = host" 9 "[time] boottime_offset" \
	"needs [namespaces] time = new" <<'EOF'
[namespaces]
time = host
[time]
boottime_offset = 1h
EOF
case_ "monotonic_offset with time = host" 9 "[time] monotonic_offset" \
	"needs [namespaces] time = new" <<'EOF'
[namespaces]
time = host
[time]
monotonic_offset = -1h
EOF
case_ "boottime_offset in its old place" 7 "" \
	"[namespaces] boottime_offset moved to [time] boottime_offset" <<'EOF'
[namespaces]
boottime_offset = 1h
EOF

# cgroup, network, sysctl values
case_ "cgroup: memory_max, bad size" 7 "[cgroup] memory_max" \
	'"64Q": expected a size such as 64M, 1G, 4096 or max' <<'EOF'
[cgroup]
memory_max = 64Q
EOF
case_ "cgroup: pids_max = 0" 7 "[cgroup] pids_max" \
	'"0": expected a number from 1 to 4194304, or max' <<'EOF'
[cgroup]
pids_max = 0
EOF
case_ "cgroup: cpu_max, too few CPUs" 7 "[cgroup] cpu_max" \
	'"0.001": too small (at least 0.01 CPUs)' <<'EOF'
[cgroup]
cpu_max = 0.001
EOF
case_ "cgroup: cpu_max, short period" 7 "[cgroup] cpu_max" \
	'"100000 500": expected max, QUOTA PERIOD in microseconds' <<'EOF'
[cgroup]
cpu_max = 100000 500
EOF
case_ "cgroup: cpu_max, too many CPUs" 7 "[cgroup] cpu_max" \
	'"5000": out of range (at most 4096 CPUs)' <<'EOF'
[cgroup]
cpu_max = 5000
EOF
case_ "cgroup: cpu_weight = 0" 7 "[cgroup] cpu_weight" \
	'"0": expected a weight from 1 to 10000' <<'EOF'
[cgroup]
cpu_weight = 0
EOF
case_ "cgroup: cpuset backwards" 7 "[cgroup] cpuset_cpus" \
	'"3-1": expected CPUs or memory nodes such as 0-3,8' <<'EOF'
[cgroup]
cpuset_cpus = 3-1
EOF
case_ "cgroup: version v3" 7 "[cgroup] version" \
	'"v3" is not one of auto, v2, v1' <<'EOF'
[cgroup]
version = v3
EOF
case_ "cgroup: parent with .." 7 "[cgroup] parent" \
	'"a/../b": expected a cgroup path' <<'EOF'
[cgroup]
parent = a/../b
EOF
case_ "cgroup: delegate with cgroup = host" 7 "[cgroup] delegate" \
	'needs [namespaces] cgroup = new' <<'EOF'
[cgroup]
delegate = yes
[namespaces]
cgroup = host
EOF
case_ "network: mode bridge" 7 "[network] mode" \
	'"bridge" is not one of none, host, veth' <<'EOF'
[network]
mode = bridge
EOF
case_ "network: address without prefix" 8 "[network] address" \
	'"10.0.0.2": expected ADDRESS/PREFIX' <<'EOF'
[network]
mode = veth
address = 10.0.0.2
EOF
case_ "network: address, prefix 33" 8 "[network] address" \
	'"10.0.0.2/33": expected ADDRESS/PREFIX' <<'EOF'
[network]
mode = veth
address = 10.0.0.2/33
EOF
case_ "network: gateway with a prefix" 8 "[network] gateway" \
	'"10.0.0.1/24": expected an IPv4 or IPv6 address without a prefix' <<'EOF'
[network]
mode = veth
gateway = 10.0.0.1/24
EOF
case_ "network: mtu 10" 8 "[network] mtu" \
	'"10": expected an MTU from 68 to 65535' <<'EOF'
[network]
mode = veth
mtu = 10
EOF
case_ "network: interface name too long" 8 "[network] interface" \
	'"averylonginterfacename": expected an interface name' <<'EOF'
[network]
mode = veth
interface = averylonginterfacename
EOF
case_ "network: dns not an address" 7 "[network] dns" \
	'"nope": expected an IPv4 or IPv6 address' <<'EOF'
[network]
dns = nope
EOF
case_ "network: hosts without a name" 7 "[network] hosts" \
	'"10.0.0.9": expected IP NAME [NAME...]' <<'EOF'
[network]
hosts = 10.0.0.9
EOF
case_ "network: address without veth" 7 "[network] address" \
	'applies only with [network] mode = veth' <<'EOF'
[network]
address = 10.0.0.2/24
EOF
case_ "network: host_address with bridge" 9 "[network] host_address" \
	'conflicts with [network] bridge' <<'EOF'
[network]
mode = veth
bridge = br0
host_address = 10.0.0.1/24
EOF
case_ "network: mode host with net = new" 7 "[network] mode" \
	'host needs [namespaces] net = host' <<'EOF'
[network]
mode = host
EOF
case_ "sysctl: not namespaced" 7 "" \
	'[sysctl] kernel.panic: not namespaced: would change the host' <<'EOF'
[sysctl]
kernel.panic = 1
EOF
case_ "sysctl: net.* with net = host" 9 "" \
	'[sysctl] net.ipv4.ip_forward: needs [namespaces] net = new' <<'EOF'
[namespaces]
net = host
[sysctl]
net.ipv4.ip_forward = 1
EOF
case_ "sysctl: a bad name" 7 "" \
	'[sysctl] "net..x": expected a kernel parameter' <<'EOF'
[sysctl]
net..x = 1
EOF

# id maps
case_ "uid_map, overlapping inside ranges" 8 "[user] uid_map" \
	'range "500 200000 10" overlaps another range of the map' <<'EOF'
[user]
uid_map = 0 100000 1000
uid_map = 500 200000 10
EOF
case_ "gid_map, overlapping outside ranges" 8 "[user] gid_map" \
	'range "2000 100500 10" overlaps another range of the map' <<'EOF'
[user]
gid_map = 0 100000 1000
gid_map = 2000 100500 10
EOF
case_ "uid_map, auto and a range" 7 "[user] uid_map" \
	"auto and identity cannot be combined with other ranges" <<'EOF'
[user]
uid_map = 0 0 1
uid_map = auto
EOF
case_ "uid_map, six ranges" 7 "[user] uid_map" "at most 5 ranges (got 6)" <<'EOF'
[user]
uid_map = 0 0 1
uid_map = 1 1 1
uid_map = 2 2 1
uid_map = 3 3 1
uid_map = 4 4 1
uid_map = 5 5 1
EOF

# required keys
case_ "no command" none "[process] command" \
	"required (in the file or after -- on the command line)" <<EOF
#!nobase
[rootfs]
path = $ROOT
EOF
case_ "no rootfs path" none "[rootfs] path" "required" <<'EOF'
#!nobase
[process]
command = /bin/touch /ran
EOF
case_ "empty rootfs path" 4 "[rootfs] path" "required" <<'EOF'
#!nobase
[process]
command = /bin/touch /ran
[rootfs]
path =
EOF

# syntax
case_ "line without '='" 7 "" "expected KEY = VALUE, [SECTION] or a comment" <<'EOF'
[process]
just some words
EOF
case_ "section header without ']'" 6 "" "section header without ']'" <<'EOF'
[process
EOF
case_ "key before any section" 1 "" "key \"name\" before any [section]" <<EOF
#!nobase
name = box
$BASE
EOF
case_ "indented line without '='" 7 "" "expected KEY = VALUE, [SECTION] or a comment" <<'EOF'
[process]
  junk
EOF
case_ "continuation of a scalar" 8 "[container] hostname" \
	"an indented line continues a value, but this key takes a single value" <<'EOF'
[container]
hostname = box
	two
EOF
case_ "indented unknown key after a header" 7 "[container]" 'unknown key "nmae"' <<'EOF'
[container]
  nmae = box
EOF
case_ "an assignment on a header line" 6 "" "" <<'EOF'
[process] umask = 0777
EOF

# --- run the table -------------------------------------------------------------
N=${#NAMES[@]}

# Can we start containers here?  Then a real start is tried for each case.
CAN_RUN=
if [ -n "$BUSYBOX" ] && [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	printf '%s\n' "$BASE" >"$W/ok.ini"
	rm -f "$MARK"
	if timeout 30 unshare -uim --propagation private --fork -- \
		"$NOOK" -q "$W/ok.ini" >/dev/null 2>&1 && [ -e "$MARK" ]; then
		CAN_RUN=1
	fi
	rm -f "$MARK"
fi

# The stderr line that starts with PREFIX and contains LABEL and WHY.
has_line() {	# has_line FILE PREFIX LABEL WHY
	local l
	while IFS= read -r l; do
		[[ $l == "$2"* ]] || continue
		[[ $l == *"$3"* && $l == *"$4"* ]] && return 0
	done <"$1"
	return 1
}

for ((i = 0; i < N; i++)); do
	name=${NAMES[i]} loc=${LOCS[i]} body=${BODIES[i]} todo=${TODOS[i]}
	f=$W/case-$i.ini
	rm -f "$f"
	case $body in
	'#!missing'*) f=$W/nonexistent/case-$i.ini ;;
	'#!fifo'*) rm -f "$f"; mkfifo "$f" ;;
	'#!dir'*) mkdir -p "$f" ;;
	'#!big'*)	# a valid config padded with comments past 1 MiB
		{ printf '%s\n' "$BASE"
		  for ((j = 0; j < 14000; j++)); do
			echo "# padding padding padding padding padding padding padding padding padding padding"
		  done; } >"$f" ;;
	'#!nobase'*) printf '%s\n' "${body#*$'\n'}" >"$f" ;;
	*) printf '%s\n%s\n' "$BASE" "$body" >"$f" ;;
	esac
	args=()
	[ -n "${ARGS[i]}" ] && IFS=$'\x1f' read -r -a args <<<"${ARGS[i]}"
	case $loc in
	set:*) prefix="nook: --set ${loc#set:}: " ;;
	file) prefix="nook: $f: " ;;
	anyline) prefix="nook: $f:" ;;
	none) prefix="nook: " ;;
	*) prefix="nook: $f:$loc: " ;;
	esac
	label=${LABELS[i]}
	[ "$loc" = none ] && prefix+="$label: " label=

	rm -f "$MARK"
	# bounded: a FIFO config or namespace path must not hang the suite
	timeout 10 "$NOOK" --check "${args[@]}" "$f" >"$W/out" 2>"$W/err" </dev/null
	rc=$?
	st=0
	[ "$rc" -eq 125 ] || st=1
	has_line "$W/err" "$prefix" "$label" "${WHYS[i]}" || st=1
	[ -s "$W/out" ] && st=1
	[ -e "$MARK" ] && st=1
	tok "$st" "$todo" "--check: $name"
	if [ "$st" -ne 0 ] && [ -z "$todo" ]; then
		diag "exit $rc (want 125); want a line starting '$prefix'" \
			"  with '$label' and '${WHYS[i]}'; stderr:" \
			"$(sed 's/^/  /' "$W/err")"
		[ -s "$W/out" ] && diag "stdout: $(cat "$W/out")"
	fi

	if [ -z "$CAN_RUN" ]; then
		skip 1 "cannot start containers here (root, busybox, unshare)"
		continue
	fi
	rm -f "$MARK"
	timeout 30 unshare -uim --propagation private --fork -- \
		"$NOOK" "${args[@]}" "$f" >"$W/out" 2>"$W/err"
	rc=$?
	st=0
	[ "$rc" -eq 125 ] || st=1
	[ -e "$MARK" ] && st=1
	tok "$st" "${RUNTODOS[i]}" "start: $name: exit 125, the command did not run"
	if [ "$st" -ne 0 ] && [ -z "${RUNTODOS[i]}" ]; then
		diag "exit $rc; marker: $([ -e "$MARK" ] && echo created || echo none)" \
			"$(sed 's/^/  /' "$W/err")"
	fi
done

# --- a good config: --check and --print-config start nothing ------------------
printf '%s\n' "$BASE" >"$W/good.ini"
rm -f "$MARK"
err=$("$NOOK" --check -q "$W/good.ini" 2>&1)
rc=$?
ok $(( rc != 0 || ${#err} != 0 )) "a good config: --check -q exits 0 and says nothing"
if [ "$rc" -ne 0 ] || [ -n "$err" ]; then diag "exit $rc: $err"; fi
"$NOOK" --print-config "$W/good.ini" >/dev/null 2>&1
[ ! -e "$MARK" ]
ok $? "--check and --print-config start nothing"
if [ -n "$CAN_RUN" ]; then
	pass "the good config does start (the marker test can fail)"
else
	skip 1 "cannot start containers here"
fi

# --- --print-config: read back unchanged --------------------------------------
# Print; write the output over the file; print again: identical, and --check
# accepts it.  (The file is the same, so even the header line is.)
# Options go before FILE, "-- COMMAND..." after it: PRE=() and POST=().
PRE=() POST=()
roundtrip() {	# roundtrip FILE -> status; $RT_ERR
	local f=$1
	RT_ERR=
	"$NOOK" --print-config "${PRE[@]}" "$f" "${POST[@]}" >"$W/p1" 2>"$W/e1" ||
		{ RT_ERR="first print: $(cat "$W/e1")"; return 1; }
	cp "$W/p1" "$f"
	"$NOOK" --print-config "$f" >"$W/p2" 2>"$W/e2" ||
		{ RT_ERR="second print: $(cat "$W/e2")"; return 1; }
	cmp -s "$W/p1" "$W/p2" ||
		{ RT_ERR=$(diff "$W/p1" "$W/p2"); return 1; }
	"$NOOK" --check "$f" 2>"$W/e3" ||
		{ RT_ERR="--check: $(cat "$W/e3")"; return 1; }
	return 0
}
rt_case() {	# rt_case TODO DESCRIPTION FILE
	local st
	roundtrip "$3"
	st=$?
	tok "$st" "$1" "print round trip: $2"
	[ "$st" -eq 0 ] || [ -n "$1" ] || diag "$RT_ERR"
	PRE=() POST=()
}

cat >"$W/rich.ini" <<EOF
# a comment
[container]
hostname = box-1

[process]
command = /bin/sh -c 'echo "one  two"
	three' "it's" \\\\back
	--long-option-number-one --long-option-number-two --long-option-number-three
	--long-option-number-four --long-option-number-five --long-option-number-six
env = A=1
	B=two words
env_keep = TERM
umask = 0077
stop_timeout = 2m

[init]
args = -v
args = -g

[user]
uid_map = 0 100000 1000
uid_map = 1000 1000 1

[rootfs]
path = $ROOT
readonly = no
overlay = tmpfs

[filesystem]
shm_size = 16M

[mounts]
bind_ro = /etc:/mnt/etc:nosuid,nodev
tmpfs = /scratch:size=16M,mode=1777
file = /etc/motd:=hello
	world 'x' "y"
symlink = /proc/self/fd:/dev/fd
mkdir = /data
EOF
rt_case "" "a config with lists, continuation lines and mounts" "$W/rich.ini"
grep -q "^	" "$W/p1"
ok $? "print round trip: the long command is wrapped onto continuation lines"
printf '%s\n' "$BASE" >"$W/set.ini"
PRE=(-s process.umask=0027 -s 'process.env=X=a b')
POST=(-- /bin/echo "a b" "it's" '' 'x\y')
rt_case "" "with --set and a command after --" "$W/set.ini"
printf '%s\n[namespaces]\nuts = host\n' "$BASE" >"$W/uts.ini"
rt_case "" "uts = host" "$W/uts.ini"
printf '%s\n[filesystem]\ndev = host\n' "$BASE" >"$W/dev.ini"
rt_case "" "dev = host" "$W/dev.ini"
printf '%s\n[namespaces]\nuser = host\n' "$BASE" >"$W/uhost.ini"
rt_case "" "user = host" "$W/uhost.ini"
printf '%s\n' "$BASE" >"$W/web_1.ini"
rt_case "" "a file named web_1.ini (default hostname web-1)" "$W/web_1.ini"
printf '%s\n' "$BASE" >"$W/-web.ini"
rt_case "" \
	"a file named -web.ini" "$W/-web.ini"
printf "%s\n[init]\nargs = -v 'a\n\tb'\n" "$BASE" >"$W/args.ini"
rt_case "" \
	"init args with a quote spanning lines" "$W/args.ini"
printf '%s\n' "$BASE" >"$W/semi.ini"
POST=(-- /bin/sh -c 'true ;true')
rt_case "" "a command word with ' ;'" "$W/semi.ini"
pad=$(printf '%0130d' 0)
for c in '#' '['; do	# (TAP: '#' in a description is written '\#')
	printf '%s\n' "$BASE" >"$W/wrap.ini"
	POST=(-- /bin/echo "$pad" "a b c d ${c}e f g")
	rt_case "" \
		"a long command wrapped inside quotes before '${c/\#/\\#}'" "$W/wrap.ini"
done

# --- every error of a file is reported ----------------------------------------
cat >"$W/many-load.ini" <<EOF
$BASE
[process]
comand = x
umask = 0022
umask = 0027
env = A ; b
[rootfs
just words
EOF
"$NOOK" --check "$W/many-load.ini" 2>"$W/err"
rc=$?
st=0
for l in 7 9 10 11 12; do
	grep -q "^nook: $W/many-load.ini:$l: " "$W/err" || st=1
done
ok $(( st || rc != 125 )) "five syntax and key errors in one file: all reported"
[ "$st" -eq 0 ] || diag "$(cat "$W/err")"

cat >"$W/many-values.ini" <<EOF
$BASE
[process]
umask = 0800
cwd = relative
stop_timeout = soon
[filesystem]
sys = r0
[container]
hostname = web_1
EOF
"$NOOK" --check "$W/many-values.ini" 2>"$W/err"
rc=$?
st=0
for l in 7 8 9 11 13; do
	grep -q "^nook: $W/many-values.ini:$l: " "$W/err" || st=1
done
ok $(( st || rc != 125 )) "five bad values in one file: all reported"
[ "$st" -eq 0 ] || diag "$(cat "$W/err")"

cat >"$W/many-mixed.ini" <<EOF
$BASE
[process]
comand = x
umask = 0800
EOF
"$NOOK" --check "$W/many-mixed.ini" 2>"$W/err"
rc=$?
st=0
for l in 7 8; do
	grep -q "^nook: $W/many-mixed.ini:$l: " "$W/err" || st=1
done
tok $(( st || rc != 125 )) "" \
	"an unknown key and a bad value in one file: both reported"

# --- control characters in values are escaped in messages ----------------------
printf '%s\n[filesystem]\nsys = a\033[2Jb\n' "$BASE" >"$W/esc.ini"
timeout 10 "$NOOK" --check "$W/esc.ini" 2>"$W/err"
rc=$?
st=0
[ "$rc" -eq 125 ] || st=1
grep -q "^nook: $W/esc.ini:7: \[filesystem\] sys: \"a\\\\e\[2Jb\" is not one of" \
	"$W/err" || st=1
grep -q $'\033' "$W/err" && st=1
ok "$st" "an ESC in a value: the message shows \\e, no raw ESC reaches the terminal"
[ "$st" -eq 0 ] || diag "exit $rc; stderr: $(od -c "$W/err" | head -5)"
printf '%s\n' "$BASE" >"$W/nl.ini"
timeout 10 "$NOOK" --check -s $'rootfs.propagation=x\nnook: fake: all is well\x07' \
	"$W/nl.ini" 2>"$W/err"
rc=$?
st=0
[ "$rc" -eq 125 ] || st=1
[ "$(grep -c . "$W/err")" -eq 1 ] || st=1
grep -q 'x\\nnook: fake: all is well\\x07' "$W/err" || st=1
ok "$st" "a newline and BEL in a --set value: one message line, shown as \\n and \\x07"
[ "$st" -eq 0 ] || diag "exit $rc; stderr: $(od -c "$W/err" | head -8)"

# --- --print-config of a multi-line [mounts] file text --------------------------
# The INI loader drops blank and comment lines and the blanks around each
# line of a value: such a text is refused, never printed to read back
# different.
printf '%s\n' "$BASE" >"$W/ft.ini"
for t in $'a\n\n#b\n c' $'a\n;b' $'a\n c' $'a \nb' $'a ;b'; do
	timeout 10 "$NOOK" --print-config -s "mounts.file=/etc/x:=$t" "$W/ft.ini" \
		>"$W/out" 2>"$W/err"
	rc=$?
	st=0
	[ "$rc" -eq 125 ] || st=1
	grep -q '\[mounts\] file: cannot be printed as INI: line [12] of the text' \
		"$W/err" || st=1
	[ -s "$W/out" ] && st=1
	ok "$st" "--print-config refuses the file text '${t//$'\n'/\\n}' (cannot read back the same)"
	[ "$st" -eq 0 ] || diag "exit $rc; stderr: $(cat "$W/err")" "stdout: $(grep -A3 '^\[mounts\]' "$W/out")"
done
printf '%s\n' "$BASE" >"$W/ft2.ini"
PRE=(-s $'mounts.file=/etc/motd:=one\ntwo  words\n[three]\nfour=4')
rt_case "" "a multi-line file text that INI can hold" "$W/ft2.ini"
grep -q '^	\[three\]$' "$W/p1" && grep -q '^	four=4$' "$W/p1"
ok $? "--print-config: its lines come out as continuation lines"

# --- a UTF-8 byte order mark ---------------------------------------------------
printf '\xef\xbb\xbf%s\n' "$BASE" >"$W/bom.ini"
"$NOOK" --check "$W/bom.ini" 2>"$W/err"
ok $? "a file starting with a UTF-8 byte order mark is accepted"

plan "$_tap_n"
done_testing

#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: the basic confinement of the container's process - capabilities,
# no_new_privs and a seccomp filter by default, only descriptors 0-2 (and
# pass_fd) inherited, masked and read-only /proc and /sys paths, no mount
# or nested user namespace for container root, and no way back to the
# host's processes.  (Attacks in depth: nook-escape.t, nook-hardening.t.)
. "$(dirname "$0")/lib.sh"
nook_setup

plan 20

# Docker's default set: chown dac_override fowner fsetid kill setgid setuid
# setpcap net_bind_service net_raw sys_chroot mknod audit_write setfcap
DOCKER_CAPS=00000000a80425fb

probe_in "$CONF" caps + status NoNewPrivs + status Seccomp: + fds
is "${L[0]}" $'CapInh:\t0000000000000000' "root: nothing inheritable"
is "${L[1]}" $'CapPrm:\t'$DOCKER_CAPS "root: permitted is Docker's default set"
is "${L[2]}" $'CapEff:\t'$DOCKER_CAPS "root: effective is Docker's default set"
is "${L[3]}" $'CapBnd:\t'$DOCKER_CAPS "root: the bounding set is cut down to it"
is "${L[4]}" $'CapAmb:\t0000000000000000' "root: no ambient capabilities"
is "${L[5]}" $'NoNewPrivs:\t1' "no_new_privs is set"
is "${L[6]}" $'Seccomp:\t2' "a seccomp filter is installed"
run_nook -s process.user=app "$CONF" -- /probe caps
joined 1 5
like "$J" $'^CapInh:\t0+ CapPrm:\t0+ CapEff:\t0+ CapBnd:\t'$DOCKER_CAPS$' CapAmb:\t0+$' \
	"user = app: no capabilities at all (bounding set still limited)"

# --- descriptors: nothing but 0-2 crosses into the container ---
exec 7<"$W/test.ini" 8>"$W/fd8" 9<"$ROOT"
chmod 666 "$W/fd8"	# reopened by path inside, as container root (not host root)
probe_in "$CONF" fds
joined 1 $NL
like "$J" '^0 -> [^ ]+ 1 -> [^ ]+ 2 -> [^ ]+$' "open descriptors 7, 8, 9 of nook's caller are not inherited"
write_conf "$W/pass.ini" <<'EOF'
[process]
pass_fd = 8
EOF
probe_in "$W/pass.ini" fds + write /proc/self/fd/8 via-fd
like "${L[3]}" '^8 -> ' "pass_fd = 8: descriptor 8 is passed"
is "$NL" 5 "  and only it (7 and 9 are not)"
is "${L[4]}:$(<"$W/fd8")" "ok:via-fd" "  it is usable from inside"
exec 7<&- 8>&- 9<&-

# --- setuid binaries: no_new_privs keeps them powerless ---
cp "$PROBE" "$ROOT/suid-probe"
chmod 4755 "$ROOT/suid-probe"
run_nook -s process.user=app "$CONF" -- /suid-probe ids
is "${L[0]}" "uid 1000 1000 1000" "a setuid-root binary run by app stays uid 1000 (no_new_privs)"
run_nook -s process.user=app -s security.no_new_privs=no "$CONF" -- /suid-probe ids
is "${L[0]}" "uid 1000 0 0" "  with no_new_privs = no it does gain euid 0 (the test can tell)"
rm -f "$ROOT/suid-probe"

# --- masked and read-only kernel interfaces ---
probe_in "$CONF" stat /proc/keys + cat /proc/keys + ls /proc/acpi + ls /sys/firmware \
	+ write /proc/sys/kernel/domainname + statvfs /proc/sys
is "${L[0]}" "chr 0666 65534 65534 1:3" "/proc/keys is masked with /dev/null"
is "$NL" 3 "  /proc/keys reads empty, /proc/acpi and /sys/firmware are empty"
joined 2 3
is "$J" "error EROFS /proc/sys/kernel/domainname ro nosuid nodev noexec" \
	"/proc/sys is read-only"

# --- container root cannot mount, nor nest user namespaces ---
run_nook "$CONF" -- /bin/sh -c 'mount -t tmpfs x /tmp 2>/dev/null; echo mount=$?
	unshare -U true 2>/dev/null; echo unshare=$?; unshare -m true 2>/dev/null; echo unshare-m=$?'
joined 1 3
is "$J" "mount=1 unshare=1 unshare-m=1" "container root can neither mount nor unshare"

# --- no way to the host's processes ---
sleep 60 &
HOSTPID=$!
_nook_bg+=("$HOSTPID")
run_nook "$CONF" -- /bin/sh -c "kill -0 $HOSTPID 2>/dev/null && echo reachable || echo unreachable
	n=0; for p in /proc/[0-9]*; do n=\$((n + 1)); done; echo \$n"
joined 1 2
is "$J" "unreachable 2" "host processes are neither visible nor signalable (2 pids: init, sh)"
kill "$HOSTPID" 2>/dev/null
wait "$HOSTPID" 2>/dev/null
[ -e "/proc/$HOSTPID" ]
ok $((1 - $?)) "  (the host's process was ours to stop)"

done_testing

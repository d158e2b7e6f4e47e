#!/bin/bash
# SPDX-License-Identifier: MIT
# The example appliance of examples/appliance/, end to end: `make appliance'
# builds it (Debian's kernel, an initramfs whose /init is nook-init running
# /etc/nook/rc, which becomes `nook /etc/nook/app.ini'), and qemu boots it.
# The test adds one file to the initramfs, /etc/nook/hook, which the
# appliance's rc runs once the application has started: it fetches the
# page over the veth pair, looks at the container from both sides, crashes
# httpd (SIGSEGV) once and waits for the restarted container to answer,
# then asks for the shutdown its boot is about.  The hook and the console
# print "APPLIANCE-TEST KEY VALUE" lines, which the test reads from the
# serial console.
#
# Three boots, concurrently:
#   hybrid  the default cgroups (v1 memory and pids, v2 unified), shut down
#           by Ctrl-Alt-Del: qemu's monitor sends the keys, the kernel
#           sends SIGINT to PID 1
#   v2      cgroup_no_v1=all (pure cgroup v2), shut down by the
#           application's clean exit (nook stop app: SIGTERM, status 143,
#           reported as 0 by the container's nook-init -e 143)
#   term    SIGTERM to PID 1, right after the first page
#
# Environment: NOOK_VM_TIMEOUT (seconds per boot, default 240),
# NOOK_VM_ACCEL (kvm or tcg; default: kvm when /dev/kvm boots the kernel),
# NOOK_VM_JOBS (concurrent boots, default: CPU count), NOOK_VM_KEEP=1,
# NOOK_BUILD (lib.sh: where make appliance builds).
. "$(dirname "$0")/lib.sh"

need_root	# /dev/console in the initramfs
need_cmd qemu-system-x86_64 cpio gzip timeout awk python3 make ldd

. "$TOP/tests/helpers/vm/lib-vm.sh"
vm_find		# skips without a kernel or a static busybox

TIMEOUT=${NOOK_VM_TIMEOUT:-240}
JOBS=${NOOK_VM_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$JOBS" -ge 1 ] 2>/dev/null || JOBS=1

vm_tmp nook-appliance-vm
APP=$BUILD/appliance

# --- make appliance, as a user runs it --------------------------------------
if ! make -s -C "$TOP" B="$BUILD" APPLIANCE_KERNEL="$KERNEL" appliance \
    >"$TMP"/make.log 2>&1; then
	echo "Bail out! make appliance failed: $(tail -n 5 "$TMP"/make.log)"
	exit 1
fi
vm_accel
diag "accelerator: $ACCEL ($ACCEL_WHY)"

# --- the test's hook --------------------------------------------------------
mkdir -p "$TMP"/hook/etc/nook
cat >"$TMP"/hook/etc/nook/hook <<'EOF'
#!/bin/sh
# tests/appliance-vm.t's checks, run by /etc/nook/rc in the appliance
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
say() { echo "APPLIANCE-TEST $*"; }
mode=$(sed -n 's/.*appliance\.test=\([a-z]*\).*/\1/p' /proc/cmdline)
say mode "$mode"

# web N: the page, fetched over the veth pair (at most 120 s)
web() {
	i=0
	while [ $i -lt 240 ]; do
		# (this busybox's wget -T crashes: timeout(1) bounds it)
		if timeout 10 wget -q -O /tmp/page http://10.0.0.2:8080/ \
		    2>/dev/null; then
			say web$1 "$(grep -o '<h1>[^<]*</h1>' /tmp/page)"
			return 0
		fi
		sleep 0.5
		i=$((i + 1))
	done
	say web$1 none
	return 1
}
# inside KEY SCRIPT: what SCRIPT prints in the container, on one line
inside() {
	say "$1" $(nook exec app -- /bin/sh -c "$2" 2>&1)
}
# nook's cgroup directories: three on the hybrid layout, one on v2
cgroups() {
	find /sys/fs/cgroup -maxdepth 2 -type d -name 'nook-*' | wc -l
}

web 1 || exit 1
# httpd's namespaces against PID 1's (the container's PID 1 itself, on
# Linux 6.1, stays in the appliance's time namespace: only its children
# are born in the one it made)
pid=$(pidof httpd)
ns=
for n in user pid mnt net uts ipc cgroup time; do
	[ "$(readlink /proc/$pid/ns/$n)" != "$(readlink /proc/1/ns/$n)" ] &&
		ns="$ns $n"
done
say ns-new $ns
say ps $(nook ps | awk '$1 == "app" { print $1, $4 }')
say veth $(ip -o -4 addr show dev nk-app | awk '{ print $4 }')
inside uid 'id -u'
inside hostname 'hostname'
inside capeff 'awk "/^CapEff/ { print \$2 }" /proc/self/status'
inside capbnd 'awk "/^CapBnd/ { print \$2 }" /proc/self/status'
inside rootfs 'touch /etc/x 2>&1 | grep -o "Read-only file system"'
inside memory 'cd /sys/fs/cgroup
	for f in memory.max memory/memory.limit_in_bytes; do
		[ -e $f ] && echo ${f#*/} $(cat $f); done'
inside pids 'cd /sys/fs/cgroup
	for f in pids.max pids/pids.max; do [ -e $f ] && cat $f; done'
say cgroups1 $(cgroups)

if [ "$mode" = term ]; then
	say term
	kill -TERM 1
	exit 0
fi

# a crash: the container ends with 139, nook-init restarts it
say crash "$(pidof httpd)" uptime $(cut -d' ' -f1 /proc/uptime)
kill -SEGV $(pidof httpd)
sleep 1
web 2 || exit 1
say runs $(cat /run/appliance/runs)
say cgroups2 $(cgroups)

case $mode in
cad)
	say cad-ready	# the test's qemu monitor sends Ctrl-Alt-Del
	;;
clean)
	say stop
	nook stop app
	;;
esac
EOF
chmod 755 "$TMP"/hook/etc/nook/hook
(cd "$TMP"/hook && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 \
	>"$TMP"/hook.gz &&
	cat "$APP"/initramfs.cpio.gz "$TMP"/hook.gz >"$TMP"/initrd.gz || {
	echo "Bail out! cannot add the hook to $APP/initramfs.cpio.gz"
	exit 1
}

# --- the boots --------------------------------------------------------------
declare -A BOOT_ARGS
# boot_start NAME KERNEL-ARGS...: qemu in the background, with the
# appliance's own command line and a monitor on NAME.mon
boot_start() {
	local name=$1
	shift
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 0.2; done
	BOOT_ARGS[$name]="$*"
	: >"$TMP/$name.serial"
	(
		tp=
		trap '[ -n "$tp" ] && kill -TERM "$tp" 2>/dev/null; exit 143' TERM
		start=$(date +%s)
		timeout -k 10 "$TIMEOUT" qemu-system-x86_64 \
			-accel "$ACCEL" -m 256 -smp 1 -nodefaults -display none \
			-monitor "unix:$TMP/$name.mon,server=on,wait=off" \
			-serial "file:$TMP/$name.serial" -no-reboot \
			-kernel "$APP"/vmlinuz -initrd "$TMP"/initrd.gz \
			-append "$* $(cat "$APP"/cmdline)" \
			</dev/null >"$TMP/$name.qemu" 2>&1 &
		tp=$!
		wait "$tp"
		echo "$? $(($(date +%s) - start))" >"$TMP/$name.status"
	) &
	VM_PID[$name]=$!
}

# send_keys NAME: when the hook says cad-ready, Ctrl-Alt-Del by the monitor
send_keys() {
	local name=$1 i=0
	while [ $i -lt $((TIMEOUT * 2)) ]; do
		grep -q 'APPLIANCE-TEST cad-ready' "$TMP/$name.serial" && break
		[ -e "$TMP/$name.status" ] && return 1
		sleep 0.5
		i=$((i + 1))
	done
	python3 - "$TMP/$name.mon" 'sendkey ctrl-alt-delete' <<-'EOF'
	import socket, sys, time
	s = socket.socket(socket.AF_UNIX)
	s.connect(sys.argv[1])
	s.settimeout(5)
	s.recv(4096)			# the banner and prompt
	s.sendall((sys.argv[2] + "\n").encode())
	time.sleep(1)
	s.close()
	EOF
}

# boot_wait NAME: sets LOG (the console, CR stripped), QRC, SECS
boot_wait() {
	wait "${VM_PID[$1]}"
	unset "VM_PID[$1]"
	read -r QRC SECS <"$TMP/$1.status" 2>/dev/null || { QRC=255 SECS='?'; }
	LOG=$TMP/$1.log
	tr -d '\r' <"$TMP/$1.serial" >"$LOG"
	diag "boot '$1' (${BOOT_ARGS[$1]}): qemu exit $QRC after ${SECS}s"
}
has() { grep -Eq -- "$1" "$LOG"; }
count() { grep -Ec -- "$1" "$LOG"; }
# get KEY: the rest of the first "APPLIANCE-TEST KEY ..." line
get() {
	awk -v k="APPLIANCE-TEST $1" '{ i = index($0, k) }
		i && (length($0) == i + length(k) - 1 ||
		      substr($0, i + length(k), 1) == " ") {
			print substr($0, i + length(k) + 1); exit }' "$LOG"
}
# uptime_of REGEX: the uptime a line matching REGEX gives ("uptime N")
uptime_of() {
	grep -E -- "$1" "$LOG" | head -n 1 |
		sed -n 's/.*uptime \([0-9.]*\).*/\1/p'
}

# check_common NAME: 16 test points
check_common() {
	local b="[$1]"

	ok $((QRC == 124 || QRC == 137)) "$b qemu ended by itself within ${TIMEOUT}s"
	is "$QRC" 0 "$b qemu exit status 0"
	! has 'Kernel panic|Attempted to kill init'
	ok $? "$b no kernel panic, PID 1 never exited"
	has 'reboot: Power down' && has 'nook-init: powering off'
	ok $? "$b nook-init powered the machine off"
	! has 'nook-init: grace period over'
	ok $? "$b every process ended on SIGTERM within the grace period (nothing killed)"
	is "$(get web1)" '<h1>nook appliance</h1>' "$b the page answers over the veth pair"
	is "$(get ns-new)" 'user pid mnt net uts ipc cgroup time' "$b httpd has all eight namespaces of its own"
	is "$(get ps)" 'app /etc/nook/app.ini' "$b nook ps shows the container app of /etc/nook/app.ini"
	is "$(get veth)" 10.0.0.1/24 "$b the appliance's end of the veth pair is nk-app, 10.0.0.1/24"
	is "$(get uid)" 1000 "$b httpd runs as www (1000)"
	is "$(get hostname)" appliance-web "$b with its own host name"
	is "$(get capeff)" 0000000000000000 "$b with no capabilities"
	is "$(get capbnd)" 0000000000000000 "$b and an empty bounding set"
	is "$(get rootfs)" 'Read-only file system' "$b its root is read-only"
	is "$(get pids)" 32 "$b pids_max = 32 seen inside"
	has 'response:200'
	ok $? "$b httpd logs the request on the console"
}

# check_restart NAME: 6 test points
check_restart() {
	local b="[$1]" t0 t1

	has 'nook-init: /etc/nook/rc exited with status 139' &&
		has 'nook-init: restarting /etc/nook/rc'
	ok $? "$b the crash (SIGSEGV, 139) is seen by PID 1, which restarts the application"
	has 'appliance: starting the application, run 2 '
	ok $? "$b the restart is counted in the log (run 2)"
	is "$(get web2)" '<h1>nook appliance</h1>' "$b the restarted container answers"
	is "$(get runs)" 2 "$b two runs in all"
	t0=$(uptime_of 'APPLIANCE-TEST crash ')
	t1=$(uptime_of 'starting the application, run 2 ')
	awk -v a="${t0:-x}" -v b="${t1:-x}" 'BEGIN { exit !(a != "x" && b != "x" && b - a >= 1) }'
	ok $? "$b it came back after the back-off of at least 1 s (crash at ${t0:-?} s, run 2 at ${t1:-?} s)"
	is "$(get cgroups2)" "$(get cgroups1)" "$b the first container's cgroups are gone (as many nook-* as before)"
}

show_log() {
	diag "console tail ($LOG):" "$(sed '/Call Trace:/,/<\/TASK>/d' "$LOG" | tail -n 40)"
	[ -s "$TMP/$1.qemu" ] && diag "qemu output:" "$(tail -n 10 "$TMP/$1.qemu")"
}

boot_start hybrid appliance.test=cad
boot_start v2 cgroup_no_v1=all appliance.test=clean
send_keys hybrid &
keys=$!
boot_start term appliance.test=term

plan 72

# 1) hybrid cgroups, a crash, Ctrl-Alt-Del
boot_wait hybrid
wait "$keys"
f0=$_tap_fail
check_common hybrid
is "$(get memory)" 'memory.limit_in_bytes 33554432' "[hybrid] memory_max = 32M is the v1 memory.limit_in_bytes inside"
like "$(grep 'appliance: cgroups' "$LOG")" hybrid "[hybrid] the rc mounted the hybrid layout"
check_restart hybrid
has 'APPLIANCE-TEST cad-ready'
ok $? "[hybrid] the hook got to the end, Ctrl-Alt-Del sent"
is "$(count 'starting the application, run')" 2 "[hybrid] Ctrl-Alt-Del is a stop: no restart after it"
has 'nook-init: sending SIGTERM to the remaining processes'
ok $? "[hybrid] PID 1 stopped the rest with SIGTERM"
[ "$_tap_fail" = "$f0" ] || show_log hybrid

# 2) pure cgroup v2, a crash, the application's clean exit
boot_wait v2
f0=$_tap_fail
check_common v2
is "$(get memory)" 'memory.max 33554432' "[v2] memory_max = 32M is memory.max inside"
like "$(grep 'appliance: cgroups' "$LOG")" 'cgroups: v2$' "[v2] cgroup_no_v1=all: the rc mounted cgroup2 alone"
check_restart v2
has 'APPLIANCE-TEST stop'
ok $? "[v2] the hook stopped the application (nook stop app)"
has 'nook-init: /etc/nook/rc exited with status 0'
ok $? "[v2] a stopped httpd (143, -e 143) is a clean exit: status 0"
is "$(count 'starting the application, run')" 2 "[v2] a clean exit is not restarted"
[ "$_tap_fail" = "$f0" ] || show_log v2

# 3) SIGTERM to PID 1
boot_wait term
f0=$_tap_fail
check_common term
has 'APPLIANCE-TEST term'
ok $? "[term] the hook sent SIGTERM to PID 1"
is "$(count 'starting the application, run')" 1 "[term] SIGTERM is a stop: no restart"
[ "$_tap_fail" = "$f0" ] || show_log term

done_testing

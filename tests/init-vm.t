#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-init as the real PID 1 of a machine: boot the host's kernel in qemu
# (TCG) with an initramfs whose /init is build/nook-init and whose payload is
# tests/helpers/vm/payload.sh (busybox), and read the serial console.
#
# Boots: 1) default: mounts, stdio, reaping, stopping orphans (SIGTERM, grace,
# SIGKILL), power-off;  2) --on-exit=reboot;  3) --restart=on-failure;
# 4) a stop request (SIGTERM to PID 1) with --restart=always;  5) no initial
# console from the kernel: the init opens /dev/console itself.
#
# Environment: NOOK_VM_TIMEOUT (seconds per boot, default 150),
# NOOK_VM_KERNEL (default: newest /boot/vmlinuz-*), NOOK_VM_ACCEL (tcg),
# NOOK_VM_JOBS (concurrent boots, default: CPU count),
# NOOK_VM_KEEP=1 keeps the temp dir.
. "$(dirname "$0")/lib.sh"

HELPERS=$TOP/tests/helpers/vm

need_root	# mknod /dev/console for the initramfs
need_cmd qemu-system-x86_64 cpio gzip timeout awk
[ -x "$NOOK_INIT" ] || skip_all "$NOOK_INIT not built (run make)"

. "$TOP/tests/helpers/vm/lib-vm.sh"
vm_find

TIMEOUT=${NOOK_VM_TIMEOUT:-150}
JOBS=${NOOK_VM_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$JOBS" -ge 1 ] 2>/dev/null || JOBS=1
[ "$JOBS" -le 5 ] || JOBS=5
ACCEL=${NOOK_VM_ACCEL:-tcg}

vm_tmp nook-init-vm

# --- the initramfs -------------------------------------------------------
build_initramfs() {
	local r=$TMP/root
	mkdir -p "$r"/bin "$r"/dev "$r"/proc "$r"/sys "$r"/run "$r"/tmp "$r"/root || return 1
	cp "$NOOK_INIT" "$r"/init && install_busybox "$r" || return 1
	cp "$HELPERS"/payload.sh "$r"/bin/payload.sh || return 1
	chmod 755 "$r"/init "$r"/bin/payload.sh
	mknod -m 600 "$r"/dev/console c 5 1 || return 1
	(cd "$r" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) |
		gzip -1 >"$TMP"/initrd.gz || return 1
	# The same plus a directory over /dev/console (a later archive wins):
	# the kernel cannot open an initial console, so fds 0-2 of the init
	# are closed.
	mkdir -p "$TMP"/extra/dev/console &&
		(cd "$TMP"/extra && printf 'dev\ndev/console\n' |
			cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$TMP"/extra.gz &&
		cat "$TMP"/initrd.gz "$TMP"/extra.gz >"$TMP"/initrd-noconsole.gz
}
if ! build_initramfs; then
	echo "Bail out! cannot build the initramfs in $TMP"
	exit 1
fi

# --- booting -----------------------------------------------------------------
# The boots run concurrently, NOOK_VM_JOBS at a time (default: the CPU count,
# at most 5), each in a subshell that records "QEMU-STATUS SECONDS".
declare -A BOOT_ARGS
# boot_start NAME INITRD INIT-ARGS...
boot_start() {
	local name=$1 initrd=$2
	shift 2
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 0.2; done
	BOOT_ARGS[$name]="$*"
	: >"$TMP/$name.serial"
	(
		tp=
		trap '[ -n "$tp" ] && kill -TERM "$tp" 2>/dev/null; exit 143' TERM
		start=$(date +%s)
		timeout -k 10 "$TIMEOUT" qemu-system-x86_64 \
			-accel "$ACCEL" -m 256 -smp 1 -nodefaults -display none \
			-monitor none -serial "file:$TMP/$name.serial" -no-reboot \
			-kernel "$KERNEL" -initrd "$initrd" \
			-append "console=ttyS0 panic=-1 quiet rdinit=/init -- $*" \
			</dev/null >"$TMP/$name.qemu" 2>&1 &
		tp=$!
		wait "$tp"
		echo "$? $(($(date +%s) - start))" >"$TMP/$name.status"
	) &
	VM_PID[$name]=$!
}
# boot_wait NAME: sets LOG (serial log), QRC, SECS
boot_wait() {
	local name=$1
	wait "${VM_PID[$name]}"
	unset "VM_PID[$name]"
	LOG=$TMP/$name.serial
	read -r QRC SECS <"$TMP/$name.status" 2>/dev/null || { QRC=255 SECS='?'; }
	diag "boot '$name' (${BOOT_ARGS[$name]}): qemu exit $QRC after ${SECS}s"
}
# has REGEX: the serial log has a line matching it
has() { grep -Eq -- "$1" "$LOG"; }
# field KEY: the rest of the first "KEY ..." line, CR stripped
field() { tr -d '\r' <"$LOG" | awk -v k="$1" '{ i = index($0, k " ") } i { print substr($0, i + length(k) + 1); exit }'; }
show_log() {
	diag "serial log tail ($LOG):"
	diag "$(tr -d '\r' <"$LOG" | sed '/Call Trace:/,/<\/TASK>/d' | tail -n 40)"
	[ -s "${LOG%.serial}.qemu" ] && diag "qemu output:" "$(tail -n 10 "${LOG%.serial}.qemu")"
}
# common CHECKS for every boot: 4 test points
check_boot() {
	local name=$1
	ok $((QRC == 124 || QRC == 137)) "$name: qemu exited by itself within ${TIMEOUT}s"
	is "$QRC" 0 "$name: qemu exit status 0"
	! has 'Kernel panic|Attempted to kill init|end Kernel panic'
	ok $? "$name: no kernel panic (the init never exited)"
	has 'NOOK-PAYLOAD-START'
	ok $? "$name: the payload ran"
}

BASE=$TMP/initrd.gz
boot_start main "$BASE" -v -t 2 sh /bin/payload.sh main
boot_start reboot "$BASE" --on-exit=reboot /bin/sh /bin/payload.sh quick
boot_start restart "$BASE" -t 1 --restart=on-failure /bin/sh /bin/payload.sh flaky
boot_start stop "$BASE" -t 30 --restart=always /bin/sh /bin/payload.sh stop
boot_start noconsole "$TMP/initrd-noconsole.gz" -v sh /bin/payload.sh quick

plan 43

# 1) default: power off after stopping what is left
boot_wait main
f0=$_tap_fail
check_boot main
like "$(field NOOK-PAYLOAD-START)" 'ppid=1( |$)' "main: the payload is a child of PID 1 (found sh via the default PATH)"
is "$(field 'NOOK-MOUNT /proc')" proc "main: /proc mounted (proc)"
is "$(field 'NOOK-MOUNT /sys')" sysfs "main: /sys mounted (sysfs)"
is "$(field 'NOOK-MOUNT /dev')" devtmpfs "main: /dev mounted (devtmpfs)"
is "$(field 'NOOK-MOUNT /run')" tmpfs "main: /run mounted (tmpfs)"
is "$(field NOOK-STDIO)" "/dev/console /dev/console /dev/console" "main: stdio is the console"
is "$(field NOOK-ZOMBIES)" 0 "main: orphans re-parented to PID 1 are reaped"
has 'NOOK-PAYLOAD-EXIT'
ok $? "main: the payload ran to its end"
has 'NOOK-STRAGGLER-CLEANED'
ok $? "main: a leftover orphan got SIGTERM at shutdown"
has 'reboot: Power down'
ok $? "main: the init powered the machine off"
# A SIGTERM-ignoring orphan holds the power-off for the grace period (-t 2):
# compare the payload's exit (/proc/uptime) with the kernel's timestamp.
t_exit=$(field NOOK-PAYLOAD-EXIT | sed -n 's/.*uptime=\([0-9.]*\).*/\1/p')
t_off=$(tr -d '\r' <"$LOG" | sed -n 's/^\[ *\([0-9.]*\)\] reboot: Power down.*/\1/p' | head -n 1)
if [ -n "$t_exit" ] && [ -n "$t_off" ]; then
	delay=$(awk -v a="$t_exit" -v b="$t_off" 'BEGIN { printf "%.2f", b - a }')
	awk -v d="$delay" 'BEGIN { exit !(d >= 1.5 && d < 30) }'
	ok $? "main: power-off waited the grace period for a SIGTERM-ignoring orphan, then went on (${delay}s, -t 2)"
else
	fail "main: power-off waited the grace period (no timestamps: exit '$t_exit', power down '$t_off')"
fi
! has 'reboot: Restarting system'
ok $? "main: no reboot"
[ "$_tap_fail" = "$f0" ] || show_log

# 2) --on-exit=reboot
boot_wait reboot
f0=$_tap_fail
check_boot reboot
has 'NOOK-PAYLOAD-EXIT'
ok $? "reboot: the payload ran to its end"
has 'reboot: Restarting system'
ok $? "reboot: the init rebooted the machine"
! has 'reboot: Power down'
ok $? "reboot: no power-off"
[ "$_tap_fail" = "$f0" ] || show_log

# 3) --restart=on-failure: fails once, restarted, succeeds, power off
boot_wait restart
f0=$_tap_fail
check_boot restart
has 'NOOK-FLAKY-RUN 1' && has 'NOOK-FLAKY-RUN 2'
ok $? "restart: a failed payload is run again"
! has 'NOOK-FLAKY-RUN 3'
ok $? "restart: a successful payload is not"
has 'reboot: Power down'
ok $? "restart: then the init powered off"
[ "$_tap_fail" = "$f0" ] || show_log

# 4) a stop request: SIGTERM to PID 1 stops the child (no restart), power off
boot_wait stop
f0=$_tap_fail
check_boot stop
has 'NOOK-STOP-GOT-TERM'
ok $? "stop: SIGTERM to PID 1 reached the payload as SIGTERM"
is "$(grep -c NOOK-PAYLOAD-START "$LOG")" 1 "stop: the payload is not restarted (--restart=always)"
has 'reboot: Power down'
ok $? "stop: the init powered off"
[ "$_tap_fail" = "$f0" ] || show_log

# 5) no console from the kernel: the init opens /dev/console (devtmpfs)
boot_wait noconsole
f0=$_tap_fail
check_boot noconsole
if has 'unable to open an initial console'; then
	is "$(field NOOK-STDIO)" "/dev/console /dev/console /dev/console" "noconsole: the init gave the payload /dev/console as stdio"
else
	skip 1 "the kernel opened a console after all"
fi
has 'reboot: Power down'
ok $? "noconsole: the init powered off"
[ "$_tap_fail" = "$f0" ] || show_log

done_testing

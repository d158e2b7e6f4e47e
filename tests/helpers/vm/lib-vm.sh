# SPDX-License-Identifier: MIT
# What the qemu tests (tests/init-vm.t, tests/nook-cgroup-v2-vm.t) share.
# Source it after tests/lib.sh:
#   vm_find   set KERNEL (NOOK_VM_KERNEL, else the newest /boot/vmlinuz-*);
#             skip the whole test when it or a static busybox ($BUSYBOX,
#             from tests/lib.sh) is missing
#   vm_tmp NAME  TMP = a new temp dir; at exit the qemus in VM_PID (name ->
#             pid) are stopped and TMP removed (NOOK_VM_KEEP=1 keeps it)

vm_find() {
	KERNEL=${NOOK_VM_KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)}
	[ -n "$KERNEL" ] && [ -r "$KERNEL" ] ||
		skip_all "no readable kernel in /boot/vmlinuz-*"
	need_busybox	# tests/lib.sh found it (NOOK_BUSYBOX, else the usual places)
}

declare -A VM_PID

vm_cleanup() {
	local p

	for p in "${VM_PID[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	wait
	if [ "${NOOK_VM_KEEP:-0}" = 1 ]; then
		echo "# kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}

vm_tmp() {
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
	trap vm_cleanup EXIT
	trap 'exit 130' INT TERM
}

# vm_accel  (after vm_find) ACCEL = NOOK_VM_ACCEL, else kvm when /dev/kvm
#           boots KERNEL, else tcg; ACCEL_WHY says why.  The probe boots
#           KERNEL with no root file system: it must panic (and qemu exit,
#           -no-reboot) within 15 s.  A /dev/kvm that opens but cannot run
#           it (nested virtualisation that does not work: no output, the
#           CPU spinning) is not used.
vm_accel() {
	local log rc

	ACCEL=${NOOK_VM_ACCEL:-}
	if [ -n "$ACCEL" ]; then
		ACCEL_WHY="NOOK_VM_ACCEL=$ACCEL"
		return 0
	fi
	ACCEL=tcg
	if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
		ACCEL_WHY="no usable /dev/kvm"
		return 0
	fi
	log=$(mktemp "${TMPDIR:-/tmp}/nook-kvm-probe.XXXXXX") || return 0
	timeout -k 2 15 qemu-system-x86_64 -accel kvm -m 256 -smp 1 \
		-nodefaults -display none -no-reboot -serial "file:$log" \
		-kernel "$KERNEL" \
		-append "console=ttyS0 panic=-1 root=/dev/nook-no-root" \
		</dev/null >/dev/null 2>&1
	rc=$?
	if [ "$rc" = 0 ] && grep -q 'Kernel panic' "$log"; then
		ACCEL=kvm ACCEL_WHY="/dev/kvm boots the kernel"
	else
		ACCEL_WHY="/dev/kvm does not boot the kernel (probe: qemu status $rc)"
	fi
	rm -f "$log"
}

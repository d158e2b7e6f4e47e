#!/bin/bash
# SPDX-License-Identifier: MIT
# nook's [cgroup] on a pure cgroup v2 machine: boot the host's kernel in qemu
# (TCG) with cgroup_no_v1=all and an initramfs whose /init is build/nook-init,
# holding busybox, build/nook with the libraries it loads, a busybox rootfs
# for the containers and tests/helpers/vm2/payload.sh.  The payload mounts
# cgroup2 alone on /sys/fs/cgroup, runs containers with [cgroup] keys and
# prints "NOOKCG RUN KEY VALUE" lines on the serial console, which this
# test reads once the machine has powered off.
#
# Two boots, in parallel: one with nook's default id maps (auto: the VM's
# kernel, 6.1, cannot idmap the tmpfs that holds the containers' rootfs, so
# nook uses that read-only root as it is, with a warning), one with
# uid_map = gid_map = identity.
#
# Environment: NOOK_VM_TIMEOUT (seconds for the boot, default 240),
# NOOK_VM_KERNEL (default: newest /boot/vmlinuz-*), NOOK_VM_ACCEL (tcg),
# NOOK_VM2_NO_V1 (the kernel argument, default cgroup_no_v1=all; set it
# empty to watch the "pure v2" checks fail), NOOK_BUILD (lib.sh: the nook
# and nook-init to test), NOOK_VM_KEEP=1 keeps the temp dir.
. "$(dirname "$0")/lib.sh"

HELPERS=$TOP/tests/helpers/vm2

need_root	# mknod /dev/console, files owned by root in the initramfs
need_cmd qemu-system-x86_64 cpio gzip timeout awk ldd readelf
[ -x "$NOOK_INIT" ] && [ -x "$NOOK" ] || skip_all "$NOOK not built (run make)"

. "$TOP/tests/helpers/vm/lib-vm.sh"
vm_find

TIMEOUT=${NOOK_VM_TIMEOUT:-240}
ACCEL=${NOOK_VM_ACCEL:-tcg}
NO_V1=${NOOK_VM2_NO_V1-cgroup_no_v1=all}

vm_tmp nook-cgv2-vm

# --- the initramfs -------------------------------------------------------
# libs_of BINARY: the paths of the libraries it loads, the loader included
libs_of() {
	LC_ALL=C ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }'
}

build_initramfs() {
	local r=$TMP/root c l
	mkdir -p "$r"/dev "$r"/proc "$r"/sys "$r"/run "$r"/tmp "$r"/opt/nook ||
		return 1
	cp "$NOOK_INIT" "$r"/init && install_busybox "$r" || return 1
	# nook runs nook-init from its own directory
	cp "$NOOK" "$NOOK_INIT" "$r"/opt/nook/ || return 1
	for l in $(libs_of "$NOOK"); do
		mkdir -p "$r${l%/*}" && cp -L "$l" "$r$l" || return 1
	done
	mkdir -p "$r"/lib "$r"/lib64 || return 1	# the payload copies both
	cp "$HELPERS"/payload.sh "$r"/bin/payload.sh || return 1
	chmod 755 "$r"/init "$r"/bin/payload.sh
	mknod -m 600 "$r"/dev/console c 5 1 || return 1
	# the containers' rootfs
	c=$r/ctr
	install_busybox "$c" || return 1
	mkdir -p "$c"/proc "$c"/sys "$c"/dev "$c"/tmp "$c"/etc "$c"/root \
		"$c"/sync || return 1
	chmod 1777 "$c"/tmp
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$c"/etc/passwd
	printf 'root:x:0:\n' >"$c"/etc/group
	(cd "$r" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) |
		gzip -1 >"$TMP"/initrd.gz
}
if ! build_initramfs; then
	echo "Bail out! cannot build the initramfs in $TMP"
	exit 1
fi

# --- the boots ----------------------------------------------------------------
# boot_start NAME MAPS: qemu in the background, bounded by TIMEOUT; its
# exit status and run time go to NAME.status, the console to NAME.serial
boot_start() {
	(
		tp=
		trap '[ -n "$tp" ] && kill -TERM "$tp" 2>/dev/null; exit 143' TERM
		start=$(date +%s)
		timeout -k 10 "$TIMEOUT" qemu-system-x86_64 \
			-accel "$ACCEL" -m 384 -smp 1 -nodefaults -display none \
			-monitor none -serial "file:$TMP/$1.serial" -no-reboot \
			-kernel "$KERNEL" -initrd "$TMP"/initrd.gz \
			-append "console=ttyS0 panic=-1 quiet $NO_V1 rdinit=/init -- -t 2 /bin/sh /bin/payload.sh stage1 $2" \
			</dev/null >"$TMP/$1.qemu" 2>&1 &
		tp=$!
		wait "$tp"
		echo "$? $(($(date +%s) - start))" >"$TMP/$1.status"
	) &
	VM_PID[$1]=$!
}
# boot_wait NAME: sets LOG (the console, CR stripped), QRC, SECS
boot_wait() {
	wait "${VM_PID[$1]}"
	unset "VM_PID[$1]"
	read -r QRC SECS <"$TMP/$1.status" 2>/dev/null || { QRC=255 SECS='?'; }
	LOG=$TMP/$1.log
	tr -d '\r' <"$TMP/$1.serial" >"$LOG"
	diag "boot '$1' (${NO_V1:-no cgroup_no_v1}): qemu exit $QRC after ${SECS}s"
}

# get RUN KEY: the value of the first "NOOKCG RUN KEY ..." line of LOG
get() {
	awk -v p="NOOKCG $1 $2" '{ i = index($0, p) }
		i && (length($0) == i + length(p) - 1 ||
		      substr($0, i + length(p), 1) == " ") {
			print substr($0, i + length(p) + 1); exit }' "$LOG"
}

# check_boot NAME: what one boot printed; 49 test points
check_boot() {
	local b="[$1]" f0=$_tap_fail c want s t p th

	is "$QRC" 0 "$b the VM ran and powered off within ${TIMEOUT}s (qemu exit 0)"
	grep -q 'NOOKCG done' "$LOG"
	ok $? "$b the payload ran to its end"
	! grep -Eq 'Kernel panic|Attempted to kill init' "$LOG"
	ok $? "$b no kernel panic"

	# the machine: pure cgroup v2
	is "$(get setup v1-memory)" refused "$b pure v2: no controller can be mounted on a v1 hierarchy (cgroup_no_v1=all)"
	is "$(get setup cgmounts)" "cgroup2:/sys/fs/cgroup" "$b pure v2: cgroup2 on /sys/fs/cgroup is the only cgroup mount"
	is "$(get setup self)" "0::/" "$b pure v2: the payload's /proc/self/cgroup is 0::/"
	is "$(get setup fstype)" 63677270 "$b pure v2: /sys/fs/cgroup is cgroup2 (what version = auto checks)"
	is "$(get setup dirs)" "" "$b no cgroup directory before the first run"

	# 1) live: both sides while it runs
	is "$(get live rc)" 0 "$b live: memory_max, pids_max, cpu_max and cpuset_cpus: exit 0"
	is "$(get live self)" "0::/" "$b live: cgroup = new: /proc/self/cgroup inside is 0::/"
	is "$(get live fstype)" 63677270 "$b live: /sys/fs/cgroup inside is cgroup2"
	is "$(get live mounts)" cgroup2 "$b live: and nothing else is mounted under it"
	for c in cpuset cpu memory pids; do
		[[ " $(get live controllers) " == *" $c "* ]]
		ok $? "$b   it has the $c controller (nook enabled it in the root's subtree_control)"
	done
	is "$(get live memory.max)" $((32 << 20)) "$b live: memory.max inside is 32M"
	is "$(get live pids.max)" 20 "$b live: pids.max inside is 20"
	is "$(get live cpu.max)" "20000 100000" "$b live: cpu_max = 0.2 is cpu.max 20000 100000 inside"
	is "$(get live cpuset.cpus)" 0 "$b live: cpuset.cpus inside is 0"
	want=$(get live host-want)
	is "$(get live host-dir)" "${want:-/sys/fs/cgroup/nook-live-PID}" "$b live: version = auto on a pure host: its cgroup nook-live-PID is in the v2 root"
	like "$(get live host-procs)" '^[1-9][0-9]*$' "$b   from the VM's side it holds the container's processes"
	is "$(get live host-pid-cgroup)" "0::/${want##*/}" "$b   and they are in it (/proc/PID/cgroup)"
	is "$(get live host-memory.max)" $((32 << 20)) "$b   VM side: memory.max 33554432"
	is "$(get live host-cpu.max)" "20000 100000" "$b   VM side: cpu.max 20000 100000"
	is "$(get live host-pids.max)" 20 "$b   VM side: pids.max 20"
	gone live

	# 2) the OOM killer
	is "$(get oom rc)" 137 "$b oom: memory_max = 32M: a process allocating past it is OOM-killed (137)"
	grep -q 'Memory cgroup out of memory' "$LOG"
	ok $? "$b   the kernel says why (Memory cgroup out of memory)"
	gone oom

	# 3) the fork loop
	s=$(get pids sleeps) t=$(get pids tasks)
	is "$(get pids rc)" 0 "$b pids: pids_max = 10: the container still exits 0"
	# the limit is what counts: how many sleeps are still up when the
	# loop is counted depends on the machine's timing (0 seen under load)
	ok $(( ${s:-99} < 10 && ${t:-99} <= 10 && ${t:-0} >= 2 ? 0 : 1 )) \
		"$b   the fork loop stops at the limit: ${t:-?} tasks in all, ${s:-?} of 30 sleeps running"
	like "$(get pids events)" '^max [1-9]' "$b   pids.events counts the refused forks"
	gone pids

	# 4) throttling
	p=$(get cpu pct) th=$(get cpu throttled)
	is "$(get cpu cpu.max)" "20000 100000" "$b cpu: cpu_max = 0.2 is cpu.max 20000 100000"
	ok $(( ${p:-100} >= 1 && ${p:-100} < 50 && ${th:-0} > 0 ? 0 : 1 )) \
		"$b   a busy loop is throttled (${p:-?}% of a CPU over 2 s, nr_throttled ${th:-?})"
	gone cpu

	# 5) version = v2 / v1
	is "$(get v2 rc):$(get v2 memory.max)" "0:$((40 << 20))" "$b version = v2: runs, memory.max 40M"
	gone v2
	is "$(get v1 rc)" 125 "$b version = v1 on a pure v2 host: a setup error (125)"
	like "$(get v1 err)" 'v1\.ini:[0-9]+: \[cgroup\] memory_max: ' "$b   it names the file, line and key"
	gone v1

	# 6) delegation
	is "$(get del made):$(get del self)" "yes:0::/sub" "$b delegate = yes: container root makes and enters a sub-cgroup"
	gone del
	# 7) devices: a BPF program
	is "$(get dev rc):$(get dev null):$(get dev zero)" "0:ok:3" "$b devices = deny-all (v2: a BPF program): /dev/null and /dev/zero still work"
	is "$(get dev vmzero)" 1 "$b   [filesystem] device: the node is made and allowed past deny-all"
	if [ "$1" = identity ]; then	# auto: container root cannot write kmsg
		is "$(get devnone kmsg):$(get dev kmsg):$(get dev err)" \
			"ok::/bin/sh: can't create /sync/kmsg: Operation not permitted" \
			"$b   /dev/kmsg, writable without rules, is refused (EPERM)"
	else
		skip 1 "$b /dev/kmsg is not the container root's with maps = auto"
	fi
	gone dev
	is "$(get setup final-dirs)" "" "$b at the end /sys/fs/cgroup holds no directory"

	if [ "$_tap_fail" != "$f0" ]; then
		diag "NOOKCG lines:" "$(grep NOOKCG "$LOG")"
		diag "console tail:" "$(sed '/Call Trace:/,/<\/TASK>/d' "$LOG" | tail -n 25)"
		[ -s "$TMP/$1.qemu" ] && diag "qemu output:" "$(tail -n 10 "$TMP/$1.qemu")"
	fi
}
# gone RUN: nothing is left in /sys/fs/cgroup after RUN
gone() { is "$(get "$1" left)" "" "$b   $1: after it, no cgroup directory is left in /sys/fs/cgroup"; }

boot_start auto auto
boot_start identity identity
plan 98
boot_wait auto
check_boot auto
boot_wait identity
check_boot identity
done_testing

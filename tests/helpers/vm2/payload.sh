#!/bin/sh
# SPDX-License-Identifier: MIT
# The workload of tests/nook-cgroup-v2-vm.t: busybox sh, run by nook-init as
# PID 1 of a qemu VM booted with cgroup_no_v1=all.  It mounts cgroup2 alone
# on /sys/fs/cgroup, runs nook containers with [cgroup] keys and prints
# "NOOKCG RUN KEY VALUE" lines on the serial console for the test to read.
#
# Usage: payload.sh stage1 [MAPS]   MAPS: identity (default) or auto
#
# stage1 runs on the initramfs.  pivot_root(2) refuses a caller whose root
# is the initial rootfs, so it copies the tree to a tmpfs, moves that over /
# and chroots into it (what switch_root does) to run stage2 there.
export PATH=/bin
maps=${2:-identity}
say() { echo "NOOKCG $*"; }

stage1() {
	mkdir -p /newroot &&
		mount -t tmpfs -o mode=0755 newroot /newroot || return 1
	cp -a /bin /lib /lib64 /opt /ctr /newroot/ || return 1
	mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/run \
		/newroot/tmp /newroot/sync || return 1
	# fresh instances: the init keeps its own mounts on the old root
	mount -t proc proc /newroot/proc &&
		mount -t sysfs sysfs /newroot/sys &&
		mount -t devtmpfs devtmpfs /newroot/dev &&
		mount -t tmpfs -o mode=0755 run /newroot/run || return 1
	cd /newroot && mount --move . / || return 1
	exec chroot . /bin/sh /bin/payload.sh stage2 "$maps"
}

# The config of run NAME: /etc/NAME.ini, the container rootfs /ctr
# (read-only), /sync bound writable, then stdin's sections and keys.
conf() {
	mkdir -p /etc
	{
		printf '[rootfs]\npath = /ctr\n\n[mounts]\n'
		printf 'bind = /sync:/sync:rw,idmap=no\n\n'
		[ "$maps" = auto ] ||
			printf '[user]\nuid_map = identity\ngid_map = identity\n\n'
		cat
	} >/etc/"$1".ini
}

# What the VM has under /sys/fs/cgroup besides its files: directories only.
cgdirs() {
	echo $(find /sys/fs/cgroup -mindepth 1 -type d | sort)
}

# report NAME RC: the run's exit status, its output and errors, each line
# prefixed, and the cgroup directories left after it.
report() {
	say "$1" rc "$2"
	sed "s/^/NOOKCG $1 /" /tmp/"$1".out
	sed "s/^/NOOKCG $1 err /" /tmp/"$1".err
	say "$1" left "$(cgdirs)"
}

# nook_run NAME [-- COMMAND...]: the container, bounded in time.
nook_run() {
	n=$1
	shift
	timeout -s KILL 120 /opt/nook/nook /etc/"$n".ini "$@" \
		</dev/null >/tmp/"$n".out 2>/tmp/"$n".err
	report "$n" $?
}

# wait_file PATH SECONDS: poll for PATH (tenths of a second)
wait_file() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$1" ]
}

stage2() {
	say setup maps "$maps"
	chmod 1777 /sync
	mount -t cgroup2 cgroup2 /sys/fs/cgroup || say setup mount-failed
	say setup cgmounts $(awk '$3 ~ /^cgroup/ { print $3 ":" $2 }' \
		/proc/mounts)
	# file system types in hex: busybox stat has no name for cgroup2
	say setup fstype $(stat -f -c %t /sys/fs/cgroup)
	say setup self $(cat /proc/self/cgroup)
	# cgroup_no_v1=all: no controller can be mounted on a v1 hierarchy
	mkdir -p /tmp/v1
	if mount -t cgroup -o memory cgv1 /tmp/v1 2>/dev/null; then
		say setup v1-memory mountable
		umount /tmp/v1
	else
		say setup v1-memory refused
	fi
	say setup controllers "$(cat /sys/fs/cgroup/cgroup.controllers)"
	say setup subtree "$(cat /sys/fs/cgroup/cgroup.subtree_control)"
	say setup dirs "$(cgdirs)"

	# 1) a long run, seen from both sides; nook enables the controllers
	conf live <<-'EOF'
	[cgroup]
	version = auto
	memory_max = 32M
	pids_max = 20
	cpu_max = 0.2
	cpuset_cpus = 0
	EOF
	rm -f /sync/ready /sync/go
	timeout -s KILL 120 /opt/nook/nook /etc/live.ini -- /bin/sh -c '
		c=/sys/fs/cgroup
		echo self $(cat /proc/self/cgroup)
		echo fstype $(stat -f -c %t $c)
		echo mounts $(awk "\$2 ~ /^\/sys\/fs\/cgroup/ { print \$3 }" \
			/proc/mounts)
		echo entries $(ls $c | grep -c .)
		echo controllers $(cat $c/cgroup.controllers)
		echo memory.max $(cat $c/memory.max)
		echo pids.max $(cat $c/pids.max)
		echo cpu.max $(cat $c/cpu.max)
		echo cpuset.cpus $(cat $c/cpuset.cpus)
		echo procs $(grep -c . $c/cgroup.procs)
		touch /sync/ready
		i=0
		while [ ! -e /sync/go ] && [ $i -lt 600 ]; do
			sleep 0.1; i=$((i + 1)); done' \
		</dev/null >/tmp/live.out 2>/tmp/live.err &
	npid=$!
	if wait_file /sync/ready 100; then
		d=/sys/fs/cgroup/nook-live-$npid
		say live host-dir $(ls -d /sys/fs/cgroup/nook-*)
		say live host-want "$d"
		say live host-procs "$(grep -c . $d/cgroup.procs)"
		say live host-memory.max "$(cat $d/memory.max)"
		say live host-pids.max "$(cat $d/pids.max)"
		say live host-cpu.max "$(cat $d/cpu.max)"
		say live host-cpuset.cpus "$(cat $d/cpuset.cpus)"
		# the container's processes, as the VM sees them in the cgroup
		say live host-pid-cgroup "$(cat /proc/$(head -n 1 \
			$d/cgroup.procs)/cgroup)"
		say live host-subtree \
			"$(cat /sys/fs/cgroup/cgroup.subtree_control)"
	else
		say live host-no-ready
	fi
	touch /sync/go
	wait $npid
	report live $?
	# whatever nook did, the runs below need these four
	for c in memory pids cpu cpuset; do
		echo +$c >/sys/fs/cgroup/cgroup.subtree_control
	done

	# 2) memory_max: a shell that doubles a string until it is OOM-killed
	conf oom <<-'EOF'
	[cgroup]
	memory_max = 32M
	EOF
	nook_run oom -- /bin/sh -c 'a=0123456789abcdef; while :; do a=$a$a; done'

	# 3) pids_max: a fork loop (in a shell of its own: ash exits when a
	# fork fails) stops at the limit; count what got to run
	conf pids <<-'EOF'
	[cgroup]
	pids_max = 10
	EOF
	nook_run pids -- /bin/sh -c 'sh -c "for i in \$(seq 30); do
		sleep 60 & done" 2>/dev/null; n=0; s=0
		for p in /proc/[0-9]*; do read -r c <$p/comm || continue
			n=$((n + 1)); [ "$c" = sleep ] && s=$((s + 1)); done
		echo tasks $n; echo sleeps $s
		echo pids.max $(cat /sys/fs/cgroup/pids.max)
		echo events $(cat /sys/fs/cgroup/pids.events)'

	# 4) cpu_max: a busy loop is throttled to a fifth of a CPU
	conf cpu <<-'EOF'
	[cgroup]
	cpu_max = 0.2
	EOF
	nook_run cpu -- /bin/sh -c 'f=/sys/fs/cgroup/cpu.stat
		while :; do :; done &
		sleep 0.5; read k a <$f; sleep 2; read k b <$f
		echo cpu.max $(cat /sys/fs/cgroup/cpu.max)
		echo pct $(( (b - a) / 20000 ))
		echo throttled $(awk "/^nr_throttled/ { print \$2 }" $f)
		kill $!'

	# 5) version = v2 by name works; version = v1 has nothing to use
	conf v2 <<-'EOF'
	[cgroup]
	version = v2
	memory_max = 40M
	EOF
	nook_run v2 -- /bin/sh -c 'echo memory.max $(cat /sys/fs/cgroup/memory.max)'
	conf v1 <<-'EOF'
	[cgroup]
	version = v1
	memory_max = 40M
	EOF
	nook_run v1 -- /bin/true

	# 6) delegate = yes: container root makes and enters a sub-cgroup
	conf del <<-'EOF'
	[cgroup]
	delegate = yes
	pids_max = 50
	EOF
	nook_run del -- /bin/sh -c 'mkdir /sys/fs/cgroup/sub && echo made yes
		echo $$ >/sys/fs/cgroup/sub/cgroup.procs
		echo self $(cat /proc/self/cgroup)'

	# 7) devices: v2 has no devices controller, nook attaches a BPF
	# program to the container's cgroup; /dev/kmsg bound in is refused
	# (writable without the rule: devnone), /dev/null, /dev/zero and the
	# node of [filesystem] device still work
	: >/sync/kmsg
	conf devnone <<-'EOF'
	[mounts]
	bind = /dev/kmsg:/sync/kmsg:rw,idmap=no
	EOF
	nook_run devnone -- /bin/sh -c 'echo nook-vm >/sync/kmsg && echo kmsg ok'
	conf dev <<-'EOF'
	[mounts]
	bind = /dev/kmsg:/sync/kmsg:rw,idmap=no
	[filesystem]
	device = /dev/vm/zero c 1:5 0666
	[cgroup]
	devices = deny-all
	EOF
	nook_run dev -- /bin/sh -c 'echo nook-vm >/sync/kmsg && echo kmsg ok
		echo x >/dev/null && echo null ok
		echo zero $(head -c 3 /dev/zero | wc -c)
		echo vmzero $(head -c 1 /dev/vm/zero | wc -c)'

	say setup final-dirs "$(cgdirs)"
	say done
}

case ${1:-} in
stage1)
	stage1 || say setup stage1-failed
	;;
stage2)
	stage2
	;;
*)
	say setup bad-usage "$*"
	;;
esac
exit 0

#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: what is mounted in the root - /proc, /sys, /dev, /tmp, every kind of
# [mounts] entry, destinations behind symbolic links that point out of the
# root, and mount propagation.
. "$(dirname "$0")/lib.sh"
nook_setup

plan 73

# --- /proc: the container's own ---
probe_in "$CONF" pids + cmdline 1 + readlink /proc/self
joined 1 2
is "$J" "1 2" "/proc lists only PID 1 and the probe (PID 2)"
like "${L[2]}" '^nook-init ' "/proc/1 is nook-init"
is "${L[3]}" 2 "/proc/self is the probe's own PID in the namespace"
conf_probe ls /proc <<'EOF'
[filesystem]
proc = no
EOF
is "$RC:$OUT" "0:" "proc = no: /proc is the rootfs's empty directory"

# --- /sys ---
probe_in "$CONF" statvfs /sys + write /sys/kernel/uevent_helper + exists /sys/kernel
is "${L[0]}:${L[1]}" "ro nosuid nodev noexec:error EROFS /sys/kernel/uevent_helper" \
	"sys = ro: read-only sysfs"
is "${L[2]}" yes "  with content"
conf_probe statvfs /sys <<'EOF'
[filesystem]
sys = rw
EOF
is "$OUT" 'rw nosuid nodev noexec' "sys = rw: writable sysfs"
conf_probe ls /sys <<'EOF'
[filesystem]
sys = no
EOF
is "$RC:$OUT" "0:" "sys = no: /sys is the rootfs's empty directory"

# --- /dev = minimal (the default) ---
probe_in "$CONF" ls /dev + stat /dev/null + stat /dev/zero + stat /dev/full \
	+ stat /dev/random + stat /dev/urandom + stat /dev/tty \
	+ readlink /dev/fd + readlink /dev/stdin + readlink /dev/stdout \
	+ readlink /dev/stderr + readlink /dev/ptmx + stat /dev/pts/ptmx \
	+ stat /dev/shm + statvfs /dev/shm + statvfs /dev + mounts
joined 1 14
is "$J" "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero" \
	"dev = minimal: exactly the expected entries"
joined 15 20
# the host's nodes, owned by host root: nobody (65534) in the private range
is "$J" "chr 0666 65534 65534 1:3 chr 0666 65534 65534 1:5 chr 0666 65534 65534 1:7 chr 0666 65534 65534 1:8 chr 0666 65534 65534 1:9 chr 0666 65534 65534 5:0" \
	"  null zero full random urandom tty are the host's devices"
joined 21 25
is "$J" "/proc/self/fd /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2 pts/ptmx" \
	"  fd stdin stdout stderr ptmx symlinks"
like "${L[25]}" '^chr 0666 0 0 5:2$' "  /dev/pts/ptmx of a devpts"
joined 27 28
is "$J" "dir 1777 0 0 0:0 rw nosuid nodev" "  /dev/shm: mode 1777, nosuid, nodev"
is "${L[28]}" "rw nosuid nodev noexec" "  /dev: nosuid, nodev, noexec"
types=
for d in pts shm mqueue; do
	mountpoint_of "/dev/$d" && types+="${MPLINE#* - } "
done
like "$types" '^devpts [^ ]+ [^ ]+ tmpfs [^ ]+ [^ ]+ mqueue ' "  devpts, shm tmpfs and mqueue are mounted"
mountpoint_of /dev/shm
like "$MPLINE" 'size=65536k' "  /dev/shm is 64M by default"
run_nook "$CONF" -- /bin/sh -c 'echo x >/dev/null && echo null-ok; echo x 2>/dev/null >/dev/full || echo full-fails; head -c 3 /dev/zero | od -An -tx1; head -c 8 /dev/urandom | wc -c'
joined 1 4
is "$J" "null-ok full-fails  00 00 00 8" "  the devices work"
probe_in "$CONF" pty + mq nook-test + ls /dev/mqueue
joined 1 4
is "$J" "pty /dev/pts/0 chr 0620 0 0 136:0 ok nook-test" \
	"  a pty of the container's own devpts (pts/0); a message queue in /dev/mqueue"
conf_probe exists /dev/mqueue + mounts <<'EOF'
[filesystem]
shm_size = 1M
[namespaces]
ipc = host
EOF
mountpoint_of /dev/shm
like "$MPLINE" 'size=1024k' "shm_size = 1M"
is "${L[0]}" no "ipc = host: no /dev/mqueue"
conf_probe ls /dev <<'EOF'
[filesystem]
dev = none
EOF
is "$RC:$OUT" "0:" "dev = none: /dev is the rootfs's empty directory"
conf_probe stat /dev/null + ls /dev <<'EOF'
[filesystem]
dev = host
EOF
hn=(/dev/*)
is "$((NL - 1))" "${#hn[@]}" "dev = host: the host's /dev (${#hn[@]} entries)"
is "${L[0]}" "chr 0666 65534 65534 1:3" "  with a working /dev/null"

# --- /tmp ---
probe_in "$CONF" stat /tmp + statvfs /tmp + write /tmp/x
joined 1 3
is "$J" "dir 1777 0 0 0:0 rw nosuid nodev ok" \
	"tmp = yes: a 1777 tmpfs on /tmp, writable in a read-only root"
conf_probe write /tmp/x <<'EOF'
[filesystem]
tmp = no
EOF
is "$OUT" "error EROFS /tmp/x" "tmp = no: /tmp is the rootfs's, read-only"

# --- [mounts] bind and bind_ro ---
mkdir -p "$W/data" "$ROOT/data" "$ROOT/data2" "$ROOT/data3" "$ROOT$W/data"
echo "from the host" >"$W/data/hostfile"
conf_probe cat /data/hostfile + write /data/from-container hi + statvfs /data \
	+ cat "$W/data/hostfile" <<EOF
[mounts]
bind = $W/data:/data
bind = $W/data
[filesystem]
# \$W is below /tmp
tmp = no
EOF
is "${L[0]}" "from the host" "bind: the host's files are visible"
is "${L[1]}" ok "bind: writable"
is "$(<"$W/data/from-container")" hi "bind: the write reached the host"
rm -f "$W/data/from-container"
like "${L[2]}" '^rw' "bind: mounted rw"
is "${L[3]}" "from the host" "bind = SRC alone: mounted on the same path inside"
conf_probe cat /data/hostfile + write /data/x + statvfs /data2 + statvfs /data3 <<EOF
[mounts]
bind_ro = $W/data:/data
bind = $W/data:/data2:ro,rw
bind = $W/data:/data3:rw,ro,nosuid,nodev,noexec
EOF
is "${L[0]}:${L[1]}" "from the host:error EROFS /data/x" "bind_ro: readable, not writable"
like "${L[2]}" '^rw' "bind with ro,rw: writable (the last one wins)"
is "${L[3]}" "ro nosuid nodev noexec" "bind with rw,ro,nosuid,nodev,noexec"
conf_probe ls / <<EOF
[mounts]
bind_ro = $W/data:/data:rw
EOF
like "$RC:$ERR" '^125:.*bind_ro.*rw' "bind_ro with rw is refused"
echo "bound file" >"$W/hostname-src"
conf_probe cat /etc/hostname <<EOF
[mounts]
bind_ro = $W/hostname-src:/etc/hostname
EOF
is "$OUT" "bound file" "bind_ro of a file over an existing file"
conf_probe ls /data <<EOF
[mounts]
bind = $W/no-such-src:/data:optional
EOF
is "$RC:$OUT" "0:" "optional: a missing source is skipped"
conf_probe ls /data <<EOF
[mounts]
bind = $W/no-such-src:/data
EOF
like "$RC:$ERR" '^125:.*no-such-src.*does not exist' "a missing source: 125, named"
conf_probe cat /tmp/a/b/hostfile + cat /tmp/f <<EOF
[mounts]
bind = $W/data:/tmp/a/b:create=dir
bind_ro = $W/data/hostfile:/tmp/f:create=file
EOF
is "$RC:${L[0]}:${L[1]}" "0:from the host:from the host" \
	"create=dir and create=file make mount points below /tmp"

# a file onto a missing mount point (no create=file) in a writable root:
# works, or fails without leaving a stray directory in the rootfs
conf_probe cat /etc/newfile <<EOF
[rootfs]
readonly = no
[mounts]
bind = $W/data/hostfile:/etc/newfile
EOF
left=none
[ -d "$ROOT/etc/newfile" ] && left=directory
[ -f "$ROOT/etc/newfile" ] && left=file
like "$RC:$OUT:$left" '^(0:from the host:file|125::none)$' \
	"bind of a file onto a missing mount point: works, or leaves nothing behind"
[ "$RC" -eq 0 ] || diag "rc=$RC, left in the rootfs: $left; $ERR"
rm -rf "${ROOT:?}/etc/newfile"

# --- tmpfs, mkdir, symlink, file ---
write_conf "$W/m.ini" <<'EOF'
[mounts]
tmpfs = /run:size=1m,mode=0700,uid=1000,gid=1000
tmpfs = /mnt
mkdir = /run/a/b
symlink = /proc/self/mounts:/run/mtab
symlink = ../etc/passwd:/run/pw
file = /run/motd:=hello
	world
file = /etc/hostname:=from file
EOF
probe_in "$W/m.ini" stat /run + stat /mnt + write /mnt/x + stat /run/a/b \
	+ readlink /run/mtab + readlink /run/pw + cat /run/pw + cat /run/motd \
	+ stat /run/motd + cat /etc/hostname + write /etc/hostname changed \
	+ cat /etc/hostname + mounts
is "${L[0]}" "dir 0700 1000 1000 0:0" "tmpfs with mode, uid, gid"
joined 2 3
is "$J" "dir 1777 0 0 0:0 ok" "tmpfs without options: mode 1777, writable"
is "${L[3]}" "dir 0755 0 0 0:0" "mkdir (below a tmpfs): a 0755 directory"
joined 5 6
is "$J" "/proc/self/mounts ../etc/passwd" "symlink: absolute and relative targets"
is "${L[6]}" "root:x:0:0:root:/root:/bin/sh" "  the relative one resolves inside"
joined 10 12
is "$J" "hello world reg 0644 0 0 0:0" "file with a continuation line: its lines, mode 0644, root's"
joined 13 15
is "$J" "from file ok changed" "file over an existing file; modifiable inside"
[ "$RC" -eq 0 ] || show
is "$(<"$ROOT/etc/hostname")" rootfs "  the rootfs's file is untouched"
mountpoint_of /run
like "$MPLINE" 'size=1024k' "tmpfs size= is applied"
mountpoint_of /run/motd
like "$MPLINE" 'nosuid,nodev,noexec' "file is bound nosuid, nodev, noexec"
conf_probe ls /run <<'EOF'
[mounts]
tmpfs = /run
symlink = /a:/run/l
symlink = /b:/run/l
mkdir = /run/l2
mkdir = /run/l2
EOF
joined 1 2
is "$RC:$J" "0:l l2" "an existing symlink or directory is left alone"
conf_probe ls / <<'EOF'
[mounts]
tmpfs = /run/../etc
EOF
like "$RC:$ERR" '^125:.*\.\.' "a destination with /../ is refused"
conf_probe ls / <<'EOF'
[mounts]
mkdir = /newdir
EOF
like "$RC:$ERR" '^125:.*newdir.*[Rr]ead-only' "mkdir in the read-only root: 125, said at --check"
conf_probe ls / <<'EOF'
[mounts]
mkdir = /tmp/x
tmpfs = /tmp/x/y
symlink = y:/tmp/x/z
EOF
is "$RC" 0 "mkdir, tmpfs, symlink in a writable place of a read-only root"

# --- destinations behind symlinks that leave the root stay inside it ---
# rootfs/etc2 -> $W/hostdir (absolute), rootfs/etc3 -> ../../..$W/hostdir,
# rootfs/etc/escape-link -> $W/hostdir/escape-file; all exist on the host.
mkdir -p "$W/hostdir/x" "$W/hostdir/y" "$ROOT$W/hostdir/x" "$ROOT$W/hostdir/y"
ln -s "$W/hostdir" "$ROOT/etc2"
ln -s "../../../../../../..$W/hostdir" "$ROOT/etc3"
ln -s "$W/hostdir/escape-file" "$ROOT/etc/escape-link"
echo "host original" >"$W/hostdir/escape-file"
echo "rootfs original" >"$ROOT$W/hostdir/escape-file"
write_conf "$W/esc.ini" <<EOF
[filesystem]
tmp = no
[mounts]
bind = $W/data:/etc2/x
tmpfs = /etc3/y
file = /etc/escape-link:=written through a symlink
EOF
probe_in "$W/esc.ini" ls /etc2/x + ls "$W/hostdir/x" + cat /etc/escape-link + mounts
HOSTSIDE=$(find "$W/hostdir/x" "$W/hostdir/y" -mindepth 1; cat "$W/hostdir/escape-file")
is "${L[0]}:${L[1]}" "hostfile:hostfile" \
	"bind onto /etc2/x (-> absolute host path) lands inside the root"
mountpoint_of "$W/hostdir/y"
is "$MP" / "tmpfs onto /etc3/y (-> ../../..) lands inside the root"
mountpoint_of "$W/hostdir/escape-file"
is "$MP:${L[2]}" "/file:written through a symlink" \
	"file onto a symlink to a host path lands inside the root"
is "$HOSTSIDE" "host original" "the host's directories and file were not touched"
# a dangling symlink (its target exists on the host only) is refused
rm "$ROOT$W/hostdir/escape-file"
probe_in "$W/esc.ini" cat /etc/escape-link
like "$RC:$ERR" '^125:.*escape-link' "file onto a dangling symlink: refused (125)"
is "$(<"$W/hostdir/escape-file")" "host original" "  the host's file was not touched"

# magic links (/proc/self/root, /proc/1/root) are not followed
for d in /proc/self/root/mnt /proc/1/root/mnt; do
	conf_probe ls /mnt <<-EOF
	[mounts]
	bind = $W/data:$d
	EOF
	like "$RC:$ERR" "^125:.*$d" "a destination through the magic link ${d%/mnt} is refused"
done

# --- propagation ---
for p in slave private shared unbindable; do
	conf_probe exists /probe <<-EOF
	[rootfs]
	propagation = $p
	EOF
	is "$RC:$OUT" "0:yes" "propagation = $p starts"
	[ "$RC" -eq 0 ] || show
done

# A shared mount of our own holds a copy of the rootfs: host mounts under it
# propagate into a slave container, not into a private one.
mkdir -p "$W/prop" "$W/sync"
if mount -t tmpfs -o size=16m nook-test "$W/prop" && mount --make-shared "$W/prop"; then
	at_cleanup "umount -R -l '$W/prop'"
	cp -a "$ROOT" "$W/prop/root"
	for p in slave private; do
		rm -f "$W/sync/"*
		write_conf "$W/prop.ini" "$W/prop/root" <<-EOF
		[rootfs]
		propagation = $p
		[mounts]
		bind = $W/sync:/run
		EOF
		start_nook "$W/prop.ini" -- /bin/sh -c 'echo > /run/ready
			i=0; while [ ! -e /run/go ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
			/probe ls /mnt'
		LEFT=
		if wait_for 10 test -e "$W/sync/ready"; then
			mount -t tmpfs nook-test-mnt "$W/prop/root/mnt"
			: >"$W/prop/root/mnt/host-mounted"
			LEFT=$(mounts_under "$W/prop/root")
			: >"$W/sync/go"
		fi
		wait_nook 20
		umount "$W/prop/root/mnt" 2>/dev/null
		OUT=$(<"$W/bg.out")
		if [ $p = slave ]; then
			is "$RC:$OUT" "0:host-mounted" "propagation = slave: a host mount propagates in"
			is "$LEFT" "$W/prop/root/mnt" "  and the container's mounts do not propagate out"
		else
			is "$RC:$OUT" "0:" "propagation = private: a host mount does not propagate in"
		fi
	done
	# as root without a user namespace, the container's mounts must not
	# be left on the host
	write_conf "$W/prop.ini" "$W/prop/root" <<-EOF
	[rootfs]
	propagation = shared
	[namespaces]
	user = host
	EOF
	probe_in "$W/prop.ini" exists /probe
	LEFT=$(mounts_under "$W/prop/root")
	is "$LEFT" "" "propagation = shared, user = host: no mounts left on the host after the run"
	if [ -n "$LEFT" ]; then
		set -- $LEFT
		diag "$# mounts left, e.g. $1" "rc=$RC: $ERR"
		for m in $LEFT; do umount -l "$m" 2>/dev/null; done
	fi
else
	skip 4 "cannot mount a tmpfs"
fi

# --- defaults give way to other keys: no own namespace, the host's bound ---
run_nook -s namespaces.net=host "$CONF" -- /probe statvfs /sys + exists /sys/class/net/lo
joined 1 2
like "$RC:$J" '^0:ro .*nosuid.* yes$' "net = host, sys left out: the host's /sys, read-only"
run_nook -s namespaces.net=host -s filesystem.sys=ro "$CONF" -- /probe exit 0
like "$RC:$ERR" '^125:.*\[filesystem\] sys: mounting sysfs in a new user namespace' \
	"  sys = ro given: 125 naming the key"
run_nook -s namespaces.pid=host "$CONF" -- /probe exists /proc/self/status
is "$RC:${L[0]}" "0:yes" "pid = host, proc left out: the host's /proc is bound"
run_nook -s namespaces.pid=host -s filesystem.proc=yes "$CONF" -- /probe exit 0
like "$RC:$ERR" '^125:.*\[filesystem\] proc: mounting /proc in a new user namespace' \
	"  proc = yes given: 125 naming the key"

done_testing

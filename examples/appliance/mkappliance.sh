#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the example appliance (make appliance runs it):
#
#   mkappliance.sh OUT NOOK-INIT NOOK KERNEL [BUSYBOX]
#
# OUT/vmlinuz            the kernel (Debian's linux-image-amd64)
# OUT/initramfs.cpio.gz  /init = nook-init; nook and the libraries it loads;
#                        a static busybox for /etc/nook/rc; veth.ko; the
#                        container's root in /srv/app (busybox httpd, the
#                        page), owned by the container's id range
# OUT/cmdline            the kernel's command line: nook-init's options
#                        follow "--"
# OUT/run                boots it in qemu on this terminal (Ctrl-A x quits)
#
# BUSYBOX defaults to /bin/busybox, which must be static (busybox-static).
# Building as root adds /dev/console to the archive; without it the kernel
# warns that it has no console and nook-init opens /dev/console itself.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 4 ] || { echo "usage: $0 OUT NOOK-INIT NOOK KERNEL [BUSYBOX]" >&2; exit 2; }
OUT=$1 INIT=$2 NOOK=$3 KERNEL=$4 BUSYBOX=${5:-/bin/busybox}
# the container's ids: [user] uid_map and gid_map of app.ini
CTR_ID=100000

die() { echo "mkappliance: $*" >&2; exit 1; }

[ -r "$KERNEL" ] || die "$KERNEL: no kernel (apt-get install linux-image-amd64)"
[ -x "$BUSYBOX" ] || die "$BUSYBOX: no busybox (apt-get install busybox-static)"
LC_ALL=C ldd "$BUSYBOX" 2>&1 | grep -q 'not a dynamic executable' ||
	die "$BUSYBOX is not static (apt-get install busybox-static)"
for f in "$INIT" "$NOOK"; do
	[ -x "$f" ] || die "$f: not built (make)"
done

# busybox DIR: DIR/bin/busybox and a link for each applet
busybox_in() {
	mkdir -p "$1"/bin
	cp "$BUSYBOX" "$1"/bin/busybox
	for a in $("$BUSYBOX" --list); do
		[ -e "$1/bin/$a" ] || ln -s busybox "$1/bin/$a"
	done
}

# the libraries a binary loads, the loader included (none when static)
libs_of() {
	LC_ALL=C ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }'
}

rm -rf "$OUT"/root "$OUT"/app
mkdir -p "$OUT"
R=$OUT/root
mkdir -p "$R"/dev "$R"/proc "$R"/sys "$R"/run "$R"/tmp "$R"/newroot \
	"$R"/etc/nook "$R"/usr/sbin "$R"/srv
chmod 1777 "$R"/tmp

# PID 1, and nook beside its nook-init (the default [init] path)
cp "$INIT" "$R"/usr/sbin/nook-init
cp "$NOOK" "$R"/usr/sbin/nook
ln "$R"/usr/sbin/nook-init "$R"/init
for l in $(libs_of "$NOOK"); do
	mkdir -p "$R${l%/*}"
	cp -L "$l" "$R$l"
done
busybox_in "$R"
cp "$HERE"/rc "$R"/etc/nook/rc
cp "$HERE"/app.ini "$R"/etc/nook/app.ini
chmod 755 "$R"/etc/nook/rc

# veth, from the modules of that kernel, unless it is built in
kver=${KERNEL##*vmlinuz-}
veth=/lib/modules/$kver/kernel/drivers/net/veth.ko
if [ -e "$veth" ]; then
	mkdir -p "$R"/lib/modules/"$kver"
	cp "$veth" "$R"/lib/modules/"$kver"/
else
	echo "mkappliance: no $veth: the kernel must have veth built in" >&2
fi
if [ "$(id -u)" = 0 ]; then
	mknod -m 600 "$R"/dev/console c 5 1
fi

# The container's root: busybox, a user for httpd, the page, and the
# mount points a read-only root must have.
A=$OUT/app/srv/app
busybox_in "$A"
mkdir -p "$A"/proc "$A"/sys "$A"/dev "$A"/tmp "$A"/etc "$A"/www
chmod 1777 "$A"/tmp
printf 'root:x:0:0:root:/root:/bin/sh\nwww:x:1000:1000:www:/www:/bin/false\n' \
	>"$A"/etc/passwd
printf 'root:x:0:\nwww:x:1000:\n' >"$A"/etc/group
cp "$HERE"/www/index.html "$A"/www/

# Two archives in one: the system owned by root, the container's root by
# its range.  The kernel unpacks one after the other.
(
	cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet
	cd "$OUT"/app && find srv/app | LC_ALL=C sort |
		cpio -o -H newc -R "$CTR_ID:$CTR_ID" --quiet
) | gzip -9 >"$OUT"/initramfs.cpio.gz.tmp
mv "$OUT"/initramfs.cpio.gz.tmp "$OUT"/initramfs.cpio.gz
cp "$KERNEL" "$OUT"/vmlinuz
rm -rf "$R" "$OUT"/app

echo 'console=ttyS0 panic=-1 quiet rdinit=/init --' \
	'-v -t 10 --restart=on-failure --on-exit=poweroff /etc/nook/rc' \
	>"$OUT"/cmdline
cat >"$OUT"/run <<'EOF'
#!/bin/sh
# Boot the appliance on this terminal; Ctrl-A x quits qemu, Ctrl-A c
# switches to its monitor, where "sendkey ctrl-alt-delete" shuts it down.
cd "$(dirname "$0")" || exit 1
accel=${ACCEL:-tcg}
[ -z "${ACCEL:-}" ] && [ -w /dev/kvm ] && accel=kvm:tcg
exec qemu-system-x86_64 -accel "$accel" -m 256 -nographic -no-reboot \
	-kernel vmlinuz -initrd initramfs.cpio.gz -append "$(cat cmdline)" "$@"
EOF
chmod 755 "$OUT"/run
echo "mkappliance: $OUT: vmlinuz initramfs.cpio.gz ($(wc -c <"$OUT"/initramfs.cpio.gz) bytes) cmdline run"

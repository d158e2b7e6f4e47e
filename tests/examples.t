#!/bin/bash
# SPDX-License-Identifier: MIT
# The bundled configs: each passes --check; demo.ini runs; busybox.ini's
# recipe makes a rootfs it runs from, with job control and Ctrl-C on a
# terminal; image.ini runs an image owned by host root without a chown
# (on a busybox tree: its debootstrap recipe runs with
# NOOK_TEST_DEBOOTSTRAP=1, as it fetches from the Debian mirror); make
# install places the configs and make uninstall removes them.
. "$(dirname "$0")/lib.sh"
need_root
need_busybox
need_cmd timeout
[ -x "$NOOK" ] || skip_all "build/nook not built"
R=$(mktemp -d /tmp/nook-examples.XXXXXX)
# debootstrap mounts /proc and /sys in the image while it works: should
# it be stopped halfway, unmount them before removing the tree
cleanup() {
	findmnt -rn -o TARGET | grep "^$R/" | sort -r |
		while read -r m; do umount -l "$m"; done
	rm -rf "$R"
}
trap cleanup EXIT
chmod 755 "$R"
PY=$(command -v python3)

# recipe FILE: the commands at the top of FILE, the indented lines of its
# first comment paragraph after the first "#" line
recipe() {
	sed -n '/^#$/,$p' "$1" | sed -n '2,/^#$/p' | sed -n 's/^#   //p'
}

plan 22

# busybox.ini: the recipe as written, under sh -e, into $R/busybox
B=$R/busybox
recipe "$TOP/config/busybox.ini" | sed "s|/var/lib/nook/busybox|$B|g" \
	>"$R/busybox.sh"
out=$(cd "$R" && timeout 60 sh -e busybox.sh 2>&1)
ok $? "busybox.ini: its recipe runs under sh -e: $out"
[ -x "$B/bin/busybox" ] && [ -L "$B/bin/sh" ] && [ -L "$B/bin/ls" ]
ok $? "busybox.ini: the recipe makes bin/busybox, bin/sh and bin/ls"
if ! [ -L "$B/bin/sh" ]; then	# so that the other tests still run
	mkdir -p "$B/bin" "$B/proc" "$B/sys" "$B/dev" "$B/tmp" "$B/etc" \
		"$B/root"
	cp "$BUSYBOX" "$B/bin/busybox"
	ln -sf busybox "$B/bin/sh"
fi

# image.ini names user root: --check looks for it in the image's passwd,
# which a debootstrap tree has and the bare busybox tree lacks
I=$R/image-check
cp -a "$B" "$I"
echo 'root:x:0:0:root:/root:/bin/sh' >"$I/etc/passwd"
for f in "$TOP"/config/*.ini; do
	t=$B
	[ "$(basename "$f")" = image.ini ] && t=$I
	out=$("$NOOK" --check -s "rootfs.path=$t" "$f" 2>&1)
	ok $? "--check $(basename "$f"): $out"
done

host_ns=$(for n in user pid mnt net uts ipc cgroup time; do
	readlink /proc/self/ns/$n; done)
out=$(NOOK_DEMO_HOST_NS=$host_ns "$NOOK" "$TOP/config/demo.ini" 2>&1)
ok $? "demo.ini runs"
like "$out" "I am PID 2 under nook-init" "demo: PID 2 under nook-init"
like "$out" "hostname: nook-demo" "demo: hostname"
n=$(printf '%s\n' "$out" | grep -c '^namespace .*: new ')
is "$n" 8 "demo: all eight namespaces differ from the host's"

out=$(timeout 30 "$NOOK" -s "rootfs.path=$B" "$TOP/config/busybox.ini" -- \
	sh -c 'cat /etc/hosts; stat -c %U:%G /bin/busybox; hostname' \
	</dev/null 2>&1)
like "$out" "^127.0.0.1 localhost box$" "busybox.ini runs with its /etc/hosts"
like "$out" "^root:root$" "busybox.ini: the root-owned tree is root's inside"
is "$(printf '%s\n' "$out" | tail -n 1)" box "busybox.ini: hostname box"

# On a terminal (tests/helpers/tty/drive.py): wait for the prompt, run a
# sleep, Ctrl-C it, then see the prompt again and the shell answer.
if [ -n "$PY" ]; then
	out=$(timeout 90 "$PY" "$TOP/tests/helpers/tty/drive.py" --timeout 15 \
		'expect:box# ' 'send:echo jc-$-\r' 'expect:jc-[a-zA-Z]*m' \
		'expect:box# ' 'send:sleep 30\r' 'expect:sleep 30\n' 'sleep:1' \
		'send:\x03' 'expect:box# ' 'send:echo alive-$((6*7))\r' \
		'expect:alive-42' 'send:exit\r' wait -- \
		"$NOOK" -s "rootfs.path=$B" "$TOP/config/busybox.ini" 2>&1)
	like "$out" "^step 3 ok" \
		"busybox.ini on a terminal: sh has job control (\$- has m)"
	case $out in *"job control turned off"*) st=1 ;; *) st=0 ;; esac
	ok $st "busybox.ini on a terminal: no \"job control turned off\""
	like "$out" "^step 9 ok" \
		"busybox.ini: Ctrl-C stops the foreground sleep, the prompt returns"
	like "$out" "^step 11 ok" "busybox.ini: the shell survives Ctrl-C"
	like "$out" "^rc 0$" "busybox.ini: exit leaves with status 0"
	like "$out" "^output .*box# " "busybox.ini: PS1 keeps its trailing blank"
	[ "$_tap_fail" = 0 ] || diag "$out"
else
	skip 6 "python3 not installed"
fi

# image.ini on a copy of the busybox tree, made to look like an image
# that host root unpacked: root's files, one of group 42 (shadow)
I=$R/image
cp -a "$B" "$I"
echo 'root:x:0:0:root:/root:/bin/sh' >"$I/etc/passwd"
printf 'root:x:0:\nshadow:x:42:\n' >"$I/etc/group"
: >"$I/etc/shadow"
chown 0:42 "$I/etc/shadow"
out=$(timeout 30 "$NOOK" -s "rootfs.path=$I" "$TOP/config/image.ini" -- \
	sh -c 'stat -c %U:%G /bin/busybox /etc/shadow; touch /new && echo wrote' \
	</dev/null 2>&1)
is "$out" "root:root
root:shadow
wrote" "image.ini: a tree unpacked by host root keeps its owners, no chown"

if [ "${NOOK_TEST_DEBOOTSTRAP:-0}" != 1 ]; then
	skip 1 "image.ini recipe: set NOOK_TEST_DEBOOTSTRAP=1 (fetches Debian)"
elif ! command -v debootstrap >/dev/null; then
	skip 1 "image.ini recipe: debootstrap not installed"
else
	recipe "$TOP/config/image.ini" |
		sed "s|/srv/images/debian|$R/debian|g" >"$R/image.sh"
	(cd "$R" && timeout 900 sh -e image.sh >"$R/image.log" 2>&1)
	st=$?
	out=$(timeout 60 "$NOOK" -s "rootfs.path=$R/debian" \
		"$TOP/config/image.ini" -- /bin/bash -lc \
		'stat -c %U /usr/bin/apt; test -r /root/.profile && echo ok' \
		</dev/null 2>&1)
	[ "$st" -eq 0 ] && [ "$out" = "root
ok" ]
	ok $? "image.ini: its recipe makes an image the config runs"
	[ "$out" = "root
ok" ] || diag "recipe: $st, $(tail -n 3 "$R/image.log")" "$out"
fi

# make install: the example configs go to share/doc/nook/examples.  -o all:
# the binaries are there already, and the tree may be mid-edit.
D=$R/dest
E=$D/usr/local/share/doc/nook/examples
make -s -C "$TOP" "B=$BUILD" -o all install DESTDIR="$D" PREFIX=/usr/local \
	>"$R/make.out" 2>&1
st=$?
f0=$_tap_fail
for f in "$TOP"/config/*.ini; do
	cmp -s "$f" "$E/$(basename "$f")" || st=1
done
ok $st "make install DESTDIR places config/*.ini in $E"
# what uninstall must remove, even when install failed to place it
mkdir -p "$E"
for f in "$TOP"/config/*.ini; do
	[ -e "$E/${f##*/}" ] || cp "$f" "$E/"
done
make -s -C "$TOP" "B=$BUILD" uninstall DESTDIR="$D" PREFIX=/usr/local \
	>>"$R/make.out" 2>&1
st=$?
[ -e "$E" ] && st=1
[ -z "$(find "$D" -type f)" ] || st=1
ok $st "make uninstall DESTDIR removes them (and every other file)"
[ "$_tap_fail" -eq "$f0" ] || diag "$(cat "$R/make.out")"
done_testing

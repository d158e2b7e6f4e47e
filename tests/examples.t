#!/bin/bash
# SPDX-License-Identifier: MIT
# The bundled configs: each passes --check; demo.ini and busybox.ini run.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd busybox
[ -x "$NOOK" ] || skip_all "build/nook not built"
R=$(mktemp -d /tmp/nook-examples.XXXXXX)
trap 'rm -rf "$R"' EXIT
chmod 755 "$R"
mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/etc" "$R/root"
cp "$(command -v busybox)" "$R/bin/busybox"
for a in $("$R/bin/busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$R/bin/$a"
done

plan 9
for f in "$TOP"/config/*.ini; do
	out=$("$NOOK" --check -s "rootfs.path=$R" "$f" 2>&1)
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
out=$("$NOOK" -s "rootfs.path=$R" "$TOP/config/busybox.ini" -- \
	sh -c 'cat /etc/hosts; hostname' 2>&1)
like "$out" "^127.0.0.1 localhost box$" "busybox.ini runs with its /etc/hosts"
is "$(printf '%s\n' "$out" | tail -n 1)" box "busybox.ini: hostname box"
done_testing

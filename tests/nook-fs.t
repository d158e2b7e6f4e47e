#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: the container's root - pivot_root done and the host's tree out of
# reach, read-only by default, readonly = no, overlay = tmpfs, host mounts
# below the rootfs, missing mount points, nook-init from a sealed memfd.
. "$(dirname "$0")/lib.sh"
nook_setup

plan 35

# --- pivot_root: the root is the rootfs, the host is out of reach ---
echo "host secret" >"$W/host-marker"
top=("$ROOT"/*)
top=("${top[@]#"$ROOT"/}")
n=${#top[@]}
probe_in "$CONF" ls / + exists "$W/host-marker" + exists "$W" + ls /proc/1/root/
joined 1 "$n"
is "$J" "${top[*]}" "/ lists exactly the rootfs"
joined $((n + 1)) $((n + 2))
is "$J" "no no" "the host's mktemp dir and its marker are not visible"
joined $((n + 3)) $((2 * n + 2))
is "$J" "${top[*]}" "/proc/1/root is the same root"
[ "$RC" -eq 0 ] || show

probe_in "$CONF" mounts
bad= roots=0 hostpaths=0
for l in "${L[@]:0:NL}"; do
	read -r -a f <<<"$l"
	case ${f[4]} in
	/) roots=$((roots + 1)) ;;
	/proc | /proc/* | /sys | /sys/* | /dev | /dev/* | /tmp) ;;
	*) bad+="${f[4]} " ;;
	esac
	case ${f[4]} in "$W"*) hostpaths=$((hostpaths + 1)) ;; esac
done
is "$bad" "" "every mount point is the container's (/, /proc, /sys, /dev, /tmp)"
[ "$NL" -gt 5 ] && [ "$NL" -lt 40 ]
ok $? "  and there are few of them ($NL: no host mounts left behind)"
is "$roots" 1 "  one root mount (the old root was detached)"
is "$hostpaths" 0 "  no mount point names the host's path of the rootfs"

# --- read-only root (the default) ---
probe_in "$CONF" write /newfile + write /etc/passwd + statvfs / + write /tmp/ok
is "${L[0]}" "error EROFS /newfile" "readonly: creating a file fails with EROFS"
is "${L[1]}" "error EROFS /etc/passwd" "readonly: writing an existing file fails with EROFS"
like "${L[2]}" '^ro' "readonly: / is mounted ro"
is "${L[3]}" ok "readonly: /tmp is still writable"
[ -e "$ROOT/newfile" ]
ok $((1 - $?)) "readonly: nothing reached the rootfs directory"

# --- readonly = no: writes go to the rootfs directory ---
conf_probe write /written-by-container hello + statvfs / <<'EOF'
[rootfs]
readonly = no
EOF
is "${L[0]}:${L[1]}" "ok:rw" "readonly = no: writing / works"
is "$(<"$ROOT/written-by-container")" hello "readonly = no: the write reached the rootfs directory"
rm -f "$ROOT/written-by-container"

# --- overlay = tmpfs: writable, thrown away, the rootfs untouched ---
sum_before=$(cd "$ROOT" && find . -path ./proc -prune -o -print0 | sort -z | xargs -0 ls -ld --time-style=+%s 2>/dev/null | md5sum)
write_conf "$W/ov.ini" <<'EOF'
[rootfs]
overlay = tmpfs
EOF
probe_in "$W/ov.ini" write /ovfile data + write /etc/hostname changed + cat /etc/hostname \
	+ mkdir /newdir + statvfs /
joined 1 5
is "$J" "ok ok changed ok rw nodev" "overlay = tmpfs: create, overwrite, mkdir all work (nodev)"
[ "$RC" -eq 0 ] || show
[ ! -e "$ROOT/ovfile" ] && [ ! -e "$ROOT/newdir" ] && [ "$(<"$ROOT/etc/hostname")" = rootfs ]
ok $? "overlay = tmpfs: nothing reached the rootfs directory"
probe_in "$W/ov.ini" exists /ovfile + cat /etc/hostname
joined 1 2
is "$J" "no rootfs" "overlay = tmpfs: the next run starts clean"
sum_after=$(cd "$ROOT" && find . -path ./proc -prune -o -print0 | sort -z | xargs -0 ls -ld --time-style=+%s 2>/dev/null | md5sum)
is "$sum_after" "$sum_before" "overlay = tmpfs: the rootfs tree is unchanged (names, modes, times)"
# rm through the overlay (a whiteout) does not remove the lower file
run_nook "$W/ov.ini" -- /bin/sh -c '/bin/rm /etc/group && /probe exists /etc/group'
is "$OUT:$( [ -e "$ROOT/etc/group" ] && echo kept)" "no:kept" \
	"overlay = tmpfs: deleting inside leaves the lower file"

# --- file systems mounted below the rootfs on the host ---
if mount -t tmpfs nook-test-sub "$ROOT/mnt"; then
	at_cleanup "umount -l '$ROOT/mnt'"
	echo sub >"$ROOT/mnt/subfile"
	probe_in "$CONF" ls /mnt + write /mnt/new
	joined 1 2
	is "$J" "subfile error EROFS /mnt/new" "a host mount below the rootfs is seen, read-only too"
	run_nook -s rootfs.readonly=no "$CONF" -- /probe write /mnt/new
	is "$OUT:$(<"$ROOT/mnt/new")" "ok:probe" "  writable with readonly = no"
	run_nook -s rootfs.overlay=tmpfs -s namespaces.user=host "$CONF" -- /probe ls /mnt
	is "$RC:$OUT" "0:" "  overlay = tmpfs (as root) sees only the rootfs's own file system"
	umount -l "$ROOT/mnt"
else
	skip 3 "cannot mount a tmpfs"
fi

# --- missing mount points ---
write_conf "$W/mp.ini" <<EOF
[mounts]
bind = $W:/no/such/dir
EOF
probe_in "$W/mp.ini" ls /
is "$RC" 125 "readonly: a missing bind mount point is an error (125)"
like "$ERR" 'no/such/dir' "  the message names it"
run_nook -s rootfs.overlay=tmpfs "$W/mp.ini" -- /probe exists /no/such/dir/host-marker
is "$RC:$OUT" "0:yes" "overlay = tmpfs: the missing mount point is created"
run_nook -s rootfs.readonly=no "$W/mp.ini" -- /probe exists /no/such/dir/host-marker
is "$RC:$OUT" "0:yes" "readonly = no: the missing mount point is created"
[ -d "$ROOT/no/such/dir" ]
ok $? "  (in the rootfs directory itself)"
rm -rf "${ROOT:?}/no"
# a rootfs without /proc: read-only, the mount point cannot be made
mkdir -p "$W/bare"
cp -a "$ROOT/." "$W/bare/"
rmdir "$W/bare/proc"
write_conf "$W/bare.ini" "$W/bare" </dev/null
probe_in "$W/bare.ini" exists /proc/self
like "$RC:$ERR" '^125:.*proc' "readonly root without /proc: 125, naming proc"
run_nook -s rootfs.overlay=tmpfs "$W/bare.ini" -- /probe exists /proc/self
is "$RC:$OUT" "0:yes" "  with overlay = tmpfs /proc is created"

# --- rootfs path problems ---
write_conf "$W/nr.ini" "$W/does-not-exist" </dev/null
probe_in "$W/nr.ini" ls /
like "$RC:$ERR" '^125:.*does-not-exist.*No such file' "a missing rootfs: 125 with the path"
write_conf "$W/fr.ini" "$W/host-marker" </dev/null
probe_in "$W/fr.ini" ls /
like "$RC:$ERR" '^125:.*not a directory' "a rootfs that is a file: 125"

# --- nook-init from a sealed memfd ---
probe_in "$CONF" exe1 + cmdline 1
like "${L[0]}" '^/?memfd:nook-init' "PID 1 runs from a memfd"
like "${L[1]}" '^nook-init( .*)? -- /probe exe1 \+ cmdline 1$' "  its command line: nook-init ... -- the command"
is "$(find "$ROOT" -name 'nook-init*' | wc -l)" 0 "the rootfs holds no nook-init"
# the memfd cannot be written through /proc/1/exe
run_nook "$CONF" -- /bin/sh -c 'echo x >> /proc/1/exe 2>/dev/null && echo written || echo refused'
is "$OUT" refused "writing to /proc/1/exe is refused"

done_testing

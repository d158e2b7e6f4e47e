#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: namespaces - each one new by default, "host" keeps the host's, a
# path joins one; the hostname; the user namespace's id maps as root (auto,
# explicit) and for an unprivileged caller (own id; /etc/subuid ranges).
. "$(dirname "$0")/lib.sh"
nook_setup
need_cmd unshare stat

NSES=(user pid mnt net uts ipc cgroup time)
declare -A HOST
for n in "${NSES[@]}"; do
	host_ns "$n"
	HOST[$n]=$H
done
plan 73

# --- all new (the default) ---
probe_in "$CONF" ns
is "$RC" 0 "default: the probe ran"
for n in "${NSES[@]}"; do
	field "$n"
	if [ -n "$V" ] && [ "$V" != none ] && [ "$V" != "${HOST[$n]}" ]; then
		pass "default: a new $n namespace"
	else
		fail "default: a new $n namespace"
		diag "inside: '$V' host: '${HOST[$n]}'"
	fi
done

# --- hostname and domainname ---
conf_probe hostname <<'EOF'
[container]
hostname = box-1.example
domainname = corp.example
EOF
is "$OUT" $'hostname box-1.example\ndomainname corp.example' "hostname and domainname are set"
write_conf "$W/my_box.ini" </dev/null
probe_in "$W/my_box.ini" hostname
is "${L[0]}" "hostname my-box" "default hostname: the config file's base name (_ becomes -)"
conf_probe hostname <<'EOF'
[container]
name = named
EOF
is "${L[0]}" "hostname named" "default hostname: [container] name"

# --- host: stay in nook's namespace ---
for n in user net uts ipc cgroup time; do
	extra=
	[ $n = net ] && extra=$'[filesystem]\nsys = no'	# sysfs wants its own netns
	conf_probe ns <<-EOF
	[namespaces]
	$n = host
	$extra
	EOF
	field "$n"
	is "$V" "${HOST[$n]}" "$n = host: the host's $n namespace"
	[ "$RC" -eq 0 ] || show
done
# pid: run nook as PID 1 of a PID namespace of our own (never nook-init on
# the host's), which is then "the host's" for it
write_conf "$W/pidhost.ini" <<'EOF'
[namespaces]
user = host
pid = host
EOF
TMO=30 in_pidns \
	sh -c 'readlink /proc/self/ns/pid; exec "$0" "$1" -- /probe ns + pid' \
	"$NOOK" "$W/pidhost.ini" >"$W/out" 2>&1 </dev/null
read_lines "$W/out"
want=${L[0]#*[}
field pid
is "${V%% *}" "${want%]}" "pid = host: the caller's pid namespace"
like "${L[NL - 1]}" '^pid [0-9]+ ppid ([2-9]|[1-9][0-9]+) ' \
	"  the probe's parent is not PID 1 (nook is, in that namespace)"
conf_probe ns <<'EOF'
[namespaces]
mount = host
EOF
like "$RC:$ERR" '^125:.*mount.*must be new' "mount = host is refused (125), saying why"
conf_probe cat /proc/self/uid_map <<'EOF'
[namespaces]
user = host
EOF
like "$OUT" '^ +0 +0 +4294967295$' "user = host: the initial user namespace's map"

# --- join: a path names the namespace to enter ---
if ! command -v ip >/dev/null || ! command -v nsenter >/dev/null; then
	skip 9 "ip or nsenter missing"
else
	NETNS=nooktest$$
	if add_netns "$NETNS"; then
		conf_probe ns <<-EOF
		[namespaces]
		net = /run/netns/$NETNS
		[filesystem]
		sys = no
		EOF
		field net
		is "$V" "$(stat -L -c %i "/run/netns/$NETNS")" \
			"net = /run/netns/NAME joins that namespace"
		[ "$RC" -eq 0 ] || show
	else
		skip 1 "ip netns add failed"
	fi
	# A background holder of fresh namespaces: uts (with a hostname),
	# ipc, net, cgroup, time (with an offset), pid.
	unshare --uts --ipc --net --cgroup --time --boottime 777777 \
		--pid --fork --kill-child \
		sh -c 'hostname joined-uts; exec sleep 120' </dev/null >/dev/null 2>&1 &
	HOLDER=$!
	_nook_bg+=("$HOLDER")
	wait_for 5 eval '[ -n "$(children $HOLDER)" ]'
	HP=$(children "$HOLDER")
	wait_for 5 eval '[ "$(nsenter -t "$HP" -u hostname 2>/dev/null)" = joined-uts ]'
	declare -A HELD
	for n in uts ipc net cgroup time pid; do
		HELD[$n]=$(stat -L -c %i "/proc/$HP/ns/$n")
	done
	conf_probe ns + hostname + uptime <<-EOF
	[namespaces]
	uts = /proc/$HP/ns/uts
	ipc = /proc/$HP/ns/ipc
	net = /proc/$HP/ns/net
	cgroup = /proc/$HP/ns/cgroup
	time = /proc/$HP/ns/time
	[filesystem]
	sys = no
	EOF
	for n in uts ipc net cgroup time; do
		field "$n"
		is "$V" "${HELD[$n]}" "$n = /proc/PID/ns/$n joins it"
	done
	[ "$RC" -eq 0 ] || show
	field hostname
	is "$V" joined-uts "  the joined uts namespace's hostname"
	field uptime
	if [ "${V%% *}" -ge 777777 ] 2>/dev/null; then
		pass "  the joined time namespace's boottime offset"
	else
		fail "  the joined time namespace's boottime offset"; show
	fi
	# pid: only without a new user namespace (proc needs its own)
	write_conf "$W/pidjoin.ini" <<-EOF
	[namespaces]
	user = host
	pid = /proc/$HP/ns/pid
	EOF
	probe_in "$W/pidjoin.ini" ns
	field pid
	is "$V" "${HELD[pid]}" "pid = /proc/PID/ns/pid joins it"
	kill -KILL "$HOLDER" 2>/dev/null
	wait "$HOLDER" 2>/dev/null
fi
unshare --user --map-root-user sleep 120 </dev/null >/dev/null 2>&1 &
UHOLD=$!
_nook_bg+=("$UHOLD")
wait_for 5 eval '[ "$(readlink /proc/$UHOLD/ns/user)" != "user:[${HOST[user]}]" ]'
conf_probe ns + cat /proc/self/uid_map <<EOF
[namespaces]
user = /proc/$UHOLD/ns/user
EOF
field user
is "$V" "$(stat -L -c %i "/proc/$UHOLD/ns/user")" "user = /proc/PID/ns/user joins it"
like "${L[NL - 1]}" '^ +0 +0 +1$' "  with its map (0 0 1)"
kill -KILL "$UHOLD" 2>/dev/null
wait "$UHOLD" 2>/dev/null
conf_probe ns <<'EOF'
[namespaces]
net = /proc/self/ns/uts
EOF
like "$RC:$ERR" '^125:.*is not a net namespace' "net = a uts namespace file is refused"
conf_probe ns <<'EOF'
[namespaces]
ipc = /etc/passwd
EOF
like "$RC:$ERR" '^125:.*not a namespace file' "ipc = a plain file is refused"

# --- time namespace offsets ---
read -r up _ </proc/uptime
up=${up%.*}
conf_probe uptime + cat /proc/self/timens_offsets <<'EOF'
[time]
boottime_offset = 10d
monotonic_offset = 1d
EOF
read -r _ u _ b _ m <<<"${L[0]}"
read -r hup _ </proc/uptime
hup=${hup%.*}
in_range() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
in_range "$u" $((up + 864000)) $((hup + 864000 + 2))
st=$?
ok $st "boottime_offset = 10d: /proc/uptime inside is 10 days ahead"
[ $st -eq 0 ] || diag "inside: ${L[0]} host: $up..$hup"
in_range "$b" $((up + 864000)) $((hup + 864000 + 2))
ok $? "  CLOCK_BOOTTIME too"
# CLOCK_MONOTONIC excludes suspend; on this VM it is close to the uptime
in_range "$m" $((up + 86400 - 120)) $((hup + 86400 + 2))
ok $? "monotonic_offset = 1d: CLOCK_MONOTONIC a day ahead"
joined 2 3
like "$J" '^monotonic +86400 +0 boottime +864000 +0$' "  /proc/self/timens_offsets shows both"
conf_probe cat /proc/self/timens_offsets <<'EOF'
[time]
boottime_offset = -1500ms
monotonic_offset = 2500ms
EOF
joined 1 2
if [ "$up" -gt 10 ]; then
	like "$RC:$J" '^0:monotonic +2 +500000000 boottime +-2 +500000000$' \
		"negative and sub-second offsets (-1500ms = -2 s + 500000000 ns)"
else
	skip 1 "uptime too short for a negative offset"
fi
conf_probe uptime <<'EOF'
[time]
boottime_offset = -3650d
EOF
like "$RC:$ERR" '^125:.*boottime_offset' "an offset making the clock negative: 125, naming the key"

# --- user namespace maps, as root ---
probe_in "$CONF" ids + cat /proc/self/uid_map + cat /proc/self/gid_map
is "${L[0]}" "uid 0 0 0" "auto map: root inside"
joined 4 5
like "$J" '^ +0 +[1-9][0-9]{5,} +65536 +0 +[1-9][0-9]{5,} +65536$' "auto map as root: 65536 ids from a private range (uid and gid)"
probe_in "$CONF" stat /bin/busybox
like "${L[0]}" ' 0 0 ' "  the rootfs owned by host root shows as root inside (idmapped)"
run_nook -s user.uid_map=identity -s user.gid_map=identity "$CONF" -- /probe cat /proc/self/uid_map + cat /proc/self/gid_map
joined 1 2
like "$J" '^ +0 +0 +4294967295 +0 +0 +4294967295$' "uid_map = identity, gid_map = identity: identity over all ids"
mkdir -p "$W/shared"
chmod 777 "$W/shared"
write_conf "$W/map.ini" <<EOF
[user]
uid_map = 0 100000 65536
gid_map = 0 200000 65536
[mounts]
bind = $W/shared:/mnt
file = /tmp/motd:=made during setup
EOF
probe_in "$W/map.ini" ids + cat /proc/self/uid_map + cat /proc/self/gid_map \
	+ stat /probe + write /mnt/by-root + cat /tmp/motd
is "$RC:${L[0]}" "0:uid 0 0 0" "uid_map = 0 100000 65536: the container starts, root inside"
[ "$RC" -eq 0 ] || show
like "${L[3]}" '^ +0 +100000 +65536$' "  /proc/self/uid_map has the range"
like "${L[4]}" '^ +0 +200000 +65536$' "  /proc/self/gid_map has the range"
is "${L[5]}" "reg 0755 65534 65534 0:0" "  host root's files show as the overflow id"
is "$(stat -c '%u:%g' "$W/shared/by-root" 2>/dev/null)" 100000:200000 \
	"  a file written by container root is owned by 100000:200000 on the host"
is "${L[7]}" "made during setup" "  files made during setup work (created as a mapped id)"
run_nook -s process.user=app "$W/map.ini" -- /probe write /mnt/by-app
is "$(stat -c '%u:%g' "$W/shared/by-app" 2>/dev/null)" 101000:201000 \
	"  container uid 1000 is host uid 101000"
conf_probe ids <<'EOF'
[user]
uid_map = 0 100000 65536
uid_map = 0 300000 10
EOF
like "$RC:$ERR" '^125:.*overlaps' "overlapping map ranges are refused"
conf_probe ids <<'EOF'
[user]
uid_map = 1 100000 10
gid_map = 1 100000 10
[process]
user = 5
group = 5
EOF
like "$RC:$ERR" '^(0:uid 5 5 5|125:.*(uid|gid)_map)' \
	"a map without 0 (user = 5): starts, or is refused naming the map"
[ "$RC" -eq 0 ] || show

# --- unprivileged caller ---
U=nookt$$
uns=1
[ -r /proc/sys/kernel/unprivileged_userns_clone ] &&
	read -r uns </proc/sys/kernel/unprivileged_userns_clone
if [ "$uns" = 0 ]; then
	skip 19 "unprivileged user namespaces are disabled"
elif ! command -v setpriv >/dev/null || ! add_user "$U"; then
	skip 19 "no setpriv, or useradd failed"
else
	UID_U=$(id -u "$U")
	GID_U=$(id -g "$U")
	# the build dir may sit where the user cannot go (/root/project)
	mkdir -p "$W/ubin"
	cp "$NOOK" "$NOOK_INIT" "$W/ubin/"
	chmod 755 "$W/ubin" "$W/ubin/nook" "$W/ubin/nook-init"
	# nook keeps the record of a running container there
	mkdir -p "$W/xdg" && chown "$UID_U:$GID_U" "$W/xdg" && chmod 700 "$W/xdg"
	urun() {
		XDG_RUNTIME_DIR=$W/xdg timeout -k 5 30 setpriv --reuid="$UID_U" \
			--regid="$GID_U" --clear-groups -- "$W/ubin/nook" "$@" >"$W/out" 2>"$W/err" </dev/null
		RC=$?
		OUT=$(<"$W/out")
		ERR=$(<"$W/err")
		read_lines "$W/out"
	}
	write_conf "$W/u.ini" <<-EOF
	[mounts]
	bind = $W/shared:/mnt
	EOF
	urun "$W/u.ini" -- /probe ids + cat /proc/self/uid_map + cat /proc/self/gid_map \
		+ cat /proc/self/setgroups + write /mnt/by-user + caps + ns
	is "$RC:${L[0]}" "0:uid 0 0 0" "unprivileged: root inside"
	[ "$RC" -eq 0 ] || show
	like "${L[3]}" "^ +0 +$UID_U +1\$" "  uid_map: 0 -> the caller, one id"
	like "${L[4]}" "^ +0 +$GID_U +1\$" "  gid_map: 0 -> the caller's group, one id"
	is "${L[5]}" deny "  setgroups is denied"
	is "$(stat -c '%u:%g' "$W/shared/by-user" 2>/dev/null)" "$UID_U:$GID_U" \
		"  container root's files belong to the caller on the host"
	n=0
	for ns in "${NSES[@]}"; do
		field "$ns"
		[ "$V" = "${HOST[$ns]}" ] && n=$((n + 1))
	done
	is "$n" 0 "  every namespace is new"
	urun -s 'user.uid_map=0 100000 65536' "$W/u.ini" -- /probe ids
	like "$RC:$ERR" '^125:.*not yours' "  a map outside /etc/subuid is refused"
	urun --check -s 'user.uid_map=0 100000 65536' "$W/u.ini"
	like "$RC:$ERR" '^125:nook: --set user.uid_map=0 100000 65536: \[user\] uid_map: range 100000\+65536 is not yours' \
		"  --check says so too, naming the key"
	# the rootfs is root's: the caller, root inside, cannot add to /etc
	urun -s rootfs.overlay=tmpfs -s 'mounts.file=/etc/added:=x' "$W/u.ini" -- /probe exit 0
	like "$RC:$ERR" '^125:.*create "/etc/added"' "  a mount point root's /etc cannot take: the run fails"
	urun --check -s rootfs.overlay=tmpfs -s 'mounts.file=/etc/added:=x' "$W/u.ini"
	like "$RC:$ERR" '^125:.*\[mounts\] file: cannot create "/etc/added": "/etc" in the image is owned by 0:0' \
		"  and --check predicts it, with the owner and a hint"
	urun -s process.groups=wheel "$W/u.ini" -- /probe ids
	like "$RC:$ERR" '^125:.*setgroups' "  supplementary groups are refused (setgroups denied)"
	urun -s process.user=app "$W/u.ini" -- /probe ids
	like "$RC:$ERR" '^125:.*setres[ug]id' "  an unmapped user is refused"
	write_conf "$W/u2.ini" <<-'EOF'
	[namespaces]
	user = host
	EOF
	urun "$W/u2.ini" -- /probe ids
	like "$RC:$ERR" '^125:.*only root' "  user = host is refused"
	urun -s rootfs.overlay=tmpfs "$W/u.ini" -- /probe write /new + cat /new
	is "$RC:$OUT" $'0:ok\nprobe' "  overlay = tmpfs works unprivileged"

	# ranges of /etc/subuid and /etc/subgid, written by newuidmap/newgidmap
	if command -v newuidmap >/dev/null && command -v usermod >/dev/null; then
		# userdel takes the ranges out again; it leaves backups behind
		for f in /etc/subuid- /etc/subgid-; do
			[ -e "$f" ] || at_cleanup "rm -f '$f'"
		done
		for f in /etc/subuid /etc/subgid; do
			[ -e "$f" ] || at_cleanup "[ -s '$f' ] || rm -f '$f'"
		done
		SUB=$((1000000 + ($$ % 4096) * 65536))	# apart from parallel runs
		usermod --add-subuids "$SUB-$((SUB + 65534))" \
			--add-subgids "$SUB-$((SUB + 65534))" "$U"
		write_conf "$W/u3.ini" <<-EOF
		[user]
		uid_map = 0 $UID_U 1
		uid_map = 1 $SUB 65535
		gid_map = 0 $GID_U 1
		gid_map = 1 $SUB 65535
		[mounts]
		bind = $W/shared:/mnt
		EOF
		urun "$W/u3.ini" -- /probe ids + cat /proc/self/uid_map + cat /proc/self/setgroups
		is "$RC:${L[0]}" "0:uid 0 0 0" "subuid ranges: root inside"
		[ "$RC" -eq 0 ] || show
		joined 4 5
		like "$J" "^ +0 +$UID_U +1 +1 +$SUB +65535\$" "  both ranges in uid_map (via newuidmap)"
		is "${L[5]}" allow "  setgroups is allowed"
		urun -s process.user=app -s process.groups=wheel "$W/u3.ini" -- \
			/probe ids + write /mnt/by-app-sub
		is "$RC:${L[0]}:${L[2]}" "0:uid 1000 1000 1000:groups 10" "  user = app with groups = wheel"
		is "$(stat -c '%u:%g' "$W/shared/by-app-sub" 2>/dev/null)" \
			"$((SUB + 999)):$((SUB + 999))" "  uid 1000 inside is SUB+999 on the host"
	else
		skip 5 "no newuidmap or usermod"
	fi
fi

done_testing

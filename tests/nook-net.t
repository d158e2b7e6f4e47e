#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: [network] - loopback up in a new network namespace (mode none, the
# default); mode = veth with addresses, routes, mtu, host_address and a
# bridge; dns, dns_search and hosts as files over the image.
#
# Every veth run starts nook inside a network namespace this test makes
# (nooknetPID): the "host" side of each pair is there, with the test's
# bridge.  No address, route or interface of the machine is touched, and
# that namespace has no way out.  Addresses: 198.18.0.0/15 (RFC 2544,
# benchmarking) and fd6e:6f6b::/32 (unique local).
. "$(dirname "$0")/lib.sh"
nook_setup
need_cmd ip awk

T=$$
NS=nooknet$T
HELD=nookheld$T
BR=nookbr$T
X=$((T % 200 + 20))
A4=198.18.$X
A6=fd6e:6f6b:$X
B4=198.19.$X
BB=$BUSYBOX
add_netns "$NS" || skip_all "cannot create a network namespace"
at_cleanup "ip netns delete $HELD"
if ! ip netns exec "$NS" ip link add "vt$T" type veth peer name "vu$T" \
    2>/dev/null; then
	skip_all "no veth pairs here"
fi
ip netns exec "$NS" ip link del "vt$T"
ip netns exec "$NS" ip link add "$BR" type bridge ||
	skip_all "no bridges here"
ip netns exec "$NS" ip link set "$BR" up
plan 52

# run_ns ARGS...: run_nook inside $NS.
run_ns() {
	timeout -k 5 "$NOOK_TIMEOUT" ip netns exec "$NS" "$NOOK" "$@" \
		>"$W/out" 2>"$W/err" </dev/null
	RC=$?
	OUT=$(<"$W/out")
	ERR=$(<"$W/err")
	read_lines "$W/out"
}

# start_ns OUT ARGS...: nook inside $NS in the background (ip netns exec
# execs nook: NPID is nook), output in $W/OUT.
start_ns() {
	local o=$1
	shift
	ip netns exec "$NS" "$NOOK" "$@" >"$W/$o" 2>&1 </dev/null &
	NPID=$!
	_nook_bg+=("$NPID")
}

# echo_to IP: "hello" through a TCP echo at IP:7000, tried until the
# listener is up (a refused try does not use the one-shot listener).
echo_to() {
	local i
	for ((i = 0; i < 100; i++)); do
		ECHO=$("$@" 2>/dev/null) && [ -n "$ECHO" ] && return 0
		sleep 0.1
	done
	return 1
}

# links: the interfaces of $NS but lo and the bridge, on one line.
links() {
	LINKS=$(ip netns exec "$NS" ip -o link | awk -F': ' -v b="$BR" \
	    '$2 != "lo" && $2 != b { sub(/@.*/, "", $2); printf "%s ", $2 }')
}

# --- mode = none (the default): only lo, and it is up ---
run_nook "$CONF" -- /bin/sh -c 'ip -o link; nc -l -p 7000 -e /bin/cat &
	for i in $(seq 50); do r=$(echo hi | nc -w 2 127.0.0.1 7000) &&
	[ -n "$r" ] && break; sleep 0.1; done; echo "tcp $r"
	ping -c 1 -W 2 127.0.0.1 >/dev/null && echo ping ok'
like "${L[0]}" '^1: lo: <[A-Z,]*\bUP\b' "none: lo is up in the new network namespace"
is "$NL" 3 "none: lo is the only interface" || show
is "${L[1]}" "tcp hi" "none: a TCP echo over 127.0.0.1 works inside"
is "${L[2]}" "ping ok" "none: 127.0.0.1 answers a ping inside"

# the namespace is the container's: owned by its user namespace (root in
# it may change its lo) and the one /sys shows (mounted after joining)
run_nook -s capabilities.keep=default -s capabilities.keep=CAP_NET_ADMIN "$CONF" -- /bin/sh -c \
	'ip link set lo mtu 1280 && ip -o link show lo | grep -o "mtu [0-9]*"
	ls /sys/class/net | tr "\n" " "'
is "${L[0]}" "mtu 1280" "none: root of the container administers its network namespace" || show
is "${L[1]}" "lo " "none: /sys shows the container's network namespace" || show

# the network namespace is made, and lo brought up, by a helper of nook's
# that joins the container's user namespace while the container is built;
# where it may not (an LSM would refuse setns; here a seccomp filter on
# nook does), the container's first process makes it and brings lo up
timeout -k 5 "$NOOK_TIMEOUT" "$PROBE" nosetns "$NOOK" -v "$CONF" -- \
	/bin/sh -c 'ip -o link show lo; ping -c 1 -W 2 127.0.0.1 >/dev/null &&
	echo ping ok' >"$W/out" 2>"$W/err" </dev/null
RC=$?
read_lines "$W/out"
like "$RC:${L[0]}" '^0:1: lo: <[A-Z,]*\bUP\b' \
	"none, nook not allowed setns: lo is up all the same" || show
is "${L[1]}" "ping ok" "  127.0.0.1 answers inside"
like "$(<"$W/err")" "net: left to the container: .*Operation not permitted" \
	"  brought up by the container's first process (nook -v says so)"

# a network namespace that cannot be made (here a seccomp filter on nook
# refuses it, to the helper and to the child alike): a clear error, 125,
# nothing run, nothing left
timeout -k 5 "$NOOK_TIMEOUT" "$PROBE" nonewnet "$NOOK" \
	-s container.name=nonewnet "$CONF" -- /bin/echo ran >"$W/out" \
	2>"$W/err" </dev/null
RC=$?
is "$RC:$(<"$W/out")" "125:" "no network namespace to be had: 125, nothing run" || show
like "$(<"$W/err")" "net: create the network namespace: Operation not permitted" \
	"  the error names [namespaces] net and the reason" || show
left=$("$NOOK" list 2>/dev/null | grep -w nonewnet
	ls -d /sys/fs/cgroup/*/nook-nonewnet-* 2>/dev/null)
is "$left" "" "  no record and no cgroup of it are left"

# [namespaces] net = host: nook changes nothing of the host's (here $NS,
# whose lo is down)
write_conf "$W/host.ini" <<'EOF'
[namespaces]
net = host
[filesystem]
sys = no
[network]
mode = host
EOF
run_ns "$W/host.ini" -- /probe ns
field net
is "$RC:$V" "0:$(stat -L -c %i "/run/netns/$NS")" "mode = host: the host's network namespace"
like "$(ip netns exec "$NS" ip -o link show lo)" "^1: lo: <LOOPBACK> .*DOWN" \
	"mode = host: the host's lo is left as it was"

# --- veth with host_address: the host's side reaches the container ---
write_conf "$W/a.ini" <<EOF
[container]
name = n${T}a
[network]
mode = veth
address = $A4.2/24
address = $A6::2/64
gateway = $A4.1
gateway = $A6::1
host_address = $A4.1/24
host_address = $A6::1/64
mtu = 1400
EOF
start_ns a.out "$W/a.ini" -- /bin/sh -c 'ip -o link show eth0; ip -o addr
	ip route; ip -6 route; nc -l -p 7000 -e /bin/cat
	if nc -w 2 192.0.2.1 80 </dev/null; then echo out: reached
	else echo out: none; fi
	sleep 30'
if echo_to ip netns exec "$NS" sh -c "echo hello | $BB nc -w 3 $A4.2 7000"; then
	is "$ECHO" hello "veth: a TCP echo from the host's side to the container"
else
	fail "veth: a TCP echo from the host's side to the container"
	diag "$(cat "$W/a.out")"
fi
ip netns exec "$NS" "$BB" ping -c 1 -W 3 "$A4.2" >/dev/null
ok $? "veth: the host's side pings the container (IPv4)"
ip netns exec "$NS" "$BB" ping -6 -c 1 -W 3 "$A6::2" >/dev/null
ok $? "veth: the host's side pings the container (IPv6)"
H_LINK=$(ip netns exec "$NS" ip -o link show "nk-n${T}a" 2>&1)
like "$H_LINK" "^[0-9]+: nk-n${T}a@.*\bUP\b.* mtu 1400 .*master|^[0-9]+: nk-n${T}a@.*\bUP\b.* mtu 1400 " \
	"veth: the host's end is nk-NAME, up, with the mtu"
H_ADDR=$(ip netns exec "$NS" ip -o addr show dev "nk-n${T}a" 2>&1 | tr '\n' ' ')
like "$H_ADDR" "inet $A4.1/24 .*inet6 $A6::1/64|inet6 $A6::1/64.*inet $A4.1/24" \
	"veth: host_address is on the host's end (IPv4 and IPv6)"
ip -o link show "nk-n${T}a" >/dev/null 2>&1
ok $((!$?)) "veth: nothing is made in the machine's own network namespace"
# hold the container's network namespace: its end outlives the container
# unless nook deletes the pair itself
C=$(children "$NPID")
ip netns attach "$HELD" "${C%% *}" 2>/dev/null ||
	diag "cannot hold the container's network namespace"
wait_for 10 grep -q '^out: ' "$W/a.out"
kill -TERM "$NPID"
wait_nook 20
read_lines "$W/a.out"
like "${L[0]}" "^[0-9]+: eth0@.* mtu 1400 " "veth: the container's end is [network] interface, with the mtu"
joined 1 "$NL"
like "$J" "eth0 +inet $A4.2/24 .*eth0 +inet6 $A6::2/64" "veth: both addresses are on it"
like "$J" "default via $A4.1 dev eth0" "veth: the IPv4 default route goes via gateway"
like "$J" "default via $A6::1 dev eth0" "veth: the IPv6 default route goes via gateway"
like "$J" "out: none" "veth: nothing outside the test's namespaces is reached"
links
is "$LINKS" "" "veth: the pair is deleted at the end, even while its namespace lives on"
ip netns delete "$HELD" 2>/dev/null

# --- two containers on a bridge the test made ---
write_conf "$W/b1.ini" <<EOF
[container]
name = n${T}b1
[network]
mode = veth
address = $B4.11/24
bridge = $BR
EOF
write_conf "$W/b2.ini" <<EOF
[container]
name = n${T}b2
[network]
mode = veth
interface = net0
address = $B4.12/24
bridge = $BR
EOF
start_ns b1.out "$W/b1.ini" -- /bin/sh -c "nc -l -p 7000 -e /bin/cat
	ping -c 1 -W 5 $B4.12 >/dev/null && echo b1 reached b2"
B1=$NPID
run_ns "$W/b2.ini" -- /bin/sh -c "ping -c 1 -W 5 $B4.11 >/dev/null &&
	echo b2 reached b1
	for i in \$(seq 100); do r=\$(echo over the bridge | nc -w 3 $B4.11 \
	7000) && [ -n \"\$r\" ] && break; sleep 0.1; done; echo \"tcp \$r\"
	ip -o link show net0; sleep 3"
is "${L[0]}" "b2 reached b1" "bridge: one container pings the other" || show
is "${L[1]}" "tcp over the bridge" "bridge: a TCP echo crosses between them"
like "${L[2]}" "^[0-9]+: net0@" "bridge: [network] interface names the container's end"
NPID=$B1
wait_nook 20
is "$RC:$(cat "$W/b1.out")" "0:b1 reached b2" "bridge: the other pings back"
PORTS=$(ip netns exec "$NS" ip -o link show master "$BR")
is "$PORTS" "" "bridge: no port is left on the bridge"
links
is "$LINKS" "" "bridge: no interface is left"

# --- failures: located, and nothing left ---
write_conf "$W/f.ini" <<EOF
[container]
name = n${T}f
[network]
mode = veth
address = $A4.2/24
gateway = 203.0.113.1
EOF
run_ns "$W/f.ini" -- /bin/true
is "$RC" 125 "a gateway off every address's network fails the run"
like "$ERR" "f.ini:[0-9]+: \[network\] gateway: add the default route via 203.0.113.1.*unreachable" \
	"the error names the key, its line and the kernel's reason"
links
is "$LINKS" "" "a failed run leaves no interface"
write_conf "$W/f.ini" <<EOF
[container]
name = n${T}f
[network]
mode = veth
bridge = nonebr$T
EOF
run_ns "$W/f.ini" -- /bin/true
is "$RC" 125 "a missing bridge fails the run"
like "$ERR" "f.ini:[0-9]+: \[network\] bridge: \"nonebr$T\": no such interface" \
	"the error names the bridge"
ip netns exec "$NS" ip link add "nk-n${T}f" type veth peer name "vu$T"
run_ns "$W/f.ini" -s network.bridge="$BR" -- /bin/true
like "$RC:$ERR" "^125:.*interface nk-n${T}f exists already" \
	"a host interface of the name already there is refused, not taken over"
ip netns exec "$NS" ip link del "nk-n${T}f"
links
is "$LINKS" "" "a refused run leaves no interface"

# --- configuration: checked at load ---
for bad in "$A4.2/24|gateway = $A4.1|gateway = $A4.9|at most one IPv4 gateway" \
    "$A6::2/64|gateway = $A6::1|gateway = $A6::9|at most one IPv6 gateway" \
    "$A4.2/24|gateway = $A6::1||an IPv6 gateway needs an IPv6" \
    "$A4.2/24|interface = lo||\"lo\" is the loopback's name"; do
	IFS='|' read -r a k1 k2 why <<<"$bad"
	write_conf "$W/e.ini" <<-EOF
	[network]
	mode = veth
	address = $a
	$k1
	$k2
	EOF
	run_nook "$W/e.ini" --check -- /bin/true
	like "$RC:$ERR" "^125:nook: .*e.ini:[0-9]+: \[network\] [a-z]+: $why" "config: $why"
done

# --- dns, dns_search and hosts: files over the image ---
printf 'nameserver 192.0.2.99\n' >"$ROOT/etc/resolv.conf"
printf '127.0.0.1 image\n' >"$ROOT/etc/hosts"
conf_probe cat /etc/resolv.conf + cat /etc/hosts <<'EOF'
[container]
hostname = box
[network]
dns = 192.0.2.53
dns = 2001:db8::53
dns_search = a.example
dns_search = b.example
hosts = 192.0.2.10 db db.example
hosts = 2001:db8::10 web
EOF
is "$OUT" "# [network] dns and dns_search (nook)
nameserver 192.0.2.53
nameserver 2001:db8::53
search a.example b.example
# [network] hosts (nook)
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
127.0.1.1	box
192.0.2.10 db db.example
2001:db8::10 web" "dns, dns_search, hosts: /etc/resolv.conf and /etc/hosts inside" || show
is "$(cat "$ROOT/etc/resolv.conf" "$ROOT/etc/hosts")" "nameserver 192.0.2.99
127.0.0.1 image" "dns, hosts: the image's files are not written"
write_conf "$W/h.ini" <<EOF
[container]
name = n${T}h
hostname = box
[network]
mode = veth
address = $A4.3/24
address = $A6::3/64
hosts = 192.0.2.10 db
EOF
run_ns "$W/h.ini" -- /bin/cat /etc/hosts
joined 1 "$NL"
is "$J" "# [network] hosts (nook) 127.0.0.1	localhost ::1	localhost ip6-localhost ip6-loopback $A4.3	box $A6::3	box 192.0.2.10 db" \
	"hosts: the container's name maps to each of its addresses"
conf_probe cat /etc/resolv.conf + cat /etc/hosts <<'EOF'
[network]
dns_search = only.example
EOF
is "$OUT" "# [network] dns and dns_search (nook)
search only.example
127.0.0.1 image" "dns_search alone writes resolv.conf; no hosts leaves the image's"
write_conf "$W/p.ini" <<'EOF'
[network]
dns = 192.0.2.53
hosts = 192.0.2.10 db
EOF
run_nook "$W/p.ini" --print-config -- /bin/true
like "$RC:$OUT" "^0:" "print-config: fine" || show
case $OUT in
*/etc/resolv.conf* | */etc/hosts*) fail "print-config: shows no made-up [mounts] file";;
*) pass "print-config: shows no made-up [mounts] file";;
esac
write_conf "$W/p.ini" <<'EOF'
[network]
dns = 192.0.2.53
[mounts]
file = /etc/resolv.conf:=nameserver 192.0.2.1
EOF
run_nook "$W/p.ini" --check -- /bin/true
like "$RC:$ERR" "^125:.*p.ini:[0-9]+: \[network\] dns: writes /etc/resolv.conf, which .*p.ini:[0-9]+ mounts too" \
	"dns with a [mounts] entry on /etc/resolv.conf is refused"

# --- nothing left ---
ip netns exec "$NS" ip link del "$BR"
ip netns delete "$NS"
LEFT=$(ip -o link | awk -F': ' -v t="$T" 'index($2, t) { print $2 }')
is "$LEFT" "" "no interface of this test is left in the machine's namespace"
LEFT=$(ip netns list | awk -v t="$T" 'index($1, t)')
is "$LEFT" "" "no network namespace of this test is left"

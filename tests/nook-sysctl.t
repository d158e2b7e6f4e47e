#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: [sysctl] sets the container's own kernel parameters, never the
# host's; [time] shifts the container's clocks.
. "$(dirname "$0")/lib.sh"
nook_setup
plan 9

h_port=$(</proc/sys/net/ipv4/ip_unprivileged_port_start)
h_msg=$(</proc/sys/fs/mqueue/msg_max)
write_conf "$W/s.ini" <<'EOF2'
[sysctl]
net.ipv4.ip_unprivileged_port_start = 80
kernel/shmmni = 1000
fs.mqueue.msg_max = 20
EOF2
probe_in "$W/s.ini" cat /proc/sys/net/ipv4/ip_unprivileged_port_start \
	+ cat /proc/sys/kernel/shmmni + cat /proc/sys/fs/mqueue/msg_max
joined 1 3
is "$RC:$J" "0:80 1000 20" "net.*, kernel.shm* (slashes), fs.mqueue.*: set inside"
is "$(</proc/sys/net/ipv4/ip_unprivileged_port_start)/$(</proc/sys/fs/mqueue/msg_max)" \
	"$h_port/$h_msg" "  the host's values are unchanged"
probe_in "$W/s.ini" write /proc/sys/net/ipv4/ip_unprivileged_port_start 1
like "${L[0]}" '^error EROFS' "  and /proc/sys is read-only afterwards"
run_nook -p "$W/s.ini" -- /probe exit 0
printf '%s\n' "$OUT" >"$W/p.ini"
run_nook -p "$W/p.ini"
is "$RC:$(sed 1d <<<"$OUT")" "0:$(sed 1d "$W/p.ini")" "--print-config keeps [sysctl] and reads back the same"
like "$OUT" $'\n\\[sysctl\\]\nnet.ipv4.ip_unprivileged_port_start = 80\n' "  the [sysctl] section as given"
write_conf "$W/bad.ini" <<'EOF2'
[sysctl]
net.ipv4.no_such_parameter = 1
EOF2
run_nook "$W/bad.ini" -- /probe exit 0
like "$RC:$ERR" '^125:nook: .*bad.ini:5: \[sysctl\] net.ipv4.no_such_parameter = 1: No such file' \
	"a parameter this kernel lacks: 125 with file:line"
write_conf "$W/host.ini" <<'EOF2'
[sysctl]
kernel.panic = 1
EOF2
run_nook --check "$W/host.ini" -- /probe exit 0
like "$RC:$ERR" '^125:.*host.ini:5: \[sysctl\] kernel.panic: not namespaced: would change the host' \
	"a parameter that is not namespaced: refused at --check"

# [time]: the clocks inside, shifted
write_conf "$W/t.ini" <<'EOF2'
[time]
boottime_offset = 2d
EOF2
read -r up _ </proc/uptime
probe_in "$W/t.ini" uptime
read -r _ u _ <<<"${L[0]}"
[ "${u:-0}" -ge $(( ${up%.*} + 172800 )) ] && [ "${u:-0}" -le $(( ${up%.*} + 172800 + 30 )) ]
ok $? "[time] boottime_offset = 2d: /proc/uptime inside is two days ahead (${L[0]})"
printf '[namespaces]\nboottime_offset = 1h\n' >>"$W/t.ini"
run_nook --check "$W/t.ini" -- /probe exit 0
like "$RC:$ERR" '^125:.*\[namespaces\] boottime_offset moved to \[time\] boottime_offset' \
	"  the key in its old place names the new one"
done_testing

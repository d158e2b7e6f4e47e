#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: exit statuses (the command's, 128+N, 126/127, 125 for nook's own
# failures), --check, --print-config and the command line.
. "$(dirname "$0")/lib.sh"
nook_setup

plan 52

# --- the command's status ---
for n in 0 1 42 124 255; do
	probe_in "$CONF" exit "$n"
	is "$RC" "$n" "exit $n is passed on"
done
for s in TERM:143 KILL:137 SEGV:139 USR1:138 HUP:129; do
	probe_in "$CONF" kill "${s%:*}"
	is "$RC" "${s#*:}" "killed by SIG${s%:*}: ${s#*:}"
done
run_nook "$CONF" -- /no/such/command
like "$RC:$ERR" '^127:.*/no/such/command' "a missing command: 127, named"
run_nook "$CONF" -- /etc/passwd
like "$RC:$ERR" '^126:.*/etc/passwd' "a command that is not executable: 126"
run_nook "$CONF" -- /etc
is "$RC" 126 "a directory as command: 126"
run_nook "$CONF" -- no-such-command-in-path
is "$RC" 127 "a name not found in PATH: 127"
# mode = direct: nook itself reports 126/127
write_conf "$W/direct.ini" <<'EOF'
[init]
mode = direct
EOF
probe_in "$W/direct.ini" exit 42
is "$RC" 42 "mode = direct: the command's status"
run_nook "$W/direct.ini" -- /no/such/command
like "$RC:$ERR" '^127:.*/no/such/command' "mode = direct: a missing command: 127"
run_nook "$W/direct.ini" -- /etc/passwd
is "$RC" 126 "mode = direct: not executable: 126"

# --- 125: nook's own failures ---
printf '[rootfs]\npath = %s\n[proces]\ncomand = x\n' "$ROOT" >"$W/bad.ini"
run_nook "$W/bad.ini" -- /probe exit 0
is "$RC" 125 "an unknown section: 125"
like "$ERR" 'bad.ini:3: unknown section \[proces\] \(did you mean \[process\]\?\)' \
	"  with file:line and a suggestion"
printf '[rootfs]\npath = %s\n' "$ROOT" >"$W/nocmd.ini"
run_nook "$W/nocmd.ini"
like "$RC:$ERR" '^125:.*command.*required' "no command anywhere: 125"
printf '[process]\ncommand = /probe\n' >"$W/noroot.ini"
run_nook "$W/noroot.ini"
like "$RC:$ERR" '^125:.*\[rootfs\] path.*required' "no rootfs path: 125"
run_nook "$W/no-such-file.ini" -- /probe exit 0
like "$RC:$ERR" '^125:.*no-such-file.ini' "a missing config file: 125"
run_nook "$W" -- /probe exit 0
like "$RC:$ERR" '^125:.*Is a directory' "a directory as the config file: 125, saying so"
run_nook
is "$RC" 125 "no arguments: 125"
run_nook --no-such-option "$CONF"
like "$RC:$ERR" '^125:.*unknown option' "an unknown option: 125"
run_nook "$CONF" extra
like "$RC:$ERR" '^125:.*unexpected argument' "an argument after CONFIG without --: 125"
run_nook "$CONF" --
like "$RC:$ERR" '^125:.*COMMAND is missing' "-- without a command: 125"
run_nook -s 'no-dot=1' "$CONF" -- /probe exit 0
like "$RC:$ERR" '^125:.*SECTION.KEY=VALUE' "-s without SECTION.KEY: 125"
run_nook "$CONF" -s process.user=app -- /probe ids
like "$RC:${L[0]}" '^0:uid 1000 ' "options after CONFIG are options too (-s process.user=app)"
run_nook "$CONF" -- /probe exit 0 -s x
is "$RC:$ERR" "0:" "  but after -- everything is the command's (-s x is an argument)"
run_nook -h
like "$RC:$OUT" '^0:usage: nook' "-h: usage on stdout, 0"
run_nook -V
like "$RC:$OUT" '^0:nook version ' "-V: the version, 0"

# --- --check: validate, start nothing ---
write_conf "$W/chk.ini" <<'EOF'
[rootfs]
readonly = no
[process]
command = /probe write /check-marker
EOF
run_nook --check "$W/chk.ini"
is "$RC:$OUT:$ERR" "0::" "--check: a good config, 0, silent"
[ -e "$ROOT/check-marker" ]
ok $((1 - $?)) "--check: nothing was started"
run_nook -c -v "$W/chk.ini"
like "$RC:$ERR" '^0:.*configuration and host are fine' "--check -v says so"
run_nook --check "$W/bad.ini"
is "$RC" 125 "--check: a bad config, 125"
run_nook -c -s rootfs.path=/no/such/root "$W/chk.ini"
like "$RC:$ERR" '^125:.*/no/such/root' "--check: checks the host (a missing rootfs)"
[ -e "$ROOT/check-marker" ]
ok $((1 - $?)) "  still nothing started"
run_nook "$W/chk.ini"
[ -e "$ROOT/check-marker" ]
ok $? "  (the same config without --check does run)"
rm -f "$ROOT/check-marker"

# --- --check predicts the run: what the image lacks ---
run_nook -s mounts.bind=/tmp:/no-such-mount-point "$CONF" -- /probe exit 0
like "$RC:$ERR" '^125:.*mount point "/no-such-mount-point" does not exist in the read-only root' \
	"a mount point missing in the read-only root: the run fails"
run_nook --check -s mounts.bind=/tmp:/no-such-mount-point "$CONF" -- /probe exit 0
like "$RC:$ERR" '^125:nook: --set mounts.bind=/tmp:/no-such-mount-point: \[mounts\] bind: mount point "/no-such-mount-point" does not exist' \
	"  and --check says so, naming the entry"
run_nook -s process.user=nosuchuser "$W/chk.ini"
like "$RC:$ERR" '^125:.*no user "nosuchuser"' "a user the image lacks: the run fails"
run_nook --check -s process.user=nosuchuser "$W/chk.ini"
like "$RC:$ERR" '^125:nook: --set process.user=nosuchuser: \[process\] user: no user "nosuchuser" in the image' \
	"  and --check says so"
run_nook --check -s process.user=app -s process.groups=nosuchgroup "$W/chk.ini"
like "$RC:$ERR" '^125:.*\[process\] groups: no group "nosuchgroup"' "  a group too"

# --- every error of the file in one pass, in the order of its lines ---
printf '%s\n' '[rootfs]' 'path = /no/such/root' '[process]' 'umask = 0999' \
	'[container]' 'hostname = box' '[namespaces]' 'uts = host' \
	'[process]' >"$W/multi.ini"
run_nook --check "$W/multi.ini" -- /probe exit 0
lines=$(printf '%s\n' "$ERR" | sed -n 's/^nook: [^:]*multi.ini:\([0-9]*\): .*/\1/p' | tr '\n' ' ')
is "$RC:$lines" "125:2 4 6 " "host, value and conflict errors together, sorted by line"
like "$ERR" 'umask: "0999": expected an octal' "  a bad value is shown in its error"

# --- --print-config: INI that reads back the same ---
write_conf "$W/full.ini" <<EOF
[container]
hostname = printed
[process]
command = /bin/sh -c 'echo "a  b" \$HOME; exit 7'
env = X=1
cwd = /tmp
[mounts]
tmpfs = /run:size=1m
file = /run/f:=line one
	line two
[time]
boottime_offset = -2s
EOF
run_nook -p "$W/full.ini"
is "$RC" 0 "--print-config: 0"
printf '%s\n' "$OUT" >"$W/p1.ini"
run_nook -p "$W/p1.ini"
printf '%s\n' "$OUT" >"$W/p2.ini"
is "$(tail -n +2 "$W/p2.ini")" "$(tail -n +2 "$W/p1.ini")" "--print-config output reads back unchanged"
run_nook "$W/p1.ini"
is "$RC:$OUT" "7:a  b /root" "  and runs the same container"
probe_in "$W/p1.ini" hostname + cat /run/f + cwd
joined 1 5
is "$J" "hostname printed domainname  line one line two /tmp" "  with the same settings"
# words given after -- are verbatim: a newline, '#' and ';' in a word
run_nook -p "$CONF" -- /bin/sh -c 'printf "[%s]" "$@"' sh '#x' 'a ;b'
printf '%s\n' "$OUT" >"$W/p3.ini"
run_nook "$W/p3.ini"
is "$RC:$OUT" '0:[#x][a ;b]' "--print-config of a command with '#' and ' ;' in words reads back"
# a newline cannot be written into INI: a clear error, not a broken file
run_nook -p "$CONF" -- /bin/sh -c 'echo' $'two\nlines'
is "$RC" 125 "--print-config refuses a word with a newline (125)"

done_testing

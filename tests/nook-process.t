#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: the container's process - command and its words, `--` and -s
# overrides, environment, working directory, user and groups (names from the
# container's own /etc/passwd and /etc/group), umask, session, the init's
# arguments and mode = direct.
. "$(dirname "$0")/lib.sh"
nook_setup

plan 42

# --- command ---
write_conf "$W/c.ini" <<'EOF'
[process]
command = /probe echo from-config
EOF
run_nook "$W/c.ini"
is "$RC:$OUT" "0:from-config" "[process] command runs without --"
probe_in "$W/c.ini" echo from-cli
is "$RC:$OUT" "0:from-cli" "-- COMMAND replaces [process] command"
write_conf "$W/words.ini" <<'EOF'
[process]
command = /bin/sh -c 'for a; do printf "[%s]" "$a"; done' sh 'a b' "c\"d" e\ f 'g'"h"
	continued "on a line"
EOF
run_nook "$W/words.ini"
is "$OUT" '[a b][c"d][e f][gh][continued][on a line]' "command words: quotes, escapes, continuation lines"
run_nook "$W/words.ini" -- /bin/sh -c 'for a; do printf "[%s]" "$a"; done' sh "x  y" "'q'" '$HOME'
is "$OUT" "[x  y]['q'][\$HOME]" "-- words are taken verbatim"
write_conf "$W/c.ini" <<'EOF'
[process]
command = echo found in PATH
EOF
run_nook "$W/c.ini"
is "$RC:$OUT" "0:found in PATH" "a command without a slash is looked up in PATH"
run_nook -s 'process.command=/probe echo via set' "$W/c.ini"
is "$RC:$OUT" "0:via set" "-s process.command=... replaces it"

echo "through stdin" | timeout -k 5 30 "$NOOK" "$CONF" -- /bin/cat >"$W/out" 2>&1
is "$(<"$W/out")" "through stdin" "stdin is the container's stdin"

# --- environment ---
export NOOK_T_KEEP=kept NOOK_T_OTHER=other TERM=xterm-nook
probe_in "$CONF" env
joined 1 $NL
is "$J" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=xterm-nook container=nook" \
	"clear_env = yes: exactly PATH, HOME, TERM, container"
env -u TERM timeout -k 5 30 "$NOOK" "$CONF" -- /probe env >"$W/out" 2>&1 </dev/null
read_lines "$W/out"
joined 1 $NL
is "$J" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root container=nook" \
	"  without TERM in nook's environment, none inside"
conf_probe env <<'EOF'
[process]
env = A=1
env = B=two words
env = A=2
env = PATH=/bin
env = EMPTY=
env_keep = NOOK_T_KEEP
env_keep = NOOK_T_UNSET
EOF
joined 1 $NL
is "$J" "PATH=/bin HOME=/root TERM=xterm-nook container=nook NOOK_T_KEEP=kept A=2 B=two words EMPTY=" \
	"env (later wins, PATH replaced), env_keep (only set variables)"
conf_probe env <<'EOF'
[process]
clear_env = no
env = NOOK_T_OTHER=replaced
EOF
like "$OUT" $'NOOK_T_KEEP=kept' "clear_env = no: nook's environment passes"
n=0
for l in "${L[@]:0:NL}"; do [ "$l" = NOOK_T_OTHER=replaced ] && n=$((n + 1)); done
is "$n" 1 "  env replaces a passed variable (once)"
unset NOOK_T_KEEP NOOK_T_OTHER

# --- cwd ---
conf_probe cwd <<'EOF'
[process]
cwd = /etc
EOF
is "$RC:$OUT" "0:/etc" "cwd = /etc"
conf_probe cwd <<'EOF'
[process]
cwd = /no/such/dir
EOF
like "$RC:$ERR" '^125:.*cwd.*/no/such/dir' "a missing cwd: 125, named"
chmod 700 "$ROOT/root"
conf_probe cwd <<'EOF'
[process]
user = app
cwd = /root
EOF
like "$RC:$ERR" '^125:.*cwd.*Permission denied' "a cwd the user cannot enter: 125"
run_nook -s process.cwd=/tmp "$CONF" -- /probe cwd
is "$OUT" /tmp "-s process.cwd=/tmp"
run_nook -s process.cwd= "$W/c.ini" -- /probe cwd
is "$RC:$OUT" "0:/" "-s process.cwd= (empty) restores the default"
write_conf "$W/c.ini" <<'EOF'
[process]
cwd = /etc
env = FROM_FILE=1
EOF
run_nook -s process.cwd= -s process.env=FROM_SET=2 "$W/c.ini" -- /probe cwd + env
joined 1 $NL
like "$J" '^/ .* FROM_FILE=1 FROM_SET=2$' "-s appends to a list (env), an empty value resets a scalar"

# --- user and groups ---
probe_in "$CONF" ids
joined 1 3
is "$J" "uid 0 0 0 gid 0 0 0 groups" "default: root, no supplementary groups"
conf_probe ids + env + caps <<'EOF'
[process]
user = app
EOF
joined 1 3
is "$J" "uid 1000 1000 1000 gid 1000 1000 1000 groups" "user = app: uid and gid from the container's passwd"
like "$OUT" 'HOME=/home/app' "  HOME from the container's passwd"
like "$OUT" 'CapEff:[[:space:]]+0+$' "  no effective capabilities"
run_nook -s process.user=1000 "$CONF" -- /probe ids + env
joined 1 3
is "$J" "uid 1000 1000 1000 gid 1000 1000 1000 groups" "user = 1000: found by number"
run_nook -s process.user=4242 "$CONF" -- /probe ids + env
joined 1 2
is "$J" "uid 4242 4242 4242 gid 0 0 0" "user = 4242 (not in passwd): that uid, gid 0"
[[ "$OUT" == *$'\nHOME=/\n'* ]]
ok $? "  HOME=/ exactly"
run_nook -s process.user=nosuchuser "$CONF" -- /probe ids
like "$RC:$ERR" '^125:.*nosuchuser' "user = an unknown name: 125, named"
run_nook -s process.user=app -s process.group=wheel "$CONF" -- /probe ids
joined 1 2
is "$J" "uid 1000 1000 1000 gid 10 10 10" "group = wheel: by name"
run_nook -s process.group=4343 "$CONF" -- /probe ids
is "${L[1]}" "gid 4343 4343 4343" "group = 4343: by number"
run_nook -s process.group=nosuchgroup "$CONF" -- /probe ids
like "$RC:$ERR" '^125:.*nosuchgroup' "group = an unknown name: 125"
conf_probe ids <<'EOF'
[process]
user = app
groups = wheel
groups = audio
groups = 4444
EOF
is "${L[2]}" "groups 10 29 4444" "groups: names and numbers"
run_nook -s process.groups=nosuchgroup "$CONF" -- /probe ids
like "$RC:$ERR" '^125:.*nosuchgroup' "groups = an unknown name: 125"
# the names come from the container's files, not the host's
run_nook -s process.user=postgres "$CONF" -- /probe ids
if getent passwd postgres >/dev/null; then
	like "$RC:$ERR" '^125:.*postgres' "a user known only on the host is unknown inside"
else
	like "$RC:$ERR" '^125:' "a user unknown inside is refused"
fi

# --- umask ---
conf_probe umask + write /tmp/f + stat /tmp/f <<'EOF'
[process]
umask = 0077
EOF
joined 1 3
is "$J" "0077 ok reg 0600 0 0 0:0" "umask = 0077: set, and files are made 0600"
probe_in "$CONF" umask
is "$OUT" 0022 "default umask 0022"

# --- session ---
probe_in "$CONF" pid + cmdline 1
is "${L[0]}" "pid 2 ppid 1 sid 1 pgid 2" "new_session = yes: PID 1 leads the session"
run_nook -s process.new_session=no "$CONF" -- /probe pid
like "$OUT" '^pid 2 ppid 1 sid 0 ' "new_session = no: the session of nook (outside the namespace)"

# --- [init] ---
conf_probe cmdline 1 <<'EOF'
[init]
args = -v -t 3
EOF
like "$OUT" '^nook-init .*-v -t 3 -- /probe cmdline 1$' "[init] args go before --"
conf_probe exe1 + pid + cmdline 1 <<'EOF'
[init]
mode = direct
EOF
joined 1 3
is "$J" "/probe pid 1 ppid 0 sid 1 pgid 1 /probe exe1 + pid + cmdline 1" \
	"mode = direct: the command is PID 1 itself"
conf_probe ls / <<'EOF'
[init]
mode = direct
args = -v
EOF
like "$RC:$ERR" '^125:.*args.*direct' "args with mode = direct: refused"
conf_probe exit 3 <<EOF
[init]
path = $W/no-such-init
EOF
like "$RC:$ERR" '^125:.*no-such-init' "a missing init binary: 125, named"
printf '#!/bin/sh\nexit 0\n' >"$W/script-init"
chmod 755 "$W/script-init"
conf_probe exit 3 <<EOF
[init]
path = $W/script-init
EOF
like "$RC:$ERR" '^125:.*\[init\] path' "a #! script as init: 125, naming [init] path"
cp "$PROBE" "$W/probe-as-init"
write_conf "$W/c.ini" <<EOF
[init]
path = $W/probe-as-init
EOF
run_nook "$W/c.ini" -- /probe echo hi
# probe-as-init gets: nook-init -- /probe echo hi, and refuses "--"
is "$RC" 2 "[init] path: another static binary runs as PID 1 (from the memfd)"
done_testing

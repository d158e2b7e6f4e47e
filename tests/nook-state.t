#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: the record of a running container, nook ps, nook exec, nook stop.
. "$(dirname "$0")/lib.sh"
nook_setup

plan 57

N=nookt$$		# names of our own: other runs may share /run/nook
S=/run/nook/containers
at_cleanup "rm -rf $S/$N-* $S/.$N-*"

# rec NAME KEY: V = the value of KEY in NAME's record ("" if none)
rec() {
	local k v
	V=
	while read -r k v; do
		[ "$k" = "$2" ] && { V=$v; return 0; }
	done 2>/dev/null <"$S/$1@state"
	return 1
}
# has_line REGEX: some line of the last run's output is REGEX (whole)
has_line() { printf '%s\n' "$OUT" | grep -Eqx -- "$1"; }
# sfield NAME: V = the value of a "Name:<tab>value" line of the last run
sfield() { V=$(printf '%s\n' "$OUT" | awk -v f="$1:" '$1 == f { print $2 }'); }
# pstat PID: its state letter (gone if none)
pstat() { _pstate "$1"; }
status_of() {	# status_of PID FIELD: V = the value of FIELD: in its status
	V=$(awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null)
}
# start NAME [CONFIG ARGS...]: start_nook, wait until its record has a pid
start() {
	local n=$1
	shift
	start_nook "$@"
	wait_for 15 eval 'rec "$n" nook_pid && [ "$V" = "$NPID" ] && rec "$n" pid'

}

write_conf "$W/a.ini" <<EOF
[container]
name = $N-a
[process]
user = app
env = NOOK_T=hello
cwd = /tmp
stop_timeout = 5s
command = /bin/sleep 60
EOF

# --- the record ---
start "$N-a" "$W/a.ini"
ok $? "the record appears once the container runs"
rec "$N-a" pid; P1=$V
rec "$N-a" nook_pid
is "$V" "$NPID" "  with nook's own pid"
rec "$N-a" start
is "$V" "$(cut -d' ' -f22 "/proc/$P1/stat" 2>/dev/null)" \
	"  and the start time of PID 1 (field 22)"
like "$(cat "/proc/$P1/cmdline" 2>/dev/null | tr '\0' ' ')" '^nook-init ' \
	"  whose pid is the container's nook-init"
rec "$N-a" config
is "$V" "$W/a.ini" "  the config path"
cg=$(grep '^cgroup ' "$S/$N-a@state" | cut -d' ' -f2- | tr '\n' ' ')
is "${P1:+$cg}" "$(tr '\n' ' ' <"/proc/${P1:-0}/cgroup")" \
	"  its cgroups (/proc/PID/cgroup)"
is "$(stat -c '%F %a' "$S/$N-a")" "regular empty file 600" \
	"  its lock file: empty, closed to others"
is "$(stat -c %a "$S/$N-a@state" "$S/$N-a@config.ini" | tr '\n' ' ')" "600 600 " \
	"  its parts beside it (NAME@state, NAME@config.ini), closed to others"

# --- a second one of the same name ---
run_nook "$W/a.ini" -- /probe exit 0
is "$RC" 125 "a second container of a running name is refused: 125"
like "$ERR" "$N-a: a container of this name is running \(pid $P1" "  saying so"
is "$(pstat "$P1")" S "  the first one runs on"
# the name is claimed while the second one's container is built (the
# parent's work overlaps the child's): its command must never run
mkdir -p "$W/dup" "$ROOT/dup" && chmod 1777 "$W/dup"
write_conf "$W/b.ini" <<EOF
[container]
name = $N-a
[mounts]
bind = $W/dup:/dup
EOF
run_nook "$W/b.ini" -- /probe write /dup/ran yes
is "$RC:$([ -e "$W/dup/ran" ] && echo ran)" 125: \
	"  the second one's command never ran"
is "$(find /sys/fs/cgroup -maxdepth 4 -type d -name "nook-$N-a-*" | wc -l)" \
	1 "  and its cgroup is gone (the first one's is left)"
run_nook -s container.name=$N-b "$W/b.ini" -- /probe write /dup/ran yes
is "$RC:$(cat "$W/dup/ran" 2>/dev/null)" 0:yes \
	"  (control: under a free name the same command runs)" || show

# --- nook ps ---
run_nook ps
is "$RC:${L[0]}" "0:$(printf '%-20s %8s %8s  %s' NAME PID UPTIME CONFIG)" \
	"nook ps: a header line"
has_line "$N-a +$P1 +[0-9]+s +$W/a.ini"
ok $? "  the running container: name, pid, uptime, config"

# --- nook exec ---
CHILD=$(children "$P1")		# the container's own process: sleep
run_nook exec "$N-a" -- /probe ids + cmdline 1 + ns + caps + status Seccomp \
	+ status NoNewPrivs + env + cwd + umask
is "$RC" 0 "nook exec runs a command: 0"
[ "$RC" -eq 0 ] || show
is "${L[0]}" "uid 1000 1000 1000" "  as the container's user (app)"
is "${L[1]}" "gid 1000 1000 1000" "  and group"
is "${L[3]}" "nook-init -- /bin/sleep 60" "  its PID 1 is the container's nook-init"
n=0
for ns in user pid mnt net uts ipc cgroup time; do
	field "$ns"
	[ -n "$V" ] && [ "$V" = "$(readlink "/proc/$P1/ns/$ns" | tr -dc 0-9)" ] &&
		n=$((n + 1))
done
is "$n" 8 "  in all 8 of its namespaces"
status_of "${CHILD:-0}" CapEff; eff=${V:-none}
status_of "${CHILD:-0}" CapBnd; bnd=${V:-none}
sfield CapEff; is "$V" "$eff" "  CapEff as the container's process ($eff)"
sfield CapBnd; is "$V" "$bnd" "  CapBnd as the container's process ($bnd)"
status_of "${CHILD:-0}" CapAmb; amb=${V:-none}
sfield CapAmb; is "$V" "$amb" "  CapAmb too"
sfield Seccomp; is "$V" 2 "  under a seccomp filter (Seccomp: 2)"
sfield NoNewPrivs; is "$V" 1 "  with no_new_privs"
has_line NOOK_T=hello
ok $? "  the container's environment"
has_line HOME=/home/app
ok $? "  HOME as the container's process has it"
is "${L[NL - 2]}:${L[NL - 1]}" /tmp:0022 "  in its cwd, with its umask"
timeout 10 "$NOOK" exec "$N-a" -- /probe fds 5</dev/null >"$W/out" 2>&1
OUT=$(<"$W/out")
is "$(printf '%s\n' "$OUT" | cut -d' ' -f1 | tr '\n' ' ')" "0 1 2 " \
	"  no descriptor of the host but 0-2 (given fd 5)"

run_nook exec "$N-a" /probe exit 7
is "$RC" 7 "its exit status is nook exec's (no -- needed)"
run_nook exec "$N-a" -- /probe kill TERM
is "$RC" 143 "  128+N when signal N killed it"
run_nook exec "$N-a" -- /no/such
like "$RC:$ERR" '^127:.*/no/such' "  127 for a missing command"

# the cgroup: the command's, not nook exec's own
"$NOOK" exec "$N-a" -- /bin/sleep 3 </dev/null >/dev/null 2>&1 &
XP=$!
wait_for 5 eval '[ -n "$(children $XP)" ]'
G=$(children "$XP")
G=${G:-0}
is "$(cat "/proc/$G/cgroup" 2>/dev/null)" "$(cat "/proc/$P1/cgroup")" \
	"  the command is in the container's cgroups"
isnt_cg=$(cmp -s "/proc/$XP/cgroup" "/proc/$P1/cgroup" && echo same || echo other)
is "$isnt_cg" other "  nook exec itself stays out of them"
# killed, nook exec takes the command along (orphaned, it would go to a
# reaper of the host: its parent is outside)
kill -KILL "$XP"
wait "$XP" 2>/dev/null
wait_for 3 eval '[ "$(pstat "$G")" = gone ]'
ok $? "  the command of a killed nook exec goes with it"
# what the command leaves behind is adopted and reaped by nook-init
run_nook exec "$N-a" -- /bin/sh -c '/bin/sleep 1.5 & exit 3'
is "$RC" 3 "an exec'd shell that leaves a child: its status"
kids=$(children "$P1")
is "$(echo $kids | wc -w)" 2 "  its orphan is nook-init's child now"
wait_for 5 eval '[ -n "$CHILD" ] && [ "$(children "$P1")" = "$CHILD" ]'
ok $? "  which reaps it when it ends: no zombie inside"

# --- nook stop ---
t0=$SECONDS
run_nook stop "$N-a"
is "$RC" 0 "nook stop: 0"
ok $((RC != 0 || SECONDS - t0 > 3)) "  within the stop_timeout (sleep obeys TERM)"
wait_nook 5
is "$RC" 143 "  the container ended by SIGTERM (nook: 143)"
ok "$(test -n "$P1" && test ! -e "$S/$N-a" && ! compgen -G "$S/*$N-a@*" >/dev/null
	echo $?)" "the record is gone after the container, its parts too"
run_nook ps
ok "$(! grep -q "^$N-a " "$W/out" && grep -q "^NAME " "$W/out"; echo $?)" \
	"nook ps no longer lists it"

write_conf "$W/b.ini" <<EOF
[container]
name = $N-b
[process]
stop_timeout = 1500ms
command = /bin/sh -c 'trap "" TERM; /bin/sleep 60'
EOF
start "$N-b" "$W/b.ini"
t0=$(date +%s%N)
run_nook stop "$N-b"
stoprc=$RC
dt=$((($(date +%s%N) - t0) / 1000000))
is "$RC" 0 "a payload that ignores TERM: nook stop 0"
ok $((RC != 0 || dt < 1400 || dt > 6000)) "  once killed after stop_timeout (${dt} ms)"
wait_nook 5
is "$RC:$stoprc" 137:0 "  by SIGKILL"

# --- names not running, stale records ---
run_nook stop "$N-none"
like "$RC:$ERR" "^125:nook: $N-none: no such container is running" \
	"nook stop of an unknown name: 125, said"
run_nook exec "$N-none" -- /probe exit 0
like "$RC:$ERR" "^125:nook: $N-none: no such container" "nook exec too"
# stale NAME: the state of a dead nook, for NAME's record
stale() {
	printf 'name %s\nnook_pid 999999\nnook_start 1\npid 999998\nstart 1\n' "$1"
}
# start_over NAME: a container of NAME starts over its stale record; 0 if so
start_over() {
	write_conf "$W/$1.ini" <<EOF
[container]
name = $1
EOF
	start "$1" "$W/$1.ini" -- /bin/sleep 30
}
stop_it() { run_nook stop "$1"; wait_nook 5; }
: >"$S/$N-c"
stale "$N-c" >"$S/$N-c@state"
: >"$S/$N-c@marker"
: >"$S/.$N-c@state.tmp"
start_over "$N-c"
ok $? "a stale record (a dead nook's) does not stop the next start"
ok "$(test ! -e "$S/$N-c@marker" && test ! -e "$S/.$N-c@state.tmp"; echo $?)" \
	"  which cleans it out (parts and temporary parts)"
stop_it "$N-c"
# the record directory of an older nook (NAME/state), stale: the same
mkdir -p "$S/$N-e"
stale "$N-e" >"$S/$N-e/state"
: >"$S/$N-e/marker"
start_over "$N-e"
ok $? "a stale record directory of an older nook does not stop the next start"
ok "$(test -f "$S/$N-e" && test ! -e "$S/$N-e/marker"; echo $?)" \
	"  which is removed, a record of today's kind in its place"
stop_it "$N-e"
: >"$S/$N-d"
stale "$N-d" >"$S/$N-d@state"
mkdir -p "$S/$N-f"
printf 'name %s\nnook_pid 999999\nnook_start 1\n' "$N-f" >"$S/$N-f/state"
run_nook ps
ok "$(test ! -e "$S/$N-d" && test ! -e "$S/$N-d@state" &&
	! grep -q "$N-d" "$W/out"; echo $?)" \
	"nook ps skips and removes a stale record"
ok "$(test ! -e "$S/$N-f" && ! grep -q "$N-f" "$W/out"; echo $?)" \
	"  and an older nook's stale record directory"

# --- without root: $XDG_RUNTIME_DIR ---
mkdir -p "$W/ubin"
cp "$NOOK" "$W/ubin/"
chmod 755 "$W/ubin" "$W/ubin/nook"
if command -v setpriv >/dev/null; then
	env -u XDG_RUNTIME_DIR setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$W/ubin/nook" ps >"$W/out" 2>"$W/err" </dev/null
	like "$?:$(<"$W/err")" '^125:nook: XDG_RUNTIME_DIR is not set' \
		"without root and XDG_RUNTIME_DIR: refused, 125"
else
	skip 1 "no setpriv"
fi

# --- usage ---
run_nook exec "$N-a"
like "$RC:$ERR" '^125:.*usage: nook exec NAME' "nook exec without a command: 125"
done_testing

#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-oci's lifecycle, runc's commands on a busybox bundle under a
# private --root: create (the process waiting for start, the pid file),
# start, state, list, kill (names, numbers, --all), delete (--force, what
# is left behind: state, processes, cgroups), run in the foreground and
# -d, a terminal over --console-socket (tests/helpers/oci/console.py),
# exec (output, status, --cwd, --env, --user, --process, -d, --tty), ps,
# --preserve-fds, --log in JSON, the annotations in the state.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd timeout mktemp ps "$PY"
need_nook
need_busybox
OCI=$BUILD/nook-oci
[ -x "$OCI" ] || skip_all "$OCI not built (run make)"
test_tmp oci-lifecycle
EDIT=$TOP/tests/helpers/oci/edit.py
CONSOLE=$TOP/tests/helpers/oci/console.py
DRIVE=$TOP/tests/helpers/tty/drive.py
B=$W/bundle
R=$W/root	# --root
OCI_ROOT=$R	# oci (tests/lib.sh) gives it
D=$W/data	# bound on /mnt in the container, read-write
mkdir -p "$D"
make_rootfs "$B/rootfs"
(cd "$B" && "$OCI" spec </dev/null >/dev/null 2>&1) ||
	skip_all "nook-oci spec failed"
cp "$B/config.json" "$W/default.json"
# at exit: every container left under the root removed (see reap)
at_cleanup reap

plan 113

# ocon NAME ARGS...: the same for a command whose container keeps its
# stdout and stderr (create, run -d): they go to $W/NAME.out and .err
# for good, never to the files the next command truncates
ocon() {
	local n=$1
	shift
	timeout -k 5 "$NOOK_TIMEOUT" "$OCI" --root "$R" "$@" >"$W/$n.out" 2>"$W/$n.err" </dev/null
	RC=$?
	ERR=$(<"$W/$n.err")
}
# edit STATEMENTS...: config.json from the spec's default, changed by the
# Python statements (d is the JSON), with the data dir on /mnt
edit() {
	cp "$W/default.json" "$B/config.json"
	"$PY" "$EDIT" "$B/config.json" \
		"d['mounts'].append({'destination': '/mnt', 'type': 'bind', 'source': '$D', 'options': ['rbind', 'rw']})" \
		"$@"
}
args() {	# args WORDS...: the Python statement for process.args
	local a=$("$PY" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@")
	echo "d['process']['args'] = $a"
}
# st ID: S = its status, SP = the pid of `state ID` (RC the state's)
st() {
	oci state "$1"
	S=$("$PY" -c 'import json, sys; d = json.loads(sys.stdin.read()); print(d["status"], d["pid"])' \
		<<<"$OUT" 2>/dev/null)
	SP=${S#* }
	S=${S% *}
	[ -n "$S" ] || S="none($RC)"
}
# stopped ID: wait (5 s at most) for ID to be stopped
stopped() {
	local end=$((SECONDS + 5))
	until st "$1"; [ "$S" = stopped ]; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
}
# gone PID START: that process (pid and /proc start time) is no more, or a
# zombie; "" START: true
gone() {
	local s
	[ -n "$1" ] || return 0
	s=$(_pstart "$1")
	[ -z "$s" ] || [ "$s" != "$2" ] || [ "$(_pstate "$1")" = Z ]
}
_pstart() {	# its start time (field 22 of stat), "" when gone
	local s
	{ s=$(<"/proc/$1/stat"); } 2>/dev/null || return 0
	s=${s##*) }
	set -- $s
	echo "${20}"
}
# cgdirs PID: the cgroup directories of the process named nook-*, one a
# line (every v1 hierarchy and the v2 one)
cgdirs() {
	local l p m
	while IFS= read -r l; do
		p=${l#*:*:}
		case ${p##*/} in nook-*) ;; *) continue ;; esac
		m=${l#*:}
		m=${m%%:*}
		m=${m#name=}
		if [ -z "$m" ]; then
			for m in /sys/fs/cgroup/unified /sys/fs/cgroup; do
				[ -d "$m$p" ] && { echo "$m$p"; break; }
			done
		else
			for m in /sys/fs/cgroup/"$m" /sys/fs/cgroup/*,"$m" /sys/fs/cgroup/"$m",*; do
				[ -d "$m$p" ] && { echo "$m$p"; break; }
			done
		fi
	done <"/proc/$1/cgroup"
}
# oks FROM N: how many of the N lines of L from FROM say " ok " (console.py)
oks() { printf '%s\n' "${L[@]:$1:$2}" | grep -c ' ok '; }
# reap: what nook-oci delete --force leaves of the containers under $R
# (if it fails): the process of each, by pid and start time, SIGKILLed,
# the cgroups it made removed, its directory
reap() {
	local d id pid start cg
	for d in "$R"/*/; do
		[ -d "$d" ] || continue
		id=$(basename "$d")
		timeout 20 "$OCI" --root "$R" delete --force "$id" >/dev/null 2>&1
		[ -d "$d" ] || continue
		read -r pid start < <("$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["pid"], d["start"])' \
			"$d/state.json" 2>/dev/null)
		if [ -n "$pid" ] && [ "$(_pstart "$pid")" = "$start" ]; then
			kill -KILL "$pid"
			wait_for 10 gone "$pid" "$start"
		fi
		for cg in $("$PY" -c 'import json, sys; [print(c["made"]) for c in json.load(open(sys.argv[1]))["cgroups"]]' \
			"$d/state.json" 2>/dev/null); do
			wait_for 5 rmdir "$cg" 2>/dev/null
		done
		rm -rf "$d"
	done
}

# a process that says it started (in /mnt/log and on stdout), then waits;
# SIGTERM: "got-term" in /mnt/log and exit 3; SIGUSR1 ignored
LOOP='trap "" USR1; trap "echo got-term >>/mnt/log; exit 3" TERM; echo started >>/mnt/log; echo out-hello; while :; do sleep 0.1; done'

# --- create, start, state, list, kill, delete ---
edit "$(args /bin/sh -c "$LOOP")" \
	"d['annotations'] = {'org.nook.test': 'one', 'b': 'two words'}"
ocon c1 create --bundle "$B" --pid-file "$W/c1.pid" --no-new-keyring c1
is "$RC:$ERR" 0: "create: 0"
P=$(cat "$W/c1.pid" 2>/dev/null)
PSTART=$(_pstart "${P:-0}")
like "$P:$PSTART" '^[0-9]+:[0-9]+$' "  --pid-file: a live process's pid"
st c1
is "$S $SP" "created $P" "  state: created, the pid of the pid file"
CMDLINE=$(tr '\0' ' ' <"/proc/$P/cmdline" 2>/dev/null)
[ -n "$CMDLINE" ] && ! grep -q 'got-term' <<<"$CMDLINE" && [ ! -e "$D/log" ]
ok $? "  the process has not run the command yet (its cmdline, no /mnt/log)"
"$PY" -c 'import json, sys; d = json.loads(sys.stdin.read()); assert d["ociVersion"] == "1.1.0" and d["id"] == "c1" and d["bundle"] == sys.argv[1] and d["rootfs"] == sys.argv[1] + "/rootfs" and d["created"] and "owner" in d' \
	"$B" <<<"$OUT" 2>/dev/null
ok $? "  state: ociVersion, id, bundle, rootfs, created, owner"
"$PY" -c 'import json, sys; d = json.loads(sys.stdin.read()); assert d["annotations"] == {"org.nook.test": "one", "b": "two words"}' \
	<<<"$OUT" 2>/dev/null
ok $? "  state: the annotations of config.json"
oci list
like "$RC:$(grep '^c1 ' <<<"$OUT" | tr -s ' ')" "^0:c1 $P created $B " "list: c1, its pid, created, the bundle"
oci list -q
is "$RC:$OUT" 0:c1 "list -q: the ID alone"
oci list -f json
"$PY" -c 'import json, sys; d = json.loads(sys.stdin.read()); assert [(c["id"], c["status"]) for c in d] == [("c1", "created")]' \
	<<<"$OUT" 2>/dev/null
ok $? "list -f json: an array of states"
CG=$(cgdirs "$P")
ok "$([ -n "$CG" ]; echo $?)" "  nook made a cgroup for it (${CG//$'\n'/ })"

ocon c1dup create --bundle "$B" c1
like "$RC:$ERR" '^125:nook-oci: c1: a container with this ID exists' "create with an ID in use: 125, exists"
st c1
is "$S $SP" "created $P" "  and the container of that ID is untouched"
ocon bad create --bundle "$B" 'bad/id'
like "$RC:$ERR" '^125:.*"bad/id": not a container ID' "create with an invalid ID: 125"
ocon bad create --bundle "$B" '..'
like "$RC:$ERR" '^125:.*"\.\.": not a container ID' "  and .. : 125"
ocon bad create --bundle "$B" --no-pivot c2
like "$RC:$ERR" '^125:nook-oci: create: --no-pivot: not supported' "create --no-pivot: refused (125)"

# a create that fails once the process is there leaves nothing behind
ocon f1 create --bundle "$B" --pid-file "$W/nonexistent/pid" lcfail
like "$RC:$ERR" '^125:nook-oci: --pid-file .*/nonexistent/pid: No such file' "create with a --pid-file in a missing directory: 125"
ok "$([ ! -e "$R/lcfail" ] && ! compgen -G '/sys/fs/cgroup/*/nook-lcfail-*' >/dev/null && ! compgen -G '/sys/fs/cgroup/nook-lcfail-*' >/dev/null; echo $?)" \
	"  no state, no cgroup left"
ocon f2 create --bundle "$B" --console-socket "$W/cs" f2
like "$RC:$ERR" '^125:nook-oci: .*console-socket.*(no terminal|not allocate)' "create with --console-socket and no terminal: 125 (as runc)"
ok "$([ ! -e "$R/f2" ]; echo $?)" "  no state left"

oci start c1
is "$RC:$ERR" 0: "start: 0"
wait_for 5 grep -q started "$D/log" 2>/dev/null
ok $? "  the command runs"
wait_for 5 grep -q out-hello "$W/c1.out"
ok $? "  its stdout is create's"
st c1
is "$S $SP" "running $P" "  state: running, the same pid"
oci start c1
like "$RC:$ERR" '^125:nook-oci: start: c1: cannot start a container that is running' "start again: 125, running"
oci kill c1 NOSUCH
like "$RC:$ERR" '^125:nook-oci: kill: "NOSUCH": not a signal' "kill with a bad signal name: 125"
oci kill c1 65
is "$RC" 125 "kill with signal 65: 125"
oci delete c1
like "$RC:$ERR" '^125:nook-oci: delete: c1: cannot delete a container that is running' "delete of a running one without --force: 125"
st c1
is "$S" running "  still running"
oci kill c1
is "$RC:$ERR" 0: "kill (TERM by default): 0"
stopped c1
is "$S $SP" "stopped 0" "  state: stopped, pid 0"
is "$(tr '\n' ' ' <"$D/log")" "started got-term " "  the command got SIGTERM"
oci kill c1 KILL
like "$RC:$ERR" '^125:.*c1: container not running' "kill of a stopped one: 125"
oci exec c1 true
like "$RC:$ERR" '^125:nook-oci: exec: c1: cannot exec in a container that is stopped' "exec in a stopped container: 125"
oci delete c1
is "$RC:$ERR" 0: "delete of a stopped one: 0"
ok "$([ ! -e "$R/c1" ]; echo $?)" "  its state directory is gone"
ok "$(gone "$P" "$PSTART"; echo $?)" "  its process is gone"
left=
for c in $CG; do [ -d "$c" ] && left+=" $c"; done
is "$left" "" "  its cgroups are gone"
oci state c1
like "$RC:$ERR" '^125:nook-oci: state: c1: container does not exist' "state of a missing ID: 125, does not exist"
oci delete c1
like "$RC:$ERR" '^125:nook-oci: delete: c1: container does not exist' "delete of a missing ID: 125"
oci delete --force c1
is "$RC:$ERR" 0: "delete --force of a missing ID: 0 (as runc)"
oci kill c1
is "$RC" 125 "kill of a missing ID: 125"
oci start c1
is "$RC" 125 "start of a missing ID: 125"

# a created one: kill reaches it; runc's delete kills it without --force
ocon k1 create --bundle "$B" k1
oci kill k1 KILL
krc=$RC
stopped k1
is "$krc:$S" 0:stopped "kill KILL of a created one: stopped"
oci delete k1
is "$RC" 0 "  deleted"
ocon k2 create --bundle "$B" --pid-file "$W/k2.pid" k2
P=$(cat "$W/k2.pid" 2>/dev/null)
PSTART=$(_pstart "${P:-0}")
oci delete k2
ok "$([ "$RC" = 0 ] && [ ! -e "$R/k2" ] && wait_for 5 gone "$P" "$PSTART"; echo $?)" \
	"delete of a created one without --force: 0, killed and gone, as runc (got $RC)"
oci delete --force k2

# SIGKILL by name, then by number; delete --force of a running one
rm -f "$D/log"
ocon c2 run -d --bundle "$B" --pid-file "$W/c2.pid" c2
st c2
is "$RC:$S" 0:running "run -d: running"
wait_for 5 grep -q out-hello "$W/c2.out"
ok $? "  its stdout is run's"
oci kill c2 SIGKILL
is "$RC:$ERR" 0: "kill SIGKILL (the name): 0"
stopped c2
is "$S" stopped "  stopped"
is "$(tr '\n' ' ' <"$D/log")" "started " "  no trap ran: it was SIGKILL"
oci delete c2
is "$RC" 0 "  deleted"
ocon c2 run -d --bundle "$B" --pid-file "$W/c2.pid" c2
oci kill c2 9
stopped c2
is "$RC:$S" 0:stopped "kill 9 (the number): stopped"
oci delete c2
ocon c2 run -d --bundle "$B" --pid-file "$W/c2.pid" c2
P=$(cat "$W/c2.pid")
PSTART=$(_pstart "$P")
CG=$(cgdirs "$P")
oci delete --force c2
is "$RC:$ERR" 0: "delete --force of a running one: 0"
wait_for 5 gone "$P" "$PSTART"
ok $? "  its process is gone"
left=
for c in $CG; do [ -d "$c" ] && left+=" $c"; done
is "$left" "" "  its cgroups are gone"
ok "$([ ! -e "$R/c2" ]; echo $?)" "  its state directory too"

# --- a memory limit: nook makes its cgroup, delete removes it ---
if [ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	edit "$(args /bin/sh -c "$LOOP")" \
		"d['linux']['resources'] = {'memory': {'limit': 67108864}}"
	ocon m1 create --bundle "$B" --pid-file "$W/m1.pid" m1
	P=$(cat "$W/m1.pid" 2>/dev/null)
	PSTART=$(_pstart "${P:-0}")
	CG=$(cgdirs "${P:-0}")
	lim=
	for c in $CG; do
		lim+=$(cat "$c/memory.limit_in_bytes" "$c/memory.max" 2>/dev/null)
	done
	is "$RC:$lim" 0:67108864 "create with linux.resources.memory.limit: its cgroup has the limit"
	st m1
	ok "$([ "$S $SP" = "created $P" ]; echo $?)" "  state: created (got: $S)"
	oci delete --force m1
	ok "$([ "$RC" = 0 ]; echo $?)" "  delete --force: 0 (got: $RC)"
	wait_for 5 gone "$P" "$PSTART"
	ok $? "  its process is gone"
	left=
	for c in $CG; do [ -d "$c" ] && left+=" $c"; done
	ok "$([ -z "$left" ]; echo $?)" "  its cgroups are gone"
	reap	# what the abort left
else
	skip 5 "no memory cgroup"
fi

# runc looks the command up in the container before it waits for start:
# a missing one is create's error
edit "$(args /nonexistent)"
ocon n1 create --bundle "$B" n1
like "$RC:$ERR" '^125:.*exec: "/nonexistent": executable file not found in \$PATH' "create with a missing command: an error at create time, in runc's words"
oci delete --force n1

# --- run in the foreground: the exit status ---
edit "$(args /bin/sh -c 'echo fg-out; exit 0')"
oci run --bundle "$B" r1
is "$RC:$OUT" 0:fg-out "run: its output, status 0"
ok "$([ ! -e "$R/r1" ]; echo $?)" "  no state left after it"
edit "$(args /bin/sh -c 'exit 7')"
oci run --bundle "$B" r1
is "$RC" 7 "run: status 7"
edit "$(args /bin/sh -c "$LOOP")"
timeout -k 5 "$NOOK_TIMEOUT" "$OCI" --root "$R" run --bundle "$B" r1 \
	>"$W/r1.out" 2>"$W/r1.err" </dev/null &
RPID=$!
wait_for 10 eval 'st r1; [ "$S" = running ]'
ok $? "run in the foreground: state running"
oci kill r1 KILL
wait "$RPID"
is "$?:$RC" 137:0 "  killed by nook-oci kill r1 KILL: 137"
oci state r1
is "$RC" 125 "  and then it does not exist"

# --- a terminal over --console-socket ---
rm -f "$W/cs"
edit "d['process']['terminal'] = True" \
	"$(args /bin/sh -c 'tty; read x; echo "got:$x"; exit 5')"
"$PY" "$CONSOLE" --timeout 15 "$W/cs" wait \
	"sh:'$OCI' --root '$R' state t1 | grep -q '\"created\"'" \
	"sh:'$OCI' --root '$R' start t1" \
	'expect:^/dev/pts/0$' 'send:hello\n' 'expect:^got:hello$' eof \
	"sh:'$OCI' --root '$R' delete t1" \
	-- "$OCI" --root "$R" create --bundle "$B" --console-socket "$W/cs" t1 \
	>"$W/out" 2>"$W/err"
read_lines "$W/out"
is "${L[0]}:${L[1]}" "got 1:istty 1" "create --console-socket: the receiver gets a pty master"
is "$(oks 2 8):${L[10]}" "8:rc 0" "  created, started; tty says /dev/pts/0, input read, ended, deleted" ||
	diag "$(<"$W/out")" "$(<"$W/err")"
rm -f "$W/cs"
"$PY" "$CONSOLE" --timeout 15 "$W/cs" \
	'expect:^/dev/pts/0$' 'send:hi\n' 'expect:^got:hi$' eof wait \
	-- "$OCI" --root "$R" run --bundle "$B" --console-socket "$W/cs" t1 \
	>"$W/out" 2>"$W/err"
read_lines "$W/out"
is "$(oks 2 5):${L[7]}" "5:rc 5" "run --console-socket: the terminal, and the exit status 5" ||
	diag "$(<"$W/out")" "$(<"$W/err")"
rm -f "$W/cs"
edit "d['process']['terminal'] = True" "d['process']['consoleSize'] = {'height': 33, 'width': 111}" \
	"$(args /bin/sh -c 'stty size; exit 4')"
"$PY" "$CONSOLE" --timeout 15 "$W/cs" 'expect:^33 111$' eof wait \
	-- "$OCI" --root "$R" run --bundle "$B" --console-socket "$W/cs" t1 \
	>"$W/out" 2>"$W/err"
read_lines "$W/out"
is "$(oks 2 3):${L[5]}" "3:rc 4" "process.consoleSize: the pty's size, 33 rows, 111 columns" ||
	diag "$(<"$W/out")" "$(<"$W/err")"
edit "d['process']['terminal'] = True" \
	"$(args /bin/sh -c 'tty; read x; echo "got:$x"; exit 5')"
"$PY" "$DRIVE" --timeout 15 'expect:^/dev/pts/0$' 'send:yo\r' 'expect:^got:yo$' wait \
	-- "$OCI" --root "$R" run --bundle "$B" t1 >"$W/out" 2>"$W/err"
read_lines "$W/out"
is "$(oks 0 4):${L[4]}" "4:rc 5" "run with a terminal, in the foreground at a terminal: relayed, the status 5" ||
	diag "$(<"$W/out")" "$(<"$W/err")"
ocon t1 create --bundle "$B" t1
like "$RC:$ERR" '^125:nook-oci: t1: process.terminal is true: create needs --console-socket' \
	"create with a terminal and no --console-socket: 125"
ok "$([ ! -e "$R/t1" ]; echo $?)" "  no state left"
rm -f "$W/cs"
ocon t1 create --bundle "$B" --console-socket "$W/cs" t1
like "$RC:$ERR" '^125:nook-oci: --console-socket .*/cs: No such file' \
	"create with a terminal and a --console-socket nobody listens on: 125"
ok "$([ ! -e "$R/t1" ]; echo $?)" "  no state left"

# --- exec, ps, kill --all ---
rm -f "$D/log"
edit "$(args /bin/sh -c "$LOOP")"
ocon e1 run -d --bundle "$B" --pid-file "$W/e1.pid" e1
P=$(cat "$W/e1.pid" 2>/dev/null)
st e1
is "$S $SP" "running $P" "exec: a container running"
oci exec e1 echo exec-out
is "$RC:$OUT" 0:exec-out "exec: its output, 0"
oci exec e1 sh -c 'exit 7'
is "$RC" 7 "exec: its exit status 7"
oci exec e1 /nonexistent
is "$RC" 127 "exec of a missing command: 127"
oci exec --cwd /etc e1 pwd
is "$RC:$OUT" 0:/etc "exec --cwd"
oci exec -e FOO=bar --env 'X=y z' e1 sh -c 'echo "$FOO/$X"'
is "$RC:$OUT" "0:bar/y z" "exec -e and --env"
oci exec --user 1000:1000 e1 id
like "$RC:$OUT" '^0:uid=1000\(app\) gid=1000\(app\)' "exec --user 1000:1000"
oci exec -u 1000:1000 --no-new-privs e1 grep NoNewPrivs /proc/self/status
like "$RC:$OUT" '^0:NoNewPrivs:[[:space:]]+1' "exec --no-new-privs"
cat >"$W/process.json" <<'EOF'
{
	"args": ["/bin/sh", "-c", "echo \"proc:$PWD:$A:$(id -u)\"; exit 4"],
	"cwd": "/tmp",
	"env": ["A=from-json", "PATH=/bin"],
	"user": {"uid": 1000, "gid": 1000}
}
EOF
oci exec --process "$W/process.json" e1
is "$RC:$OUT" "4:proc:/tmp:from-json:1000" "exec --process FILE: args, cwd, env, user; its status"
oci exec -p "$W/process.json" e1 true
is "$RC" 125 "  and a command too: 125"
oci exec -d --pid-file "$W/x.pid" e1 sleep 60
X=$(cat "$W/x.pid" 2>/dev/null)
XSTART=$(_pstart "${X:-0}")
is "$RC:$(readlink "/proc/${X:-0}/ns/pid")" "0:$(readlink "/proc/$P/ns/pid")" \
	"exec -d --pid-file: its pid, in the container's PID namespace"
wait_for 5 eval '[ "$(tr "\0" " " <"/proc/$X/cmdline")" = "sleep 60 " ]'
ok $? "  running the command"
oci exec -d e1 /nonexistent
like "$RC:$ERR" '^127:.*exec: "/nonexistent": executable file not found in \$PATH' "exec -d of a missing command: 127, in runc's words"
wait_for 5 eval 'oci ps -f json e1; [ "$("$PY" -c "import json, sys; d = json.loads(sys.stdin.read()); print(int($P in d and $X in d))" <<<"$OUT" 2>/dev/null)" = 1 ]'
ok $? "ps -f json: the container's pid and the exec'd one"
oci ps e1
like "$RC:$(head -n1 <<<"$OUT")" '^0:.*PID' "ps: a table with a PID header"
grep -q "^ *[^ ]* *$X .*sleep 60" <<<"$OUT"
ok $? "  and the exec'd process's row"
oci ps e1 -o pid,comm
like "$RC:$(head -n1 <<<"$OUT"):$(grep -c " $P " <<<" $OUT ")" '^0: *PID COMMAND' "ps ID -o pid,comm: ps's arguments"
oci kill e1 USR1
sleep 0.3
ok "$(! gone "$X" "$XSTART"; echo $?)" "kill USR1: the exec'd process untouched"
oci kill --all e1 USR1
is "$RC" 0 "kill --all USR1: 0"
wait_for 5 gone "$X" "$XSTART"
ok $? "  the exec'd process got it"
st e1
is "$S" running "  the container (which ignores it) still runs"

rm -f "$W/cs"
"$PY" "$CONSOLE" --timeout 15 "$W/cs" 'expect:^/dev/pts/[0-9]+$' 'expect:uid=1000' eof wait \
	-- "$OCI" --root "$R" exec -t --console-socket "$W/cs" -u 1000:1000 e1 sh -c 'tty; id; exit 6' \
	>"$W/out" 2>"$W/err"
read_lines "$W/out"
is "${L[0]}:${L[1]}:$(oks 2 4):${L[6]}" "got 1:istty 1:4:rc 6" \
	"exec --tty --console-socket: a pty, tty names it, the status 6" ||
	diag "$(<"$W/out")" "$(<"$W/err")"

"$PY" "$DRIVE" --timeout 15 wait \
	-- "$OCI" --root "$R" exec -t e1 sh -c 'tty; exit 6' >"$W/out" 2>"$W/err"
read_lines "$W/out"
ok "$(grep -q '^rc 125' "$W/out" && grep -q "needs --console-socket" "$W/out" "$W/err"; echo $?)" \
	"exec -t without --console-socket: refused (125), the caller's terminal never handed in"

echo through-fd-3 >"$W/fd3"
oci exec --preserve-fds 1 e1 cat /proc/self/fd/3 3<"$W/fd3"
ok "$([ "$RC:$OUT" = 0:through-fd-3 ]; echo $?)" "exec --preserve-fds 1: fd 3 in the process (got $RC:$OUT)"
oci exec e1 cat /proc/self/fd/3 3<"$W/fd3"
like "$RC:$OUT" '^1:' "  without it: no fd 3"

oci kill --all e1 KILL
stopped e1
is "$S" stopped "kill --all KILL: stopped"
oci delete e1
ok "$([ "$RC" = 0 ] && [ ! -e "$R/e1" ]; echo $?)" "  deleted"

# --- --preserve-fds on create and run ---
edit "$(args /bin/cat /proc/self/fd/3)"
oci run --preserve-fds 1 --bundle "$B" p1 3<"$W/fd3"
is "$RC:$OUT" 0:through-fd-3 "run --preserve-fds 1: fd 3 passed to the container"
oci run --bundle "$B" p1 3<"$W/fd3"
like "$RC:$OUT" '^1:' "  without it: not passed"
ocon p1 create --preserve-fds 1 --bundle "$B" p1 3<"$W/fd3"
oci start p1
wait_for 5 grep -q through-fd-3 "$W/p1.out"
ok $? "create --preserve-fds 1, start: fd 3 passed"
stopped p1
oci delete p1

# --- --log ---
oci --log "$W/log.json" --log-format json state nosuch
"$PY" -c 'import json, sys; e = json.loads(open(sys.argv[1]).readlines()[-1]); assert e["level"] == "error" and "nosuch: container does not exist" in e["msg"] and e["time"]' \
	"$W/log.json" 2>/dev/null
ok $? "--log FILE --log-format json: the error a JSON line, level error"
edit "$(args /nonexistent)"
oci --log "$W/log2.json" --log-format json create --bundle "$B" lg1
"$PY" -c 'import json, sys; e = json.loads(open(sys.argv[1]).readlines()[-1]); assert e["level"] == "error" and e["msg"] == "setup: exec: \"/nonexistent\": executable file not found in $PATH"' \
	"$W/log2.json" 2>/dev/null
ok $? "--log: a failure of the setup too (what containerd shows), in runc's words (rc $RC)"
ok "$([ ! -e "$R/lg1" ]; echo $?)" "  and no state left"
oci --log "$W/log.txt" delete nosuch
like "$(cat "$W/log.txt" 2>/dev/null)" '^time="[^"]+" level=error msg="delete: nosuch: container does not exist"' \
	"--log in text (the default): logrus's line"

# --- a --root whose parents are missing (the containerd shim's first) ---
edit "$(args /bin/sh -c 'echo deep')"
timeout -k 5 "$NOOK_TIMEOUT" "$OCI" --root "$W/deep/a/b" run --bundle "$B" dp1 >"$W/out" 2>"$W/err" </dev/null
is "$?:$(<"$W/out"):$(stat -c %a "$W/deep/a/b" 2>/dev/null)" "0:deep:700" "--root with its parents missing: made (0700), as runc"

# --- at the end ---
is "$(ls -A "$R" 2>/dev/null)" "" "the root is empty at the end"

#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-oci's hooks at their points of the container's life (runtime-spec
# config.md, "POSIX-platform Hooks"), through create/start/delete and
# through run: each hook says its kind, the status of the state it reads
# on stdin and the host name it sees (the container's for createContainer
# and startContainer, which run in its namespaces; the host's for the
# others); the order; the process not yet running at startContainer; a
# failing createRuntime or startContainer stopping the start; a failing
# poststart only a warning.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd timeout mktemp hostname
need_nook
need_busybox
OCI=$BUILD/nook-oci
[ -x "$OCI" ] || skip_all "$OCI not built (run make)"
test_tmp oci-hooks-life
B=$W/bundle
make_rootfs "$B/rootfs"
R=$W/root
OCI_ROOT=$R	# oci (tests/lib.sh) gives it
HOST=$(hostname)

plan 12

# conf HOOKS-FAIL: config.json with a hook of every kind; each prints
# "KIND STATUS HOSTNAME" on nook-oci's stdout. HOOKS-FAIL: the kind whose
# hook exits 1 after printing, or "none".
conf() {
	"$PY" - "$B/config.json" "$1" <<-'EOF'
	import json, sys
	fail = sys.argv[2]
	def hook(kind):
	    s = ('read -r s; st=${s#*\\"status\\":\\"}; st=${st%%\\"*}; '
	         'echo "KIND $st $(hostname)"').replace("KIND", kind)
	    if kind == fail:
	        s += '; exit 1'
	    return [{"path": "/bin/sh", "args": ["sh", "-c", s]}]
	d = {"ociVersion": "1.0.2", "root": {"path": "rootfs"},
	     "hostname": "ctr",
	     "process": {"args": ["/bin/sh", "-c", "echo payload"],
	                 "cwd": "/", "env": ["PATH=/bin"]},
	     "mounts": [{"destination": "/proc", "type": "proc",
	                 "source": "proc"}],
	     "linux": {"namespaces": [{"type": "mount"}, {"type": "pid"},
	                              {"type": "uts"}]},
	     "hooks": {k: hook(k) for k in ("prestart", "createRuntime",
	               "createContainer", "startContainer", "poststart",
	               "poststop")}}
	json.dump(d, open(sys.argv[1], "w"))
	EOF
}

# --- create, start, delete ---
conf none
oci create --bundle "$B" h1
C=$OUT
is "$RC:$C" "0:prestart creating $HOST
createRuntime creating $HOST
createContainer creating ctr" "create: prestart, createRuntime on the host, createContainer in the container"
oci start h1
S=$OUT
# the payload's "payload" may come before or after poststart's line
like "$RC:$(grep -v '^payload$' <<<"$S")" "^0:startContainer created ctr
poststart running $HOST\$" "start: startContainer in the container before the process runs, then poststart"
for _ in $(seq 50); do
	oci state h1
	grep -q '"stopped"' <<<"$OUT" && break
	sleep 0.1
done
oci delete h1
is "$RC:$OUT" "0:poststop stopped $HOST" "delete: poststop, state stopped"
[ ! -e "$R/h1" ]
ok $? "delete: nothing left under --root"

# --- run: the same order in one command ---
oci run --bundle "$B" h2
is "$RC:$(grep -v '^payload$' <<<"$OUT")" "0:prestart creating $HOST
createRuntime creating $HOST
createContainer creating ctr
startContainer created ctr
poststart running $HOST
poststop stopped $HOST" "run: every hook, in order"
grep -qx payload <<<"$OUT"
ok $? "run: the payload ran"
# startContainer runs before the payload: its line comes first
is "$(grep -n -e '^payload$' -e '^startContainer' <<<"$OUT" | cut -d: -f2 |
	cut -c1-7)" "startCo
payload" "run: startContainer before the payload's output"

# --- failures ---
conf createRuntime
oci create --bundle "$B" h3
like "$RC:$ERR" "^125:.*hooks.createRuntime\[0\]: /bin/sh: exited with 1" "a failing createRuntime: create is 125, named"
[ ! -e "$R/h3" ]
ok $? "  and nothing is left under --root"
conf startContainer
oci run --bundle "$B" h4
like "$RC:$ERR" "^125:.*hooks.startContainer\[0\]: /bin/sh: exited with 1" "a failing startContainer: run is 125"
grep -qx payload <<<"$OUT"
ok $((!$?)) "  and the payload never ran"
conf poststart
oci run --bundle "$B" h5
like "$RC:$(tail -n 1 <<<"$ERR")" "^0:nook-oci: h5: a poststart hook failed" "a failing poststart: a warning, the container's status"

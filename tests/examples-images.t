#!/bin/bash
# SPDX-License-Identifier: MIT
# The "Images" examples of examples/README.md, run as the README tells users:
#
# - its blocks marked "tests/examples-images.t runs this block" run line by
#   line, as written, with the test's own directory in place of
#   /var/lib/nook and of build/: the static hello is compiled, a busybox
#   root packed as image.tar is unpacked and run with
#   examples/images/unpacked.ini (overlay = tmpfs): the command's output,
#   the write inside, a second run that no longer sees it, the directory
#   that never had it;
# - examples/images/Dockerfile and Dockerfile.scratch are built by hand, as
#   docker build would: each instruction is read (ARG, FROM, COPY,
#   ENTRYPOINT and CMD; any other is a failure, so that this test is
#   brought up to date with them), the root is made in a directory, packed
#   as a layer tar and unpacked, and ENTRYPOINT + CMD run in it with runc,
#   the OCI runtime of Docker, and with nook ([init] mode = direct: the
#   image's own nook-init is PID 1).  The FROM of Dockerfile is a busybox
#   root.  `docker build' itself is not run.
. "$(dirname "$0")/lib.sh"

need_root
need_cmd tar python3 timeout runc
need_nook
need_busybox
CC_STATIC=$(command -v musl-gcc) || skip_all "musl-gcc not installed (musl-tools)"

test_tmp nook-examples-images tmpfs
IDS=()
runc_cleanup() {
	local id
	for id in "${IDS[@]}"; do
		runc delete -f "$id" >/dev/null 2>&1
	done
}
at_cleanup runc_cleanup
IMG=$TOP/examples/images
VARLIB=$W/var/lib/nook
CTX=$W/build

# blocks README: the lines of the blocks marked for this test, in order,
# a blank line between blocks, comments after the command kept
readme_blocks() {
	awk '/<!-- tests\/examples-images.t runs this block -->/ { want = 1; next }
		want && /^```/ { if (inblock) { want = 0; inblock = 0; print "" }
			else inblock = 1; next }
		inblock { print }' "$TOP"/examples/README.md
}

# as_test LINE: the README's line with the test's paths and binaries
as_test() {
	local l=$1
	l=${l//\/var\/lib\/nook/$VARLIB}
	l=${l//examples\/images\/unpacked.ini/$W/unpacked.ini}
	l=${l//build\//$CTX/}
	l=${l//image.tar/$W/image.tar}
	case $l in
	nook\ *) l="$NOOK ${l#nook }" ;;
	musl-gcc\ *) l="$CC_STATIC ${l#musl-gcc }" ;;
	esac
	printf '%s' "$l"
}

# run_line N: the command of line N of the README's blocks: sets CMD_N
# (as written), OUT_N, RC_N
declare -a LINES CMD_OUT CMD_RC
run_block_lines() {
	local i l
	for i in "${!LINES[@]}"; do
		l=${LINES[i]}
		[ -n "$l" ] || continue
		(cd "$TOP" && timeout -k 5 60 bash -c "$(as_test "$l")") \
			</dev/null >"$W/line$i.out" 2>&1
		CMD_RC[i]=$?
		CMD_OUT[i]=$(<"$W/line$i.out")
	done
}
# line_of PATTERN: the index of the first README line containing PATTERN
line_of() {
	local i
	for i in "${!LINES[@]}"; do
		[[ ${LINES[i]} == *"$1"* ]] && { echo "$i"; return 0; }
	done
	echo -1
}

# --- the "image": a busybox root, packed as a tar, owned by root ---------
R=$W/busybox-root
mkdir -p "$R"/{bin,etc,tmp,root,proc,sys,dev} && chmod 1777 "$R"/tmp &&
	install_busybox "$R" &&
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R"/etc/passwd &&
	printf 'root:x:0:\n' >"$R"/etc/group &&
	tar -C "$R" -cf "$W"/image.tar . || {
	echo "Bail out! cannot make the busybox image in $W"
	exit 1
}
mkdir -p "$CTX" && cp "$NOOK_INIT" "$CTX"/nook-init
# the config as shipped, with the test's /var/lib/nook
sed "s|/var/lib/nook|$VARLIB|g" "$IMG"/unpacked.ini >"$W"/unpacked.ini

mapfile -t LINES < <(readme_blocks)
plan 27

is "$(printf '%s\n' "${LINES[@]}" | grep -c .)" 6 "examples/README.md has the 6 command lines this test runs"
run_block_lines

# --- hello, compiled as the README says --------------------------------------
i=$(line_of 'examples/images/hello.c')
is "${CMD_RC[i]:-none}" 0 "the README's hello build command works: ${CMD_OUT[i]:-}"
is_static "$CTX"/hello
ok $? "  and makes a static build/hello"

# --- an unpacked image run with nook ---------------------------------------
i=$(line_of 'tar -xpf')
is "${CMD_RC[i]:-none}" 0 "unpack: tar -xpf image.tar -C /var/lib/nook/images/app"
[ -x "$VARLIB"/images/app/bin/busybox ] && [ "$(stat -c %u "$VARLIB"/images/app/bin/busybox)" = 0 ]
ok $? "  the image is there, owned by root"
i=$(line_of "echo hello >/hello.txt")
is "${CMD_RC[i]:-none}" 0 "nook examples/images/unpacked.ini -- (write): exit 0"
is "${CMD_OUT[i]:-}" hello "  the container writes in its root (the tmpfs layer)"
i=$(line_of "|| echo gone")
is "${CMD_RC[i]:-none}" 0 "nook examples/images/unpacked.ini -- (read again): exit 0"
like "${CMD_OUT[i]:-}" 'gone$' "  a second run no longer sees the file: the layer was thrown away"
i=$(line_of "ls /var/lib/nook/images/app/hello.txt")
ok $((CMD_RC[i] == 0)) "  and the unpacked image never had it (ls fails: ${CMD_OUT[i]:-})"
run_nook "$W"/unpacked.ini -- /bin/sh -c 'ls -ln /bin/busybox; id -u; hostname'
is "$RC" 0 "unpacked.ini as shipped (its command after --): exit 0"
like "$OUT" '^-rwxr-xr-x +1 0 +0 ' "  the image's files are root's inside too, no chown (idmapped)"
is "$(sed -n 2,3p "$W"/out | tr '\n' ' ')" "0 app " "  it runs as root of the container, host name app"
run_nook "$W"/unpacked.ini
is "$RC" 0 "unpacked.ini's own command (/bin/sh, stdin at its end): exit 0"

# --- the Dockerfiles, built by hand -------------------------------------------
# build DOCKERFILE ROOT [BASE-ROOT]: the image's root in ROOT (BASE-ROOT
# copied first unless FROM scratch), ENTRYPOINT + CMD in ROOT.args (JSON);
# a layer tar of it unpacked into ROOT.img.  Sets BUILD_ERR.
build() {
	BUILD_ERR=$(python3 - "$1" "$CTX" "$2" "${3:-}" 2>&1 <<-'EOF'
	import json, os, re, shutil, sys
	dockerfile, ctx, root, base = sys.argv[1:5]
	args, entry, cmd, seen_from = {}, [], [], False
	def expand(s):
	    return re.sub(r"\$\{(\w+)\}|\$(\w+)",
	                  lambda m: args.get(m.group(1) or m.group(2), ""), s)
	text = open(dockerfile).read().replace("\\\n", " ")
	for line in text.splitlines():
	    line = line.strip()
	    if not line or line.startswith("#"):
	        continue
	    instr, _, rest = line.partition(" ")
	    instr, rest = instr.upper(), rest.strip()
	    if instr == "ARG":
	        name, _, default = rest.partition("=")
	        args[name] = default
	    elif instr == "FROM":
	        seen_from = True
	        image = expand(rest)
	        if image == "scratch":
	            os.makedirs(root)
	        elif base:
	            shutil.copytree(base, root, symlinks=True)
	        else:
	            sys.exit("FROM %s: no base root given" % image)
	    elif instr == "COPY" and seen_from:
	        words = rest.split()
	        if len(words) != 2 or words[0].startswith("--"):
	            sys.exit("COPY %s: only COPY SRC DST is handled" % rest)
	        src, dst = os.path.join(ctx, words[0]), root + words[1]
	        os.makedirs(os.path.dirname(dst), exist_ok=True)
	        shutil.copy2(src, dst)
	    elif instr in ("ENTRYPOINT", "CMD") and seen_from:
	        v = json.loads(rest)
	        if not (isinstance(v, list) and all(isinstance(w, str) for w in v)):
	            sys.exit("%s: not the exec form" % instr)
	        if instr == "ENTRYPOINT":
	            entry = v
	        else:
	            cmd = v
	    else:
	        sys.exit("%s: an instruction this test does not build" % instr)
	json.dump({"entrypoint": entry, "cmd": cmd}, open(root + ".args", "w"))
	EOF
	) || return 1
	mkdir -p "$2".img && tar -C "$2" -cf "$2".tar . &&
		tar -C "$2".img -xpf "$2".tar
}
# argv ROOT [CMD...]: ENTRYPOINT + (CMD..., else the image's CMD)
argv() {
	python3 - "$@" <<-'EOF'
	import json, sys
	a = json.load(open(sys.argv[1] + ".args"))
	print("\0".join(a["entrypoint"] + (sys.argv[2:] or a["cmd"])), end="")
	EOF
}
N=0
# runc_image ROOT [CMD...]: runc runs the image in ROOT.img in the
# background, as docker run IMAGE [CMD...] would; sets ID, RPID, ROUT
runc_image() {
	local b args
	N=$((N + 1))
	ID=nook-images-$$-$N
	b=$W/bundle$N
	ROUT=$b.out
	mapfile -d '' -t args < <(argv "$@")
	mkdir -p "$b" "$W"/shared && (cd "$b" && runc spec) &&
		python3 "$TOP"/tests/helpers/runc/bundle.py "$b" "$1".img \
			"$W"/shared "${args[@]}" || return 1
	IDS+=("$ID")
	timeout -k 5 60 runc run --bundle "$b" "$ID" </dev/null >"$ROUT" 2>&1 &
	RPID=$!
}
# nook_image ROOT [CMD...]: nook runs it: the image's own ENTRYPOINT as
# PID 1 ([init] mode = direct), a tmpfs layer for the mount points
nook_image() {
	local args
	mapfile -d '' -t args < <(argv "$@")
	write_conf "$W"/image.ini "$1".img <<-'EOF'
	[init]
	mode = direct

	[rootfs]
	overlay = tmpfs
	EOF
	run_nook "$W"/image.ini -- "${args[@]}"
}

# FROM scratch: nook-init and hello
S=$W/scratch
build "$IMG"/Dockerfile.scratch "$S"
ok $? "Dockerfile.scratch builds by hand: ${BUILD_ERR:-ok}"
is "$(cd "$S".img && find . -mindepth 1 | sort | tr '\n' ' ')" "./hello ./nook-init " "  the image holds nook-init and hello alone"
is "$(argv "$S" | tr '\0' ' ')" "/nook-init -- /hello" "  ENTRYPOINT + CMD: /nook-init -- /hello"
if runc_image "$S"; then
	wait_for 20 grep -q 'hello: pid' "$ROUT"
	like "$(<"$ROUT")" '^hello: pid [0-9]+, child of pid 1$' "runc: hello runs as the child of nook-init, PID 1 (static: nothing else is in the image)"
	runc kill "$ID" TERM 2>/dev/null
	wait "$RPID"
	rc=$?
	is "$rc" 0 "runc kill TERM: the container exits 0"
	like "$(<"$ROUT")" 'hello: signal 15, bye' "  SIGTERM reached hello through nook-init"
else
	skip 3 "runc could not make a bundle"
fi
nook_image "$S" /hello --once
is "$RC:$OUT" "0:hello: pid 2, child of pid 1" "nook: the image's nook-init is PID 1, hello its child pid 2, exit 0"

# Dockerfile: nook-init added to an image (here a busybox root)
D=$W/debian
build "$IMG"/Dockerfile "$D" "$R"
ok $? "Dockerfile builds by hand on a busybox base: ${BUILD_ERR:-ok}"
[ -x "$D".img/nook-init ] && [ -x "$D".img/bin/busybox ]
ok $? "  the image is the base plus /nook-init"
is "$(argv "$D" | tr '\0' ' ')" "/nook-init -- sh" "  ENTRYPOINT + CMD: /nook-init -- sh"
if runc_image "$D" sh -c 'sleep 100 & exec sleep 1'; then
	wait "$RPID"
	is "$?" 0 "runc, the README's sh -c 'sleep 100 & exec sleep 1': exit 0"
else
	skip 1 "runc could not make a bundle"
fi
# what only an init does: the leftover gets SIGTERM (the kernel would
# SIGKILL it with a PID 1 that is the command), the status passes through
if runc_image "$D" sh -c 'sh -c "trap \"echo straggler: SIGTERM; exit 0\" TERM
    sleep 100 & wait" & sleep 1; exit 3'; then
	wait "$RPID"
	is "$?:$(<"$ROUT")" "3:straggler: SIGTERM" "runc: nook-init stops a leftover with SIGTERM, passes the status 3 on"
else
	skip 1 "runc could not make a bundle"
fi
nook_image "$D"
is "$RC" 0 "nook: the default CMD (sh, stdin at its end) exits 0"

done_testing

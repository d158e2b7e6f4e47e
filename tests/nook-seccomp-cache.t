#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: the cache of compiled seccomp filters (/run/nook/seccomp, root's).
# The first start of a config compiles its filter and keeps it; the next
# ones load the kept one and get the same filter.  A cached file that is
# damaged, holds another config's filter, is not root's, is open to others
# or is a symbolic link is ignored and made again; a cache directory that
# others may write is not used at all.  Seen through nook -v and from
# inside by the probe as /sec (sec_setup, tests/lib.sh).
. "$(dirname "$0")/lib.sh"
sec_setup

DIR=/run/nook/seccomp
# a config no other test uses, so that its cache file is ours alone, and
# one as long (same key size) that lets getcwd through
MINE=(-v -s security.seccomp_deny=getcwd -s security.seccomp_deny=getpriority
	-s security.seccomp_deny=setpriority -s security.seccomp_deny=sched_yield)
OTHER=(-v -s security.seccomp_deny=getppid -s security.seccomp_deny=getpriority
	-s security.seccomp_deny=setpriority -s security.seccomp_deny=sched_yield)
CALLS=(/sec getcwd + getpid + status Seccomp)

# the name of the cache file in the last run's messages, and how it went
kept() { printf '%s\n' "$ERR" | sed -n 's/.*seccomp: filter compiled and kept as \([0-9a-f]*\.bpf\)$/\1/p' | head -n 1; }
hit() { printf '%s\n' "$ERR" | sed -n 's/.*seccomp: filter from the cache (\([0-9a-f]*\.bpf\))$/\1/p' | head -n 1; }
ignored() { printf '%s\n' "$ERR" | grep -q "seccomp: cached filter $1 ignored"; }
# the filter works as configured: getcwd denied, getpid not, a filter on
# (sec exits 1 when a call fails: 125 is nook's)
works() {
	[ "$RC" = 1 ] && [ "$(res getcwd)" = EPERM ] &&
		[ "$(res getpid | cut -c1-2)" = ok ] &&
		[ "$(res status)" = "Seccomp: 2" ]
}
rebuilt() {	# rebuilt DESCRIPTION: ignored, made again, and it works
	if ignored "$F" && works && [ "$(kept)" = "$F" ]; then
		pass "$1"
	else
		fail "$1"
		show
	fi
}

# --- the first start compiles and keeps, the next one loads ---
run_nook "${MINE[@]}" "$BASE" -- "${CALLS[@]}"
F=$(kept)
[ -n "$F" ] || F=$(hit)
[ -n "$F" ] && at_cleanup "rm -f '$DIR/$F'"
rm -f "$DIR/$F"
run_nook "${MINE[@]}" "$BASE" -- "${CALLS[@]}"
if works && [ -n "$F" ] && [ "$(kept)" = "$F" ]; then
	pass "no cached filter: compiled, kept as $DIR/$F, and it works"
else
	fail "no cached filter: compiled, kept, and it works"
	show
fi
is "$(stat -c '%F %a %u %g' "$DIR/$F" 2>&1)" "regular file 600 0 0" \
	"  kept as a regular file, mode 0600, owned by root"
is "$(stat -c '%a %u' "$DIR" 2>&1)" "700 0" "  in a directory of root's, mode 0700"
size=$(stat -c %s "$DIR/$F")
cp "$DIR/$F" "$W/good"
# the program searches the call number as a binary tree (libseccomp's
# SCMP_FLTATR_CTL_OPTIMIZE 2), not down a list: a list of these ~100
# calls has 2 "jgt" comparisons, a tree one per branch.  The program
# starts at its "ld [4]" (the architecture) and is followed by 8 bytes
# of checksum.
jgt=$(python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
p = d[d.find(bytes.fromhex("2000000004000000")):len(d) - 8]
print(sum(1 for i in range(0, len(p), 8) if p[i] == 0x25))' "$W/good")
if [ "${jgt:-0}" -ge 8 ]; then
	pass "  the kept program is a binary tree of call numbers ($jgt jgt)"
else
	fail "  the kept program is a binary tree of call numbers ($jgt jgt, a list has 2)"
fi
run_nook "${MINE[@]}" "$BASE" -- "${CALLS[@]}"
if works && [ "$(hit)" = "$F" ] && [ -z "$(kept)" ]; then
	pass "the next start loads the kept filter, not compiling it again, and it works the same"
else
	fail "the next start loads the kept filter, not compiling it again, and it works the same"
	show
fi

# another config: another file, and its filter is its own
run_nook "${OTHER[@]}" "$BASE" -- "${CALLS[@]}"
G=$(kept)
[ -n "$G" ] || G=$(hit)
[ -n "$G" ] && [ "$G" != "$F" ] && at_cleanup "rm -f '$DIR/$G'"
if [ "$RC" = 0 ] && [ -n "$G" ] && [ "$G" != "$F" ] &&
	[ "$(res getcwd)" = "ok /" ]; then
	pass "a config with other rules has a cache file of its own (getcwd allowed there)"
else
	fail "a config with other rules has a cache file of its own"
	show
fi

# --- damaged, foreign or unsafe cache files are ignored and made again ---
printf 'x' >>"$DIR/$F"
run_nook "${MINE[@]}" "$BASE" -- "${CALLS[@]}"
rebuilt "a byte appended (not whole BPF instructions): ignored, made again"
if cmp -s "$DIR/$F" "$W/good"; then
	pass "  made again byte for byte the same ($size bytes)"
else
	fail "  made again byte for byte the same"
fi
truncate -s -8 "$DIR/$F"
run_nook "${MINE[@]}" "$BASE" -- "${CALLS[@]}"
rebuilt "the last instruction cut off: ignored, made again"
# a whole, valid filter of another config under this config's name: if it
# were taken, getcwd would work
cp "$DIR/$G" "$DIR/$F"
run_nook "${MINE[@]}" "$BASE" -- "${CALLS[@]}"
rebuilt "another config's filter under this name: ignored (its key differs), made again"
# not root's, or open to others
for how in "chown 65534" "chmod 0660" "chmod 0604"; do
	$how "$DIR/$F"
	run_nook "${MINE[@]}" "$BASE" -- "${CALLS[@]}"
	if ignored "$F" && works && [ "$(kept)" = "$F" ] &&
		[ "$(stat -c '%a %u %g' "$DIR/$F")" = "600 0 0" ]; then
		pass "a cache file after $how: ignored, made again as root's, 0600"
	else
		fail "a cache file after $how: ignored, made again as root's, 0600"
		show
	fi
done
ln -sf "$W/good" "$DIR/$F"
run_nook "${MINE[@]}" "$BASE" -- "${CALLS[@]}"
if ignored "$F" && works && [ -f "$DIR/$F" ] && [ ! -L "$DIR/$F" ]; then
	pass "a symbolic link as the cache file: not followed, replaced by a file"
else
	fail "a symbolic link as the cache file: not followed, replaced by a file"
	show
fi

# --- a cache directory others may write is not used ---
at_cleanup "chmod 0700 '$DIR'"
chmod 0777 "$DIR"
run_nook "${MINE[@]}" "$BASE" -- "${CALLS[@]}"
chmod 0700 "$DIR"
if works && [ -z "$(hit)" ] && [ -z "$(kept)" ] &&
	printf '%s\n' "$ERR" | grep -q 'seccomp: .* only we may write: no cache'; then
	pass "a cache directory writable by others: not used, the filter is compiled and works"
else
	fail "a cache directory writable by others: not used, the filter is compiled and works"
	show
fi

# --- without the cache: seccomp = none or nothing to filter makes no file ---
n=$(ls -A "$DIR" | wc -l)
run_nook -v -s security.seccomp=none -s security.block_tiocsti=no "$BASE" -- \
	/sec status Seccomp
is "$RC/$(res status)/$(ls -A "$DIR" | wc -l)" "0/Seccomp: 0/$n" \
	"seccomp = none, block_tiocsti = no: no filter, no cache file"

plan 16

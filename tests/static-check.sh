#!/bin/sh
# SPDX-License-Identifier: MIT
# Fail unless the given binary is a static ELF (no interpreter, no NEEDED)
# of at most MAX bytes (default 12288, issue 12; NOOK_INIT_MAX_BYTES
# overrides it, e.g. for a build with another compiler than musl-gcc).
set -eu
bin=${1:?usage: static-check.sh BINARY [MAX-BYTES]}
max=${2:-${NOOK_INIT_MAX_BYTES:-12288}}
if readelf -lW "$bin" | grep -q 'Requesting program interpreter'; then
	echo "static-check: $bin has a program interpreter: not static" >&2
	exit 1
fi
if readelf -dW "$bin" 2>/dev/null | grep -q '(NEEDED)'; then
	echo "static-check: $bin needs shared libraries: not static" >&2
	exit 1
fi
size=$(wc -c <"$bin")
if [ "$size" -gt "$max" ]; then
	echo "static-check: $bin is $size bytes, more than $max" >&2
	exit 1
fi
echo "static-check: $bin is static, $size bytes (at most $max)"

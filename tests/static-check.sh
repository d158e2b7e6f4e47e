#!/bin/sh
# SPDX-License-Identifier: MIT
# Fail unless the given binary is a static ELF (no interpreter, no NEEDED).
set -eu
bin=${1:?usage: static-check.sh BINARY}
if readelf -lW "$bin" | grep -q 'Requesting program interpreter'; then
	echo "static-check: $bin has a program interpreter: not static" >&2
	exit 1
fi
if readelf -dW "$bin" 2>/dev/null | grep -q '(NEEDED)'; then
	echo "static-check: $bin needs shared libraries: not static" >&2
	exit 1
fi
echo "static-check: $bin is static, $(wc -c <"$bin") bytes"

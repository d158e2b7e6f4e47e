#!/bin/bash
# SPDX-License-Identifier: MIT
# The musl build's allocator (spawner/musl-malloc.c) through its own C
# test (tests/unit-alloc.c): its TAP is ours.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
bin=$BUILD/tests/unit-alloc
[ -x "$bin" ] || skip_all "$bin not built (it needs musl-gcc: make $bin)"
exec "$bin"

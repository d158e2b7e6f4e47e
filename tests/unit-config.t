#!/bin/bash
# SPDX-License-Identifier: MIT
# The config loader's C unit test (tests/unit-config.c): its TAP is ours.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
bin=$BUILD/tests/unit-config
[ -x "$bin" ] || skip_all "$bin not built (make $bin)"
exec "$bin"

# SPDX-License-Identifier: MIT
# Compatibility only: the nook tests' helpers are in tests/lib.sh now.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

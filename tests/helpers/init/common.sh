# SPDX-License-Identifier: MIT
# Compatibility only: need_init and the rest are in tests/lib.sh now.
. "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"

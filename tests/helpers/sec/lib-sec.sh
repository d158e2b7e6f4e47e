# SPDX-License-Identifier: MIT
# Compatibility only: sec_setup and the rest are in tests/lib.sh now.
. "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Write an OCI config.json for tests/init-runc.t from `runc spec`'s default.
# usage: bundle.py BUNDLE-DIR ROOTFS SHARED-DIR ARG...
#   BUNDLE-DIR/config.json (from `runc spec`) is rewritten in place:
#   process.args = ARG..., no terminal (a pty with BUNDLE_TERMINAL=1 in the
#   environment), no rlimits (root may lack
#   CAP_SYS_RESOURCE), read-only ROOTFS, SHARED-DIR bind-mounted read-write
#   on /shared for the test's marker files.  BUNDLE_CAPS=CAP_A,CAP_B adds
#   capabilities to every set.
import json
import os
import sys

bundle, rootfs, shared = sys.argv[1:4]
args = sys.argv[4:]
path = os.path.join(bundle, "config.json")
with open(path) as f:
    c = json.load(f)
p = c["process"]
p["terminal"] = os.environ.get("BUNDLE_TERMINAL") == "1"
p["args"] = args
p.pop("rlimits", None)
p["env"] = [e for e in p.get("env", []) if not e.startswith("TERM=")]
for cap in filter(None, os.environ.get("BUNDLE_CAPS", "").split(",")):
    for kind in ("bounding", "effective", "permitted", "ambient"):
        caps = p.setdefault("capabilities", {}).setdefault(kind, [])
        if cap not in caps:
            caps.append(cap)
c["root"] = {"path": os.path.abspath(rootfs), "readonly": True}
c["hostname"] = "nook-test"
c.setdefault("mounts", []).append({
    "destination": "/shared",
    "type": "bind",
    "source": os.path.abspath(shared),
    "options": ["rbind", "rw"],
})
with open(path, "w") as f:
    json.dump(c, f, indent=1)

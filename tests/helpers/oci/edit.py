#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# edit.py FILE STATEMENTS...: load the JSON of FILE as d, run the Python
# statements (one argument each), write d back - the tests' way to change
# one field of an OCI config.json.
import json
import sys

path = sys.argv[1]
with open(path) as f:
    d = json.load(f)
for stmt in sys.argv[2:]:
    exec(stmt)
with open(path, "w") as f:
    json.dump(d, f, indent=1)

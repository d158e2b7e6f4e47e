// SPDX-License-Identifier: MIT
//
// oci-validate - OCI runtime validation programs for nook-oci, runc and
// crun, in the manner of opencontainers/runtime-tools' validation/ suite.
//
// Debian 12 packages runtime-tools' libraries (generate, validate,
// specerror, cgroups) but not its validation/ programs nor the in-container
// runtimetest, so nook writes its own on top of those libraries: each
// program builds a config.json with runtime-tools' generate package, drives
// the runtime named by RUNTIME through the OCI command line (create, start,
// state, kill, delete; or run) and prints TAP.  One binary holds every
// program, by name:
//
//	oci-validate list          the names, one a line
//	oci-validate NAME          run the program NAME (TAP on stdout)
//
// The same binary copied into the container's rootfs as /runtimetest is the
// checker there (runtimetest.go): it compares what the process sees with
// the config.json it was started from.
//
// Environment: RUNTIME (the runc-like binary, required), OCIV_WORK (a
// scratch dir: the program works in OCIV_WORK/NAME and leaves it for the
// caller to remove; default a new dir below /tmp, removed), OCIV_ROOT (the
// runtime's --root, default none: its own), OCIV_BUSYBOX (a static busybox
// for the rootfs, default /bin/busybox), OCIV_LIFECYCLE=run (start the
// in-container checks with `run` rather than create + start), OCIV_KEEP=1
// (keep the work dir).  tests/helpers/oci/validation.sh sets them.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// main dispatches on argv[0] (the checker inside a container) or argv[1]
// (a program name), so that one static build serves both sides.
func main() {
	if filepath.Base(os.Args[0]) == "runtimetest" {
		os.Exit(runtimetest())
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: oci-validate list | NAME")
		os.Exit(2)
	}
	if os.Args[1] == "list" {
		names := make([]string, 0, len(programs))
		for n := range programs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Println(n)
		}
		return
	}
	p, found := programs[os.Args[1]]
	if !found {
		fmt.Fprintf(os.Stderr, "oci-validate: %s: no such program\n", os.Args[1])
		os.Exit(2)
	}
	os.Exit(runProgram(os.Args[1], p))
}

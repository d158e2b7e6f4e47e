#!/bin/bash
# SPDX-License-Identifier: MIT
# examples/kubernetes/ as containerd and Kubernetes would read it:
# containerd-nook.toml through containerd itself (`containerd --config FILE
# config dump`: the nook runtime with its BinaryName, runc still the
# default, Debian's CNI lines kept), and the RuntimeClass and the pod as
# YAML whose handler and runtimeClassName match the TOML's runtime name.
# A mangled copy of the TOML must make containerd fail: the check can fail.
# Needs no root and runs nothing.
. "$(dirname "$0")/lib.sh"

need_cmd containerd timeout
EX=$TOP/examples/kubernetes
[ -f "$EX"/containerd-nook.toml ] || skip_all "no $EX/containerd-nook.toml"
test_tmp oci-k8s

plan 12

timeout 30 containerd --config "$EX"/containerd-nook.toml config dump \
	>"$W"/dump 2>"$W"/err
rc=$?
ok $rc "containerd config dump reads containerd-nook.toml"
[ $rc = 0 ] || diag "$(cat "$W"/err)"
# sect TABLE: the lines of one [TABLE] of the dump, without the header
sect() {
	awk -v h="[$1]" '$0 ~ /^ *\[/ { on = ($1 == h); next } on' "$W"/dump
}
CRI='plugins."io.containerd.grpc.v1.cri"'
like "$(sect "$CRI.containerd.runtimes.nook")" 'runtime_type = "io\.containerd\.runc\.v2"' \
	"the nook runtime: runtime_type io.containerd.runc.v2 (the runc shim)"
like "$(sect "$CRI.containerd.runtimes.nook.options")" 'BinaryName = "/usr/local/bin/nook-oci"' \
	"the nook runtime: BinaryName /usr/local/bin/nook-oci"
like "$(sect "$CRI.containerd.runtimes.nook.options")" 'SystemdCgroup = false' \
	"the nook runtime: cgroupfs paths (SystemdCgroup false)"
like "$(sect "$CRI.containerd.runtimes.runc")" 'runtime_type = "io\.containerd\.runc\.v2"' \
	"runc is still a runtime"
like "$(sect "$CRI.containerd")" 'default_runtime_name = "runc"' "... and the default one"
like "$(sect "$CRI.cni")" 'bin_dir = "/usr/lib/cni"' "Debian's CNI bin_dir is kept"
grep -q 'disabled_plugins = \[\]' "$W"/dump
ok $? "no plugin disabled (the CRI plugin is on)"

# make install (the README's way) puts nook-oci where BinaryName points
make -n -s -C "$TOP" install 2>/dev/null | grep -q '^ln -sf nook /usr/local/bin/nook-oci$' &&
	grep -q '^ *make install ' "$EX"/README.md
ok $? "README.md's make install puts nook-oci at the BinaryName, /usr/local/bin/nook-oci"

# a mangled copy: an unclosed table header
sed 's/^\( *\[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nook\)\]$/\1/' \
	"$EX"/containerd-nook.toml >"$W"/bad.toml
timeout 30 containerd --config "$W"/bad.toml config dump >/dev/null 2>"$W"/err
like "$?:$(cat "$W"/err)" '^[1-9][0-9]*:.*TOML' "a mangled copy: containerd refuses it"

# the YAML: the RuntimeClass's handler and the pod's runtimeClassName
if "$PY" -c 'import yaml' 2>/dev/null; then
	got=$("$PY" - "$EX"/runtimeclass.yaml "$EX"/pod.yaml <<-'EOF' 2>&1
	import sys, yaml
	rc = yaml.safe_load(open(sys.argv[1]))
	pod = yaml.safe_load(open(sys.argv[2]))
	print(rc["apiVersion"], rc["kind"], rc["metadata"]["name"], rc["handler"])
	print(pod["kind"], pod["spec"]["runtimeClassName"])
	EOF
	)
	is "$got" "node.k8s.io/v1 RuntimeClass nook nook
Pod nook" "runtimeclass.yaml: RuntimeClass nook, handler nook; pod.yaml: runtimeClassName nook"
else
	skip 1 "no python3-yaml"
fi
grep -q "runtimes\.$(sed -n 's/^handler: *//p' "$EX"/runtimeclass.yaml)\]" "$EX"/containerd-nook.toml
ok $? "the RuntimeClass's handler names the TOML's runtime"

done_testing

// SPDX-License-Identifier: MIT
//
// The validation programs, by name.  The names follow runtime-tools'
// validation/ directory where a program checks the same thing; each
// program's comment says what the runtime needs for it.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	multierror "github.com/hashicorp/go-multierror"
	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-tools/cgroups"
	"github.com/opencontainers/runtime-tools/generate"
	"github.com/opencontainers/runtime-tools/generate/seccomp"
	"github.com/opencontainers/runtime-tools/validate"
	"golang.org/x/sys/unix"
)

var programs = map[string]program{
	// the lifecycle: create, start, state, kill, delete
	"create":                        progCreate,
	"start":                         progStart,
	"state":                         progState,
	"kill":                          progKill,
	"delete":                        progDelete,
	"pidfile":                       progPidfile,
	"config_updates_without_affect": progConfigUpdates,
	"prestart":                      progHook("prestart"),
	"poststart":                     progHook("poststart"),
	"poststop":                      progHook("poststop"),
	// what the process sees: create + start and the checker inside
	"default":                   progDefault,
	"hostname":                  progHostname,
	"process":                   progProcess,
	"process_user":              progProcessUser,
	"process_rlimits":           progProcessRlimits,
	"process_capabilities":      progProcessCapabilities,
	"process_capabilities_fail": progProcessCapabilitiesFail,
	"process_oom_score_adj":     progOOMScoreAdj,
	"process_no_new_privileges": progNoNewPrivileges,
	"root_readonly_true":        progRootReadonly,
	"mounts":                    progMounts,
	"linux_masked_paths":        progMaskedPaths,
	"linux_readonly_paths":      progReadonlyPaths,
	"linux_sysctl":              progSysctl,
	"linux_devices":             progDevices,
	"linux_uid_mappings":        progUIDMappings,
	"linux_ns_path":             progNSPath,
	"linux_rootfs_propagation":  progRootfsPropagation,
	"linux_seccomp":             progSeccomp,
	"linux_cgroups_memory":      progCgroupsMemory,
	"linux_cgroups_pids":        progCgroupsPids,
	// the runtime's own default config, through runtime-tools' validate
	"spec_validate": progSpecValidate,
}

// sleeper makes the process one that lives until killed.
func (b *bundle) sleeper() {
	b.g.SetProcessArgs([]string{"/bin/sleep", "300"})
}

// createOK creates a container and says so as a point; false when the
// runtime refused.
func (b *bundle) createOK(id, desc string, extra ...string) bool {
	r := b.create(id, extra...)
	return b.t.ok(r.rc == 0, desc, r)
}

// create: needs `create`, `state`; create of a bundle that is not there
// fails, a new container is "created" with a pid, a taken id is refused.
func progCreate(t *tap, b *bundle) {
	bad := b.newID()
	r := b.rtStdio("create", "--bundle", filepath.Join(b.work, "nonexistent"), bad)
	t.ok(r.rc != 0, "create with a bundle that does not exist fails", r)
	_, r = b.state(bad)
	t.ok(r.rc != 0, "and leaves no container", r)
	id := b.newID()
	b.sleeper()
	if !b.createOK(id, "create") {
		return
	}
	st, r := b.state(id)
	t.ok(r.rc == 0 && st.Status == rspec.StateCreated, "state says created", r)
	t.ok(st.Pid > 0 && unix.Kill(st.Pid, 0) == nil, "the container process exists", "pid ", st.Pid)
	r = b.create(id)
	t.ok(r.rc != 0, "create with an id in use fails", r)
	st2, r := b.state(id)
	t.ok(r.rc == 0 && st2.Pid == st.Pid && st2.Status == rspec.StateCreated,
		"and does not touch the container", r)
}

// start: needs create, start, state; start of an unknown id fails, the
// user's program runs only after start, a stopped container cannot start.
func progStart(t *tap, b *bundle) {
	r := b.rt("start", "ociv-no-such-container")
	t.ok(r.rc != 0, "start of an unknown id fails", r)
	id := b.newID()
	b.g.SetProcessArgs([]string{"/bin/sh", "-c", "echo started"})
	if !b.createOK(id, "create") {
		return
	}
	time.Sleep(200 * time.Millisecond)
	t.ok(b.stdout() == "", "the process has not run before start", "stdout ", b.stdout())
	r = b.rt("start", id)
	t.ok(r.rc == 0, "start", r)
	st, r := b.waitStatus(id, rspec.StateStopped, 10*time.Second)
	t.ok(r.rc == 0 && st.Status == rspec.StateStopped, "stopped when the process ended", r)
	t.ok(strings.TrimSpace(b.stdout()) == "started", "the process ran", "stdout ", b.stdout())
	r = b.rt("start", id)
	t.ok(r.rc != 0, "start of a stopped container fails", r)
}

// state: needs create, start, state, kill; the fields of the state and
// the status through the lifecycle.
func progState(t *tap, b *bundle) {
	_, r := b.state("ociv-no-such-container")
	t.ok(r.rc != 0, "state of an unknown id fails", r)
	id := b.newID()
	b.sleeper()
	if !b.createOK(id, "create") {
		return
	}
	st, r := b.state(id)
	if !t.ok(r.rc == 0, "state", r) {
		return
	}
	t.ok(st.Version != "", "ociVersion is set", r.out)
	t.ok(st.ID == id, "id is the container's", st.ID)
	t.ok(st.Status == rspec.StateCreated, "status created", st.Status)
	t.ok(st.Pid > 0, "pid is set", st.Pid)
	t.ok(st.Bundle == b.dir, "bundle is the absolute bundle path", st.Bundle)
	r = b.rt("start", id)
	t.ok(r.rc == 0, "start", r)
	st, r = b.state(id)
	t.ok(r.rc == 0 && st.Status == rspec.StateRunning, "status running", r)
	r = b.rt("kill", id, "KILL")
	t.ok(r.rc == 0, "kill", r)
	st, r = b.waitStatus(id, rspec.StateStopped, 5*time.Second)
	t.ok(r.rc == 0 && st.Status == rspec.StateStopped, "status stopped", r)
}

// kill: needs create, start, state, kill; a signal reaches the process,
// an unknown id or a stopped container is an error.
func progKill(t *tap, b *bundle) {
	r := b.rt("kill", "ociv-no-such-container", "KILL")
	t.ok(r.rc != 0, "kill of an unknown id fails", r)
	id := b.newID()
	b.sleeper()
	if !b.createOK(id, "create") {
		return
	}
	r = b.rt("start", id)
	t.ok(r.rc == 0, "start", r)
	r = b.rt("kill", id, "KILL")
	t.ok(r.rc == 0, "kill KILL of a running container", r)
	st, r := b.waitStatus(id, rspec.StateStopped, 5*time.Second)
	t.ok(r.rc == 0 && st.Status == rspec.StateStopped, "it stops", r)
	r = b.rt("kill", id, "KILL")
	t.ok(r.rc != 0, "kill of a stopped container fails", r)
	id2 := b.newID()
	if !b.createOK(id2, "create another") {
		return
	}
	r = b.rt("kill", id2, "TERM")
	t.ok(r.rc == 0, "kill TERM of a created container", r)
	// whether TERM ends it is up to the waiting process (a PID 1 without a
	// handler ignores it): told, not checked; KILL must end it
	st, _ = b.waitStatus(id2, rspec.StateStopped, time.Second)
	t.diag("after TERM, the created container is " + string(st.Status))
	r = b.rt("kill", id2, "KILL")
	if st.Status != rspec.StateStopped {
		t.ok(r.rc == 0, "kill KILL of a created container", r)
	}
	st, r = b.waitStatus(id2, rspec.StateStopped, 5*time.Second)
	t.ok(r.rc == 0 && st.Status == rspec.StateStopped, "it stops", r)
}

// delete: needs create, start, state, kill, delete; a running container
// is not deleted, a stopped one is and its id is free again.
func progDelete(t *tap, b *bundle) {
	r := b.rt("delete", "ociv-no-such-container")
	t.ok(r.rc != 0, "delete of an unknown id fails", r)
	id := b.newID()
	b.sleeper()
	if !b.createOK(id, "create") {
		return
	}
	r = b.rt("start", id)
	t.ok(r.rc == 0, "start", r)
	r = b.rt("delete", id)
	t.ok(r.rc != 0, "delete of a running container fails", r)
	st, r := b.state(id)
	t.ok(r.rc == 0 && st.Status == rspec.StateRunning, "and it still runs", r)
	b.rt("kill", id, "KILL")
	b.waitStatus(id, rspec.StateStopped, 5*time.Second)
	r = b.rt("delete", id)
	t.ok(r.rc == 0, "delete of a stopped container", r)
	_, r = b.state(id)
	t.ok(r.rc != 0, "state then fails", r)
	r = b.create(id)
	t.ok(r.rc == 0, "the id can be used again", r)
}

// pidfile: needs create --pid-file, state; the file holds the pid.
func progPidfile(t *tap, b *bundle) {
	id := b.newID()
	b.sleeper()
	pf := filepath.Join(b.work, "pidfile")
	if !b.createOK(id, "create --pid-file", "--pid-file", pf) {
		return
	}
	st, r := b.state(id)
	d, err := os.ReadFile(pf)
	t.ok(err == nil && r.rc == 0 && strings.TrimSpace(string(d)) == strconv.Itoa(st.Pid),
		"the pid file holds the container's pid", "file ", string(d), " ", err, "; ", r)
}

// config_updates_without_affect: needs create, start; a change to
// config.json after create does not change the container.
func progConfigUpdates(t *tap, b *bundle) {
	id := b.newID()
	b.g.SetHostname("before")
	if !b.createOK(id, "create") {
		return
	}
	b.g.SetHostname("after")
	if err := b.g.SaveToFile(filepath.Join(b.dir, "config.json"), exportOpts); err != nil {
		t.ok(false, "rewrite config.json", err)
		return
	}
	r := b.rt("start", id)
	t.ok(r.rc == 0, "start", r)
	b.waitStatus(id, rspec.StateStopped, 10*time.Second)
	b.relay("after config.json changed", b.stdout())
}

// progHook: needs create, start, delete and hooks; the hook of that kind
// runs with the state on its stdin at its point of the lifecycle.
func progHook(kind string) program {
	return func(t *tap, b *bundle) {
		out := filepath.Join(b.work, kind+".json")
		h := rspec.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "cat > " + out}}
		switch kind {
		case "prestart":
			b.g.AddPreStartHook(h)
		case "poststart":
			b.g.AddPostStartHook(h)
		case "poststop":
			b.g.AddPostStopHook(h)
		}
		b.g.SetProcessArgs([]string{"/bin/true"})
		id := b.newID()
		if !b.createOK(id, "create") {
			return
		}
		_, created := os.Stat(out)
		r := b.rt("start", id)
		t.ok(r.rc == 0, "start", r)
		b.waitStatus(id, rspec.StateStopped, 10*time.Second)
		_, started := os.Stat(out)
		r = b.rt("delete", id)
		t.ok(r.rc == 0, "delete", r)
		var st rspec.State
		d, err := os.ReadFile(out)
		if err == nil {
			err = json.Unmarshal(d, &st)
		}
		t.ok(err == nil && st.ID == id, kind+" hook ran with the state on stdin",
			err, " ", string(d))
		switch kind {
		case "prestart":
			t.ok(created == nil, "prestart ran before start returned")
		case "poststart":
			t.ok(created != nil && started == nil, "poststart ran after create, by start",
				created, started)
		case "poststop":
			t.ok(started != nil, "poststop ran at delete, not before", started)
		}
	}
}

var exportOpts = generate.ExportOptions{}

// default: needs create, start, state, delete, generate's whole default
// config (its seccomp profile too); the checker checks every field.
func progDefault(t *tap, b *bundle) {
	b.g.Config.Linux.Seccomp = seccomp.DefaultProfile(b.g.Config)
	b.check("default config")
}

// hostname: needs the uts namespace and hostname.
func progHostname(t *tap, b *bundle) {
	b.g.SetHostname("validation-host")
	b.check("hostname")
}

// process: needs process.args, cwd, env.
func progProcess(t *tap, b *bundle) {
	b.g.SetProcessArgs([]string{"/runtimetest", "with space", "'quote'", "$HOME"})
	b.g.SetProcessCwd("/tmp")
	b.g.AddProcessEnv("OCIV_VAR", "a b=c")
	b.check("process")
}

// process_user: needs process.user (uid, gid, additionalGids).
func progProcessUser(t *tap, b *bundle) {
	b.g.SetProcessUID(1000)
	b.g.SetProcessGID(1000)
	b.g.AddProcessAdditionalGid(10)
	b.g.AddProcessAdditionalGid(20)
	b.check("process.user")
}

// process_rlimits: needs process.rlimits (lowered only: root here cannot
// raise a hard limit).
func progProcessRlimits(t *tap, b *bundle) {
	// Go raises its own soft RLIMIT_NOFILE to the hard one at start, so
	// a shell reads the limits first and hands them to the checker
	b.g.SetProcessArgs([]string{"/bin/sh", "-c", "export OCIV_WRAPPED=1 " +
		"OCIV_NOFILE=\"$(ulimit -Sn) $(ulimit -Hn)\"; exec /runtimetest"})
	b.g.ClearProcessRlimits()
	b.g.AddProcessRlimits("RLIMIT_NOFILE", 512, 256)
	b.g.AddProcessRlimits("RLIMIT_CORE", 0, 0)
	b.g.AddProcessRlimits("RLIMIT_NPROC", 1000, 900)
	b.check("process.rlimits")
}

// process_capabilities: needs process.capabilities, all five sets.
func progProcessCapabilities(t *tap, b *bundle) {
	caps := []string{"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"}
	b.g.Config.Process.Capabilities = &rspec.LinuxCapabilities{
		Bounding: caps, Effective: caps, Permitted: caps,
		Inheritable: caps, Ambient: caps}
	b.check("process.capabilities")
}

// process_capabilities_fail: an unknown capability is an error at create
// (the same config without it, the control, is not).
func progProcessCapabilitiesFail(t *tap, b *bundle) {
	try := func() result {
		id := b.newID()
		if os.Getenv("OCIV_LIFECYCLE") == "run" {
			b.save()
			return b.rtStdio("run", "--bundle", b.dir, id)
		}
		return b.create(id)
	}
	b.g.SetProcessArgs([]string{"/bin/true"})
	r := try()
	if !t.ok(r.rc == 0, "control: the config without the unknown capability works", r) {
		return
	}
	b.g.Config.Process.Capabilities.Bounding = append(
		b.g.Config.Process.Capabilities.Bounding, "CAP_OCIV_NO_SUCH")
	r = try()
	t.ok(r.rc != 0, "a config with an unknown capability is refused", r)
}

// process_oom_score_adj: needs process.oomScoreAdj.
func progOOMScoreAdj(t *tap, b *bundle) {
	b.g.SetProcessOOMScoreAdj(200)
	b.check("process.oomScoreAdj")
}

// process_no_new_privileges: needs process.noNewPrivileges.
func progNoNewPrivileges(t *tap, b *bundle) {
	b.g.SetProcessNoNewPrivileges(true)
	b.check("process.noNewPrivileges")
}

// root_readonly_true: needs root.readonly.
func progRootReadonly(t *tap, b *bundle) {
	b.g.SetRootReadonly(true)
	b.check("root.readonly")
}

// mounts: needs a tmpfs with options and a read-only bind mount, whose
// mount points the runtime makes.
func progMounts(t *tap, b *bundle) {
	src := filepath.Join(b.work, "bindsrc")
	os.MkdirAll(src, 0755)
	os.WriteFile(filepath.Join(src, "file"), []byte("x"), 0644)
	b.g.AddMount(rspec.Mount{Destination: "/mnt/tmpfs", Type: "tmpfs", Source: "tmpfs",
		Options: []string{"nosuid", "nodev", "mode=755", "size=1m"}})
	b.g.AddMount(rspec.Mount{Destination: "/mnt/bind", Type: "bind", Source: src,
		Options: []string{"rbind", "ro"}})
	b.check("mounts")
}

// linux_masked_paths: needs linux.maskedPaths, a directory and a file.
func progMaskedPaths(t *tap, b *bundle) {
	os.MkdirAll(filepath.Join(b.rootfs, "masked_dir"), 0755)
	os.WriteFile(filepath.Join(b.rootfs, "masked_dir/secret"), []byte("secret"), 0644)
	os.WriteFile(filepath.Join(b.rootfs, "masked_file"), []byte("secret"), 0644)
	b.g.AddLinuxMaskedPaths("/masked_dir")
	b.g.AddLinuxMaskedPaths("/masked_file")
	b.g.AddLinuxMaskedPaths("/proc/kcore")
	b.check("linux.maskedPaths")
}

// linux_readonly_paths: needs linux.readonlyPaths.
func progReadonlyPaths(t *tap, b *bundle) {
	os.MkdirAll(filepath.Join(b.rootfs, "readonly_dir"), 0755)
	os.WriteFile(filepath.Join(b.rootfs, "readonly_file"), []byte("x"), 0644)
	b.g.AddLinuxReadonlyPaths("/readonly_dir")
	b.g.AddLinuxReadonlyPaths("/readonly_file")
	b.g.AddLinuxReadonlyPaths("/proc/sys")
	b.check("linux.readonlyPaths")
}

// linux_sysctl: needs linux.sysctl in the ipc and network namespaces.
func progSysctl(t *tap, b *bundle) {
	b.g.AddLinuxSysctl("kernel.msgmax", "4096")
	b.g.AddLinuxSysctl("net.ipv4.ip_forward", "1")
	b.check("linux.sysctl")
}

// linux_devices: needs linux.devices (a character device and a fifo) and
// the device cgroup rule that allows the first.
func progDevices(t *tap, b *bundle) {
	mode := os.FileMode(0640)
	uid, gid := uint32(0), uint32(5)
	b.g.AddDevice(rspec.LinuxDevice{Path: "/dev/ociv-null", Type: "c", Major: 1, Minor: 3,
		FileMode: &mode, UID: &uid, GID: &gid})
	b.g.AddDevice(rspec.LinuxDevice{Path: "/dev/ociv-fifo", Type: "p"})
	major, minor := int64(1), int64(3)
	b.g.AddLinuxResourcesDevice(true, "c", &major, &minor, "rwm")
	b.check("linux.devices")
}

// linux_uid_mappings: needs a user namespace with uid and gid mappings.
func progUIDMappings(t *tap, b *bundle) {
	b.g.AddOrReplaceLinuxNamespace("user", "")
	b.g.AddLinuxUIDMapping(100000, 0, 65536)
	b.g.AddLinuxGIDMapping(100000, 0, 65536)
	b.check("linux.uidMappings")
}

var nsLine = regexp.MustCompile(`(?m)^# ns net (\S+)$`)

// linux_ns_path: needs create and a namespace joined by path: a second
// container joins the network namespace of the first.
func progNSPath(t *tap, b *bundle) {
	first := b.newID()
	b.sleeper()
	if !b.createOK(first, "create the first container") {
		return
	}
	st, r := b.state(first)
	if !t.ok(r.rc == 0 && st.Pid > 0, "its pid", r) {
		return
	}
	want, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", st.Pid))
	host, _ := os.Readlink("/proc/self/ns/net")
	t.ok(err == nil && want != host, "it has a network namespace of its own", want, " ", err)
	b.g.SetProcessArgs([]string{"/runtimetest"})
	b.g.AddOrReplaceLinuxNamespace("network", fmt.Sprintf("/proc/%d/ns/net", st.Pid))
	out, started := b.inside("join by path")
	if !started {
		return
	}
	m := nsLine.FindStringSubmatch(out)
	t.ok(m != nil && m[1] == want, "the second container is in the first's network namespace",
		"got ", m, " want ", want)
}

// linux_rootfs_propagation: needs linux.rootfsPropagation.
func progRootfsPropagation(t *tap, b *bundle) {
	b.g.SetLinuxRootPropagation("rprivate")
	b.check("linux.rootfsPropagation")
}

// linux_seccomp: needs linux.seccomp: a filter that makes getcpu fail
// with the errnoRet given (a call that no runtime makes between loading
// the filter and exec: runc's init calls getppid).
func progSeccomp(t *tap, b *bundle) {
	einval := uint(unix.EINVAL)
	b.g.Config.Linux.Seccomp = &rspec.LinuxSeccomp{
		DefaultAction: rspec.ActAllow,
		Architectures: []rspec.Arch{rspec.ArchX86_64, rspec.ArchX86, rspec.ArchX32},
		Syscalls: []rspec.LinuxSyscall{{Names: []string{"getcpu"},
			Action: rspec.ActErrno, ErrnoRet: &einval}},
	}
	b.check("linux.seccomp")
}

// cgroupCreated makes a created container in cgroup /ociv-ID with the
// resources set by set, and returns its pid and cgroup path.
func cgroupCreated(t *tap, b *bundle, set func()) (int, string, bool) {
	id := b.newID()
	path := "/" + id
	b.sleeper()
	b.g.SetLinuxCgroupsPath(path)
	set()
	if !b.createOK(id, "create with linux.cgroupsPath "+path) {
		return 0, "", false
	}
	st, r := b.state(id)
	return st.Pid, path, t.ok(r.rc == 0 && st.Pid > 0, "its pid", r)
}

// linux_cgroups_memory: needs linux.cgroupsPath and resources.memory, read
// back through runtime-tools' cgroups package.
func progCgroupsMemory(t *tap, b *bundle) {
	const limit = 64 << 20
	pid, path, good := cgroupCreated(t, b, func() {
		b.g.SetLinuxResourcesMemoryLimit(limit)
	})
	if !good {
		return
	}
	cg, err := cgroups.FindCgroup()
	if err != nil {
		t.skip("memory limit", "no cgroup v1 here: "+err.Error())
		return
	}
	lm, err := cg.GetMemoryData(pid, path)
	t.ok(err == nil && lm != nil && lm.Limit != nil && *lm.Limit == limit,
		"memory.limit_in_bytes is the config's", err, " ", lm)
}

// linux_cgroups_pids: needs linux.cgroupsPath and resources.pids.
func progCgroupsPids(t *tap, b *bundle) {
	pid, path, good := cgroupCreated(t, b, func() {
		b.g.SetLinuxResourcesPidsLimit(64)
	})
	if !good {
		return
	}
	cg, err := cgroups.FindCgroup()
	if err != nil {
		t.skip("pids limit", "no cgroup v1 here: "+err.Error())
		return
	}
	lp, err := cg.GetPidsData(pid, path)
	t.ok(err == nil && lp != nil && lp.Limit == 64, "pids.max is the config's", err, " ", lp)
}

// spec_validate: needs `spec`; the config.json it writes passes
// runtime-tools' validate checks (all but the JSON schema, which it
// fetches from the network).
func progSpecValidate(t *tap, b *bundle) {
	dir := filepath.Join(b.work, "spec")
	os.MkdirAll(filepath.Join(dir, "rootfs"), 0755)
	save := b.dir
	b.dir = dir
	r := b.rt("spec")
	b.dir = save
	if !t.ok(r.rc == 0, "spec writes a config.json", r) {
		return
	}
	var top struct {
		Version string `json:"ociVersion"`
	}
	d, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	json.Unmarshal(d, &top)
	// validate's own ociVersion check takes only the version it was built
	// for (1.0.2-dev): any 1.x.y is fine here
	t.ok(regexp.MustCompile(`^1\.[0-9]+\.[0-9]+(-\S+)?$`).MatchString(top.Version),
		"ociVersion is a 1.x.y version", top.Version)
	v, err := validate.NewValidatorFromPath(dir, false, "linux")
	if !t.ok(err == nil, "the config.json loads", err) {
		return
	}
	for _, c := range []struct {
		name string
		f    func() error
	}{{"platform", v.CheckPlatform}, {"root", v.CheckRoot},
		{"mandatory fields", v.CheckMandatoryFields},
		{"mounts", v.CheckMounts}, {"process", v.CheckProcess},
		{"linux", v.CheckLinux}, {"annotations", v.CheckAnnotations},
		{"hooks", v.CheckHooks}} {
		err := c.f()
		if me, isMulti := err.(*multierror.Error); isMulti {
			err = me.ErrorOrNil()
		}
		t.ok(err == nil, "validate: "+c.name, err)
	}
}

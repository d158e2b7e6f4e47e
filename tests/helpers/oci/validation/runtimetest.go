// SPDX-License-Identifier: MIT
//
// runtimetest: the checker inside the container.  It reads the config the
// container was made from (/ociv-config.json, a copy the harness put in
// the rootfs) and checks what the process sees against it, one TAP point
// per field that the config sets.  It also prints its namespaces as
// comments ("# ns NAME INODE") for the programs that compare them.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/syndtr/gocapability/capability"
	"golang.org/x/sys/unix"
)

// rlimitByName maps the config's rlimit names to the kernel's numbers.
var rlimitByName = map[string]int{
	"RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_CORE": unix.RLIMIT_CORE,
	"RLIMIT_CPU": unix.RLIMIT_CPU, "RLIMIT_DATA": unix.RLIMIT_DATA,
	"RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS,
	"RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK, "RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE,
	"RLIMIT_NICE": unix.RLIMIT_NICE, "RLIMIT_NOFILE": unix.RLIMIT_NOFILE,
	"RLIMIT_NPROC": unix.RLIMIT_NPROC, "RLIMIT_RSS": unix.RLIMIT_RSS,
	"RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO, "RLIMIT_RTTIME": unix.RLIMIT_RTTIME,
	"RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING, "RLIMIT_STACK": unix.RLIMIT_STACK,
}

// runtimetest checks the process against the config; the exit status is
// 1 when a point failed, so `run` alone also tells.
func runtimetest() int {
	fmt.Println("TAP version 13")
	t := &tap{}
	data, err := os.ReadFile("/ociv-config.json")
	var s rspec.Spec
	if err == nil {
		err = json.Unmarshal(data, &s)
	}
	if !t.ok(err == nil, "read /ociv-config.json", err) || s.Process == nil {
		fmt.Printf("1..%d\n", t.n)
		return 1
	}
	for _, ns := range []string{"pid", "net", "ipc", "uts", "mnt", "user", "cgroup"} {
		if l, err := os.Readlink("/proc/self/ns/" + ns); err == nil {
			fmt.Printf("# ns %s %s\n", ns, l)
		}
	}
	checkProcess(t, &s)
	checkRoot(t, &s)
	if s.Linux != nil {
		checkLinux(t, &s)
	}
	checkMounts(t, &s)
	fmt.Printf("1..%d\n", t.n)
	if t.failed > 0 {
		return 1
	}
	return 0
}

// procStatus returns the value of a line of /proc/self/status.
func procStatus(key string) string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, found := strings.Cut(sc.Text(), ":"); found && k == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// checkProcess: args, cwd, env, user, rlimits, capabilities,
// noNewPrivileges, oomScoreAdj.
func checkProcess(t *tap, s *rspec.Spec) {
	p := s.Process
	if os.Getenv("OCIV_WRAPPED") != "" {
		t.skip("process.args", "the checker runs under a shell wrapper")
	} else {
		t.ok(strings.Join(os.Args, "\x00") == strings.Join(p.Args, "\x00"),
			"process.args", fmt.Sprintf("got %q want %q", os.Args, p.Args))
	}
	wd, err := os.Getwd()
	t.ok(err == nil && wd == p.Cwd, "process.cwd", "got ", wd, " ", err, " want ", p.Cwd)
	env := map[string]bool{}
	for _, e := range os.Environ() {
		env[e] = true
	}
	missing := []string{}
	for _, e := range p.Env {
		if !env[e] {
			missing = append(missing, e)
		}
	}
	t.ok(len(missing) == 0, "process.env", "missing ", missing)
	t.ok(uint32(os.Getuid()) == p.User.UID, "process.user.uid",
		"got ", os.Getuid(), " want ", p.User.UID)
	t.ok(uint32(os.Getgid()) == p.User.GID, "process.user.gid",
		"got ", os.Getgid(), " want ", p.User.GID)
	if len(p.User.AdditionalGids) > 0 {
		groups, _ := os.Getgroups()
		have := map[uint32]bool{}
		for _, g := range groups {
			have[uint32(g)] = true
		}
		all := true
		for _, g := range p.User.AdditionalGids {
			all = all && have[g]
		}
		t.ok(all, "process.user.additionalGids", "got ", groups, " want ", p.User.AdditionalGids)
	}
	for _, rl := range p.Rlimits {
		n, known := rlimitByName[rl.Type]
		if !known {
			t.skip("process.rlimits "+rl.Type, "unknown to the checker")
			continue
		}
		var cur unix.Rlimit
		err := unix.Getrlimit(n, &cur)
		if n == unix.RLIMIT_NOFILE && cur.Cur != cur.Max {
			// not raised by Go: what the runtime set
		} else if n == unix.RLIMIT_NOFILE && os.Getenv("OCIV_NOFILE") != "" {
			fmt.Sscan(os.Getenv("OCIV_NOFILE"), &cur.Cur, &cur.Max)
		} else if n == unix.RLIMIT_NOFILE && rl.Soft != rl.Hard {
			t.skip("process.rlimits "+rl.Type, "Go raised its soft limit at start")
			continue
		}
		t.ok(err == nil && cur.Cur == rl.Soft && cur.Max == rl.Hard,
			"process.rlimits "+rl.Type, fmt.Sprintf("got %d/%d want %d/%d %v",
				cur.Cur, cur.Max, rl.Soft, rl.Hard, err))
	}
	if c := p.Capabilities; c != nil {
		for _, set := range []struct {
			key  string
			want []string
		}{{"CapBnd", c.Bounding}, {"CapEff", c.Effective}, {"CapPrm", c.Permitted},
			{"CapInh", c.Inheritable}, {"CapAmb", c.Ambient}} {
			got := capNames(procStatus(set.key))
			want := append([]string{}, set.want...)
			sort.Strings(want)
			t.ok(strings.Join(got, ",") == strings.Join(want, ","),
				"process.capabilities "+set.key, fmt.Sprintf("got %v want %v", got, want))
		}
	}
	nnp := procStatus("NoNewPrivs")
	t.ok((nnp == "1") == p.NoNewPrivileges, "process.noNewPrivileges",
		"NoNewPrivs ", nnp, " want ", p.NoNewPrivileges)
	if p.OOMScoreAdj != nil {
		d, _ := os.ReadFile("/proc/self/oom_score_adj")
		t.ok(strings.TrimSpace(string(d)) == strconv.Itoa(*p.OOMScoreAdj),
			"process.oomScoreAdj", "got ", strings.TrimSpace(string(d)),
			" want ", *p.OOMScoreAdj)
	}
}

// capNames turns a /proc/self/status capability mask into sorted names.
func capNames(hexmask string) []string {
	mask, err := strconv.ParseUint(hexmask, 16, 64)
	if err != nil {
		return []string{"unreadable:" + hexmask}
	}
	names := []string{}
	known := map[int]bool{}
	for _, c := range capability.List() {
		known[int(c)] = true
		if mask&(1<<uint(c)) != 0 {
			names = append(names, "CAP_"+strings.ToUpper(c.String()))
		}
	}
	for i := 0; i < 64; i++ {
		if !known[i] && mask&(1<<uint(i)) != 0 {
			names = append(names, fmt.Sprintf("CAP_BIT_%d", i))
		}
	}
	sort.Strings(names)
	return names
}

// checkRoot: root.readonly, as the mount flags of / say.
func checkRoot(t *tap, s *rspec.Spec) {
	if s.Root == nil {
		return
	}
	var st unix.Statfs_t
	err := unix.Statfs("/", &st)
	ro := st.Flags&unix.ST_RDONLY != 0
	t.ok(err == nil && ro == s.Root.Readonly, "root.readonly",
		"read-only ", ro, " want ", s.Root.Readonly, " ", err)
}

// checkLinux: hostname, namespaces' mappings, sysctl, devices (the
// config's and the default ones), masked and read-only paths, seccomp,
// rootfsPropagation.
func checkLinux(t *tap, s *rspec.Spec) {
	l := s.Linux
	uts := false
	for _, ns := range l.Namespaces {
		uts = uts || ns.Type == rspec.UTSNamespace
	}
	if uts && s.Hostname != "" {
		h, err := os.Hostname()
		t.ok(err == nil && h == s.Hostname, "hostname", "got ", h, " want ", s.Hostname)
	}
	for _, m := range []struct {
		file string
		maps []rspec.LinuxIDMapping
	}{{"uid_map", l.UIDMappings}, {"gid_map", l.GIDMappings}} {
		if len(m.maps) == 0 {
			continue
		}
		d, _ := os.ReadFile("/proc/self/" + m.file)
		got := strings.Fields(string(d))
		want := []string{}
		for _, x := range m.maps {
			want = append(want, fmt.Sprint(x.ContainerID), fmt.Sprint(x.HostID), fmt.Sprint(x.Size))
		}
		t.ok(strings.Join(got, " ") == strings.Join(want, " "), "linux."+m.file,
			fmt.Sprintf("got %v want %v", got, want))
	}
	keys := make([]string, 0, len(l.Sysctl))
	for k := range l.Sysctl {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d, err := os.ReadFile("/proc/sys/" + strings.ReplaceAll(k, ".", "/"))
		got := strings.Join(strings.Fields(string(d)), " ")
		t.ok(err == nil && got == l.Sysctl[k], "linux.sysctl "+k,
			"got ", got, " want ", l.Sysctl[k], " ", err)
	}
	for _, d := range l.Devices {
		checkDevice(t, "linux.devices "+d.Path, d.Path, d.Type, d.Major, d.Minor, d.FileMode, d.UID, d.GID)
	}
	for _, d := range []struct {
		path         string
		major, minor int64
	}{{"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/full", 1, 7},
		{"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}} {
		checkDevice(t, "default device "+d.path, d.path, "c", d.major, d.minor, nil, nil, nil)
	}
	for link, target := range map[string]string{"/dev/fd": "/proc/self/fd",
		"/dev/stdin": "/proc/self/fd/0", "/dev/stdout": "/proc/self/fd/1",
		"/dev/stderr": "/proc/self/fd/2"} {
		got, err := os.Readlink(link)
		t.ok(err == nil && got == target, "default symlink "+link, "got ", got, " ", err)
	}
	_, err := os.Stat("/dev/ptmx")
	t.ok(err == nil, "default /dev/ptmx", err)
	for _, p := range l.MaskedPaths {
		checkMasked(t, p)
	}
	for _, p := range l.ReadonlyPaths {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		var st unix.Statfs_t
		err := unix.Statfs(p, &st)
		t.ok(err == nil && st.Flags&unix.ST_RDONLY != 0, "linux.readonlyPaths "+p,
			"flags ", st.Flags, " ", err)
	}
	if l.Seccomp != nil {
		t.ok(procStatus("Seccomp") == "2", "linux.seccomp: filter mode",
			"Seccomp: ", procStatus("Seccomp"))
		for _, sc := range l.Seccomp.Syscalls {
			if len(sc.Names) == 1 && sc.Names[0] == "getcpu" &&
				sc.Action == rspec.ActErrno && sc.ErrnoRet != nil {
				var cpu, node uint32
				_, _, e := syscall.RawSyscall(unix.SYS_GETCPU,
					uintptr(unsafe.Pointer(&cpu)), uintptr(unsafe.Pointer(&node)), 0)
				t.ok(uint(e) == *sc.ErrnoRet, "linux.seccomp: getcpu fails with errnoRet",
					"errno ", uint(e), " want ", *sc.ErrnoRet)
			}
		}
	}
	if l.RootfsPropagation != "" {
		opt := mountinfoOptional("/")
		want := map[string]string{"private": "", "rprivate": "", "slave": "master:",
			"rslave": "master:", "shared": "shared:", "rshared": "shared:"}[l.RootfsPropagation]
		good := (want == "" && opt == "") || (want != "" && strings.Contains(opt, want))
		t.ok(good, "linux.rootfsPropagation "+l.RootfsPropagation, "optional fields of /: ", opt)
	}
}

// checkDevice compares a device node with the config: type, numbers and,
// when given, mode and owner.
func checkDevice(t *tap, desc, path, typ string, major, minor int64,
	mode *os.FileMode, uid, gid *uint32) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.ok(false, desc, err)
		return
	}
	fmtBits := map[string]uint32{"c": unix.S_IFCHR, "u": unix.S_IFCHR,
		"b": unix.S_IFBLK, "p": unix.S_IFIFO}[typ]
	good := st.Mode&unix.S_IFMT == fmtBits
	if typ != "p" {
		good = good && int64(unix.Major(st.Rdev)) == major && int64(unix.Minor(st.Rdev)) == minor
	}
	if mode != nil {
		good = good && os.FileMode(st.Mode&07777) == *mode&07777
	}
	if uid != nil {
		good = good && st.Uid == *uid
	}
	if gid != nil {
		good = good && st.Gid == *gid
	}
	t.ok(good, desc, fmt.Sprintf("mode %o rdev %d:%d owner %d:%d",
		st.Mode, unix.Major(st.Rdev), unix.Minor(st.Rdev), st.Uid, st.Gid))
}

// checkMasked: a masked path reads as nothing (a file) or is empty (a
// directory); one that does not exist needs no mask.
func checkMasked(t *tap, p string) {
	fi, err := os.Stat(p)
	if err != nil {
		return
	}
	if fi.IsDir() {
		ents, err := os.ReadDir(p)
		t.ok(err != nil || len(ents) == 0, "linux.maskedPaths "+p, len(ents), " entries")
		return
	}
	f, err := os.Open(p)
	if err != nil {
		t.ok(true, "linux.maskedPaths "+p)
		return
	}
	buf := make([]byte, 16)
	n, _ := f.Read(buf)
	f.Close()
	t.ok(n <= 0, "linux.maskedPaths "+p, "read ", n, " bytes")
}

// mountinfoOptional returns the optional fields (shared:N, master:N) of
// the last mount on dir in /proc/self/mountinfo.
func mountinfoOptional(dir string) string {
	opt := ""
	for _, f := range mountinfo() {
		if f[4] != dir {
			continue
		}
		o := []string{}
		for _, x := range f[6:] {
			if x == "-" {
				break
			}
			o = append(o, x)
		}
		opt = strings.Join(o, " ")
	}
	return opt
}

// mountinfo returns the fields of each line of /proc/self/mountinfo.
func mountinfo() [][]string {
	d, _ := os.ReadFile("/proc/self/mountinfo")
	var out [][]string
	for _, l := range strings.Split(string(d), "\n") {
		if f := strings.Fields(l); len(f) > 7 {
			out = append(out, f)
		}
	}
	return out
}

// checkMounts: each mount of the config is a mount point of that type
// (bind mounts: a mount point), read-only when its options say ro.
func checkMounts(t *tap, s *rspec.Spec) {
	mi := mountinfo()
	for _, m := range s.Mounts {
		var found []string
		for _, f := range mi {
			if f[4] == filepath.Clean(m.Destination) {
				found = f
			}
		}
		if found == nil {
			t.ok(false, "mounts "+m.Destination, "not a mount point")
			continue
		}
		fstype := ""
		for i, x := range found {
			if x == "-" && i+1 < len(found) {
				fstype = found[i+1]
			}
		}
		// a bind mount shows the source's type; cgroup v1 trees are a
		// tmpfs of per-controller mounts
		good := m.Type == "" || m.Type == "bind" || m.Type == fstype ||
			(m.Type == "cgroup" && (fstype == "tmpfs" || fstype == "cgroup2"))
		ro := false
		for _, o := range m.Options {
			good = good || o == "bind" || o == "rbind"
			ro = ro || o == "ro"
		}
		if ro {
			good = good && strings.Contains(","+found[5]+",", ",ro,")
		}
		t.ok(good, "mounts "+m.Destination, "mountinfo: ", strings.Join(found, " "))
	}
}

#!/usr/bin/env python3
"""Start-time benchmark of nook against the floor and its peers.

Driven by bench/spawn.sh, which installs the peers, builds a throw-away
read-only busybox root with a tiny static /bin/true and passes everything
here.  This script only prepares the configs, probes each variant once,
hands the timed runs to the C runner (bench/spawn/runner.c: posix_spawn,
waitpid, CLOCK_MONOTONIC, so no Python loop sits inside a measurement) and
turns the runner's raw lines into medians, spreads, per-round ratios and the
target checks.  Nothing passes or fails on timing: it reports.

Only processes started here are ever signalled, by pid (the runner kills a
start after its timeout); runc and crun containers get ids with a per-run
prefix and are `delete -f`-ed at the end.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

# nook's default seccomp denials (nook.ini(5), [security] seccomp), for the
# OCI bundle: the plain names, without nook's argument filters
NOOK_DENY = """kexec_load kexec_file_load init_module finit_module delete_module
bpf perf_event_open add_key keyctl request_key open_by_handle_at
name_to_handle_at io_uring_setup io_uring_enter io_uring_register swapon
swapoff acct settimeofday clock_settime clock_adjtime adjtimex userfaultfd
iopl ioperm syslog quotactl quotactl_fd lookup_dcookie uselib nfsservctl
create_module get_kernel_syms query_module memfd_secret kcmp mbind
move_pages set_mempolicy set_mempolicy_home_node mount umount2 pivot_root
fsopen fsconfig fsmount fspick move_mount open_tree mount_setattr""".split()

# Docker's 14 capabilities, nook's [capabilities] keep = default
DOCKER_CAPS = ["CAP_" + c for c in """AUDIT_WRITE CHOWN DAC_OVERRIDE FOWNER
FSETID KILL MKNOD NET_BIND_SERVICE NET_RAW SETFCAP SETGID SETPCAP SETUID
SYS_CHROOT""".split()]

ID_PREFIX = "nookbench-"
# the floor's private id range: below 2^31, where nook never takes one
IDMAP_BASE = 1000000000


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def pct(v, p):
    """Nearest-rank percentile of a non-empty list."""
    v = sorted(v)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]


# ---------------------------------------------------------------- variants

class Variant:
    """One way of starting the sandbox: argv may hold "{}", which the
    runner replaces with an id unique to each start."""

    def __init__(self, key, name, argv, note, sizes=(), cleanup=None,
                 ablation=False):
        self.key, self.name, self.argv, self.note = key, name, argv, note
        self.sizes, self.cleanup = list(sizes), cleanup
        # one of nook's defaults turned off: timed one at a time only, and
        # shown in its own table, as what that default costs
        self.ablation = ablation


# nook's defaults one at a time turned off (--ablation): the key=value
# given with -s, and what that removes
ABLATION = [
    ("net", ["namespaces.net=host"],
     "the network namespace and lo up (the host's network)"),
    ("time", ["namespaces.time=host"], "the time namespace"),
    ("idmap", ["user.uid_map=0 0 1", "user.gid_map=0 0 1"],
     "the private id range and the idmapped root (root mapped to root)"),
    ("sys", ["filesystem.sys=no"], "/sys"),
    ("dev", ["filesystem.dev=none"], "the minimal /dev (no /dev at all)"),
    ("tmp", ["filesystem.tmp=no"], "the tmpfs on /tmp"),
    ("masks", ["filesystem.mask=", "filesystem.readonly_path="],
     "the masked and read-only paths of /proc and /sys"),
    ("seccomp", ["security.seccomp=none"], "the seccomp filter"),
    ("caps", ["capabilities.keep=all"],
     "dropping capabilities (all kept)"),
    ("init", ["init.mode=direct"], "nook-init as PID 1 (mode = direct)"),
]


def write_ini(path, text):
    with open(path, "w") as f:
        f.write("# written by bench/spawn/bench.py\n" + text)


def nook_configs(tmp, rootfs):
    full = os.path.join(tmp, "nook.ini")
    write_ini(full, f"[process]\ncommand = /bin/true\n\n"
              f"[rootfs]\npath = {rootfs}\n")
    bw = os.path.join(tmp, "nook-bwrap.ini")
    # what `bwrap --unshare-all --die-with-parent --ro-bind R / --proc /proc
    # --dev /dev` is given, as root: seven namespaces (no time), root mapped
    # to root alone, a read-only root, /proc with bwrap's four read-only
    # paths, a minimal /dev, every capability, no_new_privs, no seccomp
    # filter; bwrap stays PID 1 as a reaper, so nook keeps its init
    write_ini(bw, f"""[process]
command = /bin/true

[namespaces]
time = host

[user]
uid_map = 0 0 1
gid_map = 0 0 1

[rootfs]
path = {rootfs}

[filesystem]
sys = no
tmp = no
mask =
readonly_path =
readonly_path = /proc/sys
readonly_path = /proc/sysrq-trigger
readonly_path = /proc/irq
readonly_path = /proc/bus

[capabilities]
keep = all

[security]
seccomp = none
block_tiocsti = no
""")
    return full, bw


def oci_bundle(bdir, spec_tool, rootfs, time_ns):
    """An OCI bundle equivalent to nook's defaults, from `TOOL spec`."""
    os.makedirs(bdir)
    subprocess.run([spec_tool, "spec", "--bundle", bdir], check=True,
                   stdout=subprocess.DEVNULL)
    cfgf = os.path.join(bdir, "config.json")
    with open(cfgf) as f:
        c = json.load(f)
    p = c["process"]
    p["args"] = ["/bin/true"]
    p["terminal"] = False
    p.pop("rlimits", None)      # root here lacks CAP_SYS_RESOURCE
    for k in ("bounding", "effective", "permitted"):
        p["capabilities"][k] = DOCKER_CAPS
    p["capabilities"].pop("inheritable", None)
    p["capabilities"].pop("ambient", None)
    c["root"] = {"path": rootfs, "readonly": True}
    c["mounts"].append({"destination": "/tmp", "type": "tmpfs",
                        "source": "tmpfs",
                        "options": ["nosuid", "nodev", "mode=1777"]})
    lx = c["linux"]
    have = {n["type"] for n in lx["namespaces"]}
    for ns in ["user", "cgroup"] + (["time"] if time_ns else []):
        if ns not in have:
            lx["namespaces"].append({"type": ns})
    lx["uidMappings"] = [{"containerID": 0, "hostID": 0, "size": 65536}]
    lx["gidMappings"] = [{"containerID": 0, "hostID": 0, "size": 65536}]
    lx["seccomp"] = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
                          "SCMP_ARCH_X32"],
        "syscalls": [{"names": NOOK_DENY, "action": "SCMP_ACT_ERRNO",
                      "errnoRet": 1}]}
    with open(cfgf, "w") as f:
        json.dump(c, f, indent=1)


def oci_cleanup(tool):
    def cleanup():
        ls = subprocess.run([tool, "list", "-q"], capture_output=True,
                            text=True)
        left = [c for c in ls.stdout.split() if c.startswith(ID_PREFIX)]
        for c in left:
            subprocess.run([tool, "delete", "-f", c],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        return left
    return cleanup


def make_variants(a, tmp):
    R, B = a.rootfs, a.bin
    true = os.path.join(R, "bin", "true")
    floor = os.path.join(B, "floor")
    v = [Variant("true", "static true, no sandbox", [true],
                 "the runner's own cost: posix_spawn, exec of the static "
                 "true, waitpid; no namespace, no mount")]
    v.append(Variant("floor", "floor", [floor, R, "/bin/true"],
                     "clone3 of 8 namespaces, uid/gid map 0 0 65536, "
                     "/ made a slave, read-only clone of the root, fresh "
                     "/proc, pivot_root, exec",
                     [("floor", floor)]))
    v.append(Variant("floor-idmap", "floor, idmapped",
                     [floor, "-i", "-m", str(IDMAP_BASE), R, "/bin/true"],
                     f"the floor with a private id range (0 {IDMAP_BASE} "
                     "65536) and the root an idmapped mount through the "
                     "container's user namespace, made by the parent and "
                     "passed over a socket, as nook's default does",
                     [("floor", floor)]))
    v.append(Variant("bare", "floor, bare", [floor, "-b", R, "/bin/true"],
                     "clone3 of 8 namespaces, uid/gid map, exec of "
                     "ROOT/bin/true from the host's tree: no mount",
                     [("floor", floor)]))
    if a.net_host:
        v.append(Variant("floor-nonet", "floor, net = host",
                         [floor, "-n", R, "/bin/true"],
                         "the floor without a new network namespace",
                         [("floor", floor)]))
    if a.nook_init:
        # what the kernel alone charges for two of nook's defaults: the
        # same floor with nook-init as PID 1, and with a seccomp filter too
        v.append(Variant("floor-init", "floor + nook-init",
                         [floor, "-I", a.nook_init, R, "/bin/true"],
                         "the floor, exec'ing nook-init (opened before the "
                         "clone) as PID 1, which starts /bin/true: the "
                         "kernel's price of an init",
                         [("floor", floor)]))
        v.append(Variant("floor-init-sc", "floor + nook-init + filter",
                         [floor, "-s", "-I", a.nook_init, R, "/bin/true"],
                         "the same with a seccomp filter of one instruction "
                         "loaded before the exec: the kernel's price of "
                         "any filter on top",
                         [("floor", floor)]))
        # and with the kernel's side of every other default too
        v.append(Variant("floor-all", "floor + every default",
                         [floor, "-a", "-i", "-m", str(IDMAP_BASE), "-s",
                          "-I", a.nook_init, R, "/bin/true"],
                         "the same with the system calls of all nook's "
                         "other defaults and none of its code: private id "
                         "range and idmapped root, a cgroup, hostname, lo "
                         "up, nook's /dev, /tmp, /sys with its cgroup tree, "
                         "masked and read-only paths, capabilities, "
                         "no_new_privs, nook-init from a sealed memfd",
                         [("floor", floor)]))
    if a.nook:
        full, bw = nook_configs(tmp, R)
        nook = [a.nook, "-s", f"container.name={ID_PREFIX}{{}}"]
        sizes = [("nook", a.nook), ("nook-init", a.nook_init)]
        v.append(Variant("nook", "nook", nook + [full],
                         "defaults: 8 namespaces, private id range with "
                         "idmapped root, read-only root, /proc, /sys, "
                         "minimal /dev, /tmp, masks, capabilities, seccomp, "
                         "cgroup, lo up, a record, nook-init from its memfd "
                         "as PID 1", sizes))
        v.append(Variant("direct", "nook, mode = direct",
                         nook + ["-s", "init.mode=direct", full],
                         "the same, /bin/true is PID 1: no nook-init", sizes))
        v.append(Variant("nook-bw", "nook, as bwrap", nook + [bw],
                         "nook given what bwrap is: no time namespace, "
                         "uid_map/gid_map 0 0 1, no /sys, no /tmp, no masks, "
                         "bwrap's 4 read-only /proc paths, keep = all, no "
                         "seccomp; nook-init as PID 1 (bwrap stays PID 1 "
                         "too); still a cgroup, lo up and a record, which "
                         "no key turns off", sizes))
        if a.ablation:
            for key, sets, what in ABLATION:
                argv = list(nook)
                for kv in sets:
                    argv += ["-s", kv]
                v.append(Variant("ab-" + key, "without " + what,
                                 argv + [full], what, ablation=True))
        if a.net_host:
            v.append(Variant("nook-nonet", "nook, net = host",
                             nook + ["-s", "namespaces.net=host", full],
                             "nook's defaults in the host's network "
                             "namespace (/sys bound from the host)", sizes))
    if a.unshare:
        v.append(Variant("unshare", "unshare",
                         [a.unshare, "--user", "--map-root-user", "--pid",
                          "--mount", "--net", "--uts", "--ipc", "--cgroup",
                          "--time", "--fork", "--kill-child",
                          "--mount-proc", f"--root={R}",
                          "/bin/true"],
                         "util-linux: 8 namespaces, root mapped alone, "
                         "fresh /proc, chroot (no pivot_root, root not "
                         "read-only)", [("unshare", a.unshare)]))
    if a.bwrap:
        v.append(Variant("bwrap", "bwrap",
                         [a.bwrap, "--unshare-all", "--die-with-parent",
                          "--ro-bind", R, "/", "--proc", "/proc", "--dev",
                          "/dev", "/bin/true"],
                         "--unshare-all: 7 namespaces (no time), root mapped "
                         "alone, read-only root, /proc, /dev, lo up; no /sys, "
                         "no seccomp, capabilities kept as root; bwrap is "
                         "PID 1", [("bwrap", a.bwrap)]))
    for tool, key, time_ns in ((a.runc, "runc", False),
                               (a.crun, "crun", True)):
        if not tool:
            continue
        bdir = os.path.join(tmp, f"bundle-{key}")
        oci_bundle(bdir, tool, R, time_ns)
        v.append(Variant(key, key,
                         [tool, "run", "--bundle", bdir, ID_PREFIX + "{}"],
                         "OCI bundle like nook's defaults: pid, mount, net, "
                         "uts, ipc, user (0 0 65536), cgroup"
                         + (", time" if time_ns else " (runc 1.1 has no "
                            "time namespace)")
                         + "; read-only root, /proc, /dev, /sys, /tmp, masks,"
                         " 14 capabilities, seccomp with nook's deny list, a "
                         "cgroup; /bin/true is PID 1",
                         [(key, tool)], oci_cleanup(tool)))
    if a.nspawn:
        v.append(Variant("nspawn", "systemd-nspawn",
                         [a.nspawn, "-q", "-D", R, "-M", ID_PREFIX + "{}",
                          "--register=no", "--keep-unit", "--as-pid2",
                          "--read-only", "--private-network",
                          "--private-users=0:65536", "--timezone=off",
                          "/bin/true"],
                         "pid, mount, net, uts, ipc, user (0:65536); no "
                         "time namespace; read-only root, /proc, /sys, /dev, "
                         "/run, /tmp; seccomp; capabilities dropped; a stub "
                         "init is PID 1; --register=no --keep-unit (no "
                         "system bus here)", [("systemd-nspawn", a.nspawn)]))
    return v


def probe(variants, tmp):
    """One untimed run of each; a variant that fails is skipped, with why."""
    ok, skipped = [], {}
    for i, v in enumerate(variants):
        argv = [x.replace("{}", f"probe-{os.getpid()}-{i}") for x in v.argv]
        try:
            p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True,
                               errors="replace", timeout=30)
            rc, err = p.returncode, p.stderr
        except subprocess.TimeoutExpired as e:
            rc, err = "a timeout", str(e.stderr or "")
        if rc == 0:
            ok.append(v)
            continue
        why = " ".join(err.split())[:300] or f"exit status {rc}"
        skipped[v.key] = (v.name, why)
        log(f"  {v.name}: cannot run here: {why}")
    return ok, skipped


# ---------------------------------------------------------------- runner

def write_spec(variants, path):
    with open(path, "w") as f:
        for v in variants:
            f.write("\t".join([v.key] + v.argv) + "\n")


def run_runner(a, mode, opts, spec, errdir):
    argv = [os.path.join(a.bin, "runner"), mode] + opts + ["-e", errdir,
                                                           spec]
    p = subprocess.run(argv, stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        log(f"bench/spawn: runner {mode} exited {p.returncode}")
        sys.exit(1)
    names, rows = {}, []
    for line in p.stdout.splitlines():
        f = line.split()
        if f[0] == "variant":
            names[int(f[1])] = f[2]
        else:
            rows.append([f[0]] + [int(x) for x in f[1:]])
    return names, rows


def seq_stats(names, rows):
    """Per variant: times (ms) and failures; per round, the time of each."""
    T = {k: {"ms": [], "cpu": [], "bad": {}, "round": {}, "cround": {}}
         for k in names.values()}
    for _, rnd, var, ns, st, cpu in rows:
        t = T[names[var]]
        if st != 0:
            key = "timeout" if st < 0 else f"exit {st}"
            t["bad"][key] = t["bad"].get(key, 0) + 1
            continue
        t["ms"].append(ns / 1e6)
        t["cpu"].append(cpu / 1e6)
        t["round"][rnd] = ns / 1e6
        t["cround"][rnd] = cpu / 1e6
    for t in T.values():
        v = t["ms"]
        t.update(n=len(v), median=statistics.median(v) if v else None,
                 p10=pct(v, 10) if v else None,
                 p90=pct(v, 90) if v else None,
                 cpu_median=statistics.median(t["cpu"]) if v else None)
    return T


def par_stats(names, rows):
    P = {k: {"rate": [], "failed": 0, "round": {}} for k in names.values()}
    for _, rnd, var, ok, failed, window in rows:
        p = P[names[var]]
        rate = ok / (window / 1e9)
        p["rate"].append(rate)
        p["failed"] += failed
        if ok:
            p["round"][rnd] = rate
    for p in P.values():
        v = p["rate"]
        p.update(median=statistics.median(v) if v else None,
                 lo=min(v) if v else None, hi=max(v) if v else None)
    return P


def ratio(S, key, ref, field="round"):
    """Median over rounds of S[key]/S[ref] in the same round."""
    if key not in S or ref not in S:
        return None
    a, b = S[key][field], S[ref][field]
    r = [a[i] / b[i] for i in a if i in b and b[i]]
    return statistics.median(r) if r else None


# ---------------------------------------------------------------- report

def fmt(v, spec=".2f", none="n/a"):
    return none if v is None else format(v, spec)


def xfmt(v):
    return "n/a" if v is None else f"{v:.2f}x"


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    distro = ""
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    distro = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
            f"{cpu}, kernel {platform.release()}, {distro}; load average "
            f"at start {load}")


def read_first(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def wake_up(a):
    """The runner's pipe round trips on one CPU and across two, and how
    idle CPUs wait: what a hand-over between processes costs here."""
    p = subprocess.run([os.path.join(a.bin, "runner"), "wake", "-n", "400"],
                       capture_output=True, text=True)
    trips, cost = {}, {}
    for line in p.stdout.splitlines():
        f = line.split()
        if len(f) == 4 and f[0] == "wake":
            trips[f[1]] = (int(f[2]) / 1000, int(f[3]) / 1000)
        if len(f) == 3 and f[0] == "cost":
            cost[f[1]] = int(f[2]) / 1000
    if "same" not in trips:
        return None
    text = ("a one-byte pipe round trip between two processes (the other "
            "idle 0.2 ms before each), median (p90): "
            f"{trips['same'][0]:.1f} ({trips['same'][1]:.1f}) us on one CPU")
    if "cross" in trips:
        text += (f", {trips['cross'][0]:.1f} ({trips['cross'][1]:.1f}) us "
                 "across two")
    idle = read_first("/sys/devices/system/cpu/cpuidle/current_driver")
    poll = read_first("/sys/module/haltpoll/parameters/guest_halt_poll_ns")
    if idle:
        text += f"; cpuidle driver {idle}"
        if idle == "haltpoll" and poll is not None:
            text += f", guest_halt_poll_ns {poll}"
    if len(cost) == 3:
        text += (f". And the kernel's smallest steps, which a start takes "
                 f"hundreds of times: a system call {cost['syscall']:.2f} "
                 f"us, a page fault {cost['fault']:.1f} us, a copy-on-write "
                 f"fault after a fork {cost['cow']:.1f} us")
    return text


def size_of(path, tmp):
    dst = os.path.join(tmp, "strip-" + os.path.basename(path))
    shutil.copyfile(path, dst)
    subprocess.run(["strip", dst], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    dyn = subprocess.run(["readelf", "-d", dst], capture_output=True,
                         text=True).stdout
    st = os.stat(dst).st_size
    os.unlink(dst)
    return st, "dynamic" if "(NEEDED)" in dyn else "static"


def print_ablation(vs, T):
    """What each default costs: nook less nook without it, per round."""
    ab = [v for v in vs if v.ablation]
    if not ab or "nook" not in T:
        return
    nook = T["nook"]
    print("Where nook's time goes: nook with its defaults against nook with "
          "one of them turned off (`-s KEY=VALUE`), in the same rounds; "
          "the cost is the median over rounds of the difference. What is "
          "left after all of them is nook's own start, the record, the "
          "cgroup and the floor's work.")
    print()
    print("| turned off | median ms | cost ms | share of nook | CPU cost ms |")
    print("|---|---:|---:|---:|---:|")
    total = 0.0
    for v in ab:
        t = T[v.key]
        d = [nook["round"][i] - t["round"][i] for i in t["round"]
             if i in nook["round"]]
        c = [nook["cround"][i] - t["cround"][i] for i in t["cround"]
             if i in nook["cround"]]
        cost = statistics.median(d) if d else None
        cpu = statistics.median(c) if c else None
        if cost is not None:
            total += cost
        share = (None if cost is None or not nook["median"] else
                 100 * cost / nook["median"])
        print(f"| {v.note} | {fmt(t['median'])} | {fmt(cost, '+.3f')} | "
              f"{fmt(share, '.0f')}% | {fmt(cpu, '+.3f')} |")
    rest = None if nook["median"] is None else nook["median"] - total
    print(f"| (sum of the above) | | {total:+.3f} | "
          f"{fmt(None if rest is None else 100 * total / nook['median'], '.0f')}% | |")
    fl = T.get("floor", {}).get("median")
    print(f"| (left: nook {fmt(nook['median'])} ms less the sum) | | "
          f"{fmt(rest, '.3f')} | | floor {fmt(fl)} ms |")


def print_kernel_prices(T):
    """What the kernel alone charges for an init and a filter, priced
    on the floor, against what they cost nook: where the first is above a
    target, no spawner with those defaults can meet it on this machine."""
    if "floor-init" not in T or "floor" not in T:
        return

    def cost(a, b):
        d = [T[a]["round"][i] - T[b]["round"][i] for i in T[a]["round"]
             if i in T[b]["round"]]
        return statistics.median(d) if d else None

    print("What the kernel alone charges for two of nook's defaults, "
          "priced on the floor (cost = median over rounds of the "
          "difference):")
    print()
    fi, fs = cost("floor-init", "floor"), None
    if "floor-init-sc" in T:
        fs = cost("floor-init-sc", "floor-init")
    ni = cost("nook", "direct") if "direct" in T else None
    print(f"- an init as PID 1 (nook-init's exec, its vfork and exec of "
          f"the command, one more exit): floor {fmt(fi, '+.3f')} ms, "
          f"{xfmt(ratio(T, 'floor-init', 'floor'))} the floor; in nook "
          f"(`mode = init` less `mode = direct`) {fmt(ni, '+.3f')} ms")
    if fs is not None:
        print(f"- a seccomp filter of one instruction: {fmt(fs, '+.3f')} "
              f"ms; the floor with both: "
              f"{xfmt(ratio(T, 'floor-init-sc', 'floor'))} the floor")
    if "floor-all" in T:
        fa = cost("floor-all", "floor-init-sc")
        print(f"- the kernel's side of every other default (the floor's "
              f"-a): {fmt(fa, '+.3f')} ms; the floor with all of them: "
              f"{fmt(T['floor-all']['median'])} ms, "
              f"{xfmt(ratio(T, 'floor-all', 'floor'))} the floor, "
              f"{xfmt(ratio(T, 'floor-all', 'nook'))} nook's time: what "
              "is left of nook's time is its own code")


def print_seq_table(vs, T):
    print("| variant | median ms | p10-p90 ms | x floor | x nook | "
          "CPU ms | CPU x floor | what it does |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for v in vs:
        if v.ablation:
            continue
        t = T[v.key]
        med = fmt(t["median"])
        if t["bad"]:
            med += " (failed " + ", ".join(f"{n}x {k}" for k, n in
                                          t["bad"].items()) + "!)"
        print(f"| {v.name} | {med} | {fmt(t['p10'])}-{fmt(t['p90'])} | "
              f"{xfmt(ratio(T, v.key, 'floor'))} | "
              f"{xfmt(ratio(T, v.key, 'nook'))} | "
              f"{fmt(t['cpu_median'])} | "
              f"{xfmt(ratio(T, v.key, 'floor', 'cround'))} | {v.note} |")


def print_par_table(vs, P, jobs):
    print(f"| variant | starts/s, {jobs} at a time | min-max | x floor "
          "| x nook |")
    print("|---|---:|---:|---:|---:|")
    for v in vs:
        if v.key not in P:
            continue
        p = P[v.key]
        med = fmt(p["median"], ".0f")
        if p["failed"]:
            med += f" ({p['failed']} failed!)"
        print(f"| {v.name} | {med} | {fmt(p['lo'], '.0f')}-"
              f"{fmt(p['hi'], '.0f')} | {xfmt(ratio(P, v.key, 'floor'))} | "
              f"{xfmt(ratio(P, v.key, 'nook'))} |")


def check(ok, what, figures):
    if ok is None:
        print(f"- n/a  {what}: {figures}")
    else:
        print(f"- {'PASS' if ok else 'MISS'} {what}: {figures}")


def print_targets(T, P):
    def med(k):
        return fmt(T[k]["median"]) if k in T else "n/a"

    # what the same target would give the floor doing the kernel's side
    # of every default (floor -a): where it misses too, no code can meet it
    def all_floor(a, b, S=T):
        fa = ratio(S, a, b)
        return "" if fa is None else (f"; the floor with every default: "
                                      f"{xfmt(fa)}")

    r = ratio(T, "nook", "floor")
    fk = ratio(T, "floor-init-sc", "floor")
    check(None if r is None else r <= 1.3,
          "nook full defaults <= 1.3x the floor",
          f"{xfmt(r)} (nook {med('nook')} ms, floor {med('floor')} ms)" +
          ("" if fk is None else f"; the floor itself with nook-init and "
           f"a filter: {xfmt(fk)}") + all_floor("floor-all", "floor"))
    r = ratio(T, "bwrap", "nook")
    check(None if r is None else r >= 2,
          ">= 2x faster than bubblewrap",
          f"bwrap / nook = {xfmt(r)} (bwrap {med('bwrap')} ms)" +
          all_floor("bwrap", "floor-all"))
    r = ratio(T, "runc", "nook")
    check(None if r is None else r >= 10, ">= 10x faster than runc",
          f"runc / nook = {xfmt(r)} (runc {med('runc')} ms)" +
          all_floor("runc", "floor-all"))
    r = ratio(P, "nook", "bwrap")
    rate = {k: fmt(P[k]["median"], ".0f") if k in P else "n/a"
            for k in ("nook", "bwrap")}
    check(None if r is None else r >= 2,
          "containers/s 8 at a time >= 2x bubblewrap's",
          f"nook / bwrap = {xfmt(r)} ({rate['nook']}/s against "
          f"{rate['bwrap']}/s)" + all_floor("floor-all", "bwrap", P))
    r = ratio(T, "nook", "direct")
    fi = ratio(T, "floor-init", "floor")
    check(None if r is None else r <= 1.05,
          "`mode = init` at most 5% over `mode = direct`",
          f"init / direct = {xfmt(r)} ({med('nook')} ms against "
          f"{med('direct')} ms)" +
          ("" if fi is None else f"; the floor with nook-init / the "
           f"floor: {xfmt(fi)}"))


def print_details(vs, T, P, a, tmp, left):
    print("Details:")
    sizes = {}
    for v in vs:
        print(f"- {v.name}: `{' '.join(v.argv)}`")
        for part, path in v.sizes:
            if part not in sizes:
                sizes[part] = size_of(path, tmp)
                st, kind = sizes[part]
                print(f"  - {part}: {st:,} bytes stripped, {kind}")
        bad = T[v.key]["bad"]
        failed = P[v.key]["failed"] if v.key in P else 0
        if bad or failed:
            err = os.path.join(tmp, "err", v.key + ".err")
            text = ""
            if os.path.exists(err):
                with open(err, errors="replace") as f:
                    text = " ".join(f.read().split())[-300:]
            print(f"  - START PROBLEM: one at a time {bad or 'none'}, "
                  f"{failed} failed 8 at a time; stderr: {text}")
        if left.get(v.key):
            print(f"  - CLEANUP: deleted {len(left[v.key])} leftover "
                  "containers")
    if a.nook:
        ver = subprocess.run([a.nook, "--version"], capture_output=True,
                             text=True).stdout.strip()
        print(f"- nook: `{ver}`, copied from {a.nook_source}")


def print_notes(T):
    """Ratios that explain the targets, when their rows are there."""
    notes = [("bwrap", "nook-bw", "bwrap / nook given what bwrap is"),
             ("floor-nonet", "floor", "the floor in the host's network "
              "namespace / the floor"),
             ("nook-nonet", "nook", "nook, net = host / nook"),
             ("floor-idmap", "floor", "the floor with a private range and "
              "an idmapped root / the floor"),
             ("bare", "floor", "the floor without mounts / the floor")]
    for key, ref, what in notes:
        r = ratio(T, key, ref)
        if r is not None:
            cpu = ratio(T, key, ref, "cround")
            print(f"- {what}: {xfmt(r)} (CPU {xfmt(cpu)})")


def print_report(a, vs, T, P, skipped, mach):
    print()
    print(f"nook start-time benchmark, {time.strftime('%Y-%m-%d %H:%M')}")
    print()
    print(f"Machine: {mach}.")
    if a.wake:
        print(f"Wake-ups: {a.wake}. A start hands work between processes "
              "and CPUs several times (spawner and child, init and "
              "command, each exit and its waiter): where a wake-up across "
              "CPUs costs this much more than on one, it is a fixed part "
              "of every start that CPU work saved elsewhere does not "
              "shorten.")
    print(f"Payload: `/bin/true` in a read-only busybox root, {a.payload}. "
          "Runner: bench/spawn/runner.c, posix_spawn to waitpid on "
          "CLOCK_MONOTONIC, all variants interleaved, in a new random order "
          f"every round; {a.runs} rounds after {a.warmup} warm-up. Ratios "
          "are medians of the per-round ratios. Lower is better. CPU ms: "
          "user + system time of the spawner and of all it waited for "
          "(wait4), less stretched by other jobs on the machine than the "
          "wall time, blind to work the kernel does elsewhere (such as "
          "tearing down a network namespace).")
    t = T.get("true")
    if t:
        print("Runner overhead (posix_spawn + exec + waitpid of the static "
              f"true, no sandbox): median {fmt(t['median'], '.3f')} ms, "
              f"p10-p90 {fmt(t['p10'], '.3f')}-{fmt(t['p90'], '.3f')} ms; "
              "it is inside every figure below.")
    print()
    print_seq_table(vs, T)
    print()
    for name, why in skipped.values():
        print(f"{name}: cannot run here: {why}")
    for name, why in a.skipped_peer:
        print(f"{name}: not run: {why}")
    if skipped or a.skipped_peer:
        print()
    print(f"{a.par_jobs} starts kept in flight for {a.par_secs:g} s per "
          f"variant and round, {a.par_rounds} rounds interleaved; starts "
          "that ended inside the window, per second (median of the rounds). "
          "Higher is better; x floor and x nook are rate ratios.")
    print()
    print_par_table(vs, P, a.par_jobs)
    print()
    if any(v.ablation for v in vs):
        print_ablation(vs, T)
        print()
    if "floor-init" in T:
        print_kernel_prices(T)
        print()
    print("Targets (issue 12; ratios within this run):")
    print()
    print_targets(T, P)
    print()
    print("Notes (time ratios within this run):")
    print()
    print_notes(T)
    print()


def measure(a, vs, tmp):
    errdir = os.path.join(tmp, "err")
    os.mkdir(errdir)
    spec = os.path.join(tmp, "spec")
    write_spec(vs, spec)
    log(f"== one at a time: {a.runs} interleaved rounds "
        f"(+{a.warmup} warm-up)")
    names, rows = run_runner(a, "seq", ["-n", str(a.runs), "-w",
                                        str(a.warmup), "-t", str(a.timeout)],
                             spec, errdir)
    T = seq_stats(names, rows)
    log(f"== {a.par_jobs} at a time: {a.par_rounds} rounds of "
        f"{a.par_secs:g} s each")
    pspec = os.path.join(tmp, "spec-par")
    write_spec([v for v in vs if not v.ablation], pspec)
    names, rows = run_runner(a, "par", ["-n", str(a.par_rounds), "-j",
                                        str(a.par_jobs), "-d",
                                        str(a.par_secs), "-t",
                                        str(a.timeout)], pspec, errdir)
    return T, par_stats(names, rows)


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rootfs", required=True)
    ap.add_argument("--bin", required=True, help="dir with runner and floor")
    ap.add_argument("--payload", default="static true")
    ap.add_argument("--nook")
    ap.add_argument("--nook-init")
    ap.add_argument("--nook-source")
    for peer in ("unshare", "bwrap", "runc", "crun", "nspawn"):
        ap.add_argument("--" + peer)
    ap.add_argument("--skipped", action="append", default=[],
                    metavar="NAME=WHY")
    ap.add_argument("--net-host", action="store_true")
    ap.add_argument("--ablation", action="store_true",
                    help="also nook with each default turned off alone")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--par-rounds", type=int, default=4)
    ap.add_argument("--par-jobs", type=int, default=8)
    ap.add_argument("--par-secs", type=float, default=1.5)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--json")
    ap.add_argument("--tmpdir", help="where to keep configs and bundles")
    a = ap.parse_args()
    a.skipped_peer = [s.partition("=")[::2] for s in a.skipped]
    return a


def main():
    a = parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-spawn-", dir=a.tmpdir)
    t_all = time.monotonic()
    vs, left = [], {}
    mach = machine()
    a.wake = wake_up(a)
    try:
        vs = make_variants(a, tmp)
        log("== probe: one run each")
        vs, skipped = probe(vs, tmp)
        if not any(v.key == "floor" for v in vs):
            log("bench/spawn: the floor itself cannot run here")
            sys.exit(1)
        T, P = measure(a, vs, tmp)
    finally:
        for v in vs:
            if v.cleanup:
                left[v.key] = v.cleanup()
    print_report(a, vs, T, P, skipped, mach)
    print_details(vs, T, P, a, tmp, left)
    print(f"- total bench time {time.monotonic() - t_all:.0f} s")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"machine": mach, "wake": a.wake, "seq": T, "par": P,
                       "skipped": skipped}, f, indent=1, default=str)
        print(f"- raw results: {a.json}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Start-time benchmark of nook against other sandbox spawners: bubblewrap,
runc, systemd-nspawn and nsjail (those that are installed).  Driven by
bench/spawn.sh, which installs the peers, builds a throw-away busybox-static
root file system in a temp dir and passes it as --rootfs.

Each peer starts a sandbox on that root which runs /bin/true and exits; the
wall time of the spawner, from posix_spawn() to waitpid(), is measured with
the monotonic clock.  The runs of the peers are interleaved round-robin (and
their order rotated each round) so that the drift of a shared, noisy VM hits
all of them alike, and medians are reported.  Nothing passes or fails on
timing: a peer whose probe run fails is reported and skipped, and a run that
exits non-zero is counted and marked in the table.

Only processes started here are ever signalled, by pid; runc containers get
unique ids with a per-run prefix and are `runc delete -f`-ed at the end.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def median(v):
    return statistics.median(v) if v else None


def pct(v, p):
    """Nearest-rank percentile of a non-empty list."""
    v = sorted(v)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


# ---------------------------------------------------------------- running

DEVNULL_IN = (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0)
DEVNULL_OUT = (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)


def spawn(argv, errlog):
    acts = [DEVNULL_IN, DEVNULL_OUT,
            (os.POSIX_SPAWN_OPEN, 2, errlog,
             os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)]
    return os.posix_spawn(argv[0], argv, os.environ, file_actions=acts)


def children_of(pid):
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
            if int(s[s.rindex(")") + 2:].split()[1]) == pid:
                kids.append(int(d))
        except (OSError, ValueError):
            pass
    return kids


def kill_tree_leader(pid):
    """SIGKILL a process we spawned (by pid), and its direct children, which
    it started for us (the spawner under GNU time), then reap it.  Each
    spawner's own parent-death signal takes its sandbox down with it."""
    for p in children_of(pid) + [pid]:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def run_once(argv, errlog, timeout=20.0):
    """(wall ms, exit code) of one run; exit code None on a timeout, after
    which the spawner (the pid we started, and only it) is SIGKILLed: each
    peer then kills its sandbox through its parent-death signal."""
    signal.setitimer(signal.ITIMER_REAL, timeout)
    pid = None
    try:
        t0 = time.perf_counter_ns()  # CLOCK_MONOTONIC
        pid = spawn(argv, errlog)
        _, st = os.waitpid(pid, 0)
        ms = (time.perf_counter_ns() - t0) / 1e6
        signal.setitimer(signal.ITIMER_REAL, 0)
        return ms, os.waitstatus_to_exitcode(st)
    except Timeout:
        if pid:
            log(f"  timeout: killing pid {pid} ({argv[0]})")
            kill_tree_leader(pid)
        return None, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def status_kib(pid, keys):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in keys:
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


# ---------------------------------------------------------------- peers

class Peer:
    """One way of starting the sandbox.  argv(i, cmd) gives the command line
    of run i with the container command cmd (a list)."""

    def __init__(self, name, binary, argv, note, sizes, cleanup=None):
        self.name, self.binary, self.argv = name, binary, argv
        self.note, self.sizes, self.cleanup = note, sizes, cleanup


def write_nook_conf(path, rootfs, direct):
    with open(path, "w") as f:
        f.write("# written by bench/spawn/bench.py\n"
                "[container]\nname = bench\n\n"
                f"[rootfs]\npath = {rootfs}\n\n"
                "[process]\ncommand = /bin/true\n")
        if direct:
            f.write("\n[init]\nmode = direct\n")


def runc_bundle(bdir, rootfs, args):
    os.makedirs(bdir)
    subprocess.run(["runc", "spec", "--bundle", bdir], check=True)
    cfgf = os.path.join(bdir, "config.json")
    with open(cfgf) as f:
        c = json.load(f)
    c["process"]["args"] = args
    c["process"]["terminal"] = False
    # root here has no CAP_SYS_RESOURCE: runc could not set the default
    # RLIMIT_NOFILE of the spec
    c["process"].pop("rlimits", None)
    c["root"] = {"path": rootfs, "readonly": True}
    c["mounts"].append({"destination": "/tmp", "type": "tmpfs",
                        "source": "tmpfs",
                        "options": ["nosuid", "nodev", "mode=1777"]})
    with open(cfgf, "w") as f:
        json.dump(c, f, indent=1)
    return c


def make_peers(a, tmp):
    R = a.rootfs
    peers = []
    nook_conf = os.path.join(tmp, "bench.ini")
    nook_direct = os.path.join(tmp, "bench-direct.ini")
    write_nook_conf(nook_conf, R, False)
    write_nook_conf(nook_direct, R, True)
    # nook-init is found next to nook: both were copied into the same dir
    if a.nook:
        nook_sizes = [("nook", a.nook), ("nook-init", a.nook_init)]
        peers.append(Peer(
            "nook", a.nook,
            lambda i, cmd: [a.nook, nook_conf, "--"] + cmd,
            "8 new namespaces (user, pid, mount, net, uts, ipc, cgroup, "
            "time); read-only root; /proc, /sys (ro), minimal /dev (tmpfs + "
            "device binds, devpts, /dev/shm, mqueue), /tmp; masked and "
            "read-only /proc paths; seccomp; capability bounding set; "
            "nook-init copied into a sealed memfd and run as PID 1",
            nook_sizes))
        peers.append(Peer(
            "nook direct", a.nook,
            lambda i, cmd: [a.nook, nook_direct, "--"] + cmd,
            "as nook, with `[init] mode = direct`: the command is PID 1, "
            "no nook-init, no memfd copy",
            nook_sizes))
    if a.bwrap:
        peers.append(Peer(
            "bwrap", a.bwrap,
            lambda i, cmd: [a.bwrap, "--unshare-all", "--ro-bind", R, "/",
                            "--proc", "/proc", "--dev", "/dev",
                            "--tmpfs", "/tmp"] + cmd,
            "--unshare-all: user, pid, mount, net, uts, ipc, cgroup (no time "
            "namespace); read-only root; /proc, /dev (tmpfs + device binds, "
            "devpts), /tmp; no /sys, no masked paths, no seccomp filter; all "
            "capabilities dropped; bwrap itself is PID 1 (a reaper)",
            [("bwrap", a.bwrap)]))
    if a.runc:
        bdir = os.path.join(tmp, "bundle")
        runc_bundle(bdir, R, ["/bin/true"])
        bsleep = os.path.join(tmp, "bundle-sleep")
        runc_bundle(bsleep, R, ["/bin/sleep", "1"])
        prefix = f"nook-bench-{os.getpid()}-"

        def runc_argv(i, cmd):
            b = bdir if cmd == ["/bin/true"] else bsleep
            return [a.runc, "run", "--bundle", b, f"{prefix}{i}"]

        def runc_cleanup():
            ls = subprocess.run([a.runc, "list", "-q"], capture_output=True,
                                text=True)
            left = [c for c in ls.stdout.split() if c.startswith(prefix)]
            for c in left:
                subprocess.run([a.runc, "delete", "-f", c],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            return left

        peers.append(Peer(
            "runc", a.runc, runc_argv,
            "`runc spec` defaults: pid, mount, net, uts, ipc (no user, "
            "cgroup, time namespace); read-only root; /proc, /dev (tmpfs, "
            "devpts, shm, mqueue), /sys (ro), /sys/fs/cgroup (ro), /tmp "
            "added; masked and read-only paths; 3 capabilities kept; no "
            "seccomp filter (the spec has none); a cgroup per container; "
            "the command is PID 1 (no init); the Go binary re-executes "
            "itself as `runc init`",
            [("runc", a.runc)], runc_cleanup))
    if a.nspawn:
        peers.append(Peer(
            "systemd-nspawn", a.nspawn,
            lambda i, cmd: [a.nspawn, "-q", "-D", R, "--register=no",
                            "--keep-unit", "--as-pid2", "--read-only",
                            "--private-network"] + cmd,
            "pid, mount, net (--private-network), uts, ipc (no user, time "
            "namespace); read-only root; /proc, /sys, /dev, /run, /tmp; "
            "seccomp; capabilities dropped; a stub init is PID 1 "
            "(--as-pid2); --register=no --keep-unit: no machined, no scope "
            "unit (there is no system bus here)",
            [("systemd-nspawn", a.nspawn)]))
    if a.nsjail:
        peers.append(Peer(
            "nsjail", a.nsjail,
            lambda i, cmd: [a.nsjail, "-Mo", "--really_quiet", "--chroot", R,
                            "-T", "/tmp", "--"] + cmd,
            "-Mo: user, pid, mount, net, uts, ipc, cgroup; read-only chroot; "
            "/proc, /tmp; rlimits; the command is PID 1",
            [("nsjail", a.nsjail)]))
    return peers


# ---------------------------------------------------------------- metrics

def size_of(path, tmp):
    dst = os.path.join(tmp, "strip-" + os.path.basename(path))
    shutil.copyfile(path, dst)
    subprocess.run(["strip", dst], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    dyn = subprocess.run(["readelf", "-d", dst], capture_output=True,
                         text=True).stdout
    needed = [l.split("[")[-1].rstrip("]") for l in dyn.splitlines()
              if "(NEEDED)" in l]
    # the libraries beyond libc that come with the tool, by their real size
    libs = {}
    ldd = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    for line in ldd.splitlines():
        parts = line.split("=>")
        if len(parts) == 2 and parts[1].strip().startswith("/"):
            lib, p = parts[0].strip(), parts[1].split()[0]
            if lib in needed and not lib.startswith(("libc.so", "libm.so")):
                libs[lib] = os.stat(os.path.realpath(p)).st_size
    st = os.stat(dst).st_size
    os.unlink(dst)
    return {"stripped": st, "orig": os.stat(path).st_size,
            "needed": needed, "libs": libs}


def m_size(peers, tmp):
    out = {}
    for p in peers:
        parts = {n: size_of(path, tmp) for n, path in p.sizes}
        out[p.name] = {"parts": parts,
                       "total": sum(x["stripped"] for x in parts.values()),
                       "libs": sum(sum(x["libs"].values())
                                   for x in parts.values())}
    return out


def probe(peers, tmp):
    ok = []
    skipped = {}
    for p in peers:
        errlog = os.path.join(tmp, f"probe-{p.name}.err".replace(" ", "-"))
        ms, rc = run_once(p.argv("probe", ["/bin/true"]), errlog)
        if rc == 0:
            ok.append(p)
            log(f"  {p.name}: ok ({ms:.1f} ms)")
        else:
            with open(errlog, errors="replace") as f:
                err = " ".join(f.read().split())[:300]
            skipped[p.name] = f"probe run exited {rc}: {err or '(no message)'}"
            log(f"  {p.name}: SKIPPED: {skipped[p.name]}")
    return ok, skipped


def m_start(peers, base_argv, n, warm, tmp):
    cfgs = [("(baseline)", lambda i, cmd: base_argv)] + \
        [(p.name, p.argv) for p in peers]
    names = [c[0] for c in cfgs]
    times = {k: [] for k in names}
    bad = {k: {} for k in names}
    errlogs = {k: os.path.join(tmp, "run-" + k.strip("()").replace(" ", "-")
                               + ".err") for k in names}
    for r in range(warm + n):
        k = r % len(cfgs)
        for name, argv in cfgs[k:] + cfgs[:k]:
            ms, rc = run_once(argv(r, ["/bin/true"]), errlogs[name])
            if rc != 0:
                key = "timeout" if rc is None else rc
                bad[name][key] = bad[name].get(key, 0) + 1
                continue
            if r >= warm:
                times[name].append(ms)
    out = {}
    for name in names:
        v = times[name]
        out[name] = {
            "median_ms": median(v), "n": len(v),
            "p10_ms": pct(v, 10) if v else None,
            "p25_ms": pct(v, 25) if v else None,
            "p75_ms": pct(v, 75) if v else None,
            "p90_ms": pct(v, 90) if v else None,
            "bad": ", ".join(f"{c}x{rc}" for rc, c in bad[name].items()),
            "errlog": errlogs[name],
            "raw_ms": v,
        }
    return out


def m_maxrss(peers, base_argv, gnu_time, reps, tmp):
    """GNU time's %M of each peer starting /bin/true: ru_maxrss from wait(),
    the peak RSS of the spawner and of every process it reaped.  Not measured
    from python: posix_spawn's vfork would charge the driver's own RSS to
    every child.  The baseline gives the floor (time's forked child)."""
    cfgs = [("(baseline)", lambda i, cmd: base_argv)] + \
        [(p.name, p.argv) for p in peers]
    res = {n: [] for n, _ in cfgs}
    out = os.path.join(tmp, "time.out")
    for r in range(reps):
        for name, argv in cfgs:
            ms, rc = run_once([gnu_time, "-f", "%M", "-o", out]
                              + argv(f"rss{r}", ["/bin/true"]),
                              os.path.join(tmp, "rss.err"))
            if rc == 0:
                with open(out) as f:
                    res[name].append(int(f.read().split()[-1]))
    return {n: median(v) for n, v in res.items()}


def m_hwm(peers, reps, tmp):
    """VmHWM / RssAnon of the spawner process itself (the pid we spawned)
    while its container runs /bin/sleep 1; the peers run side by side."""
    res = {p.name: {"VmHWM": [], "RssAnon": []} for p in peers}
    errlog = os.path.join(tmp, "hwm.err")
    for r in range(reps):
        running = [(p, spawn(p.argv(f"hwm{r}", ["/bin/sleep", "1"]), errlog))
                   for p in peers]
        time.sleep(0.6)
        for p, pid in running:
            st = status_kib(pid, ("VmHWM", "RssAnon"))
            for k in st:
                res[p.name][k].append(st[k])
        for p, pid in running:
            signal.setitimer(signal.ITIMER_REAL, 15)
            try:
                os.waitpid(pid, 0)
            except Timeout:
                log(f"  timeout: killing pid {pid} ({p.name})")
                kill_tree_leader(pid)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    return {n: {k: median(v) for k, v in d.items()} for n, d in res.items()}


# ---------------------------------------------------------------- report

def fmt(v, spec, none="n/a"):
    if v is None:
        return none
    return format(v, spec)


def kib(b):
    return f"{b / 1024:,.0f} KiB" if b < 1 << 20 else f"{b / (1 << 20):.1f} MiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rootfs", required=True)
    ap.add_argument("--nook")
    ap.add_argument("--nook-init")
    ap.add_argument("--nook-source",
                    help="the build dir the nook snapshot was copied from")
    ap.add_argument("--bwrap")
    ap.add_argument("--runc")
    ap.add_argument("--nspawn")
    ap.add_argument("--nsjail")
    ap.add_argument("--skipped", action="append", default=[],
                    metavar="NAME=WHY", help="a peer not installed, and why")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--hwm-reps", type=int, default=3)
    ap.add_argument("--rss-reps", type=int, default=5)
    ap.add_argument("--time", default="/usr/bin/time", help="GNU time")
    ap.add_argument("--json")
    a = ap.parse_args()

    signal.signal(signal.SIGALRM, _alarm)
    tmp = tempfile.mkdtemp(prefix="bench-spawn-")
    t_all = time.monotonic()
    peers = []
    try:
        peers = make_peers(a, tmp)
        log("== probe: one run each")
        peers, skipped = probe(peers, tmp)
        for s in a.skipped:
            n, _, why = s.partition("=")
            skipped[n] = why
        if not peers:
            log("bench/spawn: nothing to benchmark")
            sys.exit(1)
        log("== binary sizes")
        S = m_size(peers, tmp)
        log(f"== start time: {a.runs} interleaved runs of each "
            f"(+{a.warmup} warm-up)")
        base = [os.path.join(a.rootfs, "bin", "true")]
        T = m_start(peers, base, a.runs, a.warmup, tmp)
        log(f"== max RSS, GNU time %M ({a.rss_reps} runs each)")
        M = m_maxrss(peers, base, a.time, a.rss_reps, tmp)
        log(f"== spawner VmHWM while the container sleeps 1 s "
            f"({a.hwm_reps} runs each)")
        H = m_hwm(peers, a.hwm_reps, tmp)
        errs = {}
        for name, t in T.items():
            if t["bad"] and os.path.exists(t["errlog"]):
                with open(t["errlog"], errors="replace") as f:
                    errs[name] = " ".join(f.read().split())[:300]
    finally:
        left = {}
        for p in peers:
            if p.cleanup:
                left[p.name] = p.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.monotonic() - t_all

    names = [p.name for p in peers]
    ref = "nook" if "nook" in names else None
    rmed = T[ref]["median_ms"] if ref else None

    print()
    print(f"nook start-time benchmark — {time.strftime('%Y-%m-%d')}, kernel "
          f"{os.uname().release}, {os.cpu_count()} CPUs; sandbox runs "
          f"/bin/true (busybox-static) on a read-only busybox root; "
          f"{a.runs} interleaved runs each; lower is better")
    print()
    print("| peer | median ms | p90 ms | ratio vs nook | size (stripped) "
          "| max RSS, %M (KiB) | spawner VmHWM / RssAnon (KiB) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for n in names:
        t, s, h = T[n], S[n], H[n]
        ratio = (f"{t['median_ms'] / rmed:.2f}x"
                 if rmed and t["median_ms"] else "n/a")
        size = kib(s["total"])
        if len(s["parts"]) > 1:
            size += " (" + " + ".join(kib(x["stripped"])
                                      for x in s["parts"].values()) + ")"
        med = fmt(t["median_ms"], ".2f")
        if t["bad"]:
            med += f" (failed {t['bad']}!)"
        print(f"| {n} | {med} | {fmt(t['p90_ms'], '.2f')} | {ratio} | {size} "
              f"| {fmt(M[n], ',.0f')} "
              f"| {fmt(h['VmHWM'], ',.0f')} / {fmt(h['RssAnon'], ',.0f')} |")
    b = T["(baseline)"]
    print()
    print(f"Baseline, `{os.path.join(a.rootfs, 'bin/true')}` run on the host "
          f"(no sandbox): median {b['median_ms']:.2f} ms, "
          f"p90 {b['p90_ms']:.2f} ms; its max RSS under GNU time "
          f"{fmt(M['(baseline)'], ',.0f')} KiB.")
    if ref:
        others = [n for n in names if n != ref]
        pairs = [f"{n} {T[n]['median_ms'] / rmed:.2f}x" for n in others
                 if T[n]["median_ms"]]
        sz = [f"{n} {S[n]['total'] / S[ref]['total']:.1f}x" for n in others
              if n != "nook direct"]
        print()
        print(f"Summary, peer / nook (> 1: nook is faster or smaller): "
              f"start time {', '.join(pairs)}; size {', '.join(sz)}.")
    for n, why in skipped.items():
        print(f"Skipped {n}: {why}")

    print()
    print("Details:")
    shown = set()
    for p in peers:
        n, t, s = p.name, T[p.name], S[p.name]
        print(f"  {n}: {p.note}.")
        for part, x in s["parts"].items():
            if part in shown:
                continue
            shown.add(part)
            if part in ("nook", "nook-init") and a.nook_source:
                src = os.path.join(a.nook_source, part)
            else:
                src = dict(p.sizes)[part]
            libs = ", ".join(f"{l} {kib(v)}" for l, v in x["libs"].items())
            print(f"    {part}{' ' + src if src else ''}: "
                  f"{x['orig']:,} B on disk, {x['stripped']:,} B stripped; "
                  + ("static" if not x["needed"] else
                     "needs " + " ".join(x["needed"]))
                  + (f"; its own libraries: {libs}" if libs else ""))
        print(f"    start p10/p25/p75/p90 {fmt(t['p10_ms'], '.2f')}/"
              f"{fmt(t['p25_ms'], '.2f')}/{fmt(t['p75_ms'], '.2f')}/"
              f"{fmt(t['p90_ms'], '.2f')} ms over {t['n']} runs"
              + (f"; minus the baseline {t['median_ms'] - b['median_ms']:.2f} ms"
                 if t["median_ms"] else ""))
        if t["bad"]:
            print(f"    START PROBLEM: exit statuses (count x status): "
                  f"{t['bad']}; stderr: {errs.get(n, '')}")
        if left.get(n):
            print(f"    CLEANUP: deleted {len(left[n])} leftover containers")
    print("  size: the binaries stripped (Debian's already are); the "
          "libraries beyond libc that a tool alone needs are listed, not added")
    print("  max RSS, %M: `/usr/bin/time -f %M SPAWNER ...`, the ru_maxrss "
          "of wait(): the peak of the spawner and of every process it "
          "reaped (for runc, its `runc init` child), median of "
          f"{a.rss_reps} runs")
    print("  spawner VmHWM / RssAnon: /proc/PID/status of the spawner "
          "process alone, 0.6 s into a container running /bin/sleep 1")
    print(f"  total bench time {elapsed:.0f} s")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"start": T, "size": S, "hwm": H, "maxrss": M, "skipped": skipped},
                      f, indent=1, default=str)
        print(f"  raw results: {a.json}")


if __name__ == "__main__":
    main()

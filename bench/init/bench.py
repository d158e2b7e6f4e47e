#!/usr/bin/env python3
"""Side-by-side benchmark of nook-init against tini, tini-static, dumb-init
and catatonit.  Driven by bench/init.sh, which installs the inits, compiles
the C helpers of bench/init/ into a temp dir and passes it as --helpers.

Every init runs only as PID 1 of a fresh PID namespace:
    unshare --pid --fork --mount-proc --kill-child -- INIT -- CMD...
never as a plain process on the host (an init's shutdown path may
kill(-1, ...), which on the host would hit every process).

Timings on a shared VM are noisy: each timed metric is repeated, the runs of
the different inits are interleaved (and their order rotated) so that drift
hits all of them alike, and medians are reported.  Nothing here passes or
fails on timing; a broken init (wrong exit status, orphans left unreaped,
signals not forwarded) is reported as such in the table.

Under the ratios, "Targets" holds nook-init to tini-static (--target) on the
three figures issue 12 names - start overhead, init CPU per reaped orphan
and signal round trip - and says "met" or "NOT MET" for each.
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

UNSHARE = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "--"]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def median(v):
    return statistics.median(v) if v else None


# ---------------------------------------------------------------- processes

def ppid_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
        return int(s[s.rindex(")") + 2:].split()[1])
    except (OSError, ValueError):
        return None


def exe_of(pid):
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


def find_child(parent, exe, timeout=10.0):
    """Host pid of the child of `parent` that runs `exe` (waits for its exec)."""
    exe = os.path.realpath(exe)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for d in os.listdir("/proc"):
            if d.isdigit() and ppid_of(d) == parent and exe_of(d) == exe:
                return int(d)
        time.sleep(0.002)
    return None


def status_kib(pid, keys):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in keys:
                out[k] = int(v.split()[0])
    return out


def stop(proc, init_pid):
    """End one namespace we started: SIGTERM to its init (forwarded to the
    child), then SIGKILL to the init and to unshare if still there."""
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            return
        for pid in (init_pid,) if sig == signal.SIGTERM else (init_pid, proc.pid):
            if pid:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            pass


# ---------------------------------------------------------------- metrics

def m_size(inits, tmp):
    res = {}
    for name, path in inits.items():
        dst = os.path.join(tmp, "strip-" + name)
        shutil.copyfile(path, dst)
        subprocess.run(["strip", dst], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dyn = subprocess.run(["readelf", "-d", dst], capture_output=True,
                             text=True).stdout
        needed = [l.split("[")[-1].rstrip("]") for l in dyn.splitlines()
                  if "(NEEDED)" in l]
        res[name] = {"size": os.stat(dst).st_size,
                     "orig_size": os.stat(path).st_size,
                     "static": not needed, "needed": needed}
    return res


def m_rss(inits, reps):
    """VmHWM / RssAnon of the init while its child sleeps 2 s."""
    res = {n: {"VmHWM": [], "RssAnon": [], "VmRSS": []} for n in inits}
    sleep = shutil.which("sleep")
    for _ in range(reps):
        running = []
        for name, path in inits.items():
            p = subprocess.Popen(UNSHARE + [path, "--", sleep, "2"])
            running.append((name, path, p))
        for name, path, p in running:
            ipid = find_child(p.pid, path)
            cpid = ipid and find_child(ipid, sleep)
            if cpid:
                time.sleep(0.2)
                st = status_kib(ipid, ("VmHWM", "RssAnon", "VmRSS"))
                for k in st:
                    res[name][k].append(st[k])
            else:
                log(f"rss: {name}: could not find init/child pid")
        for name, path, p in running:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                stop(p, find_child(p.pid, path, 0.1))
    return {n: {k: median(v) for k, v in d.items()} for n, d in res.items()}


def run_once(argv):
    t0 = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ)
    _, st = os.waitpid(pid, 0)
    return (time.perf_counter_ns() - t0) / 1e6, os.waitstatus_to_exitcode(st)


def m_start(inits, n, warm=10):
    """Per-run ms of `unshare ... INIT -- /bin/true`, and the baseline."""
    true = shutil.which("true")
    cfgs = {"(baseline)": UNSHARE + [true]}
    for name, path in inits.items():
        cfgs[name] = UNSHARE + [path, "--", true]
    names = list(cfgs)
    times = {k: [] for k in names}
    bad = {k: {} for k in names}
    for r in range(warm + n):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            ms, rc = run_once(cfgs[name])
            if rc != 0:
                bad[name][rc] = bad[name].get(rc, 0) + 1
            if r >= warm:
                times[name].append(ms)
    out = {}
    base = median(times["(baseline)"])
    for name in names:
        v = sorted(times[name])
        med = median(v)
        out[name] = {"median_ms": med, "overhead_ms": med - base,
                     "p25_ms": v[len(v) // 4], "p75_ms": v[3 * len(v) // 4],
                     "bad_exit": ", ".join(f"{c}x{rc}" for rc, c in sorted(bad[name].items()))}
    return out


def parse_kv(line):
    return {k: float(v) for k, v in
            (f.split("=", 1) for f in line.split() if "=" in f)}


def m_reap(inits, helpers, n, reps, mode):
    orphans = os.path.join(helpers, "orphans")
    names = list(inits)
    runs = {k: [] for k in names}
    errors = {k: [] for k in names}
    for r in range(reps):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            argv = UNSHARE + [inits[name], "--", orphans, str(n), "30", mode]
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
            try:
                out, _ = p.communicate(timeout=180)
            except subprocess.TimeoutExpired:
                stop(p, find_child(p.pid, inits[name], 0.1))
                errors[name].append("timeout")
                continue
            wall = time.perf_counter() - t0
            line = next((l for l in out.splitlines()
                         if l.startswith("orphans=")), "")
            kv = parse_kv(line)
            if not kv or p.returncode != 0 or kv.get("left", 1) != 0:
                errors[name].append(f"rc={p.returncode} {line.strip()!r}")
            if kv:
                kv["wall_s"] = wall
                runs[name].append(kv)
    out = {}
    for name in names:
        rs = runs[name]

        def med(key):
            v = [x[key] for x in rs if x.get(key, -1) >= 0]
            return median(v)
        cpu_ns = med("init_cpu_ns")
        if cpu_ns is None and med("init_ticks") is not None:
            cpu_ns = med("init_ticks") * 1e9 / os.sysconf("SC_CLK_TCK")
        out[name] = {"wall_s": med("wall_s"), "loop_ms": med("loop_ms"),
                     "drain_ms": med("drain_ms"),
                     "init_cpu_ms": cpu_ns / 1e6 if cpu_ns is not None else None,
                     "cpu_per_orphan_us": cpu_ns / 1e3 / n if cpu_ns is not None else None,
                     "wakeups": med("init_wakeups"),
                     "left_max": max((x.get("left", 0) for x in rs), default=None),
                     "raw": rs,
                     "errors": errors[name], "runs": len(rs)}
    return out


def m_signal(inits, helpers, n, reps, tmp):
    pong = os.path.join(helpers, "pong")
    pinger = os.path.join(helpers, "pinger")
    names = list(inits)
    runs = {k: [] for k in names}
    errors = {k: [] for k in names}
    for r in range(reps):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            fifo = os.path.join(tmp, f"fifo-{name}-{r}")
            os.mkfifo(fifo)
            p = subprocess.Popen(UNSHARE + [inits[name], "--", pong, fifo])
            ipid = find_child(p.pid, inits[name])
            cpid = ipid and find_child(ipid, pong)
            if not cpid:
                errors[name].append("pong not found")
                # unblock pong's open() so that it can exit
                fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
                stop(p, ipid)
                os.close(fd)
                continue
            try:
                q = subprocess.run([pinger, fifo, str(ipid), str(cpid), str(n)],
                                   capture_output=True, text=True, timeout=120)
                if q.returncode == 0:
                    runs[name].append(parse_kv(q.stdout))
                else:
                    errors[name].append(q.stderr.strip() or f"rc={q.returncode}")
            except subprocess.TimeoutExpired:
                errors[name].append("pinger timeout")
            stop(p, ipid)
            os.unlink(fifo)
    out = {}
    for name in names:
        rs = runs[name]
        via = median([x["via_med"] for x in rs])
        direct = median([x["direct_med"] for x in rs])
        out[name] = {"via_us": via, "direct_us": direct,
                     "fwd_us": via - direct if rs else None,
                     "via_p90_us": median([x["via_p90"] for x in rs]),
                     "raw": rs,
                     "errors": errors[name], "runs": len(rs)}
    return out


# ---------------------------------------------------------------- report

def fmt(v, spec):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    return format(v, spec)


# The rows that issue 12 holds nook-init to: at or under the target init.
TARGET_ROWS = ("`INIT -- true` overhead", "init CPU per orphan",
               "signal round trip via init")


def targets(rows, ref, target):
    """Print ref against target on the TARGET_ROWS, with a verdict each."""
    if not target:
        return
    print()
    print(f"Targets: {ref} at or under {target} (issue 12):")
    print()
    for label, vals, spec, _ in rows:
        if not label.startswith(TARGET_ROWS):
            continue
        rv, tv = vals.get(ref), vals.get(target)
        if not (isinstance(rv, (int, float)) and isinstance(tv, (int, float))):
            print(f"  {label}: {fmt(rv, spec)} vs {fmt(tv, spec)}: NOT MEASURED")
            continue
        verdict = "met" if rv <= tv else "NOT MET"
        ratio = f"{rv / tv:.2f}x" if tv > 0 else "n/a"
        print(f"  {label}: {ref} {format(rv, spec)}, {target} "
              f"{format(tv, spec)} ({ratio} of {target}): {verdict}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--helpers", required=True)
    ap.add_argument("--init", action="append", default=[], metavar="NAME=PATH")
    ap.add_argument("--ref", default="nook-init")
    ap.add_argument("--target", default="tini-static",
                    help="the init that --ref must be at or under")
    ap.add_argument("--source", action="append", default=[], metavar="NAME=PATH",
                    help="where a snapshotted binary came from (for the report)")
    ap.add_argument("--start-runs", type=int, default=200)
    ap.add_argument("--orphans", type=int, default=20000)
    ap.add_argument("--orphan-mode", default="vfork", choices=("vfork", "fork"))
    ap.add_argument("--reap-reps", type=int, default=3)
    ap.add_argument("--pings", type=int, default=2000)
    ap.add_argument("--ping-reps", type=int, default=5)
    ap.add_argument("--rss-reps", type=int, default=3)
    ap.add_argument("--json")
    a = ap.parse_args()

    inits = dict(s.split("=", 1) for s in a.init)
    source = dict(s.split("=", 1) for s in a.source)
    names = list(inits)
    ref = a.ref if a.ref in inits else None
    if a.target not in inits:
        a.target = None
    tmp = tempfile.mkdtemp(prefix="bench-init-")
    t_all = time.monotonic()
    try:
        R = {}
        log("== stripped size");           R["size"] = m_size(inits, tmp)
        log("== peak RSS (child: sleep 2)"); R["rss"] = m_rss(inits, a.rss_reps)
        log(f"== start overhead ({a.start_runs} runs each)")
        R["start"] = m_start(inits, a.start_runs)
        log(f"== reaping {a.orphans} orphans ({a.orphan_mode}, {a.reap_reps} runs each)")
        R["reap"] = m_reap(inits, a.helpers, a.orphans, a.reap_reps, a.orphan_mode)
        log(f"== signal round trip ({a.pings} x {a.ping_reps} each)")
        R["signal"] = m_signal(inits, a.helpers, a.pings, a.ping_reps, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.monotonic() - t_all

    S, M, T, P, G = R["size"], R["rss"], R["start"], R["reap"], R["signal"]
    kn = f"{a.orphans // 1000}k" if a.orphans % 1000 == 0 else str(a.orphans)
    # (label, {init: value}, format, ratio?)  -- lower is better everywhere
    rows = [
        ("stripped size (bytes)", {n: S[n]["size"] for n in names}, ",d", True),
        ("statically linked", {n: "yes" if S[n]["static"] else "no" for n in names}, "", False),
        ("peak RSS, VmHWM (KiB)", {n: M[n]["VmHWM"] for n in names}, ",.0f", True),
        ("private RSS, RssAnon (KiB)", {n: M[n]["RssAnon"] for n in names}, ",.0f", True),
        ("`INIT -- true` overhead (ms/run)", {n: T[n]["overhead_ms"] for n in names}, ".2f", True),
        (f"reap {kn} orphans: wall (s)", {n: P[n]["wall_s"] for n in names}, ".2f", True),
        (f"reap {kn} orphans: init CPU (ms)", {n: P[n]["init_cpu_ms"] for n in names}, ".0f", True),
        ("init CPU per orphan (µs)", {n: P[n]["cpu_per_orphan_us"] for n in names}, ".1f", True),
        ("signal round trip via init (µs)", {n: G[n]["via_us"] for n in names}, ".1f", True),
        ("same, sent to child directly (µs)", {n: G[n]["direct_us"] for n in names}, ".1f", False),
        ("forwarding cost, via − direct (µs)", {n: G[n]["fwd_us"] for n in names}, ".1f", True),
    ]
    for n in names:  # mark broken results in the table itself
        if T[n]["bad_exit"]:
            rows[4][1][n] = f"{T[n]['overhead_ms']:.2f} (exit {T[n]['bad_exit']}!)"
        if P[n]["errors"]:  # the CPU numbers of a failed run mean nothing
            rows[5][1][n] = "FAILED"
            rows[6][1][n] = rows[7][1][n] = "n/a"
        if G[n]["errors"] and not G[n]["runs"]:
            rows[8][1][n] = "FAILED"

    print()
    print(f"nook-init benchmark — {time.strftime('%Y-%m-%d')}, "
          f"kernel {os.uname().release}, {os.cpu_count()} CPUs; medians; lower is better")
    print()
    print("| metric | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for label, vals, spec, _ in rows:
        print(f"| {label} | " + " | ".join(fmt(vals.get(n), spec) for n in names) + " |")
    print()
    b = T["(baseline)"]
    print(f"Baseline `unshare --pid --fork --mount-proc /bin/true`: "
          f"{b['median_ms']:.2f} ms/run (p25 {b['p25_ms']:.2f}, p75 {b['p75_ms']:.2f}); "
          f"the overhead row is each init's median minus this.")

    if ref:
        print()
        print(f"Ratios, other init / {ref} (> 1 means {ref} is smaller/faster):")
        print()
        others = [n for n in names if n != ref]
        print("| metric | " + " | ".join(others) + " |")
        print("|---|" + "---:|" * len(others))
        for label, vals, spec, ratio in rows:
            if not ratio:
                continue
            rv = vals.get(ref)
            cells = []
            for n in others:
                v = vals.get(n)
                if (isinstance(v, (int, float)) and isinstance(rv, (int, float))
                        and rv > 0 and v is not None):
                    cells.append(f"{v / rv:.2f}x")
                else:
                    cells.append("n/a")
            print(f"| {label} | " + " | ".join(cells) + " |")
        print()
        for label, vals, spec, ratio in rows:
            rv = vals.get(ref)
            if not ratio or not isinstance(rv, (int, float)) or rv <= 0:
                continue
            short = label.split(" (")[0]
            pairs = [f"{n} / {ref} {vals[n] / rv:.1f}x" for n in others
                     if isinstance(vals.get(n), (int, float))]
            if pairs:
                print(f"  {short}: " + ", ".join(pairs))
        targets(rows, ref, a.target)
    else:
        print()
        print("(no nook-init binary: ratios skipped)")

    print()
    print("Details:")
    for n in names:
        s = S[n]
        print(f"  {n}: {source.get(n, inits[n])} ({s['orig_size']:,} B unstripped"
              f"{', needs ' + ' '.join(s['needed']) if s['needed'] else ''}); "
              f"start p25/p75 {T[n]['p25_ms']:.2f}/{T[n]['p75_ms']:.2f} ms; "
              f"reap loop {fmt(P[n]['loop_ms'], '.0f')} ms + drain {fmt(P[n]['drain_ms'], '.1f')} ms, "
              f"init woke {fmt(P[n]['wakeups'], '.0f')} times; "
              f"signal via-init p90 {fmt(G[n]['via_p90_us'], '.1f')} µs")
        for e in P[n]["errors"]:
            print(f"    REAP PROBLEM: {e}")
        for e in G[n]["errors"]:
            print(f"    SIGNAL PROBLEM: {e}")
        if T[n]["bad_exit"]:
            print(f"    START PROBLEM: `{n} -- true` exit statuses (count x status): {T[n]['bad_exit']}")
    print(f"  total bench time {elapsed:.0f} s")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"inits": inits, "results": R}, f, indent=1, default=str)
        print(f"  raw results: {a.json}")


if __name__ == "__main__":
    main()

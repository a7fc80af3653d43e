#!/usr/bin/env python3
"""Runs flagstone's benchmarks and prints one table (`tools/dev bench` calls this after building).

    report.py BUILD_DIR [--quick | --smoke] [--update-baseline]

  BUILD_DIR           where tests/bench/flagstone-bench and fleet-watcher were built
  --quick             fewer repetitions and trials: under a minute instead of about two
  --smoke             the CI test (bench-smoke): every part runs once, briefly, and its functional
                      self-checks must hold; timings are printed but not judged
  --update-baseline   write this run's callgrind counts to tests/bench/instructions-baseline.json

Every time is also a ratio against the floor and the naive client, measured in the same process:
this machine is shared and noisy, absolute times drift, ratios hold. Each micro-benchmark runs as
several repetitions interleaved at random with the others, and the table shows the fastest: the
figure least disturbed by whatever else the machine was doing. Instruction counts from callgrind
do not drift at all; a change in one is a change in the code.

Writes BUILD_DIR/bench/results.json (everything measured) and BUILD_DIR/bench/report.md (the
tables in Markdown, for docs/benchmarks.md). Exits 1 when a self-check failed, never because a
target was missed.
"""

import argparse
import datetime
import glob
import json
import os
import platform
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
BASELINE = os.path.join(HERE, "instructions-baseline.json")

# Which naive case each case is compared with: the same decision made the naive way.
NAIVE_COUNTERPART = {
    "naive/static": "naive/static",
    "naive/rollout": "naive/rollout",
    "naive/targeting": "naive/targeting",
    "naive/split": "naive/split",
    "naive/context": "naive/context",
    "naive/request_10": "naive/request_10",
    "shared_ptr/static": "naive/static",
    "shared_ptr/rollout": "naive/rollout",
    "flagstone/static": "naive/static",
    "flagstone/rollout": "naive/rollout",
    "flagstone/targeting": "naive/targeting",
    "flagstone/split": "naive/split",
    "flagstone/detail": "naive/rollout",
    "flagstone/by_name": "naive/rollout",
    "flagstone/context": "naive/context",
    "flagstone/request_10": "naive/request_10",
    "proposal/rollout_in_word": "naive/rollout",
}

# The targets for one thread: (description, test on the row).
TARGETS = {
    "flagstone/static": [("<= 2x floor", lambda r: r["vs_floor"] <= 2.0)],
    "flagstone/rollout": [("<= 25 ns", lambda r: r["ns"] <= 25.0),
                          (">= 20x faster than naive", lambda r: r["vs_naive"] <= 1 / 20)],
    "flagstone/by_name": [("<= 25 ns", lambda r: r["ns"] <= 25.0)],
    "flagstone/targeting": [("<= 60 ns", lambda r: r["ns"] <= 60.0)],
    "flagstone/split": [("<= 30 ns", lambda r: r["ns"] <= 30.0)],
}
# The second performance round's targets: a case against the one hash every rollout must pay.
# (case: most it may cost as a multiple of floor/bucket_hash)
BUCKET_HASH = "floor/bucket_hash"
HASH_TARGETS = {
    "flagstone/split": 1.5,
    "flagstone/targeting": 4.0,
}
# The observation issue's targets: a case against the same check unobserved, measured in the same run.
# (case: (baseline case, most it may cost as a multiple of the baseline)). Exposed: exposures on and
# counting off, reading a flag that is not tracked, which has nothing to record.
OBSERVED_TARGETS = {
    # No target against the unobserved read (its ratio is shown): no exact count meets 1.5x of it. A count
    # adds to the read a load and a store of the thread's counter (floor/counted_load is the floor's load
    # and that add: 9 instructions to 6), and finding the counter (this thread's entry for the runtime, the
    # test that it is current, the counter's place from the value and reason the word holds) takes at
    # least 5 more; 1.5x of flagstone/static's 13 leaves 6. (By time, on the shared machine, floor/counted_load
    # measured 0.7x to 2.1x flagstone/static over four runs: too noisy to argue from.) Its target is what
    # physics allows (issue #17, item 4): <= 2x floor/counted_load, in COUNTED_AGAINST_FLOOR.
    "observed/static_counted": ("flagstone/static", None),
    "observed/rollout_counted": ("flagstone/rollout", 1.5),
    "observed/targeting_counted": ("flagstone/targeting", 1.5),
    "observed/split_counted": ("flagstone/split", 1.5),
    "observed/split_tracked": ("flagstone/split", 2.0),
    "observed/static_exposed": ("flagstone/static", 1.2),
    "observed/rollout_exposed": ("flagstone/rollout", 1.2),
}
# The hostile-input issue's target: the costliest file the default limits accept (one per kind of
# condition, tests/bench/worst_case.hpp; worst_accepted is the slowest kind) against the targeting case.
COST_KINDS = ["sets", "needles", "substrings", "trie", "automaton", "versions", "times", "numbers", "segments"]
COST_TARGETS = {"flagstone/worst_accepted": ("flagstone/targeting", 20.0),
                **{f"costly/{kind}": ("flagstone/targeting", 20.0) for kind in COST_KINDS}}
# Loading a file of unknown flag names may take at most this much longer than parsing it.
UNKNOWN_NAMES_EXTRA_MS = 100.0
# A settled flag's read is one load, and counting it exactly adds an add to memory, whatever the design:
# its counted case is also shown against this floor of an exactly counted check.
COUNTED_FLOOR = "floor/counted_load"
COUNTED_AGAINST_FLOOR = {"observed/static_counted": 2.0}  # case: most it may cost as a multiple of the floor
SCALING_TARGET = 1.8
# A load (parse, validate, compile, publish) costs at most this many times the toml++ parse of the same
# file, measured in the same run, so that the target holds on any machine. Judged by the thread's CPU
# time, which a shared machine's other work does not add to; the wall-clock ratio is shown beside it.
RELOAD_PARSE_RATIO = 1.5
RELOAD_JUDGED_SIZES = (1000, 10000)


def ratio_of(size, load, parse):
    if load not in size or parse not in size:
        return None
    return size[load]["median"] / size[parse]["median"] if size[parse]["median"] > 0 else float("inf")


def reload_ratio(size):
    """The median of each repetition's load over its own parse, by CPU time (hotreload.cpp pairs them)."""
    paired = size.get("paired_cpu_ratio", {})
    if paired.get("count"):
        return paired["median"]
    cpu = ratio_of(size, "load_cpu_ms", "parse_cpu_ms")
    return cpu if cpu is not None else ratio_of(size, "load_ms", "parse_ms")


def reload_met(size):
    return reload_ratio(size) <= RELOAD_PARSE_RATIO


# A complete file delivered by any of these ways reaches readers within (median, p99) ms, with default
# settings: it is loaded at once, without the quiet period (docs/hot-reload.md).
DELIVERY_TARGETS_MS = (2.0, 20.0)
DELIVERIES_AT_ONCE = ("rename", "close-write", "hard link", "..data swap")
DEFAULT_QUIET_PERIOD_MS = 25


def delivery_checks(row):
    """The targets of a delivery-to-reader row: the complete deliveries, watched with default settings."""
    if (row.get("delivery") not in DELIVERIES_AT_ONCE or row["mechanism"] != "inotify"
            or row["quiet_period_ms"] != DEFAULT_QUIET_PERIOD_MS):
        return []
    median, p99 = DELIVERY_TARGETS_MS
    return [(f"median <= {median:g} ms", row["latency_ms"]["median"] <= median),
            (f"p99 <= {p99:g} ms", row["latency_ms"]["p99"] <= p99)]

# The performance issue's include target: a file that reads one flag through <flags/read.hpp> against
# one that includes <string> and <vector>, compile time at -O2 (tests/bench/include_cost.py).
INCLUDE_COST_TARGET = 1.5

# The cases whose instruction counts are recorded.
CORE_CASES = ["floor/atomic_load", "floor/counted_load", "floor/bucket_hash", "flagstone/static", "flagstone/rollout",
              "flagstone/targeting", "flagstone/split", "flagstone/detail", "flagstone/request_10",
              "observed/static_counted", "observed/rollout_counted", "observed/split_counted", "observed/split_tracked",
              "observed/static_exposed", "proposal/rollout_in_word", "shared_ptr/rollout",
              "naive/rollout"]


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(command, **kwargs):
    """Runs a command; its stderr passes through, its stdout is returned."""
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True, **kwargs)
    if result.returncode != 0:
        raise SystemExit(f"report.py: {' '.join(command)} failed with status {result.returncode}")
    return result.stdout


def machine():
    model, cores = platform.processor() or "unknown", os.cpu_count()
    try:
        for line in run(["lscpu"]).splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Model name":
                model = value.strip()
    except (SystemExit, FileNotFoundError):
        pass
    return {"cpu": model, "cores": cores, "kernel": platform.release(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


# --- micro-benchmarks --------------------------------------------------------------------------------

def run_micro(bench, out_dir, mode):
    repetitions, min_time = {"full": (10, 0.1), "quick": (3, 0.05), "smoke": (1, 0.001)}[mode]
    out = os.path.join(out_dir, "micro.json")
    log(f"report.py: micro-benchmarks, {repetitions} interleaved repetitions of {min_time} s each")
    run([bench, f"--benchmark_repetitions={repetitions}", f"--benchmark_min_time={min_time}",
         "--benchmark_enable_random_interleaving=true", "--benchmark_report_aggregates_only=false",
         f"--benchmark_out={out}", "--benchmark_out_format=json"], stderr=None)
    with open(out) as f:
        data = json.load(f)
    # Fastest repetition of each (case, threads).
    best = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b["run_name"].split("/real_time")[0]
        key = (name, b["threads"])
        ns = b["real_time"] * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
        # CPU time per operation, summed over the threads: what an operation costs whether or not the
        # thread had a core to itself.
        cpu_ns = b["cpu_time"] * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
        entry = best.setdefault(key, {"case": name, "threads": b["threads"], "ns": ns, "cpu_ns": cpu_ns,
                                      "allocs": b.get("allocs/op", 0.0), "repetitions": 0})
        entry["ns"] = min(entry["ns"], ns)
        entry["cpu_ns"] = min(entry["cpu_ns"], cpu_ns)
        entry["allocs"] = max(entry["allocs"], b.get("allocs/op", 0.0))  # the worst repetition
        entry["repetitions"] += 1
    rows = sorted(best.values(), key=lambda r: (order_of(r["case"]), r["threads"]))
    for r in rows:
        floor = best.get(("floor/atomic_load", r["threads"]))
        naive = best.get((NAIVE_COUNTERPART.get(r["case"], ""), r["threads"]))
        r["vs_floor"] = r["ns"] / floor["ns"] if floor else None
        r["vs_naive"] = r["ns"] / naive["ns"] if naive else None
        unobserved = best.get((OBSERVED_TARGETS[r["case"]][0], r["threads"])) if r["case"] in OBSERVED_TARGETS else None
        r["vs_unobserved"] = r["ns"] / unobserved["ns"] if unobserved else None
        baseline = best.get((COST_TARGETS[r["case"]][0], r["threads"])) if r["case"] in COST_TARGETS else None
        r["vs_baseline"] = r["ns"] / baseline["ns"] if baseline else None
        counted_floor = best.get((COUNTED_FLOOR, r["threads"])) if r["case"] in COUNTED_AGAINST_FLOOR else None
        r["vs_counted_floor"] = r["ns"] / counted_floor["ns"] if counted_floor else None
        bucket_hash = best.get((BUCKET_HASH, r["threads"])) if r["case"] in HASH_TARGETS else None
        r["vs_bucket_hash"] = r["ns"] / bucket_hash["ns"] if bucket_hash else None
        one = best.get((r["case"], 1))
        two = r["threads"] == 2 and one
        # Throughput of two threads over one, by the wall clock: the measure, which needs both
        # cores free at once. The same ratio by CPU time per operation is shown beside it, for
        # information (2.0 when neither thread slows the other down); judge_micro says why it cannot
        # replace the wall clock.
        r["scaling"] = one["ns"] / r["ns"] if two else None
        r["cpu_scaling"] = 2 * one["cpu_ns"] / r["cpu_ns"] if two else None
    return rows, data.get("context", {})


def order_of(case):
    families = ["floor", "flagstone", "costly", "observed", "proposal", "shared_ptr", "naive"]
    family = case.split("/")[0]
    cases = ["atomic_load", "counted_load", "bucket_hash", "static", "rollout", "rollout_in_word", "by_name", "detail", "targeting", "split",
             "context", "pin", "request_10", "worst_accepted", *COST_KINDS, "static_counted", "rollout_counted", "targeting_counted", "split_counted",
             "split_tracked", "static_exposed", "rollout_exposed"]
    name = case.split("/")[1]
    return (families.index(family) if family in families else 9, cases.index(name) if name in cases else 99)


def judge_micro(rows):
    """Attaches (target, met) pairs to each row; met is None for a target this run cannot judge.

    Two threads can only show twice the throughput of one when both cores are free. The floor, a
    load that cannot contend, shows whether they were: when even it did not reach the target by the
    wall clock, the run says nothing about flagstone's scaling, and the scaling targets are left
    unjudged. (CPU time per operation is shown beside, but it cannot stand in: threads that take
    turns on one core never contend, so it looks perfect exactly when nothing was measured.)
    """
    floor = next((r for r in rows if r["case"] == "floor/atomic_load" and r["threads"] == 2), None)
    by_wall = floor is not None and floor["scaling"] >= SCALING_TARGET
    for r in rows:
        checks = []
        if r["case"].startswith(("flagstone/", "observed/", "costly/")):
            if r["threads"] == 1:
                checks += [(d, test(r)) for d, test in TARGETS.get(r["case"], [])]
                if r["case"] in COST_TARGETS:
                    baseline, most = COST_TARGETS[r["case"]]
                    checks.append((f"<= {most:g}x {baseline}", r["vs_baseline"] is not None and r["vs_baseline"] <= most))
                if r["case"] in OBSERVED_TARGETS and OBSERVED_TARGETS[r["case"]][1] is not None:
                    baseline, most = OBSERVED_TARGETS[r["case"]]
                    checks.append((f"<= {most:g}x {baseline}",
                                   r["vs_unobserved"] is not None and r["vs_unobserved"] <= most))
                if r["case"] in HASH_TARGETS:
                    most = HASH_TARGETS[r["case"]]
                    checks.append((f"<= {most:g}x {BUCKET_HASH}",
                                   r["vs_bucket_hash"] is not None and r["vs_bucket_hash"] <= most))
                if r["case"] in COUNTED_AGAINST_FLOOR:
                    most = COUNTED_AGAINST_FLOOR[r["case"]]
                    checks.append((f"<= {most:g}x {COUNTED_FLOOR}",
                                   r["vs_counted_floor"] is not None and r["vs_counted_floor"] <= most))
            elif r["scaling"] is not None:
                checks.append((f">= {SCALING_TARGET}x 1-thread throughput",
                               r["scaling"] >= SCALING_TARGET if by_wall else None))
            checks.append(("0 allocs", r["allocs"] == 0))
        r["targets"] = checks
    return {"by_wall_clock": by_wall, "floor_wall_scaling": floor["scaling"] if floor else None}


# --- instruction counts ------------------------------------------------------------------------------

def run_callgrind(bench, out_dir, mode):
    valgrind = shutil.which("valgrind")
    if not valgrind:
        log("report.py: valgrind is not installed; no instruction counts")
        return None
    iterations = {"full": 100000, "quick": 20000, "smoke": 1000}[mode]
    cg_dir = os.path.join(out_dir, "callgrind")
    shutil.rmtree(cg_dir, ignore_errors=True)
    os.makedirs(cg_dir)
    log(f"report.py: callgrind, {iterations} iterations of each core case")
    listing = run([valgrind, "--tool=callgrind", "--collect-atstart=no", "--quiet",
                   f"--callgrind-out-file={cg_dir}/callgrind.out", bench, "instructions", str(iterations)])
    counted = {}
    for line in listing.splitlines():
        name, _, n = line.rpartition(" ")
        counted[name] = int(n)
    counts = {}
    for path in glob.glob(os.path.join(cg_dir, "callgrind.out*")):
        name, total = None, None
        with open(path) as f:
            for line in f:
                if line.startswith("desc: Trigger: Client Request: "):
                    name = line.split(":", 3)[3].strip()
                elif line.startswith(("totals:", "summary:")):
                    total = int(line.split()[1])
        if name in counted and total is not None:
            counts[name] = total / counted[name]
    missing = [c for c in CORE_CASES if c not in counts]
    if missing:
        raise SystemExit(f"report.py: callgrind recorded no count for {', '.join(missing)}")
    return counts


def compare_baseline(counts, about):
    if not os.path.exists(BASELINE):
        return {}
    with open(BASELINE) as f:
        baseline = json.load(f)
    same_compiler = baseline.get("compiler") == about["compiler"]
    return {"counts": baseline.get("counts", {}), "same_compiler": same_compiler,
            "compiler": baseline.get("compiler")}


# --- formatting --------------------------------------------------------------------------------------

def fmt_ns(ns):
    return f"{ns:.2f}" if ns < 10 else f"{ns:.1f}" if ns < 1000 else f"{ns:,.0f}"


def fmt_ratio(x, digits=2):
    return "" if x is None else f"{x:.{digits}f}"


def fmt_naive(x):
    if x is None:
        return ""
    return f"{x:.3f} ({1 / x:.0f}x faster)" if x < 1 else f"{x:.2f}"


def table(headers, rows, markdown=False):
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(x)) for x in [h] + [row[i] for row in rows]) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def verdict(checks, judged):
    if not checks:
        return ""
    if not judged:
        return "not judged (smoke)"
    missed = [d for d, ok in checks if ok is False]
    unjudged = [d for d, ok in checks if ok is None]
    if missed:
        return "MISSED: " + "; ".join(missed)
    return "met" if not unjudged else "not judged: no free second core" if len(unjudged) == len(checks) \
        else "met, scaling not judged: no free second core"


def render(results, judged, markdown):
    out = []
    m = results["machine"]
    a = results["about"]
    out.append(f"Machine: {m['cpu']}, {m['cores']} cores, Linux {m['kernel']}; {a['compiler']}; "
               f"{'optimised' if a['optimized'] else 'NOT optimised'}"
               f"{', NDEBUG' if a['ndebug'] else ', assertions on'}{', sanitized' if a['sanitized'] else ''}; "
               f"{m['date']}")
    out.append("")
    rows = []
    for r in results["micro"]:
        target = "; ".join(d for d, _ in r["targets"])
        result = verdict(r["targets"], judged)
        if r.get("vs_unobserved") is not None and r["threads"] == 1:
            result = (result + " " if result else "") + f"({r['vs_unobserved']:.2f}x unobserved)"
        if r.get("vs_baseline") is not None and r["threads"] == 1:
            result = (result + " " if result else "") + f"({r['vs_baseline']:.1f}x {COST_TARGETS[r['case']][0]})"
        if r.get("vs_counted_floor") is not None and r["threads"] == 1:
            result += f" ({r['vs_counted_floor']:.2f}x {COUNTED_FLOOR})"
        if r.get("vs_bucket_hash") is not None and r["threads"] == 1:
            result += f" ({r['vs_bucket_hash']:.2f}x {BUCKET_HASH})"
        if r["scaling"] is not None:
            result = (result + " " if result else "") + \
                f"({r['scaling']:.2f}x by wall clock, {r['cpu_scaling']:.2f}x by CPU time)"
        rows.append([r["case"], r["threads"], fmt_ns(r["ns"]), fmt_ratio(r["vs_floor"], 1),
                     fmt_naive(r["vs_naive"]), f"{r['allocs']:.2g}", target, result])
    out.append(table(["case", "threads", "ns/op", "ratio to floor", "ratio to naive", "allocs/op", "target",
                      "met or missed"], rows, markdown))
    out.append("")
    out.append("ns/op: fastest of the interleaved repetitions; at 2 threads, wall time / total operations "
               "(so perfect scaling halves it). request_10 is one request: pin + 10 checks. Scaling: "
               "throughput of 2 threads over 1 by the wall clock (needs both cores free), and by CPU time per "
               "operation (2.00 when the threads do not slow each other down).")
    judged_by = results.get("scaling_judged", {})
    if judged_by and not judged_by["by_wall_clock"] and judged_by["floor_wall_scaling"] is not None:
        out.append(f"This run's floor scaled {judged_by['floor_wall_scaling']:.2f}x by the wall clock: a second core "
                   "was not free (the machine is shared), so the scaling targets are not judged. Run again when "
                   "the machine is quiet.")

    hot = results.get("hotreload")
    if hot:
        out.append("")
        rows = []
        for s in hot["reload"]["sizes"]:
            judged_size = s["flags"] in RELOAD_JUDGED_SIZES
            checks = [(f"<= {RELOAD_PARSE_RATIO:g}x parse", reload_met(s))] if judged_size else []
            rows.append([f"reload {s['flags']:,} flags", f"{s['file_bytes'] / 1024:,.0f} KiB",
                         f"{s['load_ms']['median']:.3f}", f"{s['load_ms']['min']:.3f}", f"{s['parse_ms']['median']:.3f}",
                         f"{reload_ratio(s):.2f}x", f"{ratio_of(s, 'load_ms', 'parse_ms'):.2f}x",
                         f"{s['compile_ms']['median']:.3f}", f"{s['lookup_ms']['median']:.3f}",
                         f"{s['retained_bytes'] / 1024:,.0f} KiB", "; ".join(d for d, _ in checks),
                         verdict(checks, judged)])
        out.append(table(["case", "file", "load ms (median)", "min", "toml++ parse ms", "load / parse (CPU)",
                          "load / parse (wall)",
                          "parse+compile ms", "RegistryView::find x N ms", "heap kept", "target", "met or missed"],
                         rows, markdown))
        out.append("")
        out.append("load = parse + validate + compile + publish (RuntimeCore::load_text), each part timed from a "
                   "consolidated heap; load / parse (CPU) is the median of each repetition's load over its own parse, "
                   "by the thread's CPU time, and is what is judged; heap kept = live heap "
                   "after the first load minus before it: the published snapshot and the last good compiled "
                   f"file, which share their rules (FlagProgram is {hot['reload']['flag_program_bytes']} bytes, "
                   "held twice per flag).")
        unknown = hot.get("unknown_names")
        if unknown:
            extra = unknown["load_ms"]["median"] - unknown["parse_ms"]["median"]
            checks = [(f"load <= parse + {UNKNOWN_NAMES_EXTRA_MS:g} ms", extra <= UNKNOWN_NAMES_EXTRA_MS)]
            out.append("")
            out.append(table(["case", "file", "load ms (median)", "toml++ parse ms", "load - parse ms", "target",
                              "met or missed"],
                             [[f"{unknown['unknown']:,} unknown names, {unknown['flags']:,}-flag registry",
                               f"{unknown['file_bytes'] / 1024:,.0f} KiB", f"{unknown['load_ms']['median']:.3f}",
                               f"{unknown['parse_ms']['median']:.3f}", f"{extra:.3f}", checks[0][0],
                               verdict(checks, judged)]], markdown))
        out.append("")
        rows = [[p["case"], f"{p['checks_per_second'] / 1e6:.1f} M", f"{p['ns_per_check']['median']:.1f}",
                 f"{p['ns_per_check']['p99']:.1f}", f"{p['ns_per_check']['max']:,.0f}",
                 f"{p['reloads_per_second']:,.0f}" if p["reloading"] else ""] for p in hot["reader"]]
        out.append(table(["reader", "checks/s", "ns/check median", "p99", "max", "reloads/s"], rows, markdown))
        out.append("")
        out.append("A reader's time per check over batches of 32, alone (idle) and while another thread "
                   "reloads the file without pause (every load publishes).")
        out.append("")
        rows = []
        for r in hot["rename"]:
            setting = (f"poll_interval {r['poll_interval_ms']} ms" if r["mechanism"] == "polling"
                       else f"quiet_period {r['quiet_period_ms']} ms")
            checks = delivery_checks(r)
            rows.append([f"{r.get('delivery', 'rename')} to reader, {r['case']}", setting, r["latency_ms"]["count"],
                         f"{r['latency_ms']['median']:.2f}", f"{r['latency_ms']['p99']:.2f}",
                         f"{r['latency_ms']['max']:.2f}", ", ".join(d for d, _ in checks), verdict(checks, judged)])
        f = hot["fleet"]
        if f.get("rounds"):
            rows.append([f"fleet: all {f['processes']} processes serve", "ConfigMap ..data swap", f["rounds"],
                         f"{f['all_serving_ms']['median']:.2f}", f"{f['all_serving_ms']['p99']:.2f}",
                         f"{f['all_serving_ms']['max']:.2f}", "", ""])
            rows.append(["fleet: each process serves", "", f["each_serving_ms"]["count"],
                         f"{f['each_serving_ms']['median']:.2f}", f"{f['each_serving_ms']['p99']:.2f}",
                         f"{f['each_serving_ms']['max']:.2f}", "", ""])
        out.append(table(["latency", "setting", "trials", "median ms", "p99 ms", "max ms", "target", "met or missed"],
                         rows, markdown))
        out.append("")
        out.append("From the step that completes the file (the rename, the writer's close, the new link, the swap of "
                   "..data or of the grandparent directory) until a reader is served the new value. Complete files are "
                   "loaded at once; the quiet period is for changes not known to be whole (docs/hot-reload.md).")

    included = results.get("include_cost")
    if included:
        out.append("")
        met = included["ratio"] <= INCLUDE_COST_TARGET
        rows = [["<flags/read.hpp> and one enabled<>", f"{included['reader']['seconds']:.3f}",
                 f"{included['reader']['lines']:,}", f"{included['ratio']:.2f}x", f"<= {INCLUDE_COST_TARGET:g}x",
                 ("met" if met else "missed") if judged else ""],
                ["<string> and <vector>", f"{included['baseline']['seconds']:.3f}",
                 f"{included['baseline']['lines']:,}", "1.00x", "", ""]]
        out.append(table(["include cost (-O2)", "cpu seconds (median)", "preprocessed lines", "ratio", "target",
                          "met or missed"], rows, markdown))
        out.append("What including the reading header costs a file that checks one flag, against the standard "
                   "headers most files include anyway (tests/bench/include_cost.py).")

    compiled = results.get("compile")
    if compiled:
        out.append("")
        rows = [[f"{c['case']}, {c['flags']:,}-flag registry", f"{c['seconds']:.1f}", f"{c['peak_mb']:,.0f}"]
                for c in compiled]
        out.append(table(["compile (-O2)", "seconds", "peak MB"], rows, markdown))
        out.append("One file of reads, compiled alone: what a by-name read costs the build beside a read by "
                   "enumerator, at the registry size shown (tests/bench/by_name_compile.py).")

    counts = results.get("instructions")
    if counts:
        out.append("")
        base = results.get("baseline") or {}
        rows = []
        for case in CORE_CASES:
            was = base.get("counts", {}).get(case)
            change = "" if was is None else f"{round(counts[case] - was, 1) + 0.0:+.1f}"  # + 0.0: no "-0.0"
            rows.append([case, f"{counts[case]:.1f}", "" if was is None else f"{was:.1f}", change])
        out.append(table(["callgrind", "instructions/op", "baseline", "change"], rows, markdown))
        if base and not base["same_compiler"]:
            out.append(f"(the baseline was recorded with {base['compiler']}: counts differ between compilers)")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("build_dir")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--update-baseline", action="store_true")
    args = parser.parse_args()
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"

    bench_dir = os.path.join(os.path.abspath(args.build_dir), "tests", "bench")
    bench = os.path.join(bench_dir, "flagstone-bench")
    watcher = os.path.join(bench_dir, "fleet-watcher")
    for program in (bench, watcher):
        if not os.access(program, os.X_OK):
            raise SystemExit(f"report.py: {program} is not built (is libbenchmark-dev installed?)")
    out_dir = os.path.join(os.path.abspath(args.build_dir), "bench")
    os.makedirs(out_dir, exist_ok=True)

    about = json.loads(run([bench, "about"]))
    results = {"machine": machine(), "about": about, "mode": mode}
    if not about["optimized"] and mode != "smoke":
        log("report.py: warning: this build is not optimised; use tools/dev bench")

    results["micro"], results["benchmark_context"] = run_micro(bench, out_dir, mode)
    results["scaling_judged"] = judge_micro(results["micro"])

    # Callgrind cannot run a sanitized binary; the smoke test in a sanitizer build skips it.
    if not about["sanitized"]:
        results["instructions"] = run_callgrind(bench, out_dir, mode)
        if results["instructions"]:
            results["baseline"] = compare_baseline(results["instructions"], about)
            if args.update_baseline:
                with open(BASELINE, "w") as f:
                    json.dump({"compiler": about["compiler"], "machine": results["machine"]["cpu"],
                               "counts": {c: round(results["instructions"][c], 1) for c in CORE_CASES}},
                              f, indent=2)
                    f.write("\n")
                log(f"report.py: wrote {BASELINE}")

    log("report.py: compile time of a file that reads one flag")
    results["include_cost"] = json.loads(run([sys.executable, os.path.join(HERE, "include_cost.py"),
                                              os.path.abspath(args.build_dir), SOURCE_ROOT, "--json",
                                              "--rounds", {"full": "11", "quick": "5", "smoke": "1"}[mode], "--", "c++"]))

    if mode != "smoke":
        log("report.py: compile time of by-name reads")
        results["compile"] = json.loads(run([sys.executable, os.path.join(HERE, "by_name_compile.py"),
                                             os.path.join(os.path.abspath(args.build_dir), "flagc"), SOURCE_ROOT,
                                             "--flags", "10000" if mode == "full" else "2000", "--reads", "100",
                                             "--json", "--", "c++"]))

    log("report.py: hot-reload benchmarks")
    hot_args = {"full": [], "quick": ["--quick"], "smoke": ["--smoke"]}[mode]
    results["hotreload"] = json.loads(run([bench, "hotreload", *hot_args, "--fleet-watcher", watcher]))

    judged = mode != "smoke"
    text = render(results, judged, markdown=False)
    print()
    print(text)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=2, default=str)
    with open(os.path.join(out_dir, "report.md"), "w") as f:
        f.write(render(results, judged, markdown=True) + "\n")

    if judged:
        verdicts = [ok for r in results["micro"] for _, ok in r["targets"] if ok is not None]
        unjudged = sum(1 for r in results["micro"] for _, ok in r["targets"] if ok is None)
        verdicts += [reload_met(s) for s in results["hotreload"]["reload"]["sizes"] if s["flags"] in RELOAD_JUDGED_SIZES]
        verdicts.append(results["include_cost"]["ratio"] <= INCLUDE_COST_TARGET)
        unknown = results["hotreload"].get("unknown_names")
        if unknown:
            verdicts.append(unknown["load_ms"]["median"] - unknown["parse_ms"]["median"] <= UNKNOWN_NAMES_EXTRA_MS)
        verdicts += [ok for r in results["hotreload"]["rename"] for _, ok in delivery_checks(r)]
        print(f"\ntargets: {sum(verdicts)} met, {len(verdicts) - sum(verdicts)} missed"
              f"{f', {unjudged} not judged' if unjudged else ''}"
              f"  (full results: {os.path.relpath(out_dir)}/results.json, report.md)")
    else:
        print("\nsmoke run: every part ran and its self-checks held; timings are not judged")
    return 0


if __name__ == "__main__":
    sys.exit(main())

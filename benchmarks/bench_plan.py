"""Planner benchmark: model size, time to the first plan, S and C at the limit, gap, memory.

Each case runs in its own process so that peak memory (max RSS) is the case's own. With
``--baseline-src DIR`` every case is also solved by the code in ``DIR`` (for example a
checkout of the main branch's ``src``), at the same time as this tree's code, so that
both see the same load on a shared machine: compare them as ratios within one run. With
``--first-run`` each case is also solved with 10% of its limit (is a verified plan that
delivers there in a tenth of the time?). Every plan is checked by the verifier. ``make
bench`` runs every case of the defaults with ``--reference --workers 1,2,4`` (over an
hour on 2 cores: the reference alone takes 30 min at 5,000 lines).
Writes ``benchmarks/results/plan.md`` (a table, with the machine it ran on) and
``benchmarks/results/plan.json``.

Usage::

    python benchmarks/bench_plan.py [--sizes 30,100,300,1000,5000,100x52,100x104] [--no-demo]
        [--baseline-src DIR] [--reference] [--workers 1,2,4 --workers-sizes 300]
        [--first-run] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
# Time limit per case [s]: the targets (300 lines: gap <= 1% in 120 s; 1,000 lines:
# gap <= 5% in 300 s; demo: optimal in 10 s).
LIMITS = {"30": 60.0, "100": 120.0, "300": 120.0, "1000": 300.0, "5000": 600.0,
          "100x52": 300.0, "100x104": 300.0}


def case_size(case: str) -> tuple[int, int]:
    """(lines, weeks) of a case named ``N`` (26 weeks) or ``NxW``."""
    lines, _, weeks = case.partition("x")
    return int(lines), int(weeks or 26)


def first_plan(sc: object, limit: float) -> dict:
    """Solve with 10% of ``limit`` and verify: the plan a tenth of the time gives."""
    import surge

    t0 = time.perf_counter()
    plan = surge.solve(sc, time_limit=0.1 * limit)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    check = surge.verify(sc, plan)  # type: ignore[arg-type]
    return {"first_limit_s": round(0.1 * limit, 1), "first_total_s": round(seconds, 2),
            "first_status": plan.status, "first_service": plan.objective.service,
            "first_cost": plan.objective.cost, "first_lines": len(plan.activations),
            "first_verified": check.ok,
            "first_run_plan_s": plan.model_extra["solver"].get("first_plan_s")}


def reference_solve(sc: object, limit: float) -> object:
    """The plain MILP: the model as built, each stage one HiGHS branch-and-bound (no
    construction, relax-and-fix, neighbourhoods or time keeping of the planner), stage 1
    (min S) with half the time left, stage 2 (min C, S <= S* + 1e-6, from stage 1's plan)
    with the rest; the plan is read back and valued like any other."""
    import numpy as np

    from surge.optimize.data import prepare
    from surge.optimize.extract import make_plan
    from surge.optimize.model import create_model
    from surge.optimize.solver import HighsSession
    from surge.optimize.stages import Solved, SolveInfo, empty_plan_start, n_labels

    t_start = time.perf_counter()
    info = SolveInfo(solver="highs (plain MILP)", started=t_start)
    t0 = time.perf_counter()
    b = create_model(prepare(sc))  # type: ignore[arg-type]
    info.build_s = time.perf_counter() - t0
    info.variables, info.constraints = int(b.m.nvars), int(b.m.ncons)
    info.binaries = int(len(b.m.binaries.flat)) if len(b.m.binaries) else 0
    t0 = time.perf_counter()
    session = HighsSession(b.m)
    info.export_s = time.perf_counter() - t0
    n = n_labels(b.m)
    assert b.service is not None and b.cost is not None
    s_vec, c_vec = b.service.vector(n), b.cost.vector(n)
    gap = sc.objective.mip_gap  # type: ignore[attr-defined]

    def left() -> float:
        return limit - (time.perf_counter() - t_start)

    session.set_objective(s_vec)
    first = session.run("service", time_limit=max(left() / 2, 0.01), mip_gap=gap)
    if not first.has_solution:  # nothing in time: the empty plan, as the planner's start
        first.x, first.status = empty_plan_start(b, n), "feasible"
        first.value, first.bound = float(s_vec @ first.x), first.bound or 0.0
    info.stages.append(first)
    x1 = np.nan_to_num(first.x)
    session.add_row(s_vec, -np.inf, float(s_vec @ x1) * (1 + 1e-9) + 1e-6)
    session.set_objective(c_vec)
    second = session.run("cost", time_limit=max(left(), 0.01), mip_gap=gap, start=x1)
    if not second.has_solution:
        second = type(second)("cost", "feasible", float(c_vec @ x1), None, second.seconds,
                              "no plan in time", x1)
    info.stages.append(second)
    stages = [first, second]
    solved = Solved(b, stages, second, session)
    solved.status = "optimal" if all(st.status == "optimal" for st in stages) else "feasible"
    plan = make_plan(sc, b, solved, gap)  # type: ignore[arg-type]
    return plan.model_copy(update={"solver": info.to_dict()})


def run_case(case: str, limit: float, first_run: bool, mode: str = "tree",
             workers: int = 0) -> dict:
    """Solve one case in this process and return its measurements (``mode`` ``tree``: the
    planner, on ``workers`` Dask workers if > 0; ``reference``: the plain MILP)."""
    import surge
    from surge.scenario.generate import generate

    t0 = time.perf_counter()
    if case == "demo":
        sc = surge.load(ROOT / "examples" / "uav-france.yaml")
    else:
        n_lines, n_weeks = case_size(case)
        sc = surge.load(generate(n_lines, n_weeks, seed=1))
    load_s = time.perf_counter() - t0
    first = first_plan(sc, limit) if first_run else {}
    t0 = time.perf_counter()
    if mode == "reference":
        plan = reference_solve(sc, limit)
    else:
        plan = surge.solve(sc, time_limit=limit,
                           cluster=f"local:{workers}" if workers else None)
    total_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    check = surge.verify(sc, plan)
    verify_s = time.perf_counter() - t0
    info = plan.model_extra["solver"]
    stages = {s["name"]: s for s in info["stages"]}
    overhead = info["prepare_s"] + info["build_s"] + info["export_s"] + info["extract_s"]
    gaps = [s["gap"] for s in info["stages"]]
    return {
        "case": case, "lines": len(sc.lines), "weeks": sc.weeks, "time_limit_s": limit,
        "variables": info["variables"], "constraints": info["constraints"],
        "binaries": info["binaries"], "load_s": round(load_s, 2),
        "prepare_s": info["prepare_s"], "build_s": info["build_s"],
        "export_s": info["export_s"], "extract_s": info["extract_s"],
        "stage_s": {k: v["seconds"] for k, v in stages.items()},
        "stage_status": {k: v["status"] for k, v in stages.items()},
        "stage_gap": {k: v["gap"] for k, v in stages.items()},
        "total_s": round(total_s, 2), "overhead_share": round(overhead / max(total_s, 1e-9), 3),
        "status": plan.status, "service": plan.objective.service, "cost": plan.objective.cost,
        # a stage without a proven bound has no gap: the case's gap is unknown then
        "max_gap": None if (not gaps or None in gaps) else max(gaps),
        "verified": check.ok, "violations": len(check.violations), "verify_s": round(verify_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        # Dask workers are child processes, ended when the solve returns: their largest
        "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                                1) if workers else None,
        "first_plan_s": info.get("first_plan_s"), "lines_on": len(plan.activations),
        "message": plan.message,
        "service_bound": plan.objective.service_bound, "cost_bound": plan.objective.cost_bound,
        "workers": workers, **first,
    }


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import highspy  # noqa: F401
    import linopy

    return (f"{platform.node() or 'host'}: nproc {os.cpu_count()} ({cpu}), {mem:.0f} GiB, "
            f"Python {platform.python_version()}, linopy {linopy.__version__}, "
            f"HiGHS via highspy")


def table(rows: list[dict]) -> str:
    head = ("| case | code | lines | vars | cons | binaries | build s | export s | stage 1 s | stage 2 s "
            "| extract s | total s | build+extract share | status | gap | S | C | verified "
            "| peak MB |")
    sep = "|" + "|".join(["---"] * (head.count("|") - 1)) + "|"
    out = [head, sep]
    for r in rows:
        st = r["stage_s"]
        s1 = st.get("service", st.get("weighted", 0.0))
        s2 = st.get("cost", 0.0)
        gap = "n/a" if r["max_gap"] is None else f"{r['max_gap']:.2%}"
        out.append(
            f"| {r['case']} | {r.get('code', 'tree')} | {r['lines']} | {r['variables']:,} | {r['constraints']:,} | "
            f"{r['binaries']:,} | {r['build_s']:.2f} | {r['export_s']:.2f} | {s1:.1f} | {s2:.1f} | "
            f"{r['extract_s']:.2f} | {r['total_s']:.1f} | {r['overhead_share']:.0%} | "
            f"{r['status']} | {gap} | {r['service']:,.1f} | {r['cost']:,.0f} | "
            f"{'yes' if r['verified'] else 'NO'} | {r['peak_rss_mb']:,.0f} |")
    return "\n".join(out)


def first_table(rows: list[dict]) -> str:
    """Time to the first plan and what the limit gives, per case."""
    out = ["| case | limit s | first plan at s (full run) | 10% run: limit s | total s | S | C "
           "| lines on | verified | full run: S | C | cost bound | gap | lines on |",
           "|" + "---|" * 14]
    for r in rows:
        if "first_status" not in r:
            continue
        gap = "n/a" if r["max_gap"] is None else f"{r['max_gap']:.2%}"
        fp = "none" if r.get("first_plan_s") is None else f"{r['first_plan_s']:.1f}"
        cb = "none" if not r.get("cost_bound") else f"{r['cost_bound']:,.0f}"
        out.append(
            f"| {r['case']} | {r['time_limit_s']:.0f} | {fp} | {r['first_limit_s']:.0f} | "
            f"{r['first_total_s']:.1f} | {r['first_service']:,.1f} | {r['first_cost']:,.0f} | "
            f"{r['first_lines']} | {'yes' if r['first_verified'] else 'NO'} | "
            f"{r['service']:,.1f} | {r['cost']:,.0f} | {cb} | {gap} | {r['lines_on']} |")
    return "\n".join(out)


def spawn(case: str, limit: float, src: str, first_run: bool, mode: str = "tree",
          workers: int = 0) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=src)
    cmd = [sys.executable, __file__, "--case", case, "--limit", str(limit), "--mode", mode,
           "--worker-count", str(workers)]
    if first_run:
        cmd.append("--first-run")
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def collect(proc: subprocess.Popen, case: str, code: str) -> dict:
    out, err = proc.communicate()
    if proc.returncode != 0:
        print(err[-2000:], file=sys.stderr)
        return {"case": case, "code": code, "error": err.strip().splitlines()[-1:]}
    row = json.loads(out.strip().splitlines()[-1])
    row["code"] = code
    print(f"[bench] {case} ({code}): {row['status']} in {row['total_s']} s, S "
          f"{row['service']:,.1f}, C {row['cost']:,.0f}, gap {row['max_gap']}, "
          f"{row['peak_rss_mb']} MB, verified {row['verified']}", flush=True)
    return row


def revision(src: str) -> str:
    proc = subprocess.run(["git", "-C", src, "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


def compare_table(rows: list[dict], other: str = "baseline") -> str:
    """This tree's code against ``other`` (the baseline source tree or the plain MILP),
    case by case (same run, same load)."""
    by = {(r["case"], r["code"]): r for r in rows if "error" not in r}
    out = [f"| case | limit s | {other}: status | S | C | gap | s | this tree: status | S | C "
           f"| gap | s | first plan s | C ratio (tree/{other}) |", "|" + "---|" * 14]
    for case in dict.fromkeys(r["case"] for r in rows):
        a, b = by.get((case, other)), by.get((case, "tree"))
        if a is None or b is None:
            continue

        def cells(r: dict) -> str:
            gap = "n/a" if r["max_gap"] is None else f"{r['max_gap']:.2%}"
            return (f"{r['status']} | {r['service']:,.1f} | {r['cost']:,.0f} | {gap} | "
                    f"{r['total_s']:.0f}")
        ratio = f"{b['cost'] / a['cost']:.3f}" if a["cost"] else f"n/a ({other} C = 0)"
        fp = "none" if b.get("first_plan_s") is None else f"{b['first_plan_s']:.1f}"
        out.append(f"| {case} | {b['time_limit_s']:.0f} | {cells(a)} | {cells(b)} | {fp} | "
                   f"{ratio} |")
    return "\n".join(out)


def workers_table(rows: list[dict]) -> str:
    """The same case with 0 (in process), 1, 2 and 4 Dask workers, each run alone."""
    out = ["| case | limit s | workers | status | S | C | gap | total s | first plan s "
           "| verified | peak MB (main) | peak MB (a worker) |", "|" + "---|" * 12]
    for r in rows:
        if "error" in r or not r["code"].startswith("workers"):
            continue
        gap = "n/a" if r["max_gap"] is None else f"{r['max_gap']:.2%}"
        fp = "none" if r.get("first_plan_s") is None else f"{r['first_plan_s']:.1f}"
        wp = "-" if not r.get("worker_peak_mb") else f"{r['worker_peak_mb']:,.0f}"
        out.append(f"| {r['case']} | {r['time_limit_s']:.0f} | {r['workers']} | {r['status']} "
                   f"| {r['service']:,.1f} | {r['cost']:,.0f} | {gap} | {r['total_s']:.1f} "
                   f"| {fp} | {'yes' if r['verified'] else 'NO'} | {r['peak_rss_mb']:,.0f} "
                   f"| {wp} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,100,300,1000,5000,100x52,100x104")
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--quick", action="store_true", help="short time limits (smoke run)")
    parser.add_argument("--baseline-src", help="also solve every case with this source tree")
    parser.add_argument("--first-run", action="store_true",
                        help="also solve with 10%% of the limit")
    parser.add_argument("--reference", action="store_true",
                        help="also solve every case with the plain MILP (same time, same load)")
    parser.add_argument("--workers", default="",
                        help="e.g. 1,2,4: also solve --workers-sizes alone in process and "
                        "with that many Dask workers")
    parser.add_argument("--workers-sizes", default="300")
    parser.add_argument("--out", default="plan", help="results file stem (plan.md, plan.json)")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="tree", help=argparse.SUPPRESS)
    parser.add_argument("--worker-count", dest="worker_count", type=int, default=0,
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:  # child process
        print(json.dumps(run_case(args.case, args.limit, args.first_run, args.mode,
                                  args.worker_count)))
        return
    cases = ([] if args.no_demo else [("demo", 60.0)]) + [
        (s, LIMITS.get(s, 300.0)) for s in args.sizes.split(",") if s]
    tree_src = str(ROOT / "src")
    rows = []
    for case, limit in cases:
        if args.quick:
            limit = min(limit, 20.0)
        print(f"[bench] {case}: time limit {limit:.0f} s ...", flush=True)
        procs = [("tree", spawn(case, limit, tree_src, args.first_run))]
        if args.baseline_src:
            procs.append(("baseline", spawn(case, limit, args.baseline_src, args.first_run)))
        if args.reference:
            procs.append(("reference", spawn(case, limit, tree_src, False, "reference")))
        rows += [collect(p, case, code) for code, p in procs]
    counts = [0] + [int(w) for w in args.workers.split(",") if w]
    for case in (args.workers_sizes.split(",") if args.workers else []):
        limit = min(LIMITS.get(case, 300.0), 20.0) if args.quick else LIMITS.get(case, 300.0)
        for w in counts:  # one at a time: the workers have the machine to themselves
            print(f"[bench] {case} with {w} workers: time limit {limit:.0f} s ...", flush=True)
            rows.append(collect(spawn(case, limit, tree_src, False, "tree", w), case,
                                f"workers-{w}"))
    RESULTS.mkdir(parents=True, exist_ok=True)
    ok_rows = [r for r in rows if "error" not in r]
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    base = (f" Baseline: the source tree at revision {revision(args.baseline_src)}, run at "
            "the same time as this tree's code on each case." if args.baseline_src else "")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    text = (f"# Planner benchmark\n\nRun {stamp} on {machine()}; load average at the end "
            f"{load} (1, 5, 15 min).{base}\n"
            f"Generated scenarios: `surge generate --lines N --weeks W --seed 1` (W = 26 unless "
            f"the case says NxW); demo: `examples/uav-france.yaml`. Times in seconds; stage 1 "
            f"minimises S, stage 2 C; gap is the larger of the stages' relative gaps (n/a: a "
            f"stage has no proven bound); peak MB is the solving process's max RSS.\n\n")
    if args.baseline_src:
        text += f"## This tree against the baseline\n\n{compare_table(rows)}\n\n"
    if args.reference:
        text += (f"## This tree against the plain MILP\n\n"
                 f"{compare_table(rows, 'reference')}\n\n")
    if args.workers:
        text += f"## Dask workers\n\n{workers_table(rows)}\n\n"
    text += f"## Every run\n\n{table(ok_rows)}\n"
    if args.first_run:
        text += f"\n## First plan and plan at the limit\n\n{first_table(ok_rows)}\n"
    errors = [r for r in rows if "error" in r]
    if errors:
        failed = "\n".join(f"- {r['case']} ({r['code']}): {r['error']}" for r in errors)
        text += "\nFailed cases:\n" + failed + "\n"
    (RESULTS / f"{args.out}.md").write_text(text)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(rows, indent=1) + "\n")
    print(text)


if __name__ == "__main__":
    main()

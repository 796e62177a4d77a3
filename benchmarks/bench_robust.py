"""Benchmark of risk-aware planning; writes benchmarks/results/robust.md.

    .venv/bin/python benchmarks/bench_robust.py [--runs 500] [--check-runs 5000] [--quick]

For the demo, its robust variant and two generated scenarios with an `uncertainty` section:
the time the buffer search takes to reach `--target-on-time 0.9` (or to stop), the plan it
chooses, its frontier, and the cost against two naive ways of buying robustness, measured
with the same simulator and the same fresh seeds:

* every due date pulled k weeks earlier (k = 1..3), the plan mapped back to the original;
* safety stock of 10-25% at every demand's site (due quantities planned that much larger).

Every plan is verified against the original scenario before it is measured.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import surge  # noqa: E402
from surge.optimize import solve  # noqa: E402
from surge.robust import Buffers, Settings, search  # noqa: E402
from surge.robust.buffers import due_key  # noqa: E402
from surge.robust.frontier import money  # noqa: E402
from surge.robust.measure import measure  # noqa: E402
from surge.robust.parallel import Runner  # noqa: E402
from surge.scenario.generate import generate  # noqa: E402
from surge.scenario.model import Scenario  # noqa: E402

TARGET = 0.9


def scenarios(quick: bool) -> list[tuple[str, Scenario]]:
    out = [("demo, robust variant (examples/uav-france-robust.yaml)",
            surge.load(ROOT / "examples/uav-france-robust.yaml")),
           ("demo (examples/uav-france.yaml)", surge.load(ROOT / "examples/uav-france.yaml"))]
    for lines, weeks, seed in ((5, 12, 1), (5, 16, 2))[: 1 if quick else 2]:
        doc = generate(lines=lines, weeks=weeks, seed=seed, uncertainty=True)
        out.append((f"generated: {lines} lines, {weeks} weeks, seed {seed}",
                    Scenario.model_validate(doc)))
    return out


def naive(sc: Scenario) -> list[tuple[str, Buffers]]:
    out = []
    for k in (1, 2, 3):
        out.append((f"all due dates {k} week(s) earlier",
                    Buffers(due_lead={due_key(d.id, x.week): k
                                      for d in sc.demands for x in d.due})))
    for f in (0.10, 0.15, 0.20, 0.25):
        out.append((f"safety stock {100 * f:.0f}% at the demand sites",
                    Buffers(safety_stock={d.id: f for d in sc.demands})))
    return out


def bench(name: str, sc: Scenario, st: Settings, cluster: str | None) -> dict[str, Any]:
    t = time.perf_counter()
    with Runner(sc, st, cluster) as runner:
        r = search(sc, st, runner.many, progress=lambda s: print("   ", s, flush=True))
        seconds = time.perf_counter() - t
        det = solve(sc, threads=1)
        cands = runner.many(det.objective, float(det.objective.service or 0.0),
                            [b for _, b in naive(sc)])
    rows = []
    for (what, _), c in zip(naive(sc), cands, strict=True):
        if c.ok and c.plan is not None:
            ms = measure(sc, c.plan, runs=st.check_runs, seed=st.check_seed)
            rows.append((what, c.cost, ms.min_p, ms.min_p_stderr, ms.p_all_met, ""))
        else:
            rows.append((what, c.cost, None, None, None, c.status + ": " + c.reason[:80]))
        print("   naive:", rows[-1], flush=True)
    return {"name": name, "result": r, "seconds": seconds, "naive": rows, "currency": sc.currency}


def table(rows: list[list[str]], header: list[str]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(r) + " |" for r in rows]


def _steps(r: Any, currency: str) -> list[str]:
    from surge.robust.frontier import step_words

    out, prev = [], None
    for c in r.frontier:
        out.append(step_words(prev, c, currency))
        prev = c
    return out


def _short(text: str, n: int = 260) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def render(results: list[dict[str, Any]], st: Settings, total: float) -> str:
    lines = ["# Risk-aware planning: `surge plan --target-on-time 0.9` and the frontier", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores "
             f"({platform.processor() or platform.platform()}), Python "
             f"{platform.python_version()}; shared with other jobs while it ran, so times are "
             "wall-clock under load. Produced by `benchmarks/bench_robust.py`.", "",
             f"Search: {st.runs:,} runs per candidate (seed {st.seed}), at most {st.max_steps} "
             f"steps and {st.trim_rounds} trimming round(s), candidates on a local Dask cluster "
             f"of 2 workers; every P below is re-measured on {st.check_runs:,} fresh runs (seed "
             f"{st.check_seed}), the same runs for the search's plans and the naive ones. "
             "Naive plans are made with the same planner and mapped back to the original "
             "scenario the same way (docs/robust.md), and verified.", "",
             f"Total time of this benchmark: {total:,.0f} s.", ""]
    for res in results:
        r, cur = res["result"], res["currency"]
        c = r.chosen
        det = r.deterministic
        lines += [f"## {res['name']}", ""]
        verdict = "reached" if r.reached else "**not reached**"
        lines.append(f"Target 0.9 {verdict} in {res['seconds']:,.0f} s ({r.evaluated} candidate "
                     f"plans). Chosen plan: C = {c.cost:,.0f} {cur} "
                     f"({money((c.cost or 0) - (det.cost or 0), cur)} over the deterministic "
                     f"{det.cost:,.0f}), lowest P(on time) {c.checked.min_p:.3f} ± "
                     f"{c.checked.min_p_stderr:.3f}, P(all met) {c.checked.p_all_met:.3f}.")
        if r.cap:
            from surge.robust.frontier import cap_words

            lines.append(f"What caps it: {cap_words(r.cap)}.")
        lines += ["", "Frontier (verified plans; P on fresh runs):", ""]
        rows = [[f"{p.cost:,.0f}" + (" (chosen)" if p is c else ""),
                 f"{p.checked.min_p:.3f} ± {p.checked.min_p_stderr:.3f}",
                 f"{p.checked.p_all_met:.3f}", f"{p.checked.expected_service:,.0f}",
                 str(len(p.buffers.describe_short())), _short(words)]
                for p, words in zip(r.frontier, _steps(r, cur), strict=True)]
        lines += table(rows, [f"C [{cur}]", "lowest P(on time)", "P(all met)", "E[S]",
                              "buffers", "step (what it adds)"])
        lines += ["", "Naive buffers, same simulator and seeds:", ""]
        nrows = []
        for what, cost, p, se, pall, note in res["naive"]:
            nrows.append([what, "—" if cost is None else f"{cost:,.0f}",
                          "—" if p is None else f"{p:.3f} ± {se:.3f}",
                          "—" if pall is None else f"{pall:.3f}", note])
        lines += table(nrows, ["naive buffer", f"C [{cur}]", "lowest P(on time)", "P(all met)",
                               "note"])
        reach = [(cost, what) for what, cost, p, _, _, _ in res["naive"]
                 if p is not None and p >= TARGET]
        if reach:
            cost, what = min(reach)
            lines.append("")
            lines.append(f"Cheapest naive plan reaching 0.9: {what}, C = {cost:,.0f}; the "
                         f"search's plan costs {(c.cost or 0) / cost:.3f} x that"
                         + ("" if r.reached else " (and does not reach 0.9)") + ".")
        else:
            lines += ["", "No naive plan reaches 0.9."]
        lines.append("")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--check-runs", type=int, default=4000)
    ap.add_argument("--max-steps", type=int, default=4)
    ap.add_argument("--quick", action="store_true", help="one generated scenario only")
    ap.add_argument("--cluster", default="local:2", help="Dask cluster for the candidates")
    ap.add_argument("--trim-rounds", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/robust.md")
    a = ap.parse_args()
    st = Settings(target=TARGET, runs=a.runs, seed=0, check_runs=a.check_runs, check_seed=1,
                  blame_runs=min(a.runs, 300), max_steps=a.max_steps,
                  trim_rounds=a.trim_rounds)
    t0 = time.perf_counter()
    results = []
    for name, sc in scenarios(a.quick):
        print(name, flush=True)
        results.append(bench(name, sc, st, a.cluster or None))
        a.out.write_text(render(results, st, time.perf_counter() - t0))  # after each one
        print(f"wrote {a.out}", flush=True)


if __name__ == "__main__":
    main()

"""Benchmark of ``surge replan --stability W``: nervousness against cost.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_replan.py

Two cases: the demo at week 8 (examples/uav-france-week8.yaml: a slipped conversion,
short motor deliveries), and a generated scenario (8 lines, 16 weeks, seed 4) executed to
week 6 in a sampled future of its uncertainty (:mod:`surge.state.rehearse`). Each is
replanned with the change penalty W = 0 (off), 1, 10, 100 and 1,000 per unit changed,
with and without a 2-week freeze; nervousness is measured over the next 4 weeks. Writes
benchmarks/results/replan.md.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = (0.0, 1.0, 10.0, 100.0, 1000.0)


def cases() -> list[tuple[str, Any, Any, Any]]:
    import surge
    from surge.scenario.generate import generate
    from surge.state import load_actuals
    from surge.state.rehearse import Executor, Future, Schedule

    demo = surge.load(ROOT / "examples" / "uav-france.yaml")
    demo_plan = surge.solve(demo)
    out = [("demo at week 8", demo, demo_plan,
            load_actuals(ROOT / "examples" / "uav-france-week8.yaml", demo))]
    gen = surge.load(generate(8, 16, 4, uncertainty=True))
    gen_plan = surge.solve(gen, time_limit=300)
    ex = Executor(gen, Future(gen, 11))
    schedule = Schedule.of(gen_plan)
    for _ in range(6):
        ex.run_week(schedule)
    out.append(("generated 8 lines x 16 weeks (seed 4), sampled future 11, week 6", gen,
                gen_plan, ex.actuals()))
    return out


def main() -> None:
    from surge.state import replan

    lines = ["# Replanning with a change penalty (`surge replan --stability W`)", "",
             "After `S` is minimal, the last stage minimises `C + W x` (units of purchases "
             "and production changed over the next 4 weeks). `dC` is the cost of the new "
             "plan above the replan without penalty; nervousness is in units over the "
             "same 4 weeks (state.md). Every plan below passes the verifier against its "
             "rolled scenario.", "",
             f"Machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
             f"Python {platform.python_version()}. Produced by benchmarks/bench_replan.py.", ""]
    for name, sc, plan, facts in cases():
        lines += [f"## {name}", "",
                  f"Plan made once: S = {plan.objective.service:,.1f}, "
                  f"C = {plan.objective.cost:,.0f} {sc.currency} ({plan.status}).", "",
                  "| freeze | W | status | S | C | dC | nervousness | purchases | production "
                  "| conversions moved | seconds |",
                  "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for freeze in (0, 2):
            base = None
            for w in WEIGHTS:
                t0 = time.perf_counter()
                r = replan(sc, plan, facts, freeze=freeze, window=4, stability=w,
                           time_limit=300)
                seconds = time.perf_counter() - t0
                assert r.verification.ok, r.verification.violations
                p, ch = r.plan, r.changes
                base = base if base is not None else p.objective.cost
                lines.append(
                    f"| {freeze} | {w:g} | {p.status} | {p.objective.service:,.1f} | "
                    f"{p.objective.cost:,.0f} | {p.objective.cost - base:+,.0f} | "
                    f"{ch.nervousness:,.1f} | {ch.purchase_change:,.1f} | "
                    f"{ch.production_change:,.1f} | {len(ch.moves)} | {seconds:.1f} |")
                print(lines[-1], flush=True)
        lines.append("")
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results" / "replan.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()

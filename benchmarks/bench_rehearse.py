"""Benchmark of ``surge rehearse``: the value of rolling replanning on the demo.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_rehearse.py [FUTURES]

Lives FUTURES (default 8) sampled futures of the demo's uncertainty (seeds 0..FUTURES-1),
each once with the plan as written and once rolling and replanning every K weeks
(K = 2, 4, 8; and K = 4 with a 2-week freeze and a change penalty of 10 per unit), and
writes benchmarks/results/rehearse.md: mean and spread of the achieved S and C, the
nervousness, and how often rolling beat the plan made once.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ((2, 0, 0.0), (4, 0, 0.0), (8, 0, 0.0), (4, 2, 10.0))


def main(futures: int) -> None:
    import surge
    from surge.state.rehearse import rehearse

    sc = surge.load(ROOT / "examples" / "uav-france.yaml")
    plan = surge.solve(sc)
    seeds = list(range(futures))
    lines = ["# Rehearsal of the rolling process (`surge rehearse`)", "",
             f"The demo (examples/uav-france.yaml) planned once (S = "
             f"{plan.objective.service:,.1f} unit-weeks, C = {plan.objective.cost:,.0f} "
             f"{sc.currency}), then {futures} futures sampled from its uncertainty (seeds "
             f"0..{futures - 1}), each lived twice: the plan executed as written (catching up "
             "as hours and material allow), and rolled and replanned every K weeks from the "
             "facts so far. S and C are those achieved over the whole horizon; nervousness "
             "is summed over the replans (4-week windows, or the freeze). Every replanned "
             "plan passed the verifier.", "",
             f"Machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
             f"Python {platform.python_version()}. Produced by benchmarks/bench_rehearse.py.",
             "",
             "| K | freeze | stability | S plan once | S rolling | C plan once | C rolling "
             "| rolling better S | nervousness | replans | seconds |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]

    def spread(xs: list[float], digits: int = 0) -> str:
        sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
        return f"{statistics.mean(xs):,.{digits}f} ± {sd:,.{digits}f}"

    per_seed: list[str] = []
    for step, freeze, weight in VARIANTS:
        t0 = time.perf_counter()
        r = rehearse(sc, plan, step=step, seeds=seeds, freeze=freeze, stability=weight,
                     time_limit=60)
        seconds = time.perf_counter() - t0
        bad = [x for f in r.futures for x in f.replans if not x.verified]
        assert not bad, bad
        f = r.futures
        better = sum(1 for x in f if x.rolling_service < x.once_service - 1e-6)
        lines.append(
            f"| {step} | {freeze} | {weight:g} | {spread([x.once_service for x in f], 1)} | "
            f"{spread([x.rolling_service for x in f], 1)} | "
            f"{spread([x.once_cost for x in f])} | {spread([x.rolling_cost for x in f])} | "
            f"{better} of {len(f)} | {spread([x.nervousness for x in f])} | "
            f"{sum(len(x.replans) for x in f)} | {seconds:.0f} |")
        print(lines[-1], flush=True)
        if (step, freeze, weight) == (4, 0, 0.0):
            per_seed = [f"| {x.seed} | {x.once_service:,.1f} | {x.rolling_service:,.1f} | "
                        f"{x.once_cost:,.0f} | {x.rolling_cost:,.0f} | {x.nervousness:,.0f} |"
                        for x in f]
    lines += ["", "S and C: mean ± standard deviation over the futures. Per future, K = 4:", "",
              "| seed | S plan once | S rolling | C plan once | C rolling | nervousness |",
              "| ---: | ---: | ---: | ---: | ---: | ---: |", *per_seed, ""]
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "results" / "rehearse.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)

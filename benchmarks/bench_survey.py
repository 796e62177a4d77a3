"""Benchmark of the capacity survey import; writes benchmarks/results/survey.md.

    .venv/bin/python benchmarks/bench_survey.py [--lines 1000] [--workbooks 30]

Makes the templates of the largest organisations and suppliers of a generated scenario
(unchanged), then times reading them all (`read_workbook`) and merging them into the
scenario with the full check (`merge`), as `surge survey import` does.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

from surge.scenario import validate
from surge.scenario.generate import generate
from surge.survey import make_template, merge, read_workbook

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Run the benchmark and write the results table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1000)
    ap.add_argument("--workbooks", type=int, default=30)
    args = ap.parse_args()
    sc, _ = validate(generate(args.lines, 26, 0))
    assert sc is not None
    org_of = {s.id: s.organization for s in sc.sites}
    size = {o.id: 0 for o in sc.organizations}
    for line in sc.lines:
        size[org_of[line.site]] += 1
    orgs = sorted(size, key=lambda o: -size[o])[: args.workbooks - args.workbooks // 3]
    sups = [s.id for s in sc.suppliers][: args.workbooks - len(orgs)]
    t0 = time.perf_counter()
    books = [(f"{o}.xlsx", make_template(sc, organization=o)) for o in orgs]
    books += [(f"{s}.xlsx", make_template(sc, supplier=s)) for s in sups]
    t_make = time.perf_counter() - t0
    t0 = time.perf_counter()
    subs = []
    for name, data in books:
        sub, problems = read_workbook(name, data)
        assert sub is not None and not problems
        subs.append(sub)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    merged, problems = merge(sc, subs)
    t_merge = time.perf_counter() - t0
    assert merged is not None and merged.dump() == sc.dump()
    n_lines = sum(size[o] for o in orgs)
    rows = [
        ("scenario", f"generated, {args.lines} lines, 26 weeks, seed 0"),
        ("workbooks", f"{len(orgs)} organisations ({n_lines} lines), {len(sups)} suppliers"),
        ("make the templates", f"{t_make:.2f} s"),
        ("read the workbooks", f"{t_read:.2f} s"),
        ("merge and check the merged scenario", f"{t_merge:.2f} s"),
        ("import (read + merge)", f"{t_read + t_merge:.2f} s"),
    ]
    text = ["# Survey import benchmark", "",
            f"Python {platform.python_version()}, openpyxl read-only mode, one process on a "
            "machine shared with other work (2 cores).", "",
            "| step | result |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows), ""]
    out = ROOT / "benchmarks" / "results" / "survey.md"
    out.write_text("\n".join(text), encoding="utf-8")
    print("\n".join(text))


if __name__ == "__main__":
    main()

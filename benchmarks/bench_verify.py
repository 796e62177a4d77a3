"""Benchmark of the independent verifier on a 1,000-line, 26-week plan.

    .venv/bin/python benchmarks/bench_verify.py

Times :func:`surge.verify` on the large hand-built case of tests/test_verify.py (the test
checks what the verifier finds; its speed is measured here, not asserted in the suite) and
writes benchmarks/results/verify.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from surge.plan.model import Plan
    from surge.plan.verify import verify
    from surge.scenario import load
    from test_verify import large  # the case lives with its test

    raw, data = large()
    sc, plan = load(raw), Plan.from_dict(data)
    seconds = []
    for _ in range(5):
        began = time.perf_counter()
        verify(sc, plan)
        seconds.append(time.perf_counter() - began)
    text = (f"# Verifier speed\n\n`surge.verify` on the 1,000-line, 26-week plan of "
            f"tests/test_verify.py (`large()`), five runs.\n\n"
            f"Machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
            f"Python {platform.python_version()}.\n\n"
            f"| median [s] | min [s] | max [s] |\n| ---: | ---: | ---: |\n"
            f"| {statistics.median(seconds):.2f} | {min(seconds):.2f} | {max(seconds):.2f} |\n")
    (ROOT / "benchmarks" / "results" / "verify.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

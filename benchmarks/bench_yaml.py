"""Benchmark of reading a large YAML scenario; writes benchmarks/results/yaml.md.

    .venv/bin/python benchmarks/bench_yaml.py [--mb 50] [--pure-mb 2]

Builds a synthetic scenario of about ``--mb`` megabytes (the 5,000-line generated scenario
with its lines repeated under new ids), written by the project's own YAML writer, then
times, each in a fresh process with its peak memory (RSS): the fast reader (libyaml with
the format's YAML 1.2 rules), the whole `surge.load` (reading and every check) and, on a
``--pure-mb`` slice, the pure-Python reader the fast one replaces.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from surge.scenario.generate import generate  # noqa: E402
from surge.scenario.yaml_writer import write  # noqa: E402


def big_document(mb: float) -> dict:
    """The generated 5,000-line scenario with lines repeated until about ``mb`` MB."""
    doc = generate(5000, 26, 1)
    base = doc["lines"]
    per_line = len(json.dumps(base)) / len(base) * 1.15  # YAML is a little longer
    copies = max(1, int(mb * 1e6 / per_line / len(base)))
    doc["lines"] = [dict(line, id=f"{line['id']}-c{k}") for k in range(copies) for line in base]
    return doc


def child(code: str) -> dict:
    """Run ``code`` in a fresh process; it prints a JSON object; add the peak RSS [MB]."""
    full = (f"import json, resource, sys, time\nsys.path.insert(0, {str(ROOT / 'src')!r})\n"
            + code + "\nout['rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024"
            "\nprint(json.dumps(out))")
    done = subprocess.run([sys.executable, "-c", full], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=50.0)
    ap.add_argument("--pure-mb", type=float, default=2.0)
    args = ap.parse_args()
    rows = []
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.yaml"
        t0 = time.perf_counter()
        write(big_document(args.mb), big)
        made = time.perf_counter() - t0
        small = Path(tmp) / "small.yaml"
        write(big_document(args.pure_mb), small)
        for label, path, code in [
            ("fast reader (read_document)", big,
             "from surge.scenario.load import read_document\ntext = open(%r).read()\n"
             "t = time.perf_counter(); doc = read_document(text, 'big.yaml')\n"
             "out = {'s': time.perf_counter() - t, 'lines': len(doc['lines'])}"),
            ("surge.load (read + validate + checks)", big,
             "import surge\nt = time.perf_counter(); sc = surge.load(%r)\n"
             "out = {'s': time.perf_counter() - t, 'lines': len(sc.lines)}"),
            ("pure reader (ruamel, pure Python)", small,
             "import io\nfrom surge.scenario.load import yaml12\ntext = open(%r).read()\n"
             "t = time.perf_counter(); doc = yaml12().load(io.StringIO(text))\n"
             "out = {'s': time.perf_counter() - t, 'lines': len(doc['lines'])}"),
            ("fast reader on the same slice", small,
             "from surge.scenario.load import read_document\ntext = open(%r).read()\n"
             "t = time.perf_counter(); doc = read_document(text, 'small.yaml')\n"
             "out = {'s': time.perf_counter() - t, 'lines': len(doc['lines'])}"),
        ]:
            res = child(code % str(path))
            size = path.stat().st_size / 1e6
            rows.append((label, size, res["lines"], res["s"], res["rss_mb"]))
            print(f"{label}: {size:.1f} MB, {res['lines']:,} lines, {res['s']:.1f} s, "
                  f"peak RSS {res['rss_mb']:.0f} MB", flush=True)
    out = ROOT / "benchmarks" / "results" / "yaml.md"
    lines = ["# Reading a large YAML scenario", "",
             f"`benchmarks/bench_yaml.py --mb {args.mb:g} --pure-mb {args.pure_mb:g}` on "
             f"{platform.machine()}, Python {platform.python_version()}, 2 cores shared with "
             f"other jobs (load average {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} "
             f"at the end); writing the file took {made:.0f} s. Each row in a fresh process.",
             "",
             "| what | file [MB] | lines | seconds | peak RSS [MB] |",
             "|---|---:|---:|---:|---:|"]
    lines += [f"| {a} | {b:.1f} | {c:,} | {d:.1f} | {e:.0f} |" for a, b, c, d, e in rows]
    pure = next(r for r in rows if r[0].startswith("pure"))
    fast = next(r for r in rows if r[0].startswith("fast reader on"))
    lines += ["", f"On the {pure[1]:.1f} MB slice the fast reader is "
              f"{pure[3] / max(fast[3], 1e-9):.0f}x faster than the pure one; at the pure "
              f"reader's rate the {rows[0][1]:.0f} MB file would take about "
              f"{pure[3] * rows[0][1] / pure[1] / 60:.0f} min.", ""]
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

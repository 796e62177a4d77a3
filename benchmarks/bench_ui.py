"""Server-side render time of every page of the browser UI, for the demo programme.

Starts the service on a fresh SQLite database with the demo programme (two plans, one
published with a risk run of 300 runs; tests/browser/live.py), logs in as the agency and as
Renault's plant, and requests each page: once cold (first view after start: parsing the
revision and plan, building the charts' inputs) and ``--repeat`` times warm. The time is the
server's own (the ``Server-Timing`` header the UI sets on every page), so the network and
the browser's drawing are not in it. Writes ``benchmarks/results/ui.md``.

    PYTHONPATH=src python benchmarks/bench_ui.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser.live import PASSWORD, USERS, seed, serve  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "ui.md"


def login(base: str, user: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=60)
    r = c.post("/login", data={"email": USERS[user][0], "password": PASSWORD, "next": "/"})
    assert r.status_code == 303, r.text
    return c


def server_ms(r: httpx.Response) -> float:
    assert r.status_code == 200, (r.request.url, r.status_code, r.text[:300])
    return float(r.headers["server-timing"].split("dur=")[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    rows = []
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp) / "surge.db") as (base, _):
        ids = seed(base)
        pid, plan, other, risk = ids["pid"], ids["plan"], ids["other"], ids["risk"]
        pages = [
            ("agency", "programmes", "/"),
            ("agency", "programme", f"/programmes/{pid}"),
            ("agency", "revision", f"/programmes/{pid}/revisions/1"),
            ("agency", "plan", f"/plans/{plan}"),
            ("agency", "bottlenecks (fragment)", f"/plans/{plan}/why"),
            ("agency", "risk", f"/risk/{risk}"),
            ("agency", "compare", f"/programmes/{pid}/compare?a={plan}&b={other}"),
            ("agency", "parts", f"/plans/{plan}/parts"),
            ("agency", "part of renault", f"/plans/{plan}/mine?org=renault"),
            ("agency", "production CSV", f"/plans/{plan}/production.csv"),
            ("renault", "programme", f"/programmes/{pid}"),
            ("renault", "revision (its part)", f"/programmes/{pid}/revisions/1"),
            ("renault", "my part", f"/plans/{plan}/mine"),
            ("renault", "my part CSV", f"/plans/{plan}/mine.csv"),
        ]
        clients = {u: login(base, u) for u in ("agency", "renault")}
        for user, name, path in pages:
            c = clients[user]
            t = time.perf_counter()
            r = c.get(path)
            wall = 1000 * (time.perf_counter() - t)
            cold = server_ms(r) if "server-timing" in r.headers else wall
            warm = []
            for _ in range(repeat):
                r = c.get(path)
                warm.append(server_ms(r) if "server-timing" in r.headers else float("nan"))
            warm.sort()
            rows.append((user, name, len(r.content), cold, statistics.median(warm),
                         warm[max(0, int(0.95 * len(warm)) - 1)]))
            print(f"{user:8} {name:26} cold {cold:7.1f} ms  warm p50 {rows[-1][4]:6.1f} ms",
                  flush=True)
    machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores "
               f"(shared with other work), Python {platform.python_version()}, "
               f"{platform.system()} {platform.release()}")
    lines = ["# Browser UI: server-side render time per page (demo programme)", "",
             f"Machine: {machine}. Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
             "", "`benchmarks/bench_ui.py`: the demo scenario (26 weeks, 20 candidate lines, "
             "10 suppliers), its plan and a 300-run risk run, on SQLite. Time is the server's "
             f"(`Server-Timing`), in ms; warm = {repeat} more requests of the same page.", "",
             "| user | page | bytes | cold [ms] | warm p50 [ms] | warm p95 [ms] |",
             "|---|---|---:|---:|---:|---:|"]
    lines += [f"| {u} | {n} | {b:,} | {c:,.0f} | {m:,.0f} | {p:,.0f} |"
              for u, n, b, c, m, p in rows]
    worst = max(rows, key=lambda r: r[4])
    lines += ["", f"Slowest warm page: {worst[1]} ({worst[0]}), p50 {worst[4]:,.0f} ms. "
              "The bottleneck sentences are a fragment the plan page loads after it is shown: "
              "the plan's linear program is solved again once per plan (its cold time), "
              "then kept with the other parsed documents in the application's cache.", ""]
    OUT.write_text("\n".join(lines))
    print(OUT.relative_to(ROOT))


if __name__ == "__main__":
    main()

"""Load benchmark of the service: 20 concurrent clients, 5,000 requests on loopback.

Starts ``surge serve`` on SQLite and on PostgreSQL, seeds a programme with a published plan,
then drives logins and reads (revisions, plan status and document, surveys, actuals) as the
agency and two manufacturers: once alone, once while a plan job of the demo scenario runs
on the service's Dask cluster. Writes throughput, p50/p95/p99 latency and the plan job's
time (idle and under load) to ``benchmarks/results/service.md``.

    PYTHONPATH=src python benchmarks/bench_service.py [--requests 5000] [--clients 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "uav-france.yaml"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
from tests.service.conftest import (  # noqa: E402
    KEY,
    PASSWORD,
    TWO_ORGS,
    USERS,
    fresh_database,
    pg_available,
)
from tests.service.test_service_restart import _free_port, _serve  # noqa: E402

import surge  # noqa: E402
from surge.plan.model import Plan  # noqa: E402
from surge.scenario import read_file  # noqa: E402


def _wait(base: str, h: dict[str, str], job: int) -> str:
    while True:
        status = str(httpx.get(f"{base}/plans/{job}", headers=h, timeout=60).json()["status"])
        if status in ("done", "failed"):
            return status
        time.sleep(0.1)


def _seed(base: str) -> tuple[dict[str, str], int, int, int]:
    tokens = {}
    for key, (email, _, _) in USERS.items():
        tokens[key] = httpx.post(f"{base}/auth/token", data={"username": email,
                                                             "password": PASSWORD}).json()["access_token"]
    h = {"Authorization": f"Bearer {tokens['agency']}"}
    pid = httpx.post(f"{base}/programmes", json={"name": "bench"}, headers=h).json()["id"]
    httpx.post(f"{base}/programmes/{pid}/revisions", json={"scenario": TWO_ORGS}, headers=h)
    job = httpx.post(f"{base}/programmes/{pid}/plans", json={"revision": 1}, headers=h).json()["id"]
    assert _wait(base, h, job) == "done"
    httpx.post(f"{base}/plans/{job}/publish", headers=h)
    demo = json.loads(json.dumps(read_file(DEMO), default=str))
    demo_pid = httpx.post(f"{base}/programmes", json={"name": "demo"}, headers=h).json()["id"]
    r = httpx.post(f"{base}/programmes/{demo_pid}/revisions", json={"scenario": demo}, headers=h,
                   timeout=60)
    assert r.status_code == 201, r.text
    return tokens, pid, job, demo_pid


def _plan_job(base: str, h: dict[str, str], pid: int) -> tuple[int, float]:
    """Queue a plan job of the demo and wait for it: its id and its time [s]."""
    t0 = time.perf_counter()
    job = int(httpx.post(f"{base}/programmes/{pid}/plans", json={"revision": 1},
                         headers=h).json()["id"])
    assert _wait(base, h, job) == "done"
    return job, time.perf_counter() - t0


def _verified(base: str, h: dict[str, str], job: int) -> bool:
    doc = httpx.get(f"{base}/plans/{job}/plan", headers=h, timeout=60).json()
    return bool(surge.verify(surge.load(DEMO), Plan.from_dict(doc)).ok)


async def _drive(base: str, tokens: dict[str, str], pid: int, job: int, n: int,
                 clients: int) -> tuple[list[float], int, float]:
    who = ["agency", "maker_a", "maker_b"]
    latencies: list[float] = []
    failures = 0
    counter = iter(range(n))

    async def client(c: httpx.AsyncClient) -> None:
        nonlocal failures
        for i in counter:
            user = who[i % 3]
            h = {"Authorization": f"Bearer {tokens[user]}"}
            kind = i % 7
            t0 = time.perf_counter()
            try:
                r = await _one(c, kind, user, h, pid, job)
            except httpx.TransportError:
                failures += 1
                continue
            latencies.append(time.perf_counter() - t0)
            failures += r.status_code != 200

    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        await asyncio.gather(*(client(c) for _ in range(clients)))
    return latencies, failures, time.perf_counter() - t0


async def _one(c: httpx.AsyncClient, kind: int, user: str, h: dict[str, str], pid: int,
               job: int) -> httpx.Response:
    if kind == 0:
        return await c.post("/auth/token", data={"username": USERS[user][0],
                                                 "password": PASSWORD})
    if kind == 1:
        return await c.get(f"/programmes/{pid}/revisions/1", headers=h)
    if kind == 2:
        return await c.get(f"/plans/{job}", headers=h)
    if kind == 3:
        return await c.get(f"/plans/{job}/plan", headers=h)
    if kind == 4:
        return await c.get(f"/programmes/{pid}/surveys", headers=h)
    if kind == 5:
        return await c.get(f"/programmes/{pid}/actuals", headers=h)
    return await c.get(f"/programmes/{pid}/revisions", headers=h)


def _create_users(url: str) -> None:
    import subprocess

    env = os.environ | {"PYTHONPATH": str(ROOT / "src")}
    for email, role, org in USERS.values():
        cmd = [sys.executable, "-c", "from surge.cli import main; main()", "admin", "create-user",
               "--email", email, "--role", role, "--password-stdin", "--db", url]
        cmd += ["--organization", org] if org else []
        subprocess.run(cmd, input=PASSWORD.encode(), env=env, check=True, capture_output=True)


def _stats(backend: str, phase: str, lat: list[float], failures: int,
           wall: float) -> dict[str, Any]:
    q = statistics.quantiles(lat, n=100)
    return {"backend": backend, "phase": phase, "requests": len(lat), "failures": failures,
            "throughput": len(lat) / wall, "p50": q[49] * 1e3, "p95": q[94] * 1e3,
            "p99": q[98] * 1e3, "wall": wall}


def run(backend: str, n: int, clients: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp, fresh_database(backend, Path(tmp)) as url:
        _create_users(url)
        os.environ["SURGE_SECRET_KEY"] = KEY
        port = _free_port()
        proc = _serve(url, port, Path(tmp) / "serve.log")
        try:
            base = f"http://127.0.0.1:{port}/api/v1"
            tokens, pid, job, demo = _seed(base)
            h = {"Authorization": f"Bearer {tokens['agency']}"}
            idle_job, idle_s = _plan_job(base, h, demo)
            rows = [_stats(backend, "reads", *asyncio.run(
                _drive(base, tokens, pid, job, n, clients)))]

            async def loaded() -> tuple[tuple[list[float], int, float], tuple[int, float]]:
                plan = asyncio.create_task(asyncio.to_thread(_plan_job, base, h, demo))
                reads = await _drive(base, tokens, pid, job, n, clients)
                return reads, await plan

            reads, (busy_job, busy_s) = asyncio.run(loaded())
            rows.append(_stats(backend, "reads + a plan job", *reads))
            jobs = {"backend": backend, "idle_s": idle_s, "busy_s": busy_s,
                    "verified": _verified(base, h, idle_job) and _verified(base, h, busy_job)}
        finally:
            proc.kill()
            proc.wait(10)
    return rows, jobs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--clients", type=int, default=20)
    args = ap.parse_args()
    backends = ["sqlite"] + (["postgresql"] if pg_available() else [])
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = [run(b, args.requests, args.clients) for b in backends]
    rows = [r for rs, _ in results for r in rs]
    jobs = [j for _, j in results]
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) / 2**20 for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0.0)
    load = os.getloadavg()[0]
    lines = ["# Service load benchmark", "",
             f"`benchmarks/bench_service.py`, run {started}: {args.clients} concurrent clients, "
             f"{args.requests:,} requests per phase on loopback against one `surge serve` process "
             "(one uvicorn worker, the in-process Dask cluster): logins (argon2), revision "
             "reads, plan status and plan document reads, survey and actuals lists, in turn as "
             "the agency and two manufacturers (documents cut per organisation). Phase two "
             "runs the same reads while a plan job of the demo scenario "
             "(`examples/uav-france.yaml`) solves in the same process.",
             "", f"Machine: {os.cpu_count()} CPUs (nproc), {cpu}, {mem:.0f} GiB; Python "
             f"{platform.python_version()}; PostgreSQL on the same machine; shared with other "
             f"work while it ran (load average {load:.1f} at the end), so compare the rows as "
             "ratios of this one run, not as absolute figures.", "",
             "| database | phase | requests | failures | throughput [req/s] | p50 [ms] | "
             "p95 [ms] | p99 [ms] |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['backend']} | {r['phase']} | {r['requests']:,} | {r['failures']} | "
                     f"{r['throughput']:,.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} |")
    lines += ["", "Plan job of the demo (queued to done, seen by polling `GET /plans/{id}`; "
              "the plans verified by `surge.verify`):", "",
              "| database | idle [s] | under load [s] | ratio | verified |",
              "|---|---:|---:|---:|---|"]
    for j in jobs:
        lines.append(f"| {j['backend']} | {j['idle_s']:.1f} | {j['busy_s']:.1f} | "
                     f"{j['busy_s'] / j['idle_s']:.1f} | {'yes' if j['verified'] else 'NO'} |")
    by = {(r["backend"], r["phase"]): r for r in rows}
    if ("postgresql", "reads") in by:
        ratio = by[("postgresql", "reads")]["throughput"] / by[("sqlite", "reads")]["throughput"]
        lines += ["", f"PostgreSQL / SQLite throughput on reads alone: {ratio:.2f}."]
    out = ROOT / "benchmarks" / "results" / "service.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

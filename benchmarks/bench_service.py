"""Load benchmark of the service: 20 concurrent clients, 5,000 requests on loopback.

Starts ``surge serve`` on SQLite and on PostgreSQL, seeds a programme with a published plan,
then drives logins and revision and plan reads as the agency and two manufacturers.
Writes throughput and p50/p95/p99 latency to ``benchmarks/results/service.md``.

    PYTHONPATH=src python benchmarks/bench_service.py [--requests 5000] [--clients 20]
"""

from __future__ import annotations

import argparse
import asyncio
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
sys.path.insert(0, str(ROOT))
from tests.service.conftest import (  # noqa: E402
    KEY,
    PASSWORD,
    TWO_ORGS,
    USERS,
    fresh_database,
    pg_available,
)
from tests.service.test_service_restart import _free_port, _serve  # noqa: E402


def _seed(base: str) -> tuple[dict[str, str], int, int]:
    tokens = {}
    for key, (email, _, _) in USERS.items():
        tokens[key] = httpx.post(f"{base}/auth/token", data={"username": email,
                                                             "password": PASSWORD}).json()["access_token"]
    h = {"Authorization": f"Bearer {tokens['agency']}"}
    pid = httpx.post(f"{base}/programmes", json={"name": "bench"}, headers=h).json()["id"]
    httpx.post(f"{base}/programmes/{pid}/revisions", json={"scenario": TWO_ORGS}, headers=h)
    job = httpx.post(f"{base}/programmes/{pid}/plans", json={"revision": 1}, headers=h).json()["id"]
    while httpx.get(f"{base}/plans/{job}", headers=h).json()["status"] not in ("done", "failed"):
        time.sleep(0.2)
    httpx.post(f"{base}/plans/{job}/publish", headers=h)
    return tokens, pid, job


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
            kind = i % 5
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
    return await c.get(f"/programmes/{pid}/revisions", headers=h)


def _create_users(url: str) -> None:
    import subprocess

    env = os.environ | {"PYTHONPATH": str(ROOT / "src")}
    for email, role, org in USERS.values():
        cmd = [sys.executable, "-c", "from surge.cli import main; main()", "admin", "create-user",
               "--email", email, "--role", role, "--password-stdin", "--db", url]
        cmd += ["--organization", org] if org else []
        subprocess.run(cmd, input=PASSWORD.encode(), env=env, check=True, capture_output=True)


def run(backend: str, n: int, clients: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, fresh_database(backend, Path(tmp)) as url:
        _create_users(url)
        os.environ["SURGE_SECRET_KEY"] = KEY
        port = _free_port()
        proc = _serve(url, port, Path(tmp) / "serve.log")
        try:
            base = f"http://127.0.0.1:{port}/api/v1"
            tokens, pid, job = _seed(base)
            lat, failures, wall = asyncio.run(_drive(base, tokens, pid, job, n, clients))
        finally:
            proc.kill()
            proc.wait(10)
    q = statistics.quantiles(lat, n=100)
    return {"backend": backend, "requests": len(lat), "failures": failures,
            "throughput": len(lat) / wall, "p50": q[49] * 1e3, "p95": q[94] * 1e3,
            "p99": q[98] * 1e3, "wall": wall}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--clients", type=int, default=20)
    args = ap.parse_args()
    backends = ["sqlite"] + (["postgresql"] if pg_available() else [])
    rows = [run(b, args.requests, args.clients) for b in backends]
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    lines = ["# Service load benchmark", "",
             f"`benchmarks/bench_service.py`: {args.clients} concurrent clients, "
             f"{args.requests:,} requests on loopback against one `surge serve` process "
             "(one uvicorn worker): logins (argon2), revision reads, plan status and plan "
             "document reads, as the agency and two manufacturers (documents cut per organisation).",
             "", f"Machine: {os.cpu_count()} CPUs (nproc), {cpu}; Python {platform.python_version()}; "
             "shared with other work while it ran.", "",
             "| database | requests | failures | throughput [req/s] | p50 [ms] | p95 [ms] | p99 [ms] |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['backend']} | {r['requests']:,} | {r['failures']} | "
                     f"{r['throughput']:,.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} |")
    out = ROOT / "benchmarks" / "results" / "service.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

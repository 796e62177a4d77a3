"""A job survives a killed server: SIGKILL during a plan job, restart, the job completes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from tests.service.conftest import KEY, PASSWORD, fresh_database

import surge
from surge.plan.model import Plan
from surge.scenario import read_file

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "uav-france.yaml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    return os.environ | {"PYTHONPATH": str(ROOT / "src"), "SURGE_SECRET_KEY": KEY}


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([sys.executable, "-c", "from surge.cli import main; main()",
                                 "serve", "--db", url, "--port", str(port)], env=_env(),
                                cwd=log.parent, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"surge serve did not start: {log.read_text()}")


def _poll(base: str, h: dict[str, str], job: int, until: set[str], limit_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + limit_s
    while True:
        body: dict[str, Any] = httpx.get(f"{base}/plans/{job}", headers=h).json()
        if body["status"] in until or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_a_job_survives_a_killed_server(backend: str, tmp_path: Path) -> None:
    scenario = json.loads(json.dumps(read_file(DEMO), default=str))
    with fresh_database(backend, tmp_path) as url:
        subprocess.run([sys.executable, "-c", "from surge.cli import main; main()", "admin",
                        "create-user", "--email", "boss@agency.example", "--role", "agency",
                        "--password-stdin", "--db", url], input=PASSWORD.encode(), env=_env(),
                       check=True, capture_output=True)
        port, log = _free_port(), tmp_path / "serve.log"
        base = f"http://127.0.0.1:{port}/api/v1"
        proc = _serve(url, port, log)
        try:
            token = httpx.post(f"{base}/auth/token", data={"username": "boss@agency.example",
                                                           "password": PASSWORD}).json()
            h = {"Authorization": f"Bearer {token['access_token']}"}
            pid = httpx.post(f"{base}/programmes", json={"name": "demo"}, headers=h).json()["id"]
            assert httpx.post(f"{base}/programmes/{pid}/revisions", json={"scenario": scenario},
                              headers=h, timeout=30).status_code == 201
            job = httpx.post(f"{base}/programmes/{pid}/plans", json={"revision": 1},
                             headers=h).json()["id"]
            assert _poll(base, h, job, {"running", "done", "failed"}, 60)["status"] == "running"
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            proc = _serve(url, port, log)
            body = _poll(base, h, job, {"done", "failed"}, 300)
            assert body["status"] == "done", body
            plan = Plan.from_dict(httpx.get(f"{base}/plans/{job}/plan", headers=h).json())
            assert surge.verify(surge.load(DEMO), plan).ok
        finally:
            proc.kill()
            proc.wait(10)

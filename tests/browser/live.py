"""A live ``surge serve`` app for browser tests, screenshots and the UI benchmark.

:func:`serve` runs the real application (uvicorn, Dask jobs) in a thread on a free port
against a fresh SQLite database; :func:`seed` fills it through the JSON API with the demo
programme: two plans (one published, with a risk run) and one user per role.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from surge.scenario import read_file
from surge.service.app import create_app
from surge.service.db.session import session_factory
from surge.service.settings import Settings
from surge.service.users import create_user

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "uav-france.yaml"
PASSWORD = "correct horse battery"
USERS = {"agency": ("boss@agency.example", "agency", None),
         "analyst": ("ana@agency.example", "analyst", None),
         "renault": ("plant@renault.example", "manufacturer", "renault"),
         "army": ("depot@army.example", "manufacturer", "army")}
KEY = "k" * 16 + secrets.token_hex(16)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(db: Path) -> Iterator[tuple[str, Any]]:
    """``(base URL, app)`` of the service on a fresh SQLite file ``db``, users created."""
    url = f"sqlite:///{db}"
    app = create_app(Settings(database_url=url, secret_key=KEY, cluster="local:2"))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start within 60 s")
        time.sleep(0.05)
    with session_factory(app.state.engine)() as s:
        for email, role, org in USERS.values():
            create_user(s, email=email, role=role, organization=org, password=PASSWORD,
                        by="test")
    try:
        yield base, app
    finally:
        server.should_exit = True
        thread.join(60)


def api(base: str, user: str = "agency") -> httpx.Client:
    """An API client logged in as one of :data:`USERS`."""
    r = httpx.post(f"{base}/api/v1/auth/token",
                   data={"username": USERS[user][0], "password": PASSWORD})
    r.raise_for_status()
    return httpx.Client(base_url=f"{base}/api/v1", timeout=60,
                        headers={"Authorization": f"Bearer {r.json()['access_token']}"})


def wait(client: httpx.Client, path: str, limit_s: float = 180) -> dict[str, Any]:
    """Poll a job until done or failed (the limit bounds a hung run; it is no assertion)."""
    deadline = time.monotonic() + limit_s
    while True:
        body: dict[str, Any] = client.get(path).json()
        if body["status"] in ("done", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def demo_document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(json.dumps(read_file(DEMO), default=str))
    return doc


def seed(base: str, *, time_limit_s: float = 20, runs: int = 300) -> dict[str, int]:
    """The demo programme: revision 1, plan A (published, risk run) and plan B (a what-if:
    the Le Mans hall unavailable), as ids ``pid``, ``plan``, ``other``, ``risk``."""
    with api(base) as c:
        return _seed(c, time_limit_s, runs)


def _seed(c: httpx.Client, time_limit_s: float, runs: int) -> dict[str, int]:
    pid = c.post("/programmes", json={"name": "UAV France 2027"}).json()["id"]
    r = c.post(f"/programmes/{pid}/revisions", json={"scenario": demo_document(),
                                                     "message": "the demo scenario"})
    r.raise_for_status()
    plan = c.post(f"/programmes/{pid}/plans",
                  json={"revision": 1, "time_limit_s": time_limit_s}).json()["id"]
    other = c.post(f"/programmes/{pid}/plans", json={
        "revision": 1, "time_limit_s": time_limit_s,
        "set": {"lines[0].options[0].lead_time_weeks": 7,
                "lines[0].options[1].lead_time_weeks": 8}}).json()["id"]
    for job in (plan, other):
        body = wait(c, f"/plans/{job}")
        assert body["status"] == "done", body
    c.post(f"/plans/{plan}/publish").raise_for_status()
    risk = c.post(f"/plans/{plan}/risk", json={"runs": runs, "seed": 7}).json()["id"]
    assert wait(c, f"/risk/{risk}")["status"] == "done"
    return {"pid": pid, "plan": plan, "other": other, "risk": risk}

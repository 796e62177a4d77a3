"""Service fixtures: every test runs on SQLite and on PostgreSQL (a fresh database each)."""

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from surge.service.app import create_app
from surge.service.db.session import make_engine, session_factory
from surge.service.settings import Settings
from surge.service.users import create_user
from surge.service.views import own_sites_and_lines

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
KEY = "k" * 16 + secrets.token_hex(16)
PASSWORD = "correct horse battery"

# Two organisations; org-b's ids and names must never reach a user of org-a.
B_SECRETS = ["org-b", "Bravo Industries", "bravo-works", "Bravo Works", "bravo-l9", "Bravo Nine",
             "order-bravo"]
TWO_ORGS: dict[str, Any] = {
    "surge": 1, "name": "two makers", "start": "2026-01-05", "weeks": 8,
    "items": [{"id": "kit"}, {"id": "drone"}],
    "operations": [{"id": "assemble", "produces": "drone", "consumes": {"kit": 1},
                    "capability": "assembly", "hours_per_unit": 2}],
    "organizations": [{"id": "org-a", "name": "Alpha Works"},
                      {"id": "org-b", "name": "Bravo Industries"}],
    "sites": [{"id": "alpha-plant", "name": "Alpha Plant", "organization": "org-a",
               "country": "FR", "lat": 48.85, "lon": 2.35},
              {"id": "bravo-works", "name": "Bravo Works", "organization": "org-b",
               "country": "FR", "lat": 45.76, "lon": 4.84}],
    "lines": [{"id": "alpha-l1", "name": "Alpha One", "site": "alpha-plant", "options": [
                  {"id": "convert", "capabilities": ["assembly"], "hours_per_week": 100,
                   "lead_time_weeks": 2, "fixed_cost": 50000, "cost_per_hour": 40}]},
              {"id": "bravo-l9", "name": "Bravo Nine", "site": "bravo-works", "options": [
                  {"id": "convert", "capabilities": ["assembly"], "hours_per_week": 100,
                   "lead_time_weeks": 2, "fixed_cost": 60000, "cost_per_hour": 40}]}],
    "suppliers": [{"id": "kits-r-us", "country": "FR", "offers": [
        {"item": "kit", "unit_price": 300, "lead_time_weeks": 1, "capacity_per_week": 200}]}],
    "demands": [{"id": "order-alpha", "item": "drone", "site": "alpha-plant",
                 "due": [{"week": 7, "quantity": 100}]},
                {"id": "order-bravo", "item": "drone", "site": "bravo-works",
                 "due": [{"week": 7, "quantity": 100}]}],
    "uncertainty": {"lines": {"bravo-l9": {"availability": 0.9}}},
}
ONLY_B: dict[str, Any] = copy.deepcopy(TWO_ORGS) | {"name": "bravo alone"}
ONLY_B["organizations"] = [TWO_ORGS["organizations"][1]]
ONLY_B["sites"] = [TWO_ORGS["sites"][1]]
ONLY_B["lines"] = [TWO_ORGS["lines"][1]]
ONLY_B["demands"] = [TWO_ORGS["demands"][1]]
USERS = {"agency": ("boss@agency.example", "agency", None),
         "analyst": ("ana@agency.example", "analyst", None),
         "maker_a": ("a@alpha.example", "manufacturer", "org-a"),
         "maker_b": ("b@bravo.example", "manufacturer", "org-b")}


def pg_available() -> bool:
    try:
        import psycopg

        psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres",
                        connect_timeout=3).close()
        return True
    except Exception:  # noqa: BLE001 - any failure means: no server to test on
        return False


@contextmanager
def fresh_database(backend: str, tmp: Path) -> Iterator[str]:
    """The URL of a new, empty database, dropped (or deleted) afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / f'surge-{secrets.token_hex(4)}.db'}"
        return
    if not pg_available():
        pytest.skip("PostgreSQL: no server answers on 127.0.0.1:5432 (user postgres)")
    import psycopg

    name = f"surge_test_{secrets.token_hex(6)}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def service(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A running app on a fresh database with one user per role; ``tokens`` by user key."""
    with fresh_database(backend, tmp_path_factory.mktemp(backend)) as url:
        app = create_app(Settings(database_url=url, secret_key=KEY, cluster="local:1",
                                  max_body_bytes=1_000_000))
        with TestClient(app, raise_server_exceptions=False) as client:
            with session_factory(app.state.engine)() as db:
                for email, role, org in USERS.values():
                    create_user(db, email=email, role=role, organization=org,
                                password=PASSWORD, by="test")
            tokens = {k: login(client, v[0]) for k, v in USERS.items()}
            yield {"client": client, "tokens": tokens, "url": url, "app": app}
        make_engine(url).dispose()


def login(client: TestClient, email: str) -> str:
    r = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wait_job(client: TestClient, path: str, token: str, limit_s: float = 180) -> dict[str, Any]:
    """Poll a job until it is done or failed (``limit_s`` bounds a hung test, it is no assertion)."""
    deadline = time.monotonic() + limit_s
    while True:
        body: dict[str, Any] = client.get(path, headers=auth(token)).json()
        if body["status"] in ("done", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


@pytest.fixture(scope="session")
def world(service: dict[str, Any]) -> dict[str, Any]:
    """A programme naming both organisations with a done, published plan, an unpublished
    plan, a risk job, and a programme naming org-b only."""
    c, t = service["client"], service["tokens"]
    h = auth(t["agency"])
    pid = c.post("/api/v1/programmes", json={"name": "Two makers"}, headers=h).json()["id"]
    r = c.post(f"/api/v1/programmes/{pid}/revisions", json={"scenario": TWO_ORGS,
                                                            "message": "first"}, headers=h)
    assert r.status_code == 201, r.text
    published = c.post(f"/api/v1/programmes/{pid}/plans", json={"revision": 1}, headers=h).json()
    assert wait_job(c, f"/api/v1/plans/{published['id']}", t["agency"])["status"] == "done"
    assert c.post(f"/api/v1/plans/{published['id']}/publish", headers=h).status_code == 200
    hidden = c.post(f"/api/v1/programmes/{pid}/plans", json={"revision": 1}, headers=h).json()
    assert wait_job(c, f"/api/v1/plans/{hidden['id']}", t["agency"])["status"] == "done"
    risk = c.post(f"/api/v1/plans/{published['id']}/risk", json={"runs": 50, "seed": 1},
                  headers=h).json()
    assert wait_job(c, f"/api/v1/risk/{risk['id']}", t["agency"])["status"] == "done"
    pid_b = c.post("/api/v1/programmes", json={"name": "Bravo programme"}, headers=h).json()["id"]
    assert c.post(f"/api/v1/programmes/{pid_b}/revisions", json={"scenario": ONLY_B},
                  headers=h).status_code == 201
    plan = c.get(f"/api/v1/plans/{published['id']}/plan", headers=h).json()
    facts = executed(plan, 3)
    ids = {}
    for who, org in (("maker_a", "org-a"), ("maker_b", "org-b")):
        hm = auth(t[who])
        r = c.post(f"/api/v1/programmes/{pid}/surveys", headers=hm,
                   files={"file": (f"{org}.xlsx", workbook(c, t[who], pid))})
        assert r.status_code == 201, r.text
        ids[f"survey_{org[-1]}"] = r.json()["id"]
        r = c.post(f"/api/v1/programmes/{pid}/actuals", headers=hm,
                   json={"plan": published["id"], "actuals": part(facts, org)})
        assert r.status_code == 201, r.text
        ids[f"actuals_{org[-1]}"] = r.json()["id"]
    return {"pid": pid, "pid_b": pid_b, "published": published["id"], "hidden": hidden["id"],
            "risk": risk["id"], **ids}


def workbook(client: TestClient, token: str, pid: int, **who: str) -> bytes:
    """The survey template of the latest revision (a manufacturer's own by default)."""
    r = client.get(f"/api/v1/programmes/{pid}/survey-template", params=who, headers=auth(token))
    assert r.status_code == 200, r.text
    return r.content


def executed(plan_doc: dict[str, Any], through_week: int,
             scenario: dict[str, Any] = TWO_ORGS) -> dict[str, Any]:
    """The actuals document of ``plan_doc`` executed exactly up to ``through_week``."""
    import surge
    from surge.plan.model import Plan
    from surge.state.actuals import actuals_from_plan

    facts = actuals_from_plan(surge.load(scenario), Plan.from_dict(plan_doc), through_week)
    return facts.model_dump(mode="json", by_alias=True)


def part(facts: dict[str, Any], org: str, scenario: dict[str, Any] = TWO_ORGS) -> dict[str, Any]:
    """The facts of an actuals document that are about ``org``'s lines, sites and demands."""
    sites, lines = own_sites_and_lines(scenario, org)
    demands = {d["id"] for d in scenario["demands"] if d["site"] in sites}
    keep = {"activations": lambda f: f["line"] in lines, "production": lambda f: f["line"] in lines,
            "purchases": lambda f: f["site"] in sites, "stock": lambda f: f["site"] in sites,
            "shipments": lambda f: f["from"] in sites and f["to"] in sites,
            "deliveries": lambda f: f["demand"] in demands}
    return {k: [f for f in v if keep[k](f)] if k in keep else v for k, v in facts.items()}

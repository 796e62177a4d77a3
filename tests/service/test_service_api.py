"""The API: auth, roles, revisions, plan jobs end to end, publishing, audit, limits."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from tests.service.conftest import TWO_ORGS, USERS, auth, fresh_database

import surge
from surge.errors import InputError
from surge.plan.model import Plan
from surge.scenario import validate
from surge.service.db.models import Base
from surge.service.db.session import make_engine, upgrade
from surge.service.settings import Settings

API = "/api/v1"


def test_upgrade_on_empty_database_matches_models(backend: str, tmp_path: Any) -> None:
    with fresh_database(backend, tmp_path) as url:
        upgrade(url)
        engine = make_engine(url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            tables = set(inspect(conn).get_table_names())
        engine.dispose()
    assert diff == []
    assert {"users", "programmes", "revisions", "jobs", "audit", "survey_uploads",
            "actuals"} <= tables


def test_migration_0002_upgrades_a_database_of_0001_and_goes_back(backend: str,
                                                                   tmp_path: Any) -> None:
    from alembic import command
    from sqlalchemy import text

    from surge.service.db.session import alembic_config

    with fresh_database(backend, tmp_path) as url:
        cfg = alembic_config(url)
        command.upgrade(cfg, "0001")
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO programmes (name, created_at) "
                              "VALUES ('kept', CURRENT_TIMESTAMP)"))
        upgrade(url)
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            kept = conn.execute(text("SELECT name FROM programmes")).scalars().all()
        assert {"survey_uploads", "actuals"} <= names and kept == ["kept"]
        command.downgrade(cfg, "0001")
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
        assert not {"survey_uploads", "actuals"} & names and "programmes" in names
        engine.dispose()


def test_production_mode_refuses_a_weak_secret_key() -> None:
    with pytest.raises(InputError, match="at least 32 characters"):
        Settings(mode="production", secret_key="changethis", database_url="sqlite://")
    with pytest.raises(InputError, match="got none"):
        Settings(mode="production", database_url="sqlite://")
    assert Settings(mode="production", secret_key="x" * 40, database_url="sqlite://").mode == "production"


def test_login_and_me(service: dict[str, Any]) -> None:
    c, t = service["client"], service["tokens"]
    assert c.get(f"{API}/me", headers=auth(t["maker_a"])).json() == {
        "email": "a@alpha.example", "role": "manufacturer", "organization": "org-a"}
    bad = c.post(f"{API}/auth/token", data={"username": "a@alpha.example", "password": "nope"})
    assert bad.status_code == 401 and bad.json() == {"detail": "wrong email or password"}
    assert c.get(f"{API}/me", headers=auth("not.a.token")).status_code == 401


def _routes(client: Any) -> list[tuple[str, str]]:
    doc = client.get(f"{API}/openapi.json").json()
    return [(m.upper(), p) for p, ops in doc["paths"].items() for m in ops]


def test_every_route_answers_401_without_a_token(service: dict[str, Any]) -> None:
    c = service["client"]
    routes = [r for r in _routes(c) if r[1] != f"{API}/auth/token"]
    assert len(routes) >= 24
    for method, path in routes:
        url = path.replace("{pid}", "1").replace("{number}", "1").replace("{plan_id}", "1") \
            .replace("{risk_id}", "1").replace("{survey_id}", "1").replace("{actuals_id}", "1")
        r = c.request(method, url)
        assert r.status_code == 401, (method, path, r.status_code)
        assert "detail" in r.json()


@pytest.mark.parametrize(("who", "method", "path", "body"), [
    ("maker_a", "POST", "/programmes", {"name": "x"}),
    ("analyst", "POST", "/programmes", {"name": "x"}),
    ("analyst", "POST", "/programmes/{pid}/revisions", {"scenario": TWO_ORGS}),
    ("maker_a", "POST", "/programmes/{pid}/plans", {"revision": 1}),
    ("analyst", "POST", "/plans/{plan}/publish", None),
    ("maker_a", "POST", "/plans/{plan}/risk", {"runs": 10, "seed": 0}),
    ("analyst", "GET", "/audit", None),
    ("maker_a", "GET", "/audit", None),
    ("analyst", "POST", "/plans/{plan}/replan", {"actuals": {}}),
    ("maker_a", "POST", "/plans/{plan}/replan", {"actuals": [1]}),
    ("analyst", "POST", "/programmes/{pid}/actuals", {"plan": 1, "actuals": {}}),
    ("analyst", "POST", "/programmes/{pid}/surveys/{survey}/merge", None),
    ("maker_a", "POST", "/programmes/{pid}/surveys/{survey}/merge", None),
    ("maker_a", "GET", "/programmes/{pid}/survey-status", None),
    ("analyst", "POST", "/programmes/{pid}/surveys", None),
])
def test_wrong_role_answers_403(service: dict[str, Any], world: dict[str, Any], who: str,
                                method: str, path: str, body: Any) -> None:
    url = API + path.format(pid=world["pid"], plan=world["published"], survey=world["survey_a"])
    r = service["client"].request(method, url, json=body, headers=auth(service["tokens"][who]))
    assert r.status_code == 403, r.text
    assert r.json()["detail"].startswith(f"role '{USERS[who][1]}' may not do this")


def test_invalid_scenario_answers_422_with_the_problems_of_surge_check(
        service: dict[str, Any], world: dict[str, Any]) -> None:
    c, h = service["client"], auth(service["tokens"]["agency"])
    bad = TWO_ORGS | {"weeks": 0, "lines": [TWO_ORGS["lines"][0] | {"site": "nowhere"}]}
    before = len(c.get(f"{API}/audit", headers=h).json())
    r = c.post(f"{API}/programmes/{world['pid']}/revisions", json={"scenario": bad}, headers=h)
    assert r.status_code == 422
    expected = [{"path": p.path, "message": p.message} for p in validate(bad)[1]
                if p.severity == "error"]
    assert r.json()["problems"] == expected and len(expected) >= 2
    assert any("nowhere" in p["message"] for p in expected)
    assert len(c.get(f"{API}/audit", headers=h).json()) == before  # nothing changed, nothing logged


def test_revisions_are_numbered_and_never_change(service: dict[str, Any]) -> None:
    c, h = service["client"], auth(service["tokens"]["agency"])
    pid = c.post(f"{API}/programmes", json={"name": "numbers"}, headers=h).json()["id"]
    one = c.post(f"{API}/programmes/{pid}/revisions", json={"scenario": TWO_ORGS,
                                                             "message": "one"}, headers=h)
    changed = TWO_ORGS | {"weeks": 9}
    two = c.post(f"{API}/programmes/{pid}/revisions", json={"scenario": changed,
                                                             "message": "two"}, headers=h)
    assert (one.json()["number"], two.json()["number"]) == (1, 2)
    assert c.get(f"{API}/programmes/{pid}/revisions/1", headers=h).json()["scenario"]["weeks"] == 8
    listed = c.get(f"{API}/programmes/{pid}/revisions", headers=h).json()
    assert [(r["number"], r["message"], r["author"]) for r in listed] == [
        (1, "one", "boss@agency.example"), (2, "two", "boss@agency.example")]
    revision_ops = {m for m, p in _routes(c) if "/revisions/{number}" in p}
    assert revision_ops == {"GET"}  # no route edits or deletes a revision


def test_plan_job_end_to_end_verified_published_audited(service: dict[str, Any],
                                                          world: dict[str, Any]) -> None:
    c, t = service["client"], service["tokens"]
    body = c.get(f"{API}/plans/{world['published']}", headers=auth(t["agency"])).json()
    assert body["status"] == "done" and body["published"] is True and body["progress"] == 1.0
    doc = c.get(f"{API}/plans/{world['published']}/plan", headers=auth(t["agency"])).json()
    plan = Plan.from_dict(doc)
    sc = surge.load(TWO_ORGS)
    assert surge.verify(sc, plan).ok
    assert plan.status == "optimal" and plan.objective.service == 0
    assert body["objective"]["service"] == 0
    # the manufacturer sees its own rows only
    mine = c.get(f"{API}/plans/{world['published']}/plan", headers=auth(t["maker_a"])).json()
    assert {r["line"] for r in mine["production"]} == {"alpha-l1"}
    assert {r["demand"] for r in mine["deliveries"]} == {"order-alpha"}
    assert sum(r["quantity"] for r in mine["deliveries"]) == pytest.approx(100)
    actions = [(a["action"], a["object"]) for a in c.get(f"{API}/audit",
                                                            headers=auth(t["agency"])).json()]
    assert ("plan published", f"plan {world['published']}") in actions
    assert ("plan job created", f"plan {world['published']}") in actions
    assert ("plan done", f"plan {world['published']}") in actions
    assert ("user created", "user a@alpha.example") in actions


def test_risk_job_gives_the_risk_document(service: dict[str, Any], world: dict[str, Any]) -> None:
    c, t = service["client"], service["tokens"]
    body = c.get(f"{API}/risk/{world['risk']}", headers=auth(t["analyst"])).json()
    assert body["status"] == "done" and body["risk"]["runs"] == 50 and body["risk"]["seed"] == 1


def test_what_if_with_set_and_a_failed_job_says_why(service: dict[str, Any],
                                                     world: dict[str, Any]) -> None:
    from tests.service.conftest import wait_job

    c, t = service["client"], service["tokens"]
    r = c.post(f"{API}/programmes/{world['pid']}/plans", headers=auth(t["analyst"]),
               json={"revision": 1, "set": {"lines.alpha-l1.options.convert.hours_per_week": -5}})
    assert r.status_code == 202 and r.json()["status"] == "queued"
    body = wait_job(c, f"{API}/plans/{r.json()['id']}", t["analyst"])
    assert body["status"] == "failed" and "hours_per_week" in body["message"]


def test_publish_needs_a_done_plan_and_unknown_revision_is_404(
        service: dict[str, Any], world: dict[str, Any]) -> None:
    c, h = service["client"], auth(service["tokens"]["agency"])
    r = c.post(f"{API}/programmes/{world['pid']}/plans", json={"revision": 99}, headers=h)
    assert r.status_code == 404
    assert r.json() == {"detail": f"revision 99 of programme {world['pid']} not found"}


def test_request_body_size_limit_and_json_errors(service: dict[str, Any],
                                                  world: dict[str, Any]) -> None:
    c, h = service["client"], auth(service["tokens"]["agency"])
    big = {"scenario": {"name": "x" * 1_100_000}}
    r = c.post(f"{API}/programmes/{world['pid']}/revisions", json=big, headers=h)
    assert r.status_code == 413
    assert r.json() == {"detail": "the request body is larger than the limit of 1,000,000 bytes"}
    assert c.get(f"{API}/nothing-here", headers=h).json() == {"detail": "Not Found"}
    assert c.post(f"{API}/programmes", content=b"{not json", headers=h
                  | {"Content-Type": "application/json"}).status_code == 422


def test_text_with_a_nul_character_answers_422_on_every_database(
        service: dict[str, Any], backend: str) -> None:
    """Found by schemathesis on PostgreSQL (which cannot store NUL): a 500, now a 422."""
    c, h = service["client"], auth(service["tokens"]["agency"])
    before = c.get(f"{API}/programmes", headers=h).json()
    r = c.post(f"{API}/programmes", json={"name": "a\u0000b"}, headers=h)
    assert r.status_code == 422 and "U+0000" in r.text
    assert c.get(f"{API}/programmes", headers=h).json() == before
    # a valid scenario carrying NUL in free text is stored as JSON, escaped, on both
    pid = c.post(f"{API}/programmes", json={"name": "nul in data"}, headers=h).json()["id"]
    doc = {"scenario": TWO_ORGS | {"name": "two orgs\u0000"}, "message": "nul"}
    r = c.post(f"{API}/programmes/{pid}/revisions", json=doc, headers=h)
    assert r.status_code == 201 and r.json()["scenario"]["name"] == "two orgs\u0000", r.text
    # a NUL in the login form reaches a text column: wrong credentials, on every database
    r = c.post(f"{API}/auth/token", data={"username": "a\u0000@x.example", "password": "p"})
    assert r.status_code == 401, (backend, r.text)

"""Isolation: a manufacturer of org-a never sees anything of org-b, on any route."""

from __future__ import annotations

import re
from typing import Any

from tests.service.conftest import B_SECRETS, TWO_ORGS, auth

API = "/api/v1"


def _fill(path: str, world: dict[str, Any], pid: int, plan: int) -> str:
    return (path.replace("{pid}", str(pid)).replace("{number}", "1")
            .replace("{plan_id}", str(plan)).replace("{risk_id}", str(world["risk"]))
            .replace("{survey_id}", "1"))


def _bodies(method: str, path: str) -> dict[str, Any]:
    if path.endswith("/revisions"):
        return {"json": {"scenario": TWO_ORGS}}
    if path.endswith("/plans"):
        return {"json": {"revision": 1}}
    if path.endswith("/risk"):
        return {"json": {"runs": 10, "seed": 0}}
    if path.endswith("/surveys"):
        return {"files": {"file": ("s.xlsx", b"PK")}}
    return {"json": {"name": "x", "actuals": {}}} if method == "POST" else {}


def test_no_route_shows_org_b_to_a_maker_of_org_a(service: dict[str, Any],
                                                   world: dict[str, Any]) -> None:
    c, h = service["client"], auth(service["tokens"]["maker_a"])
    doc = c.get(f"{API}/openapi.json").json()
    seen = 0
    for path, ops in doc["paths"].items():
        for method in ops:
            if path == f"{API}/auth/token":
                continue
            for pid, plan in [(world["pid"], world["published"]), (world["pid_b"], world["hidden"])]:
                r = c.request(method.upper(), _fill(path, world, pid, plan), headers=h,
                              **_bodies(method, path))
                seen += 1
                assert r.status_code < 500 or r.status_code == 501, (method, path, r.text)
                for secret in B_SECRETS:
                    assert not re.search(re.escape(secret), r.text), (method, path, secret, r.text)
    assert seen >= 30


def test_org_b_objects_and_unpublished_plans_answer_404(service: dict[str, Any],
                                                         world: dict[str, Any]) -> None:
    c, h = service["client"], auth(service["tokens"]["maker_a"])
    for url in [f"/programmes/{world['pid_b']}/revisions", f"/programmes/{world['pid_b']}/revisions/1",
                f"/plans/{world['hidden']}", f"/plans/{world['hidden']}/plan",
                f"/risk/{world['risk']}", "/plans/999999"]:
        r = c.get(API + url, headers=h)
        assert r.status_code == 404, (url, r.text)
        assert r.json()["detail"].endswith("not found")
    visible = [p["id"] for p in c.get(f"{API}/programmes", headers=h).json()]
    assert world["pid"] in visible and world["pid_b"] not in visible
    # org-b's own maker sees its programme alone and its own part
    hb = auth(service["tokens"]["maker_b"])
    rev = c.get(f"{API}/programmes/{world['pid_b']}/revisions/1", headers=hb).json()
    assert [s["id"] for s in rev["scenario"]["sites"]] == ["bravo-works"]


def test_revision_is_cut_to_the_organisation(service: dict[str, Any], world: dict[str, Any]) -> None:
    c = service["client"]
    rev = c.get(f"{API}/programmes/{world['pid']}/revisions/1",
                headers=auth(service["tokens"]["maker_a"])).json()["scenario"]
    assert [o["id"] for o in rev["organizations"]] == ["org-a"]
    assert [ln["id"] for ln in rev["lines"]] == ["alpha-l1"]
    assert [d["id"] for d in rev["demands"]] == ["order-alpha"]
    assert rev["uncertainty"]["lines"] == {}
    full = c.get(f"{API}/programmes/{world['pid']}/revisions/1",
                 headers=auth(service["tokens"]["analyst"])).json()["scenario"]
    assert [ln["id"] for ln in full["lines"]] == ["alpha-l1", "bravo-l9"]

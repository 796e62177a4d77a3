"""Isolation: a manufacturer of org-a never sees anything of org-b, on any route."""

from __future__ import annotations

import re
from typing import Any

from tests.service.conftest import B_SECRETS, TWO_ORGS, auth

API = "/api/v1"


def _fill(path: str, world: dict[str, Any], pid: int, plan: int, org: str) -> str:
    return (path.replace("{pid}", str(pid)).replace("{number}", "1")
            .replace("{plan_id}", str(plan)).replace("{risk_id}", str(world["risk"]))
            .replace("{survey_id}", str(world[f"survey_{org}"]))
            .replace("{actuals_id}", str(world[f"actuals_{org}"])))


def _bodies(method: str, path: str, world: dict[str, Any], plan: int,
            org: str) -> dict[str, Any]:
    if path.endswith("/revisions"):
        return {"json": {"scenario": TWO_ORGS}}
    if path.endswith("/plans"):
        return {"json": {"revision": 1}}
    if path.endswith("/risk"):
        return {"json": {"runs": 10, "seed": 0}}
    if path.endswith("/surveys"):
        return {"files": {"file": ("s.xlsx", b"PK")}}
    if path.endswith("/actuals") and method == "post":
        return {"json": {"plan": plan, "actuals": ORG_FACTS[org]}}
    if path.endswith("/replan"):
        return {"json": {"actuals": [world["actuals_a"], world["actuals_b"]]}}
    if path.endswith("/survey-template"):
        return {"params": {"organization": "org-a"}}
    return {"json": {"name": "x"}} if method == "post" else {}


# A line and a site of each organisation named in an actuals document
ORG_FACTS = {org: {"surge_actuals": 1, "scenario": "two makers", "through_week": 1,
                   "stock": [{"site": site, "item": "kit", "quantity": 1}],
                   "production": [{"operation": "assemble", "line": line, "week": 0,
                                   "quantity": 0}]}
             for org, site, line in (("a", "alpha-plant", "alpha-l1"),
                                     ("b", "bravo-works", "bravo-l9"))}
# (programme, plan, whose survey and actuals): A's own, then B's programme and hidden plan,
# then B's survey and actuals in the shared programme
CASES = [("pid", "published", "a"), ("pid_b", "hidden", "b"), ("pid", "hidden", "b")]


def test_no_route_shows_org_b_to_a_maker_of_org_a(service: dict[str, Any],
                                                   world: dict[str, Any]) -> None:
    c, h = service["client"], auth(service["tokens"]["maker_a"])
    doc = c.get(f"{API}/openapi.json").json()
    seen = 0
    for path, ops in doc["paths"].items():
        for method in ops:
            if path == f"{API}/auth/token":
                continue
            for pid, plan, org in CASES:
                r = c.request(method.upper(), _fill(path, world, world[pid], world[plan], org),
                              headers=h, **_bodies(method, path, world, world[plan], org))
                seen += 1
                assert r.status_code < 500, (method, path, r.text)
                for secret in B_SECRETS:
                    assert not re.search(re.escape(secret), r.text), (method, path, secret, r.text)
                b_object = pid == "pid_b" and "{" in path or org == "b" and (
                    any(k in path for k in ("{plan_id}", "{survey_id}", "{actuals_id}"))
                    or path.endswith("/actuals") and method == "post")
                if b_object:  # B's objects, B's programme, or facts of B's lines and sites
                    assert r.status_code in (403, 404), (method, path, r.status_code, r.text)
    assert seen >= 3 * 24


def test_org_b_objects_and_unpublished_plans_answer_404(service: dict[str, Any],
                                                         world: dict[str, Any]) -> None:
    c, h = service["client"], auth(service["tokens"]["maker_a"])
    pid = world["pid"]
    for url in [f"/programmes/{world['pid_b']}/revisions", f"/programmes/{world['pid_b']}/revisions/1",
                f"/plans/{world['hidden']}", f"/plans/{world['hidden']}/plan",
                f"/risk/{world['risk']}", "/plans/999999",
                f"/programmes/{pid}/surveys/{world['survey_b']}",
                f"/programmes/{pid}/surveys/{world['survey_b']}/workbook",
                f"/programmes/{pid}/actuals/{world['actuals_b']}",
                f"/programmes/{world['pid_b']}/surveys", f"/programmes/{world['pid_b']}/actuals",
                f"/programmes/{world['pid_b']}/survey-template"]:
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

"""Actuals and replanning over the API: own facts only, checked, merged, rolled, replanned."""

from __future__ import annotations

from typing import Any

from tests.service.conftest import B_SECRETS, TWO_ORGS, auth, executed, part, wait_job

import surge
from surge.plan.model import Plan
from surge.state import load_actuals, plan_changes, roll

API = "/api/v1"


def post(service: dict[str, Any], who: str, pid: int, plan: int, facts: dict[str, Any]) -> Any:
    return service["client"].post(f"{API}/programmes/{pid}/actuals",
                                  headers=auth(service["tokens"][who]),
                                  json={"plan": plan, "actuals": facts})


def plan_doc(service: dict[str, Any], plan: int) -> dict[str, Any]:
    doc: dict[str, Any] = service["client"].get(
        f"{API}/plans/{plan}/plan", headers=auth(service["tokens"]["agency"])).json()
    return doc


def test_a_manufacturer_records_facts_of_its_own_lines_and_sites_only(
        service: dict[str, Any], world: dict[str, Any]) -> None:
    c, t = service["client"], service["tokens"]
    pid, plan = world["pid"], world["published"]
    facts = executed(plan_doc(service, plan), 3)
    assert any(f["site"] == "alpha-plant" for f in facts["purchases"])
    r = post(service, "maker_a", pid, plan, part(facts, "org-a"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["organization"], body["plan"], body["through_week"]) == ("org-a", plan, 3)
    assert body["actuals"]["purchases"] == part(facts, "org-a")["purchases"]
    # a fact of org-b's line, of a shipment to org-b's site, of a line that does not exist:
    # all the same 404, and nothing of org-b in the answer
    line = {"operation": "assemble", "week": 0, "quantity": 1.0}
    for bad in ({"production": [line | {"line": "bravo-l9"}]},
                {"production": [line | {"line": "no-such-line"}]},
                {"shipments": [{"item": "drone", "from": "alpha-plant", "to": "bravo-works",
                                "week": 1, "arrival_week": 2, "quantity": 5}]},
                {"deliveries": [{"demand": "order-bravo", "week": 1, "quantity": 5}]}):
        r = post(service, "maker_a", pid, plan, part(facts, "org-a") | bad)
        assert r.status_code == 404, r.text
        assert r.json()["detail"].endswith("not found among the lines, sites and demands of "
                                           "organization 'org-a'")
        for secret in B_SECRETS:
            assert secret not in r.text
    mine = c.get(f"{API}/programmes/{pid}/actuals", headers=auth(t["maker_a"])).json()
    assert {d["organization"] for d in mine} == {"org-a"}
    assert body["id"] in [d["id"] for d in mine]
    theirs = c.get(f"{API}/programmes/{pid}/actuals", headers=auth(t["maker_b"])).json()
    assert body["id"] not in [d["id"] for d in theirs]
    r = c.get(f"{API}/programmes/{pid}/actuals/{body['id']}", headers=auth(t["maker_b"]))
    assert r.status_code == 404
    every = c.get(f"{API}/programmes/{pid}/actuals", params={"plan": plan},
                  headers=auth(t["analyst"])).json()
    assert {d["organization"] for d in every} >= {"org-a", "org-b"}
    audit = c.get(f"{API}/audit", headers=auth(t["agency"])).json()
    assert ("actuals recorded", f"actuals {body['id']}") in [(a["action"], a["object"])
                                                               for a in audit]


def test_actuals_are_checked_by_the_rules_of_the_format(service: dict[str, Any],
                                                         world: dict[str, Any]) -> None:
    pid, plan = world["pid"], world["published"]
    facts = part(executed(plan_doc(service, plan), 3), "org-a")
    late = facts | {"production": [{"operation": "assemble", "line": "alpha-l1", "week": 5,
                                    "quantity": 1.0}], "colour": "red"}
    r = post(service, "maker_a", pid, plan, late)
    assert r.status_code == 422, r.text
    problems = {p["path"]: p["message"] for p in r.json()["problems"]}
    assert problems["(top level)"] == "unknown key 'colour'"
    r = post(service, "maker_a", pid, plan, facts | {"production": late["production"]})
    assert r.status_code == 422, r.text
    assert r.json()["problems"] == [{
        "path": "production[0] 'assemble'.week",
        "message": "must be before through_week 3 (a fact of weeks 0..2), got 5"}]


def test_actuals_need_a_published_plan(service: dict[str, Any], world: dict[str, Any]) -> None:
    pid, hidden = world["pid"], world["hidden"]
    facts = {"surge_actuals": 1, "scenario": "two makers", "through_week": 1}
    assert post(service, "maker_a", pid, hidden, facts).status_code == 404
    r = post(service, "agency", pid, hidden, facts)
    assert r.status_code == 409 and "is not published" in r.json()["detail"]
    r = post(service, "agency", world["pid_b"], world["published"], facts)
    assert r.status_code == 404  # a plan of another programme
    assert post(service, "analyst", pid, world["published"], facts).status_code == 403


def test_replan_from_the_merged_actuals_of_every_party(service: dict[str, Any],
                                                       world: dict[str, Any]) -> None:
    """The plan executed exactly to week 3, reported by org-a, org-b and the agency (the
    shipments between them): the rolled revision is the library's roll of the merged
    facts, and its plan, verified against it, still meets every due date."""
    c, t = service["client"], service["tokens"]
    pid, plan = world["pid"], world["published"]
    old = plan_doc(service, plan)
    facts = executed(old, 3)
    between = {k: ([] if isinstance(v, list) else v) for k, v in facts.items()}
    between["shipments"] = [s for s in facts["shipments"]
                            if part({"shipments": [s]}, "org-a")["shipments"] == []]
    assert between["shipments"], "the plan ships from org-a to org-b before week 3"
    ids = [world["actuals_a"], world["actuals_b"]]
    r = post(service, "agency", pid, plan, between)
    assert r.status_code == 201, r.text
    ids.append(r.json()["id"])
    r = c.post(f"{API}/plans/{plan}/replan", headers=auth(t["agency"]),
               json={"actuals": ids, "freeze": 1})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["status"] == "queued" and body["through_week"] == 3
    rev = c.get(f"{API}/programmes/{pid}/revisions/{body['revision']}",
                headers=auth(t["agency"])).json()
    assert rev["message"].startswith(f"rolled to week 3 from plan {plan}")
    docs = [c.get(f"{API}/programmes/{pid}/actuals/{i}", headers=auth(t["agency"])).json()
            ["actuals"] for i in ids]
    merged = docs[0] | {k: [f for d in docs for f in d[k]] for k in
                        ("activations", "production", "purchases", "shipments", "deliveries",
                         "stock")}
    sc = surge.load(TWO_ORGS)
    expected = roll(sc, load_actuals(merged, sc), Plan.from_dict(old), 1)
    assert rev["scenario"] == expected.document
    assert body["spent"] == expected.spent
    done = wait_job(c, f"{API}/plans/{body['id']}", t["agency"])
    assert done["status"] == "done", done
    assert done["revision"] == body["revision"]
    new = Plan.from_dict(plan_doc(service, body["id"]))
    rolled = surge.load(rev["scenario"])
    assert surge.verify(rolled, new).ok
    assert new.status == "optimal" and new.objective.service == 0
    assert any(ln.committed is not None for ln in rolled.lines)
    changes = c.get(f"{API}/plans/{body['id']}/changes", headers=auth(t["analyst"])).json()
    want = plan_changes(Plan.from_dict(old), new, 3, 1).to_dict()
    assert changes == {"plan": body["id"], "replaces": plan} | want
    assert changes["activations"] == []  # executed as planned: no conversion moves
    assert c.get(f"{API}/plans/{plan}/changes", headers=auth(t["agency"])).status_code == 409
    assert c.get(f"{API}/plans/{body['id']}/changes",
                 headers=auth(t["maker_a"])).status_code == 404  # not published yet
    assert c.post(f"{API}/plans/{body['id']}/publish", headers=auth(t["agency"])).status_code == 200
    mine = c.get(f"{API}/plans/{body['id']}/changes", headers=auth(t["maker_b"]))
    assert mine.status_code == 200 and "alpha" not in mine.text
    # the manufacturers see their own part of the rolled revision (receipts included)
    for who, secrets in (("maker_a", B_SECRETS), ("maker_b", ["alpha-l1", "Alpha Plant"])):
        r = c.get(f"{API}/programmes/{pid}/revisions/{body['revision']}",
                  headers=auth(t[who]))
        assert r.status_code == 200
        for secret in secrets:
            assert secret not in r.text, (who, secret)
    actions = [(a["action"], a["object"], a["detail"]) for a in
               c.get(f"{API}/audit", headers=auth(t["agency"])).json()]
    assert ("plan job created", f"plan {body['id']}",
            f"replan of plan {plan}: programme {pid} revision {body['revision']}") in actions
    assert any(a[:2] == ("revision created", f"programme {pid} revision {body['revision']}")
               for a in actions)


def test_replan_refuses_bad_actuals_and_unpublished_plans(service: dict[str, Any],
                                                          world: dict[str, Any]) -> None:
    c, h = service["client"], auth(service["tokens"]["agency"])
    plan = world["published"]
    before = len(c.get(f"{API}/programmes/{world['pid']}/revisions", headers=h).json())
    r = c.post(f"{API}/plans/{world['hidden']}/replan", headers=h,
               json={"actuals": [world["actuals_a"]]})
    assert r.status_code == 409
    r = c.post(f"{API}/plans/{plan}/replan", headers=h, json={"actuals": [999_999]})
    assert r.status_code == 404 and r.json()["detail"] == \
        f"actuals 999999 of programme {world['pid']} not found"
    bad = {"surge_actuals": 1, "scenario": "another one", "through_week": 30}
    r = c.post(f"{API}/plans/{plan}/replan", headers=h, json={"actuals": bad})
    assert r.status_code == 422
    paths = {p["path"] for p in r.json()["problems"]}
    assert paths == {"scenario", "through_week"}
    r = c.post(f"{API}/plans/{plan}/replan", headers=auth(service["tokens"]["maker_a"]),
               json={"actuals": [world["actuals_a"]]})
    assert r.status_code == 403
    after = len(c.get(f"{API}/programmes/{world['pid']}/revisions", headers=h).json())
    assert after == before  # nothing was rolled

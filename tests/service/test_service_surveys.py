"""Survey workbooks over the API: upload by cell, isolation, merge into a revision, status."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import load_workbook
from tests.service.conftest import B_SECRETS, TWO_ORGS, auth, workbook

API = "/api/v1"


@pytest.fixture
def prog(service: dict[str, Any]) -> int:
    """A new programme with TWO_ORGS as revision 1 (its own: merges add revisions)."""
    c, h = service["client"], auth(service["tokens"]["agency"])
    pid = int(c.post(f"{API}/programmes", json={"name": "survey"}, headers=h).json()["id"])
    assert c.post(f"{API}/programmes/{pid}/revisions", json={"scenario": TWO_ORGS},
                  headers=h).status_code == 201
    return pid


def edit(data: bytes, change: Callable[[Any], None]) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def column(ws: Any, name: str) -> str:
    """The letter of the column named ``name`` in row 1."""
    return next(cell.column_letter for cell in ws[1] if cell.value == name)


def upload(service: dict[str, Any], who: str, pid: int, data: bytes,
           name: str = "mine.xlsx") -> Any:
    return service["client"].post(f"{API}/programmes/{pid}/surveys",
                                  headers=auth(service["tokens"][who]),
                                  files={"file": (name, data)})


def audit_actions(service: dict[str, Any]) -> list[tuple[str, str]]:
    rows = service["client"].get(f"{API}/audit", headers=auth(service["tokens"]["agency"])).json()
    return [(a["action"], a["object"]) for a in rows]


def test_a_manufacturer_template_holds_its_own_part_only(service: dict[str, Any],
                                                        prog: int) -> None:
    data = workbook(service["client"], service["tokens"]["maker_a"], prog)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        text = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    assert "alpha-l1" in text and "Alpha Plant" in text
    for secret in B_SECRETS:  # cells, drop-down lists and comments alike
        assert secret not in text, secret
    c, t = service["client"], service["tokens"]
    for params in ({"organization": "org-b"}, {"supplier": "kits-r-us"}):
        r = c.get(f"{API}/programmes/{prog}/survey-template", params=params,
                  headers=auth(t["maker_a"]))
        assert r.status_code == 403 and "org-b" not in r.text
    r = c.get(f"{API}/programmes/{prog}/survey-template", headers=auth(t["agency"]))
    assert r.status_code == 422 and "exactly one of" in r.json()["detail"]
    r = c.get(f"{API}/programmes/{prog}/survey-template", params={"supplier": "new\x07 one"},
              headers=auth(t["agency"]))
    assert r.status_code == 422
    new = c.get(f"{API}/programmes/{prog}/survey-template", params={"supplier": "new-one"},
                headers=auth(t["agency"]))
    assert new.status_code == 200
    wb = load_workbook(io.BytesIO(new.content))
    assert [[cell.value for cell in row] for row in wb["Offers"].iter_rows(min_row=2)] == []


def test_unchanged_workbook_is_accepted_and_listed_for_its_organisation_only(
        service: dict[str, Any], prog: int) -> None:
    c, t = service["client"], service["tokens"]
    r = upload(service, "maker_a", prog, workbook(c, t["maker_a"], prog), "alpha.xlsx")
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["organization"], body["supplier"], body["problems"]) == ("org-a", None, [])
    assert (body["filename"], body["revision"], body["merged_revision"]) == ("alpha.xlsx", 1, None)
    mine = c.get(f"{API}/programmes/{prog}/surveys", headers=auth(t["maker_a"])).json()
    assert [s["id"] for s in mine] == [body["id"]]
    assert c.get(f"{API}/programmes/{prog}/surveys", headers=auth(t["maker_b"])).json() == []
    r = c.get(f"{API}/programmes/{prog}/surveys/{body['id']}", headers=auth(t["maker_b"]))
    assert r.status_code == 404 and r.json()["detail"].endswith("not found")
    got = c.get(f"{API}/programmes/{prog}/surveys/{body['id']}/workbook",
                headers=auth(t["maker_a"]))
    assert got.status_code == 200 and got.content[:2] == b"PK"
    assert ("survey uploaded", f"survey {body['id']}") in audit_actions(service)
    status = c.get(f"{API}/programmes/{prog}/survey-status", headers=auth(t["agency"])).json()
    assert [(p["kind"], p["id"], p["surveys"]) for p in status["answered"]] == [
        ("organization", "org-a", [body["id"]])]
    assert [(p["kind"], p["id"]) for p in status["not_answered"]] == [
        ("organization", "org-b"), ("supplier", "kits-r-us")]
    r = c.get(f"{API}/programmes/{prog}/survey-status", headers=auth(t["maker_a"]))
    assert r.status_code == 403


def test_another_organisations_or_a_suppliers_workbook_is_refused(
        service: dict[str, Any], prog: int) -> None:
    c, t = service["client"], service["tokens"]
    before = len(audit_actions(service))
    for who in ({"organization": "org-b"}, {"supplier": "kits-r-us"}):
        r = upload(service, "maker_a", prog, workbook(c, t["agency"], prog, **who))
        assert r.status_code == 403, r.text
        assert "uploads its own organization's only" in r.json()["detail"]
        for secret in B_SECRETS:
            assert secret not in r.text
    assert len(audit_actions(service)) == before


def test_planted_errors_come_back_by_cell_and_nothing_is_stored(
        service: dict[str, Any], prog: int) -> None:
    c, t = service["client"], service["tokens"]
    letters: dict[str, str] = {}

    def plant(wb: Any) -> None:
        ws = wb["Lines"]
        letters["hours"] = column(ws, "hours_per_week")
        letters["lead"] = column(ws, "lead_time_weeks")
        ws[f"{letters['hours']}2"] = -5
        ws[f"{letters['lead']}2"] = "soon"
        wb["Sites"]["Z1"] = "colour"

    data = edit(workbook(c, t["maker_a"], prog), plant)
    r = upload(service, "maker_a", prog, data, "cleon.xlsx")
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["detail"].startswith("cleon.xlsx: 3 problems found")
    cells = {(p["sheet"], p["cell"], p["column"]): p["message"] for p in body["problems"]}
    assert cells[("Lines", f"{letters['hours']}2", "hours_per_week")] == \
        "must be greater than 0, got -5"
    assert "soon" in cells[("Lines", f"{letters['lead']}2", "lead_time_weeks")]
    assert cells[("Sites", "Z1", "colour")].startswith("unknown column 'colour'")
    text = {p["text"] for p in body["problems"]}
    assert f"cleon.xlsx: Lines!{letters['hours']}2 (hours_per_week): must be greater than 0, " \
           "got -5" in text
    assert c.get(f"{API}/programmes/{prog}/surveys", headers=auth(t["agency"])).json() == []
    r = upload(service, "maker_a", prog, b"not a workbook at all", "junk.xlsx")
    assert r.status_code == 422 and "not an .xlsx workbook" in r.json()["problems"][0]["message"]


def test_agency_merges_a_workbook_into_a_new_revision(service: dict[str, Any], prog: int) -> None:
    c, t = service["client"], service["tokens"]
    h = auth(t["agency"])

    def more_hours(wb: Any) -> None:
        ws = wb["Lines"]
        ws[f"{column(ws, 'hours_per_week')}2"] = 120

    up = upload(service, "maker_a", prog, edit(workbook(c, t["maker_a"], prog), more_hours))
    assert up.status_code == 201, up.text
    sid = up.json()["id"]
    assert c.post(f"{API}/programmes/{prog}/surveys/{sid}/merge",
                  headers=auth(t["maker_a"])).status_code == 403
    r = c.post(f"{API}/programmes/{prog}/surveys/{sid}/merge", headers=h)
    assert r.status_code == 201, r.text
    rev = r.json()
    assert rev["number"] == 2 and rev["message"].startswith(f"survey {sid} merged")
    hours = {ln["id"]: ln["options"][0]["hours_per_week"] for ln in rev["scenario"]["lines"]}
    assert hours == {"alpha-l1": 120, "bravo-l9": 100}
    assert c.get(f"{API}/programmes/{prog}/surveys/{sid}",
                 headers=h).json()["merged_revision"] == 2
    again = c.post(f"{API}/programmes/{prog}/surveys/{sid}/merge", headers=h)
    assert again.status_code == 409 and "merged already, into revision 2" in again.json()["detail"]
    actions = audit_actions(service)
    assert ("survey merged", f"survey {sid}") in actions
    assert ("revision created", f"programme {prog} revision 2") in actions
    # the manufacturer sees the new revision's own part
    mine = c.get(f"{API}/programmes/{prog}/revisions/2", headers=auth(t["maker_a"])).json()
    assert [ln["id"] for ln in mine["scenario"]["lines"]] == ["alpha-l1"]


def test_a_conflict_with_another_organisation_shows_at_merge_not_at_upload(
        service: dict[str, Any], prog: int) -> None:
    """A manufacturer's workbook is checked against its own part: a site id that another
    organisation already uses is not revealed to it, and the agency's merge finds it."""
    c, t = service["client"], service["tokens"]
    letters: dict[str, str] = {}

    def taken(wb: Any) -> None:
        sites = wb["Sites"]
        letters["site"] = column(sites, "id")
        sites.append([cell.value for cell in sites[2]])
        sites[f"{letters['site']}3"] = "bravo-works"

    up = upload(service, "maker_a", prog, edit(workbook(c, t["maker_a"], prog), taken))
    assert up.status_code == 201, up.text
    assert up.json()["problems"] == []
    r = c.post(f"{API}/programmes/{prog}/surveys/{up.json()['id']}/merge",
               headers=auth(t["agency"]))
    assert r.status_code == 422, r.text
    hits = [p for p in r.json()["problems"] if p["sheet"] == "Sites"]
    assert hits and hits[0]["cell"] == f"{letters['site']}3"
    assert re.match(r"duplicate id 'bravo-works' \(also used by sites\[\d\] 'bravo-works'\.id\)",
                    hits[0]["message"]), hits


def test_agency_uploads_a_supplier_workbook(service: dict[str, Any], prog: int) -> None:
    c, t = service["client"], service["tokens"]

    def cheaper(wb: Any) -> None:
        ws = wb["Offers"]
        ws[f"{column(ws, 'unit_price')}2"] = 250

    data = edit(workbook(c, t["agency"], prog, supplier="kits-r-us"), cheaper)
    r = upload(service, "agency", prog, data, "kits.xlsx")
    assert r.status_code == 201, r.text
    assert (r.json()["organization"], r.json()["supplier"]) == (None, "kits-r-us")
    merged = c.post(f"{API}/programmes/{prog}/surveys/{r.json()['id']}/merge",
                    headers=auth(t["agency"]))
    assert merged.status_code == 201, merged.text
    offer = merged.json()["scenario"]["suppliers"][0]["offers"][0]
    assert offer["unit_price"] == 250
    status = c.get(f"{API}/programmes/{prog}/survey-status", headers=auth(t["analyst"])).json()
    answered = {p["id"]: p["merged_revision"] for p in status["answered"]}
    assert answered == {"kits-r-us": merged.json()["number"]}

"""The pages without a browser: session cookie, login redirects, CSRF, and isolation of every
page and export for a manufacturer (the two-organisation world of conftest)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from fastapi.testclient import TestClient
from tests.service.conftest import B_SECRETS, PASSWORD, TWO_ORGS, USERS


def _login(service: dict[str, Any], user: str) -> TestClient:
    app = service["app"]
    # the app is already started by the session's fixture: no lifespan here
    c = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    r = c.post("/login", data={"email": USERS[user][0], "password": PASSWORD, "next": "/"})
    assert r.status_code == 303 and r.headers["location"] == "/", r.text
    return c


def _pages(world: dict[str, Any]) -> list[str]:
    pid, plan, hidden = world["pid"], world["published"], world["hidden"]
    return ["/", f"/programmes/{pid}", f"/programmes/{pid}/revisions/1", f"/plans/{plan}",
            f"/plans/{plan}/mine", f"/plans/{plan}/mine.csv", f"/plans/{plan}/risk",
            f"/plans/{plan}/parts", f"/plans/{plan}/production.csv", f"/plans/{plan}/why",
            f"/risk/{world['risk']}", f"/programmes/{pid}/compare?a={plan}&b={hidden}",
            f"/plans/{hidden}", f"/plans/{plan}/mine?org=org-b", f"/jobs/plan/{plan}.json",
            f"/jobs/risk/{world['risk']}.json", f"/programmes/{world['pid_b']}"]


def test_the_session_cookie_is_signed_http_only_and_same_site(service: dict[str, Any]) -> None:
    c = TestClient(service["app"], follow_redirects=False)
    r = c.post("/login", data={"email": USERS["agency"][0], "password": PASSWORD,
                               "next": "//evil.example/x"})
    assert r.status_code == 303 and r.headers["location"] == "/"  # no open redirect
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("surge_session=") and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    bad = c.post("/login", data={"email": USERS["agency"][0], "password": "wrong password"})
    assert bad.status_code == 401 and "Wrong email or password" in bad.text
    # the cookie is no bearer token for the API
    api = TestClient(service["app"], cookies={"surge_session": cookie.split(";")[0].split("=", 1)[1]})
    assert api.get("/api/v1/me").status_code == 401


def test_pages_without_login_redirect_and_show_nothing(service: dict[str, Any],
                                                       world: dict[str, Any]) -> None:
    c = TestClient(service["app"], follow_redirects=False)
    for path in _pages(world):
        r = c.get(path)
        if path.endswith(".json"):
            assert r.status_code == 401, path
        else:
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    login = c.get("/login").text
    for word in ("Two makers", "alpha", "Alpha", "order-"):
        assert word not in login


def test_a_form_without_its_csrf_token_is_refused(service: dict[str, Any],
                                                  world: dict[str, Any]) -> None:
    c = _login(service, "agency")
    r = c.post("/programmes", data={"name": "forged", "csrf": "0" * 40})
    assert r.status_code == 403 and "stale or came from another site" in r.text
    r = c.post(f"/plans/{world['hidden']}/publish", data={})  # no token at all
    assert r.status_code == 422 and "csrf" in r.text
    assert c.get(f"/api/v1/plans/{world['hidden']}", headers={}).status_code == 401


def test_a_manufacturer_page_never_names_another_organisation(service: dict[str, Any],
                                                              world: dict[str, Any]) -> None:
    c = _login(service, "maker_a")
    statuses = {}
    for path in _pages(world):
        r = c.get(path)
        statuses[path] = r.status_code
        assert r.status_code < 500, (path, r.text)
        for secret in B_SECRETS:
            assert not re.search(re.escape(secret), r.text), (path, secret)
    plan = world["published"]
    assert statuses[f"/plans/{plan}"] == 303  # its plan page is its part
    assert statuses[f"/plans/{plan}/mine"] == 200 and statuses[f"/plans/{plan}/mine.csv"] == 200
    assert statuses[f"/plans/{plan}/mine?org=org-b"] == 200  # still its own part
    for hidden in (f"/plans/{world['hidden']}", f"/plans/{plan}/risk", f"/risk/{world['risk']}",
                   f"/jobs/risk/{world['risk']}.json", f"/programmes/{world['pid_b']}"):
        assert statuses[hidden] == 404, hidden
    for staff in (f"/plans/{plan}/parts", f"/plans/{plan}/production.csv", f"/plans/{plan}/why"):
        assert statuses[staff] == 403, staff
    mine = c.get(f"/plans/{plan}/mine").text
    assert "alpha-l1" in mine and "Alpha Works" in mine


def test_the_agency_sees_every_page_and_uploads_are_checked(service: dict[str, Any],
                                                            world: dict[str, Any]) -> None:
    c = _login(service, "agency")
    for path in _pages(world)[:12]:
        r = c.get(path)
        if path.endswith("/mine"):  # whose part? the agency chooses on the parts page
            assert r.status_code == 303 and r.headers["location"].endswith("/parts"), path
        elif path.endswith("/mine.csv"):
            assert r.status_code == 404 and "organization None not found" in r.text, path
        else:
            assert r.status_code == 200, (path, r.status_code, r.text[:500])
    part = c.get(f"/plans/{world['published']}/mine?org=org-b").text
    assert "bravo-l9" in part and "alpha-l1" not in part
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', c.get("/").text)
    assert csrf is not None
    bad = dict(TWO_ORGS, weeks=0)
    r = c.post(f"/programmes/{world['pid']}/revisions", data={"csrf": csrf.group(1)},
               files={"file": ("bad.json", json.dumps(bad).encode())})
    assert r.status_code == 200 and "nothing was saved" in r.text
    listed = re.sub(r"<[^>]+>", "", r.text)
    assert "error   weeks: must be between 1 and 520, got 0" in [line.strip() for line in listed.splitlines()]


# --- the survey and plan-versus-actual pages ------------------------------------------------


def _csrf(c: TestClient, path: str = "/") -> str:
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', c.get(path).text)
    assert m is not None, path
    return m.group(1)


def _state_pages(world: dict[str, Any]) -> list[str]:
    pid, plan = world["pid"], world["published"]
    return [f"/programmes/{pid}/surveys", f"/plans/{plan}/actual",
            f"/programmes/{pid}/survey-template.xlsx",
            f"/programmes/{pid}/surveys/{world['survey_a']}/workbook.xlsx",
            f"/programmes/{pid}/surveys/{world['survey_b']}/workbook.xlsx",
            f"/programmes/{world['pid_b']}/surveys", f"/plans/{world['hidden']}/actual"]


def _text(page: str) -> str:
    """A page's text: tags dropped, entities read, runs of white space one space."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_survey_and_actual_pages_without_login_redirect(service: dict[str, Any],
                                                        world: dict[str, Any]) -> None:
    c = TestClient(service["app"], follow_redirects=False)
    for path in _state_pages(world):
        r = c.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    for path in (f"/programmes/{world['pid']}/surveys", f"/plans/{world['published']}/actuals",
                 f"/plans/{world['published']}/replan",
                 f"/programmes/{world['pid']}/surveys/{world['survey_a']}/merge"):
        r = c.post(path, data={"csrf": "0" * 40})
        assert r.status_code in (303, 422) and "Two makers" not in r.text, path


A_SECRETS = ["org-a", "Alpha Works", "alpha-plant", "Alpha Plant", "alpha-l1", "Alpha One",
             "order-alpha"]


def _facts(world: dict[str, Any], service: dict[str, Any], org: str) -> dict[str, Any]:
    """``org``'s facts of the published plan executed to week 4, half of its production
    missing."""
    from tests.service.conftest import auth, executed, part

    c = service["client"]
    plan = c.get(f"/api/v1/plans/{world['published']}/plan",
                 headers=auth(service["tokens"]["agency"])).json()
    facts = part(executed(plan, 4), org)
    for row in facts["production"]:
        row["quantity"] = row["quantity"] / 2
    return facts


def test_a_manufacturer_sees_its_own_uploads_actuals_and_shortfalls_only(
        service: dict[str, Any], world: dict[str, Any]) -> None:
    pid, plan = world["pid"], world["published"]
    a = _login(service, "maker_a")
    short = _facts(world, service, "org-a")
    r = a.post(f"/plans/{plan}/actuals", data={"csrf": _csrf(a)},
               files={"file": ("short.json", json.dumps(short).encode())})
    assert r.status_code == 303, r.text[:2000]
    page_a = _text(a.get(f"/plans/{plan}/actual").text)
    assert "alpha-l1 made 50% of planned (50 of 100)" in page_a, page_a[:3000]
    assert "Replan" not in page_a and "Who has answered" not in page_a
    # org-b's manufacturer sees none of it: not org-a's upload, problems, actuals or shortfall
    b = _login(service, "maker_b")
    mine = {"survey_a": world["survey_b"], "survey_b": world["survey_a"]}
    statuses = {}
    for path in _state_pages(world | mine):
        r = b.get(path)
        statuses[path] = r.status_code
        assert r.status_code < 500, (path, r.text[:2000])
        for secret in A_SECRETS + ["made 50%", "short.json", "a@alpha.example"]:
            assert secret not in r.text, (path, secret)
    assert statuses[f"/programmes/{pid}/surveys"] == 200
    assert statuses[f"/plans/{plan}/actual"] == 200
    assert statuses[f"/programmes/{pid}/survey-template.xlsx"] == 200
    assert statuses[f"/programmes/{pid}/surveys/{world['survey_b']}/workbook.xlsx"] == 200
    for hidden in (f"/programmes/{pid}/surveys/{world['survey_a']}/workbook.xlsx",
                   f"/plans/{world['hidden']}/actual"):
        assert statuses[hidden] == 404, hidden
    surveys = _text(b.get(f"/programmes/{pid}/surveys").text)
    assert "org-b.xlsx" in surveys and "org-a.xlsx" not in surveys
    assert "Who has answered" not in surveys and "Merge into a new revision" not in surveys
    page_b = _text(b.get(f"/plans/{plan}/actual").text)
    assert f"actuals {world['actuals_b']}" in page_b and "Plan versus actual" in page_b
    # org-a's manufacturer: another organisation's workbook and facts are refused, nothing saved
    for path in _state_pages(world):
        r = a.get(path)
        for secret in B_SECRETS:
            assert secret not in r.text, (path, secret)
    assert a.get(f"/programmes/{pid}/surveys/{world['survey_b']}/workbook.xlsx"
                 ).status_code == 404
    assert a.get(f"/programmes/{world['pid_b']}/surveys").status_code == 404
    assert a.get(f"/programmes/{pid}/survey-template.xlsx?organization=org-b").status_code == 403
    r = a.post(f"/programmes/{pid}/surveys", data={"csrf": _csrf(a)},
               files={"file": ("b.xlsx", _workbook_of(service, "maker_b", pid))})
    assert r.status_code == 403 and "uploads its own organization's only" in _text(r.text)
    r = a.post(f"/plans/{plan}/actuals", data={"csrf": _csrf(a)},
               files={"file": ("theirs.json",
                               json.dumps(_facts(world, service, "org-b")).encode())})
    assert r.status_code == 200 and "nothing was saved" in r.text
    assert "not found among the lines, sites and demands of organization 'org-a'" in _text(r.text)
    for secret in B_SECRETS:
        assert secret not in r.text, secret
    for path in (f"/plans/{plan}/replan", f"/programmes/{pid}/surveys/{world['survey_a']}/merge"):
        assert a.post(path, data={"csrf": _csrf(a)}).status_code == 403, path
    # the agency sees both organisations' uploads, who answered, and org-a's shortfall
    g = _login(service, "agency")
    agency = _text(g.get(f"/programmes/{pid}/surveys").text)
    assert "org-a.xlsx" in agency and "org-b.xlsx" in agency and "Who has answered" in agency
    assert "2 answered, 1 not yet" in agency  # kits-r-us, the supplier, has not answered
    assert agency.count("Merge into a new revision") == 2
    actual = _text(g.get(f"/plans/{plan}/actual").text)
    assert "alpha-l1 made 50% of planned" in actual and "Replan" in actual


def _workbook_of(service: dict[str, Any], who: str, pid: int) -> bytes:
    from tests.service.conftest import workbook

    return workbook(service["client"], service["tokens"][who], pid)


def test_a_bad_workbook_comes_back_as_cells_and_a_merge_makes_a_revision(
        service: dict[str, Any]) -> None:
    import io

    from openpyxl import load_workbook
    from tests.service.conftest import auth

    g, a = _login(service, "agency"), _login(service, "maker_a")
    r = g.post("/programmes", data={"csrf": _csrf(g), "name": "survey pages"})
    pid = int(r.headers["location"].rsplit("/", 1)[1])
    r = g.post(f"/programmes/{pid}/revisions", data={"csrf": _csrf(g)},
               files={"file": ("two.json", json.dumps(TWO_ORGS).encode())})
    assert r.status_code == 303, r.text[:1000]
    template = a.get(f"/programmes/{pid}/survey-template.xlsx")
    assert template.status_code == 200
    wb = load_workbook(io.BytesIO(template.content))
    ws = wb["Lines"]
    hours = next(cell.column_letter for cell in ws[1] if cell.value == "hours_per_week")
    ws[f"{hours}2"] = -5
    bad = io.BytesIO()
    wb.save(bad)
    r = a.post(f"/programmes/{pid}/surveys", data={"csrf": _csrf(a)},
               files={"file": ("alpha.xlsx", bad.getvalue())})
    assert r.status_code == 200 and "nothing was saved" in r.text
    cells = re.findall(r"<tr class=\"error\"><td>.*?</td><td>(.*?)</td><td>(.*?)</td>"
                       r"<td><code>(.*?)</code></td><td>(.*?)</td><td>(.*?)</td></tr>", r.text)
    assert ("alpha.xlsx", "Lines", f"{hours}2", "hours_per_week",
            "must be greater than 0, got -5") in cells, cells
    ws[f"{hours}2"] = 120
    good = io.BytesIO()
    wb.save(good)
    r = a.post(f"/programmes/{pid}/surveys", data={"csrf": _csrf(a)},
               files={"file": ("alpha.xlsx", good.getvalue())})
    assert r.status_code == 303, r.text[:1000]
    sid = int(r.headers["location"].rsplit("-", 1)[1])
    status_page = _text(g.get(f"/programmes/{pid}/surveys").text)
    assert "1 answered, 2 not yet" in status_page
    r = g.post(f"/programmes/{pid}/surveys/{sid}/merge", data={"csrf": _csrf(g)})
    assert r.status_code == 303 and r.headers["location"] == f"/programmes/{pid}/revisions/2"
    rev = service["client"].get(f"/api/v1/programmes/{pid}/revisions/2",
                                headers=auth(service["tokens"]["agency"])).json()
    assert {ln["id"]: ln["options"][0]["hours_per_week"]
            for ln in rev["scenario"]["lines"]}["alpha-l1"] == 120
    audit = service["client"].get("/api/v1/audit", headers=auth(service["tokens"]["agency"]))
    assert ("survey merged", f"survey {sid}") in [(x["action"], x["object"])
                                                  for x in audit.json()]
    merged = _text(g.get(f"/programmes/{pid}/surveys").text)
    assert "merged into revision 2" in merged
    assert g.post(f"/programmes/{pid}/surveys/{sid}/merge",
                  data={"csrf": _csrf(g)}).status_code == 409  # once only


def test_replan_from_the_page_shows_the_new_plan_beside_the_old(service: dict[str, Any]) -> None:
    from tests.service.conftest import auth, executed, part, wait_job

    c, t = service["client"], service["tokens"]
    h = auth(t["agency"])
    pid = c.post("/api/v1/programmes", json={"name": "replan pages"}, headers=h).json()["id"]
    assert c.post(f"/api/v1/programmes/{pid}/revisions", json={"scenario": TWO_ORGS},
                  headers=h).status_code == 201
    old = c.post(f"/api/v1/programmes/{pid}/plans", json={"revision": 1}, headers=h).json()["id"]
    assert wait_job(c, f"/api/v1/plans/{old}", t["agency"])["status"] == "done"
    g, a = _login(service, "agency"), _login(service, "maker_a")
    assert "not published" in _text(g.get(f"/plans/{old}/actual").text)
    assert c.post(f"/api/v1/plans/{old}/publish", headers=h).status_code == 200
    assert "No actuals recorded yet" in _text(a.get(f"/plans/{old}/actual").text)
    facts = part(executed(c.get(f"/api/v1/plans/{old}/plan", headers=h).json(), 3), "org-a")
    facts["activations"][0]["ready_week"] = None  # the conversion is late: not ready yet
    facts["activations"][0]["expected_ready_week"] = 4
    facts["production"] = []
    r = a.post(f"/plans/{old}/actuals", data={"csrf": _csrf(a)},
               files={"file": ("late.json", json.dumps(facts).encode())})
    assert r.status_code == 303, _text(r.text)[:2000]
    page = _text(g.get(f"/plans/{old}/actual").text)
    assert "alpha-l1 expected ready 2 weeks late" in page, page[:3000]
    assert "19 Jan 2026" in page and "02 Feb 2026" in page  # planned and expected ready
    r = g.post(f"/plans/{old}/replan", data={"csrf": _csrf(g), "freeze": "1"})
    assert r.status_code == 303 and r.headers["location"] == f"/plans/{old}/actual#replans"
    shown = re.search(r'id="replan-(\d+)"', g.get(f"/plans/{old}/actual").text)
    assert shown is not None
    new = int(shown.group(1))
    assert new != old and wait_job(c, f"/api/v1/plans/{new}", t["agency"])["status"] == "done"
    page = _text(g.get(f"/plans/{old}/actual").text)
    assert f"plan {old} (old)" in page and f"plan {new} (new)" in page
    assert "alpha-l1: ready by the week of 19 Jan 2026, now by the week of 02 Feb 2026" in page, \
        page[page.find("Replan"):][:2000]
    assert f'href="/programmes/{pid}/compare?a={old}&amp;b={new}"' in g.get(
        f"/plans/{old}/actual").text
    audit = c.get("/api/v1/audit", headers=h).json()
    assert any(x["action"] == "actuals recorded" and x["user"] == USERS["maker_a"][0]
               for x in audit), audit[-3:]

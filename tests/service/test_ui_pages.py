"""The pages without a browser: session cookie, login redirects, CSRF, and isolation of every
page and export for a manufacturer (the two-organisation world of conftest)."""

from __future__ import annotations

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

"""The browser UI end to end, in headless Chromium: the agency uploads the demo, plans it,
runs risk, publishes and compares; a manufacturer sees its part and nothing else; pages
without a login show nothing. Any server error, JavaScript error or console error fails."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from tests.browser.live import PASSWORD, USERS, api, demo_document

from surge.plan.model import Plan
from surge.plan.verify import verify
from surge.scenario import load, validate

TIMEOUT_MS = 120_000  # bounds a hung job; no assertion on speed


class Watched:
    """A browser page whose server errors, JavaScript errors and console errors are kept."""

    def __init__(self, browser: Any, base: str, width: int = 1400) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": 900},
                                           accept_downloads=True)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda e: self.problems.append(f"JavaScript error: {e}"))
        self.page.on("console", lambda m: self.problems.append(
            f"console {m.type}: {m.text} ({self.page.url})") if m.type == "error" else None)
        self.page.on("response", lambda r: self.problems.append(
            f"server error {r.status} on {r.url}") if r.status >= 500 else None)

    def open(self, path: str) -> str:
        """Open ``path``, wait for charts and fragments, and return the page's HTML."""
        response = self.page.goto(self.base + path)
        assert response is not None and response.status < 400, (path, response and
                                                                 response.status)
        self.settle()
        return str(self.page.content())

    def settle(self) -> None:
        self.page.wait_for_load_state("networkidle")
        for chart in self.page.locator("[data-figure]").all():
            chart.locator(".main-svg").first.wait_for(state="attached")
        # Plotly's toolbar must never cover a legend (it has a strip of its own)
        overlaps = self.page.evaluate("""() => [...document.querySelectorAll('[data-figure]')]
            .filter(d => {
              const bar = d.querySelector('.modebar'), legend = d.querySelector('g.legend');
              if (!bar || !legend) return false;
              const a = bar.getBoundingClientRect(), b = legend.getBoundingClientRect();
              return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
            }).map(d => d.id)""")
        assert not overlaps, f"the Plotly toolbar covers the legend of {overlaps} on {self.page.url}"
        self.check()

    def check(self) -> None:
        assert not self.problems, "\n".join(self.problems)

    def login(self, user: str) -> None:
        self.page.goto(self.base + "/login")
        self.page.fill("input[name=email]", USERS[user][0])
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.base + "/")
        self.check()

    def get(self, path: str) -> Any:
        """A request with the page's cookie, outside the page (for 404s, 403s and CSVs)."""
        return self.context.request.get(self.base + path, max_redirects=0)

    def close(self) -> None:
        self.context.close()


def _links(html: str, pattern: str) -> list[str]:
    return sorted(set(re.findall(pattern, html)))


@pytest.fixture(scope="module")
def programme(browser: Any, live: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The agency's work, all in the browser: programme, a bad upload, the demo, two
    revisions, a plan of each, a risk run, publication."""
    w = Watched(browser, live)
    w.login("agency")
    w.page.fill("input[name=name]", "UAV France 2027")
    w.page.click("#new-programme button")
    w.page.wait_for_url(re.compile(r"/programmes/\d+$"))
    pid = int(w.page.url.rsplit("/", 1)[1])
    folder = tmp_path_factory.mktemp("uploads")
    # an invalid scenario: its problems listed as `surge check` lists them, nothing saved
    bad = demo_document()
    bad["lines"][0]["options"][0]["ramp_up"] = [0.25, 1.5]
    bad["weeks"] = 0
    (folder / "bad.json").write_text(json.dumps(bad))
    w.page.set_input_files("#upload input[type=file]", str(folder / "bad.json"))
    w.page.click("#upload button")
    w.page.wait_for_selector("#problems")
    text = w.page.inner_text("#problems")
    assert "problems found" in text and "nothing was saved" in text
    listed = [line for line in text.splitlines() if line.startswith(("error", "warning"))]
    assert listed == [f"{p.severity:<7} {p}" for p in validate(bad)[1]], text
    assert "error   lines[0] 'le-mans-l1'.options[0].ramp_up[1]: must be between 0 and 1, " \
           "got 1.5" in listed
    # the demo (YAML), then a revision where Le Mans takes longer to convert (JSON)
    w.page.set_input_files("#upload input[type=file]",
                           str(Path(__file__).parents[2] / "examples" / "uav-france.yaml"))
    w.page.fill("#upload input[name=message]", "the demo")
    w.page.click("#upload button")
    w.page.wait_for_url(f"{live}/programmes/{pid}/revisions/1")
    w.settle()
    slow = demo_document()
    for option in slow["lines"][0]["options"]:
        option["lead_time_weeks"] += 3
    (folder / "slow.json").write_text(json.dumps(slow))
    w.open(f"/programmes/{pid}")
    w.page.set_input_files("#upload input[type=file]", str(folder / "slow.json"))
    w.page.click("#upload button")
    w.page.wait_for_url(f"{live}/programmes/{pid}/revisions/2")
    plans = []
    for revision in ("1", "2"):  # start a plan and watch its progress until it is shown
        w.open(f"/programmes/{pid}")
        w.page.select_option("#start-plan select[name=revision]", revision)
        w.page.fill("#start-plan input[name=time_limit_s]", "15")
        w.page.click("#start-plan button")
        w.page.wait_for_url(re.compile(r"/plans/\d+$"))
        plans.append(int(w.page.url.rsplit("/", 1)[1]))
        w.page.wait_for_selector(".kpis", timeout=TIMEOUT_MS)
        w.settle()
    plan, other = plans
    w.open(f"/plans/{plan}")
    w.page.fill("#start-risk input[name=runs]", "200")
    w.page.click("#start-risk button")
    w.page.wait_for_url(re.compile(r"/risk/\d+$"))
    risk = int(w.page.url.rsplit("/", 1)[1])
    w.page.wait_for_selector(".kpis", timeout=TIMEOUT_MS)
    w.settle()
    w.open(f"/plans/{plan}")
    w.page.click("button:has-text('Publish to the manufacturers')")
    w.page.wait_for_selector("text=published")
    w.check()
    w.close()
    # every plan a test makes passes the independent verifier
    with api(live) as client:
        for job, doc in ((plan, demo_document()), (other, slow)):
            made = Plan.from_dict(client.get(f"/plans/{job}/plan").json())
            result = verify(load(doc), made)
            assert result.ok, result
    return {"pid": pid, "plan": plan, "other": other, "risk": risk}


def test_agency_clicks_through_every_page(browser: Any, live: str,
                                          programme: dict[str, Any]) -> None:
    pid, plan, other = programme["pid"], programme["plan"], programme["other"]
    w = Watched(browser, live)
    w.login("agency")
    home = w.open("/")
    assert f"/programmes/{pid}" in home
    html = w.open(f"/programmes/{pid}")
    assert f"/plans/{plan}" in html and f"/plans/{other}" in html
    rev = w.open(f"/programmes/{pid}/revisions/1")
    assert "Suppliers by country" in rev and "sochaux-l1" in rev and "04 Jan 2027" in rev
    page = w.open(f"/plans/{plan}")
    for heading in ("Deliveries against due", "Conversions", "Line utilisation",
                    "Purchases by country", "Flows between sites", "Production by line and week"):
        assert heading in page, heading
    assert "P(on time)" in page
    for chart in ("#fig-1", "#fig-2", "#fig-3", "#fig-5"):  # weekly axes are dated
        ticks = w.page.locator(f"{chart} .xtick text").all_text_contents()
        assert ticks and all(re.match(r"\d{2} [A-Z][a-z]{2}", t) for t in ticks), (chart, ticks)
    # the demo plan has no slack: the risk run finds it fragile, and it is not shown green
    verdict = w.page.locator(".verdict").first.get_attribute("class") or ""
    assert "level-good" not in verdict
    w.page.wait_for_selector("[data-fragment] ol, [data-fragment] p:not(.muted)")
    why = w.page.inner_text("[data-fragment]")
    assert "2027" in why or "No capacity" in why, why
    assert not re.search(r"\bweeks? \d", why), why  # dates, not bare week numbers
    csv = w.get(f"/plans/{plan}/production.csv")
    assert csv.status == 200 and csv.text().startswith("line,site,organization,operation")
    risk = w.open(f"/plans/{plan}/risk")
    assert "P(on time) per due date" in risk and "Criticality" in risk
    w.open(f"/risk/{programme['risk']}")
    w.open(f"/programmes/{pid}/compare")
    compare = w.open(f"/programmes/{pid}/compare?a={plan}&b={other}")
    changes = w.page.inner_text("ul.sentences")
    assert "2027" in changes and not re.search(r"\bweeks? \d", changes), changes
    assert "Deliveries of both plans" in compare
    parts = w.open(f"/plans/{plan}/parts")
    assert "Renault" in parts
    part = w.open(f"/plans/{plan}/mine?org=renault")
    assert "The part of Renault" in part
    w.check()
    w.close()


def _secrets(organization: str) -> list[str]:
    """Ids and names of every site, line and organisation that is not ``organization``'s."""
    doc = demo_document()
    own = {s["id"] for s in doc["sites"] if s["organization"] == organization}
    out = [o["id"] for o in doc["organizations"] if o["id"] != organization]
    out += [o["name"] for o in doc["organizations"] if o["id"] != organization]
    for s in doc["sites"]:
        if s["id"] not in own:
            out += [s["id"], s["name"]]
    for ln in doc["lines"]:
        if ln["site"] not in own:
            out += [ln["id"], ln["name"]]
    out += [d["id"] for d in doc["demands"] if d["site"] not in own]
    return out


def test_a_manufacturer_sees_its_part_and_nothing_else(browser: Any, live: str,
                                                       programme: dict[str, Any]) -> None:
    pid, plan = programme["pid"], programme["plan"]
    w = Watched(browser, live, width=800)  # a narrow window, as on a laptop beside a line
    w.login("renault")
    seen = [w.open("/"), w.open(f"/programmes/{pid}")]
    assert f"/plans/{plan}" in seen[-1] and f"/plans/{programme['other']}" not in seen[-1]
    seen.append(w.open(f"/programmes/{pid}/revisions/1"))
    w.page.goto(f"{live}/plans/{plan}")  # the plan page of a manufacturer is its part
    w.page.wait_for_url(f"{live}/plans/{plan}/mine")
    w.settle()
    mine = str(w.page.content())
    assert "My part" in mine and "le-mans-l1" in mine and "cleon" in mine
    seen.append(mine)
    seen.append(w.open(f"/plans/{plan}/mine?org=army"))  # the organisation is its own
    csv = w.get(f"/plans/{plan}/mine.csv")
    assert csv.status == 200 and "le-mans-l1" in csv.text()
    seen.append(csv.text())
    seen += [w.get(f"/jobs/plan/{plan}.json").text()]
    for secret in _secrets("renault"):
        for text in seen:
            assert secret not in text, secret
    # hidden objects answer 404 (an unpublished plan, risk) and staff pages 403
    for path in (f"/plans/{programme['other']}", f"/plans/{programme['other']}/mine",
                 f"/plans/{plan}/risk", f"/risk/{programme['risk']}",
                 f"/jobs/risk/{programme['risk']}.json"):
        assert w.get(path).status == 404, path
    for path in (f"/programmes/{pid}/compare", f"/plans/{plan}/parts",
                 f"/plans/{plan}/production.csv"):
        assert w.get(path).status == 403, path
    w.check()
    w.close()


def test_pages_without_login_show_no_programme_data(browser: Any, live: str,
                                                    programme: dict[str, Any]) -> None:
    pid, plan = programme["pid"], programme["plan"]
    w = Watched(browser, live)
    for path in ("/", f"/programmes/{pid}", f"/programmes/{pid}/revisions/1", f"/plans/{plan}",
                 f"/plans/{plan}/mine?org=renault", f"/plans/{plan}/risk",
                 f"/risk/{programme['risk']}", f"/programmes/{pid}/compare?a=1&b=2",
                 f"/programmes/{pid}/surveys", f"/plans/{plan}/actual"):
        w.page.goto(live + path)
        assert w.page.url.startswith(f"{live}/login"), (path, w.page.url)
        html = str(w.page.content())
        for data in ("UAV", "le-mans", "Renault", "order-main", "2027"):
            assert data not in html, (path, data)
    assert w.get(f"/plans/{plan}/mine.csv?org=renault").status == 303
    assert w.get(f"/jobs/plan/{plan}.json").status == 401
    w.check()
    # logging out ends the session
    w.login("agency")
    w.open("/")
    w.page.click("button:has-text('Log out')")
    w.page.wait_for_url(re.compile(r"/login"))
    w.page.goto(f"{live}/programmes/{pid}")
    assert w.page.url.startswith(f"{live}/login")
    w.close()


def test_surveys_and_plan_versus_actual_as_manufacturer_and_agency(
        browser: Any, live: str, programme: dict[str, Any],
        tmp_path: Path) -> None:
    """Renault answers its survey (a planted error first: it comes back as the cell) and
    records actuals with a conversion late; the agency sees who answered, merges
    Renault's workbook into a new revision, reads the shortfalls and replans."""
    from openpyxl import load_workbook
    from tests.service.conftest import executed, part

    pid, plan = programme["pid"], programme["plan"]
    w = Watched(browser, live, width=800)
    w.login("renault")
    html = w.open(f"/programmes/{pid}/surveys")
    assert "Download my workbook" in html
    with w.page.expect_download() as got:
        w.page.click("#template")
    template = tmp_path / "renault.xlsx"
    got.value.save_as(template)
    wb = load_workbook(template)
    ws = wb["Lines"]
    hours = next(cell.column_letter for cell in ws[1] if cell.value == "hours_per_week")
    good = ws[f"{hours}2"].value
    ws[f"{hours}2"] = -5
    wb.save(tmp_path / "bad.xlsx")
    w.page.set_input_files("#survey-upload input[type=file]", str(tmp_path / "bad.xlsx"))
    w.page.click("#survey-upload button")
    w.page.wait_for_selector("#problem-cells")
    w.settle()
    row = w.page.locator("#problem-cells tbody tr", has_text=f"{hours}2").inner_text()
    assert "Lines" in row and "hours_per_week" in row and "must be greater than 0, got -5" in row
    ws[f"{hours}2"] = good
    wb.save(tmp_path / "good.xlsx")
    w.page.set_input_files("#survey-upload input[type=file]", str(tmp_path / "good.xlsx"))
    w.page.click("#survey-upload button")
    w.page.wait_for_url(re.compile(r"/surveys#survey-\d+$"))
    w.settle()
    seen = [str(w.page.content())]
    assert "good.xlsx" in seen[0]
    # actuals of Renault's part, four weeks in: a conversion not ready, expected 2 weeks late
    with api(live) as client:
        done = client.get(f"/plans/{plan}/plan").json()
    facts = part(executed(done, 4, demo_document()), "renault", demo_document())
    late = [f for f in facts["activations"] if f["ready_week"] is None]
    assert late, facts["activations"]  # the plan converts a Renault line over weeks 0-4
    planned = next(a["ready_week"] for a in done["activations"] if a["line"] == late[0]["line"])
    late[0]["expected_ready_week"] = planned + 2
    (tmp_path / "renault-actuals.json").write_text(json.dumps(facts))
    w.open(f"/plans/{plan}/actual")
    w.page.set_input_files("#actuals-upload input[type=file]",
                           str(tmp_path / "renault-actuals.json"))
    w.page.click("#actuals-upload button")
    w.page.wait_for_url(f"{live}/plans/{plan}/actual")
    w.settle()
    mine = str(w.page.content())
    shortfalls = w.page.inner_text("#shortfalls")
    assert f"{late[0]['line']} expected ready 2 weeks late" in shortfalls, shortfalls
    assert not re.search(r"\bweeks? \d", shortfalls), shortfalls
    ticks = w.page.locator("#actual-production .xtick text").all_text_contents()
    assert ticks and all(re.match(r"\d{2} [A-Z][a-z]{2}", t) for t in ticks), ticks
    assert "Replan" not in w.page.inner_text("main")
    seen.append(mine)
    for secret in _secrets("renault"):
        for text in seen:
            assert secret not in text, secret
    w.check()
    w.close()
    # the agency: who answered, the merge, the shortfalls, a replan beside the old plan
    w = Watched(browser, live)
    w.login("agency")
    w.open(f"/programmes/{pid}/surveys")
    assert "yes" in w.page.locator("#survey-status tr", has_text="renault").inner_text()
    assert "not yet" in w.page.inner_text("#survey-status")
    w.page.click("#uploads form.merge button")
    w.page.wait_for_url(re.compile(rf"/programmes/{pid}/revisions/\d+$"))
    w.settle()
    w.open(f"/plans/{plan}/actual")
    assert f"{late[0]['line']} expected ready 2 weeks late" in w.page.inner_text("#shortfalls")
    w.page.fill("#replan input[name=freeze]", "2")
    w.page.fill("#replan input[name=time_limit_s]", "5")
    w.page.click("#replan button")
    w.page.wait_for_selector("#replans [id^=replan-]", timeout=TIMEOUT_MS)
    assert w.page.url == f"{live}/plans/{plan}/actual#replans", (w.page.url, w.problems,
                                                                 w.page.inner_text("main"))
    w.page.wait_for_selector("table.side-by-side", timeout=TIMEOUT_MS)  # reloads when done
    w.settle()
    changes = w.page.inner_text("#replans")
    assert "(old)" in changes and "(new)" in changes and "2027" in changes, changes
    w.page.click("#replans a:has-text('compare the two plans')")
    w.page.wait_for_url(re.compile(r"/compare\?a=\d+&b=\d+"))
    w.settle()
    w.check()
    w.close()

"""Screenshots of every page of the browser UI at 1400 and 800 px: docs/img/ui-*.png.

Starts the service on a fresh SQLite database with the demo programme (tests/browser/live.py)
and drives Debian's Chromium with Playwright, as the agency and as Renault's plant manager.

    PYTHONPATH=src python docs/tools/ui_screenshots.py [--only plan,mine]

Each page is loaded in a viewport as tall as the page: a full-page capture resizes the
viewport, Plotly redraws its responsive charts meanwhile, and the capture shows them at
stale offsets (what a person sees on screen is right either way).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.browser.live import PASSWORD, USERS, api, demo_document, seed, serve, wait  # noqa: E402
from tests.service.conftest import executed, part  # noqa: E402

OUT = ROOT / "docs" / "img"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
WIDTHS = (1400, 800)
README = ("plan", "mine")  # pages whose top the README shows


def pages(ids: dict[str, int]) -> list[tuple[str, str, str]]:
    """``(name, user, path)`` of every page."""
    pid, plan, other, risk = ids["pid"], ids["plan"], ids["other"], ids["risk"]
    return [
        ("login", "", "/login"),
        ("programmes", "agency", "/"),
        ("programme", "agency", f"/programmes/{pid}"),
        ("revision", "agency", f"/programmes/{pid}/revisions/1"),
        ("plan", "agency", f"/plans/{plan}"),
        ("risk", "agency", f"/risk/{risk}"),
        ("compare", "agency", f"/programmes/{pid}/compare?a={plan}&b={other}"),
        ("parts", "agency", f"/plans/{plan}/parts"),
        ("maker-programme", "renault", f"/programmes/{pid}"),
        ("maker-revision", "renault", f"/programmes/{pid}/revisions/1"),
        ("mine", "renault", f"/plans/{plan}/mine"),
        ("surveys", "agency", f"/programmes/{pid}/surveys"),
        ("actual", "agency", f"/plans/{plan}/actual"),
        ("maker-surveys", "renault", f"/programmes/{pid}/surveys"),
        ("maker-survey-problems", "renault", f"/programmes/{pid}/surveys"),
        ("maker-actual", "renault", f"/plans/{plan}/actual"),
    ]


def seed_state(base: str, ids: dict[str, int], folder: Path) -> None:
    """Renault answers its survey and records actuals four weeks in (a conversion expected
    two weeks late); the agency replans from them. A workbook with a planted error is left
    in ``folder`` for the problems page."""
    import io

    from openpyxl import load_workbook

    pid, plan = ids["pid"], ids["plan"]
    with api(base) as c:  # the whole plan: the facts are executed from it, then cut
        done = c.get(f"/plans/{plan}/plan").json()
    with api(base, "renault") as c:
        r = c.get(f"/programmes/{pid}/survey-template")
        r.raise_for_status()
        c.post(f"/programmes/{pid}/surveys",
               files={"file": ("renault.xlsx", r.content)}).raise_for_status()
        wb = load_workbook(io.BytesIO(r.content))
        ws = wb["Lines"]
        hours = next(cell.column_letter for cell in ws[1] if cell.value == "hours_per_week")
        ws[f"{hours}2"] = -5
        ws[f"{hours}3"] = "two shifts"
        wb.save(folder / "renault-filled.xlsx")
        facts = part(executed(done, 4, demo_document()), "renault", demo_document())
        for fact in facts["activations"]:
            if fact["ready_week"] is None:
                planned = next(a["ready_week"] for a in done["activations"]
                               if a["line"] == fact["line"])
                fact["expected_ready_week"] = planned + 2
        r = c.post(f"/programmes/{pid}/actuals", json={"plan": plan, "actuals": facts})
        r.raise_for_status()
        actuals = r.json()["id"]
    with api(base) as c:
        r = c.post(f"/plans/{plan}/replan", json={"actuals": [actuals], "freeze": 2,
                                                  "time_limit_s": 10})
        r.raise_for_status()
        wait(c, f"/plans/{r.json()['id']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated page names")
    only = set(filter(None, parser.parse_args().only.split(",")))
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp) / "surge.db") as (base, _):
        ids = seed(base)
        seed_state(base, ids, Path(tmp))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for width in WIDTHS:
                contexts = {}
                for name, user, path in pages(ids):
                    if only and name not in only:
                        continue
                    if user not in contexts:
                        ctx = browser.new_context(viewport={"width": width, "height": 900})
                        if user:
                            pg = ctx.new_page()
                            pg.goto(base + "/login")
                            pg.fill("input[name=email]", USERS[user][0])
                            pg.fill("input[name=password]", PASSWORD)
                            pg.click("button[type=submit]")
                            pg.wait_for_url(base + "/")
                            pg.close()
                        contexts[user] = ctx
                    pg = contexts[user].new_page()
                    pg.goto(base + path)
                    pg.wait_for_load_state("networkidle")
                    # the whole page in one viewport, loaded anew: no resize after the charts
                    # are drawn (a full-page capture resizes, and Plotly redraws mid-capture)
                    height = pg.evaluate("document.documentElement.scrollHeight")
                    pg.set_viewport_size({"width": width, "height": height})
                    pg.reload()
                    pg.wait_for_load_state("networkidle")
                    if name == "maker-survey-problems":  # the answer to a bad upload
                        pg.set_input_files("#survey-upload input[type=file]",
                                           str(Path(tmp) / "renault-filled.xlsx"))
                        pg.click("#survey-upload button")
                        pg.wait_for_selector("#problem-cells")
                        height = pg.evaluate("document.documentElement.scrollHeight")
                        pg.set_viewport_size({"width": width, "height": height})
                        pg.wait_for_load_state("networkidle")
                    pg.wait_for_timeout(400)
                    target = OUT / f"ui-{name}-{width}.png"
                    pg.screenshot(path=str(target))
                    if name in README and width == 1400:  # the README shows the top
                        top = OUT / f"ui-{name}-top.png"
                        pg.screenshot(path=str(top), clip={"x": 0, "y": 0, "width": width,
                                                           "height": min(height, 1250)})
                    pg.close()
                    print(f"{target.relative_to(ROOT)}")
                for ctx in contexts.values():
                    ctx.close()
            browser.close()


if __name__ == "__main__":
    main()

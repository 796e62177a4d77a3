"""The HTML report and its KPIs, on the spec's minimal scenario with hand-made plans."""

from __future__ import annotations

import copy
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from surge.cli import app, register_commands
from surge.errors import InputError
from surge.plan.model import Plan
from surge.report import Section, build_report, charts, data, kpis, write_report
from surge.scenario import load
from surge.scenario.load import read_file

MINIMAL = Path(__file__).parent.parent / "examples" / "minimal.yaml"
# The optimum of the spec: line started in week 0, ready in week 2, 25 drones in week 2
# (ramp 0.5 of 100 h at 2 h each) then 50 a week until 200 are made in week 6.
MADE = {2: 25.0, 3: 50.0, 4: 50.0, 5: 50.0, 6: 25.0}
PLAN_SECTIONS = ("Deliveries", "Line activations", "Line utilisation", "Purchases",
                 "Stock of key items", "Cost breakdown")


def plan_dict(made: dict[int, float] = MADE, delivered: dict[int, float] | None = None,
              name: str = "one line, one part") -> dict[str, Any]:
    delivered = made if delivered is None else delivered
    return {
        "surge_plan": 1, "scenario": name, "status": "optimal", "message": "",
        "objective": {"mode": "service-then-cost", "service": 0.0, "cost": 126000.0,
                      "service_bound": 0.0, "cost_bound": 126000.0},
        "activations": [{"line": "plant-l1", "option": "convert", "start_week": 0,
                         "ready_week": 2}],
        "production": [{"operation": "assemble", "line": "plant-l1", "week": w, "quantity": q}
                       for w, q in made.items()],
        "purchases": [{"supplier": "kits-r-us", "item": "kit", "site": "plant", "week": w - 1,
                       "arrival_week": w, "quantity": q} for w, q in made.items()],
        "deliveries": [{"demand": "order-1", "week": w, "quantity": q}
                       for w, q in delivered.items()],
        "costs": {"activation": 50000.0, "operating": 16000.0, "purchase": 60000.0,
                  "transport": 0.0, "total": 126000.0},
    }


def risk_dict(name: str = "one line, one part") -> dict[str, Any]:
    return {
        "surge_risk": 1, "scenario": name, "runs": 1000, "seed": 7,
        "expected_service": 35.25, "service_stderr": 1.5, "p_all_met": 0.834,
        "due_dates": [{"demand": "order-1", "week": 7, "cumulative_due": 200.0,
                       "p_on_time": 0.834}],
        "deliveries": [{"demand": "order-1", "week": w, "p10": max(0.0, 40.0 * (w - 3)),
                        "p50": min(200.0, max(0.0, 45.0 * (w - 2))),
                        "p90": min(200.0, max(0.0, 50.0 * (w - 2)))} for w in range(8)],
        "completion": [{"demand": "order-1", "week": 6, "probability": 0.5},
                       {"demand": "order-1", "week": 7, "probability": 0.334},
                       {"demand": "order-1", "week": None, "probability": 0.166}],
        "criticality": [{"kind": "supplier", "id": "kits-r-us", "drop": 12.5, "stderr": 0.75},
                        {"kind": "line", "id": "plant-l1", "drop": 20.25, "stderr": 1.25}],
    }


@pytest.fixture(scope="module")
def scenario():
    return load(MINIMAL)


@pytest.fixture(scope="module")
def plan():
    return Plan.from_dict(plan_dict())


@pytest.fixture(scope="module")
def page(scenario, plan, tmp_path_factory) -> str:
    path = write_report(tmp_path_factory.mktemp("r") / "sub" / "report.html", scenario, plan)
    return path.read_text(encoding="utf-8")


def without_bundle(page: str) -> str:
    return page.replace(get_plotlyjs(), "")


# --- KPIs ------------------------------------------------------------------------------


def test_kpis_of_the_optimal_minimal_plan(scenario, plan):
    """1 line; first drones in week 2; all 200 by week 6 <= due week 7; S 0, C 126,000."""
    k = kpis(scenario, plan)
    assert k["status"] == "optimal"
    assert k["lines_activated"] == 1
    assert k["first_delivery_week"] == 2
    assert k["completion_weeks"] == {"order-1": 6}
    assert k["on_time_share"] == 1.0
    assert (k["total_due"], k["total_delivered"]) == (200.0, 200.0)
    assert (k["service"], k["cost"]) == (0.0, 126000.0)
    assert k["costs"] == {"activation": 50000.0, "operating": 16000.0, "purchase": 60000.0,
                          "transport": 0.0, "total": 126000.0}


def test_kpis_with_two_due_dates_and_late_units():
    """Due 100 in week 3 and 100 in week 7; delivered 25 (w2), 100 (w4), 75 (w6).

    By week 3 only 25 of the first 100 are in: 25 on time. By week 7 all 200 are in, so the
    second 100 are on time: 125 / 200 = 0.625. Complete in week 6 (cumulative 200).
    """
    raw = read_file(MINIMAL)
    raw["demands"][0]["due"] = [{"week": 3, "quantity": 100}, {"week": 7, "quantity": 100}]
    sc = load(raw)
    p = Plan.from_dict(plan_dict(delivered={2: 25.0, 4: 100.0, 6: 75.0}))
    k = kpis(sc, p)
    assert math.isclose(k["on_time_share"], 0.625)
    assert k["on_time_by_demand"] == {"order-1": 0.625}
    assert k["completion_weeks"] == {"order-1": 6}
    assert k["first_delivery_week"] == 2


def test_kpis_of_a_plan_that_never_completes(scenario):
    """150 of 200 delivered (100 in week 5, 50 in week 7): on-time 0.75, never complete."""
    k = kpis(scenario, Plan.from_dict(plan_dict(delivered={5: 100.0, 7: 50.0})))
    assert k["completion_weeks"] == {"order-1": None}
    assert math.isclose(k["on_time_share"], 0.75)
    assert k["first_delivery_week"] == 5


def test_kpis_of_an_infeasible_plan(scenario):
    k = kpis(scenario, Plan(scenario=scenario.name, status="infeasible", message="budget"))
    assert (k["lines_activated"], k["first_delivery_week"], k["on_time_share"]) == (0, None, 0.0)
    assert k["costs"] is None and k["service"] is None
    assert k["completion_weeks"] == {"order-1": None}


# --- tables ----------------------------------------------------------------------------


def test_utilisation_is_hours_used_over_hours_offered(scenario, plan):
    """Week 2: 25 x 2 h of 50 h; weeks 3-5: 100 of 100; week 6: 50 of 100; week 7: 0 of 100."""
    util = data.utilisation(scenario, plan)
    assert list(util.index) == ["plant-l1"]
    row = util.loc["plant-l1"].to_numpy()
    assert np.isnan(row[:2]).all()
    assert np.allclose(row[2:], [1.0, 1.0, 1.0, 1.0, 0.5, 0.0])


def test_utilisation_counts_yield_losses():
    """With yield 0.8, 40 good units take 40 x 2 / 0.8 = 100 h: full in week 3."""
    raw = read_file(MINIMAL)
    raw["operations"][0]["yield"] = 0.8
    sc = load(raw)
    p = Plan.from_dict(plan_dict(made={3: 40.0}))
    assert math.isclose(data.utilisation(sc, p).loc["plant-l1", 3], 1.0)


def test_stock_follows_the_material_balance():
    """5 kits on hand; 10 extra kits bought in week 0 arrive in week 1 and are never used.

    Kit stock: 5 in week 0, 15 from week 1 on (every other kit arrives the week it is used);
    drones are delivered the week they are made, so their stock stays 0.
    """
    raw = read_file(MINIMAL)
    raw["inventory"] = [{"site": "plant", "item": "kit", "quantity": 5}]
    sc = load(raw)
    d = plan_dict()
    d["purchases"].append({"supplier": "kits-r-us", "item": "kit", "site": "plant", "week": 0,
                           "arrival_week": 1, "quantity": 10.0})
    table = data.stock(sc, Plan.from_dict(d))
    assert list(table.index) == ["kit", "drone"]
    assert np.allclose(table.loc["kit"], [5, 15, 15, 15, 15, 15, 15, 15])
    assert np.allclose(table.loc["drone"], 0.0)


def test_purchase_totals_name_the_country(scenario, plan):
    totals = data.purchase_totals(scenario, plan)
    assert totals.to_dict("records") == [{"supplier": "kits-r-us", "country": "FR", "item": "kit",
                                          "quantity": 200.0, "spend": 60000.0, "share": 1.0}]


def test_gantt_phases_of_the_minimal_activation(scenario, plan):
    """Start 0, ready 2, one ramp-up week (full from week 3), to the end (week 8)."""
    row = data.activations(scenario, plan).iloc[0]
    assert (row.start, row.ready, row.full, row.end, row.organization) == (0, 2, 3, 8, "acme")


# --- the page --------------------------------------------------------------------------


def test_report_is_one_offline_file_with_every_section(page):
    for title in PLAN_SECTIONS + ("Demands",):
        assert f"<h2>{title}</h2>" in page
    assert page.count("plotly.js v") == 1
    assert page.count(get_plotlyjs()) == 1
    assert page.count("Plotly.newPlot") == 6  # one per chart
    assert not re.search(r"<script[^>]*\bsrc\s*=", page)
    rest = without_bundle(page)
    assert "cdn" not in rest.lower()
    assert "Risk" not in re.findall(r"<h2>(.*?)</h2>", page)


def test_report_header_shows_status_kpis_and_dates(page):
    assert "<h1>one line, one part</h1>" in page
    assert 'class="badge status-optimal">optimal<' in page
    assert "126 k <small>EUR</small>" in page  # cost card; the exact sum is in the table
    assert "<b>126,000</b>" in page and "100.0%" in page
    assert "W2 <small>19 Jan 2026</small>" in page  # first delivery, week number and date
    assert "W6 <small>16 Feb 2026</small>" in page  # order-1 complete


def test_report_of_an_infeasible_plan_has_status_message_and_no_charts(scenario, tmp_path):
    p = Plan(scenario=scenario.name, status="infeasible",
             message="policy.budget 1000 < cheapest plan <b>126,000</b>")
    page = write_report(tmp_path / "r.html", scenario, p).read_text(encoding="utf-8")
    assert 'class="badge status-infeasible">infeasible<' in page
    assert "policy.budget 1000 &lt; cheapest plan &lt;b&gt;126,000&lt;/b&gt;" in page
    assert "Plotly.newPlot" not in page and "plotly.js v" not in page
    assert "nothing to chart" in page


def test_report_with_risk_has_the_risk_section(scenario, plan):
    page = build_report(scenario, plan, risk=risk_dict())
    assert "<h2>Risk</h2>" in page
    for sub in ("Delivery fan", "P(on time) per due date", "Criticality"):
        assert f"<h3>{sub}</h3>" in page
    assert page.count("Plotly.newPlot") == 9
    assert page.count("plotly.js v") == 1
    assert "83.4%" in page and "± 1.5" in page
    assert "supplier kits-r-us" in page and "line plant-l1" in page


def test_tornado_puts_the_largest_drop_on_top(scenario):
    fig = charts.criticality_tornado(scenario, risk_dict())
    # Plotly draws the first category at the bottom: the largest drop comes last.
    assert list(fig.layout.yaxis.categoryarray) == ["supplier kits-r-us", "line plant-l1"]
    bars = {t.name: (list(t.x), list(t.error_x.array)) for t in fig.data}
    assert bars == {"lines": ([20.25], [1.25]), "suppliers": ([12.5], [0.75])}


@pytest.mark.parametrize("change, message", [
    ({"surge_risk": 2}, "not a risk file (format v1): expected \"surge_risk\": 1, got 2"),
    ({"scenario": "other"}, "made for scenario 'other', not 'one line, one part'"),
    ({"due_dates": [{"demand": "order-1", "week": 7}]},
     "due_dates[0]: missing required key 'cumulative_due'"),
    ({"p_all_met": 1.7}, "p_all_met: must be between 0 and 1, got 1.7"),
])
def test_a_bad_risk_file_is_refused_with_a_message(scenario, plan, change, message):
    risk = {**risk_dict(), **change}
    with pytest.raises(InputError) as err:
        build_report(scenario, plan, risk=risk)
    assert message in str(err.value)


def test_a_plan_of_another_scenario_is_refused(scenario):
    with pytest.raises(InputError, match="the plan is for scenario 'x', not 'one line, one part'"):
        build_report(scenario, Plan.from_dict(plan_dict(name="x")))
    d = plan_dict()
    d["production"][0]["line"] = "ghost"
    with pytest.raises(InputError, match=r"production\[0\]: unknown line 'ghost'"):
        build_report(scenario, Plan.from_dict(d))


def test_extra_sections_plug_in_after_the_own_ones(scenario, plan):
    fig = go.Figure(go.Bar(x=[1], y=[2]))
    page = build_report(scenario, plan, extra_sections=[
        Section("Why this plan", "<p>because week 2 is the first ready week</p>",
                intro="what binds"),
        ("Extra chart", [fig, "<p>after the chart</p>"]),
    ])
    titles = re.findall(r"<h2>(.*?)</h2>", page)
    assert titles[-2:] == ["Why this plan", "Extra chart"]
    assert '<a href="#why-this-plan">Why this plan</a>' in page
    assert "<p>because week 2 is the first ready week</p>" in page
    assert page.count("Plotly.newPlot") == 7


def test_extra_sections_render_for_an_infeasible_plan_too(scenario):
    p = Plan(scenario=scenario.name, status="infeasible", message="budget")
    page = build_report(scenario, p, extra_sections=[("Why", go.Figure())])
    assert page.count("Plotly.newPlot") == 1 and page.count("plotly.js v") == 1


# --- CLI -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    register_commands()
    return CliRunner()


def squeeze(text: str) -> str:
    """The output without whitespace: Rich wraps long paths at the terminal's width."""
    return "".join(text.split())


def test_cli_writes_the_report(runner, tmp_path):
    (tmp_path / "plan.json").write_text(json.dumps(plan_dict()))
    (tmp_path / "risk.json").write_text(json.dumps(risk_dict()))
    out = tmp_path / "out" / "report.html"
    result = runner.invoke(app, ["report", str(MINIMAL), str(tmp_path / "plan.json"),
                                 "-o", str(out), "--risk", str(tmp_path / "risk.json")])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and out.exists()
    assert "<h2>Risk</h2>" in out.read_text(encoding="utf-8")


def test_cli_infeasible_plan_still_gives_a_page(runner, tmp_path):
    p = Plan(scenario="one line, one part", status="infeasible", message="budget too small")
    p.to_json(tmp_path / "plan.json")
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(MINIMAL), str(tmp_path / "plan.json"), "-o",
                                 str(out)])
    assert result.exit_code == 0, result.output
    assert "plan infeasible: no charts" in result.output
    assert "budget too small" in out.read_text(encoding="utf-8")


def test_cli_bad_inputs_exit_2_with_a_message(runner, tmp_path):
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan_dict()))
    missing = runner.invoke(app, ["report", str(MINIMAL), str(tmp_path / "none.json")])
    assert missing.exit_code == 2
    assert "none.json:nosuchfile" in squeeze(missing.output)
    risk_file = tmp_path / "risk.json"
    risk_file.write_text(json.dumps(risk_dict(name="other")))
    bad = runner.invoke(app, ["report", str(MINIMAL), str(plan_file), "-o",
                              str(tmp_path / "r.html"), "--risk", str(risk_file)])
    assert bad.exit_code == 2
    assert "madeforscenario'other',not'onelin" in squeeze(bad.output)
    assert not (tmp_path / "r.html").exists()
    malformed = risk_dict()
    malformed["due_dates"][0]["p_on_time"] = 1.25
    risk_file.write_text(json.dumps(malformed))
    bad = runner.invoke(app, ["report", str(MINIMAL), str(plan_file), "-o",
                              str(tmp_path / "r.html"), "--risk", str(risk_file)])
    assert bad.exit_code == 2
    assert squeeze(f"{risk_file}: not a valid risk file (format v1)") in squeeze(bad.output)
    assert "due_dates[0].p_on_time:mustbebetween0and1,got1.25" in squeeze(bad.output)
    assert not (tmp_path / "r.html").exists()
    other = copy.deepcopy(plan_dict(name="another"))
    plan_file.write_text(json.dumps(other))
    wrong = runner.invoke(app, ["report", str(MINIMAL), str(plan_file), "-o",
                                str(tmp_path / "r.html")])
    assert wrong.exit_code == 2
    assert "theplanisforscenario'another'" in squeeze(wrong.output)


def test_a_feasible_plan_shows_its_proven_bound(scenario):
    d = plan_dict()
    d.update(status="feasible", message="cost stage: time limit reached")
    d["objective"]["cost_bound"] = 120000.0
    page = build_report(scenario, Plan.from_dict(d))
    assert 'class="badge status-feasible">feasible<' in page
    assert "<b>proven bound 120,000</b>" in page
    assert "proven bound 0.0" not in page  # S was proven: no bound shown


def test_a_plan_without_slack_and_a_low_p_all_met_is_never_shown_green() -> None:
    from conftest import solve_and_verify
    from surge.report import build_report
    from surge.report.data import no_slack, slack

    sc = load(MINIMAL)
    plan = solve_and_verify(sc)
    table = slack(sc, plan)
    # the spec's optimum delivers the 200 drones exactly in their due week
    assert (table["surplus"].tolist(), table["weeks_early"].tolist()) == ([0.0], [0])
    assert no_slack(table) == 1
    assert list(table.columns) == ["demand", "week", "cum_due", "surplus", "weeks_early"]
    risk = {"surge_risk": 1, "scenario": sc.name, "runs": 100, "seed": 1, "uncertainty": True,
            "expected_service": 50.0, "service_stderr": 2.0, "p_all_met": 0.12,
            "due_dates": [{"demand": r.demand, "week": int(r.week), "cumulative_due": r.cum_due,
                           "p_on_time": 0.34} for r in table.itertuples()],
            "deliveries": [], "completion": [],
            "criticality": [{"kind": "supplier", "id": "x", "drop": -40.0, "stderr": 5.0,
                             "worse_when_perfect": True}]}
    page = build_report(sc, plan, risk=risk)
    assert 'class="badge status-optimal"' not in page
    assert "fragile" in page and "every due date holds in <b>12.0%</b> of 100 runs" in page
    assert "34.0%" in page  # each due date's P(on time)
    assert "makes expected S <b>worse</b> by 40.0 unit-weeks" in page
    assert "<b>No slack</b> at 1 of 1 due date" in page


def test_a_demand_on_time_in_a_fragile_plan_is_not_a_green_pill(scenario, plan):
    def demands(page: str) -> str:
        return page[page.index("<h2>Demands</h2>"):page.index("<h2>Due dates</h2>")]

    plain = demands(build_report(scenario, plan))
    assert '<span class="pill ok">on time</span>' in plain
    fragile = demands(build_report(scenario, plan, risk=risk_dict()))  # P(on time) 83.4%
    assert "pill ok" not in fragile
    assert '<span class="pill warn">on time in the plan, 83.4% in the runs</span>' in fragile
    solid = risk_dict()
    solid["due_dates"][0]["p_on_time"] = 0.95
    assert "pill ok" in demands(build_report(scenario, plan, risk=solid))

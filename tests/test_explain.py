"""Bottlenecks and shortfalls on tiny scenarios with one known bottleneck each.

The scenario family (:func:`scenario`): one line assembles drones from kits, 1 h a drone,
60 drones due in week 0, a horizon of 6 weeks (``unmet_weeks`` = 6). Whatever limits output
to 10 drones a week (10 kits a week from kitco, or 10 line hours a week) delivers 10, 20,
..., 60 by weeks 0..5: backlogs 50, 40, 30, 20, 10, 0, so S = 150 unit-weeks.

One more unit of the limit in week t delivers one drone earlier, in week t, and lowers the
backlog of weeks t..4 by one: it saves 5 - t unit-weeks (5, 4, 3, 2, 1 for weeks 0..4; 0 in
week 5, when everything is delivered anyway). One more unit *every week of the run 0-4*
saves 5 + 4 + 3 + 2 + 1 = 15 unit-weeks. The standard relaxation (+25%: 2.5 a week) is
priced at 37.5 by the duals; re-planned, the last week only needs 10 of the 12.5, and S
falls to 47.5 + 35 + 22.5 + 10 = 115, i.e. by 35.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import surge
from surge.cli import app, register_commands
from surge.explain import explain, report_section
from surge.explain.bottlenecks import find_bottlenecks, lp_duals, relaxation
from surge.explain.shortfall import diagnose, missed_due_dates
from surge.explain.story import bottleneck_sentence
from surge.plan.model import Plan
from surge.report.html import Section, build_report
from surge.scenario.overlay import apply


def scenario(*, kits: float = 10, hours: float = 1000, budget: float | None = None,
             price: float = 1.0) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "surge": 1, "name": "kits", "start": "2026-01-05", "weeks": 6,
        "items": [{"id": "kit"}, {"id": "drone", "name": "airframe"}],
        "operations": [{"id": "assemble", "produces": "drone", "consumes": {"kit": 1},
                        "capability": "assembly", "hours_per_unit": 1}],
        "organizations": [{"id": "acme"}],
        "sites": [{"id": "plant", "organization": "acme", "country": "FR", "lat": 48.85,
                   "lon": 2.35}],
        "lines": [{"id": "l1", "site": "plant", "options": [
            {"id": "run", "capabilities": ["assembly"], "hours_per_week": hours,
             "lead_time_weeks": 0, "fixed_cost": 0}]}],
        "suppliers": [{"id": "kitco", "country": "FR", "offers": [
            {"item": "kit", "unit_price": price, "lead_time_weeks": 0,
             "capacity_per_week": kits}]}],
        "demands": [{"id": "order", "item": "drone", "site": "plant",
                     "due": [{"week": 0, "quantity": 60}]}],
    }
    if budget is not None:
        doc["policy"] = {"budget": budget}
    return doc


def solved(doc: dict[str, Any]) -> tuple[surge.Scenario, Plan]:
    return _solved(json.dumps(doc, sort_keys=True))


@functools.cache
def _solved(text: str) -> tuple[surge.Scenario, Plan]:
    sc = surge.load(json.loads(text))
    plan = surge.solve(sc, time_limit=20)
    assert plan.status == "optimal"
    assert surge.verify(sc, plan).ok
    return sc, plan


def test_supplier_bottleneck_ranks_first_with_hand_computed_value() -> None:
    sc, plan = solved(scenario(kits=10))
    assert math.isclose(plan.objective.service, 150.0, rel_tol=1e-6)
    ranked = find_bottlenecks(sc, plan, lp_duals(sc, plan))
    top = ranked[0]
    assert (top.kind, top.object, top.first_week, top.last_week) == ("supplier", "kitco/kit", 0, 4)
    assert math.isclose(top.service_per_unit, 15.0, rel_tol=1e-6)
    assert math.isclose(top.relax_amount, 2.5)
    assert math.isclose(top.service_saved, 37.5, rel_tol=1e-6)
    assert all(b.kind != "line" for b in ranked)  # 1000 h a week: the line never binds


def test_line_hours_bottleneck_ranks_first_with_hand_computed_value() -> None:
    sc, plan = solved(scenario(kits=1000, hours=10))
    ranked = find_bottlenecks(sc, plan, lp_duals(sc, plan))
    top = ranked[0]
    assert (top.kind, top.object, top.first_week, top.last_week) == ("line", "l1", 0, 4)
    assert math.isclose(top.service_per_unit, 15.0, rel_tol=1e-6)  # unit-weeks per hour a week
    assert math.isclose(top.service_saved, 37.5, rel_tol=1e-6)     # 2.5 h a week more
    assert all(b.kind != "supplier" for b in ranked)


def test_budget_bottleneck_value_per_currency() -> None:
    """Budget 30 at 1 EUR a kit: 30 drones in week 0, 30 never. One more EUR buys one more
    kit, one more drone in week 0: backlog 1 lower in weeks 0..5 and unmet: 6 + 6 = 12."""
    sc, plan = solved(scenario(kits=1000, budget=30))
    assert math.isclose(plan.objective.service, 30 * 12, rel_tol=1e-6)
    top = find_bottlenecks(sc, plan, lp_duals(sc, plan))[0]
    assert top.kind == "budget"
    assert math.isclose(top.service_per_unit, 12.0, rel_tol=1e-6)
    assert relaxation(sc, top) == {"policy": {"budget": 33.0}}


def test_confirmation_matches_replanning_and_never_worsens() -> None:
    sc, plan = solved(scenario(kits=10))
    e = explain(sc, plan, confirm_top=1)
    conf = e.bottlenecks[0].confirmation
    assert conf is not None and conf["status"] == "optimal"
    assert math.isclose(conf["service_change"], -35.0, rel_tol=1e-5)
    assert conf["cost_change"] <= 1e-6
    assert (conf["item"], conf["more_units"], conf["by_week"]) == ("drone", 10.0, 3)
    relaxed = apply(sc, relaxation(sc, e.bottlenecks[0]))
    again = surge.solve(relaxed)
    assert surge.verify(relaxed, again).ok
    assert again.objective.service <= plan.objective.service + 1e-6
    words = bottleneck_sentence(e.bottlenecks[0])
    assert words.startswith("Kit from kitco limits deliveries in weeks 0-4: 2.5 more kit a week")
    assert "would deliver 10 more drone by week 3 (lateness -35 unit-weeks" in words


@pytest.mark.parametrize("doc", [scenario(kits=10), scenario(kits=1000, hours=10),
                                 scenario(kits=1000, budget=30)])
def test_relaxing_the_top_bottleneck_never_worsens(doc: dict[str, Any]) -> None:
    sc, plan = solved(doc)
    top = find_bottlenecks(sc, plan, lp_duals(sc, plan))[0]
    relaxed = apply(sc, relaxation(sc, top))
    again = surge.solve(relaxed)
    assert surge.verify(relaxed, again).ok
    assert again.objective.service < plan.objective.service - 1.0


def test_no_bottleneck_when_everything_is_on_time() -> None:
    sc = surge.load("examples/minimal.yaml")
    plan = surge.solve(sc)
    e = explain(sc, plan, confirm_top=0)
    assert e.service == 0.0 and e.shortfalls == []
    assert all(b.service_saved == 0 for b in e.bottlenecks)


def test_shortfall_names_due_date_amount_and_saturated_supplier() -> None:
    sc, plan = solved(scenario(kits=10))
    misses = diagnose(sc, plan)
    assert [(m.demand, m.due_week, m.short, m.complete_week) for m in misses] == \
        [("order", 0, pytest.approx(50.0), 5)]
    assert [(u.kind, u.object, u.first_week, u.last_week) for u in misses[0].upstream] == \
        [("supplier", "kitco/kit", 0, 0)]


def test_shortfall_of_an_empty_plan() -> None:
    sc = surge.load(scenario())
    misses = missed_due_dates(sc, Plan(scenario="kits", status="feasible"))
    assert [(m.short, m.complete_week) for m in misses] == [(60.0, None)]


def test_explanation_of_a_plan_without_schedule() -> None:
    sc = surge.load(scenario())
    e = explain(sc, Plan(scenario="kits", status="infeasible", message="budget"))
    assert e.bottlenecks == [] and "holds no schedule (infeasible): budget" in e.note


def test_report_section_has_chart_and_words() -> None:
    sc, plan = solved(scenario(kits=10))
    section = report_section(sc, plan, explain(sc, plan, confirm_top=1))
    assert isinstance(section, Section) and section.title == "Why this plan"
    page = build_report(sc, plan, extra_sections=[section])
    assert "Why this plan" in page and "Kit from kitco limits deliveries in weeks 0-4" in page
    assert "order: 50 drone short at plant by week 0" in page


def test_cli_explain_prints_story_and_writes_json(tmp_path: Path) -> None:
    register_commands()
    sc, plan = solved(scenario(kits=10))
    scen = tmp_path / "kits.json"
    scen.write_text(json.dumps(scenario(kits=10)))
    plan.to_json(tmp_path / "plan.json")
    result = CliRunner().invoke(app, ["explain", str(scen), str(tmp_path / "plan.json"),
                                      "--confirm", "1", "--json", str(tmp_path / "e.json")],
                                terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Kit from kitco limits deliveries in weeks 0-4" in result.output
    assert "order: 50 drone short at plant by week 0" in result.output
    doc = json.loads((tmp_path / "e.json").read_text())
    assert doc["bottlenecks"][0]["object"] == "kitco/kit"
    assert doc["bottlenecks"][0]["service_per_unit"] == pytest.approx(15.0)


def test_cli_explain_with_overlay(tmp_path: Path) -> None:
    """The plan of the base scenario explained under an overlay with more kits: the old
    plan still holds, so its LP is the same, but the bottleneck moves to the line."""
    register_commands()
    sc, plan = solved(scenario(kits=10, hours=10))
    scen = tmp_path / "kits.json"
    scen.write_text(json.dumps(scenario(kits=10, hours=10)))
    plan.to_json(tmp_path / "plan.json")
    more = tmp_path / "more-kits.yaml"
    more.write_text("suppliers:\n  - id: kitco\n    offers:\n      - {item: kit, "
                    "capacity_per_week: 20}\n")
    result = CliRunner().invoke(app, ["explain", str(scen), str(tmp_path / "plan.json"),
                                      "--with", str(more), "--confirm", "0"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Line l1 limits deliveries in weeks 0-4" in result.output


def test_cli_explain_plan_of_another_scenario(tmp_path: Path) -> None:
    register_commands()
    plan = Plan(scenario="other", status="feasible")
    plan.to_json(tmp_path / "plan.json")
    result = CliRunner().invoke(app, ["explain", "examples/minimal.yaml",
                                      str(tmp_path / "plan.json")])
    assert result.exit_code == 2
    assert "the plan is for scenario 'other', not 'one line, one part'" in result.output

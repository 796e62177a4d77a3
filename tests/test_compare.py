"""Comparing two plans: no change against itself; deltas, activations and orders otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import surge
from surge.cli import app, register_commands
from surge.explain.compare import compare, dated
from surge.explain.report import compare_section
from surge.report.html import build_report
from surge.scenario.overlay import apply

MINIMAL = Path(__file__).parent.parent / "examples" / "minimal.yaml"


@pytest.fixture(scope="module")
def plans() -> tuple[surge.Scenario, surge.Plan, surge.Plan]:
    """The minimal scenario's optimum, and the optimum with kits capped at 20 a week
    (kits arrive in weeks 1-7 at most: 140 drones, the plan is late and 60 never come)."""
    sc = surge.load(MINIMAL)
    a = surge.solve(sc)
    short = apply(sc, {"suppliers": [{"id": "kits-r-us", "offers": [
        {"item": "kit", "capacity_per_week": 20}]}]})
    b = surge.solve(short)
    assert surge.verify(sc, a).ok and surge.verify(short, b).ok
    return sc, a, b


def test_plan_compared_with_itself_shows_no_change(plans) -> None:  # noqa: ANN001
    sc, a, _ = plans
    c = compare(a, a, sc)
    assert c.same
    assert c.added == c.removed == c.moved == []
    assert all(b - x == 0 for _, x, b in c.numbers())
    assert c.sentences() == ["The two plans are the same: no change in S, C, conversions, "
                             "deliveries or orders."]


def test_differences(plans) -> None:  # noqa: ANN001
    sc, a, b = plans
    c = compare(a, b, sc)
    assert not c.same
    assert c.service == (pytest.approx(0.0, abs=1e-6), pytest.approx(b.objective.service))
    assert c.service[1] > 0
    assert c.cost[1] - c.cost[0] == pytest.approx(b.objective.cost - a.objective.cost)
    top = c.suppliers[0]
    assert (top["supplier"], top["item"]) == ("kits-r-us", "kit")
    assert top["units_a"] == pytest.approx(200.0)
    total_b = sum(p.quantity for p in b.purchases)
    assert top["change"] == pytest.approx(total_b - 200.0)
    section = compare_section(sc, compare(a, b, sc, names=("this plan", "b.json")))
    assert section.title == "Compared with b.json"
    assert "Compared with b.json" in build_report(sc, a, extra_sections=[section])


def test_activation_moved_added_removed() -> None:
    base = {"surge_plan": 1, "scenario": "x", "status": "feasible"}
    a = surge.Plan.from_dict(dict(base, activations=[
        {"line": "l1", "option": "o", "start_week": 0, "ready_week": 2},
        {"line": "l2", "option": "o", "start_week": 1, "ready_week": 1}]))
    b = surge.Plan.from_dict(dict(base, activations=[
        {"line": "l1", "option": "o", "start_week": 3, "ready_week": 5},
        {"line": "l3", "option": "p", "start_week": 0, "ready_week": 0}]))
    c = compare(a, b, names=("a", "b"))
    assert c.moved == [{"line": "l1", "option": "o", "start_a": 0, "start_b": 3}]
    assert c.added == [{"line": "l3", "option": "p", "start_week": 0}]
    assert c.removed == [{"line": "l2", "option": "o", "start_week": 1}]
    assert c.sentences() == [
        "l3 (p) is converted only in b, from week 0.",
        "l2 (o) is converted only in a, from week 1.",
        "l1 (o) starts in week 3 in b instead of week 0 (3 weeks later)."]
    # the report numbers and dates the weeks; the web UI names them by their first day only
    sc = surge.load_scenario(MINIMAL)
    day = {w: f"{sc.week_date(w):%d %b %Y}" for w in (0, 3)}
    assert c.sentences(when=dated(sc))[2] == (
        f"l1 (o) starts in week 3 ({day[3]}) in b instead of week 0 ({day[0]}) (3 weeks later).")
    assert c.sentences(when=dated(sc, numbered=False))[2] == (
        f"l1 (o) starts in the week of {day[3]} in b instead of the week of {day[0]} "
        "(3 weeks later).")


def test_cli_compare(tmp_path: Path, plans) -> None:  # noqa: ANN001
    register_commands()
    sc, a, b = plans
    a.to_json(tmp_path / "a.json")
    b.to_json(tmp_path / "b.json")
    runner = CliRunner()
    same = runner.invoke(app, ["compare", str(tmp_path / "a.json"), str(tmp_path / "a.json")],
                         terminal_width=200)
    assert same.exit_code == 0, same.output
    assert "The two plans are the same" in same.output
    diff = runner.invoke(app, ["compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"),
                               "--scenario", str(MINIMAL), "--json", str(tmp_path / "c.json")],
                         terminal_width=200)
    assert diff.exit_code == 0, diff.output
    assert "Orders of kit from kits-r-us: 200 ->" in diff.output
    doc = json.loads((tmp_path / "c.json").read_text())
    assert doc["same"] is False and doc["numbers"][0]["what"] == "lateness S [unit-weeks]"
    missing = runner.invoke(app, ["compare", str(tmp_path / "a.json"), str(tmp_path / "zz.json")])
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_cli_report_with_explain_and_compare(tmp_path: Path, plans) -> None:  # noqa: ANN001
    register_commands()
    sc, a, b = plans
    a.to_json(tmp_path / "a.json")
    b.to_json(tmp_path / "b.json")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", str(MINIMAL), str(tmp_path / "a.json"),
                                      "--explain", "--compare", str(tmp_path / "b.json"),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "Why this plan" in page and "Every due date is met." in page
    assert "Compared with b.json" in page

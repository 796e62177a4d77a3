"""The report's "Plan versus actual" section and the state commands' shared input checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

import surge
import surge.cli
from conftest import solve_and_verify
from surge.cli import app
from surge.state import load_actuals, track
from surge.state.report import tracking_section

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "examples" / "minimal.yaml"
surge.cli.register_commands()

# The minimal example at week 4: the line (planned ready in week 2) came up in week 3 and
# made 20 drones in week 3; 60 kits ordered in week 0 arrived; nothing delivered yet.
LATE: dict[str, Any] = {
    "surge_actuals": 1, "scenario": "one line, one part", "through_week": 4,
    "activations": [{"line": "plant-l1", "option": "convert", "start_week": 0,
                     "ready_week": 3}],
    "production": [{"operation": "assemble", "line": "plant-l1", "week": 3, "quantity": 20}],
    "purchases": [{"supplier": "kits-r-us", "item": "kit", "site": "plant", "week": 0,
                   "quantity": 60, "received": [{"week": 1, "quantity": 60}]}]}


def files(tmp_path: Path) -> tuple[Path, Path]:
    plan = solve_and_verify(surge.load(MINIMAL))
    p, a = tmp_path / "plan.json", tmp_path / "actuals.json"
    plan.to_json(p)
    a.write_text(json.dumps(LATE), encoding="utf-8")
    return p, a


def test_tracking_section_names_the_late_conversion(tmp_path: Path) -> None:
    sc = surge.load(MINIMAL)
    plan_path, _ = files(tmp_path)
    plan = surge.Plan.read(plan_path)
    t = track(sc, plan, load_actuals(LATE, sc))
    section = tracking_section(sc, t)
    html = "".join(p for p in section.parts if isinstance(p, str))
    assert section.title == "Plan versus actual"
    assert "plant-l1 ready 1 week late" in html
    assert '<td class="">plant-l1</td><td class="num">2</td><td class="num">3</td>' in html
    made = next(s for s in t.series if s.kind == "production")
    planned = float(made.planned.sum())
    assert planned > 20 and f"20 / {planned:,.0f}" in html


def test_cli_report_with_actuals(tmp_path: Path) -> None:
    plan, actuals = files(tmp_path)
    out = tmp_path / "report.html"
    res = CliRunner().invoke(app, ["report", str(MINIMAL), str(plan), "--actuals",
                                   str(actuals), "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert 'id="plan-versus-actual"' in page and "plant-l1 ready 1 week late" in page
    assert "Cumulative deliveries against due and against plan" in page


def test_state_commands_refuse_a_plan_of_another_scenario(tmp_path: Path) -> None:
    plan, actuals = files(tmp_path)
    doc = json.loads(plan.read_text(encoding="utf-8"))
    doc["scenario"] = "another one"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc), encoding="utf-8")
    for args in (["track", str(MINIMAL), str(other), str(actuals)],
                 ["replan", str(MINIMAL), str(other), str(actuals), "-o",
                  str(tmp_path / "new.json")],
                 ["roll", str(MINIMAL), str(actuals), "--plan", str(other), "-o",
                  str(tmp_path / "rolled.yaml")]):
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 2, (args, res.output)
        assert "the plan is for scenario 'another one'" in res.output
    assert not (tmp_path / "new.json").exists() and not (tmp_path / "rolled.yaml").exists()


def test_roll_with_plan_prints_the_variances(tmp_path: Path) -> None:
    plan, actuals = files(tmp_path)
    res = CliRunner().invoke(app, ["roll", str(MINIMAL), str(actuals), "--plan", str(plan),
                                   "-o", str(tmp_path / "rolled.yaml")])
    assert res.exit_code == 0, res.output
    assert "shortfall: plant-l1 ready 1 week late" in res.output
    assert "production to week 3: actual 20.0" in res.output


def test_track_projects_completion_from_a_risk_run_on_the_rolled_scenario(
        tmp_path: Path) -> None:
    """No disruption that matters (delay 0 for certain): the replan of the rolled scenario
    completes in week 7, the due week, and the risk runs say so."""
    doc = surge.load(MINIMAL).dump()
    doc["uncertainty"] = {"suppliers": {"*": {"delay_weeks": {0: 1.0}}}}
    scenario = tmp_path / "uncertain.json"
    scenario.write_text(json.dumps(doc), encoding="utf-8")
    plan = solve_and_verify(surge.load(scenario))
    p, a = tmp_path / "plan.json", tmp_path / "actuals.json"
    plan.to_json(p)
    a.write_text(json.dumps(LATE), encoding="utf-8")
    res = CliRunner().invoke(app, ["track", str(scenario), str(p), str(a), "--risk-runs",
                                   "50", "--seed", "3"])
    assert res.exit_code == 0, res.output
    assert "order-1: median completion week 7" in res.output
    assert "cum. due" in res.output and "cum. planned" in res.output

"""The actuals file: every rule reported at once, with its path and objects; and
``surge roll`` from the command line (exit 2 for bad actuals, nothing written)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import surge
import surge.cli
from surge.cli import app
from surge.errors import InputError
from surge.state import load_actuals

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "examples" / "minimal.yaml"
surge.cli.register_commands()


def facts(**lists: Any) -> dict[str, Any]:
    return {"surge_actuals": 1, "scenario": "one line, one part", "through_week": 3} | lists


def problems(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(InputError) as err:
        load_actuals(doc, surge.load(MINIMAL))
    return [str(p) for p in err.value.problems]


def test_every_problem_at_once_with_its_path() -> None:
    found = problems(facts(
        scenario="other",
        activations=[{"line": "douai-l2", "option": "convert", "start_week": 0},
                     {"line": "plant-l1", "option": "retool", "start_week": 3,
                      "ready_week": 4}],
        production=[{"operation": "assemble", "line": "plant-l1", "week": 3, "quantity": 5}],
        purchases=[{"supplier": "kits-r-us", "item": "kit", "site": "plant", "week": 1,
                    "quantity": 60, "received": [{"week": 0, "quantity": 50}],
                    "expected": [{"week": 8, "quantity": 20}]}],
        shipments=[{"item": "kit", "from": "plant", "to": "depot", "week": 1,
                    "arrival_week": 0, "quantity": 1}],
        deliveries=[{"demand": "order-1", "week": 2, "quantity": 250}],
        stock=[{"site": "plant", "item": "gizmo", "quantity": 1}]))
    assert found == [
        "scenario: these actuals are of scenario 'other', not of 'one line, one part'",
        "activations[0] 'douai-l2'.line: unknown line 'douai-l2' (not in the scenario's `lines`)",
        "activations[1] 'plant-l1'.option: unknown option 'retool' of line 'plant-l1'",
        "activations[1] 'plant-l1'.start_week: must be before through_week 3, got 3",
        "activations[1] 'plant-l1'.ready_week: must be before through_week 3 (a line ready "
        "later is not ready yet: give expected_ready_week), got 4",
        "production[0] 'assemble'.week: must be before through_week 3 (a fact of weeks 0..2), "
        "got 3",
        "purchases[0] 'kits-r-us/kit'.received[0].week: received in week 0, before the order "
        "week 1",
        "purchases[0] 'kits-r-us/kit'.expected[0].week: must be between through_week 3 and the "
        "horizon's last week 7, got 8",
        "purchases[0] 'kits-r-us/kit'.quantity: 70 units received and expected, more than the "
        "60 ordered",
        "shipments[0] 'kit'.to: unknown site 'depot' (not in the scenario's `sites`)",
        "shipments[0] 'kit'.arrival_week: must be between the week sent 1 and the horizon's "
        "last week 7, got 0",
        "deliveries: demand 'order-1' has 250 delivered, more than the 200 due in all",
        "stock[0].item: unknown item 'gizmo' (not in the scenario's `items`)",
    ]


def test_type_errors_are_named() -> None:
    found = problems({"surge_actuals": 2, "scenario": "one line, one part", "through_week": 2.5,
                      "deliveries": [{"demand": "order-1", "week": 1, "quantity": -1,
                                      "site": "plant"}]})
    assert "surge_actuals: must be 1 (the only actuals format version), got 2" in found
    assert "through_week: must be a whole number, got 2.5" in found
    assert "deliveries[0].quantity: must be > 0, got -1" in found
    assert "deliveries[0]: unknown key 'site'" in found


def test_production_needs_a_converted_line() -> None:
    found = problems(facts(production=[{"operation": "assemble", "line": "plant-l1",
                                        "week": 2, "quantity": 5}]))
    assert found == ["production[0] 'assemble'.line: line 'plant-l1' made something but is not "
                     "in activations (list its conversion there)"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "100", "NO_COLOR": "1"})
    return result.exit_code, result.stdout, result.stderr


ACTUALS = """\
surge_actuals: 1
scenario: one line, one part
through_week: 3
activations: [{line: plant-l1, option: convert, start_week: 0, ready_week: 2}]
production: [{operation: assemble, line: plant-l1, week: 2, quantity: 25}]
purchases:
  - {supplier: kits-r-us, item: kit, site: plant, week: 1, quantity: 60,
     received: [{week: 2, quantity: 25}]}
deliveries: [{demand: order-1, week: 2, quantity: %s}]
"""


def test_cli_roll_writes_a_scenario_that_passes_check(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(ACTUALS % 20, encoding="utf-8")
    out = tmp_path / "rolled.yaml"
    code, stdout, stderr = run("roll", str(MINIMAL), str(tmp_path / "a.yaml"), "-o", str(out))
    assert code == 0, stderr
    assert "lateness S already incurred (weeks 0..2): 0.0 unit-weeks" in stdout
    assert "spent: 70,000 EUR (activation 50,000, operating 2,000, purchase 18,000, " \
           "transport 0)" in stdout
    code, stdout, _ = run("check", str(out))
    assert code == 0 and "valid scenario" in stdout
    assert surge.load(out).weeks == 5


def test_cli_roll_of_inconsistent_actuals_exits_2_writing_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(ACTUALS % 30, encoding="utf-8")
    out = tmp_path / "rolled.yaml"
    code, _, stderr = run("roll", str(MINIMAL), str(tmp_path / "a.yaml"), "-o", str(out))
    assert code == 2
    assert "stock of drone at plant would be -5 at the end of week 2" in stderr
    assert not out.exists()


def test_cli_bad_actuals_exit_2_with_every_problem(tmp_path: Path) -> None:
    bad = ACTUALS.replace("line: plant-l1, option: convert", "line: douai-l2, option: convert")
    (tmp_path / "a.yaml").write_text(bad % 20, encoding="utf-8")
    out = tmp_path / "rolled.yaml"
    code, _, stderr = run("roll", str(MINIMAL), str(tmp_path / "a.yaml"), "-o", str(out))
    assert code == 2
    assert "2 problems found" in stderr
    assert "activations[0] 'douai-l2'.line: unknown line 'douai-l2'" in stderr
    assert "production[0] 'assemble'.line: line 'plant-l1' made something but is not in " \
           "activations" in stderr
    assert not out.exists()


def test_a_line_makes_only_what_its_option_can_run_and_ships_elsewhere() -> None:
    doc = surge.scenario.read_file(MINIMAL)
    doc["lines"][0]["options"].append({"id": "paint", "capabilities": ["painting"],
                                       "hours_per_week": 50, "lead_time_weeks": 1})
    sc = surge.load(doc)
    with pytest.raises(InputError) as err:
        load_actuals(facts(
            activations=[{"line": "plant-l1", "option": "paint", "start_week": 0,
                          "ready_week": 1}],
            production=[{"operation": "assemble", "line": "plant-l1", "week": 2,
                         "quantity": 5}],
            shipments=[{"item": "kit", "from": "plant", "to": "plant", "week": 1,
                        "arrival_week": 2, "quantity": 1}]), sc)
    assert [str(p) for p in err.value.problems] == [
        "production[0] 'assemble'.line: line 'plant-l1' (option 'paint') cannot run "
        "'assemble': it needs capability 'assembly', the option has painting",
        "shipments[0] 'kit'.to: a shipment goes from one site to another, got 'plant' twice"]

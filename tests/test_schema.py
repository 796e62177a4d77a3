"""`surge schema`: the JSON Schema carries each key's description, unit and range."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from surge.cli import app, register_commands
from surge.scenario.load import validate
from surge.scenario.model import Scenario
from surge.scenario.ranges import LIMITS, MAX_WEEKS

register_commands()


def test_schema_has_descriptions_units_and_the_ranges_the_checks_enforce() -> None:
    defs = Scenario.model_json_schema()["$defs"]
    hours = defs["Option"]["properties"]["hours_per_week"]
    assert hours["exclusiveMinimum"] == 0
    assert "[h/week]" in hours["description"]
    ramp = defs["Option"]["properties"]["ramp_up"]["items"]
    assert (ramp["minimum"], ramp["maximum"]) == (0, 1)
    gap = defs["Objective"]["properties"]["mip_gap"]
    assert (gap["minimum"], gap["exclusiveMaximum"]) == (0, 1)
    lat = defs["Site"]["properties"]["lat"]
    assert (lat["minimum"], lat["maximum"]) == (-90, 90)
    assert defs["Option"]["description"].startswith("One way to convert a line")


def test_every_key_of_the_schema_is_described() -> None:
    schema = Scenario.model_json_schema()
    missing = [f"{name}.{key}" for name, d in schema["$defs"].items()
               for key, prop in d.get("properties", {}).items() if "description" not in prop]
    missing += [key for key, prop in schema["properties"].items() if "description" not in prop]
    assert missing == []


def test_surge_schema_prints_the_same_schema() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["$defs"]["Offer"]["properties"]["unit_price"]["minimum"] == 0


def test_schema_maxima_are_the_range_policy_the_loader_enforces() -> None:
    defs = Scenario.model_json_schema()["$defs"]
    assert defs["Option"]["properties"]["hours_per_week"]["maximum"] == LIMITS["hours_per_week"][0]
    cap = defs["Offer"]["properties"]["capacity_per_week"]["anyOf"]
    assert [c.get("maximum", c.get("items", {}).get("maximum")) for c in cap] == [1e9, 1e9]
    assert Scenario.model_json_schema()["properties"]["weeks"]["maximum"] == MAX_WEEKS
    # just above the schema's maximum is refused by the loader, at the maximum it is not
    raw = yaml.safe_load(Path("examples/minimal.yaml").read_text())
    raw["lines"][0]["options"][0]["hours_per_week"] = LIMITS["hours_per_week"][0]
    assert validate(raw)[0] is not None
    raw["lines"][0]["options"][0]["hours_per_week"] = LIMITS["hours_per_week"][0] * 1.01
    scenario, problems = validate(raw)
    assert scenario is None and any("at most 10,000 [h/week]" in str(p) for p in problems)

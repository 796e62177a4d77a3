"""Property: any mutation of a valid scenario is accepted or rejected with messages.

`validate` must never raise, whatever the document looks like; every problem it reports
has a non-empty message, and a scenario is returned exactly when there is no error.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surge.errors import Problem
from surge.scenario import Scenario, read_file, validate
from surge.scenario.summary import capacity_bound

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = read_file(ROOT / "examples" / "minimal.yaml")


def _richer() -> dict[str, Any]:
    """The minimal scenario with every optional section, so mutations reach them all."""
    raw = copy.deepcopy(MINIMAL)
    raw["items"].append({"id": "frame", "name": "frame", "weight_kg": 2.5})
    raw["operations"].append({"id": "mould", "produces": "frame", "capability": "moulding",
                              "hours_per_unit": 0.5, "yield": 0.9, "lead_time_weeks": 1})
    raw["operations"][0]["consumes"]["frame"] = 1
    raw["sites"].append({"id": "depot", "organization": "acme", "country": "NO",
                         "lat": 59.9, "lon": 10.7})
    raw["lines"].append({"id": "depot-l1", "site": "depot", "options": [
        {"id": "retool", "capabilities": ["moulding", "assembly"], "hours_per_week": 40,
         "lead_time_weeks": 1, "weekly_cost": 100, "ramp_up": [0.2, 0.6],
         "earliest_start_week": 1}]})
    raw["suppliers"][0]["offers"].append({"item": "frame", "unit_price": 80, "lead_time_weeks": 2,
                                          "capacity_per_week": [5] * 8, "available_from_week": 1})
    raw["inventory"] = [{"site": "plant", "item": "kit", "quantity": 10}]
    raw["transport"] = {"lead_time_weeks": 1, "cost_per_kg_km": 0.001}
    raw["policy"] = {"budget": 1e6, "max_share_per_organization": 1,
                     "restricted_origins": {"countries": ["CN"], "max_share": 0.5}}
    raw["objective"] = {"mode": "weighted", "late_penalty": 10, "mip_gap": 0.01,
                        "time_limit_s": 60}
    raw["uncertainty"] = {"suppliers": {"*": {"delay_weeks": {0: 0.9, 1: 0.1}},
                                        "kits-r-us": {"fill_rate": {"mean": 0.9, "sd": 0.05},
                                                      "outage": {"probability_per_week": 0.01,
                                                                 "weeks": 2}}},
                          "lines": {"*": {"slip_weeks": {0: 1.0}, "availability": 0.95}},
                          "operations": {"mould": {"yield_sd": 0.01}}}
    raw["demands"][0]["due"].append({"week": 5, "quantity": 20})
    return raw


RICH = _richer()


def test_richer_scenario_is_valid() -> None:
    scenario, problems = validate(copy.deepcopy(RICH))
    assert isinstance(scenario, Scenario), [str(p) for p in problems]
    assert problems == []


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``node`` (dict keys and list indices)."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


PATHS = _paths(RICH)
ID_PATHS = [p for p in PATHS if p[-1] == "id"]

values = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=8),
    st.sampled_from(["kit", "drone", "plant", "acme", "assembly", "*", "", "NO", "2026-01-05"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([-1, 0, 0.5, 1.5, 2.0, 2.5, 520, 521, 1e308, math.nan, -math.inf]),
    st.lists(st.integers(-2, 3), max_size=10),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
    st.just([{}]),
    st.just({0: 1}),
)


def _parent(raw: Any, path: tuple[Any, ...]) -> Any:
    node = raw
    for key in path[:-1]:
        node = node[key]
    return node


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    raw = copy.deepcopy(RICH)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "set", "duplicate", "rename", "add-key"]))
        paths = _paths(raw)
        if not paths:
            break
        if kind == "rename":
            ids = [p for p in paths if p[-1] == "id"] or paths
            path = draw(st.sampled_from(ids))
        else:
            path = draw(st.sampled_from(paths))
        parent, key = _parent(raw, path), path[-1]
        if kind == "delete":
            del parent[key]
        elif kind == "set":
            parent[key] = draw(values)
        elif kind == "duplicate":
            target = parent if isinstance(parent, list) else parent[key]
            if isinstance(target, list) and target:
                target.append(copy.deepcopy(draw(st.sampled_from(target))))
        elif kind == "rename":
            parent[key] = draw(st.sampled_from(["kit", "drone", "plant", "x", "plant-l1", 7]))
        else:
            node = parent[key] if isinstance(parent[key], dict) else parent
            if isinstance(node, dict):
                node[draw(st.sampled_from(["wekes", "site", "idd", 3, None]))] = draw(values)
    return raw


def _check(raw: Any) -> None:
    scenario, problems = validate(raw)
    assert all(isinstance(p, Problem) and p.message.strip() for p in problems)
    errors = [p for p in problems if p.severity == "error"]
    if scenario is None:
        assert errors, "rejected without an error"
    else:
        assert not errors
        assert isinstance(scenario, Scenario)
        bound = capacity_bound(scenario)  # must work on anything validate accepts
        assert all(len(b) == scenario.weeks for b in bound.values())


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_are_accepted_or_rejected_with_messages(raw: dict[str, Any]) -> None:
    _check(raw)


@settings(max_examples=60, deadline=None)
@given(values)
def test_any_document_is_accepted_or_rejected(doc: Any) -> None:
    _check(doc)

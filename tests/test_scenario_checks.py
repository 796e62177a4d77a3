"""Every rule of the scenario format, one corrupt variant each, asserting the message.

Each case mutates the spec's minimal scenario (``examples/minimal.yaml``) as a dict and
expects one problem, written exactly as a planner reads it: ``path: message``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from surge.errors import ScenarioError
from surge.scenario import load, read_file, validate

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = read_file(ROOT / "examples" / "minimal.yaml")

Mutation = Callable[[dict[str, Any]], None]


def set_(path: str, value: Any) -> Mutation:
    """Set the value at a dotted path (``lines.0.options.0.ramp_up``)."""
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]

    def mutate(raw: dict[str, Any]) -> None:
        node: Any = raw
        for p in parents:
            node = node[p]
        node[last] = value

    return mutate


def delete(path: str) -> Mutation:
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]

    def mutate(raw: dict[str, Any]) -> None:
        node: Any = raw
        for p in parents:
            node = node[p]
        del node[last]

    return mutate


def append(path: str, value: Any) -> Mutation:
    def mutate(raw: dict[str, Any]) -> None:
        node: Any = raw
        for p in path.split("."):
            node = node[int(p) if p.isdigit() else p]
        node.append(copy.deepcopy(value))

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(raw: dict[str, Any]) -> None:
        for m in mutations:
            m(raw)

    return mutate


LINE = "lines[0] 'plant-l1'"
OPT = f"{LINE}.options[0]"
OP = "operations[0] 'assemble'"
SITE = "sites[0] 'plant'"
OFFER = "suppliers[0] 'kits-r-us'.offers[0]"
DEMAND = "demands[0] 'order-1'"
UNUSED_LINE = {"id": "l2", "site": "plant", "options": [
    {"id": "o", "capabilities": ["painting"], "hours_per_week": 10, "lead_time_weeks": 0}]}

# (case id, mutation, the exact problem expected among the errors)
ERRORS: list[tuple[str, Mutation, str]] = [
    # unknown keys, with 'did you mean'
    ("unknown-top", set_("wekes", 3),
     "(top level): unknown key 'wekes'; did you mean 'weeks'?"),
    ("unknown-line", set_("lines.0.sitee", "plant"),
     f"{LINE}: unknown key 'sitee'; did you mean 'site'? (expected keys: id, name, site, options, committed)"),
    ("unknown-option", set_("lines.0.options.0.ramp", [1]), f"{OPT}: unknown key 'ramp'; did you mean 'ramp_up'?"),
    ("unknown-offer", set_("suppliers.0.offers.0.price", 1), f"{OFFER}: unknown key 'price'"),
    ("unknown-no-hint", set_("items.0.colour", "red"),
     "items[0] 'kit': unknown key 'colour' (expected keys: id, name, weight_kg)"),
    ("unknown-transport", set_("transport", {"lead_time": 1}),
     "transport: unknown key 'lead_time'; did you mean 'lead_time_weeks'?"),
    ("unknown-uncertainty", set_("uncertainty", {"suppliers": {"*": {"fill_rat": {"mean": 1}}}}),
     "uncertainty.suppliers.*: unknown key 'fill_rat'; did you mean 'fill_rate'?"),
    ("non-string-key", set_("lines.0.options.0.5", 1), f"{OPT}: key 5: must be a string"),
    # missing keys
    ("missing-name", delete("name"), "(top level): missing required key 'name'"),
    ("missing-hours", delete("operations.0.hours_per_unit"),
     f"{OP}: missing required key 'hours_per_unit'"),
    ("missing-option-lead", delete("lines.0.options.0.lead_time_weeks"),
     f"{OPT}: missing required key 'lead_time_weeks'"),
    # version, horizon, dates
    ("surge-2", set_("surge", 2), "surge: must be 1 (the only scenario format version), got 2"),
    ("surge-true", set_("surge", True),
     "surge: must be 1 (the only scenario format version), got true"),
    ("surge-string", set_("surge", "1"),
     "surge: must be 1 (the only scenario format version), got '1'"),
    ("weeks-0", set_("weeks", 0), "weeks: must be between 1 and 520, got 0"),
    ("weeks-521", set_("weeks", 521), "weeks: must be between 1 and 520, got 521"),
    ("weeks-2.5", set_("weeks", 2.5), "weeks: must be a whole number, got 2.5"),
    ("weeks-string", set_("weeks", "8"), "weeks: must be a whole number, got '8'"),
    ("weeks-nan", set_("weeks", math.nan), "weeks: must be a whole number, got nan"),
    ("weeks-bool", set_("weeks", True), "weeks: must be a whole number, got true"),
    ("start-bad-day", set_("start", "2026-02-30"),
     "start: must be a date YYYY-MM-DD, got '2026-02-30'"),
    ("start-format", set_("start", "05/01/2026"),
     "start: must be a date YYYY-MM-DD, got '05/01/2026'"),
    ("start-number", set_("start", 20260105), "start: must be a date YYYY-MM-DD, got 20260105"),
    ("name-number", set_("name", 5), "name: must be a string, got 5"),
    ("name-bool", set_("name", False), "name: must be a string, got false"),
    # items
    ("item-weight-0", set_("items.0.weight_kg", 0), "items[0] 'kit'.weight_kg: must be > 0, got 0"),
    ("item-id-space", set_("items.0.id", "k it"),
     "items[0] 'k it'.id: must be a non-empty id of letters, digits, '-', '_' and '.', got 'k it'"),
    ("item-id-empty", set_("items.0.id", ""),
     "items[0] ''.id: must be a non-empty id of letters, digits, '-', '_' and '.', got ''"),
    ("item-id-number", set_("items.0.id", 5),
     "items[0].id: must be a non-empty id of letters, digits, '-', '_' and '.', got 5"),
    ("items-mapping", set_("items", {"kit": {}}), "items: must be a list, got a mapping"),
    ("item-string", set_("items.0", "kit"), "items[0]: must be a mapping, got 'kit'"),
    # duplicate ids
    ("dup-item", append("items", {"id": "kit"}),
     "items[2] 'kit'.id: duplicate id 'kit' (first used by items[0])"),
    ("dup-line", append("lines", UNUSED_LINE | {"id": "plant-l1"}),
     "lines[1] 'plant-l1'.id: duplicate id 'plant-l1' (first used by lines[0])"),
    ("dup-org", append("organizations", {"id": "acme"}),
     "organizations[1] 'acme'.id: duplicate id 'acme' (first used by organizations[0])"),
    ("dup-option", append("lines.0.options", {"id": "convert", "capabilities": ["assembly"],
                                              "hours_per_week": 1, "lead_time_weeks": 0}),
     f"{LINE}.options[1].id: duplicate option id 'convert' (first used by options[0])"),
    ("dup-offer", append("suppliers.0.offers", {"item": "kit", "unit_price": 1,
                                                "lead_time_weeks": 0,
                                                "capacity_per_week": 1}),
     "suppliers[0] 'kits-r-us'.offers[1].item: a supplier has at most one offer per item; "
     "'kit' is already offered by offers[0]"),
    # dangling references, every kind
    ("ref-produces", set_("operations.0.produces", "dron"),
     f"{OP}.produces: unknown item 'dron' (not in `items`)"),
    ("ref-consumes", set_("operations.0.consumes", {"bolt": 1}),
     f"{OP}.consumes.bolt: unknown item 'bolt' (not in `items`)"),
    ("ref-organization", set_("sites.0.organization", "acm"),
     f"{SITE}.organization: unknown organization 'acm' (not in `organizations`)"),
    ("ref-line-site", set_("lines.0.site", "plnt"),
     f"{LINE}.site: unknown site 'plnt' (not in `sites`)"),
    ("ref-offer-item", set_("suppliers.0.offers.0.item", "kitt"),
     f"{OFFER}.item: unknown item 'kitt' (not in `items`)"),
    ("ref-demand-item", set_("demands.0.item", "drones"),
     f"{DEMAND}.item: unknown item 'drones' (not in `items`)"),
    ("ref-demand-site", set_("demands.0.site", "depot"),
     f"{DEMAND}.site: unknown site 'depot' (not in `sites`)"),
    ("ref-inventory-site", set_("inventory", [{"site": "depot", "item": "kit", "quantity": 1}]),
     "inventory[0].site: unknown site 'depot' (not in `sites`)"),
    ("ref-inventory-item", set_("inventory", [{"site": "plant", "item": "bolt", "quantity": 1}]),
     "inventory[0].item: unknown item 'bolt' (not in `items`)"),
    ("ref-uncertainty-line", set_("uncertainty", {"lines": {"plant-l9": {"availability": 0.9}}}),
     "uncertainty.lines.plant-l9: unknown line 'plant-l9' (not in `lines`; use '*' for all)"),
    ("ref-uncertainty-supplier", set_("uncertainty",
                                      {"suppliers": {"kits": {"fill_rate": {"mean": 1}}}}),
     "uncertainty.suppliers.kits: unknown supplier 'kits' (not in `suppliers`; use '*' for all)"),
    ("ref-uncertainty-operation", set_("uncertainty", {"operations": {"asm": {"yield_sd": 0}}}),
     "uncertainty.operations.asm: unknown operation 'asm' (not in `operations`; use '*' for all)"),
    # BOM
    ("self-consumption", set_("operations.0.consumes", {"drone": 1}),
     f"{OP}.consumes.drone: an operation may not consume its own output 'drone'"),
    ("bom-cycle", append("operations", {"id": "unpack", "produces": "kit", "consumes": {"drone": 1},
                                        "capability": "assembly", "hours_per_unit": 1}),
     "operations: the bill of materials has a cycle: 'drone' -> 'kit' -> 'drone'"),
    # numbers out of range, every field
    ("op-hours-neg", set_("operations.0.hours_per_unit", -2),
     f"{OP}.hours_per_unit: must be > 0, got -2"),
    ("op-hours-string", set_("operations.0.hours_per_unit", "2"),
     f"{OP}.hours_per_unit: must be a number, got '2'"),
    ("op-hours-inf", set_("operations.0.hours_per_unit", math.inf),
     f"{OP}.hours_per_unit: must be a finite number, got inf"),
    ("op-hours-nan", set_("operations.0.hours_per_unit", math.nan),
     f"{OP}.hours_per_unit: must be a finite number, got nan"),
    ("op-consumes-0", set_("operations.0.consumes", {"kit": 0}),
     f"{OP}.consumes.kit: must be > 0, got 0"),
    ("op-consumes-list", set_("operations.0.consumes", ["kit"]),
     f"{OP}.consumes: must be a mapping, got a list"),
    ("op-yield-0", set_("operations.0.yield", 0), f"{OP}.yield: must be in (0, 1], got 0"),
    ("op-yield-1.5", set_("operations.0.yield", 1.5), f"{OP}.yield: must be in (0, 1], got 1.5"),
    ("op-lead-neg", set_("operations.0.lead_time_weeks", -1),
     f"{OP}.lead_time_weeks: must be >= 0, got -1"),
    ("op-lead-2.5", set_("operations.0.lead_time_weeks", 2.5),
     f"{OP}.lead_time_weeks: must be a whole number, got 2.5"),
    ("site-lat", set_("sites.0.lat", 91), f"{SITE}.lat: must be between -90 and 90, got 91"),
    ("site-lon", set_("sites.0.lon", -180.5),
     f"{SITE}.lon: must be between -180 and 180, got -180.5"),
    ("site-country", set_("sites.0.country", "France"),
     f"{SITE}.country: must be an ISO 3166 alpha-2 country code such as 'FR', got 'France'"),
    ("site-country-bool", set_("sites.0.country", False),
     f"{SITE}.country: must be an ISO 3166 alpha-2 country code such as 'FR', got false"),
    ("ramp-1.5", set_("lines.0.options.0.ramp_up", [0.5, 0.7, 1.5]),
     f"{OPT}.ramp_up[2]: must be between 0 and 1, got 1.5"),
    ("ramp-neg", set_("lines.0.options.0.ramp_up", [-0.1]),
     f"{OPT}.ramp_up[0]: must be between 0 and 1, got -0.1"),
    ("ramp-string", set_("lines.0.options.0.ramp_up", "0.5"),
     f"{OPT}.ramp_up: must be a list, got '0.5'"),
    ("hours-per-week-0", set_("lines.0.options.0.hours_per_week", 0),
     f"{OPT}.hours_per_week: must be > 0, got 0"),
    ("option-lead-2.5", set_("lines.0.options.0.lead_time_weeks", 2.5),
     f"{OPT}.lead_time_weeks: must be a whole number, got 2.5"),
    ("fixed-cost-neg", set_("lines.0.options.0.fixed_cost", -5),
     f"{OPT}.fixed_cost: must be >= 0, got -5"),
    ("weekly-cost-neg", set_("lines.0.options.0.weekly_cost", -5),
     f"{OPT}.weekly_cost: must be >= 0, got -5"),
    ("cost-per-hour-neg", set_("lines.0.options.0.cost_per_hour", -1),
     f"{OPT}.cost_per_hour: must be >= 0, got -1"),
    ("earliest-start-neg", set_("lines.0.options.0.earliest_start_week", -1),
     f"{OPT}.earliest_start_week: must be >= 0, got -1"),
    ("capabilities-empty", set_("lines.0.options.0.capabilities", []),
     f"{OPT}.capabilities: must not be empty"),
    ("capabilities-string", set_("lines.0.options.0.capabilities", "assembly"),
     f"{OPT}.capabilities: must be a list, got 'assembly'"),
    ("options-empty", set_("lines.0.options", []), f"{LINE}.options: must not be empty"),
    ("unit-price-neg", set_("suppliers.0.offers.0.unit_price", -300),
     f"{OFFER}.unit_price: must be >= 0, got -300"),
    ("offer-lead-neg", set_("suppliers.0.offers.0.lead_time_weeks", -1),
     f"{OFFER}.lead_time_weeks: must be >= 0, got -1"),
    ("available-from-1.5", set_("suppliers.0.offers.0.available_from_week", 1.5),
     f"{OFFER}.available_from_week: must be a whole number, got 1.5"),
    ("capacity-neg", set_("suppliers.0.offers.0.capacity_per_week", -60),
     f"{OFFER}.capacity_per_week: must be >= 0 (or a list of `weeks` numbers >= 0), got -60"),
    ("capacity-string", set_("suppliers.0.offers.0.capacity_per_week", "lots"),
     f"{OFFER}.capacity_per_week: must be a number, got 'lots'"),
    ("capacity-list-length", set_("suppliers.0.offers.0.capacity_per_week", [60, 60, 60]),
     f"{OFFER}.capacity_per_week: a list must have exactly `weeks` = 8 values, got 3"),
    ("capacity-list-value", set_("suppliers.0.offers.0.capacity_per_week", [60] * 7 + [-1]),
     f"{OFFER}.capacity_per_week: value for week 7 must be a number >= 0, got -1"),
    ("capacity-list-nan", set_("suppliers.0.offers.0.capacity_per_week", [60] * 7 + [math.nan]),
     f"{OFFER}.capacity_per_week: value for week 7 must be a number >= 0, got nan"),
    ("supplier-country", set_("suppliers.0.country", "XX"),
     "suppliers[0] 'kits-r-us'.country: must be an ISO 3166 alpha-2 country code such as 'FR', "
     "got 'XX'"),
    ("due-week-8", set_("demands.0.due.0.week", 8),
     f"{DEMAND}.due[0].week: must be between 0 and 7 (weeks - 1), got 8"),
    ("due-week-neg", set_("demands.0.due.0.week", -1),
     f"{DEMAND}.due[0].week: must be >= 0, got -1"),
    ("due-week-2.5", set_("demands.0.due.0.week", 2.5),
     f"{DEMAND}.due[0].week: must be a whole number, got 2.5"),
    ("due-quantity-0", set_("demands.0.due.0.quantity", 0),
     f"{DEMAND}.due[0].quantity: must be > 0, got 0"),
    ("due-empty", set_("demands.0.due", []), f"{DEMAND}.due: must not be empty"),
    ("due-null", set_("demands.0.due", [None]), f"{DEMAND}.due[0]: must be a mapping, got null"),
    ("demand-weight-0", set_("demands.0.weight", 0), f"{DEMAND}.weight: must be > 0, got 0"),
    ("unmet-weeks-neg", set_("demands.0.unmet_weeks", -1),
     f"{DEMAND}.unmet_weeks: must be >= 0, got -1"),
    ("inventory-neg", set_("inventory", [{"site": "plant", "item": "kit", "quantity": -1}]),
     "inventory[0].quantity: must be >= 0, got -1"),
    ("transport-lead", set_("transport", {"lead_time_weeks": -1}),
     "transport.lead_time_weeks: must be >= 0, got -1"),
    ("transport-cost", set_("transport", {"cost_per_kg_km": -0.1}),
     "transport.cost_per_kg_km: must be >= 0, got -0.1"),
    ("budget-string", set_("policy", {"budget": "lots"}),
     "policy.budget: must be a number, got 'lots'"),
    ("max-share-0", set_("policy", {"max_share_per_organization": 0}),
     "policy.max_share_per_organization: must be in (0, 1], got 0"),
    ("restricted-share", set_("policy", {"restricted_origins": {"countries": ["CN"],
                                                                "max_share": 1.5}}),
     "policy.restricted_origins.max_share: must be between 0 and 1, got 1.5"),
    ("restricted-country", set_("policy", {"restricted_origins": {"countries": ["China"],
                                                                  "max_share": 0.5}}),
     "policy.restricted_origins.countries[0]: must be an ISO 3166 alpha-2 country code such as "
     "'FR', got 'China'"),
    ("objective-mode", set_("objective", {"mode": "fastest"}),
     "objective.mode: must be 'service-then-cost' or 'weighted', got 'fastest'"),
    ("objective-gap", set_("objective", {"mip_gap": 1}),
     "objective.mip_gap: must be in [0, 1), got 1"),
    ("objective-penalty", set_("objective", {"late_penalty": -1}),
     "objective.late_penalty: must be >= 0, got -1"),
    ("objective-time", set_("objective", {"time_limit_s": 0}),
     "objective.time_limit_s: must be > 0, got 0"),
    ("slip-sum", set_("uncertainty", {"lines": {"*": {"slip_weeks": {0: 0.5}}}}),
     "uncertainty.lines.*.slip_weeks: probabilities must sum to 1, got 0.5"),
    ("availability", set_("uncertainty", {"lines": {"*": {"availability": 2}}}),
     "uncertainty.lines.*.availability: must be between 0 and 1, got 2"),
    ("yield-sd", both(set_("operations.0.yield", 0.9),
                      set_("uncertainty", {"operations": {"*": {"yield_sd": 0.5}}})),
     "uncertainty.operations.*.yield_sd: no beta distribution has mean 0.9 (the yield of "
     "operations[0] 'assemble') "
     "and sd 0.5: sd must be < 0.3"),
]

# (case id, mutation, the exact warning expected); the scenario stays valid
WARNINGS: list[tuple[str, Mutation, str]] = [
    ("demand-nothing-makes", both(append("items", {"id": "x"}),
                                  append("demands", {"id": "o2", "item": "x", "site": "plant",
                                                     "due": [{"week": 1, "quantity": 1}]})),
     "demands[1] 'o2'.item: nothing can make or buy 'x' and none is in stock: this demand can "
     "never be met"),
    ("line-unused", append("lines", UNUSED_LINE),
     "lines[1] 'l2': no operation can use this line (none of its capabilities ['painting'] is "
     "needed by an operation)"),
    ("operation-no-line", append("operations", {"id": "paint", "produces": "drone",
                                                "capability": "painting",
                                                "hours_per_unit": 1}),
     "operations[1] 'paint'.capability: no line offers capability 'painting': this operation can "
     "never run"),
    ("option-too-late", set_("lines.0.options.0.earliest_start_week", 8),
     f"{OPT}.earliest_start_week: 8 is after the horizon's last week 7: this option can never be "
     "activated"),
    ("offer-too-late", set_("suppliers.0.offers.0.lead_time_weeks", 8),
     f"{OFFER}: no order can arrive within the horizon (available from week 0, lead time 8 weeks, "
     "last week 7)"),
    ("inventory-twice", set_("inventory", [{"site": "plant", "item": "kit", "quantity": 1}] * 2),
     "inventory[1]: stock of 'kit' at 'plant' is also given in inventory[0]; the quantities are "
     "added"),
]


def mutated(mutation: Mutation) -> dict[str, Any]:
    raw = copy.deepcopy(MINIMAL)
    mutation(raw)
    return raw


def test_minimal_is_valid_without_problems() -> None:
    scenario, problems = validate(copy.deepcopy(MINIMAL))
    assert scenario is not None and problems == []


@pytest.mark.parametrize(("mutation", "expected"), [c[1:] for c in ERRORS],
                         ids=[c[0] for c in ERRORS])
def test_error(mutation: Mutation, expected: str) -> None:
    scenario, problems = validate(mutated(mutation))
    errors = [str(p) for p in problems if p.severity == "error"]
    assert scenario is None
    assert any(e.startswith(expected) for e in errors), errors


@pytest.mark.parametrize(("mutation", "expected"), [c[1:] for c in WARNINGS],
                         ids=[c[0] for c in WARNINGS])
def test_warning(mutation: Mutation, expected: str) -> None:
    scenario, problems = validate(mutated(mutation))
    assert scenario is not None, [str(p) for p in problems]
    assert [str(p) for p in problems] == [expected]
    assert problems[0].severity == "warning"


def test_case_ids_are_distinct() -> None:
    names = [c[0] for c in ERRORS + WARNINGS]
    assert len(names) == len(set(names))


def test_every_problem_is_reported_at_once() -> None:
    raw = mutated(both(set_("weeks", 2.5), set_("lines.0.options.0.ramp_up", [1.5]),
                       set_("lines.0.site", "x"),
                       set_("items.1.weight_kg", -1), append("items", {"id": "kit"})))
    with pytest.raises(ScenarioError) as info:
        load(raw)
    errors = sorted(str(p) for p in info.value.problems if p.severity == "error")
    assert errors == sorted([
        "weeks: must be a whole number, got 2.5",
        f"{OPT}.ramp_up[0]: must be between 0 and 1, got 1.5",
        f"{LINE}.site: unknown site 'x' (not in `sites`)",
        "items[1] 'drone'.weight_kg: must be > 0, got -1",
        "items[2] 'kit'.id: duplicate id 'kit' (first used by items[0])",
    ])
    assert str(info.value).startswith("scenario: 5 problems found\n")


def test_whole_numbers_written_as_floats_are_read_as_ints() -> None:
    raw = mutated(both(set_("weeks", 8.0), set_("lines.0.options.0.lead_time_weeks", 2.0),
                       set_("demands.0.due.0.week", 7.0)))
    scenario = load(raw)
    assert scenario.weeks == 8 and isinstance(scenario.weeks, int)
    assert scenario.lines[0].options[0].lead_time_weeks == 2
    assert isinstance(scenario.demands[0].due[0].week, int)


def test_defaults_are_applied() -> None:
    scenario = load(copy.deepcopy(MINIMAL))
    assert scenario.currency == "EUR"
    assert scenario.items[0].weight_kg == 1.0
    assert scenario.operations[0].yield_ == 1.0 and scenario.operations[0].lead_time_weeks == 0
    assert scenario.demands[0].unmet_weeks == 8 and scenario.demands[0].weight == 1.0
    assert scenario.transport.lead_time_weeks == 1 and scenario.transport.cost_per_kg_km == 0
    assert scenario.objective.mode == "service-then-cost" and scenario.objective.mip_gap == 1e-4
    assert scenario.objective.time_limit_s == 300
    assert scenario.suppliers[0].offers[0].available_from_week == 0
    assert scenario.lines[0].options[0].earliest_start_week == 0


def test_a_broken_list_does_not_cascade_into_dangling_references() -> None:
    _, problems = validate(mutated(set_("items", {"kit": {}})))
    assert [str(p) for p in problems] == ["items: must be a list, got a mapping"]

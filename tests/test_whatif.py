"""What-if overlays and --set: merge rules (docs/whatif.md), round trips, errors with lines."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from typer.testing import CliRunner

import surge
from surge.cli import app, register_commands
from surge.errors import InputError, ScenarioError
from surge.scenario.load import read_file
from surge.scenario.overlay import load_with_overlays, merge, plain, set_value

MINIMAL = Path(__file__).parent.parent / "examples" / "minimal.yaml"

OVERLAY = """\
# a second kit supplier, a cheaper first one, a second order, no more first line
suppliers:
  - id: kits-r-us
    offers:
      - {item: kit, unit_price: 250}
  - id: kits-de
    country: DE
    offers: [{item: kit, unit_price: 320, lead_time_weeks: 2, capacity_per_week: 40}]
lines:
  - id: plant-l1
    options:
      - {id: convert, ramp_up: [0.25, 0.75]}
demands:
  - {id: order-2, item: drone, site: plant, due: [{week: 6, quantity: 20}]}
inventory:
  - {site: plant, item: kit, quantity: 15}
policy:
  budget: 200000
objective:
  mip_gap: 0.001
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def hand_edited() -> dict:
    doc = copy.deepcopy(read_file(MINIMAL))
    doc["suppliers"][0]["offers"][0]["unit_price"] = 250
    doc["suppliers"].append({"id": "kits-de", "country": "DE", "offers": [
        {"item": "kit", "unit_price": 320, "lead_time_weeks": 2, "capacity_per_week": 40}]})
    doc["lines"][0]["options"][0]["ramp_up"] = [0.25, 0.75]
    doc["demands"].append({"id": "order-2", "item": "drone", "site": "plant",
                           "due": [{"week": 6, "quantity": 20}]})
    doc["inventory"] = [{"site": "plant", "item": "kit", "quantity": 15}]
    doc["policy"] = {"budget": 200000}
    doc["objective"] = {"mip_gap": 0.001}
    return doc


def test_overlay_round_trip_equals_hand_edited(tmp_path: Path) -> None:
    overlay = write(tmp_path, "more.yaml", OVERLAY)
    merged = load_with_overlays(MINIMAL, [overlay])
    assert merged.dump() == surge.load(hand_edited()).dump()


def test_set_round_trip_by_id_and_index() -> None:
    merged = load_with_overlays(MINIMAL, [], [
        "suppliers.kits-r-us.offers[0].capacity_per_week=0",
        "suppliers.kits-r-us.offers.kit.unit_price=310",
        "lines[0].options.convert.ramp_up=[0.5, 0.9]",
        "demands.order-1.due[0].quantity=150",
        "sites.plant.country=NO",      # YAML 1.2: Norway, not false
        "policy.budget=1e6",
    ])
    doc = hand = read_file(MINIMAL)
    hand = copy.deepcopy(doc)
    offer = hand["suppliers"][0]["offers"][0]
    offer["capacity_per_week"], offer["unit_price"] = 0, 310
    hand["lines"][0]["options"][0]["ramp_up"] = [0.5, 0.9]
    hand["demands"][0]["due"][0]["quantity"] = 150
    hand["sites"][0]["country"] = "NO"
    hand["policy"] = {"budget": 1e6}
    assert merged.dump() == surge.load(hand).dump()


def test_remove_by_id_and_inventory_by_site_and_item() -> None:
    base = {"items": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
            "inventory": [{"site": "s", "item": "a", "quantity": 1},
                          {"site": "s", "item": "b", "quantity": 2}]}
    over = {"items": [{"id": "b", "remove": True}, {"id": "d"}],
            "inventory": [{"site": "s", "item": "a", "quantity": 5},
                          {"site": "s", "item": "b", "remove": True}]}
    out = plain(merge(base, over))
    assert out == {"items": [{"id": "a"}, {"id": "c"}, {"id": "d"}],
                   "inventory": [{"site": "s", "item": "a", "quantity": 5}]}
    assert base["items"][1] == {"id": "b"}  # the base is not changed
    assert plain(merge(base, {"policy": {"budget": 5}, "name": "x"}))["policy"] == {"budget": 5}


def test_maps_merge_key_by_key_and_null_resets() -> None:
    base = {"policy": {"budget": 5, "max_share_per_organization": 0.5},
            "operations": [{"id": "op", "consumes": {"a": 1, "b": 2}, "hours_per_unit": 1}]}
    over = {"policy": {"budget": None, "restricted_origins": {"countries": ["CN"],
                                                              "max_share": 0.1}},
            "operations": [{"id": "op", "consumes": {"c": 3}}]}
    out = plain(merge(base, over))
    assert out["policy"] == {"max_share_per_organization": 0.5,
                             "restricted_origins": {"countries": ["CN"], "max_share": 0.1}}
    assert out["operations"][0]["consumes"] == {"c": 3}  # a bill of materials is one value
    assert out["operations"][0]["hours_per_unit"] == 1


def test_overlay_error_names_file_and_line(tmp_path: Path) -> None:
    cut = write(tmp_path, "cut-kits.yaml",
                "suppliers:\n  - id: kits-r-us\n    offers:\n      - item: kit\n"
                "        capacity_per_week: -5\n")
    with pytest.raises(ScenarioError) as exc:
        load_with_overlays(MINIMAL, [cut])
    assert [str(p) for p in exc.value.problems] == [
        f"{cut} line 5: suppliers[0] 'kits-r-us'.offers[0].capacity_per_week: must be >= 0 "
        "(or a list of `weeks` numbers >= 0), got -5"]


def test_error_in_added_object_and_in_set(tmp_path: Path) -> None:
    add = write(tmp_path, "add.yaml", "lines:\n  - id: l2\n    site: nowhere\n"
                "    options: [{id: o, capabilities: [assembly], hours_per_week: 10, "
                "lead_time_weeks: 0}]\n")
    with pytest.raises(ScenarioError) as exc:
        load_with_overlays(MINIMAL, [add], ["demands.order-1.weight=-1"])
    shown = [str(p) for p in exc.value.problems]
    assert f"{add} line 3: lines[1] 'l2'.site: unknown site 'nowhere' (not in `sites`)" in shown
    assert "--set demands.order-1.weight=-1: demands[0] 'order-1'.weight: must be > 0, got -1" \
        in shown


@pytest.mark.parametrize("assignment, message", [
    ("suppliers.nobody.country=FR",
     "--set suppliers.nobody.country=FR: suppliers has no entry 'nobody'"),
    ("suppliers[7].country=FR", "suppliers has no [7] (it has 1)"),
    ("weeks", "expected PATH=VALUE"),
    ("weeks.x=1", "weeks is a single value, cannot go to 'x' in it"),
    ("lines[x=1", "cannot read the path"),
])
def test_bad_set(assignment: str, message: str) -> None:
    with pytest.raises(InputError) as exc:
        load_with_overlays(MINIMAL, [], [assignment])
    assert message in str(exc.value)


def test_bad_overlay_entries(tmp_path: Path) -> None:
    gone = write(tmp_path, "gone.yaml", "items:\n  - {id: kit}\n  - {id: nope, remove: true}\n")
    with pytest.raises(InputError, match=r"gone.yaml line 3: items\[1\]: cannot remove 'nope': "
                                         r"no such entry in `items`"):
        load_with_overlays(MINIMAL, [gone])
    noid = write(tmp_path, "noid.yaml", "sites:\n  - {country: FR}\n")
    with pytest.raises(InputError, match=r"noid.yaml line 2: sites\[0\]: an overlay entry of "
                                         r"`sites` needs 'id'"):
        load_with_overlays(MINIMAL, [noid])
    listy = write(tmp_path, "list.yaml", "- a\n")
    with pytest.raises(InputError, match="an overlay must be a mapping"):
        load_with_overlays(MINIMAL, [listy])


def test_set_value_in_place_on_plain_merge() -> None:
    doc = merge({"objective": {"mip_gap": 0.1}}, {})
    set_value(doc, "objective.time_limit_s=20")
    set_value(doc, "transport.lead_time_weeks=2")
    assert plain(doc) == {"objective": {"mip_gap": 0.1, "time_limit_s": 20},
                          "transport": {"lead_time_weeks": 2}}


def test_cli_plan_with_overlay_and_set(tmp_path: Path) -> None:
    register_commands()
    cut = write(tmp_path, "cut.yaml", "suppliers:\n  - id: kits-r-us\n    offers:\n"
                "      - {item: kit, capacity_per_week: 30}\n")
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(app, ["plan", str(MINIMAL), "--with", str(cut), "--set",
                                      "demands.order-1.due[0].quantity=100", "-o", str(out)])
    assert result.exit_code == 0, result.output
    sc = load_with_overlays(MINIMAL, [cut], ["demands.order-1.due[0].quantity=100"])
    plan = surge.Plan.read(out)
    assert surge.verify(sc, plan).ok
    # 30 kits a week from week 0, arriving from week 1: 100 drones by week 7 with S = 0
    assert plan.objective.service == pytest.approx(0.0, abs=1e-6)
    assert sum(p.quantity for p in plan.purchases) == pytest.approx(100.0)

    bad = write(tmp_path, "bad.yaml", "suppliers:\n  - id: kits-r-us\n    offers:\n"
                "      - {item: kit, capacity_per_week: -5}\n")
    result = CliRunner().invoke(app, ["plan", str(MINIMAL), "--with", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert "bad.yaml line 4: suppliers[0] 'kits-r-us'.offers[0].capacity_per_week: must be >= 0" \
        in result.output

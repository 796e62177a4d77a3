"""The capacity survey workbooks: template, import, round trip, problems by cell."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from surge.cli import app, register_commands
from surge.scenario import load, validate
from surge.scenario.generate import generate
from surge.scenario.model import Scenario
from surge.survey import make_template, merge, read_workbook

DEMO = Path(__file__).resolve().parents[1] / "examples" / "uav-france.yaml"


@pytest.fixture(scope="module")
def demo() -> Scenario:
    return load(DEMO)


def edited(sc: Scenario, change: Callable[[Any], None], **who: str) -> bytes:
    wb = load_workbook(io.BytesIO(make_template(sc, **who)))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def errors(sc: Scenario, name: str, data: bytes) -> list[str]:
    sub, problems = read_workbook(name, data)
    if sub is not None:
        merged, more = merge(sc, [sub])
        problems = problems + more
    return [str(p) for p in problems if p.severity == "error"]


def round_trip(sc: Scenario) -> Scenario | None:
    subs = []
    for org in sc.organizations:
        sub, problems = read_workbook(f"{org.id}.xlsx", make_template(sc, organization=org.id))
        assert problems == [] and sub is not None
        subs.append(sub)
    for sup in sc.suppliers:
        sub, problems = read_workbook(f"{sup.id}.xlsx", make_template(sc, supplier=sup.id))
        assert problems == [] and sub is not None
        subs.append(sub)
    merged, problems = merge(sc, subs)
    assert [p for p in problems if p.severity == "error"] == []
    return merged


def test_round_trip_demo(demo: Scenario) -> None:
    merged = round_trip(demo)
    assert merged is not None
    assert merged.dump() == demo.dump()
    assert merged.by_id("lines")["cleon-l1"].options[0].ramp_up == [0.5, 0.75]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), weeks=st.integers(4, 30))
def test_round_trip_generated(seed: int, weeks: int) -> None:
    sc, _ = validate(generate(5, weeks, seed))
    assert sc is not None
    merged = round_trip(sc)
    assert merged is not None and merged.dump() == sc.dump()


def test_template_sheets_and_checks(demo: Scenario) -> None:
    wb = load_workbook(io.BytesIO(make_template(demo, organization="renault")))
    assert wb.sheetnames == ["Read me", "Organization", "Sites", "Lines"]
    lines = wb["Lines"]
    assert [c.value for c in lines[1]][:6] == ["line", "line_name", "site", "option",
                                               "capabilities", "hours_per_week"]
    assert lines.freeze_panes == "A2"
    assert "Unit: hours/week" in lines["F1"].comment.text
    kinds = {dv.type for dv in lines.data_validations.dataValidation}
    assert {"list", "whole", "decimal"} <= kinds
    assert [lines.cell(row=r, column=1).value for r in range(2, 8)] == [
        "le-mans-l1", "le-mans-l1", "cleon-l1", "cleon-l1", "cleon-l2", "flins-l1"]
    sup = load_workbook(io.BytesIO(make_template(demo, supplier="sk-cells")))
    assert sup.sheetnames == ["Read me", "Supplier", "Offers", "Capacity"]
    assert sup["Offers"]["D2"].value is None  # the profile is on the Capacity sheet
    assert [c.value for c in sup["Capacity"][2]][:6] == ["cell", 0, 0, 0, 0, 600]
    assert sup["Capacity"].cell(row=1, column=27).value == "25"


def test_new_id_gives_empty_workbook(demo: Scenario) -> None:
    wb = load_workbook(io.BytesIO(make_template(demo, organization="newco")))
    assert wb["Organization"]["A2"].value == "newco"
    assert wb["Sites"].max_row == 1 and wb["Lines"].max_row == 1


BAD_LINES: list[tuple[Callable[[Any], None], str]] = [
    (lambda wb: wb["Lines"].__setitem__("F7", -5),
     "renault.xlsx: Lines!F7 (hours_per_week): must be greater than 0, got -5"),
    (lambda wb: wb["Lines"].__setitem__("G3", "soon"),
     "renault.xlsx: Lines!G3 (lead_time_weeks): must be a whole number, got 'soon'"),
    (lambda wb: wb["Lines"].__setitem__("M1", "colour"),
     "renault.xlsx: Lines!M1 (colour): unknown column 'colour' (expected columns: line, "
     "line_name, site, option, capabilities, hours_per_week, lead_time_weeks, fixed_cost, "
     "weekly_cost, cost_per_hour, ramp_up, earliest_start_week)"),
    (lambda wb: wb["Lines"].__setitem__("E2", "assembly, welding"),
     "renault.xlsx: Lines!E2 (capabilities): unknown capability 'welding' (known: "
     "acceptance_test, assembly, composite_layup, electronics_smt, harness, "
     "injection_moulding, pack_assembly, propulsion)"),
    (lambda wb: wb["Organization"].__setitem__("A3", "x"),
     "renault.xlsx: Organization!A3: must have exactly one row (the organisation), got 2"),
    (lambda wb: wb.create_sheet("Supplier"),
     "renault.xlsx: a workbook carries either an organisation or a supplier, never both "
     "(found sheets Organization, Sites, Lines, Supplier)"),
    (lambda wb: wb["Lines"].__setitem__("K2", "0.5, 1.5"),
     "renault.xlsx: Lines!K2 (ramp_up): value 2: must be between 0 and 1, got 1.5"),
    (lambda wb: wb["Lines"].__setitem__("F4", None),
     "renault.xlsx: Lines!F4 (hours_per_week): must not be empty"),
    (lambda wb: wb["Sites"].__setitem__("D2", 95),
     "renault.xlsx: Sites!D2 (lat): must be between -90 and 90, got 95"),
    (lambda wb: wb["Sites"].__setitem__("C2", "France"),
     "renault.xlsx: Sites!C2 (country): must be an ISO 3166 alpha-2 country code such as "
     "'FR', got 'France'"),
    (lambda wb: wb["Organization"].__setitem__("A2", None),
     "renault.xlsx: Organization!A2 (id): must not be empty: the id says whose workbook it is"),
    (lambda wb: wb["Organization"].delete_rows(2),
     "renault.xlsx: Organization: must have exactly one row (the organisation), got 0"),
    (lambda wb: wb.create_sheet("Notes"),
     "renault.xlsx: Notes: unknown sheet 'Notes' (expected sheets: Read me, then "
     "Organization, Sites, Lines or Supplier, Offers, Capacity)"),
]


@pytest.mark.parametrize(("change", "message"), BAD_LINES)
def test_bad_cell_organization(demo: Scenario, change: Callable[[Any], None], message: str) -> None:
    assert errors(demo, "renault.xlsx", edited(demo, change, organization="renault")) == [message]


def test_dangling_site_and_duplicate_id(demo: Scenario) -> None:
    def dangling(wb: Any) -> None:
        wb["Lines"]["C6"] = "nowhere"

    assert errors(demo, "renault.xlsx", edited(demo, dangling, organization="renault")) == [
        "renault.xlsx: Lines!C6 (site): site 'nowhere' is not on the Sites sheet of this workbook"]

    def dup(wb: Any) -> None:
        wb["Sites"]["A4"] = "le-mans"
        wb["Lines"]["C7"] = wb["Lines"]["C8"] = "le-mans"

    assert errors(demo, "renault.xlsx", edited(demo, dup, organization="renault")) == [
        "renault.xlsx: Sites!A4 (id): duplicate id 'le-mans' "
        "(first used in renault.xlsx: Sites!A2)"]


BAD_OFFERS: list[tuple[Callable[[Any], None], str]] = [
    (lambda wb: (wb["Capacity"].__setitem__("AA1", None), wb["Capacity"].__setitem__("AA2", None)),
     "sk.xlsx: Capacity!A2 (item): the weekly profile must have 26 weeks "
     "(columns 0 to 25), got 25"),
    (lambda wb: wb["Capacity"].__setitem__("E2", -3),
     "sk.xlsx: Capacity!E2 (3): value for week 3 must be a number >= 0, got -3"),
    (lambda wb: wb["Offers"].__setitem__("D2", 5),
     "sk.xlsx: Offers!D2 (capacity_per_week): must be empty: item 'cell' has a weekly profile "
     "on the Capacity sheet (row 2)"),
    (lambda wb: wb["Offers"].__setitem__("B2", "cheap"),
     "sk.xlsx: Offers!B2 (unit_price): must be a number, got 'cheap'"),
]


@pytest.mark.parametrize(("change", "message"), BAD_OFFERS)
def test_bad_cell_supplier(demo: Scenario, change: Callable[[Any], None], message: str) -> None:
    assert errors(demo, "sk.xlsx", edited(demo, change, supplier="sk-cells")) == [message]


def test_renamed_offer_leaves_its_profile(demo: Scenario) -> None:
    def change(wb: Any) -> None:
        wb["Offers"]["A2"] = "cells"

    assert errors(demo, "sk.xlsx", edited(demo, change, supplier="sk-cells")) == [
        "sk.xlsx: Capacity!A2 (item): no offer of item 'cell' on the Offers sheet",
        "sk.xlsx: Offers!D2 (capacity_per_week): must not be empty",
        "sk.xlsx: Offers!A2 (item): unknown item 'cells' (not in `items`)",
    ]


def test_unknown_item_in_offer(demo: Scenario) -> None:
    def change(wb: Any) -> None:
        wb["Offers"]["A2"] = "widget"

    got = errors(demo, "kr.xlsx", edited(demo, change, supplier="kr-cells"))
    assert got == ["kr.xlsx: Offers!A2 (item): unknown item 'widget' (not in `items`)"]


def test_numbers_typed_as_text_and_empty_rows(demo: Scenario) -> None:
    def change(wb: Any) -> None:
        ws = wb["Lines"]
        ws["F2"] = " 420 "
        ws.insert_rows(3)  # an empty row in the middle is ignored

    sub, problems = read_workbook("r.xlsx", edited(demo, change, organization="renault"))
    assert problems == [] and sub is not None
    merged, problems = merge(demo, [sub])
    assert merged is not None
    assert merged.by_id("lines")["le-mans-l1"].options[0].hours_per_week == 420.0
    assert len(merged.lines) == len(demo.lines)


def test_new_organization_is_added(demo: Scenario) -> None:
    def fill(wb: Any) -> None:
        wb["Organization"]["B2"] = "New Co"
        wb["Sites"].append(["newco-lyon", "Lyon", "FR", 45.76, 4.84])
        wb["Lines"].append(["ly-1", None, "newco-lyon", "a", "assembly", 200, 3])

    sub, problems = read_workbook("n.xlsx", edited(demo, fill, organization="newco"))
    assert problems == [] and sub is not None
    merged, problems = merge(demo, [sub])
    assert merged is not None
    line = merged.by_id("lines")["ly-1"]
    assert (line.site, line.options[0].hours_per_week, line.options[0].fixed_cost) == (
        "newco-lyon", 200.0, 0.0)
    assert merged.by_id("sites")["newco-lyon"].organization == "newco"
    assert merged.organizations[-1].name == "New Co"


runner = CliRunner()


def test_cli_import_reports_all_workbooks_and_writes_nothing(
        demo: Scenario, tmp_path: Path) -> None:
    register_commands()
    a = tmp_path / "renault.xlsx"
    b = tmp_path / "sk.xlsx"
    a.write_bytes(edited(demo, lambda wb: wb["Lines"].__setitem__("F7", -5),
                         organization="renault"))
    b.write_bytes(edited(demo, lambda wb: wb["Offers"].__setitem__("B2", "cheap"),
                         supplier="sk-cells"))
    out = tmp_path / "merged.yaml"
    result = runner.invoke(app, ["survey", "import", str(DEMO), str(a), str(b), "-o", str(out)])
    assert result.exit_code == 2
    text = result.stderr if hasattr(result, "stderr") else result.output
    assert "renault.xlsx: Lines!F7 (hours_per_week): must be greater than 0, got -5" in text
    assert "sk.xlsx: Offers!B2 (unit_price): must be a number, got 'cheap'" in text
    assert not out.exists()


def test_cli_template_and_import_round_trip(tmp_path: Path) -> None:
    register_commands()
    book = tmp_path / "renault.xlsx"
    result = runner.invoke(app, ["survey", "template", str(DEMO), "--organization", "renault",
                                 "-o", str(book)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "merged.json"
    result = runner.invoke(app, ["survey", "import", str(DEMO), str(book), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert load(json.loads(out.read_text())).dump() == load(DEMO).dump()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_cli_template_needs_one_id(tmp_path: Path) -> None:
    register_commands()
    result = runner.invoke(app, ["survey", "template", str(DEMO), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert "give exactly one of --organization ID or --supplier ID" in result.output


def test_same_organization_twice(demo: Scenario) -> None:
    data = make_template(demo, organization="renault")
    subs = [read_workbook(name, data)[0] for name in ("a.xlsx", "b.xlsx")]
    merged, problems = merge(demo, [s for s in subs if s is not None])
    assert merged is None
    assert [str(p) for p in problems] == ["b.xlsx: organization 'renault' is also in a.xlsx"]


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="needs LibreOffice")
def test_round_trip_through_libreoffice(demo: Scenario, tmp_path: Path) -> None:
    """A workbook opened and saved again by LibreOffice still reads back exactly."""
    (tmp_path / "renault.xlsx").write_bytes(make_template(demo, organization="renault"))
    (tmp_path / "sk.xlsx").write_bytes(make_template(demo, supplier="sk-cells"))
    out = tmp_path / "saved"
    subprocess.run(["libreoffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out),
                    str(tmp_path / "renault.xlsx"), str(tmp_path / "sk.xlsx")],
                   check=True, capture_output=True, timeout=300)
    subs = []
    for name in ("renault.xlsx", "sk.xlsx"):
        sub, problems = read_workbook(name, (out / name).read_bytes())
        assert problems == [] and sub is not None
        subs.append(sub)
    merged, problems = merge(demo, subs)
    assert merged is not None and merged.dump() == demo.dump()


def test_problem_of_merged_scenario_without_a_cell(demo: Scenario) -> None:
    """Removing the depots that demands need is reported by the demands' scenario paths."""
    def remove_sites(wb: Any) -> None:
        wb["Sites"].delete_rows(2, 10)

    assert errors(demo, "army.xlsx", edited(demo, remove_sites, organization="army")) == [
        "merged scenario: demands[0] 'order-main'.site: unknown site 'depot-centre' "
        "(not in `sites`)",
        "merged scenario: demands[1] 'order-training'.site: unknown site 'depot-training' "
        "(not in `sites`)",
    ]

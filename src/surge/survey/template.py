"""A survey workbook for one organisation or supplier, prefilled from a scenario.

The workbook has a ``Read me`` sheet in plain words (which also holds the lists the
drop-downs offer), then the data sheets of :data:`surge.survey.columns.SHEETS`: header
cells carry the unit and meaning as comments, the spreadsheet checks what it can itself
(drop-down lists, whole numbers for weeks, ranges), the header row is frozen.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from surge.errors import InputError
from surge.scenario.model import Scenario
from surge.scenario.types import ISO_COUNTRIES
from surge.survey import columns as c

Sheets = dict[str, tuple[list[c.Column], list[list[Any]]]]  # sheet -> (columns, rows)
SPARE_ROWS = 200  # rows below the prefilled ones that carry the input checks
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
LIST_COLUMNS = {"capabilities": 8, "items": 9, "countries": 10}  # Read me columns H, I, J


def fmt_number(x: Any) -> Any:
    """A number as it goes into a cell: whole floats as ints, others unchanged [-]."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


def fmt_list(values: list[Any]) -> str:
    """A list for one cell, comma-separated; floats written so they read back exactly."""
    return ", ".join(str(fmt_number(v)) if not isinstance(v, float) else repr(v) for v in values)


def make_template(scenario: Scenario, *, organization: str | None = None,
                  supplier: str | None = None) -> bytes:
    """The ``.xlsx`` bytes of the survey workbook of one organisation or one supplier.

    Parameters
    ----------
    scenario
        Where the prefilled values come from; a new id gives an empty workbook.
    organization, supplier
        Exactly one: the id the workbook is for.

    Raises
    ------
    InputError
        If neither or both ids are given, or the id is not a valid id.
    """
    if (organization is None) == (supplier is None):
        raise InputError("give exactly one of --organization ID or --supplier ID")
    wid = organization if organization is not None else supplier
    assert wid is not None
    from surge.scenario.types import as_id

    try:
        as_id(wid)
    except ValueError as exc:
        raise InputError(f"id {wid!r}: {exc}") from None
    raw = scenario.dump()
    wb = Workbook()
    readme = wb.active
    assert readme is not None
    readme.title = c.README
    lists = _lists(raw)
    if organization is not None:
        rows = _organization_rows(raw, organization)
        _readme(readme, raw, "organisation", organization, lists)
    else:
        rows = _supplier_rows(raw, str(supplier))
        _readme(readme, raw, "supplier", str(supplier), lists)
    for sheet, (cols, data) in rows.items():
        _data_sheet(wb.create_sheet(sheet), sheet, cols, data, raw, lists)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- rows --------------------------------------------------------------------------------


def _organization_rows(raw: dict[str, Any], oid: str) -> Sheets:
    org = next((o for o in raw["organizations"] if o["id"] == oid), {"id": oid})
    sites = [s for s in raw["sites"] if s["organization"] == oid]
    site_ids = {s["id"] for s in sites}
    lines = []
    for line in raw["lines"]:
        if line["site"] not in site_ids:
            continue
        for opt in line["options"]:
            row = {"line": line["id"], "line_name": line.get("name"), "site": line["site"],
                   "option": opt["id"], **{k: v for k, v in opt.items() if k != "id"}}
            lines.append(row)
    return {
        c.ORGANIZATION: _table(c.ORGANIZATION, [org]),
        c.SITES: _table(c.SITES, sites),
        c.LINES: _table(c.LINES, lines),
    }


def _supplier_rows(raw: dict[str, Any], sid: str) -> Sheets:
    sup: dict[str, Any] = next((s for s in raw["suppliers"] if s["id"] == sid), {"id": sid})
    offers: list[dict[str, Any]] = []
    profiles: list[list[Any]] = []
    for offer in sup.get("offers", []):
        cap = offer["capacity_per_week"]
        if isinstance(cap, list):
            offers.append({**offer, "capacity_per_week": None})
            profiles.append([offer["item"], *(fmt_number(x) for x in cap)])
        else:
            offers.append(offer)
    weeks = [c.Column(str(t), "number", False, "units/week", c.WEEK_MEANING.format(week=t),
                      lo=0, width=7) for t in range(raw["weeks"])]
    return {
        c.SUPPLIER: _table(c.SUPPLIER, [{k: v for k, v in sup.items() if k != "offers"}]),
        c.OFFERS: _table(c.OFFERS, offers),
        c.CAPACITY: ([*c.SHEETS[c.CAPACITY], *weeks], profiles),
    }


def _table(sheet: str, objects: list[dict[str, Any]]) -> tuple[list[c.Column], list[list[Any]]]:
    cols = list(c.SHEETS[sheet])
    rows = []
    for obj in objects:
        row = []
        for col in cols:
            value = obj.get(col.name)
            if isinstance(value, list):
                value = fmt_list(value)
            row.append(fmt_number(value))
        rows.append(row)
    return cols, rows


def _lists(raw: dict[str, Any]) -> dict[str, list[str]]:
    caps = sorted({op["capability"] for op in raw["operations"]})
    items = [it["id"] for it in raw["items"]]
    return {"capabilities": caps, "items": items, "countries": sorted(ISO_COUNTRIES)}


# --- sheets ------------------------------------------------------------------------------


def _readme(ws: Worksheet, raw: dict[str, Any], who: str, wid: str,
            lists: dict[str, list[str]]) -> None:
    sheets = "Organization, Sites and Lines" if who == "organisation" else \
        "Supplier, Offers and (if your capacity changes from week to week) Capacity"
    text = [
        (f"Capacity survey: {raw['name']}", True),
        (f"This workbook is for the {who} '{wid}'. Please check and complete it, then send it "
         "back.", False),
        ("", False),
        ("How to fill it in", True),
        (f"1. Fill in the sheets {sheets}. What we already know is filled in: correct it.", False),
        ("2. One row per thing. Row 1 holds the column names: do not change, add or remove them.",
         False),
        ("3. Point at a column name to see what it means and its unit.", False),
        ("4. Leave an optional cell empty to take the usual value (given in its note).", False),
        ("5. Several values in one cell (capabilities, ramp_up) are separated by commas.", False),
        ("6. Empty rows are ignored. Delete a row to remove what it describes.", False),
        (f"Weeks count from week 0, the week starting {raw['start']}; the plan covers weeks 0 to "
         f"{raw['weeks'] - 1}. Costs and prices are in {raw.get('currency', 'EUR')}.", False),
        ("Numbers are plain numbers without units or thousands separators.", False),
        ("", False),
        ("When the workbook comes back, every cell that cannot be read is reported by its sheet "
         "and cell, e.g. Lines!F7.", False),
    ]
    for r, (line, bold) in enumerate(text, start=1):
        cell = ws.cell(row=r, column=1, value=line or None)
        cell.font = Font(bold=bold, size=14 if r == 1 else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 100
    for name, col in LIST_COLUMNS.items():
        head = ws.cell(row=1, column=col, value=name)
        head.font = Font(bold=True)
        head.fill = HEADER_FILL
        for r, value in enumerate(lists[name], start=2):
            ws.cell(row=r, column=col, value=value)
        ws.column_dimensions[get_column_letter(col)].width = max(
            [len(name) + 2, *(len(v) + 2 for v in lists[name])])
    ws.print_area = f"A1:A{len(text) + 2}"
    _fit_page(ws)
    ws.cell(row=len(text) + 2, column=1,
            value="The lists in columns H to J are what the drop-downs offer.").font = \
        Font(italic=True)


def _data_sheet(ws: Worksheet, sheet: str, cols: list[c.Column], rows: list[list[Any]],
                raw: dict[str, Any], lists: dict[str, list[str]]) -> None:
    for j, col in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=j, value=col.name)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        need = "required" if col.required else "optional"
        cell.comment = Comment(f"{col.meaning}\nUnit: {col.unit}. {need.capitalize()}.",
                               "Surge", height=140, width=260)
    centre = Alignment(horizontal="center")
    for j, col in enumerate(cols, start=1):
        if col.kind in ("number", "whole"):
            ws.cell(row=1, column=j).alignment = centre
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            if value is not None:
                cell = ws.cell(row=i, column=j, value=value)
                if cols[j - 1].kind in ("number", "whole"):
                    cell.alignment = centre
    ws.freeze_panes = "A2" if sheet != c.CAPACITY else "B2"
    _fit_page(ws)
    last = len(rows) + 1 + SPARE_ROWS
    for j, col in enumerate(cols, start=1):
        letter = get_column_letter(j)
        widest = max([len(col.name) + 3, *(len(str(r[j - 1])) + 2 for r in rows
                                            if r[j - 1] is not None)])
        ws.column_dimensions[letter].width = min(max(col.width, widest), 40)
        dv = _validation(sheet, col, raw, lists)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{last}")


def _fit_page(ws: Worksheet) -> None:
    """Print in landscape, all columns on one page wide."""
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _list_ref(name: str, n: int) -> str:
    letter = get_column_letter(LIST_COLUMNS[name])
    return f"'{c.README}'!${letter}$2:${letter}${max(n, 1) + 1}"


def _validation(sheet: str, col: c.Column, raw: dict[str, Any],
                lists: dict[str, list[str]]) -> DataValidation | None:
    weeks = int(raw["weeks"])
    if col.name == "country":
        return DataValidation(type="list", formula1=_list_ref("countries", len(lists["countries"])),
                              allow_blank=True, error="Pick a two-letter ISO country code.",
                              errorTitle="country", showErrorMessage=True)
    if col.name == "item":
        return DataValidation(type="list", formula1=_list_ref("items", len(lists["items"])),
                              allow_blank=True, error="Pick an item of the list.",
                              errorTitle="item", showErrorMessage=True)
    if col.name == "capabilities":  # a pick helps; several are typed with commas: no error
        return DataValidation(type="list", formula1=_list_ref("capabilities",
                                                              len(lists["capabilities"])),
                              allow_blank=True, showErrorMessage=False)
    if col.kind == "whole":
        hi = weeks - 1 if col.name.endswith("_week") else 520
        return DataValidation(type="whole", operator="between", formula1=str(int(col.lo or 0)),
                              formula2=str(hi), allow_blank=True, showErrorMessage=True,
                              errorTitle=col.name,
                              error=f"A whole number from {int(col.lo or 0)} to {hi}.")
    if col.kind == "number" and col.lo is not None:
        if col.hi is not None:
            return DataValidation(type="decimal", operator="between", formula1=str(col.lo),
                                  formula2=str(col.hi), allow_blank=True, showErrorMessage=True,
                                  errorTitle=col.name,
                                  error=f"A number from {col.lo:g} to {col.hi:g}.")
        op = "greaterThan" if col.lo_open else "greaterThanOrEqual"
        words = "greater than" if col.lo_open else "at least"
        return DataValidation(type="decimal", operator=op, formula1=str(col.lo),
                              allow_blank=True, showErrorMessage=True, errorTitle=col.name,
                              error=f"A number {words} {col.lo:g}.")
    return None

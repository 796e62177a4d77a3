"""Reading one returned survey workbook into a :class:`Submission`.

The reader turns cells into raw scenario objects (the scenario format's keys) and keeps,
for every value, the cell it came from, so that a problem found later in the merged
scenario can name the cell to fix. It checks only what a workbook alone can tell
(sheets, column names, one row in ``Organization``, week columns); the values are checked
by the scenario format's own rules when merged (:mod:`surge.survey.merge`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from surge.survey import columns as c

Loc = tuple[Any, ...]


@dataclass(frozen=True)
class SurveyProblem:
    """One problem of a workbook, named by workbook, sheet, cell and column.

    ``str()`` reads ``cleon.xlsx: Lines!F7 (hours_per_week): must be greater than 0, got -5``.
    A problem of the merged scenario that no cell explains has ``workbook`` ``None`` and
    its scenario path in ``path``.
    """

    workbook: str | None
    sheet: str | None
    cell: str | None
    column: str | None
    message: str
    severity: str = "error"
    path: str | None = None

    def __str__(self) -> str:
        where = self.workbook or "merged scenario"
        if self.sheet and self.cell:
            where += f": {self.sheet}!{self.cell}"
        elif self.sheet:
            where += f": {self.sheet}"
        if self.column:
            where += f" ({self.column})"
        if self.path and not self.cell:
            where += f": {self.path}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Cell:
    """Where a value came from: sheet, cell (``F7``) and column name."""

    sheet: str
    cell: str
    column: str


@dataclass
class Submission:
    """What one workbook carries: an organisation or a supplier, as raw scenario data.

    ``kind`` is ``"organization"`` or ``"supplier"``. For an organisation ``obj`` is the
    ``{id, name, kind}`` mapping and ``sites``/``lines`` the objects; for a supplier
    ``obj`` is ``{id, name, country, offers}``. ``cells`` maps a local location such as
    ``("lines", 0, "options", 1, "hours_per_week")`` to its :class:`Cell`.
    """

    workbook: str
    kind: str
    id: str | None
    obj: dict[str, Any]
    sites: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    cells: dict[Loc, Cell] = field(default_factory=dict)


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[SurveyProblem] = []
        self.cells: dict[Loc, Cell] = {}

    def error(self, sheet: str | None, cell: str | None, column: str | None, msg: str) -> None:
        self.problems.append(SurveyProblem(self.name, sheet, cell, column, msg))

    def table(self, ws: Any, sheet: str,
              weeks_ok: bool = False) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
        """Column names and the non-empty rows ``(row number, {column: value})``."""
        rows = list(ws.iter_rows(values_only=True))
        header = list(rows[0]) if rows else []
        names: list[str] = []
        known = [col.name for col in c.SHEETS[sheet]]
        used: list[int] = []
        for j, head in enumerate(header):
            letter = f"{get_column_letter(j + 1)}1"
            has_data = any(j < len(r) and not _blank(r[j]) for r in rows[1:])
            if _blank(head):
                if has_data:
                    self.error(sheet, letter, None, "a column with values needs a name in row 1")
                continue
            text = _header_text(head)
            if text in names:
                self.error(sheet, letter, text, f"column '{text}' appears twice")
                continue
            if text not in known and not (weeks_ok and text.isdigit()):
                expected = ", ".join(known) + (", 0, 1, 2, ..." if weeks_ok else "")
                self.error(sheet, letter, text,
                           f"unknown column '{text}' (expected columns: {expected})")
                continue
            names.append(text)
            used.append(j)
        for col in c.SHEETS[sheet]:
            if col.required and col.name not in names:
                self.error(sheet, None, col.name, f"missing column '{col.name}' in row 1")
        self.letters = {n: get_column_letter(j + 1) for n, j in zip(names, used, strict=True)}
        out = []
        for i, r in enumerate(rows[1:], start=2):
            values = {n: r[j] if j < len(r) else None for n, j in zip(names, used, strict=True)}
            if all(_blank(v) for v in values.values()):
                continue
            out.append((i, values))
        return names, out

    def take(self, sheet: str, row: int, values: dict[str, Any], names: list[str],
             loc: Loc, rename: dict[str, str] | None = None) -> dict[str, Any]:
        """The row's values converted by column kind; every cell recorded under ``loc``."""
        obj: dict[str, Any] = {}
        for name in names:
            col = c.column(sheet, name)
            if col is None:
                continue
            key = (rename or {}).get(name, name)
            self.cells[(*loc, key)] = Cell(sheet, f"{self.letters[name]}{row}", name)
            value = convert(values.get(name), col.kind)
            if value is not None:
                obj[key] = value
        return obj


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _number(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER.match(text):
            x = float(text)
            return int(x) if x.is_integer() and "." not in text and "e" not in text.lower() else x
        return text
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return str(value)
    return value


def convert(value: Any, kind: str) -> Any:
    """A cell's value as the scenario format wants it; ``None`` for an empty cell.

    Numbers typed as text (``'40'``) are read as numbers; anything else that is not a
    number is passed on as is, so the format's rules say what is wrong with it.
    """
    if _blank(value):
        return None
    if kind in ("text", "id"):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return value.strip() if isinstance(value, str) else str(value)
    if kind in ("number", "whole"):
        return _number(value)
    parts = [p.strip() for p in str(value).split(",")] if isinstance(value, str) else [value]
    parts = [p for p in parts if not _blank(p)]
    if kind == "ids":
        return [str(p) for p in parts]
    return [_number(p) for p in parts]


def read_workbook(name: str, data: bytes) -> tuple[Submission | None, list[SurveyProblem]]:
    """Read one workbook (``.xlsx`` bytes) named ``name`` (used in every message).

    Returns
    -------
    The submission (``None`` if the workbook cannot be told an organisation's or a
    supplier's) and every problem found in it.
    """
    r = _Reader(name)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        r.error(None, None, None, f"not an .xlsx workbook ({exc})")
        return None, r.problems
    sheets = list(wb.sheetnames)
    org = [s for s in sheets if s in c.ORGANIZATION_SHEETS]
    sup = [s for s in sheets if s in c.SUPPLIER_SHEETS]
    for s in sheets:
        if s not in (*c.ORGANIZATION_SHEETS, *c.SUPPLIER_SHEETS, c.README):
            r.error(s, None, None, f"unknown sheet '{s}' (expected sheets: Read me, then "
                                   "Organization, Sites, Lines or Supplier, Offers, Capacity)")
    if org and sup:
        r.error(None, None, None, "a workbook carries either an organisation or a supplier, "
                                  f"never both (found sheets {', '.join(org + sup)})")
        return None, r.problems
    if not org and not sup:
        r.error(None, None, None, "no Organization or Supplier sheet: not a survey workbook")
        return None, r.problems
    if org:
        sub = _organization(r, wb)
    else:
        sub = _supplier(r, wb)
    wb.close()
    sub.cells = r.cells
    return sub, r.problems


def _single(r: _Reader, wb: Any, sheet: str, noun: str) -> tuple[dict[str, Any], str | None]:
    if sheet not in wb.sheetnames:
        r.error(sheet, None, None, f"missing sheet '{sheet}'")
        return {}, None
    names, rows = r.table(wb[sheet], sheet)
    if len(rows) != 1:
        cell = f"A{rows[1][0]}" if len(rows) > 1 else None
        r.error(sheet, cell, None, f"must have exactly one row (the {noun}), got {len(rows)}")
    if not rows:
        return {}, None
    row, values = rows[0]
    obj = r.take(sheet, row, values, names, ("obj",))
    oid = obj.get("id")
    return obj, oid if isinstance(oid, str) else None


def _organization(r: _Reader, wb: Any) -> Submission:
    obj, oid = _single(r, wb, c.ORGANIZATION, "organisation")
    sub = Submission(r.name, "organization", oid, obj)
    if c.SITES not in wb.sheetnames:
        r.error(c.SITES, None, None, f"missing sheet '{c.SITES}'")
    else:
        names, rows = r.table(wb[c.SITES], c.SITES)
        for row, values in rows:
            site = r.take(c.SITES, row, values, names, ("sites", len(sub.sites)))
            sub.sites.append({**site, "organization": oid})
    if c.LINES not in wb.sheetnames:
        r.error(c.LINES, None, None, f"missing sheet '{c.LINES}'")
        return sub
    names, rows = r.table(wb[c.LINES], c.LINES)
    by_id: dict[str, int] = {}
    for row, values in rows:
        lid = convert(values.get("line"), "id")
        if lid in by_id:
            li = by_id[lid]
        else:
            li = len(sub.lines)
            sub.lines.append({"options": []})
            if lid is not None:
                by_id[lid] = li
        line = sub.lines[li]
        oi = len(line["options"])
        opt = r.take(c.LINES, row, values, names, ("lines", li, "options", oi),
                     rename={"option": "id"})
        for col, key in (("line", "id"), ("line_name", "name"), ("site", "site")):
            here = r.cells.pop(("lines", li, "options", oi, col), None)
            value = opt.pop(col, None)
            if here is not None:
                r.cells.setdefault(("lines", li, key), here)
            if value is None:
                continue
            if key in line and line[key] != value:
                first = r.cells[("lines", li, key)]
                r.error(c.LINES, f"{r.letters[col]}{row}", col,
                        f"line '{lid}' has {col} '{line[key]}' in {first.cell}: every row of a "
                        f"line must give the same {col}, got '{value}'")
            line.setdefault(key, value)
        line["options"].append(opt)
    for line in sub.lines:  # keep the format's key order: id, name, site, options
        opts = line.pop("options")
        line["options"] = opts
    return sub


def _supplier(r: _Reader, wb: Any) -> Submission:
    obj, sid = _single(r, wb, c.SUPPLIER, "supplier")
    obj["offers"] = []
    sub = Submission(r.name, "supplier", sid, obj)
    if c.OFFERS not in wb.sheetnames:
        r.error(c.OFFERS, None, None, f"missing sheet '{c.OFFERS}'")
        return sub
    names, rows = r.table(wb[c.OFFERS], c.OFFERS)
    items: dict[str, int] = {}
    for row, values in rows:
        j = len(obj["offers"])
        offer = r.take(c.OFFERS, row, values, names, ("offers", j))
        obj["offers"].append(offer)
        if isinstance(offer.get("item"), str):
            items.setdefault(offer["item"], j)
    if c.CAPACITY in wb.sheetnames:
        _capacity(r, wb[c.CAPACITY], obj["offers"], items)
    return sub


def _capacity(r: _Reader, ws: Any, offers: list[dict[str, Any]], items: dict[str, int]) -> None:
    names, rows = r.table(ws, c.CAPACITY, weeks_ok=True)
    weeks = [n for n in names if n.isdigit()]
    if weeks != [str(t) for t in range(len(weeks))]:
        r.error(c.CAPACITY, None, None, "week columns must be named 0, 1, 2, ... in order, "
                                        f"got {', '.join(weeks)}")
        return
    seen: dict[str, int] = {}
    for row, values in rows:
        item = convert(values.get("item"), "id")
        where = f"{r.letters['item']}{row}" if "item" in r.letters else None
        if item is None or item not in items:
            r.error(c.CAPACITY, where, "item", f"no offer of item '{item}' on the Offers sheet")
            continue
        if item in seen:
            r.error(c.CAPACITY, where, "item", f"item '{item}' has a second weekly profile "
                                               f"(first on row {seen[item]})")
            continue
        seen[item] = row
        j = items[item]
        offer = offers[j]
        if "capacity_per_week" in offer:
            cap = r.cells[("offers", j, "capacity_per_week")]
            r.error(c.OFFERS, cap.cell, "capacity_per_week", f"must be empty: item '{item}' "
                    f"has a weekly profile on the Capacity sheet (row {row})")
        offer["capacity_per_week"] = [_number(values.get(w)) for w in weeks]
        r.cells[("offers", j, "capacity_per_week")] = Cell(c.CAPACITY, where or f"A{row}", "item")
        for w in weeks:
            r.cells[("offers", j, "capacity_per_week", int(w))] = Cell(
                c.CAPACITY, f"{r.letters[w]}{row}", w)

"""The survey workbook's sheets and columns as data (survey format, version 1).

Every data sheet has its column names in row 1 (the scenario format's keys) and one
object per row from row 2. :data:`SHEETS` says, for each sheet, which columns it has, what
kind of value each holds, its unit and its meaning; the template, the reader and the
documentation all read this one table.
"""

from __future__ import annotations

from dataclasses import dataclass

README = "Read me"
ORGANIZATION, SITES, LINES = "Organization", "Sites", "Lines"
SUPPLIER, OFFERS, CAPACITY = "Supplier", "Offers", "Capacity"

ORGANIZATION_SHEETS = (ORGANIZATION, SITES, LINES)
SUPPLIER_SHEETS = (SUPPLIER, OFFERS, CAPACITY)


@dataclass(frozen=True)
class Column:
    """One column of a data sheet.

    ``kind`` is how a cell is read: ``text``, ``id``, ``number``, ``whole`` (a whole
    number), ``ids`` (comma-separated ids) or ``numbers`` (comma-separated numbers).
    ``lo``/``hi`` are the range a spreadsheet can check itself (``lo_open``: ``> lo``).
    """

    name: str
    kind: str
    required: bool
    unit: str
    meaning: str
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    width: int = 12


SHEETS: dict[str, tuple[Column, ...]] = {
    ORGANIZATION: (
        Column("id", "id", True, "-", "Short id of your organisation (letters, digits, - _ .)."
               " Keep the one given.", width=16),
        Column("name", "text", False, "-", "Full name of your organisation.", width=30),
        Column("kind", "text", False, "-", "Sector, free text: automotive, chemicals, food, ...",
               width=16),
    ),
    SITES: (
        Column("id", "id", True, "-", "Short id of the site, unique in the whole survey.",
               width=16),
        Column("name", "text", False, "-", "Name of the site (town, plant).", width=24),
        Column("country", "text", True, "ISO code",
               "Country, two-letter ISO 3166 code (FR, DE, ...).",
               width=9),
        Column("lat", "number", True, "degrees", "Latitude, -90 to 90 (north positive).",
               lo=-90, hi=90, width=10),
        Column("lon", "number", True, "degrees", "Longitude, -180 to 180 (east positive).",
               lo=-180, hi=180, width=10),
    ),
    LINES: (
        Column("line", "id", True, "-", "Id of the production line. A line with several ways"
               " to convert it takes one row per way, with the same line id.", width=16),
        Column("line_name", "text", False, "-", "Name of the line (repeat it on each row).",
               width=24),
        Column("site", "id", True, "-", "Id of the site where the line stands (from the Sites"
               " sheet; repeat it on each row).", width=14),
        Column("option", "id", True, "-", "Id of this way of converting the line (activation"
               " option), unique within the line.", width=12),
        Column("capabilities", "ids", True, "-", "What the converted line can do: one or more"
               " capabilities from the drop-down, separated by commas.", width=22),
        Column("hours_per_week", "number", True, "hours/week", "Productive hours per week once"
               " converted and fully ramped up. Greater than 0.", lo=0, lo_open=True, width=15),
        Column("lead_time_weeks", "whole", True, "weeks", "Weeks from the decision to convert"
               " until the line is ready. Whole number, 0 or more.", lo=0, width=16),
        Column("fixed_cost", "number", False, "currency", "One-off cost of converting the line."
               " Empty means 0.", lo=0, width=13),
        Column("weekly_cost", "number", False, "currency/week", "Cost per week from ready to the"
               " end of the horizon. Empty means 0.", lo=0, width=13),
        Column("cost_per_hour", "number", False, "currency/hour", "Cost of every hour used."
               " Empty means 0.", lo=0, width=14),
        Column("ramp_up", "numbers", False, "share 0..1", "Share of the hours available in"
               " the first weeks after ready, comma-separated, e.g. 0.25, 0.5, 0.75 (1 after)."
               " Empty means full hours at once.", width=18),
        Column("earliest_start_week", "whole", False, "week", "First week the conversion may"
               " start (week 0 is the first week of the plan). Empty means 0.", lo=0, width=19),
    ),
    SUPPLIER: (
        Column("id", "id", True, "-", "Short id of your company (letters, digits, - _ .)."
               " Keep the one given.", width=16),
        Column("name", "text", False, "-", "Full name of your company.", width=30),
        Column("country", "text", True, "ISO code", "Country the goods come from, two-letter"
               " ISO 3166 code (FR, DE, ...).", width=9),
    ),
    OFFERS: (
        Column("item", "id", True, "-", "Item you offer, from the drop-down. One row per item.",
               width=18),
        Column("unit_price", "number", True, "currency/unit", "Price of one unit, delivered."
               " 0 or more.", lo=0, width=12),
        Column("lead_time_weeks", "whole", True, "weeks", "Weeks from order to delivery. Whole"
               " number, 0 or more.", lo=0, width=16),
        Column("capacity_per_week", "number", False, "units/week", "Most units you can deliver"
               " from orders of one week. Leave empty if you give a weekly profile on the"
               " Capacity sheet.", lo=0, width=18),
        Column("available_from_week", "whole", False, "week", "First week an order may be"
               " placed. Empty means 0.", lo=0, width=19),
    ),
    CAPACITY: (
        Column("item", "id", True, "-", "Item of an offer (Offers sheet) whose capacity changes"
               " from week to week; one column per week of the plan.", width=18),
    ),
}

WEEK_MEANING = "Most units you can deliver from orders placed in week {week} [units/week]."


def column(sheet: str, name: str) -> Column | None:
    """The column ``name`` of ``sheet``; ``None`` if the sheet has no such column."""
    for col in SHEETS.get(sheet, ()):
        if col.name == name:
            return col
    return None

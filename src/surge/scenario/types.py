"""Field types of the scenario format, each with the error message a planner reads.

Pydantic's own constraint messages ("Input should be less than or equal to 1") are
replaced by the format's wording ("must be between 0 and 1, got 1.5"): every check raises a
``ValueError`` whose text is shown as is, after the path of the offending value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]+$")


def show(value: Any) -> str:
    """How a bad value is quoted in a message: as the user wrote it, YAML-style."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (int, str)):
        return repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def as_number(value: Any) -> float:
    """A finite real number; booleans and strings are refused, never coerced."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number, got {show(value)}")
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {value}")
    return float(value)


def as_whole(value: Any) -> int:
    """A whole number: ``2`` and ``2.0`` read as 2, ``2.5`` is refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a whole number, got {show(value)}")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ValueError(f"must be a whole number, got {show(value)}")
        return int(value)
    return value


def as_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {show(value)}")
    return value


def as_id(value: Any) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise ValueError(
            f"must be a non-empty id of letters, digits, '-', '_' and '.', got {show(value)}"
        )
    return value


def as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):  # YAML reads `2026-01-05 10:00` as a timestamp
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date()
        raise ValueError(f"must be a date YYYY-MM-DD without a time, got {value.isoformat(' ')}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"must be a date YYYY-MM-DD, got {show(value)}")


def as_version(value: Any) -> int:
    """The format version: 1 is the only one (``1.0`` reads as 1; ``true`` is refused)."""
    try:
        version = as_whole(value)
    except ValueError:
        version = None
    if version != 1:
        raise ValueError(f"must be 1 (the only scenario format version), got {show(value)}")
    return version


@dataclasses.dataclass(frozen=True)
class RangedValidator(BeforeValidator):
    """A :class:`~pydantic.BeforeValidator` that also writes its range into the JSON Schema
    (``minimum``, ``exclusiveMinimum``, ``maximum``, ``exclusiveMaximum``)."""

    bounds: tuple[tuple[str, float], ...] = ()

    def __get_pydantic_json_schema__(
        self, core: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core)
        schema.update(self.bounds)
        return schema


def ranged(
    convert: Any,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
) -> RangedValidator:
    """A validator converting with ``convert`` then checking ``lo <=/< x <=/< hi``.

    >>> from pydantic import TypeAdapter
    >>> TypeAdapter(Annotated[float, ranged(as_number, 0, 1, lo_open=True)]).json_schema()
    {'exclusiveMinimum': 0, 'maximum': 1, 'type': 'number'}
    """

    def check(value: Any) -> Any:
        x = convert(value)
        low_bad = lo is not None and (x <= lo if lo_open else x < lo)
        high_bad = hi is not None and (x >= hi if hi_open else x > hi)
        if low_bad or high_bad:
            raise ValueError(f"{_range_words(lo, hi, lo_open, hi_open)}, got {show(value)}")
        return x

    bounds: list[tuple[str, float]] = []
    if lo is not None:
        bounds.append(("exclusiveMinimum" if lo_open else "minimum", lo))
    if hi is not None:
        bounds.append(("exclusiveMaximum" if hi_open else "maximum", hi))
    return RangedValidator(check, bounds=tuple(bounds))


def _num(x: float) -> str:
    return f"{x:g}"


def _range_words(lo: float | None, hi: float | None, lo_open: bool, hi_open: bool) -> str:
    if lo is not None and hi is not None:
        if not lo_open and not hi_open:
            return f"must be between {_num(lo)} and {_num(hi)}"
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        return f"must be in {left}{_num(lo)}, {_num(hi)}{right}"
    if lo is not None:
        return f"must be > {_num(lo)}" if lo_open else f"must be >= {_num(lo)}"
    assert hi is not None
    return f"must be < {_num(hi)}" if hi_open else f"must be <= {_num(hi)}"


Number = Annotated[float, BeforeValidator(as_number)]
NonNegative = Annotated[float, ranged(as_number, 0)]
Positive = Annotated[float, ranged(as_number, 0, lo_open=True)]
Fraction = Annotated[float, ranged(as_number, 0, 1)]
Week = Annotated[int, ranged(as_whole, 0)]
WholeNonNegative = Annotated[int, ranged(as_whole, 0)]
Text = Annotated[str, BeforeValidator(as_text)]
Id = Annotated[str, BeforeValidator(as_id)]
Date = Annotated[dt.date, BeforeValidator(as_date)]


def as_country(value: Any) -> str:
    if not isinstance(value, str) or value not in ISO_COUNTRIES:
        raise ValueError("must be an ISO 3166 alpha-2 country code such as 'FR', got "
                         f"{show(value)}")
    return value


Country = Annotated[str, BeforeValidator(as_country)]

# ISO 3166-1 alpha-2, officially assigned codes (249), plus XK (Kosovo, user-assigned but
# in common use by the EU and the IMF).
ISO_COUNTRIES = frozenset(
    """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
VN VU WF WS YE YT ZA ZM ZW XK
""".split()
)

"""Writing scenario documents: YAML 1.2 (a small hand-written emitter) or JSON.

The YAML is written here rather than by ruamel's emitter, which takes about a minute for
5,000 lines; the tests read every generated file back with ruamel (YAML 1.2).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path
from typing import Any

from surge.errors import InputError

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def output_format(path: str | Path, fmt: str | None = None) -> str:
    """``"yaml"`` or ``"json"``: ``fmt`` if given, else from the file's suffix."""
    suffix = Path(path).suffix.lower()
    if fmt is not None:
        if fmt not in ("yaml", "json"):
            raise InputError(f"--format must be 'yaml' or 'json', got {fmt!r}")
        if suffix in FORMATS and FORMATS[suffix] != fmt:
            raise InputError(f"{path}: the suffix '{suffix}' says {FORMATS[suffix]}, "
                             f"but --format says {fmt}; make them agree")
        return fmt
    if suffix not in FORMATS:
        raise InputError(f"{path}: cannot tell the format from the suffix '{suffix}'; "
                         "name the file .yaml, .yml or .json, or give --format yaml|json")
    return FORMATS[suffix]


def dumps(doc: dict[str, Any], fmt: str = "yaml") -> str:
    """The document as YAML 1.2 (block style, small rows in flow style) or JSON text.

    The YAML is written here rather than by ruamel's emitter, which takes about a minute
    for 5,000 lines; the tests read every generated file back with ruamel (YAML 1.2).

    >>> print(dumps({"sites": [{"id": "raufoss", "country": "NO", "lat": 60.73}]}), end="")
    sites:
      - {id: raufoss, country: "NO", lat: 60.73}
    """
    if fmt == "json":
        return json.dumps(doc, indent=1, default=_json_default, allow_nan=False) + "\n"
    out: list[str] = []
    for key, value in doc.items():
        _block(out, 0, f"{_scalar(key)}:", value, top=True)
    return "\n".join(out) + "\n"


def write(doc: dict[str, Any], path: str | Path, fmt: str | None = None) -> None:
    """Write ``doc`` to ``path`` as YAML or JSON (``fmt``, else from the suffix)."""
    from surge.fileio import write_text

    write_text(path, dumps(doc, output_format(path, fmt)))


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


WIDTH = 100
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*(?: [A-Za-z0-9_.\-]+)*")
_RESERVED = {"null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"}
# Words that YAML 1.1 readers take for booleans: quoted, so `NO` stays Norway everywhere.
_RESERVED |= {w for b in ("yes", "no", "on", "off", "y", "n")
              for w in (b, b.upper(), b.capitalize())}


def _scalar(value: Any) -> str:
    """One scalar in YAML 1.2 core schema; strings plain only where nothing can misread them."""
    if isinstance(value, str):
        return value if _PLAIN.fullmatch(value) and value not in _RESERVED else json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write the number {value} in a scenario")
        text = repr(value)
        return text.replace("e", ".0e") if "e" in text and "." not in text else text
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} in a scenario")


def _shallow(value: Any, levels: int = 2) -> bool:
    """Whether ``value`` nests collections at most ``levels`` deep."""
    if not isinstance(value, (dict, list)):
        return True
    if levels == 0:
        return False
    children = value.values() if isinstance(value, dict) else value
    return all(_shallow(v, levels - 1) for v in children)


def _block(out: list[str], indent: int, head: str, value: Any, top: bool = False) -> None:
    """Append ``head value`` at ``indent``: ``head`` is ``key:`` or ``-``.

    Top-level values and anything nested more than two levels deep are written in block
    style. Smaller records (a mapping with a scalar field) are written in flow style,
    wrapped at :data:`WIDTH`; smaller lists and mappings of records only if they fit
    on one line.
    """
    pad = " " * indent
    if not isinstance(value, (dict, list)) or not value:
        out.append(f"{pad}{head} {_flow(value)}")
        return
    if not top and _shallow(value):
        pieces = _flow(value).split("\0")
        record = isinstance(value, dict) and any(not isinstance(v, (dict, list))
                                                 for v in value.values())
        if record or len(pad) + len(head) + sum(len(p) + 1 for p in pieces) <= WIDTH:
            _wrap(out, f"{pad}{head} ", pieces, indent + 4)
            return
    if isinstance(value, dict) and head == "-":
        inner: list[str] = []
        for k, v in value.items():
            _block(inner, indent + 2, f"{_scalar(k)}:", v)
        out.append(f"{pad}- {inner[0][indent + 2:]}")
        out.extend(inner[1:])
        return
    out.append(f"{pad}{head}")
    if isinstance(value, dict):
        for k, v in value.items():
            _block(out, indent + 2, f"{_scalar(k)}:", v)
    else:
        for v in value:
            _block(out, indent + 2, "-", v)


def _flow(value: Any, inner: bool = False) -> str:
    """Flow style, with a NUL after each comma where a line may break: only between the
    fields of the outer collection, and inside inner ones too long to stay whole."""
    if isinstance(value, dict):
        text = "{" + ",\0".join(f"{_scalar(k)}: {_flow(v, True)}" for k, v in value.items()) + "}"
    elif isinstance(value, list):
        text = "[" + ",\0".join(_flow(v, True) for v in value) + "]"
    else:
        return _scalar(value)
    return text.replace("\0", " ") if inner and len(text) <= 40 else text


def _wrap(out: list[str], first: str, pieces: list[str], indent: int) -> None:
    line = first + pieces[0]
    for piece in pieces[1:]:
        if len(line) + 1 + len(piece) > WIDTH:
            out.append(line)
            line = " " * indent + piece
        else:
            line += " " + piece
    out.append(line)

"""What-if scenarios: overlays and one-line ``--set`` changes applied to a base scenario.

An overlay is a partial scenario document; :func:`merge` applies it to a base document by
the rules of docs/whatif.md (maps merge key by key, id-keyed lists merge by id, ``remove:
true`` removes). Every value an overlay or a ``--set`` brings in remembers where it was
written, so a problem found when the merged scenario is validated names the overlay file
and line at fault::

    cut-cellco.yaml line 4: suppliers[2] 'cellco'.offers[0].capacity_per_week: must be >= 0, got -5

>>> base = {"suppliers": [{"id": "a", "offers": [{"item": "x", "capacity_per_week": 5}]}]}
>>> cut = {"suppliers": [{"id": "a", "offers": [{"item": "x", "capacity_per_week": 0}]}]}
>>> merged = merge(base, cut)
>>> plain(merged)["suppliers"][0]["offers"][0]["capacity_per_week"]
0
>>> set_value(merged, "suppliers.a.offers[0].capacity_per_week=7")
>>> plain(merged)["suppliers"][0]["offers"][0]["capacity_per_week"]
7
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any, cast

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from surge.errors import InputError, Problem, ScenarioError
from surge.fileio import read_text
from surge.scenario.limits import check_document
from surge.scenario.load import read_file, validate, yaml12
from surge.scenario.model import Scenario

Where = tuple[str, "int | None"]  # (file or --set text, line 1-based or None)

KEYED_LISTS = {"items": ("id",), "operations": ("id",), "organizations": ("id",),
               "sites": ("id",), "lines": ("id",), "suppliers": ("id",), "demands": ("id",),
               "inventory": ("site", "item")}
NESTED_KEYED = {("lines", "options"): ("id",), ("suppliers", "offers"): ("item",)}
WHOLE_VALUES = {"consumes", "delay_weeks", "slip_weeks"}  # maps that are one value


class _Map(dict[Any, Any]):
    """A mapping that remembers where each of its keys was written (overlay values only)."""

    def __init__(self, *args: Any, here: Where | None = None) -> None:
        super().__init__(*args)
        self.here = here
        self.at: dict[Any, Where] = {}


class _Seq(list[Any]):
    def __init__(self, *args: Any, here: Where | None = None) -> None:
        super().__init__(*args)
        self.here = here
        self.at: dict[int, Where] = {}


# --- reading ----------------------------------------------------------------------------


def _track(node: Any, label: str | None = None, here: Where | None = None) -> Any:
    """Plain or round-trip YAML data as :class:`_Map`/:class:`_Seq`, with the line of every
    key and item when ``label`` is given (round-trip data) or ``here`` for all of it."""
    if isinstance(node, dict):
        out = _Map(here=here)
        for key, value in node.items():
            where = here
            if label is not None and isinstance(node, CommentedMap):
                where = (label, node.lc.key(key)[0] + 1)
            out[key] = _track(value, label, where)
            if where is not None:
                out.at[key] = where
        return out
    if isinstance(node, list):
        seq = _Seq(here=here)
        for i, value in enumerate(node):
            where = here
            if label is not None and isinstance(node, CommentedSeq):
                where = (label, node.lc.item(i)[0] + 1)
            seq.append(_track(value, label, where))
            if where is not None:
                seq.at[i] = where
        return seq
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def read_overlay(path: str | Path) -> _Map:
    """An overlay file, each key and item tagged with its line."""
    p = Path(path)
    label = str(path)
    if p.suffix.lower() == ".json":
        doc = read_file(p)  # JSON has no line map here: the file is named, not the line
        if not isinstance(doc, dict):
            raise InputError(f"{label}: an overlay must be a mapping of scenario keys")
        return _track(doc, None, (label, None))
    text = read_text(p, "overlay file")
    yaml = yaml12("rt")
    try:
        doc = yaml.load(io.StringIO(text))
    except YAMLError as exc:
        raise InputError(f"{label}: cannot read YAML: {' '.join(str(exc).split())}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise InputError(f"{label}: cannot read YAML: {exc}") from None
    check_document(doc, label)
    if not isinstance(doc, dict):
        raise InputError(f"{label}: an overlay must be a mapping of scenario keys, "
                         "such as `suppliers: [...]`")
    return _track(doc, label)


# --- merging ----------------------------------------------------------------------------


def _where(node: Any, key: Any, fallback: Where | None) -> Where | None:
    at = getattr(node, "at", {})
    return at.get(key, getattr(node, "here", None) or fallback)


def _say(where: Where | None) -> str:
    if where is None:
        return "overlay"
    label, line = where
    return f"{label} line {line}" if line is not None else label


def merge(base: Any, overlay: Any) -> _Map:
    """``base`` (a scenario document) with ``overlay`` applied; neither is changed."""
    out = _track(base) if not isinstance(base, _Map) else _copy(base)
    if not isinstance(overlay, _Map):
        overlay = _track(overlay, None, None)
    _merge_map(out, overlay, ())
    return out


def _copy(node: Any) -> Any:
    if isinstance(node, _Map):
        out = _Map({k: _copy(v) for k, v in node.items()}, here=node.here)
        out.at = dict(node.at)
        return out
    if isinstance(node, _Seq):
        seq = _Seq([_copy(v) for v in node], here=node.here)
        seq.at = dict(node.at)
        return seq
    return node


def _merge_map(target: _Map, over: _Map, path: tuple[str, ...]) -> None:
    for key, value in over.items():
        where = _where(over, key, None)
        sub = path + (str(key),)
        keyed = KEYED_LISTS.get(key) if not path else NESTED_KEYED.get((path[0], key))
        if value is None:
            target.pop(key, None)  # back to the format's default
            target.at.pop(key, None)
        elif keyed and isinstance(value, list) and isinstance(target.get(key), list):
            _merge_list(target[key], cast(_Seq, value), keyed, sub, where)
        elif isinstance(value, dict) and isinstance(target.get(key), _Map) and \
                key not in WHOLE_VALUES:
            _merge_map(target[key], cast(_Map, value), sub)
        else:
            target[key] = _copy(value)
        if where is not None and value is not None:
            target.at[key] = where


def _merge_list(target: _Seq, over: _Seq, keys: tuple[str, ...], path: tuple[str, ...],
                where: Where | None) -> None:
    def key_of(obj: Any) -> tuple[Any, ...] | None:
        if not isinstance(obj, dict) or any(k not in obj for k in keys):
            return None
        return tuple(obj[k] for k in keys)

    name = ".".join(path)
    for i, entry in enumerate(over):
        at = _where(over, i, where)
        key = key_of(entry)
        if key is None:
            raise InputError(f"{_say(at)}: {name}[{i}]: an overlay entry of `{name}` needs "
                             f"{' and '.join(repr(k) for k in keys)} to say which object it "
                             "changes, adds or removes")
        index = next((j for j, obj in enumerate(target) if key_of(obj) == key), None)
        shown = "/".join(str(k) for k in key)
        entry = _copy(entry)
        removing = entry.pop("remove", None) if isinstance(entry, dict) else None
        if removing not in (None, True, False):
            raise InputError(f"{_say(at)}: {name}[{i}]: remove must be true or false, got "
                             f"{removing!r} (YAML 1.2 reads only true and false as booleans)")
        removing = removing is True
        if removing:
            if index is None:
                raise InputError(f"{_say(at)}: {name}[{i}]: cannot remove '{shown}': "
                                 f"no such entry in `{name}`")
            del target[index]
            target.at = {}
        elif index is None:
            target.append(_copy(entry))
        else:
            _merge_map(target[index], entry, path)


# --- one-line changes -------------------------------------------------------------------

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]|(\.)")


def _parse_path(text: str) -> list[str | int]:
    parts: list[str | int] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() != pos:
            break
        pos = m.end()
        if m.group(1) is not None:
            parts.append(m.group(1))
        elif m.group(2) is not None:
            parts.append(int(m.group(2)))
    if pos != len(text) or not parts or not isinstance(parts[0], str):
        raise InputError(f"--set {text}: cannot read the path; write it like "
                         "suppliers.cellco.offers[0].capacity_per_week=0")
    return parts


def parse_scalar(text: str, label: str) -> Any:
    """A value written on the command line, read as YAML 1.2.

    For example ``0``, ``1.5``, ``NO`` (a string) or ``[1, 2]``.
    """
    try:
        value = yaml12().load(io.StringIO(text)) if text.strip() else ""
    except YAMLError as exc:
        raise InputError(f"{label}: cannot read the value {text!r}: "
                         f"{' '.join(str(exc).split())}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise InputError(f"{label}: cannot read the value: {exc}") from None
    check_document(value, label)
    return value


def set_value(doc: _Map, assignment: str) -> None:
    """Apply ``PATH=VALUE`` to ``doc`` in place. List entries are reached by id (or, for
    offers, by item; for inventory by ``site/item``) or by index ``[n]``."""
    label = f"--set {assignment}"
    if "=" not in assignment:
        raise InputError(f"{label}: expected PATH=VALUE, e.g. "
                         "suppliers.cellco.offers[0].capacity_per_week=0")
    text, raw_value = assignment.split("=", 1)
    parts = _parse_path(text.strip())
    where: Where = (label, None)
    value = _track(parse_scalar(raw_value, label), None, where)
    node: Any = doc
    index: int | str | None
    shown, i = "", 0
    while True:
        part = parts[i]
        if isinstance(node, list):
            index, used = _find_index(node, parts, i)
            if index is None:
                what = f"no [{part}] (it has {len(node)})" if isinstance(part, int) else \
                    f"no entry '{part}'"
                raise InputError(f"{label}: {shown} has {what}")
            shown += f"[{part}]" if isinstance(part, int) else "." + ".".join(
                str(p) for p in parts[i:i + used])
        elif isinstance(node, dict) and isinstance(part, str):
            index, used = part, 1
            shown += f".{part}" if shown else part
        else:
            kind = "a mapping" if isinstance(node, dict) else "a single value"
            raise InputError(f"{label}: {shown or 'the scenario'} is {kind}, "
                             f"cannot go to {part!r} in it")
        i += used
        if i == len(parts):
            node[index] = value
            node.at[index] = where
            return
        if isinstance(node, _Map) and index not in node:
            node[index] = _Map(here=where)
            node.at[index] = where
        node = node[index]


def _find_index(seq: list[Any], parts: list[str | int], i: int) -> tuple[int | None, int]:
    """Index of the entry of ``seq`` named by ``parts[i:]`` and how many parts name it:
    ``[n]``, an id (ids may contain dots: the longest match wins), an offer's item, or an
    inventory row's ``site/item``."""
    if isinstance(parts[i], int):
        n = int(parts[i])
        return (n, 1) if 0 <= n < len(seq) else (None, 1)
    for used in range(len(parts) - i, 0, -1):
        words = parts[i:i + used]
        if not all(isinstance(w, str) for w in words):
            continue
        name = ".".join(str(w) for w in words)
        for j, obj in enumerate(seq):
            if isinstance(obj, dict) and name in _names(obj):
                return j, used
    return None, 1


def _names(obj: dict[str, Any]) -> list[Any]:
    if "id" in obj:
        return [obj["id"]]
    if "site" in obj:
        return [f"{obj.get('site')}/{obj.get('item')}"]
    return [obj.get("item")]


# --- validation with the line at fault --------------------------------------------------

_LOC = re.compile(r"([A-Za-z_*][\w\-*]*)|\[(\d+)\]|( '[^']*')|\.")


def _loc(path: str) -> list[str | int]:
    out: list[str | int] = []
    for m in _LOC.finditer(path):
        if m.group(1) is not None:
            out.append(m.group(1))
        elif m.group(2) is not None:
            out.append(int(m.group(2)))
    return out


def origin(doc: Any, problem_path: str) -> Where | None:
    """Where the value at ``problem_path`` (a problem's path) was written, if an overlay
    or a ``--set`` wrote it (or the object around it)."""
    found: Where | None = None
    node = doc
    for part in _loc(problem_path):
        if isinstance(node, dict) and part in node:
            found = node.at.get(part, found) if isinstance(node, _Map) else found
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            if isinstance(node, _Seq) and part in node.at:
                found = node.at[part]
            node = node[part]
            if isinstance(node, _Map) and node.here is not None:
                found = node.here
        else:
            break
    return found


def plain(node: Any) -> Any:
    """Tracked data as plain dicts and lists."""
    if isinstance(node, dict):
        return {k: plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


def validate_merged(doc: _Map, label: str) -> Scenario:
    """Validate a merged document; problems name the overlay line that brought them in."""
    scenario, problems = validate(plain(doc))
    errors = [p for p in problems if p.severity == "error"]
    if scenario is not None:
        return scenario
    located = []
    for p in errors:
        where = origin(doc, p.path)
        located.append(Problem(f"{_say(where)}: {p.path}" if where else p.path, p.message))
    noun = "problem" if len(errors) == 1 else "problems"
    raise ScenarioError(f"{label}: {len(errors)} {noun} found after applying the what-if "
                        "changes", located)


def load_with_overlays(path: str | Path,
                       overlays: list[Path] | list[str] = (),  # type: ignore[assignment]
                       sets: list[str] = ()) -> Scenario:  # type: ignore[assignment]
    """The scenario at ``path`` with each overlay file, then each ``PATH=VALUE``, applied.

    Raises
    ------
    ScenarioError
        If the merged scenario breaks a rule; each problem names the overlay file and line
        (or the ``--set``) that wrote the value at fault.
    """
    doc = merged_document(path, overlays, sets)
    changes = [str(o) for o in overlays] + [f"--set {s}" for s in sets]
    return validate_merged(doc, f"{path} with {', '.join(changes)}" if changes else str(path))


def merged_document(path: str | Path,
                    overlays: list[Path] | list[str] = (),  # type: ignore[assignment]
                    sets: list[str] = ()) -> _Map:  # type: ignore[assignment]
    """The base document with overlays and ``--set`` changes applied (not validated)."""
    base = read_file(path)
    if not isinstance(base, dict):
        raise InputError(f"{path}: a scenario must be a mapping of keys")
    doc = _track(base)
    for overlay in overlays:
        doc = merge(doc, read_overlay(overlay))
    for assignment in sets:
        set_value(doc, assignment)
    return doc


def apply_sets(document: dict[str, Any], sets: dict[str, Any], label: str = "scenario") -> Scenario:
    """The scenario of ``document`` with ``{path: value}`` changes, as ``surge plan --set``.

    ``document`` is plain scenario data (it is not changed); each path is one of ``--set``
    (``lines.cleon-l1.options.convert.hours_per_week``) and each value is data (a number,
    a string, a list). Problems of the changed scenario name the change that caused them.

    >>> doc = {"surge": 1, "name": "x", "start": "2026-01-05", "weeks": 2, "items": [],
    ...        "operations": [], "organizations": [], "sites": [], "lines": [], "suppliers": [],
    ...        "demands": []}
    >>> apply_sets(doc, {"weeks": 5}).weeks
    5

    Raises
    ------
    InputError
        A path that names nothing in the document.
    ScenarioError
        The changed scenario breaks a rule of the format.
    """
    tracked = _track(json.loads(json.dumps(document, default=str)), label)
    for path, value in sets.items():
        set_value(tracked, f"{path}={json.dumps(value)}")
    return validate_merged(tracked, label)


def apply(scenario: Scenario, overlay: dict[str, Any]) -> Scenario:
    """``scenario`` with an overlay given as data (used to re-plan with a change)."""
    doc = merge(scenario.dump(), overlay)
    return validate_merged(doc, f"scenario '{scenario.name}'")

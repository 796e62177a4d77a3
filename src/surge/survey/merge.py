"""Merging returned workbooks into a scenario, with every problem traced to its cell.

For each submission the organisation's sites and lines (or the supplier's offers) in the
scenario are replaced by the workbook's, one for one in place, so that an unchanged
workbook changes nothing; a new id adds a new organisation or supplier at the end. The
merged document is then checked by the scenario format's own rules, and each problem's
path (``lines[3] 'douai-l2'.options[0].hours_per_week``) is mapped back to the cell it
came from.
"""

from __future__ import annotations

import re
from typing import Any

from surge.scenario.load import validate
from surge.scenario.model import Scenario
from surge.survey.columns import CAPACITY
from surge.survey.read import Cell, Loc, Submission, SurveyProblem
from surge.validation import format_path

Obj = dict[str, Any]
Index = dict[str, tuple[str, Cell]]  # scenario path -> (workbook, cell)
Tags = dict[int, tuple[Submission, Loc]]  # id() of a merged object -> where it came from

_WORDS = ((re.compile(r"\bmust be > "), "must be greater than "),
          (re.compile(r"\bmust be >= "), "must be at least "))
_MISSING = re.compile(r"^missing required key '([^']+)'$")
_WEEK = re.compile(r"^value for week (\d+) ")
_INDEX = re.compile(r"(\[\d+\]( '[^']*')?|\.[^.\[]+)$")


_first_used = re.compile(r"\(first used by (\w+)\[(\d+)\]\)")
_LENGTH = re.compile(r"^a list must have exactly `weeks` = (\d+) values, got (\d+)$")


def _first_cell(m: re.Match[str], raw: dict[str, Any], index: dict[str, tuple[str, Cell]]) -> str:
    """``(first used by sites[0])`` as the cell of that first use, where there is one."""
    path = format_path((m.group(1), int(m.group(2))), raw)
    if path in index:
        book, cell = index[path]
        return f"(first used in {book}: {cell.sheet}!{cell.cell})"
    return m.group(0)


def plain(message: str) -> str:
    """The format's message in words a filler reads: ``> 0`` becomes ``greater than 0``."""
    for pattern, words in _WORDS:
        message = pattern.sub(words, message)
    return message


def _replace(old: list[Obj], mine: list[bool], new: list[Obj]) -> list[Obj]:
    """``old`` with the entries flagged in ``mine`` replaced one for one by ``new``."""
    out: list[dict[str, Any]] = []
    rest = list(new)
    last = max((i for i, m in enumerate(mine) if m), default=len(old) - 1)
    for i, obj in enumerate(old):
        if not mine[i]:
            out.append(obj)
        elif rest:
            out.append(rest.pop(0))
        if i == last:
            out.extend(rest)
            rest = []
    out.extend(rest)
    return out


def _apply(raw: dict[str, Any], sub: Submission, tags: dict[int, tuple[Submission, Loc]]) -> None:
    """Put one submission into ``raw``; ``tags`` remembers where each new object came from."""
    if sub.kind == "organization":
        kind, obj = "organizations", sub.obj
    else:
        kind, obj = "suppliers", sub.obj
    tags[id(obj)] = (sub, ("obj",))
    ids = [o.get("id") for o in raw[kind]]
    if sub.id in ids:
        raw[kind][ids.index(sub.id)] = obj
    else:
        raw[kind].append(obj)
    if sub.kind == "supplier":
        return
    old_sites = {s.get("id") for s in raw["sites"] if s.get("organization") == sub.id}
    mine = [s.get("organization") == sub.id for s in raw["sites"]]
    raw["sites"] = _replace(raw["sites"], mine, sub.sites)
    mine = [ln.get("site") in old_sites for ln in raw["lines"]]
    raw["lines"] = _replace(raw["lines"], mine, sub.lines)
    for i, site in enumerate(sub.sites):
        tags[id(site)] = (sub, ("sites", i))
    for i, line in enumerate(sub.lines):
        tags[id(line)] = (sub, ("lines", i))


def _cell_index(raw: Obj, tags: Tags) -> Index:
    """``{scenario path: (workbook, cell)}`` for every value that came from a cell.

    An object's own path maps to its first cell, so a problem of the whole object (a
    line no operation can use) still names a row.
    """
    where: dict[tuple[int, Loc], Loc] = {}
    subs: dict[int, Submission] = {}
    for kind in ("organizations", "suppliers", "sites", "lines"):
        for i, obj in enumerate(raw[kind]):
            if id(obj) in tags:
                sub, local = tags[id(obj)]
                where[(id(sub), local)] = (kind, i)
                subs[id(sub)] = sub
    index: dict[str, tuple[str, Cell]] = {}
    for sub in subs.values():
        for loc, cell in sub.cells.items():
            if loc[0] in ("obj", "offers"):
                local, rest = ("obj",), loc[1:] if loc[0] == "obj" else loc
            else:
                local, rest = loc[:2], loc[2:]
            glob = where.get((id(sub), local))
            if glob is None:
                continue
            full = (*glob, *rest)
            index.setdefault(format_path(full, raw), (sub.workbook, cell))
            for k in range(len(full) - 1, 0, -1):  # the objects holding it: their first cell
                if isinstance(full[k], int):
                    index.setdefault(format_path(full[: k + 1], raw), (sub.workbook, cell))
    return index


def _trace(path: str, message: str, index: Index) -> tuple[str, Cell, str] | None:
    """The workbook and cell a problem at ``path`` came from, and the message to show."""
    missing = _MISSING.match(message)
    if missing:
        key = f"{path}.{missing.group(1)}" if path != "(top level)" else missing.group(1)
        if key in index:
            return (*index[key], "must not be empty")
    week = _WEEK.match(message)
    if week and f"{path}[{week.group(1)}]" in index:
        return (*index[f"{path}[{week.group(1)}]"], plain(message))
    at, prefix = path, ""
    while at:
        if at in index:
            value = re.fullmatch(r"\[(\d+)\]", prefix)
            if value:
                prefix = f"value {int(value.group(1)) + 1}"
            return (*index[at], plain(f"{prefix}: {message}" if prefix else message))
        m = _INDEX.search(at)
        if m is None:
            break
        prefix = (m.group(0).lstrip(".") + prefix).split(" '")[0]
        at = at[: m.start()]
    return None


def _trace_first_use(path: str, message: str, raw: Obj,
                     index: Index) -> tuple[str, Cell, str] | None:
    """A duplicate whose *first* use came from a workbook (the second is the scenario's own,
    an object the workbook does not replace): the cell of that first use."""
    m = _first_used.search(message)
    if m is None:
        return None
    first = format_path((m.group(1), int(m.group(2))), raw)
    field = path.rsplit(".", 1)[1] if "." in path.split("'")[-1] else ""
    for key in (f"{first}.{field}" if field else first, first):
        if key in index:
            book, cell = index[key]
            return book, cell, plain(message.replace(m.group(0), f"(also used by {path})"))
    return None


def merge(scenario: Scenario,
          submissions: list[Submission]) -> tuple[Scenario | None, list[SurveyProblem]]:
    """Merge ``submissions`` into ``scenario``; the merged scenario is checked as a whole.

    Returns
    -------
    The merged scenario (``None`` if any error) and every problem, workbook problems first,
    each traced to its workbook cell where there is one.
    """
    raw = scenario.dump()
    problems: list[SurveyProblem] = []
    tags: dict[int, tuple[Submission, Loc]] = {}
    seen: dict[tuple[str, str | None], str] = {}
    known_caps = {op.capability for op in scenario.operations}
    known_caps |= {cap for line in scenario.lines for opt in line.options
                   for cap in opt.capabilities}
    for sub in submissions:
        if sub.id is None:  # nothing to merge it into: only the empty id is reported
            cell = sub.cells.get(("obj", "id"))
            if cell is not None:  # (no row at all is reported by the reader)
                problems.append(SurveyProblem(sub.workbook, cell.sheet, cell.cell, "id",
                                              "must not be empty: the id says whose workbook "
                                              "it is"))
            continue
        key = (sub.kind, sub.id)
        if key in seen:
            problems.append(SurveyProblem(sub.workbook, None, None, None,
                                          f"{sub.kind} '{sub.id}' is also in {seen[key]}"))
            continue
        seen[key] = sub.workbook
        if sub.kind == "organization":
            problems += _check_lines(sub, known_caps)
        _apply(raw, sub, tags)
    merged, found = validate(raw)
    index = _cell_index(raw, tags)
    flagged = {(p.workbook, p.sheet, p.cell) for p in problems}
    for p in found:
        traced = _trace(p.path, p.message, index) or _trace_first_use(p.path, p.message, raw,
                                                                       index)
        if traced is None:
            problems.append(SurveyProblem(None, None, None, None, plain(p.message), p.severity,
                                          p.path))
            continue
        book, cell, msg = traced
        msg = _first_used.sub(lambda m: _first_cell(m, raw, index), msg)
        if cell.sheet == CAPACITY and (n := _LENGTH.match(msg)):
            msg = (f"the weekly profile must have {n.group(1)} weeks (columns 0 to "
                   f"{int(n.group(1)) - 1}), got {n.group(2)}")
        if (book, cell.sheet, cell.cell) in flagged:
            continue
        problems.append(SurveyProblem(book, cell.sheet, cell.cell, cell.column, msg,
                                      p.severity, p.path))
    if any(p.severity == "error" for p in problems):
        return None, problems
    return merged, problems


def _check_lines(sub: Submission, known_caps: set[str]) -> list[SurveyProblem]:
    """What only the survey forbids: lines at another organisation's site, unknown capabilities."""
    out: list[SurveyProblem] = []
    own = {s.get("id") for s in sub.sites}
    known = ", ".join(sorted(known_caps))
    for i, line in enumerate(sub.lines):
        cell = sub.cells.get(("lines", i, "site"))
        site = line.get("site")
        if cell is not None and isinstance(site, str) and site not in own:
            out.append(SurveyProblem(sub.workbook, cell.sheet, cell.cell, cell.column,
                                     f"site '{site}' is not on the Sites sheet of this workbook"))
        for j, opt in enumerate(line.get("options", [])):
            caps = opt.get("capabilities")
            cell = sub.cells.get(("lines", i, "options", j, "capabilities"))
            for cap in caps if isinstance(caps, list) else []:
                if cap not in known_caps and cell is not None:
                    out.append(SurveyProblem(sub.workbook, cell.sheet, cell.cell, cell.column,
                                             f"unknown capability '{cap}' (known: {known})"))
    return out

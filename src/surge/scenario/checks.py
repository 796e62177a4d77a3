"""Rules that tie scenario objects together, checked on the raw document.

They run on the raw data (not the pydantic model) so that they still run, and report,
when some field elsewhere is malformed: every problem is reported at once. Anything not
of the expected shape is skipped here; the type checks report it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, TypeGuard

from surge.errors import Problem
from surge.scenario.ranges import MAX_WEEKS, magnitude_problems
from surge.scenario.ranges import horizon_problems as _horizon_problems

KINDS = ("items", "operations", "organizations", "sites", "lines", "suppliers", "demands")


def _entries(raw: dict[str, Any], kind: str) -> Iterator[tuple[int, dict[str, Any], str]]:
    """(index, object, path) of each well-formed object of a top-level list."""
    objs = raw.get(kind)
    if not isinstance(objs, list):
        return
    for i, obj in enumerate(objs):
        if isinstance(obj, dict):
            oid = obj.get("id")
            label = f"{kind}[{i}] '{oid}'" if isinstance(oid, str) else f"{kind}[{i}]"
            yield i, obj, label


def _sub(obj: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    val = obj.get(key)
    if isinstance(val, list):
        for j, sub in enumerate(val):
            if isinstance(sub, dict):
                yield j, sub


def _real(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _whole(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def consistency_problems(raw: dict[str, Any]) -> list[Problem]:
    """Every cross-object error and warning of a raw scenario document."""
    out: list[Problem] = []
    ids = _ids(raw, out)
    weeks = _whole(raw.get("weeks"))
    if weeks is not None and not 1 <= weeks <= MAX_WEEKS:
        weeks = None
    _check_operations(raw, ids, out)
    _check_sites_lines(raw, ids, weeks, out)
    _check_suppliers(raw, ids, weeks, out)
    _check_demands(raw, ids, weeks, out)
    _check_inventory(raw, ids, out)
    _check_receipts(raw, ids, weeks, out)
    _check_uncertainty(raw, ids, out)
    _check_usefulness(raw, out)
    out.extend(magnitude_problems(raw))
    out.extend(_horizon_problems(raw))
    return out


def _ids(raw: dict[str, Any], out: list[Problem]) -> dict[str, set[str] | None]:
    """Ids of each top-level list; ``None`` for a list that is missing or not a list
    (its own error is reported by the type checks; references to it are not checked)."""
    ids: dict[str, set[str] | None] = {}
    for kind in KINDS:
        if not isinstance(raw.get(kind), list):
            ids[kind] = None
            continue
        first: dict[str, int] = {}
        for i, obj, label in _entries(raw, kind):
            oid = obj.get("id")
            if not isinstance(oid, str):
                continue
            if oid in first:
                out.append(Problem(f"{label}.id",
                                   f"duplicate id '{oid}' (first used by {kind}[{first[oid]}])"))
            else:
                first[oid] = i
        ids[kind] = set(first)
    return ids


def _ref(out: list[Problem], path: str, value: Any, known: set[str] | None, kind: str) -> None:
    if known is not None and isinstance(value, str) and value not in known:
        out.append(Problem(path, f"unknown {kind[:-1]} '{value}' (not in `{kind}`)"))


def _check_operations(raw: dict[str, Any], ids: dict[str, set[str] | None],
                      out: list[Problem]) -> None:
    for _, op, label in _entries(raw, "operations"):
        produces = op.get("produces")
        _ref(out, f"{label}.produces", produces, ids["items"], "items")
        consumes = op.get("consumes")
        if isinstance(consumes, dict):
            for item in consumes:
                _ref(out, f"{label}.consumes.{item}", item, ids["items"], "items")
                if item == produces:
                    out.append(Problem(f"{label}.consumes.{item}",
                                       f"an operation may not consume its own output '{item}'"))
    cycle = _bom_cycle(raw)
    if cycle:
        out.append(Problem("operations",
                           "the bill of materials has a cycle: " + " -> ".join(cycle)))


def _bom_cycle(raw: dict[str, Any]) -> list[str]:
    """One cycle of the graph item -> operation -> item, as a list of names, or []."""
    edges: dict[str, list[tuple[str, str]]] = defaultdict(list)  # input -> (op, output)
    for _, op, _label in _entries(raw, "operations"):
        produces, consumes, oid = op.get("produces"), op.get("consumes"), op.get("id")
        if isinstance(produces, str) and isinstance(consumes, dict):
            for item in consumes:
                if isinstance(item, str) and item != produces:  # self-loops reported apart
                    edges[item].append((str(oid), produces))
    state: dict[str, int] = {}  # 1 on stack, 2 done
    for root in sorted(edges):  # depth-first, without recursion: a BOM may be 1,000s deep
        if root in state:
            continue
        state[root] = 1
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            node, k = stack[-1]
            nexts = edges.get(node, [])
            if k == len(nexts):
                stack.pop()
                state[node] = 2
                continue
            stack[-1] = (node, k + 1)
            nxt = nexts[k][1]
            if state.get(nxt) == 1:
                names = [n for n, _ in stack]
                path = names[names.index(nxt):] + [nxt]
                return [f"'{p}'" for p in path]
            if nxt not in state:
                state[nxt] = 1
                stack.append((nxt, 0))
    return []


def _check_sites_lines(
    raw: dict[str, Any], ids: dict[str, set[str] | None], weeks: int | None, out: list[Problem]
) -> None:
    for _, site, label in _entries(raw, "sites"):
        _ref(out, f"{label}.organization", site.get("organization"), ids["organizations"],
             "organizations")
    for _, line, label in _entries(raw, "lines"):
        _ref(out, f"{label}.site", line.get("site"), ids["sites"], "sites")
        _check_committed(line, label, out)
        seen: dict[str, int] = {}
        for j, opt in _sub(line, "options"):
            oid = opt.get("id")
            if isinstance(oid, str):
                if oid in seen:
                    out.append(Problem(f"{label}.options[{j}].id",
                                       f"duplicate option id '{oid}' (first used by "
                                       f"options[{seen[oid]}])"))
                seen.setdefault(oid, j)
            est = _whole(opt.get("earliest_start_week"))
            if weeks is not None and est is not None and est > weeks - 1:
                out.append(Problem(f"{label}.options[{j}].earliest_start_week",
                                   f"{est} is after the horizon's last week {weeks - 1}: "
                                   "this option can never be activated", "warning"))


def _check_committed(line: dict[str, Any], label: str, out: list[Problem]) -> None:
    """A committed line names one of its own options."""
    committed = line.get("committed")
    if not isinstance(committed, dict):
        return
    option = committed.get("option")
    options = {o.get("id") for _, o in _sub(line, "options")}
    if isinstance(option, str) and option not in options:
        known = ", ".join(f"'{o}'" for o in sorted(x for x in options if isinstance(x, str)))
        out.append(Problem(f"{label}.committed.option",
                           f"unknown option '{option}' of this line (its options: {known})"))


def _check_receipts(
    raw: dict[str, Any], ids: dict[str, set[str] | None], weeks: int | None, out: list[Problem]
) -> None:
    for k, rec in enumerate(_list(raw.get("receipts"))):
        if not isinstance(rec, dict):
            continue
        path = f"receipts[{k}]"
        _ref(out, f"{path}.site", rec.get("site"), ids["sites"], "sites")
        _ref(out, f"{path}.item", rec.get("item"), ids["items"], "items")
        week = _whole(rec.get("week"))
        if weeks is not None and week is not None and week > weeks - 1:
            out.append(Problem(f"{path}.week",
                               f"must be between 0 and {weeks - 1} (weeks - 1), got {week}"))


def _check_suppliers(
    raw: dict[str, Any], ids: dict[str, set[str] | None], weeks: int | None, out: list[Problem]
) -> None:
    for _, sup, label in _entries(raw, "suppliers"):
        seen: dict[str, int] = {}
        for j, offer in _sub(sup, "offers"):
            path = f"{label}.offers[{j}]"
            item = offer.get("item")
            _ref(out, f"{path}.item", item, ids["items"], "items")
            if isinstance(item, str):
                if item in seen:
                    out.append(Problem(f"{path}.item",
                                       f"a supplier has at most one offer per item; "
                                       f"'{item}' is already offered by offers[{seen[item]}]"))
                seen.setdefault(item, j)
            cap = offer.get("capacity_per_week")
            if weeks is not None and isinstance(cap, list) and len(cap) != weeks:
                out.append(Problem(f"{path}.capacity_per_week",
                                   f"a list must have exactly `weeks` = {weeks} values, got "
                                   f"{len(cap)}"))
            lead = _whole(offer.get("lead_time_weeks"))
            avail = _whole(offer.get("available_from_week")) or 0
            if weeks is not None and lead is not None and avail + lead > weeks - 1:
                out.append(Problem(path, f"no order can arrive within the horizon (available from "
                                         f"week {avail}, lead time {lead} weeks, last week "
                                         f"{weeks - 1})",
                                   "warning"))


def _check_demands(
    raw: dict[str, Any], ids: dict[str, set[str] | None], weeks: int | None, out: list[Problem]
) -> None:
    for _, dem, label in _entries(raw, "demands"):
        _ref(out, f"{label}.item", dem.get("item"), ids["items"], "items")
        _ref(out, f"{label}.site", dem.get("site"), ids["sites"], "sites")
        for j, due in _sub(dem, "due"):
            week = _whole(due.get("week"))
            if weeks is not None and week is not None and week > weeks - 1:
                out.append(Problem(f"{label}.due[{j}].week",
                                   f"must be between 0 and {weeks - 1} (weeks - 1), got {week}"))


def _check_inventory(raw: dict[str, Any], ids: dict[str, set[str] | None],
                     out: list[Problem]) -> None:
    inv = raw.get("inventory")
    if not isinstance(inv, list):
        return
    seen: dict[tuple[str, str], int] = {}
    for k, stock in enumerate(inv):
        if not isinstance(stock, dict):
            continue
        path = f"inventory[{k}]"
        _ref(out, f"{path}.site", stock.get("site"), ids["sites"], "sites")
        _ref(out, f"{path}.item", stock.get("item"), ids["items"], "items")
        key = (stock.get("site"), stock.get("item"))
        if all(isinstance(x, str) for x in key):
            if key in seen:
                out.append(Problem(path, f"stock of '{key[1]}' at '{key[0]}' is also given in "
                                         f"inventory[{seen[key]}]; the quantities are added",
                                   "warning"))
            seen.setdefault(key, k)  # type: ignore[arg-type]


def _check_uncertainty(raw: dict[str, Any], ids: dict[str, set[str] | None],
                       out: list[Problem]) -> None:
    unc = raw.get("uncertainty")
    if not isinstance(unc, dict):
        return
    for kind in ("suppliers", "lines", "operations"):
        entries = unc.get(kind)
        if isinstance(entries, dict):
            known = ids[kind]
            for key in entries:
                if isinstance(key, str) and key != "*" and known is not None and key not in known:
                    out.append(Problem(f"uncertainty.{kind}.{key}",
                                       f"unknown {kind[:-1]} '{key}' (not in `{kind}`; use '*' "
                                       "for all)"))
    ops = unc.get("operations")
    if isinstance(ops, dict):
        for _, op, label in _entries(raw, "operations"):
            oid = op.get("id")
            key = oid if isinstance(oid, str) and oid in ops else "*"
            entry = ops.get(key)
            sd = entry.get("yield_sd") if isinstance(entry, dict) else None
            y = op.get("yield", 1.0)
            if _real(sd) and _real(y) and sd > 0 and 0 < y <= 1:
                if sd**2 >= y * (1 - y):
                    out.append(Problem(f"uncertainty.operations.{key}.yield_sd",
                                       f"no beta distribution has mean {y:g} (the yield of "
                                       f"{label}) "
                                       f"and sd {sd:g}: sd must be < {(y * (1 - y)) ** 0.5:.4g}"))


def _check_usefulness(raw: dict[str, Any], out: list[Problem]) -> None:
    """Legal but suspicious: warnings."""
    made = [op.get("produces") for _, op, _l in _entries(raw, "operations")]
    bought = [offer.get("item") for _, s, _l in _entries(raw, "suppliers")
              for _, offer in _sub(s, "offers")]
    stocked = [s.get("item") for key in ("inventory", "receipts")
               for s in _list(raw.get(key)) if isinstance(s, dict)]
    available = {x for x in made + bought + stocked if isinstance(x, str)}
    for _, dem, label in _entries(raw, "demands"):
        item = dem.get("item")
        if isinstance(item, str) and item not in available:
            out.append(Problem(f"{label}.item", f"nothing can make or buy '{item}' and none is in "
                                                "stock: this demand can never be met", "warning"))
    op_caps = {c for _, op, _l in _entries(raw, "operations")
               if isinstance(c := op.get("capability"), str)}
    line_caps: set[str] = set()
    for _, line, label in _entries(raw, "lines"):
        caps = {c for _, opt in _sub(line, "options") for c in _list(opt.get("capabilities"))
                if isinstance(c, str)}
        line_caps |= caps
        if caps and not caps & op_caps:
            out.append(Problem(label, "no operation can use this line (none of its capabilities "
                                      f"{sorted(caps)} is needed by an operation)", "warning"))
    for _, op, label in _entries(raw, "operations"):
        cap = op.get("capability")
        if isinstance(cap, str) and cap not in line_caps:
            out.append(Problem(f"{label}.capability", f"no line offers capability '{cap}': "
                                                      "this operation can never run", "warning"))

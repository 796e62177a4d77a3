"""The frontier file and the plan's ``robust`` key: cost against certainty, in plain words.

The frontier file (``surge frontier``, docs/robust.md) lists verified plans of the original
scenario from the deterministic optimum to the highest lowest-P(on time) the search
reached, each with its cost, its P measured on fresh runs (seed B), its buffers and what
the step to it buys ("+EUR 310 k: line cleon-l1: convert 2 weeks early — P 0.41 → 0.78").
"""

from __future__ import annotations

from typing import Any

from surge.plan.model import Plan
from surge.robust.buffers import KINDS, Buffers, phrase
from surge.robust.search import METHOD, Candidate, Result
from surge.scenario.model import Scenario


def money(x: float, currency: str) -> str:
    """``+EUR 310 k``, ``+EUR 1.25 M``, ``EUR 0`` (signed when not zero)."""
    sign = "+" if x > 0 else "-" if x < 0 else ""
    a = abs(x)
    if a >= 1e6:
        return f"{sign}{currency} {a / 1e6:,.2f} M"
    if a >= 1e3:
        return f"{sign}{currency} {a / 1e3:,.0f} k"
    return f"{sign}{currency} {a:,.0f}"


def changes(before: Buffers, after: Buffers) -> list[str]:
    """What ``after`` adds to ``before``, one phrase per raised buffer."""
    out = []
    for kind in KINDS:
        old, new = getattr(before, kind), getattr(after, kind)
        for oid in sorted(new):
            if new[oid] and new[oid] != old.get(oid, 0):
                out.append(phrase(kind, oid, new[oid]))
        for oid in sorted(old):
            if old[oid] and not new.get(oid):
                out.append(f"no longer: {phrase(kind, oid, old[oid])}")
    return out


def step_words(prev: Candidate | None, c: Candidate, currency: str) -> str:
    """``+EUR 310 k: <buffers> — P 0.41 → 0.78`` (P on fresh runs)."""
    if prev is None:
        return "deterministic optimum: no buffer"
    assert c.checked is not None and prev.checked is not None
    what = "; ".join(changes(prev.buffers, c.buffers)) or "same buffers"
    return (f"{money((c.cost or 0) - (prev.cost or 0), currency)}: {what} — "
            f"P {prev.checked.min_p:.2f} → {c.checked.min_p:.2f}")


def _due(ms_worst: tuple[str, int] | None) -> dict[str, Any] | None:
    return None if ms_worst is None else {"demand": ms_worst[0], "week": ms_worst[1]}


def point(c: Candidate, det_cost: float, words: str, chosen: bool,
          with_plan: bool = True) -> dict[str, Any]:
    assert c.checked is not None and c.tuned is not None and c.plan is not None
    out: dict[str, Any] = {
        "cost": c.cost, "extra_cost": (c.cost or 0.0) - det_cost,
        "min_p_on_time": c.checked.min_p, "min_p_stderr": c.checked.min_p_stderr,
        "p_all_met": c.checked.p_all_met, "expected_service": c.checked.expected_service,
        "tuned_min_p_on_time": c.tuned.min_p,
        "worst_due_date": _due(c.checked.worst),
        "buffers": c.buffers.to_dict(), "buffer_words": c.buffers.describe_short(),
        "step": words, "chosen": chosen,
        "due_dates": c.checked.to_dict()["due_dates"],
    }
    if with_plan:
        out["plan"] = c.plan.to_dict()
    return out


def frontier_document(sc: Scenario, r: Result, with_plans: bool = True) -> dict[str, Any]:
    """The frontier file (version 1) as a dict."""
    det_cost = float(r.deterministic.cost or 0.0)
    points, prev = [], None
    for c in r.frontier:
        points.append(point(c, det_cost, step_words(prev, c, sc.currency), c is r.chosen,
                            with_plans))
        prev = c
    st = r.settings
    return {
        "surge_frontier": 1, "scenario": sc.name, "currency": sc.currency,
        "method": METHOD, "target": st.target, "reached": r.reached,
        "search": {"runs": st.runs, "seed": st.seed, "max_steps": st.max_steps},
        "check": {"runs": st.check_runs, "seed": st.check_seed},
        "deterministic_cost": det_cost,
        "points": points, "cap": r.cap,
        "steps": [{"step": s.step, "move": s.move, "cost": s.cost, "tuned_min_p_on_time": s.min_p,
                   "worst_due_date": _due(s.worst)} for s in r.steps],
        "evaluated": r.evaluated, "seconds": round(r.seconds, 1),
    }


def robust_key(sc: Scenario, r: Result) -> dict[str, Any]:
    """The ``robust`` key of the chosen plan: how it was made and what it achieves."""
    c, st = r.chosen, r.settings
    assert c.checked is not None and c.tuned is not None
    det_cost = float(r.deterministic.cost or 0.0)
    return {
        "method": METHOD, "target": st.target, "reached": r.reached,
        "min_p_on_time": c.checked.min_p, "min_p_stderr": c.checked.min_p_stderr,
        "p_all_met": c.checked.p_all_met, "expected_service": c.checked.expected_service,
        "runs": st.check_runs, "seed": st.check_seed,
        "tuning": {"runs": st.runs, "seed": st.seed, "min_p_on_time": c.tuned.min_p},
        "deterministic_cost": det_cost, "extra_cost": (c.cost or 0.0) - det_cost,
        "deterministic_min_p_on_time": (r.deterministic.checked.min_p
                                        if r.deterministic.checked else
                                        r.deterministic.tuned.min_p
                                        if r.deterministic.tuned else None),
        "worst_due_date": _due(c.checked.worst),
        "buffers": c.buffers.to_dict(), "buffer_words": c.buffers.describe_short(),
        "buffer_costs": buffer_costs(r, c, sc.currency),
        "due_dates": c.checked.to_dict()["due_dates"],
        "cap": r.cap,
        "frontier": [{"cost": f.cost, "min_p_on_time": f.checked.min_p if f.checked else None,
                      "chosen": f is c} for f in r.frontier],
    }


def buffer_costs(r: Result, c: Candidate, currency: str) -> list[dict[str, Any]]:
    """The steps that built ``c``'s buffers, each with what it cost (from the search log:
    the cost of the plan with the step against the plan before it)."""
    out = []
    prev = Buffers()
    prev_cost = float(r.deterministic.cost or 0.0)
    for s, cand in _path(r, c):
        words = changes(prev, cand.buffers)
        out.append({"step": s, "buffers": words, "extra_cost": (cand.cost or 0.0) - prev_cost,
                    "words": f"{money((cand.cost or 0.0) - prev_cost, currency)}: "
                             + "; ".join(words)})
        prev, prev_cost = cand.buffers, float(cand.cost or 0.0)
    return out


def _path(r: Result, c: Candidate) -> list[tuple[int, Candidate]]:
    """The chain of candidates from the deterministic optimum to ``c`` (parents)."""
    chain = []
    node: Candidate | None = c
    while node is not None and not node.buffers.empty:
        chain.append(node)
        node = node.parent_candidate
    return [(i + 1, x) for i, x in enumerate(reversed(chain))]


def attach(plan: Plan, key: dict[str, Any]) -> Plan:
    """The plan with its ``robust`` key (an extra key of the plan format)."""
    plan.robust = key  # type: ignore[attr-defined]  # an extra key of the plan
    return plan


def cap_words(cap: dict[str, Any]) -> str:
    """``order-main due in week 8 (P 0.41), most of all because of line cleon-l1 ...``."""
    due = cap.get("due_date")
    src = cap.get("source")
    text = (f"the due date of {due['demand']} in week {due['week']} "
            f"(P(on time) {cap['p_on_time']:.3f})" if due else "no due date")
    if src:
        text += (f"; the disruption that matters most there: {src['kind']} {src['id']} "
                 f"(made perfect, P(on time) plus share delivered rise by "
                 f"{src['rise_if_perfect']:.3f})")
    return text + f"; {cap['why']}"

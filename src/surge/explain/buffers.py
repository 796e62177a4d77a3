"""The buffers of a risk-aware plan in plain words (``surge explain``, the report).

A plan made by ``surge plan --target-on-time`` carries a ``robust`` key (docs/robust.md):
the buffers it was planned with and what each step cost. This module turns them into
sentences: which supplier gets a safety lead time, which line is kept in reserve, where
stock is held, and what each costs.
"""

from __future__ import annotations

from typing import Any

from surge.plan.model import Plan
from surge.robust.buffers import KINDS, split_due
from surge.robust.frontier import money
from surge.scenario.model import Scenario


def robust_info(plan: Plan) -> dict[str, Any] | None:
    """The plan's ``robust`` key, or None for an ordinary plan."""
    extra = plan.model_extra or {}
    info = extra.get("robust")
    return info if isinstance(info, dict) else None


def _weeks(n: float) -> str:
    return f"{int(n)} week{'s' if int(n) != 1 else ''}"


def buffer_sentence(sc: Scenario, kind: str, oid: str, value: float) -> str:
    """One buffer as a sentence a planner reads without the manual."""
    unc = sc.uncertainty
    if kind == "supplier_lead":
        r = unc.supplier(oid) if unc else None
        why = ""
        if r is not None and r.delay_weeks:
            p = sum(q for w, q in r.delay_weeks.items() if w <= value)
            why = (f"; by the scenario's uncertainty its orders are late by at most "
                   f"{_weeks(value)} with probability {p:.2f}")
        return (f"Supplier {oid} gets a safety lead time of {_weeks(value)}: every order is "
                f"placed {_weeks(value)} before the work needs it, and waits in stock if it "
                f"comes on time{why}.")
    if kind == "line_lead":
        return (f"Line {oid} is converted {_weeks(value)} earlier than its lead time needs, "
                f"so a conversion that slips by up to {_weeks(value)} still starts the work "
                "on time.")
    if kind == "derate":
        return (f"Line {oid} is planned at {100 * (1 - value):.0f}% of its hours: "
                f"{100 * value:.0f}% is kept in reserve to catch up after a breakdown.")
    if kind == "over_order":
        return (f"Item {oid} is ordered {100 * value:.0f}% above what the work needs, "
                "against orders that arrive short; what is not needed stays in stock.")
    if kind == "due_lead":
        demand, week = split_due(oid)
        return (f"The due date of {demand} in week {week} is planned {_weeks(value)} "
                f"earlier (week {max(0, week - int(value))}), so the units are ready before "
                "they are due.")
    d = sc.by_id("demands").get(oid)
    site = d.site if d is not None else "its site"
    return (f"{100 * value:.0f}% more of {oid}'s units are made than are due, held as stock "
            f"one step before {site} to cover a late or short delivery.")


def buffer_sentences(sc: Scenario, plan: Plan) -> list[str]:
    """Every buffer of a risk-aware plan as a sentence, in a fixed order."""
    info = robust_info(plan)
    if not info:
        return []
    out = []
    for kind in KINDS:
        for oid, v in sorted((info.get("buffers") or {}).get(kind, {}).items()):
            if v:
                out.append(buffer_sentence(sc, kind, oid, float(v)))
    return out


def summary_sentence(sc: Scenario, plan: Plan) -> str:
    """What the plan was made for and what it achieves, measured on fresh runs."""
    info = robust_info(plan)
    if not info:
        return ""
    worst = info.get("worst_due_date") or {}
    where = f" ({worst.get('demand')} in week {worst.get('week')})" if worst else ""
    head = (f"This plan was made for P(on time) >= {info['target']:g} at every due date. "
            f"On {info['runs']:,} fresh runs (seed {info['seed']}, not the "
            f"{info['tuning']['runs']:,} runs the search tuned on) its worst due date{where} "
            f"holds with probability {info['min_p_on_time']:.3f} ± "
            f"{info['min_p_stderr']:.3f}; ")
    head += ("the target is reached. " if info["reached"] else
             "[the target is NOT reached: this is the best plan found]. ")
    det = info.get("deterministic_min_p_on_time")
    head += (f"It costs {money(info['extra_cost'], sc.currency)} against the deterministic "
             f"optimum ({money(info['deterministic_cost'], sc.currency).lstrip('+')}"
             + (f", whose worst due date holds with probability {det:.3f}" if det is not None
                else "") + ").")
    return head.replace("[", "").replace("]", "")


def cost_sentences(sc: Scenario, plan: Plan) -> list[str]:
    """The search's steps that built the buffers, each with its cost."""
    info = robust_info(plan)
    return [s["words"] for s in (info or {}).get("buffer_costs", [])]

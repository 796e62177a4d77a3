"""Plain words for bottlenecks and shortfalls, one sentence each.

>>> from surge.explain.shortfall import Miss
>>> shortfall_sentence(Miss("order", "drone", "plant", 7, 200.0, 150.0, 50.0, 9))
'order: 50 drone short at plant by week 7 (150 of 200 delivered); complete in week 9.'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from surge.fmt import amount, signed
from surge.plan.model import TOL

if TYPE_CHECKING:  # the optimiser (linopy) loads only when a bottleneck is computed
    from surge.explain.bottlenecks import Bottleneck
    from surge.explain.shortfall import Miss


def on_time(service: float, scale: float = 1.0) -> float:
    """Lateness [unit-weeks] with solver noise removed: 0 when within the plan format's
    tolerance, 1e-6 relative to ``scale`` (the units due it concerns) or 1e-6 absolute.

    >>> on_time(2.27e-13), on_time(1.3e-06, 1000.0), on_time(35.0, 1000.0)
    (0.0, 0.0, 35.0)
    """
    return 0.0 if abs(service) <= TOL * max(1.0, abs(scale)) else service




def bottleneck_sentence(b: Bottleneck, currency: str = "EUR") -> str:
    """E.g. "Kit from kitco limits deliveries in weeks 0-4: 2.5 more kit a week from kitco
    in weeks 0-4 would deliver 10 more drone by week 3 (lateness -35 unit-weeks; the duals
    predicted -37.5)."""
    head = b.label[0].upper() + b.label[1:]
    conf = b.confirmation or {}
    if b.service_saved > 0:
        verb = f"{head} limits deliveries in {b.weeks}" if b.first_week is not None else \
            f"{head} limits deliveries"
        predicted = f"the duals predicted {signed(-b.service_saved)}"
        if conf.get("service_change") is not None:
            more = (f" would deliver {amount(conf['more_units'])} more {conf['item']} by week "
                    f"{conf['by_week']}" if conf.get("item") else " would change no delivery")
            proof = "" if conf.get("status") == "optimal" else ", not proven optimal"
            return (f"{verb}: {b.relax}{more} (lateness {signed(conf['service_change'])} "
                    f"unit-weeks re-planned{proof}; {predicted}).")
        return (f"{verb}: each extra {b.unit} saves {amount(b.service_per_unit)} unit-weeks of "
                f"lateness; {b.relax} would save about {amount(b.service_saved)} unit-weeks "
                f"({predicted}).")
    verb = f"{head} raises the cost in {b.weeks}" if b.first_week is not None else \
        f"{head} raises the cost"
    tail = ""
    if conf.get("cost_change") is not None:
        tail = f" (re-planned: cost {signed(conf['cost_change'])} {currency})"
    return (f"{verb}: each extra {b.unit} saves {amount(b.cost_per_unit)} {currency}; "
            f"{b.relax} would save about {amount(b.cost_saved)} {currency}{tail}.")


def shortfall_sentence(m: Miss) -> str:
    """One missed due date, and what is saturated upstream of it."""
    done = f"complete in week {m.complete_week}" if m.complete_week is not None else \
        "never complete within the horizon"
    text = (f"{m.demand}: {amount(m.short)} {m.item} short at {m.site} by week {m.due_week} "
            f"({amount(m.delivered_cum)} of {amount(m.due_cum)} delivered); {done}.")
    if m.cause:
        text += f" Root cause: {m.cause}."
    if m.upstream:
        parts = [f"{lim.label} {lim.weeks} ({lim.detail})" for lim in m.upstream[:SHOWN]]
        more = len(m.upstream) - SHOWN
        head = " Also used to the full upstream: " if m.cause else " Used to the full upstream: "
        text += head + "; ".join(parts) + (f"; and {more} more" if more > 0 else "") + "."
    return text


SHOWN = 5  # limits named per missed due date, the ones explaining most of it first

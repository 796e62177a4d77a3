"""A quick "is this even possible?" answer: an upper bound on what could be available.

:func:`capacity_bound` answers, for every item and week, *at most how many units could
there be by the end of that week*, summed over all sites, if every line were converted at
its earliest start with its best option and every supplier delivered at full capacity. It
is a **relaxation** of the planning problem, never a plan:

- transport is ignored (units anywhere count everywhere);
- for each line and capability, the hours offered in a week are the largest offered by any
  option of that line that has the capability, each option started at its
  ``earliest_start_week`` (starting later only shifts the ramp, so the cumulative hours by
  any week are largest at the earliest start);
- **shared hours are counted for each user**: a line with several capabilities, or several
  operations needing the same capability, each get all of the line's hours;
- **shared inputs are counted for each user**: an item consumed by several operations (or
  also demanded) is fully available to each of them; nothing consumed is subtracted;
- alternative operations producing one item add up, each with its own bound.

Hard policy rules tighten it, each in a way every plan obeys:

- ``policy.budget`` ``B``: an option whose ``fixed_cost`` exceeds ``B`` is never
  activated, and at most ``B / unit_price`` units of an offer are ever bought;
- ``policy.restricted_origins`` (share ``s < 1``): units bought from restricted countries
  are at most ``s / (1 - s)`` times all units bought elsewhere over the horizon;
- ``policy.max_share_per_organization`` (``s < 1``): a demanded item that only one
  organisation's lines can make is never made (that organisation would make 100% of it).

So a demand whose cumulative due exceeds the bound is certainly impossible; one below it
may still be impossible.

Examples
--------
The spec's minimal scenario (``examples/minimal.yaml``): one line of 100 h/week with a
capability ``assembly``, lead time 2 and ``ramp_up: [0.5]``; assembling a drone takes 2 h
and one kit; kits come at 60 a week with a lead time of 1 week from week 0.

Started in week 0, the line is ready in week 2; it offers 0, 0, 50, 100, 100, 100, 100,
100 hours in weeks 0..7, so 0, 0, 50, 150, 250, 350, 450, 550 hours cumulatively, i.e. at
most 0, 0, 25, 75, 125, 175, 225, 275 drones by hours. Kits ordered in weeks 0..t-1 arrive
by week t: at most 60 t kits by week t (0, 60, 120, ..., 420), never the binding limit
here. So by week 7 at most min(275, 420) = 275 drones, as the spec says.

>>> from surge.scenario import load
>>> bound = capacity_bound(load("examples/minimal.yaml"))
>>> bound["drone"]
[0.0, 0.0, 25.0, 75.0, 125.0, 175.0, 225.0, 275.0]
>>> bound["kit"]
[0.0, 60.0, 120.0, 180.0, 240.0, 300.0, 360.0, 420.0]
"""

from __future__ import annotations

from collections import defaultdict
from graphlib import TopologicalSorter
from itertools import accumulate

from surge.scenario.model import Line, Offer, Operation, Scenario


def capacity_bound(scenario: Scenario) -> dict[str, list[float]]:
    """Upper bound on cumulative units of each item available by the end of each week.

    Parameters
    ----------
    scenario
        A valid scenario (no BOM cycle).

    Returns
    -------
    dict
        ``{item id: [bound by end of week 0, ..., bound by end of week T-1]}`` [units],
        non-decreasing, summed over all sites: initial stock + purchases at full capacity
        + output of every operation producing the item, each bounded by the cumulative
        hours of the lines with its capability and by the cumulative availability of each
        of its inputs, ``lead_time_weeks`` earlier (see the module docstring for why this is
        a relaxation).
    """
    weeks = scenario.weeks
    pol = scenario.policy
    budget = pol.budget
    hours = _cumulative_hours(scenario.lines, weeks, budget)
    single_org = _single_organization_items(scenario)
    makers: dict[str, list[Operation]] = defaultdict(list)
    for op in scenario.operations:
        makers[op.produces].append(op)
    graph = {item.id: {i for op in makers[item.id] for i in op.consumes} for item in scenario.items}

    bound: dict[str, list[float]] = {}
    for item in TopologicalSorter(graph).static_order():
        per_week = [0.0] * weeks
        for stock in scenario.inventory:
            if stock.item == item:
                per_week[0] += stock.quantity
        total = [a + b for a, b in zip(accumulate(per_week), _purchases(scenario, item),
                                       strict=True)]
        for op in makers[item]:
            if item in single_org:
                continue  # the share rule forbids the only organisation to make all of it
            made = _operation_bound(op, hours.get(op.capability), bound, weeks)
            total = [a + b for a, b in zip(total, made, strict=True)]
        bound[item] = total
    return bound


def _purchases(scenario: Scenario, item: str) -> list[float]:
    """Most units of ``item`` bought and arrived by the end of each week [units],
    cumulative, within the budget and the restricted-origins rule."""
    weeks, pol = scenario.weeks, scenario.policy
    ro = pol.restricted_origins
    restricted = set(ro.countries) if ro is not None and ro.max_share < 1 else set()
    free, limited = [0.0] * weeks, [0.0] * weeks
    for supplier in scenario.suppliers:
        for offer in supplier.offers:
            if offer.item != item:
                continue
            per_week = [0.0] * weeks
            _add_purchases(per_week, offer)
            cum = list(accumulate(per_week))
            if pol.budget is not None and offer.unit_price > 0:
                cum = [min(c, max(pol.budget, 0.0) / offer.unit_price) for c in cum]
            into = limited if supplier.country in restricted else free
            for t in range(weeks):
                into[t] += cum[t]
    if ro is not None and restricted:
        cap = ro.max_share / (1 - ro.max_share) * free[-1] if weeks else 0.0
        limited = [min(x, cap) for x in limited]
    return [a + b for a, b in zip(free, limited, strict=True)]


def _single_organization_items(scenario: Scenario) -> set[str]:
    """Demanded items that the lines of only one organisation can make, when
    ``max_share_per_organization`` < 1 (the rule then forbids making them at all)."""
    share = scenario.policy.max_share_per_organization
    if share is None or share >= 1:
        return set()
    org_of_site = {s.id: s.organization for s in scenario.sites}
    makers: dict[str, set[str]] = defaultdict(set)
    for op in scenario.operations:
        for line in scenario.lines:
            if any(op.capability in opt.capabilities for opt in line.options):
                makers[op.produces].add(org_of_site[line.site])
    return {d.item for d in scenario.demands if len(makers.get(d.item, set())) == 1}


def _cumulative_hours(lines: list[Line], weeks: int,
                      budget: float | None = None) -> dict[str, list[float]]:
    """``{capability: cumulative hours offered by the end of each week}`` [h], all lines
    (options whose fixed cost exceeds ``budget`` left out)."""
    per_week: dict[str, list[float]] = defaultdict(lambda: [0.0] * weeks)
    for line in lines:
        best: dict[str, list[float]] = defaultdict(lambda: [0.0] * weeks)
        for opt in line.options:
            if opt.earliest_start_week > weeks - 1:
                continue  # can never be activated
            if budget is not None and opt.fixed_cost > budget:
                continue  # can never be paid for
            ready = opt.earliest_start_week + opt.lead_time_weeks
            offered = [opt.hours_per_week * opt.ramp(t - ready) for t in range(weeks)]
            for cap in set(opt.capabilities):
                best[cap] = [max(a, b) for a, b in zip(best[cap], offered, strict=True)]
        for cap, offered in best.items():
            per_week[cap] = [a + b for a, b in zip(per_week[cap], offered, strict=True)]
    return {cap: list(accumulate(h)) for cap, h in per_week.items()}


def _add_purchases(per_week: list[float], offer: Offer) -> None:
    """Add the units of ``offer`` arriving in each week at full capacity [units/week]."""
    weeks = len(per_week)
    for order_week in range(offer.available_from_week, weeks):
        arrival = order_week + offer.lead_time_weeks
        if arrival <= weeks - 1:
            per_week[arrival] += offer.capacity(order_week)


def _operation_bound(
    op: Operation, hours: list[float] | None, available: dict[str, list[float]], weeks: int
) -> list[float]:
    """Most good output of ``op`` arrived by the end of each week [units], cumulative."""
    out = [0.0] * weeks
    if hours is None:
        return out
    for t in range(op.lead_time_weeks, weeks):
        run = t - op.lead_time_weeks  # the last week in which the output could start
        most = hours[run] * op.yield_ / op.hours_per_unit
        for item, qty in op.consumes.items():
            most = min(most, available[item][run] * op.yield_ / qty)
        out[t] = most
    return out

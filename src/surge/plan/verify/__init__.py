"""The independent verifier: every rule of the scenario format, recomputed from a plan file.

It shares nothing with the optimiser but the scenario loader and the plan model: it
rebuilds stocks, hours, capacities, backlogs and costs from the plan's rows with numpy,
checks each constraint family of the scenario format within the plan format's tolerance
(1e-6 relative to the size of the terms) and compares ``S`` and ``C`` with what the plan
claims. Reading :func:`verify` tells you every family that is checked, in order.

The pieces: :mod:`.index` resolves the plan's rows against the scenario once (a frozen
:class:`PlanIndex`); :mod:`.rows` checks the rows, :mod:`.totals` recomputes ``S`` and
``C`` and checks what depends on them; every check is a function returning what it found.

The empty plan of the minimal scenario: the 200 drones due in week 7 never come, so
S = 200 x (1 week late + 8 unmet weeks) = 1,800 and C = 0.

>>> import surge
>>> from surge.plan.model import Plan
>>> sc = surge.load("examples/minimal.yaml")
>>> empty = Plan(scenario=sc.name, status="feasible",
...              objective={"service": 1800.0, "cost": 0.0},
...              costs={"activation": 0, "operating": 0, "purchase": 0, "transport": 0, "total": 0})
>>> v = verify(sc, empty)
>>> v.ok, v.service, v.cost
(True, 1800.0, 0.0)
"""

from __future__ import annotations

import numpy as np

from surge.plan.model import Plan
from surge.plan.verify import rows, totals
from surge.plan.verify.index import PlanIndex
from surge.plan.verify.result import Found, Verification, Violation, slack
from surge.plan.verify.rows import MAX_QUANTITY, SORTED_BY
from surge.plan.verify.totals import COST_PARTS, EARTH_RADIUS_KM, haversine_km
from surge.scenario.model import Scenario

__all__ = ["COST_PARTS", "EARTH_RADIUS_KM", "MAX_QUANTITY", "SORTED_BY", "PlanIndex",
           "Verification", "Violation", "haversine_km", "slack", "verify"]


def verify(scenario: Scenario, plan: Plan) -> Verification:
    """Check every constraint of ``scenario`` on ``plan`` and recompute ``S`` and ``C``.

    Parameters
    ----------
    scenario : a valid scenario (from :func:`surge.load`).
    plan : the plan to check (from :meth:`Plan.read` or a solver).

    Returns
    -------
    Verification with ``ok`` true when no rule is broken.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is a violation, below
        found = rows.header(scenario, plan)
        if not plan.has_plan:
            found += rows.empty_plan(plan)
            return _result(found, None)
        found += rows.list_format(plan)
        found += rows.quantities(plan)
        ix = PlanIndex.build(scenario, plan)
        found += rows.references(ix)
        found += rows.horizon(ix)
        found += rows.activations(ix)
        found += rows.production_lines(ix)  # line-inactive, capability, line-not-ready
        found += rows.line_hours(ix)
        found += rows.supplier_availability(ix)
        found += rows.lead_times(ix)
        found += rows.supplier_capacity(ix)
        found += rows.shipment_routes(ix)
        found += rows.delivery_total(ix)
        found += rows.stock_balance(ix)
        recomputed = totals.recompute(ix)
        found += totals.overflow(recomputed)
        found += totals.policy(ix, recomputed)
        found += totals.claims(scenario, plan, recomputed)
        found += totals.optimal_gap(scenario, plan)
        return _result(found, recomputed)


def _result(found: Found, recomputed: totals.Totals | None) -> Verification:
    return Verification(
        ok=not found.violations, violations=found.violations, warnings=found.warnings,
        service=recomputed.service if recomputed else None,
        cost=recomputed.cost if recomputed else None,
        costs=dict(recomputed.costs) if recomputed else None,
        service_by_demand=dict(recomputed.service_by_demand) if recomputed else {},
        checks=dict(found.checks))

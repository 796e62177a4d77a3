"""Bottlenecks: which capacities, suppliers and policy rules hold a plan back, and by how much.

The plan's activation decisions are fixed (start weeks of the converted lines), which
leaves a linear program; it is solved at the service stage (objective ``S``) and at the
cost stage (objective ``C`` with ``S <= S*``), and the dual value of each constraint is
read. A dual ``y`` of a ``<=`` row of a minimisation is the change of the objective per
unit more of its right-hand side, so ``-y`` is what one more unit saves:

* ``line-hours`` (option x week): unit-weeks of lateness [unit-weeks/h] and currency
  [cur/h] saved per extra line hour in that week;
* ``supplier-capacity`` (offer x week): saved per extra unit that may be ordered;
* ``policy-budget``: saved per extra unit of currency of budget;
* ``policy-organization-share`` (item x organisation), ``policy-restricted-origins``
  (item): saved per extra unit the rule lets through.

Rows whose dual is not zero are grouped into *runs* of consecutive weeks of the same object.
Each run is priced for a standard relaxation (:data:`RELAX_SHARE` more capacity in those
weeks, or a looser rule) and the runs are ranked by what that relaxation would save. Duals
are local and may be degenerate, so the top runs are confirmed by re-planning the scenario
with that relaxation (:func:`confirm`) and the re-planned effect is reported beside them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from surge.errors import SurgeError
from surge.optimize.data import prepare
from surge.optimize.model import Built, create_model, offered_hours_coefficients
from surge.optimize.solve import n_labels
from surge.optimize.solver import HighsSession
from surge.plan.model import Plan
from surge.scenario.model import Scenario

RELAX_SHARE = 0.25    # relaxation priced and re-planned: +25% of a capacity in its run
RELAX_RULE = 0.05     # +0.05 on a share rule of the policy
RELAX_BUDGET = 0.10   # +10% budget
DUAL_TOL = 1e-7       # duals below this (relative to the objective scale) are zero


@dataclass
class Bottleneck:
    """One run of consecutive weeks in which one object's constraint holds the plan back.

    ``service_per_unit`` [unit-weeks per unit] and ``cost_per_unit`` [currency per unit]
    are what one more unit of the limit *in every week of the run* saves (sum of the
    duals); ``unit`` says what the unit is (an hour, a unit of an item, a unit of currency).
    ``relax`` is the standard relaxation (``relax_amount`` units a week) and
    ``service_saved`` / ``cost_saved`` what the duals predict it saves.
    """

    kind: str            # line | supplier | budget | organization-share | restricted-origins
    object: str          # line id, "supplier/item", "item/organization", item, "budget"
    label: str           # for a person
    first_week: int | None
    last_week: int | None
    unit: str
    service_per_unit: float
    cost_per_unit: float
    relax: str
    relax_amount: float
    service_saved: float
    cost_saved: float
    item: str | None = None
    confirmation: dict[str, Any] | None = None

    @property
    def weeks(self) -> str:
        if self.first_week is None:
            return "the whole horizon"
        if self.first_week == self.last_week:
            return f"week {self.first_week}"
        return f"weeks {self.first_week}-{self.last_week}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Duals:
    """Stage values and duals of the plan's linear program (activations fixed)."""

    service: float
    cost: float
    rows: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    # family -> (labels array, service duals array, cost duals array), same shapes
    coords: dict[str, list[list[str]]] = field(default_factory=dict)
    offered: np.ndarray | None = None   # (option, week) hours offered under the plan [h]
    options: list[str] = field(default_factory=list)


FAMILIES = ("line-hours", "supplier-capacity", "policy-budget", "policy-organization-share",
            "policy-restricted-origins")


def activation_vector(b: Built, plan: Plan, n: int) -> np.ndarray:
    """Values of the activation variables for the plan's activations (label-indexed)."""
    x = np.zeros(n)
    d = b.d
    index = {(ln, o): k for k, (ln, o) in enumerate(zip(d.opt_line, d.opt_id, strict=True))}
    for a in plan.activations:
        k = index.get((a.line, a.option))
        if k is None:
            continue  # an option that can never offer an hour within the horizon
        labels = b.act[k, a.start_week:]
        x[labels[labels >= 0]] = 1.0
    return x


def lp_duals(sc: Scenario, plan: Plan, *, time_limit: float = 60.0) -> Duals:
    """Solve the plan's LP (activations fixed) at both stages and read the duals."""
    d = prepare(sc)
    b = create_model(d)
    n = n_labels(b.m)
    session = HighsSession(b.m)
    x_act = activation_vector(b, plan, n)
    session.fix_integers(x_act)
    assert b.service is not None and b.cost is not None
    s_vec, c_vec = b.service.vector(n), b.cost.vector(n)
    session.set_objective(s_vec)
    first = session.run("service-lp", time_limit=time_limit, mip_gap=0.0)
    if first.value is None:
        raise SurgeError(f"cannot explain the plan: its activations leave no feasible "
                         f"schedule ({first.message})")
    duals_s = session.row_duals()
    s_star = float(first.value)
    session.add_row(s_vec, -np.inf, s_star + max(1e-7, 1e-9 * abs(s_star)))
    session.set_objective(c_vec)
    second = session.run("cost-lp", time_limit=time_limit, mip_gap=0.0)
    duals_c = session.row_duals() if second.value is not None else np.zeros_like(duals_s)
    out = Duals(service=s_star, cost=float(second.value or 0.0))
    for name in FAMILIES:
        if name not in b.m.constraints:
            continue
        con = b.m.constraints[name]
        labels = np.atleast_1d(con.labels.values)
        ok = labels >= 0
        ys = np.where(ok, duals_s[np.clip(labels, 0, None)], 0.0)
        yc = np.where(ok, duals_c[np.clip(labels, 0, None)], 0.0)
        out.rows[name] = (labels, np.nan_to_num(ys), np.nan_to_num(yc))
        out.coords[name] = [[str(v) for v in con.labels.coords[dim].values]
                            for dim in con.labels.dims]
    if len(d.opt_id):
        coef = offered_hours_coefficients(d)  # (K, T, S)
        act = np.where(b.act >= 0, x_act[np.clip(b.act, 0, None)], 0.0)
        out.offered = np.einsum("kts,ks->kt", coef, act)
        out.options = d.option_names
    return out


def _runs(active: np.ndarray) -> list[tuple[int, int]]:
    """Runs ``(first, last)`` of consecutive True weeks."""
    runs, start = [], None
    for t, on in enumerate(list(active) + [False]):
        if on and start is None:
            start = t
        elif not on and start is not None:
            runs.append((start, t - 1))
            start = None
    return runs


def nice(x: float) -> float:
    """``x`` rounded to two significant digits (500, 1,200, 0.25) [same unit]."""
    if x <= 0 or not math.isfinite(x):
        return 0.0
    digits = 1 - int(math.floor(math.log10(x)))
    return float(round(x, digits))


def find_bottlenecks(sc: Scenario, plan: Plan, duals: Duals) -> list[Bottleneck]:
    """Every run of binding capacity, supply and policy constraints, ranked by what the
    standard relaxation would save (lateness first, then cost)."""
    scale_s = max(1.0, abs(duals.service))
    scale_c = max(1.0, abs(duals.cost))
    tol_s, tol_c = DUAL_TOL * scale_s, DUAL_TOL * scale_c
    found: list[Bottleneck] = []
    lines = sc.by_id("lines")
    sup_names = {s.id: s.name or s.id for s in sc.suppliers}
    offers = {(s.id, o.item): o for s in sc.suppliers for o in s.offers}

    def weekly(name: str) -> list[tuple[int, np.ndarray, np.ndarray]]:
        if name not in duals.rows:
            return []
        _, ys, yc = duals.rows[name]
        return [(i, -ys[i], -yc[i]) for i in range(ys.shape[0])]

    for k, vs, vc in weekly("line-hours"):
        line_id, opt_id = duals.options[k].split("/", 1)
        line = lines[line_id]
        hours = duals.offered[k] if duals.offered is not None else np.zeros(sc.weeks)
        active = ((np.abs(vs) > tol_s) | (np.abs(vc) > tol_c)) & (hours > 0)
        opt = next(o for o in line.options if o.id == opt_id)
        step = nice(RELAX_SHARE * opt.hours_per_week)
        for a, z in _runs(active):
            extra = RELAX_SHARE * hours[a:z + 1]
            found.append(Bottleneck(
                kind="line", object=line_id, label=f"line {line.name or line_id}",
                first_week=a, last_week=z, unit="hour",
                service_per_unit=float(vs[a:z + 1].sum()), cost_per_unit=float(vc[a:z + 1].sum()),
                relax=f"{RELAX_SHARE:.0%} more hours a week on {line_id} (option {opt_id}: "
                      f"+{step:,g} h a week at full rate)",
                relax_amount=step,
                service_saved=float(vs[a:z + 1] @ extra), cost_saved=float(vc[a:z + 1] @ extra)))

    sup_coords = duals.coords.get("supplier-capacity", [[]])[0]
    for j, vs, vc in weekly("supplier-capacity"):
        sid, item = sup_coords[j].split("/", 1)
        offer = offers[(sid, item)]
        cap = np.array([offer.capacity(t) for t in range(sc.weeks)])
        active = (np.abs(vs) > tol_s) | (np.abs(vc) > tol_c)
        for a, z in _runs(active):
            step = nice(RELAX_SHARE * float(cap[a:z + 1].max())) or 1.0
            found.append(Bottleneck(
                kind="supplier", object=f"{sid}/{item}", item=item,
                label=f"{_item_name(sc, item)} from {sup_names[sid]}",
                first_week=a, last_week=z, unit=f"unit of {item} a week",
                service_per_unit=float(vs[a:z + 1].sum()), cost_per_unit=float(vc[a:z + 1].sum()),
                relax=f"{step:,g} more {item} a week from {sid} in weeks {a}-{z}",
                relax_amount=step,
                service_saved=float(vs[a:z + 1].sum() * step),
                cost_saved=float(vc[a:z + 1].sum() * step)))

    found += _policy_bottlenecks(sc, plan, duals, tol_s, tol_c)
    found.sort(key=lambda x: (-round(x.service_saved, 6), -round(x.cost_saved, 6), x.label))
    return found


def _policy_bottlenecks(sc: Scenario, plan: Plan, duals: Duals, tol_s: float,
                        tol_c: float) -> list[Bottleneck]:
    out = []
    pol = sc.policy
    if "policy-budget" in duals.rows:
        _, ys, yc = duals.rows["policy-budget"]
        vs, vc = -float(ys.ravel()[0]), -float(yc.ravel()[0])
        if abs(vs) > tol_s or abs(vc) > tol_c:
            step = nice(RELAX_BUDGET * abs(pol.budget or 0.0))
            out.append(Bottleneck(
                kind="budget", object="budget", label="the budget", first_week=None,
                last_week=None, unit=f"{sc.currency} of budget", service_per_unit=vs,
                cost_per_unit=vc, relax=f"a budget {step:,.0f} {sc.currency} larger",
                relax_amount=step, service_saved=vs * step, cost_saved=vc * step))
    made: dict[str, float] = {}
    for row in plan.production:
        op = sc.by_id("operations")[row.operation]
        made[op.produces] = made.get(op.produces, 0.0) + row.quantity
    if "policy-organization-share" in duals.rows:
        _, ys, yc = duals.rows["policy-organization-share"]
        items, orgs = duals.coords["policy-organization-share"]
        for i, item in enumerate(items):
            for g, org in enumerate(orgs):
                vs, vc = -float(ys[i, g]), -float(yc[i, g])
                if abs(vs) <= tol_s and abs(vc) <= tol_c:
                    continue
                units = RELAX_RULE * made.get(item, 0.0)
                out.append(Bottleneck(
                    kind="organization-share", object=f"{item}/{org}", item=item,
                    label=f"the share rule on {org}'s {_item_name(sc, item)}",
                    first_week=None, last_week=None, unit=f"unit of {item} made by {org}",
                    service_per_unit=vs, cost_per_unit=vc,
                    relax=f"max_share_per_organization {RELAX_RULE:+g}",
                    relax_amount=RELAX_RULE, service_saved=vs * units, cost_saved=vc * units))
    if "policy-restricted-origins" in duals.rows:
        _, ys, yc = duals.rows["policy-restricted-origins"]
        (items,) = duals.coords["policy-restricted-origins"]
        bought: dict[str, float] = {}
        for buy in plan.purchases:
            bought[buy.item] = bought.get(buy.item, 0.0) + buy.quantity
        for i, item in enumerate(items):
            vs, vc = -float(ys[i]), -float(yc[i])
            if abs(vs) <= tol_s and abs(vc) <= tol_c:
                continue
            units = RELAX_RULE * bought.get(item, 0.0)
            out.append(Bottleneck(
                kind="restricted-origins", object=item, item=item,
                label=f"the restricted-origins rule on {_item_name(sc, item)}",
                first_week=None, last_week=None, unit=f"unit of {item} from restricted countries",
                service_per_unit=vs, cost_per_unit=vc,
                relax=f"restricted_origins.max_share {RELAX_RULE:+g}", relax_amount=RELAX_RULE,
                service_saved=vs * units, cost_saved=vc * units))
    return out


def _item_name(sc: Scenario, item: str) -> str:
    obj = sc.by_id("items").get(item)
    return (obj.name if obj is not None and obj.name else item)


# --- confirming by re-planning ----------------------------------------------------------


def relaxation(sc: Scenario, b: Bottleneck) -> dict[str, Any]:
    """The overlay (partial scenario, docs/whatif.md) that applies ``b``'s relaxation."""
    if b.kind == "supplier":
        sid, item = b.object.split("/", 1)
        offer = next(o for s in sc.suppliers if s.id == sid for o in s.offers if o.item == item)
        cap = [offer.capacity(t) for t in range(sc.weeks)]
        assert b.first_week is not None and b.last_week is not None
        for t in range(b.first_week, b.last_week + 1):
            cap[t] += b.relax_amount
        return {"suppliers": [{"id": sid, "offers": [{"item": item, "capacity_per_week": cap}]}]}
    if b.kind == "line":
        line = sc.by_id("lines")[b.object]
        return {"lines": [{"id": line.id, "options": [
            {"id": o.id, "hours_per_week": o.hours_per_week * (1 + RELAX_SHARE)}
            for o in line.options]}]}
    if b.kind == "budget":
        return {"policy": {"budget": (sc.policy.budget or 0.0) + b.relax_amount}}
    if b.kind == "organization-share":
        share = sc.policy.max_share_per_organization or 1.0
        return {"policy": {"max_share_per_organization": min(1.0, share + RELAX_RULE)}}
    ro = sc.policy.restricted_origins
    assert ro is not None
    return {"policy": {"restricted_origins": {"max_share": min(1.0, ro.max_share + RELAX_RULE)}}}


def confirm(sc: Scenario, plan: Plan, b: Bottleneck, *, time_limit: float = 10.0) -> dict[str, Any]:
    """Re-plan ``sc`` with ``b`` relaxed (full solve); the effect on S, C and deliveries."""
    from surge.optimize import solve
    from surge.scenario.overlay import apply

    relaxed = apply(sc, relaxation(sc, b))
    new = solve(relaxed, time_limit=time_limit)
    if not new.has_plan:
        return {"status": new.status, "message": new.message}
    before = delivered_by_week(sc, plan)
    after = delivered_by_week(sc, new)
    gain = {item: after[item] - before[item] for item in before}
    best_item, best_week, best = None, None, 0.0
    for item, diff in gain.items():
        t = int(np.argmax(diff))
        if diff[t] > best + 1e-6:
            best_item, best_week, best = item, t, float(diff[t])
    return {
        "status": new.status,
        "service": new.objective.service, "cost": new.objective.cost,
        "service_change": float(new.objective.service or 0) - float(plan.objective.service or 0),
        "cost_change": float(new.objective.cost or 0) - float(plan.objective.cost or 0),
        "more_units": best, "item": best_item, "by_week": best_week,
    }


def delivered_by_week(sc: Scenario, plan: Plan) -> dict[str, np.ndarray]:
    """Cumulative units delivered by the end of each week, per demanded item [units]."""
    item_of = {d.id: d.item for d in sc.demands}
    out = {item: np.zeros(sc.weeks) for item in item_of.values()}
    for row in plan.deliveries:
        out[item_of[row.demand]][row.week] += row.quantity
    return {item: np.cumsum(v) for item, v in out.items()}

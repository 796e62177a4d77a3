"""Explaining a plan: bottlenecks and their marginal value, shortfalls, what-ifs, comparison.

>>> import surge
>>> from surge.explain import explain
>>> sc = surge.load("examples/minimal.yaml")
>>> e = explain(sc, surge.solve(sc), confirm_top=0)
>>> e.service, e.shortfalls
(0.0, [])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from surge.plan.model import TOL, Plan  # TOL: lateness at or below it is on time
from surge.scenario.model import Scenario

if TYPE_CHECKING:  # the optimiser (linopy) loads only when a plan is explained
    from surge.explain.bottlenecks import Bottleneck
    from surge.explain.shortfall import Miss

__all__ = ["Explanation", "explain", "report_section"]


@dataclass
class Explanation:
    """Why a plan is what it is: ranked bottlenecks and missed due dates.

    ``service`` [unit-weeks] and ``cost`` [currency] are the plan's linear program with its
    activations fixed, at the service and cost stages (what the duals are relative to).
    """

    scenario: str
    status: str
    service: float | None = None
    cost: float | None = None
    bottlenecks: list[Bottleneck] = field(default_factory=list)
    shortfalls: list[Miss] = field(default_factory=list)
    note: str = ""
    rules: list[str] = field(default_factory=list)  # hard rules that hold the plan back

    def to_dict(self) -> dict[str, Any]:
        from surge.explain.story import bottleneck_sentence, shortfall_sentence

        return {
            "scenario": self.scenario, "status": self.status, "service": self.service,
            "cost": self.cost, "note": self.note, "rules": self.rules,
            "bottlenecks": [dict(b.to_dict(), sentence=bottleneck_sentence(b))
                            for b in self.bottlenecks],
            "shortfalls": [dict(m.to_dict(), sentence=shortfall_sentence(m))
                           for m in self.shortfalls],
        }


def explain(scenario: Scenario, plan: Plan, *, confirm_top: int = 3,
            time_limit: float = 10.0, progress: Any = None) -> Explanation:
    """Bottlenecks (ranked, the top ``confirm_top`` confirmed by re-planning with
    ``time_limit`` seconds each) and the shortfall diagnosis of ``plan``."""
    from surge.explain.bottlenecks import confirm, find_bottlenecks, lp_duals
    from surge.explain.shortfall import diagnose

    say = progress or (lambda step: None)
    if not plan.has_plan:
        return Explanation(scenario.name, plan.status,
                           note=f"the plan holds no schedule ({plan.status}): {plan.message}")
    say("duals")
    duals = lp_duals(scenario, plan)
    ranked = find_bottlenecks(scenario, plan, duals)
    for b in [b for b in ranked if b.service_saved > 0 or b.cost_saved > 0][:confirm_top]:
        say(f"confirm {b.label}")
        b.confirmation = confirm(scenario, plan, b, time_limit=time_limit)
    rules: list[str] = []
    service = plan.objective.service or 0.0
    if service > TOL and not any(b.service_saved > 0 for b in ranked):
        # The duals see nothing (e.g. every line fixed off): re-plan without each rule.
        say("hard rules")
        rules = binding_rules(scenario, service, time_limit=time_limit)
    say("shortfalls")
    from surge.explain.story import on_time

    due = sum(d.total for d in scenario.demands)
    return Explanation(scenario.name, plan.status, on_time(duals.service, due), duals.cost,
                       ranked, diagnose(scenario, plan), rules=rules)


def _without(scenario: Scenario, rule: str) -> Scenario:
    field_name = {"budget": "budget", "organization-share": "max_share_per_organization",
                  "restricted-origins": "restricted_origins"}[rule]
    return scenario.model_copy(update={
        "policy": scenario.policy.model_copy(update={field_name: None})})


def binding_rules(scenario: Scenario, service: float, *, time_limit: float = 10.0) -> list[str]:
    """Sentences naming each hard policy rule without which lateness would fall, found by
    re-planning with that rule alone relaxed (``time_limit`` seconds each) [unit-weeks]."""
    from surge.explain.story import amount
    from surge.optimize import solve
    from surge.optimize.data import prepare
    from surge.optimize.diagnose import policy_rules_present, rule_words

    d = prepare(scenario)
    out = []
    for rule in policy_rules_present(d):
        relaxed = solve(_without(scenario, rule), time_limit=time_limit)
        s = relaxed.objective.service
        if relaxed.has_plan and s is not None and s < service - max(TOL, 1e-6 * service):
            proof = "" if relaxed.status == "optimal" else " (re-planned, not proven optimal)"
            out.append(f"{rule_words(d, rule)} holds this plan back: without it, lateness S "
                       f"falls from {amount(service)} to {amount(s)} unit-weeks{proof}.")
    return out


def report_section(scenario: Scenario, plan: Plan, explanation: Explanation) -> Any:
    """The report's "Why this plan" section (see :mod:`surge.explain.report`)."""
    from surge.explain.report import why_section

    return why_section(scenario, plan, explanation)

"""Naming the policy rule that makes a scenario infeasible.

Without policy rules every scenario is feasible (the empty plan is), so when a model is
infeasible one of its hard rules is at fault: each is relaxed in turn and the model is
solved again for any plan at all.
"""

from __future__ import annotations

import time

from surge.optimize.data import ModelData
from surge.optimize.model import create_model
from surge.optimize.solver import HighsSession
from surge.optimize.stages import n_labels

POLICY_RULES = ("budget", "organization-share", "restricted-origins")
MIN_RULE_SECONDS = 1.0  # each re-plan gets at least this long [s]


def policy_rules_present(d: ModelData) -> list[str]:
    """The hard policy rules of ``d``'s scenario, by model name (see :data:`POLICY_RULES`)."""
    pol = d.sc.policy
    present = []
    if pol.budget is not None:
        present.append("budget")
    if pol.max_share_per_organization is not None:
        present.append("organization-share")
    if pol.restricted_origins is not None:
        present.append("restricted-origins")
    return present


def rule_words(d: ModelData, rule: str) -> str:
    """How a planner names ``rule`` in the scenario file."""
    pol = d.sc.policy
    return {"budget": f"policy.budget = {pol.budget}",
            "organization-share":
                f"policy.max_share_per_organization = {pol.max_share_per_organization}",
            "restricted-origins": "policy.restricted_origins"}[rule]


def diagnose_infeasible(d: ModelData, *, time_limit: float = 30.0) -> str:
    """Name the policy rule that makes the scenario infeasible, by relaxing each in turn.

    Parameters
    ----------
    d : ModelData
        The prepared scenario.
    time_limit : float
        Seconds for the whole diagnosis [s], shared equally by the rules (at least
        ``MIN_RULE_SECONDS`` each).
    """
    pol = d.sc.policy
    if pol.budget is not None and pol.budget < 0:
        return (f"policy.budget = {pol.budget:,.2f} is negative: every plan costs at least 0 "
                "(the empty plan costs 0), so no plan can hold")
    present = policy_rules_present(d)
    deadline = time.perf_counter() + max(time_limit, 0.0)
    culprits = []
    for i, rule in enumerate(present):
        share = max((deadline - time.perf_counter()) / (len(present) - i), MIN_RULE_SECONDS)
        b = create_model(d, relax_policy=frozenset([rule]))
        session = HighsSession(b.m)
        assert b.service is not None
        session.set_objective(b.service.vector(n_labels(b.m)))
        if session.run("diagnose", time_limit=share, mip_gap=1.0).has_solution:
            culprits.append(rule)
    if culprits:
        return "infeasible because of " + " or ".join(rule_words(d, c) for c in culprits) + \
            ": relaxing it makes a plan possible"
    return "infeasible: no single policy rule is at fault; the rules conflict together (" + \
        ", ".join(rule_words(d, c) for c in present) + ")"

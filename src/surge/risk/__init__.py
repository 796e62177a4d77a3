"""Risk of a plan: Monte Carlo of its execution under the scenario's uncertainty.

>>> from surge.risk import simulate  # doctest: +SKIP
>>> simulate(scenario, plan, runs=10_000, seed=7)["p_all_met"]  # doctest: +SKIP
"""

from surge.risk.simulate import simulate

__all__ = ["simulate"]

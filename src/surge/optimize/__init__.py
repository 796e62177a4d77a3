"""Building and solving the planning MILP (linopy + HiGHS)."""

from surge.optimize.solve import solve, solve_detailed

__all__ = ["solve", "solve_detailed"]

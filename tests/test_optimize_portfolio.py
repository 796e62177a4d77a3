"""Scale-out of the planner on Dask (``surge plan --cluster``): the same answer whatever the
number of workers, and each task gives on a worker what it gives in this process.

Every plan goes through the verifier (``solve_and_verify``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import surge
from conftest import solve_and_verify
from surge.errors import SolverError
from surge.optimize.construct import greedy_options
from surge.optimize.data import prepare
from surge.optimize.model import create_model
from surge.optimize.portfolio import Portfolio, Task
from surge.optimize.solver import HighsSession
from surge.optimize.stages import fix_all_lines, n_labels
from surge.scenario.generate import generate

DEMO = Path(__file__).resolve().parents[1] / "examples" / "uav-france.yaml"


def test_demo_plan_is_the_same_whatever_the_number_of_workers() -> None:
    """The demo: optimal with C = 2,845,520.79 (as without a cluster), and the same plan
    (activations, cost) on 2 and 3 workers; one worker solves in this process, as
    without a cluster."""
    sc = surge.load(DEMO)
    specs = (None, "local:1", "local:2", "local:3")
    plans = [solve_and_verify(sc, cluster=spec, time_limit=120) for spec in specs]
    for spec, plan in zip(specs, plans, strict=True):
        assert plan.status == "optimal"
        assert plan.objective.cost == pytest.approx(2_845_520.79, abs=0.5)
        workers = int(spec[6:]) if spec else 0
        assert plan.model_extra["solver"]["workers"] == (workers if workers >= 2 else 0)
    here, one, two, three = plans
    for a, b in ((here, one), (two, three)):
        assert [x.model_dump() for x in a.activations] == \
            [x.model_dump() for x in b.activations]
        assert a.objective.cost == pytest.approx(b.objective.cost, rel=1e-9)


def test_tasks_on_workers_give_what_they_give_here() -> None:
    """Generated 12 lines x 10 weeks: a construction, an every-line-on LP and a
    neighbourhood MIP give the same plans (to 1e-6) on two workers as in this process."""
    sc = surge.load(generate(12, 10, seed=3))
    b = create_model(prepare(sc))
    n = n_labels(b.m)
    session = HighsSession(b.m, threads=1)
    options = greedy_options(b, 1.5)
    assert options
    fix_all = fix_all_lines(b)
    free = set(options[:2])
    fix_some = {int(lab): (1.0 if k in options else 0.0) for k in range(len(b.d.opt_id))
                if k not in free for lab in b.act[k] if lab >= 0}
    tasks = [Task("construct", "service", 60, options=options),
             Task("fixed", "service", 60, fix=fix_all, method="simplex"),
             Task("restricted", "weighted", 60, fix=fix_some, gap=1e-6)]
    here = Portfolio(sc).map([*tasks], b, session, -1)
    with Portfolio(sc, "local:2") as pf:
        assert pf.workers == 2
        there = pf.map(tasks, b, session, -1)
    assert [o.x is None for o in here] == [False, False, False]
    for a, c in zip(here, there, strict=True):
        assert a.x is not None and c.x is not None
        assert len(a.x) == len(c.x) == n
        np.testing.assert_allclose(a.x, c.x, atol=1e-6)


def test_cluster_with_another_solver_is_refused() -> None:
    with pytest.raises(SolverError, match="HiGHS solver only"):
        surge.solve(surge.load(DEMO), cluster="local:1", solver="glpk")

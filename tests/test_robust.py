"""Risk-aware planning (docs/robust.md): buffers, the search, the frontier, Dask."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pytest

import surge
from surge.plan.model import Plan
from surge.risk import simulate
from surge.robust import Buffers, Settings, apply, search, to_original
from surge.robust.buffers import due_key
from surge.robust.frontier import frontier_document, robust_key
from surge.robust.measure import measure
from surge.robust.search import quantile
from surge.scenario.model import Scenario

DELAY = {0: 0.5, 1: 0.3, 2: 0.15, 3: 0.05}  # P(delay <= L) = 0.5, 0.8, 0.95, 1.0

TINY: dict[str, Any] = {
    "surge": 1, "name": "one supplier, one order", "start": "2026-01-05", "weeks": 12,
    "items": [{"id": "kit"}],
    "operations": [],
    "organizations": [{"id": "acme"}],
    "sites": [{"id": "depot", "organization": "acme", "country": "FR", "lat": 48.8,
               "lon": 2.3}],
    "lines": [],
    # lead time 2; orders may be placed from week 6: at most 2 weeks of safety lead time
    "suppliers": [{"id": "slowco", "country": "FR", "offers": [
        {"item": "kit", "unit_price": 10, "lead_time_weeks": 2, "capacity_per_week": 1000,
         "available_from_week": 6}]}],
    "demands": [{"id": "order", "item": "kit", "site": "depot",
                 "due": [{"week": 10, "quantity": 100}]}],
    "uncertainty": {"suppliers": {"slowco": {"delay_weeks": DELAY}}},
}


def tiny(**changes: Any) -> Scenario:
    doc = copy.deepcopy(TINY)
    doc.update(changes)
    return Scenario.model_validate(doc)


def verified(sc: Scenario, plan: Plan) -> None:
    v = surge.verify(sc, plan)
    assert v.ok, "\n".join(str(x) for x in v.violations)


def cdf(slack: int) -> float:
    return sum(p for w, p in DELAY.items() if w <= slack)


def slack_of(plan: Plan) -> int:
    """Weeks between the (single) order's arrival and the due week."""
    (p,) = {(r.week, r.arrival_week) for r in plan.purchases}
    return 10 - p[1]


def test_quantile_is_the_smallest_safety_lead_time() -> None:
    assert [quantile(DELAY, p) for p in (0.5, 0.6, 0.8, 0.9, 0.95, 0.99)] == [0, 1, 1, 2, 2, 3]


def test_tiny_case_reaches_the_target_with_the_analytic_safety_lead_time() -> None:
    sc = tiny()
    r = search(sc, Settings(target=0.9, runs=2000, seed=3, check_runs=20_000, check_seed=4))
    assert r.reached
    plan = r.chosen.plan
    assert plan is not None
    verified(sc, plan)
    assert plan.objective.service == 0.0
    # the only plans reaching 0.9 order 2 weeks early (the cheapest safety lead time: the
    # 0.9-quantile of the delay), and meet the order with probability exactly 0.95
    assert slack_of(plan) == 2
    ms = r.chosen.checked
    assert ms is not None and ms.runs == 20_000 and ms.seed == 4
    assert abs(ms.min_p - cdf(2)) < 4 * math.sqrt(cdf(2) * (1 - cdf(2)) / ms.runs)
    assert r.chosen.cost == pytest.approx(1000.0)  # no euro more: only the timing moved
    key = robust_key(sc, r)
    assert key["reached"] and key["runs"] == 20_000 and key["seed"] == 4
    assert key["tuning"]["seed"] == 3 and key["method"] == "buffer-search"
    assert key["min_p_stderr"] == pytest.approx(math.sqrt(ms.min_p * (1 - ms.min_p) / 20_000))


def test_tiny_case_infeasible_target_says_what_caps_it() -> None:
    sc = tiny()
    r = search(sc, Settings(target=0.97, runs=2000, seed=3, check_runs=20_000, check_seed=4))
    assert not r.reached
    assert r.chosen.plan is not None and slack_of(r.chosen.plan) == 2
    verified(sc, r.chosen.plan)
    ms = r.chosen.checked
    assert ms is not None
    assert abs(ms.min_p - 0.95) < 4 * math.sqrt(0.95 * 0.05 / ms.runs)
    assert r.cap is not None
    assert r.cap["due_date"] == {"demand": "order", "week": 10}
    assert r.cap["source"]["kind"] == "supplier" and r.cap["source"]["id"] == "slowco"
    doc = frontier_document(sc, r)
    assert doc["reached"] is False and doc["cap"]["due_date"]["week"] == 10
    json.dumps(doc, allow_nan=False)


def test_slack_the_plan_already_holds_does_not_stop_the_search(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Orders cost the same in weeks 6-8: every week is an optimum. Pin the tie the way a
    # planner would not expect it: the deterministic optimum orders in week 7 (1 week of
    # slack already), every buffered plan just in time. A 1-week safety lead time or due
    # date then plans the same order again; the search must raise it past that slack (the
    # 0.97-quantile, 3 weeks, is late) instead of stopping at the deterministic optimum.
    import surge.optimize

    real = surge.optimize.solve

    def pinned(sc: Scenario, **kw: Any) -> Plan:
        plan = real(sc, **kw)
        lead = sc.suppliers[0].offers[0].lead_time_weeks
        due = sc.demands[0].due[0].week
        week = due - lead - (1 if (lead, due) == (2, 10) else 0)
        if week < 6 or plan.objective.service or len(plan.purchases) != 1:
            return plan
        (p,) = plan.purchases
        (d,) = plan.deliveries
        return plan.model_copy(update={
            "purchases": [p.model_copy(update={"week": week, "arrival_week": week + lead})],
            "deliveries": [d.model_copy(update={"week": due})]})

    monkeypatch.setattr(surge.optimize, "solve", pinned)
    sc = tiny()
    det = surge.optimize.solve(sc, threads=1)
    verified(sc, det)
    assert slack_of(det) == 1
    r = search(sc, Settings(target=0.97, runs=2000, seed=3, check_runs=20_000, check_seed=4))
    assert not r.reached
    for c in r.frontier:
        assert c.plan is not None
        verified(sc, c.plan)
    assert r.chosen.plan is not None and slack_of(r.chosen.plan) == 2
    ms = r.chosen.checked
    assert ms is not None and abs(ms.min_p - 0.95) < 4 * math.sqrt(0.95 * 0.05 / ms.runs)
    assert r.chosen.cost == pytest.approx(1000.0)


def test_buffers_map_back_to_a_verified_plan_of_the_demo() -> None:
    sc = surge.load("examples/uav-france-robust.yaml")
    det = surge.solve(sc, threads=1)
    b = (Buffers(supplier_lead={"asia-motors": 2}, line_lead={"tg-l1": 1},
                 derate={"cleon-l1": 0.1}, over_order={"motor": 0.15},
                 due_lead={due_key("order-main", 24): 1}, safety_stock={"order-training": 0.03}))
    buffered = apply(sc, b)
    assert buffered.by_id("suppliers")["asia-motors"].offers[0].lead_time_weeks == 14
    assert sc.by_id("suppliers")["asia-motors"].offers[0].lead_time_weeks == 12  # a copy
    bp = surge.solve(buffered, threads=1)
    verified(buffered, bp)
    plan = to_original(sc, bp, b, bounds=det.objective)
    verified(sc, plan)
    assert plan.status == "feasible"
    assert plan.objective.cost >= det.objective.cost_bound - 1e-6
    # the order arrives after the original lead time: 2 weeks before the buffered plan needs it
    late = {(r.supplier, r.week): r.arrival_week for r in bp.purchases}
    for r in plan.purchases:
        if r.supplier == "asia-motors":
            assert late[(r.supplier, r.week)] - r.arrival_week == 2


def test_unknown_buffer_ids_are_named() -> None:
    with pytest.raises(ValueError, match="no-such-supplier"):
        apply(tiny(), Buffers(supplier_lead={"no-such-supplier": 1}))
    with pytest.raises(ValueError, match="order@3"):
        apply(tiny(), Buffers(due_lead={"order@3": 1}))


def test_measure_matches_the_risk_file() -> None:
    sc = tiny()
    plan = surge.solve(sc, threads=1)
    ms = measure(sc, plan, runs=3000, seed=9)
    doc = simulate(sc, plan, runs=3000, seed=9, criticality_runs=0)
    assert ms.p_on_time == [d["p_on_time"] for d in doc["due_dates"]]
    assert ms.p_all_met == doc["p_all_met"]


def test_same_result_whatever_the_number_of_workers() -> None:
    from surge.robust.parallel import Runner

    sc = tiny()
    st = Settings(target=0.9, runs=500, seed=1, check_runs=2000, check_seed=2)
    docs = []
    for cluster in (None, "local:1", "local:2"):
        with Runner(sc, st, cluster) as runner:
            r = search(sc, st, runner.many)
        doc = frontier_document(sc, r) | {"seconds": 0}
        for p in doc["points"]:
            p["plan"].pop("solver", None)  # the solver's own statistics: times
        docs.append(doc)
    assert docs[0] == docs[1] == docs[2]
    assert len(docs[0]["points"]) >= 2


def test_cli_plan_frontier_report_and_explain(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from surge.cli import app, register_commands

    register_commands()
    sc_path = tmp_path / "tiny.json"
    sc_path.write_text(json.dumps(TINY))
    runner = CliRunner()
    plan_path, front = tmp_path / "plan.json", tmp_path / "frontier.json"
    out = runner.invoke(app, ["plan", str(sc_path), "--target-on-time", "0.9", "--runs", "1000",
                              "--check-runs", "4000", "-o", str(plan_path),
                              "--frontier", str(front)])
    assert out.exit_code == 0, out.output
    assert "target reached" in out.output
    plan = Plan.read(plan_path)
    verified(tiny(), plan)
    info = (plan.model_extra or {})["robust"]
    assert info["reached"] and info["runs"] == 4000 and info["seed"] == 1
    assert info["tuning"] == {"runs": 1000, "seed": 0, "min_p_on_time": info["tuning"]["min_p_on_time"]}
    doc = json.loads(front.read_text())
    assert doc["surge_frontier"] == 1 and any(p["chosen"] for p in doc["points"])
    for p in doc["points"]:
        verified(tiny(), Plan.from_dict(p["plan"]))
    out = runner.invoke(app, ["explain", str(sc_path), str(plan_path), "--confirm", "0"])
    assert out.exit_code == 0, out.output
    assert "safety lead time" in out.output or "earlier" in out.output
    html = tmp_path / "r.html"
    out = runner.invoke(app, ["report", str(sc_path), str(plan_path), "--frontier", str(front),
                              "-o", str(html)])
    assert out.exit_code == 0, out.output
    page = html.read_text()
    assert "A plan that holds" in page and "side by side" in page
    out = runner.invoke(app, ["frontier", str(sc_path), "-o", str(tmp_path / "f2.json"),
                              "--runs", "500", "--check-runs", "1000", "--max-steps", "3"])
    assert out.exit_code == 0, out.output
    bad = runner.invoke(app, ["plan", str(sc_path), "--target-on-time", "1.5", "-o",
                              str(tmp_path / "x.json")])
    assert bad.exit_code == 2 and "strictly between 0 and 1" in bad.output
    same = runner.invoke(app, ["plan", str(sc_path), "--target-on-time", "0.9", "--seed", "3",
                               "--check-seed", "3", "-o", str(tmp_path / "x.json")])
    assert same.exit_code == 2 and "must differ" in same.output

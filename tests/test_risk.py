"""Risk (docs/risk.md): invariants, analytic cases, reproducibility, the risk file, the CLI."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

import surge
from surge.cli import app, register_commands
from surge.plan.model import Plan
from surge.risk import simulate
from surge.risk.draws import draw
from surge.risk.model import prepare
from surge.risk.simulate import execute
from surge.scenario import validate

# --- one supplier, one line, one due date, zero slack ----------------------------------
# 200 kits bought in week 4 arrive in week 5, are assembled in week 5 (400 h of 400) and
# delivered in week 5, when they are due. Horizon 8 weeks: a unit never delivered is late
# in weeks 5, 6, 7 and then unmet_weeks = 8 more, 11 unit-weeks in all.


def tiny(uncertainty: dict | None = None, *, ready: int = 0, yield_: float = 1.0) -> dict:
    raw = {
        "surge": 1, "name": "tiny", "start": "2026-01-05", "weeks": 8,
        "items": [{"id": "kit"}, {"id": "drone"}],
        "operations": [{"id": "assemble", "produces": "drone", "consumes": {"kit": 1},
                        "capability": "assembly", "hours_per_unit": 2, "yield": yield_}],
        "organizations": [{"id": "acme"}],
        "sites": [{"id": "plant", "organization": "acme", "country": "FR", "lat": 48.8,
                   "lon": 2.3}],
        "lines": [{"id": "l1", "site": "plant", "options": [
            {"id": "convert", "capabilities": ["assembly"], "hours_per_week": 400 / yield_,
             "lead_time_weeks": ready}]}],
        "suppliers": [{"id": "kits", "country": "FR", "offers": [
            {"item": "kit", "unit_price": 1, "lead_time_weeks": 1, "capacity_per_week": 1000}]}],
        "demands": [{"id": "order-1", "item": "drone", "site": "plant",
                     "due": [{"week": 5, "quantity": 200}]}],
    }
    if uncertainty is not None:
        raw["uncertainty"] = uncertainty
    return raw


def tiny_plan(*, ready: int = 0, yield_: float = 1.0, quantity: float = 200.0) -> Plan:
    return Plan.from_dict({
        "scenario": "tiny", "status": "feasible",
        "activations": [{"line": "l1", "option": "convert", "start_week": 5 - ready if ready else 0,
                         "ready_week": 5 if ready else 0}],
        "production": [{"operation": "assemble", "line": "l1", "week": 5, "quantity": quantity}],
        "purchases": [{"supplier": "kits", "item": "kit", "site": "plant", "week": 4,
                       "arrival_week": 5, "quantity": quantity / yield_}],
        "deliveries": [{"demand": "order-1", "week": 5, "quantity": quantity}],
    })


def run(raw: dict, plan: Plan, runs: int = 4000, **kw: object) -> dict:
    return simulate(surge.load(raw), plan, runs=runs, seed=11, **kw)


def within_3se(estimate: float, exact: float, se: float) -> None:
    assert abs(estimate - exact) <= 3 * se + 1e-12, (estimate, exact, se)


def p_on_time(doc: dict) -> float:
    (due,) = doc["due_dates"]
    return due["p_on_time"]


def check_probability(doc: dict, exact: float) -> None:
    n = doc["runs"]
    within_3se(p_on_time(doc), exact, math.sqrt(exact * (1 - exact) / n))


def test_no_uncertainty_gives_the_plans_deliveries_and_service() -> None:
    doc = run(tiny(), tiny_plan(), runs=3)
    assert doc["expected_service"] == 0.0 and doc["service_stderr"] == 0.0
    assert doc["p_all_met"] == 1.0
    fan = {(d["week"]): (d["p10"], d["p50"], d["p90"]) for d in doc["deliveries"]}
    assert fan[4] == (0.0, 0.0, 0.0) and fan[5] == (200.0, 200.0, 200.0)
    assert doc["completion"] == [{"demand": "order-1", "week": 5, "probability": 1.0},
                                 {"demand": "order-1", "week": None, "probability": 0.0}]
    assert doc["criticality"] == []


def test_no_uncertainty_gives_the_service_of_a_feasible_short_plan() -> None:
    # 150 of 200: 50 late in weeks 5, 6, 7 and 8 unmet weeks -> S = 50 * 11 = 550
    doc = run(tiny(), tiny_plan(quantity=150), runs=2)
    assert doc["expected_service"] == pytest.approx(550.0, abs=1e-9)


def test_no_uncertainty_reproduces_an_optimal_plan_of_the_solver() -> None:
    sc = surge.load("examples/minimal.yaml")
    plan = surge.solve(sc)
    m = prepare(sc, plan)
    out = execute(m, draw(m, np.random.default_rng(0), 1))
    assert out.service[0] == pytest.approx(plan.objective.service, abs=1e-6)
    planned = np.cumsum([sum(d.quantity for d in plan.deliveries if d.week == w)
                         for w in range(sc.weeks)])
    np.testing.assert_allclose(out.delivered[:, 0, 0], planned, atol=1e-6)


def test_every_distribution_at_no_disruption_is_no_uncertainty() -> None:
    none = {"suppliers": {"*": {"delay_weeks": {0: 1.0}, "fill_rate": {"mean": 1.0},
                                "outage": {"probability_per_week": 0, "weeks": 3}}},
            "lines": {"*": {"slip_weeks": {0: 1}, "availability": 1}},
            "operations": {"*": {"yield_sd": 0}}}
    doc = run(tiny(none), tiny_plan(), runs=5)
    assert doc["expected_service"] == 0.0 and doc["criticality"] == []


def test_delay_with_zero_slack() -> None:
    doc = run(tiny({"suppliers": {"kits": {"delay_weeks": {0: 0.7, 2: 0.3}}}}), tiny_plan())
    check_probability(doc, 0.7)
    within_3se(doc["expected_service"], 0.3 * 200 * 2, doc["service_stderr"])
    (crit,) = doc["criticality"]
    assert (crit["kind"], crit["id"]) == ("supplier", "kits")
    assert crit["drop"] == pytest.approx(doc["expected_service"])  # perfect kits: S = 0


def test_availability_with_one_critical_week() -> None:
    doc = run(tiny({"lines": {"l1": {"availability": 0.9}}}), tiny_plan())
    check_probability(doc, 0.9)
    # down in week 5: one week late if up in 6, two if up in 7, else never delivered
    exact = 200 * (0.1 * 0.9 * 1 + 0.01 * 0.9 * 2 + 0.001 * 11)
    within_3se(doc["expected_service"], exact, doc["service_stderr"])


def test_fill_rate() -> None:
    doc = run(tiny({"suppliers": {"*": {"fill_rate": {"mean": 0.9, "sd": 0.05}}}}), tiny_plan())
    assert p_on_time(doc) == 0.0
    within_3se(doc["expected_service"], 200 * 0.1 * 11, doc["service_stderr"])
    median = 200 * stats.beta.median(0.9 * 31.4, 0.1 * 31.4)  # k = 0.9 * 0.1 / 0.05^2 - 1
    week5 = next(d for d in doc["deliveries"] if d["week"] == 5)
    assert week5["p50"] == pytest.approx(median, abs=1.0)


def test_an_outage_every_week_stops_every_order() -> None:
    doc = run(tiny({"suppliers": {"kits": {"outage": {"probability_per_week": 1, "weeks": 1}}}}),
              tiny_plan(), runs=10)
    assert doc["expected_service"] == 200 * 11 and p_on_time(doc) == 0.0
    assert doc["completion"][-1] == {"demand": "order-1", "week": None, "probability": 1.0}


def test_an_outage_delays_orders_due_during_it_to_its_end() -> None:
    # p = 0.5, 2 weeks: the order (due week 5) is late iff an outage starts in week 4 or 5;
    # it then arrives after the outage, assembled and delivered that week.
    doc = run(tiny({"suppliers": {"kits": {"outage": {"probability_per_week": 0.5, "weeks": 2}}}}),
              tiny_plan())
    check_probability(doc, 0.25)


def test_slip_with_zero_slack() -> None:
    doc = run(tiny({"lines": {"*": {"slip_weeks": {0: 0.5, 1: 0.5}}}}, ready=2), tiny_plan(ready=2))
    check_probability(doc, 0.5)
    within_3se(doc["expected_service"], 0.5 * 200, doc["service_stderr"])


def test_yield_draw_scales_good_output_of_the_planned_starts() -> None:
    unc = {"operations": {"assemble": {"yield_sd": 0.05}}}
    doc = run(tiny(unc, yield_=0.8), tiny_plan(yield_=0.8))
    a, b = 0.8 * (0.16 / 0.0025 - 1), 0.2 * (0.16 / 0.0025 - 1)
    check_probability(doc, float(stats.beta.sf(0.8, a, b)))
    # good output 250 * Y, never made up for: E[S] = 11 * E[(200 - 250 Y)+]
    y = np.random.default_rng(3).beta(a, b, 400_000)
    within_3se(doc["expected_service"], 11 * np.maximum(200 - 250 * y, 0).mean(),
               doc["service_stderr"])


# --- the draws ------------------------------------------------------------------------


@pytest.mark.parametrize("mean, sd", [(0.9, 0.1), (0.8, 0.15), (0.95, 0.05), (0.99, 0.01),
                                      (0.95, 0.03), (0.3, 0.4)])
def test_beta_draws_follow_the_beta_within_the_grid(mean: float, sd: float) -> None:
    from surge.risk.draws import BETA_GRID, _beta, beta_table

    k = mean * (1 - mean) / sd**2 - 1
    law = stats.beta(mean * k, (1 - mean) * k)
    q, _ = beta_table(mean, sd)
    # the table is the beta's quantile function at the cell middles (to float precision:
    # for the U-shaped beta the last quantile is 1 - 1e-20, which rounds to 1.0)...
    middles = (np.arange(BETA_GRID) + 0.5) / BETA_GRID
    assert np.abs(law.cdf(q[:BETA_GRID]) - middles).max() <= 0.5 / BETA_GRID
    assert np.all(np.diff(q) >= 0)
    # ...so the drawn law is within 1 / BETA_GRID of the beta (Kolmogorov); 1.63/sqrt(n) is
    # the 1% critical value of the sample's own Kolmogorov-Smirnov statistic
    x = _beta(np.random.default_rng(2), mean, sd, (200_000,))
    assert stats.kstest(x, law.cdf).statistic < 1 / BETA_GRID + 1.63 / math.sqrt(len(x))
    assert x.min() >= q[0] and x.max() <= q[BETA_GRID - 1]
    within_3se(float(x.mean()), mean, sd / math.sqrt(len(x)))
    assert float(x.std()) == pytest.approx(sd, rel=0.01)


def test_probabilities_are_drawn_to_two_to_the_minus_32() -> None:
    from surge.risk.draws import _bernoulli, _weeks
    from surge.risk.model import WeekDist

    rng = np.random.default_rng(5)
    n = 400_000
    for p in (0.0, 0.02, 0.97, 1.0):
        hits = int(_bernoulli(rng, p, (n,)).sum())
        within_3se(hits / n, p, math.sqrt(p * (1 - p) / n))
    dist = WeekDist(np.array([0, 2, 4, 6]), np.array([0.4, 0.3, 0.0, 0.3]))
    w = _weeks(rng, dist, (n,))
    for value, p in ((0, 0.4), (2, 0.3), (6, 0.3)):
        within_3se(float((w == value).mean()), p, math.sqrt(p * (1 - p) / n))
    assert not (w == 4).any() and w.dtype == np.int64


def test_criticality_re_executes_only_disrupted_runs_with_the_same_drops() -> None:
    from surge.risk.simulate import run_chunk

    sc, plan = demo_like()
    m = prepare(sc, plan)
    seed = np.random.SeedSequence(3)
    tally = run_chunk(m, seed, 400, 400)
    dr = draw(m, np.random.default_rng(seed), 400)
    base = execute(m, dr).service
    skipped = 0
    for kind, i in m.uncertain_sources():
        drop = base - execute(m, dr.perfect(m, kind, i)).service  # every run re-executed
        hit = dr.disrupted(m, kind, i)
        assert np.all(drop[~hit] == 0.0)
        skipped += int((~hit).sum())
        sid = m.suppliers[i].id if kind == "supplier" else m.lines[i].id
        n, mean, m2 = tally.sources[(kind, sid)]
        assert (n, mean) == (400, float(drop.mean()))
        assert m2 == pytest.approx(float(((drop - drop.mean()) ** 2).sum()), rel=1e-12, abs=1e-9)
    assert skipped > 0


# --- reproducibility (invariant 2) -----------------------------------------------------


def demo_like() -> tuple[surge.Scenario, Plan]:
    from test_risk_oracle import random_plan, two_site_scenario

    sc = surge.load(two_site_scenario())
    return sc, random_plan(sc, np.random.default_rng(4))


def test_same_seed_same_numbers_whatever_the_chunks_are_run_on() -> None:
    sc, plan = demo_like()
    a = simulate(sc, plan, runs=900, seed=3, chunk_size=200)
    seen: list[int] = []
    b = simulate(sc, plan, runs=900, seed=3, chunk_size=200, progress=seen.append)
    assert a == b and seen == [200, 200, 200, 200, 100]
    c = simulate(sc, plan, runs=900, seed=3, chunk_size=200, cluster="local:2")
    assert json.dumps(a) == json.dumps(c)
    assert simulate(sc, plan, runs=900, seed=4, chunk_size=200) != a


def test_first_chunks_do_not_depend_on_the_number_of_runs() -> None:
    sc, plan = demo_like()
    m = prepare(sc, plan)
    from surge.risk.simulate import run_chunk

    seeds = np.random.SeedSequence(9).spawn(5)
    again = np.random.SeedSequence(9).spawn(2)
    x, y = run_chunk(m, seeds[1], 50, 10), run_chunk(m, again[1], 50, 10)
    assert x.s_mean == y.s_mean and x.sources == y.sources


def test_memory_is_bounded_by_the_chunk_not_the_runs() -> None:
    sc, plan = demo_like()
    from surge.risk.results import BINS

    m = prepare(sc, plan)
    from surge.risk.simulate import run_chunk

    t = run_chunk(m, np.random.SeedSequence(1), 300, 0)
    for _ in range(3):
        t = t.merge(t)
    assert t.runs == 2400 and t.h_count.shape == (3, sc.weeks, BINS)


# --- monotonicity on a tree (invariant 3) ----------------------------------------------


@pytest.mark.parametrize("yield_sd", [0.0])  # with yield draws it can: see docs/risk.md
def test_a_perfect_source_never_makes_a_run_worse_on_a_tree(yield_sd: float) -> None:
    from test_risk_oracle import random_plan, two_site_scenario

    raw = two_site_scenario()
    raw["operations"] = raw["operations"][:2]  # motor feeds assemble only: a tree
    raw["demands"] = raw["demands"][:1]
    raw["uncertainty"]["operations"] = {"*": {"yield_sd": yield_sd}}
    sc = surge.load(raw)
    for seed in range(4):
        plan = random_plan(sc, np.random.default_rng(seed))
        # every (site, item) feeds one operation on one line, or one lane, or one demand
        plan = plan.model_copy(update={
            "production": [p for p in plan.production
                           if p.operation != "pack"
                           and (p.operation, p.line) != ("assemble", "s2")],
            "shipments": [s for s in plan.shipments
                          if (s.item, s.from_) in (("frame", "north"), ("drone", "south"))],
            "deliveries": [d for d in plan.deliveries if d.demand == "d-a"]})
        m = prepare(sc, plan)
        dr = draw(m, np.random.default_rng(seed), 300)
        base = execute(m, dr).service
        sources = m.uncertain_sources()
        assert len(sources) == 5
        for kind, i in sources:
            better = execute(m, dr.perfect(m, kind, i)).service
            worse = np.flatnonzero(better > base + 1e-9)
            assert worse.size == 0, (kind, i, seed, base[worse], better[worse])


# --- the risk file ---------------------------------------------------------------------


def test_risk_file_lists_are_sorted_and_complete() -> None:
    sc, plan = demo_like()
    doc = simulate(sc, plan, runs=300, seed=1, chunk_size=100)
    assert doc["surge_risk"] == 1 and doc["scenario"] == "two sites" and doc["runs"] == 300
    assert [(d["demand"], d["week"]) for d in doc["due_dates"]] == [
        ("d-a", 6), ("d-a", 9), ("d-b", 7), ("d-c", 8)]
    keys = [(d["demand"], d["week"]) for d in doc["deliveries"]]
    assert keys == sorted(keys) and len(keys) == 3 * sc.weeks
    assert all(d["p10"] <= d["p50"] <= d["p90"] for d in doc["deliveries"])
    for dem in ("d-a", "d-b", "d-c"):
        rows = [c for c in doc["completion"] if c["demand"] == dem]
        assert rows[-1]["week"] is None
        assert sum(c["probability"] for c in rows) == pytest.approx(1.0)
    drops = [c["drop"] for c in doc["criticality"]]
    assert drops == sorted(drops, reverse=True) and len(drops) == 5
    assert {c["id"] for c in doc["criticality"]} == {"kits", "motors", "n1", "s1", "s2"}
    json.dumps(doc, allow_nan=False)


def test_quantile_is_exact_for_a_single_value_and_rank_based() -> None:
    from surge.risk.results import quantile

    count, lo, hi = np.array([0, 3, 1]), np.array([np.inf, 1.0, 7.0]), np.array([-np.inf, 2.0, 7.0])
    assert quantile(count, lo, hi, 0.1, 4) == 1.0
    assert quantile(count, lo, hi, 0.5, 4) == 1.5
    assert quantile(count, lo, hi, 0.75, 4) == 2.0
    assert quantile(count, lo, hi, 0.9, 4) == 7.0


# --- the uncertainty section: messages -------------------------------------------------


def problems_of(unc: dict, **changes: object) -> list[str]:
    raw = tiny(unc)
    raw.update(changes)
    scenario, problems = validate(raw)
    assert scenario is None
    return [str(p) for p in problems if p.severity == "error"]


def test_probabilities_must_sum_to_one() -> None:
    assert problems_of({"suppliers": {"kits": {"delay_weeks": {0: 0.7, 2: 0.2}}}}) == [
        "uncertainty.suppliers.kits.delay_weeks: probabilities must sum to 1, got 0.9"]


def test_week_keys_must_be_whole_and_not_negative() -> None:
    assert problems_of({"lines": {"l1": {"slip_weeks": {1.5: 1.0}}}}) == [
        "uncertainty.lines.l1.slip_weeks: key 1.5 must be a whole number of weeks"]
    assert problems_of({"lines": {"l1": {"slip_weeks": {"-1": 1.0}}}}) == [
        "uncertainty.lines.l1.slip_weeks: key -1 must be >= 0 weeks"]


def test_a_beta_must_exist() -> None:
    assert problems_of({"suppliers": {"*": {"fill_rate": {"mean": 0.9, "sd": 0.4}}}}) == [
        "uncertainty.suppliers.*.fill_rate: no beta distribution has mean 0.9 and sd 0.4: "
        "sd must be < sqrt(mean*(1-mean)) = 0.3"]


def test_a_yield_sd_must_fit_the_operations_yield() -> None:
    assert problems_of({"operations": {"assemble": {"yield_sd": 0.1}}}) == [
        "uncertainty.operations.assemble.yield_sd: no beta distribution has mean 1 (the yield "
        "of operations[0] 'assemble') and sd 0.1: sd must be < 0"]


def test_unknown_ids_and_keys() -> None:
    assert problems_of({"lines": {"l9": {"availability": 0.9}}}) == [
        "uncertainty.lines.l9: unknown line 'l9' (not in `lines`; use '*' for all)"]
    assert problems_of({"suppliers": {"kits": {"delay": {0: 1}}}}) == [
        "uncertainty.suppliers.kits: unknown key 'delay'; did you mean 'delay_weeks'? "
        "(expected keys: delay_weeks, fill_rate, outage)"]
    assert problems_of({"lines": {"l1": {"availability": 1.2}}}) == [
        "uncertainty.lines.l1.availability: must be between 0 and 1, got 1.2"]
    assert problems_of({"suppliers": {"kits": {"outage": {"probability_per_week": 0.1,
                                                          "weeks": 0}}}}) == [
        "uncertainty.suppliers.kits.outage.weeks: must be >= 1, got 0"]


# --- the command line ------------------------------------------------------------------

runner = CliRunner()


def files(tmp_path: Path, unc: dict | None = None) -> tuple[str, str]:
    sc = tmp_path / "tiny.json"
    sc.write_text(json.dumps(tiny(unc)))
    pl = tmp_path / "plan.json"
    tiny_plan().to_json(pl)
    return str(sc), str(pl)


def test_cli_writes_the_risk_file_and_a_summary(tmp_path: Path) -> None:
    register_commands()
    sc, pl = files(tmp_path, {"suppliers": {"kits": {"delay_weeks": {0: 0.7, 2: 0.3}}}})
    out = tmp_path / "risk.json"
    res = runner.invoke(app, ["risk", sc, pl, "--runs", "500", "--seed", "7", "-o", str(out),
                              "--chunk-size", "100"])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert doc == simulate(surge.load(json.loads(Path(sc).read_text())), tiny_plan(), runs=500,
                           seed=7, chunk_size=100)
    assert "P(all due dates met)" in res.output and "supplier" in res.output


def test_cli_refuses_bad_options_and_a_plan_of_another_scenario(tmp_path: Path) -> None:
    register_commands()
    sc, pl = files(tmp_path)
    res = runner.invoke(app, ["risk", sc, pl, "--runs", "0"])
    assert res.exit_code == 2 and "--runs must be >= 1, got 0" in res.output
    res = runner.invoke(app, ["risk", sc, pl, "--runs", "5", "--cluster", "mars"])
    assert res.exit_code == 2 and "expected 'local', 'local:N'" in res.output
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**json.loads(tiny_plan().to_json()), "scenario": "elsewhere"}))
    res = runner.invoke(app, ["risk", sc, str(other)])
    assert res.exit_code == 2 and "the plan is for scenario 'elsewhere'" in res.output
    bad = copy.deepcopy(json.loads(tiny_plan().to_json()))
    bad["status"] = "infeasible"
    other.write_text(json.dumps(bad))
    res = runner.invoke(app, ["risk", sc, str(other)])
    assert res.exit_code == 2 and "has status 'infeasible'" in res.output


def test_cli_says_plainly_when_there_is_no_uncertainty(tmp_path: Path) -> None:
    register_commands()
    sc, pl = files(tmp_path)
    out = tmp_path / "risk.json"
    res = runner.invoke(app, ["risk", sc, pl, "--runs", "3", "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "This scenario has no uncertainty that touches the plan" in text
    assert "P(all due dates met)" not in text and "1.000" not in text
    doc = json.loads(out.read_text())
    assert doc["uncertainty"] is False and doc["p_all_met"] == 1.0


def test_a_perfect_source_that_makes_things_worse_is_flagged() -> None:
    sc, plan = demo_like()
    doc = simulate(sc, plan, runs=400, seed=2, chunk_size=200)
    assert doc["uncertainty"] is True
    for c in doc["criticality"]:
        assert c["worse_when_perfect"] == (c["drop"] < -3 * c["stderr"] and c["drop"] < -1e-6)

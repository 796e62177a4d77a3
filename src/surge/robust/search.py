"""The search for a plan that holds: alternate planning with buffers and simulation.

Start from the deterministic optimum (no buffer). Each step:

1. measure the current plan on the tuning runs (seed A): P(on time) of every due date;
2. take the due date with the lowest P and rank the uncertain suppliers and lines by how
   much P of that due date rises when the source is perfect (common random numbers);
3. propose one buffer step aimed at each of the top sources (a safety lead time for a late
   supplier, over-ordering for one that fills short, a safety lead time for a line that
   slips, hours in reserve for one that breaks down) and one that pulls that due date a week
   earlier;
4. plan the *buffered* scenario for each proposal, map the plan back to the original scenario
   (:func:`surge.robust.buffers.to_original`), verify it against the original, and measure
   it on seed A: the proposals are independent, so they run in parallel
   (:class:`surge.robust.parallel.Runner`);
5. keep the proposal that buys the most P per euro: the largest fall of the shortfall
   ``sum over due dates of max(0, target - P)`` divided by its extra cost (a free step is
   worth more than any paid one).

Until the lowest P reaches the target (plus one standard error), or no proposal helps (the
target is out of reach: the cap is that due date and its top source). Every verified plan
seen on the way is a candidate; the frontier is the cheapest candidate for each level of
lowest P (Pareto). The frontier's plans are measured again on fresh runs (seed B), never
the tuning runs, and the chosen plan is the cheapest whose lowest P reaches the target on
both; the P it reports is seed B's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from surge.plan.model import Plan, PlanObjective
from surge.robust.buffers import (
    MAX_DERATE,
    Buffers,
    apply,
    due_key,
    phrase,
    split_due,
    to_original,
)
from surge.robust.measure import Measure, blame, measure
from surge.scenario.model import Scenario

METHOD = "buffer-search"
SOURCES_PER_STEP = 3  # proposals aimed at the top sources of the worst due date
OVER_ORDER_STEP = 0.05
DERATE_STEP = 0.1
SAFETY_STEP = 0.03
FAR = 0.5  # a deterministic plan below this share of the target starts from the top
BIG_ENOUGH = 0.25  # a step is compared on gain per euro if it gains this share of the best
FREE = 1e-3  # a step costing less than this share of the deterministic cost counts as free
SERVICE_TOL = 1e-6


@dataclass
class Candidate:
    """One buffered plan, mapped back to the original scenario and measured on seed A."""

    buffers: Buffers
    status: str  # ok | late | unverified | no-plan
    reason: str = ""
    plan: Plan | None = None
    cost: float | None = None
    service: float | None = None
    tuned: Measure | None = None
    checked: Measure | None = None  # fresh runs (seed B), for the frontier only
    seconds: float = 0.0
    buffered_service: float | None = None  # S of the plan in the buffered scenario
    parent_candidate: Candidate | None = None  # the plan this one's buffers were raised from
    move: str = ""  # the buffer step from the parent, in words

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class Settings:
    target: float
    runs: int = 1000
    seed: int = 0
    check_runs: int = 10_000
    check_seed: int = 1
    blame_runs: int = 500
    max_steps: int = 40
    trim_rounds: int = 3
    time_limit: float | None = None
    gap: float | None = None


@dataclass
class Step:
    step: int
    move: str
    cost: float
    min_p: float
    worst: tuple[str, int] | None


@dataclass
class Result:
    settings: Settings
    deterministic: Candidate
    chosen: Candidate
    frontier: list[Candidate]
    reached: bool
    cap: dict[str, Any] | None
    steps: list[Step] = field(default_factory=list)
    evaluated: int = 0
    seconds: float = 0.0


def evaluate(sc: Scenario, buffers: Buffers, ref: PlanObjective, det_service: float,
             runs: int, seed: int, time_limit: float | None, gap: float | None) -> Candidate:
    """Plan the buffered scenario, map the plan back, verify it, measure it on ``seed``.

    Solved with one thread so that the same inputs give the same plan on any worker.
    """
    from surge.optimize import solve
    from surge.plan.verify import verify

    t0 = time.perf_counter()
    try:
        buffered = apply(sc, buffers)
    except ValueError as exc:
        return Candidate(buffers, "no-plan", str(exc))
    bp = solve(buffered, time_limit=time_limit, mip_gap=gap, threads=1)
    if not bp.has_plan:
        return Candidate(buffers, "no-plan", f"buffered scenario: {bp.status}: {bp.message}",
                         seconds=time.perf_counter() - t0)
    held = float(bp.objective.service or 0.0)
    if buffers.empty:
        plan = bp
    else:
        plan = to_original(sc, bp, buffers, bounds=ref, message=(
            "risk-aware plan: buffers " + "; ".join(buffers.describe_short())))
    v = verify(sc, plan)
    if not v.ok:
        first = str(v.violations[0]) if v.violations else "?"
        return Candidate(buffers, "unverified", f"mapped plan fails verification: {first}",
                         plan, seconds=time.perf_counter() - t0, buffered_service=held)
    o = plan.objective
    assert o.service is not None and o.cost is not None
    if o.service > det_service + SERVICE_TOL * max(1.0, det_service):
        return Candidate(buffers, "late", f"S = {o.service:,.1f} above the deterministic "
                         f"optimum's {det_service:,.1f}: the buffers cannot all be met",
                         plan, o.cost, o.service, seconds=time.perf_counter() - t0,
                         buffered_service=held)
    ms = measure(sc, plan, runs=runs, seed=seed)
    return Candidate(buffers, "ok", "", plan, o.cost, o.service, ms,
                     seconds=time.perf_counter() - t0, buffered_service=held)


def proposals(sc: Scenario, cur: Candidate, target: float) -> list[tuple[Buffers, str]]:
    """Buffer steps aimed at the worst due date of ``cur`` and its top sources."""
    assert cur.tuned is not None
    worst = cur.tuned.worst
    if worst is None:
        return []
    b = cur.buffers
    out: list[tuple[Buffers, str]] = []
    sources = [s for s in cur.tuned.blame.get(worst, []) if s[2] > 0][:SOURCES_PER_STEP]
    for kind, sid, _ in sources:
        out += (_supplier_moves(sc, b, sid, target) if kind == "supplier"
                else _line_moves(sc, b, sid, target))
    demand, week = worst
    have = b.safety_stock.get(demand, 0.0)
    out.append((b.raised("safety_stock", demand, SAFETY_STEP),
                phrase("safety_stock", demand, have + SAFETY_STEP)))
    if b.empty and sc.uncertainty is not None:
        out.append((everything(sc, target), "every uncertain source buffered at once"))
        whole = everything(sc, target)
        for key in sorted(whole.due_lead.keys() | {due_key(d.id, x.week) for d in sc.demands
                                                   for x in d.due if x.week >= 2}):
            whole = whole.raised("due_lead", key, 2)
        out.append((whole, "every uncertain source buffered, every due date 2 weeks early"))
    pulled = b.due_lead.get(due_key(demand, week), 0)
    if week - pulled > 0:
        out.append((b.raised("due_lead", due_key(demand, week), 1),
                    phrase("due_lead", due_key(demand, week), pulled + 1)))
    seen: set[Any] = set()
    unique = []
    for buf, what in out:
        if buf.key() not in seen:
            seen.add(buf.key())
            unique.append((buf, what))
    return unique


def _supplier_moves(sc: Scenario, b: Buffers, sid: str, target: float
                    ) -> list[tuple[Buffers, str]]:
    """Safety lead time for a late supplier; over-ordering for one that fills short."""
    assert sc.uncertainty is not None
    r = sc.uncertainty.supplier(sid)
    out = []
    late = (r.delay_weeks and any(w > 0 and p > 0 for w, p in r.delay_weeks.items())) \
        or (r.outage is not None and r.outage.probability_per_week > 0)
    if late:
        have = b.supplier_lead.get(sid, 0)
        for weeks in _steps(have, quantile(r.delay_weeks, target)):
            out.append((b.raised("supplier_lead", sid, weeks - have),
                        phrase("supplier_lead", sid, weeks)))
    if r.fill_rate is not None and (r.fill_rate.mean < 1 or r.fill_rate.sd > 0):
        consumed = {i for op in sc.operations for i in op.consumes}
        sup = sc.by_id("suppliers")[sid]
        for item in sorted({o.item for o in sup.offers} & consumed):
            have_f = b.over_order.get(item, 0.0)
            step = OVER_ORDER_STEP if have_f else max(
                OVER_ORDER_STEP,
                math.ceil((1 / max(r.fill_rate.mean, 0.5) - 1) / OVER_ORDER_STEP)
                * OVER_ORDER_STEP)
            out.append((b.raised("over_order", item, step),
                        phrase("over_order", item, have_f + step)))
    return out


def _line_moves(sc: Scenario, b: Buffers, lid: str, target: float
                ) -> list[tuple[Buffers, str]]:
    """Safety lead time for a line that slips; hours in reserve for one that breaks down."""
    assert sc.uncertainty is not None
    lr = sc.uncertainty.line(lid)
    out = []
    if lr.slip_weeks and any(w > 0 and p > 0 for w, p in lr.slip_weeks.items()):
        have = b.line_lead.get(lid, 0)
        for weeks in _steps(have, quantile(lr.slip_weeks, target)):
            out.append((b.raised("line_lead", lid, weeks - have),
                        phrase("line_lead", lid, weeks)))
    if lr.availability is not None and lr.availability < 1 \
            and b.derate.get(lid, 0.0) < MAX_DERATE:
        out.append((b.raised("derate", lid, DERATE_STEP),
                    phrase("derate", lid, b.derate.get(lid, 0.0) + DERATE_STEP)))
    return out


def everything(sc: Scenario, target: float) -> Buffers:
    """Every uncertain source buffered at once, each at the quantile that lets all of them
    hold together: ``target ** (1 / n)`` for ``n`` uncertain sources (sources in series
    multiply their chances). Safety lead times for late suppliers (plus the length of an
    outage when one is likely enough to matter) and slipping lines, over-ordering at
    1 / mean fill, hours in reserve for lines that break down, and a little safety stock
    for yields."""
    unc = sc.uncertainty
    b = Buffers()
    if unc is None:
        return b
    n = max(1, _uncertain_count(sc))
    each = target ** (1.0 / n)
    consumed = {i for op in sc.operations for i in op.consumes}
    for s in sc.suppliers:
        r = unc.supplier(s.id)
        q = quantile(r.delay_weeks, each)
        if r.outage is not None and 1 - (1 - r.outage.probability_per_week) ** r.outage.weeks \
                > 1 - each:
            q += r.outage.weeks
        if q:
            b = b.raised("supplier_lead", s.id, q)
        if r.fill_rate is not None and r.fill_rate.mean < 1:
            f = math.ceil((1 / r.fill_rate.mean - 1) / OVER_ORDER_STEP) * OVER_ORDER_STEP
            for item in sorted({o.item for o in s.offers} & consumed):
                if f > b.over_order.get(item, 0.0):
                    b = b.raised("over_order", item, f - b.over_order.get(item, 0.0))
    for ln in sc.lines:
        lr = unc.line(ln.id)
        q = quantile(lr.slip_weeks, each)
        if q:
            b = b.raised("line_lead", ln.id, q)
        if lr.availability is not None and lr.availability < 1:
            b = b.raised("derate", ln.id, DERATE_STEP)
    if any((unc.operation(op.id).yield_sd or 0) > 0 for op in sc.operations):
        for d in sc.demands:
            b = b.raised("safety_stock", d.id, SAFETY_STEP)
    return b


def _uncertain_count(sc: Scenario) -> int:
    """Suppliers and lines with some disruption in the scenario's uncertainty."""
    unc = sc.uncertainty
    if unc is None:
        return 0
    n = 0
    for s in sc.suppliers:
        r = unc.supplier(s.id)
        n += bool((r.delay_weeks and max(r.delay_weeks) > 0) or r.fill_rate or r.outage)
    for ln in sc.lines:
        lr = unc.line(ln.id)
        n += bool((lr.slip_weeks and max(lr.slip_weeks) > 0)
                  or (lr.availability is not None and lr.availability < 1))
    return n


def quantile(dist: dict[int, float] | None, p: float) -> int:
    """The smallest number of weeks ``w`` with P(delay <= w) >= ``p`` (0 without a law).

    >>> quantile({0: 0.5, 1: 0.3, 2: 0.15, 3: 0.05}, 0.9)
    2
    """
    if not dist:
        return 0
    acc = 0.0
    for w in sorted(dist):
        acc += dist[w]
        if acc >= p - 1e-12:
            return int(w)
    return int(max(dist))


def _steps(have: int, jump: int) -> list[int]:
    """Buffer sizes to try from ``have`` weeks: one more, and straight to the quantile."""
    return sorted({have + 1, jump} - set(range(have + 1)))


def pareto(cands: list[Candidate]) -> list[Candidate]:
    """The cheapest candidate for each level of lowest P (seed A): cost up, P strictly up."""
    ok = [c for c in cands if c.ok and c.tuned is not None and c.cost is not None]
    ok.sort(key=lambda c: (c.cost, -c.tuned.min_p if c.tuned else 0.0, c.buffers.key()))
    out: list[Candidate] = []
    best = -1.0
    for c in ok:
        assert c.tuned is not None
        if c.tuned.min_p > best + 1e-12:
            out.append(c)
            best = c.tuned.min_p
    return out


Evaluate = Callable[[list[Buffers]], list[Candidate]]
Many = Callable[[PlanObjective, float, list[Buffers]], list[Candidate]]
"""Evaluates buffers against the deterministic bounds and S (in order): Runner.many."""


def search(sc: Scenario, st: Settings, run_many: Many | None = None,
           progress: Callable[[str], None] | None = None,
           frontier_only: bool = False) -> Result:
    """Search for the cheapest plan whose every due date meets ``st.target`` (module doc).

    ``run_many`` evaluates a list of buffers (in parallel, in order); default in-process.
    With ``frontier_only`` the search goes on past the target, to the highest P it reaches.
    """
    s = _Search(sc, st, run_many, progress, frontier_only)
    k = 0
    for k in range(1, st.max_steps + 1):
        if not s.step(k):
            break
    if not frontier_only and s.done() and not s.cur.buffers.empty:
        s.trim(k + 1, st.trim_rounds)
    return s.finish()


class _Search:
    """The state of one search: candidates seen, the current plan, the log."""

    def __init__(self, sc: Scenario, st: Settings, run_many: Many | None,
                 progress: Callable[[str], None] | None, frontier_only: bool) -> None:
        from surge.optimize import solve

        self.t0 = time.perf_counter()
        self.sc, self.st, self.frontier_only = sc, st, frontier_only
        self.say = progress or (lambda _s: None)
        det_plan = solve(sc, time_limit=st.time_limit, mip_gap=st.gap, threads=1)
        if not det_plan.has_plan:
            raise ValueError(f"scenario {sc.name!r} has no plan ({det_plan.status}: "
                             f"{det_plan.message}); nothing to make robust")
        ref = det_plan.objective
        det_s = self.det_s = float(ref.service or 0.0)
        if run_many is None:
            self.many: Evaluate = lambda bs: [
                evaluate(sc, b, ref, det_s, st.runs, st.seed, st.time_limit, st.gap) for b in bs]
        else:
            self.many = lambda bs: run_many(ref, det_s, bs)
        self.seen: dict[Any, Candidate] = {}
        cur = self.many([Buffers()])[0]
        if not cur.ok or cur.tuned is None or cur.cost is None:
            raise ValueError(f"the deterministic plan of {sc.name!r} could not be measured: "
                             f"{cur.reason}")
        self.seen[cur.buffers.key()] = cur
        self.det = self.cur = cur
        self.det_cost = float(cur.cost)
        self.steps = [Step(0, "deterministic optimum", cur.cost, cur.tuned.min_p,
                           cur.tuned.worst)]
        self.say(f"deterministic optimum: C = {cur.cost:,.0f}, lowest P(on time) "
                 f"{cur.tuned.min_p:.3f} at {_due_words(cur.tuned.worst)}")
        self.goal = 1.0 if frontier_only else st.target
        self.cap: dict[str, Any] | None = None

    def done(self) -> bool:
        ms = self.cur.tuned
        assert ms is not None
        return ms.min_p >= 1.0 or (not self.frontier_only
                                   and ms.min_p >= self.st.target + ms.min_p_stderr)

    def run(self, moves: list[tuple[Buffers, str]]) -> list[Candidate]:
        results = self.many([b for b, _ in moves])
        for (_, what), c in zip(moves, results, strict=True):
            c.parent_candidate, c.move = self.cur, what
            self.seen[c.buffers.key()] = c
        return results

    def gain(self, c: Candidate) -> float:
        """Fall of the shortfall over the current plan (<= 0: no better)."""
        assert self.cur.tuned is not None
        if not c.ok or c.tuned is None or c.cost is None:
            return 0.0
        return self.cur.tuned.shortfall(self.goal) - c.tuned.shortfall(self.goal)

    def ratio(self, c: Candidate) -> float:
        """Fall of the shortfall per euro over the current plan (<= 0: no better)."""
        assert self.cur.cost is not None
        gain = self.gain(c)
        if gain <= 1e-9 or c.cost is None:
            return 0.0
        return gain / (max(0.0, c.cost - self.cur.cost) + FREE * max(1.0, self.det_cost))

    def step(self, k: int) -> bool:
        """One step of the search; False when it stops."""
        cur = self.cur
        assert cur.tuned is not None and cur.plan is not None
        if self.done():
            return False
        worst = cur.tuned.worst
        assert worst is not None
        blame(self.sc, cur.plan, cur.tuned, [worst], runs=self.st.blame_runs)
        moves = [(b, w) for b, w in proposals(self.sc, cur, self.goal)
                 if b.key() not in self.seen]
        if not moves:
            self.cap = _cap(cur, "no buffer left to try")
            return False
        results = self.run(moves)
        moves, results = self.past_slack(moves, results)
        helped = [(m, c) for m, c in zip(moves, results, strict=True) if self.gain(c) > 1e-9]
        if not helped:
            self.cap = _cap(cur, "no buffer step raises P(on time) any further")
            return False
        # the steps that help, together: all of them, and the free ones (one plan each)
        free = [(m, c) for m, c in helped if (c.cost or 0.0) - (cur.cost or 0.0)
                <= FREE * max(1.0, self.det_cost)]
        joints = [group for group in (helped, free) if len(group) > 1]
        extra = [(combine([m[0] for m, _ in g]), "; ".join(m[1] for m, _ in g)) for g in joints]
        extra = [(b, w) for i, (b, w) in enumerate(extra) if b.key() not in self.seen
                 and all(b.key() != o.key() for o, _ in extra[:i])]
        if extra:
            helped += [(m, c) for m, c in zip(extra, self.run(extra), strict=True)
                       if self.gain(c) > 1e-9]
        top = max(self.gain(c) for _, c in helped)
        # the best gain per euro among the steps that gain at least a quarter of the best:
        # a free step that changes next to nothing does not beat one that changes much
        pick = max((c for _, c in helped if self.gain(c) >= BIG_ENOUGH * top),
                   key=lambda c: (self.ratio(c), -len(c.buffers.describe_short())))
        assert self.det.tuned is not None
        if k == 1 and self.det.tuned.min_p < FAR * self.st.target:
            # far from the target: start from the proposal closest to it (usually every
            # source buffered at once) and climb from there; trimming cuts the cost after
            pick = max((c for _, c in helped), key=lambda c: (self.gain(c), -(c.cost or 0.0)))
        best, what = pick, pick.move
        self.cur = best
        assert best.tuned is not None and best.cost is not None
        self.steps.append(Step(k, what, best.cost, best.tuned.min_p, best.tuned.worst))
        self.say(f"step {k}: {what}: C = {best.cost:,.0f}, lowest P(on time) "
                 f"{best.tuned.min_p:.3f} at {_due_words(best.tuned.worst)}")
        return True

    def past_slack(self, moves: list[tuple[Buffers, str]], results: list[Candidate]
                   ) -> tuple[list[tuple[Buffers, str]], list[Candidate]]:
        """Raise each lead-time step that left the plan as it was until the plan moves.

        Where orders or conversions cost the same in several weeks, the optimiser may place
        them earlier than needed: the plan then already holds some weeks of slack, and a
        safety lead time (or a due date pulled earlier) no longer than that slack plans the
        same rows again. Such a step is raised one week at a time (all of them together,
        one batch per week) until its plan differs from the current one or it has none,
        so that the search does not stop at a step that only reached the slack already
        there. Steps that change several buffers at once are left as they are.
        """
        cur = self.cur
        assert cur.plan is not None
        moves, results = list(moves), list(results)
        for _ in range(self.sc.weeks):
            todo: list[tuple[int, Buffers, str]] = []
            for n, ((b, _), c) in enumerate(zip(moves, results, strict=True)):
                one = _one_lead_step(cur.buffers, b)
                if one is None or not c.ok or c.plan is None or not self.held(c) \
                        or not _same_supply(c.plan, cur.plan):
                    continue
                kind, oid, weeks = one
                if kind == "due_lead" and weeks + 1 > split_due(oid)[1]:
                    continue
                up = b.raised(kind, oid, 1)
                todo.append((n, up, phrase(kind, oid, weeks + 1)))
            fresh = [(b, w) for _, b, w in todo if b.key() not in self.seen]
            done = dict(zip([b.key() for b, _ in fresh], self.run(fresh), strict=True))
            if not todo:
                break
            for n, up, what in todo:
                moves[n] = (up, what)
                results[n] = done.get(up.key()) or self.seen[up.key()]
        return moves, results

    def held(self, c: Candidate) -> bool:
        """Whether the buffered scenario's own plan meets every buffer of ``c`` (its S no
        higher than the deterministic optimum's): the slack is really in the plan."""
        s = c.buffered_service
        return s is not None and s <= self.det_s + SERVICE_TOL * max(1.0, self.det_s)

    def trim(self, k: int, rounds: int) -> None:
        """Cut cost once the target is reached: drop or halve one kind of buffer at a time,
        keep the cheapest plan that still reaches the target (plus one standard error)."""
        from surge.robust.buffers import KINDS

        for r in range(rounds):
            cur = self.cur
            assert cur.cost is not None
            moves = []
            for kind in KINDS:
                have = getattr(cur.buffers, kind)
                if not any(have.values()):
                    continue
                moves.append((replace(cur.buffers, **{kind: {}}), f"trim: no {kind}"))
                half = {i: (v // 2 if isinstance(v, int) else round(v / 2, 4))
                        for i, v in have.items()}
                moves.append((replace(cur.buffers, **{kind: half}), f"trim: {kind} halved"))
            moves = [(b, w) for b, w in moves if b.key() not in self.seen]
            if not moves:
                return
            results = self.run(moves)
            keep = [c for c in results if c.ok and c.tuned is not None and c.cost is not None
                    and c.tuned.min_p >= self.st.target + c.tuned.min_p_stderr
                    and c.cost < cur.cost - 1e-6]
            if not keep:
                return
            best = min(keep, key=lambda c: (c.cost or 0.0, c.buffers.key()))
            self.cur = best
            assert best.tuned is not None and best.cost is not None
            self.steps.append(Step(k + r, best.move, best.cost, best.tuned.min_p,
                                   best.tuned.worst))
            self.say(f"step {k + r}: {best.move}: C = {best.cost:,.0f}, lowest P(on time) "
                     f"{best.tuned.min_p:.3f} at {_due_words(best.tuned.worst)}")

    def finish(self) -> Result:
        """Measure the frontier on fresh runs (seed B) and choose."""
        st = self.st
        # the frontier starts at the deterministic optimum, even when a plan of the same
        # cost holds better (then the first step is free)
        det = self.det
        assert det.tuned is not None
        front = [det] + [c for c in pareto(list(self.seen.values()))
                         if c is not det and c.tuned is not None
                         and c.tuned.min_p > det.tuned.min_p]
        for c in front:
            assert c.plan is not None
            c.checked = measure(self.sc, c.plan, runs=st.check_runs, seed=st.check_seed)
        good = [c for c in front if c.tuned and c.checked and c.tuned.min_p >= st.target
                and c.checked.min_p >= st.target]
        if good:
            return Result(st, self.det, good[0], front, True, None, self.steps,
                          len(self.seen), time.perf_counter() - self.t0)
        chosen = max(front, key=lambda c: (c.checked.min_p if c.checked else -1.0,
                                           -(c.cost or 0.0)))
        worst = chosen.checked.worst if chosen.checked else None
        if chosen.tuned is not None and chosen.plan is not None and worst is not None \
                and worst not in chosen.tuned.blame:
            blame(self.sc, chosen.plan, chosen.tuned, [worst], runs=st.blame_runs)
        why = self.cap["why"] if self.cap else f"the search stopped after {st.max_steps} steps"
        return Result(st, self.det, chosen, front, False, _cap(chosen, why), self.steps,
                      len(self.seen), time.perf_counter() - self.t0)


def combine(many: list[Buffers]) -> Buffers:
    """The largest of each buffer over ``many``."""
    from surge.robust.buffers import KINDS

    out: dict[str, dict[str, Any]] = {k: {} for k in KINDS}
    for b in many:
        for kind in KINDS:
            for oid, v in getattr(b, kind).items():
                out[kind][oid] = max(out[kind].get(oid, 0), v)
    return Buffers(**out)


LEAD_KINDS = ("supplier_lead", "line_lead", "due_lead")
"""Buffers in whole weeks of lead time: a plan may already hold some by chance."""


def _one_lead_step(base: Buffers, b: Buffers) -> tuple[str, str, int] | None:
    """``(kind, id, weeks)`` when ``b`` differs from ``base`` in one lead-time buffer only."""
    from surge.robust.buffers import KINDS

    diff = [(kind, oid, v) for kind in KINDS for oid, v in getattr(b, kind).items()
            if v != getattr(base, kind).get(oid, 0)]
    diff += [(kind, oid, 0) for kind in KINDS for oid in getattr(base, kind)
             if oid not in getattr(b, kind)]
    if len(diff) != 1 or diff[0][0] not in LEAD_KINDS:
        return None
    kind, oid, v = diff[0]
    return (kind, oid, int(v)) if v > getattr(base, kind).get(oid, 0) else None


def _same_supply(a: Plan, b: Plan) -> bool:
    """Whether two plans order, start, make and ship the same (to 1e-6 units); their
    deliveries may differ (a unit handed over before its due week is not more on time)."""
    def rows(p: Plan) -> list[tuple[tuple[str, Any], ...]]:
        out = []
        for name in ("activations", "production", "purchases", "shipments"):
            for r in getattr(p, name):
                out.append((("table", name),) + tuple(sorted(
                    (k, round(v, 6) if isinstance(v, float) else v)
                    for k, v in r.model_dump().items())))
        return sorted(out, key=repr)
    return rows(a) == rows(b)


def _due_words(due: tuple[str, int] | None) -> str:
    return "no due date" if due is None else f"{due[0]} week {due[1]}"


def _cap(c: Candidate, why: str) -> dict[str, Any]:
    """What holds ``c`` back: its worst due date and the source that matters most there."""
    ms = c.checked or c.tuned
    assert ms is not None
    worst = ms.worst
    top = (c.tuned.blame.get(worst, []) if c.tuned and worst else [])
    src = next(((k, s, r) for k, s, r in top if r > 0), None)
    return {"due_date": {"demand": worst[0], "week": worst[1]} if worst else None,
            "p_on_time": ms.min_p,
            "source": {"kind": src[0], "id": src[1], "rise_if_perfect": src[2]} if src else None,
            "why": why}

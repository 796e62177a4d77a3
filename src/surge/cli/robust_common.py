"""What ``surge plan --target-on-time`` and ``surge frontier`` share: options, the search
with a live log, and the summary for a person."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from surge.cli.common import console, err_console
from surge.errors import InputError
from surge.robust.search import Result, Settings
from surge.scenario.model import Scenario

RunsOption = Annotated[int, typer.Option(
    "--runs", "-n", help="Runs per candidate plan in the search (seed --seed).")]
SeedOption = Annotated[int, typer.Option("--seed", "-s", help="Seed of the search's runs.")]
CheckRunsOption = Annotated[int, typer.Option(
    "--check-runs", help="Fresh runs that re-measure the frontier's plans (seed --check-seed).")]
CheckSeedOption = Annotated[int | None, typer.Option(
    "--check-seed", help="Seed of the fresh runs (default: --seed + 1).")]
MaxStepsOption = Annotated[int, typer.Option(
    "--max-steps", help="Most buffer steps the search takes.")]
ClusterOption = Annotated[str | None, typer.Option(
    "--cluster", help="Evaluate candidate plans on Dask: 'local[:N]' or 'tcp://HOST:PORT'.")]


def settings(*, target: float, runs: int, seed: int, check_runs: int, check_seed: int | None,
             max_steps: int, time_limit: float | None, gap: float | None) -> Settings:
    """Check the options and gather them, naming the option at fault."""
    from surge.cli.risk import MAX_SEED

    if not 0 < target < 1:
        raise InputError(f"--target-on-time {target}: expected a probability strictly between "
                         "0 and 1 (e.g. 0.9)")
    for name, value in (("--runs", runs), ("--check-runs", check_runs)):
        if not 1 <= value <= 10_000_000:
            raise InputError(f"{name} {value}: expected between 1 and 10,000,000 runs")
    cs = seed + 1 if check_seed is None else check_seed
    for name, value in (("--seed", seed), ("--check-seed", cs)):
        if not 0 <= value <= MAX_SEED:
            raise InputError(f"{name} {value}: must be between 0 and 2**63 - 1")
    if cs == seed:
        raise InputError(f"--check-seed {cs}: must differ from --seed (the fresh runs must not "
                         "be the runs the search tuned on)")
    if not 0 <= max_steps <= 1000:
        raise InputError(f"--max-steps {max_steps}: expected between 0 and 1000")
    return Settings(target=target, runs=runs, seed=seed, check_runs=check_runs, check_seed=cs,
                    blame_runs=min(runs, 500), max_steps=max_steps, time_limit=time_limit,
                    gap=gap)


def run_search(sc: Scenario, st: Settings, cluster: str | None, *,
               frontier_only: bool = False) -> Result:
    """The search, on Dask when ``cluster`` is given, logging each step on stderr."""
    from surge.robust.parallel import Runner
    from surge.robust.search import search

    if sc.uncertainty is None:
        raise InputError(f"scenario {sc.name!r} has no `uncertainty` section: every plan holds "
                         "with probability 1 there; add one (docs/scenario.md) to plan for risk")
    with Runner(sc, st, cluster) as runner:
        try:
            return search(sc, st, runner.many, progress=lambda s: err_console.print(escape(s)),
                          frontier_only=frontier_only)
        except ValueError as exc:
            raise InputError(str(exc)) from None


def print_result(sc: Scenario, r: Result) -> None:
    """Reached or not, in plain words, with the P of the fresh runs and what caps it."""
    from surge.robust.frontier import buffer_costs, cap_words, money

    c, st = r.chosen, r.settings
    assert c.checked is not None
    det = r.deterministic
    p, se = c.checked.min_p, c.checked.min_p_stderr
    where = (f"{st.check_runs:,} fresh runs, seed {st.check_seed}; the search tuned on "
             f"{st.runs:,} runs, seed {st.seed}")
    if r.reached:
        console.print(f"[green bold]target reached[/green bold]: every due date met with "
                      f"probability >= {st.target:g}; lowest P(on time) {p:.3f} ± {se:.3f} "
                      f"({where})")
    else:
        console.print(f"[red bold]target {st.target:g} not reached[/red bold]: the best plan "
                      f"found meets its worst due date with probability {p:.3f} ± {se:.3f} "
                      f"({where})")
        if r.cap:
            console.print(f"what caps it: {cap_words(r.cap)}")
    console.print(f"cost C = {c.cost:,.0f} {sc.currency}, "
                  f"{money((c.cost or 0) - (det.cost or 0), sc.currency)} against the "
                  f"deterministic optimum ({det.cost:,.0f}, lowest P "
                  f"{(det.checked or det.tuned).min_p:.3f})")  # type: ignore[union-attr]
    steps = buffer_costs(r, c, sc.currency)
    if steps:
        console.print("buffers, step by step (each with what it cost):")
        for s in steps:
            console.print(f"  {escape(s['words'])}")
    else:
        console.print("no buffer: the deterministic optimum itself")
    console.print(f"search: {r.evaluated} candidate plans in {r.seconds:,.0f} s, "
                  f"{len(r.frontier)} on the frontier")

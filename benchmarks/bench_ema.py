"""Benchmark EMA Workbench driving crisis_sim: plain evaluator, batched evaluator, crisis_sim.run.

One design (EMA's Latin hypercube over the baseline's judgement parameters and over
the levers of a U.S. concession on exercises), run the same worlds four ways in one
process, each timed in the same run (the machine is shared and noisy; the ratios
matter, nothing is asserted):

1. EMA's ``SequentialEvaluator``, one experiment (a parameter set of ``--worlds``
   worlds) per call: the plain path of ``crisis_sim.ema``;
2. the same with one world per experiment, as an EMA user wraps a model by hand
   (fewer experiments: it is slow);
3. ``BatchedEvaluator``: each policy's experiments as one vectorised model;
4. ``crisis_sim.ensemble.runner.run_worlds`` on the same worlds at the same values,
   and ``crisis_sim.run`` of each policy's scenario on the same world indices (its
   own draws of the judgement parameters). Target: the batched path within 2x of it.

It also checks that the batched and plain paths gave identical outcomes.

Run: .venv/bin/python benchmarks/bench_ema.py [--scenarios 100] [--policies 4] [--worlds 50]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import numpy as np
import pandas as pd

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from ema_workbench import SequentialEvaluator, perform_experiments
    from ema_workbench.em_framework.points import Sample
    from ema_workbench.em_framework.samplers import LHSSampler

from crisis_sim import load_scenario
from crisis_sim.ema import BatchedEvaluator, LeverTemplate, experiment_model, identifier
from crisis_sim.ema.adapter import with_policy
from crisis_sim.ensemble import runner

TEMPLATE = LeverTemplate(
    name="concede_exercises",
    actor="united_states",
    kind="concede",
    issue="exercises",
    level=(0.0, 1.0),
    week=(0, 12),
)


def _design(model, scenarios: int, policies: int):
    sampled = LHSSampler().generate_samples(list(model.uncertainties), scenarios, rng=1)
    named = [Sample(j, **dict(s.items())) for j, s in enumerate(sampled)]
    chosen = list(LHSSampler().generate_samples(list(model.levers), policies, rng=2))
    return named, chosen


def _timed(label: str, worlds: int, work) -> tuple[float, object]:
    start = time.perf_counter()
    value = work()
    seconds = time.perf_counter() - start
    print(f"{label:<52} {worlds:>9,} worlds {seconds:8.2f} s {worlds / seconds:>10,.0f} worlds/s")
    return worlds / seconds, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=100)
    parser.add_argument("--policies", type=int, default=4)
    parser.add_argument("--worlds", type=int, default=50, help="worlds per experiment")
    parser.add_argument("--one-world", type=int, default=200, help="experiments for path 2")
    args = parser.parse_args()
    baseline = load_scenario("baseline")
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} cores; baseline, "
        f"{args.scenarios} scenarios x {args.policies} policies x {args.worlds} worlds\n"
    )
    model = experiment_model(baseline, [TEMPLATE], worlds=args.worlds)
    scenarios, policies = _design(model, args.scenarios, args.policies)
    total = args.scenarios * args.policies * args.worlds

    def plain():
        return perform_experiments(
            model,
            scenarios=scenarios,
            policies=policies,
            evaluator=SequentialEvaluator(model),
            log_progress=True,
        )

    def batched():
        with BatchedEvaluator(model) as evaluator:
            return evaluator.perform_experiments(
                scenarios=scenarios, policies=policies, log_progress=True
            )

    one = experiment_model(baseline, [TEMPLATE], worlds=1, name="one_world")
    few = scenarios[: max(args.one_world // args.policies, 1)]

    def one_world():
        return perform_experiments(
            one,
            scenarios=few,
            policies=policies,
            evaluator=SequentialEvaluator(one),
            log_progress=True,
        )

    ranged = baseline.with_posterior_as_ranges().uncertain

    def worlds_directly():
        for policy in policies:
            values = {
                d.param: np.repeat([s[identifier(d.param)] for s in scenarios], args.worlds)
                for d in ranged
            }
            changed = with_policy(baseline, [TEMPLATE], dict(policy.items()))
            pd.concat(runner.run_worlds(changed, values), ignore_index=True)

    def crisis_sim_run():
        for policy in policies:
            changed = with_policy(baseline, [TEMPLATE], dict(policy.items()))
            runner.run(changed, runs=args.scenarios * args.worlds, progress=False)

    rate_plain, (_, out_plain) = _timed(
        "1. EMA plain (SequentialEvaluator), per experiment", total, plain
    )
    rate_one, _ = _timed(
        "2. EMA plain, one world per experiment", len(few) * args.policies, one_world
    )
    rate_batched, (_, out_batched) = _timed("3. EMA batched (BatchedEvaluator)", total, batched)
    rate_direct, _ = _timed("4a. runner.run_worlds, same worlds and values", total, worlds_directly)
    rate_run, _ = _timed("4b. crisis_sim.run, same world indices", total, crisis_sim_run)
    same = all(np.array_equal(out_plain[k], out_batched[k], equal_nan=True) for k in out_plain)
    print(f"\nbatched and plain outcomes identical: {same}")
    print(f"batched / plain (per experiment):   {rate_batched / rate_plain:6.1f}x")
    print(f"batched / plain (one world a call): {rate_batched / rate_one:6.1f}x")
    print(f"batched / run_worlds:               {rate_batched / rate_direct:6.2f}")
    print(f"batched / crisis_sim.run:           {rate_batched / rate_run:6.2f} (target: >= 0.5)")


if __name__ == "__main__":
    main()

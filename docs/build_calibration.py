"""Write ``docs/CALIBRATION.md`` and its figures from the shipped posterior.

Reads the posterior shipped as ``pre_t0`` (its provenance, marginals, generations and
posterior-predictive check, written by ``crisis-sim calibrate``), draws its figures, and
runs the baseline twice on the same worlds: with its calibrated parameters drawn from
the posterior (as shipped) and from their priors, to show how the calibration moved the
outcome distribution, with both kinds of interval.

Run from the repository root::

    .venv/bin/python docs/build_calibration.py           # write the page and figures
    .venv/bin/python docs/build_calibration.py --check   # exit 1 if the page is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd

from crisis_sim import plots
from crisis_sim.calibration.posterior import load_posterior
from crisis_sim.calibration.targets import event_by, load_targets
from crisis_sim.ensemble import runner
from crisis_sim.ensemble.results import Results
from crisis_sim.scenario.files import load_scenario

DOCS = Path(__file__).resolve().parent
PAGE = DOCS / "CALIBRATION.md"
FIGURES = DOCS / "figures"
RUNS = 10_000
"""Worlds per run of the baseline on this page."""


def _pct(value: float) -> str:
    return "-" if pd.isna(value) else f"{100 * value:.1f}%"


def _band(low: float, high: float) -> str:
    return "-" if pd.isna(low) else f"{100 * low:.1f} - {100 * high:.1f}%"


def outcome_rows(results: Results) -> list[str]:
    """Markdown rows of the outcome table with both intervals."""
    rows = []
    for outcome, row in results.outcome_table().iterrows():
        rows.append(
            f"| {outcome} | {_pct(row['probability'])} | {_band(row['low'], row['high'])} | "
            f"{_band(row['judgement_low'], row['judgement_high'])} |"
        )
    return rows


def target_rows(targets: object, prior: Results, calibrated: Results) -> list[str]:
    """Markdown rows: each probability target in the two runs of the baseline."""
    rows = []
    for target in targets.targets:
        if target.quantity != "probability_by":
            continue
        week = (target.by - prior.scenario.run.start_date).days // 7
        shares = [event_by(r.worlds, str(target.event), week).mean() for r in (prior, calibrated)]
        rows.append(f"| {target.id} | {target.value:g} | {_pct(shares[0])} | {_pct(shares[1])} |")
    return rows


def prior_baseline() -> object:
    """The baseline with its calibrated parameters drawn from their priors instead."""
    baseline = load_scenario("baseline")
    sample = load_posterior("pre_t0")
    targets = load_targets(sample.source / "targets.toml")
    return baseline.model_copy(
        update={
            "name": "baseline_from_priors",
            "posterior": None,
            "uncertain": [*targets.priors, *baseline.uncertain],
        }
    )


def build() -> tuple[str, dict[str, object]]:
    """The page's text and its figures."""
    sample = load_posterior("pre_t0")
    folder = sample.source
    provenance = sample.provenance
    targets = load_targets(folder / "targets.toml")
    marginals = pd.read_csv(folder / "marginals.csv")
    predictive = pd.read_csv(folder / "predictive.csv")
    generations = pd.read_csv(folder / "generations.csv")
    baseline = load_scenario("baseline")
    named = baseline.model_copy(update={"name": "baseline_calibrated"})
    calibrated = runner.run(named, runs=RUNS, progress=False)
    prior = runner.run(prior_baseline(), runs=RUNS, seed=baseline.run.seed, progress=False)
    figures = {
        "calibration_marginals": plots.posterior_marginals(sample, targets.priors),
        "calibration_pairs": plots.posterior_pairs(sample),
        "calibration_predictive": plots.predictive_check(predictive),
        "calibration_baseline": plots.outcome_probabilities([prior, calibrated]),
    }
    settings = provenance["settings"]
    lines = [
        "# Calibration: fitted only to what was known on 13 January 2022",
        "",
        "<!-- Written by docs/build_calibration.py from the shipped posterior; do not edit. -->",
        "",
        "The model's judgement parameters that set the pace and the propensity to war are",
        "calibrated to targets public before t0 (13 January 2022), each a quantity the model",
        "computes, with its source and the date it was known. Nothing dated on or after t0,",
        "and not the realised course of events, is a target: that is what the model is judged",
        "against. The baseline (and every bundled scenario, which extends it) draws these",
        'parameters from the posterior (`posterior = "pre_t0"`); its other judgement',
        "parameters stay drawn from their ranges.",
        "",
        "Reproduce it with `crisis-sim calibrate pre_t0 --out DIR` (the settings below are",
        "the defaults); `crisis-sim calibrate FILE` runs any targets file of this format.",
        "",
        "## Method",
        "",
        "Likelihood-free inference with pyabc's ABC-SMC (Beaumont et al. 2009; Klinger,",
        "Rickert and Hasenauer 2018). Each target is read as the model's quantity plus a",
        "normal error of the target's standard deviation (its own uncertainty: disagreement",
        "among sources, the forecast's noise), independent across targets; pyabc's stochastic",
        "acceptor with a temperature schedule then samples exactly that error model's",
        "posterior once the temperature reaches 1 in the last generation (Wilkinson 2013).",
        "A particle's quantities come from its own simulated worlds, whose chance adds to",
        "the error. Particles are simulated in batches, one vectorised model per batch, in a",
        "fixed order, so the calibration is reproducible from its seed; independent chains",
        "run on separate cores and are pooled. History matching with an emulator was not",
        "tried: with five targets and eight parameters ABC-SMC runs in minutes, and it gives a",
        "posterior sample the scenarios can draw from directly.",
        "",
        f"Settings: {settings['chains']} chains of {settings['population']} particles, "
        f"{settings['worlds']} worlds per particle, at most {settings['generations']} "
        f"generations; seed {provenance['seed']}; made by {provenance['made_by']} on "
        f"{provenance['created'][:10]}. {provenance['simulations']:,} particle simulations "
        f"({provenance['worlds_simulated']:,} worlds) in {provenance['seconds']:.0f} s; overall "
        f"acceptance {100 * provenance['acceptance']:.1f}%; effective sample size of the "
        f"pooled weights {sample.effective_size():.0f} of "
        f"{len(sample.weights)} particles; temperature 1 reached: "
        f"{'yes' if provenance['reached_temperature_1'] else 'NO'}.",
        "",
        "## Targets",
        "",
        "| id | quantity in model terms | value (sd) | source | known |",
        "|---|---|---|---|---|",
    ]
    for target in targets.targets:
        what = " ".join(target.definition.split())
        source = " ".join(target.source.split())
        lines.append(
            f"| {target.id} | {what} | {target.value:g} ({target.sd:g}) | {source} | "
            f"{target.known.isoformat()} |"
        )
    lines += [
        "",
        "Left out: Clay Graubard's 62% around 1 January 2022 is known only from a podcast",
        "recorded on 27 April 2022, after t0; Metaculus readings after 12 December 2021 that",
        "were dated only after t0 (52% on 18 January) are excluded too.",
        "",
        "## Posterior",
        "",
        "| parameter | prior mean (sd) | posterior mean (sd) | posterior 5-95% | sd ratio | |",
        "|---|---|---|---|---|---|",
    ]
    for row in marginals.itertuples():
        mark = "constrained" if row.constrained else "stays at its prior"
        lines.append(
            f"| {row.parameter} | {row.prior_mean:.3f} ({row.prior_sd:.3f}) | "
            f"{row.posterior_mean:.3f} ({row.posterior_sd:.3f}) | {row.q05:.3f} - {row.q95:.3f} "
            f"| {row.sd_ratio:.2f} | {mark} |"
        )
    lines += [
        "",
        "A parameter is called constrained when its posterior sd is below 0.8 of its prior's",
        "(judgement). The targets speak to a probability of war and to the build-up's pace,",
        "not to each parameter apart: several combinations of resolve, the cost of war and",
        "the type prior give the same chance of invasion, which the pairs show.",
        "",
        "![Posterior marginals](figures/calibration_marginals.png)",
        "",
        "![Posterior pairs](figures/calibration_pairs.png)",
        "",
        "## Posterior-predictive check",
        "",
        "Each target recomputed from 200 particles drawn from the posterior, in new worlds. A",
        "target is met when its value lies within 2 standard deviations (its own and the",
        "predictive spread together) of the predictive mean; an unmet target is printed as",
        "NOT MET by `crisis-sim calibrate`, which then exits 1.",
        "",
        "| target | value (sd) | predictive mean | predictive 5-95% | z | met |",
        "|---|---|---|---|---|---|",
    ]
    for row in predictive.itertuples():
        lines.append(
            f"| {row.id} | {row.value:g} ({row.sd:g}) | {row.predictive_mean:.3f} | "
            f"{row.predictive_q05:.3f} - {row.predictive_q95:.3f} | {row.z:+.2f} | "
            f"{'yes' if row.met else 'NO'} |"
        )
    lines += [
        "",
        "![Posterior-predictive check](figures/calibration_predictive.png)",
        "",
        "## How the baseline moved",
        "",
        f"The baseline, {RUNS:,} worlds in sets of {baseline.run.worlds_per_set}, seed "
        f"{baseline.run.seed}, with the calibrated parameters drawn from their priors and "
        "from the posterior (the same worlds and the same draws of the other judgement",
        "parameters). Monte Carlo 95% is chance; judgement 5-95% is the spread of the",
        "probability across parameter sets (see the model card, section 14).",
        "",
        "The probability targets in the same two runs (the baseline's own worlds, not the",
        "calibration's): where the priors already met a target, the posterior had little",
        "reason to move.",
        "",
        "| target | value | from the priors | calibrated |",
        "|---|---|---|---|",
        *target_rows(targets, prior, calibrated),
        "",
        "| outcome | from the priors | Monte Carlo 95% | judgement 5-95% |",
        "|---|---|---|---|",
        *outcome_rows(prior),
        "",
        "| outcome | calibrated (as shipped) | Monte Carlo 95% | judgement 5-95% |",
        "|---|---|---|---|",
        *outcome_rows(calibrated),
        "",
        "![Baseline outcomes from the priors and calibrated](figures/calibration_baseline.png)",
        "",
        "## Generations",
        "",
        "| chain | generation | temperature | simulations | acceptance |",
        "|---|---|---|---|---|",
    ]
    for row in generations.itertuples():
        lines.append(
            f"| {row.chain} | {row.generation} | {row.temperature:.2f} | {row.simulations:,} | "
            f"{100 * row.acceptance:.1f}% |"
        )
    lines += [
        "",
        "## References",
        "",
        "- Beaumont, M. A., Cornuet, J.-M., Marin, J.-M. and Robert, C. P. (2009). Adaptive",
        "  approximate Bayesian computation. Biometrika 96(4).",
        "- Klinger, E., Rickert, D. and Hasenauer, J. (2018). pyABC: distributed,",
        "  likelihood-free inference. Bioinformatics 34(20).",
        "- Wilkinson, R. D. (2013). Approximate Bayesian computation (ABC) gives exact results",
        "  under the assumption of model error. Statistical Applications in Genetics and",
        "  Molecular Biology 12(2).",
        "",
    ]
    return "\n".join(lines), figures


def main() -> int:
    """Write or check the page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    args = parser.parse_args()
    text, figures = build()
    if args.check:
        stale = not PAGE.is_file() or PAGE.read_text(encoding="utf-8") != text
        print(f"{PAGE} is {'stale' if stale else 'up to date'}")
        return 1 if stale else 0
    PAGE.write_text(text, encoding="utf-8")
    FIGURES.mkdir(exist_ok=True)
    for name, figure in figures.items():
        figure.savefig(FIGURES / f"{name}.png", dpi=120, bbox_inches="tight")
    print(f"wrote {PAGE} and {len(figures)} figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Regenerate the generated sections of ``docs/MODEL.md`` in place.

``MODEL.md`` is written by hand except for the blocks between HTML-comment markers,
``<!-- NAME:start -->`` and ``<!-- NAME:end -->``, which this script rewrites from
the code, so the model card can be refreshed whenever the model changes:

* static sections, read from the code and data alone (fast): ``params`` (the
  parameter table, :func:`crisis_sim.model.params.parameter_table`), ``constants`` (the
  numbers fixed in the code), ``issues`` and ``ladder`` (the issue scales and the
  escalation ladder at the defaults), ``randomness`` (the streams and sampling designs,
  in their modules' words), ``brief-ids`` (each brief id, the mechanism it acts in and
  the parameters that cite it), ``members`` (the 30 allies' traits and willingness,
  from the model itself), ``t0`` (Russia's first choice, worked through plan by plan)
  and ``weekly`` (what an ensemble keeps week by week);
* simulated sections: ``stakes`` (what is at stake in Russia's choice, against
  :data:`crisis_sim.model.russia.NEAR_BEST_MARGIN`), ``baseline`` (the outcome
  distribution over 10,000 worlds at the defaults, by Russia's latent type, why each
  invasion was chosen, what came after it, and the weighted-mean reference),
  ``baseline-scenario`` (the bundled ``baseline`` scenario over 10,000 worlds), ``h1``
  (the concession of the H1 checks, in the settings ``H1_*`` below, which
  ``tests/test_directional.py`` reads from here, with and without the readings),
  ``sunk-sanctions`` (the credibility of threats against the sanctions tier threatened
  for an incursion), ``drivers`` (a one-at-a-time sweep of the parameters over their
  plausible ranges, on common random numbers) and ``timing`` (what sets the week of an
  invasion: a one-at-a-time sweep of the tempo parameters and their Sobol indices).

Usage, from the repository root::

    .venv/bin/python docs/build_model_card.py            # rewrite every section
    .venv/bin/python docs/build_model_card.py --static   # only the static sections
    .venv/bin/python docs/build_model_card.py --check    # exit 1 if MODEL.md is stale

The simulations run on ``--workers`` processes (2 by default); every run depends only
on its seed and settings, so the card is the same whatever the number of workers. The
whole run takes about two minutes on two cores.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import re
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crisis_sim.analysis.reference import reference_table
from crisis_sim.analysis.sensitivity import analyse_function
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.ensemble.results import BINNED, STATE_LABELS
from crisis_sim.model import alliance as alliance_rules
from crisis_sim.model import concessions as concession_rules
from crisis_sim.model import plans, sampling, streams
from crisis_sim.model import russia as choice
from crisis_sim.model import ukraine as ukraine_rules
from crisis_sim.model import west as west_rules
from crisis_sim.model.brief import BRIEF, T0
from crisis_sim.model.crisis import DEFAULT_HORIZON, CrisisModel
from crisis_sim.model.domain import (
    ISSUES,
    OUTCOMES,
    Action,
    InvasionReason,
    Issue,
    Outcome,
    Rung,
)
from crisis_sim.model.levers import Lever
from crisis_sim.model.members import load_members, member_arrays
from crisis_sim.model.params import Params, iter_params, parameter_table, with_values
from crisis_sim.scenario.describe import lever_reference

MODEL_MD = Path(__file__).resolve().with_name("MODEL.md")
"""The model card this script maintains."""

SEED = 20220113
"""Scenario seed of every run in the card."""

BASELINE_RUNS = 10_000
"""Worlds in the baseline distribution."""

SWEEP_RUNS = 4_000
"""Worlds per run of the one-at-a-time sweep (common random numbers: same seed)."""

TOP_DRIVERS = 15
"""Rows of the sweep shown before the full table."""

Z95 = 1.959963984540054
"""The standard normal quantile of a two-sided 95% interval."""

KEY_ISSUE_PARAMS = (
    "russia.salience.enlargement",
    "russia.salience.eastern_flank",
    "west.us_offer.inf_missiles",
    "west.nato_offer.exercises",
    "west.us_reservation.exercises",
    "west.nato_reservation.inf_missiles",
    "west.us_share.exercises",
)
"""Per-issue parameters included in the sweep (over the whole issue scale, 0 to 1)."""

H1_CONCESSION = (
    Lever(actor="united_states", kind="concede", issue="exercises", level=1.0, week=2),
)
"""The concession of the H1 checks: the U.S. concedes on exercises in week 2."""

H1_REPLICATIONS = 10_000
"""Worlds per run of the H1 checks and of the card's H1 section."""

H1_SEED = 2022
"""Seed of the directional and H1 checks (``tests/test_directional.py``) and the H1 section."""

H1_BACKGROUND = {
    "alliance.concession_debate": 0.26,
    "west.us_share.exercises": 0.66,
    "russia.talks_walk_back_cost": 0.08,
    "russia.audience_cost": 0.18,
    "west.sanction_credibility": 0.86,
    "russia.resolve": 0.74,
    "russia.revisionist_premium": 0.34,
    "russia.leverage_military_technical": 0.25,
    "russia.resolve_belief_prior_strength": 4.66,
    "russia.choice_precision": 141.35,
    "russia.upkeep_cost": 0.03,
    "russia.threshold_cost": 0.01,
}
"""A setting found by random search over the plausible ranges (60 draws, seed 7, 2,000
worlds each; the draw whose weaker of the two effects was largest in paired standard
errors), in which the two readings of a concession decide the sign of its effect: a
resolved, revisionist-leaning Russia with high audience costs, facing highly credible
threats it holds only a weak prior about, and a U.S. that can deliver most of a
concession on exercises alone. Only the reading parameters below differ."""

H1_APPEASEMENT_READING = {
    "russia.revisionist_prior": 0.8,
    "concessions.appeasement_strength": 1.0,
    "concessions.offramp_strength": 0.0,
    "concessions.cross_type_weight": 0.5,
}
"""H1: a likely revisionist Russia reads the concession as weakness."""

H1_OFFRAMP_READING = {
    "russia.revisionist_prior": 0.2,
    "concessions.appeasement_strength": 0.0,
    "concessions.offramp_strength": 1.0,
    "concessions.cross_type_weight": 0.5,
}
"""The counter-claim: a likely security-seeking Russia takes it as a face-saving way out."""

_EXPONENT = "russia.distance_exponent"
_TIER = "west.sanctions_tier_at_incursion"
_CREDIBILITY = "west.sanction_credibility"

SUNK_TIERS = (1.0, 1.5, 2.0)
"""Sanctions tiers threatened for an incursion in the 'sunk sanctions' table."""

SUNK_CREDIBILITY = (0.2, 0.5, 0.7, 0.9)
"""Credibility of Western threats in the 'sunk sanctions' table (it must hold the default)."""

SNAPSHOT_WEEKS = (1, 2, 4, 6, 8, 13, 17, 26, 39, 51)
"""Weeks at which the baseline's state shares are shown."""

TEMPO_PARAMS = (
    "russia.discount",
    "russia.buildup_start",
    "russia.buildup_weeks",
    "russia.readiness_weeks",
    "russia.readiness_decline",
    "russia.thaw_penalty",
    "russia.extraction_weeks",
    "russia.stalemate_learning",
    "ukraine.adjustment_rate",
    "ukraine.mobilisation_threshold",
    "west.support_threshold",
    "russia.upkeep_cost",
    "russia.upkeep_doubling_weeks",
)
"""The parameters that set the tempo of Russia's plans: swept and Sobol-analysed for timing."""

TIMING_RUNS = 4_000
"""Worlds per run of the timing sweep (common random numbers: same seed)."""

SOBOL_N = 128
"""Base sample size of the timing Sobol analysis (``SOBOL_N x (D + 2)`` points)."""

SOBOL_WORLDS = 64
"""Worlds per point of the timing Sobol analysis."""

SOBOL_EXTRA_ROUNDS = 4
"""Extra blocks of ``SOBOL_WORLDS`` worlds run at a point where no world invaded yet."""

WORKERS = 2
"""Processes the simulations run on by default (the card does not depend on it)."""

DOCS = Path(__file__).resolve().parent
"""This script's folder (put on the workers' path, so they can import it by name)."""

_ID_PATTERN = re.compile(r"\b(?:RU|US|NATO|UA)-[A-Z]*\d+\b|\bH[1-6]\b")

# -- the sections' hand-written parts ------------------------------------------------

BRIEF_MECHANISMS: dict[str, str] = {
    "RU-D1": "Issue scale `enlargement` (1 = binding 'never'); Russia's highest salience; "
    "in the deal only with Ukraine's consent; war can take it (war utility)",
    "RU-D2": "Issue scale `eastern_flank`; the Western posture ladder is its opposite, "
    "a cost to Russia (`posture_cost`)",
    "RU-D3": "Issue scale `ukraine_cooperation`; in the deal only with Ukraine's consent; "
    "war can take it",
    "RU-P1": "Issue scale `inf_missiles` (1 = full moratorium); a reciprocal, face-saving "
    "item, which Russia can agree to on its own in a partial agreement",
    "RU-T1": "Rung 2, military-technical; `leverage_military_technical` sets how fast "
    "Russia expects coercion to improve the deal, scaled by its force and by its belief "
    "that the West gives way under coercion (`yield_prior`)",
    "RU-A1": "Initial state: every world starts at rung 1, forces massed; the build-up "
    "completes from `buildup_start` over `buildup_weeks`",
    "RU-A2": "Initial state: talks declared pointless; settling or agreeing in part costs "
    "`talks_walk_back_cost`, agreeing in part also `partial_agreement_cost`; H4's "
    "rejection mobilisation",
    "RU-A3": "Rung 2 (build-up in Crimea, Kaliningrad, Belarus); H3",
    "RU-S1": "The wedge (lowers willingness of gas-dependent, non-bordering allies) and "
    "the debate over offers and concessions; Russia's belief that the West gives way",
    "RU-S2": "Not used (the seniority of delegations is not modelled)",
    "US-R1": "Red lines: the U.S. offer and reservation are 0 on the first three issues",
    "US-D1": "Implicit: the outcome `de_escalation` (a deal takes Russia to rung 0, "
    "forces withdrawn); no separate parameter",
    "US-O1": "U.S. offer on `inf_missiles`; the U.S. can deliver it alone (`us_share` 1)",
    "US-O2": "U.S. offer on `exercises` (limits and transparency)",
    "US-T1": "Sanctions ladder: tiers threatened at incursion (below invasion's) and at "
    "invasion; U.S. unilateral tier; Russia's belief that the West carries out its threats",
    "US-T2": "Posture ladder (Eastern Flank reinforcement): levels triggered by rung, "
    "and level 1 ahead of an attack once the West's estimate of the war risk passes "
    "`posture_threshold`; U.S. unilateral level",
    "US-P1": "Ukraine's consent, in part, to terms about it (`bypass_ukraine_consent` "
    "levers set it aside); the B9 effect on allies' willingness; enlargement is an "
    "Alliance decision (`us_share` 0)",
    "US-S1": "The West chooses how far its offers go toward its reservation points by "
    "expected utility, what an offer concedes against the war it may avert "
    "(`war_aversion`, Fearon 1995); the off-ramp reading of a concession; a deal lifts "
    "part of the sanctions and reinforcement in force (`sanctions_relief`)",
    "NATO-R1": "Red lines: NATO's offer and reservation are 0 on the first three issues",
    "NATO-O1": "NATO offer on `inf_missiles` and `exercises` (transparency, no limits)",
    "NATO-O2": "Issue scale `risk_reduction`; channels granted or agreed cut the clash "
    "and incident hazards (`channels_effect`)",
    "NATO-T1": "Implicit: the same sanctions and posture ladders as US-T1 and US-T2, "
    "capped by allied consensus",
    "NATO-C1": "Solidarity: allies' willingness is pulled toward the Alliance's GDP-weighted mean",
    "NATO-F1": "Not used (background fact)",
    "UA-1": "The threat Ukraine weighs against terms about it (rises with Russia's rung, "
    "falls with its resistance); Ukraine mobilises once the war risk it sees passes "
    "`mobilisation_threshold`; its resistance",
    "UA-2": "Ukraine's salience and position on `enlargement` and `ukraine_cooperation`; "
    "it offers a moratorium on its membership only after force is used and once the war "
    "risk passes `neutrality_threshold`",
    "UA-3": "As US-P1: terms about Ukraine beyond its own offer need its consent",
    "H1": "Claim to test: appeasement reading of a concession against the off-ramp "
    "reading (see 'Testing the brief's claims')",
    "H2": "Claim to test: only partly representable (see 'Testing the brief's claims')",
    "H3": "Claim to test: escalation after RU-A2 (see 'Testing the brief's claims')",
    "H4": "Claim to test: mobilisation of allies by visible aggression and by the "
    "rejection of talks",
    "H5": "Claim not representable: no actor's behaviour depends on blame",
    "H6": "Claim to test: the wedge and the debate (as RU-S1)",
}
"""Where each brief id acts in the model (the parameters are read from the code)."""

BRIEF_CODE_SITES: dict[str, str] = {
    "RU-A1": "`Russia.__init__`",
    "RU-T1": "`Russia.prospects`",
    "RU-A2": "`Russia.__init__`, `Russia.type_values`",
    "RU-S1": "`Nato.update_willingness`, `Nato.advance_wedge`",
    "US-T1": "`West.respond`, `Russia.observe_west`",
    "US-T2": "`West.respond`",
    "US-P1": "`ukraine.consent_share`, `Deal.form`",
    "US-S1": "`West.choose_offers`, `Russia.type_values`",
    "NATO-O2": "`incidents.incidents`, `incidents.clash_hazard`",
    "NATO-C1": "`Nato.update_willingness`",
    "UA-1": "`ukraine.threat_faced`, `Ukraine.step`",
    "UA-2": "`Ukraine.step`",
    "H4": "`Nato.update_willingness`",
}
"""Code sites named next to the parameters, where a mechanism has no parameter of its own."""

ISSUE_SCALES: dict[Issue, tuple[str, str, str]] = {
    Issue.ENLARGEMENT: (
        "open door, Ukraine and Georgia may join",
        "a binding declaration that they never join",
        "RU-D1, US-R1, NATO-R1",
    ),
    Issue.EASTERN_FLANK: (
        "allied posture as in January 2022",
        "allied troops withdrawn to the lines of May 1997",
        "RU-D2, US-R1, NATO-R1",
    ),
    Issue.UKRAINE_COOPERATION: (
        "Western military cooperation with Ukraine continues",
        "cooperation ended",
        "RU-D3, UA-2",
    ),
    Issue.INF_MISSILES: (
        "no limits on ground-launched intermediate-range missiles",
        "a full moratorium",
        "RU-P1, US-O1, NATO-O1",
    ),
    Issue.EXERCISES: (
        "exercises unconstrained",
        "strict limits on scale and scope (transparency lies on the way)",
        "US-O2, NATO-O1",
    ),
    Issue.RISK_REDUCTION: (
        "no new channels",
        "full new channels and incident-prevention mechanisms",
        "NATO-O2, US-S1",
    ),
}
"""What 0 and 1 mean on each issue, and the brief ids behind it."""

RUNG_MEANINGS: dict[Rung, str] = {
    Rung.DIPLOMACY: "Forces withdrawn, talks only; reached only by accepting a deal (ends the "
    "world)",
    Rung.BUILD_UP: "Forces massed on Ukraine's border: every world starts here (RU-A1)",
    Rung.MILITARY_TECHNICAL: "'Military-technical' measures: build-up in Belarus, Crimea, "
    "Kaliningrad (RU-T1, RU-A3)",
    Rung.LIMITED_INCURSION: "Recognition of the separatist republics and a limited incursion",
    Rung.FULL_INVASION: "Full-scale invasion of Ukraine: only ever chosen; fixes the "
    "world's outcome, and the war runs on",
}
"""What each rung of Russia's ladder stands for."""


@dataclass(frozen=True, slots=True)
class Constant:
    """A structural constant fixed in the code: not a judgement, so not a parameter."""

    name: str
    value: str
    plausible: str
    why: str


def judgement_constants() -> list[Constant]:
    """The constants fixed in the code, with their values from the code.

    Almost every judgement number is a parameter (:mod:`crisis_sim.model.params`); what
    is left here is structural (scales, units, grids and normalisations that a different
    value would only rename), numerical, or one of the few judgements still written
    into the code, marked as such.
    """
    return [
        Constant(
            "`west.SANCTIONS_TIERS`, `west.POSTURE_LEVELS`, `west.SUPPORT_LEVELS`",
            f"{west_rules.SANCTIONS_TIERS:g}, {west_rules.POSTURE_LEVELS:g}, "
            f"{west_rules.SUPPORT_LEVELS:g}",
            "structural",
            "The scales of the three response ladders (US-T1, US-T2): the Alliance "
            "agrees on consensus x the top of each scale; the clash hazard counts posture "
            "as a share of its top level.",
        ),
        Constant(
            "levels at rungs 0 and 1",
            "0",
            "structural",
            "No ladder responds to talks or to forces massed at t0 (RU-A1): the levels "
            "triggered at rungs 2-4 are the parameters `west.posture_at_*`, "
            "`west.support_at_*`, `west.sanctions_tier_at_*` and `alliance.mobilisation_at_*`.",
        ),
        Constant(
            "`alliance.MOBILISATION_AT_INCURSION`",
            f"{alliance_rules.MOBILISATION_AT_INCURSION:g}",
            "structural",
            "The unit of `alliance.aggression_mobilisation`, the rise at the incursion "
            "rung; the other rungs' multipliers are parameters.",
        ),
        Constant(
            "`alliance.NATO_SPENDING_GUIDELINE`",
            f"{alliance_rules.NATO_SPENDING_GUIDELINE:g}% of GDP",
            "structural (Wales summit 2014)",
            "The spending effect counts defence spending above NATO's guideline.",
        ),
        Constant(
            "`ukraine.THREAT_SCALE`",
            f"rung / {ukraine_rules.THREAT_SCALE:g}",
            "structural",
            "Ukraine's threat is `ukraine.threat_weight` x rung / 4 x (1 - resistance): "
            "the weight is the threat at the invasion rung, so another scale would only "
            "rescale the weight.",
        ),
        Constant(
            "`russia.DEAL_MARGIN`",
            f"{choice.DEAL_MARGIN:g}",
            "numerical",
            "A partial agreement is open only if it adds more than rounding to the status "
            "quo; a rise of the deal's worth by more than this is the West giving way.",
        ),
        Constant(
            "`plans.WAITS`",
            ", ".join(f"{int(k)}" for k in plans.WAITS) + " weeks",
            "structural",
            "The holds Russia's plans weigh before their final move (strike or settle); "
            "a grid dense where plans differ. The last is also the horizon of 'hold to the "
            "end' (valued as held for ever).",
        ),
        Constant(
            "`plans.THAW`, `plans.AUTUMN_MUD`",
            f"{_season(plans.THAW)}; {_season(plans.AUTUMN_MUD)}",
            "judgement (THEORY.md; the dates move by a few weeks from year to year)",
            "The seasons in which the ground cuts an offensive's force: by "
            "`russia.thaw_penalty` in the spring thaw (rasputitsa), by half of it in the "
            "autumn mud (the half is judgement too).",
        ),
        Constant(
            "war cost factor `2 - force`",
            "1 at full force, 1.4 at the t0 force of 0.6",
            "judgement",
            "A war fought with less of the planned force costs more: Russia's cost of war "
            "is `russia.war_cost x resistance x (2 - force)`.",
        ),
        Constant(
            "upkeep over a hold",
            "weeks massed + (k - 1) / 2; for ever: + delta / (1 - delta)",
            "structural",
            "The upkeep of a hold of k weeks is charged at its mean week; held for ever, "
            "at the discounted mean.",
        ),
        Constant(
            "`russia.NEAR_BEST_MARGIN`",
            f"{choice.NEAR_BEST_MARGIN:g}",
            "reporting only",
            "An invasion worth less than the best action by at most this is recorded as "
            "near-best; it changes no choice (section 5.2 compares it with the stakes).",
        ),
        Constant(
            "`west.OFFER_STEPS`",
            ", ".join(f"{step:g}" for step in west_rules.OFFER_STEPS),
            "structural",
            "The offers the West weighs each week: these shares of the way from its t0 "
            "offers to its reservation points.",
        ),
        Constant(
            "levels ahead of an attack",
            "posture 1, support 1",
            "judgement",
            "What the West does once its estimate of the war risk passes "
            "`west.posture_threshold` or `west.support_threshold` before Russia uses force: "
            "the first level of each ladder, no more.",
        ),
    ]


def _season(season: tuple[tuple[int, int], tuple[int, int]]) -> str:
    """``((3, 1), (4, 30))`` -> ``1 Mar to 30 Apr``."""
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    (m0, d0), (m1, d1) = season
    return f"{d0} {months[m0 - 1]} to {d1} {months[m1 - 1]}"


# -- helpers ---------------------------------------------------------------------------


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial share (Wilson 1927).

    Args:
        successes: Number of worlds with the outcome.
        trials: Number of worlds.
        z: Standard normal quantile; 1.96 for 95%.

    Returns:
        The interval's lower and upper bounds; (0, 1) if there are no trials.
    """
    if trials <= 0:
        return 0.0, 1.0
    share = successes / trials
    z2 = z * z
    centre = (share + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(share * (1 - share) / trials + z2 / (4 * trials * trials))
    half /= 1 + z2 / trials
    return max(0.0, centre - half), min(1.0, centre + half)


def markdown_table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """A GitHub-flavoured markdown table (pandas' own needs ``tabulate``, not installed)."""
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _interval(lo: float, hi: float) -> str:
    return f"{100 * lo:.1f} to {100 * hi:.1f}%"


def _share_cell(mask: np.ndarray, total: int) -> str:
    count = int(mask.sum())
    lo, hi = wilson_interval(count, total)
    return f"{_pct(count / total if total else 0.0)} ({_interval(lo, hi)})"


def _median_week(weeks: pd.Series) -> str:
    return f"{weeks.median():g}" if len(weeks) else "-"


def _week_date(week: float) -> str:
    start = pd.Timestamp(T0)
    return (start + pd.Timedelta(weeks=float(week))).date().isoformat()


# -- static sections ------------------------------------------------------------------


def section_params() -> str:
    """The parameter table, exactly as :func:`crisis_sim.model.params.parameter_table` gives it."""
    return parameter_table()


def section_constants() -> str:
    """The judgement constants fixed in the code, with value, range and reason."""
    return markdown_table(
        ["constant", "value", "plausible range", "why"],
        ([c.name, c.value, c.plausible, c.why] for c in judgement_constants()),
    )


def brief_id_parameters() -> dict[str, list[str]]:
    """Each brief id with the dotted paths of the parameters whose source cites it."""
    cited: dict[str, list[str]] = {item_id: [] for item_id in BRIEF}
    for info in iter_params():
        for item_id in dict.fromkeys(_ID_PATTERN.findall(info.source)):
            cited.setdefault(item_id, []).append(info.path)
    return cited


def _collapse_issue_paths(paths: list[str]) -> list[str]:
    """``west.us_offer.inf_missiles`` and ``west.us_offer.exercises`` -> ``west.us_offer.{...}``."""
    issue_keys = {
        info.path.rsplit(".", 1)[1] for info in iter_params() if info.path.count(".") == 2
    }
    grouped: dict[str, list[str]] = {}
    for path in paths:
        head, _, tail = path.rpartition(".")
        if path.count(".") == 2 and tail in issue_keys:
            grouped.setdefault(head, []).append(tail)
        else:
            grouped.setdefault(path, [])
    out = []
    for head, tails in grouped.items():
        if len(tails) > 1:
            out.append(f"`{head}.{{{', '.join(tails)}}}`")
        elif tails:
            out.append(f"`{head}.{tails[0]}`")
        else:
            out.append(f"`{head}`")
    return out


def section_brief_ids() -> str:
    """Table: brief id, what it says, where it acts, and the parameters that cite it."""
    cited = brief_id_parameters()
    rows = []
    for item_id, item in BRIEF.items():
        params = _collapse_issue_paths(cited.get(item_id, []))
        site = BRIEF_CODE_SITES.get(item_id)
        where = ", ".join(params) if params else "-"
        if site:
            where = f"{where}; {site}" if params else site
        rows.append(
            [f"**{item_id}**", item.summary, BRIEF_MECHANISMS.get(item_id, "Not used"), where]
        )
    return markdown_table(["id", "the brief", "mechanism in the model", "parameters, code"], rows)


def section_members(params: Params | None = None) -> str:
    """The 30 allies' traits and willingness at the defaults, with no perception noise.

    The willingness comes from the model itself (a one-world model with
    ``alliance.perception_noise`` at 0), so the table cannot drift from the code.
    """
    params = with_values(params or Params(), {"alliance.perception_noise": 0.0})
    model = CrisisModel(params, replications=1, seed=SEED, event_log=False)
    nato = model.nato
    records = load_members()
    traits = member_arrays(records)
    standing = nato.standing_willingness[:, 0]
    at_t0 = nato.willingness[:, 0]
    rows = []
    for row, record in enumerate(records):
        rows.append(
            [
                record.iso3,
                record.name,
                "yes" if record.bucharest_nine else "",
                "yes" if record.border else "",
                f"{record.defence_spending:.2f}",
                f"{record.gas_share:.2f}",
                f"{100 * traits.gdp_weight[row, 0]:.1f}%",
                "+1" if record.frontline else "-1",
                f"{standing[row]:.3f}",
                f"{at_t0[row]:.3f}",
            ]
        )
    table = markdown_table(
        [
            "ally",
            "name",
            "B9",
            "land border",
            "defence % GDP",
            "Russian gas share",
            "GDP weight",
            "debate sign",
            "standing willingness",
            "willingness at t0",
        ],
        rows,
    )
    return (
        f"{table}\n\nStanding willingness: mean {standing.mean():.3f}, spread (std) "
        f"{standing.std():.3f}. At t0, after the debate over the U.S.-NATO gap in offers "
        f"(dispute {float(model.deal.dispute[0]):.3f}) and solidarity "
        f"({params.alliance.solidarity:g}), with no perception noise: GDP-weighted mean "
        f"(participation) {float(nato.participation[0]):.3f}, cohesion "
        f"{float(nato.cohesion[0]):.3f}, consensus level {float(nato.consensus[0]):.3f} "
        f"(so the Alliance would agree on {3 * float(nato.consensus[0]):.2f} of 3 sanctions "
        f"tiers and {2 * float(nato.consensus[0]):.2f} of 2 posture levels)."
    )


ACTION_NAMES: dict[Action, str] = {
    Action.DE_ESCALATE: "step down",
    Action.HOLD: "hold",
    Action.ESCALATE: "climb",
    Action.ACCEPT: "settle",
    Action.INVADE: "invade",
    Action.ACCEPT_PARTIAL: "agree in part",
}
"""How the card names Russia's actions."""


def _week_one(params: Params | None = None) -> CrisisModel:
    """A one-world model at the start of week 1, up to Russia's choice (no levers)."""
    model = CrisisModel(params, replications=1, seed=SEED, event_log=False)
    model.week = 1
    model.concessions.start_week()
    model.west.choose_offers()
    model.deal.form(model)
    return model


def plan_values(
    model: CrisisModel, prospects: choice.Prospects, revisionist: bool
) -> dict[tuple[int, str], np.ndarray]:
    """Russia's plans of holding k weeks at rungs 1-3, by final move, in one world.

    The values of :meth:`crisis_sim.model.russia.Russia.type_values` before the best is
    taken: ``(rung, "strike")`` and ``(rung, "settle")`` over :data:`plans.WAITS`, and
    ``(rung, "ever")`` for holding to the end. Checked against the model's own values.
    """
    p = model.p
    russia = model.russia
    types = np.array([revisionist])
    aspiration = float(russia.aspiration(types)[0])
    weights = concession_rules.reading_weights(types, p.concessions.cross_type_weight)
    saved = 1.0 - float(
        concession_rules.face_saving(
            p.concessions.offramp_strength, weights[1], model.deal.reciprocity
        )[0]
    )
    pr = prospects
    status_quo = float(pr.status_quo[0])
    threshold = float(np.asarray(pr.threshold))
    settle_base = status_quo * (1.0 - aspiration) - float(pr.in_force[0])
    settle_base -= p.russia.talks_walk_back_cost * saved
    war_later = status_quo + aspiration * pr.war_gain[:, 0] - pr.war_cost[:, 0]
    values: dict[tuple[int, str], np.ndarray] = {}
    for index, rung in enumerate(choice.RUNG_LEVERAGE):
        flow = pr.flows[index][:, :1]
        strike = war_later[:, None] - threshold * (int(Rung.FULL_INVASION) - int(rung))
        settle = settle_base - p.russia.audience_cost * int(rung) * saved
        settle = settle + aspiration * pr.deals[index][:, :1]
        values[int(rung), "strike"] = plans.hold_then(flow, strike, p.russia.discount, plans.WAITS)[
            :, 0
        ]
        values[int(rung), "settle"] = plans.hold_then(flow, settle, p.russia.discount, plans.WAITS)[
            :, 0
        ]
        values[int(rung), "ever"] = pr.forever[index][:1]
    utilities = russia.type_values(types, prospects).utilities[:, 0]
    here = int(russia.rung[0])
    best_here = max(float(np.max(values[here, kind])) for kind in ("strike", "settle", "ever"))
    best_up = max(float(np.max(values[here + 1, kind])) for kind in ("strike", "settle", "ever"))
    if not (
        math.isclose(best_here, utilities[Action.HOLD], abs_tol=1e-12)
        and math.isclose(best_up - threshold, utilities[Action.ESCALATE], abs_tol=1e-12)
    ):
        raise RuntimeError(
            "the worked example of section 5.2 no longer matches Russia.type_values: "
            "update plan_values in docs/build_model_card.py"
        )
    return values


def section_t0(params: Params | None = None) -> str:
    """Russia's first weekly choice at the defaults, worked through plan by plan."""
    model = _week_one(params)
    russia = model.russia
    p = model.p
    pr = russia.prospects()
    force = float(russia.massed_force()[0])
    deal = float(model.deal.utility[0])
    prize = float(model.concessions.war_utility[0] - model.concessions.status_quo_utility[0])
    rates = [1.0 - (1.0 - float(pr.deals[index][0, 0])) / (1.0 - deal) for index in range(3)]
    rows_choice = []
    rows_plans = []
    bests = []
    for label, revisionist in (("revisionist", True), ("security-seeking", False)):
        types = np.array([revisionist])
        values = russia.type_values(types, pr)
        probabilities = choice.war_choice_probabilities(
            values.utilities, values.available, p.russia.choice_precision, p.russia.war_precision
        )[:, 0]
        rows_choice.append(
            [label, f"{float(values.aspiration[0]):.2f}"]
            + [
                f"{values.utilities[a, 0]:+.4f} (p = {probabilities[a]:.3f})"
                if values.available[a, 0]
                else "not available"
                for a in Action
            ]
        )
        table = plan_values(model, pr, revisionist)
        best_value, best_plan = -np.inf, ""
        for rung in (int(Rung.BUILD_UP), int(Rung.MILITARY_TECHNICAL)):
            for kind, then in (("strike", "invade"), ("settle", "settle")):
                row = table[rung, kind]
                rows_plans.append(
                    [label, str(rung), then]
                    + [f"{v:+.3f}" for v in row]
                    + [f"{float(table[rung, 'ever'][0]):+.3f}" if kind == "settle" else ""]
                )
                k = int(np.argmax(row))
                if rung == int(Rung.BUILD_UP) and row[k] > best_value:
                    best_value, best_plan = row[k], f"hold {plans.WAITS[k]} weeks, then {then}"
        if float(table[int(Rung.BUILD_UP), "ever"][0]) > best_value:
            best_plan = "hold to the end"
        bests.append(f"{label}: {best_plan}")
    choice_table = markdown_table(
        ["type", "aspiration"] + [ACTION_NAMES[a] for a in Action], rows_choice
    )
    plan_table = markdown_table(
        ["type", "hold at rung", "then"]
        + [f"n = {int(k)}" for k in plans.WAITS]
        + ["hold to the end"],
        rows_plans,
    )
    week_one = pd.Timestamp(T0) + pd.Timedelta(weeks=1)
    return (
        f"Week 1 ({week_one.date().isoformat()}), this world's allied draws: rung 1, "
        f"weeks massed 0, force {force:.2f} (`russia.buildup_start`), ground "
        f"{float(model.ground[1]):g}; Russia's chance of winning if it invaded now "
        f"{float(pr.victory_now[0]):.3f}, against the resistance it expects "
        f"{float(model.ukraine.resistance[0] * (1 - russia.resistance_error[0])):.3f}; "
        f"war's prize {prize:.4f} (x the chance: {float(pr.war_gain_now[0]):.4f}), its cost "
        f"{float(pr.war_cost_now[0]):.4f}; status-quo utility "
        f"{float(model.concessions.status_quo_utility[0]):.3f}; the deal on the table "
        f"({', '.join(f'{v:g}' for v in model.deal.terms[:, 0])}) worth {deal:.4f}, "
        f"reciprocity {float(model.deal.reciprocity[0]):.3f}, agreeing to its reciprocal "
        f"items alone worth +{float(pr.partial_gain[0]):.4f}; Russia's belief that the West "
        f"carries out its threats {float(russia.resolve_belief[0]):.2f} and that it gives "
        f"way under coercion {float(russia.yield_belief[0]):.2f}, so it expects the deal's "
        f"remaining gap to close by {', '.join(f'{100 * r:.2f}%' for r in rates)} a week "
        f"while it holds at rungs 1, 2, 3; NATO participation "
        f"{float(model.nato.participation[0]):.3f}.\n\n"
        f"Values of the actions (their best plans) and choice probabilities (weekly "
        f"precision {p.russia.choice_precision:g}, war precision "
        f"{p.russia.war_precision:g}):\n\n{choice_table}\n\n"
        f"The plans behind holding (rung 1) and climbing (rung 2, before the threshold "
        f"cost of {float(np.asarray(pr.threshold)):.3f}): hold n weeks, then invade or "
        f"settle on the deal expected by then (plans at rung 3 omitted):\n\n"
        f"{plan_table}\n\nBest plan of holding at rung 1: {'; '.join(bests)}."
    )


def section_issues(params: Params | None = None) -> str:
    """Each issue's scale, the brief ids behind it, and the positions at the defaults."""
    params = params or Params()
    west = params.west
    rows = []
    for issue in ISSUES:
        zero, one, ids = ISSUE_SCALES[issue]
        key = issue.key
        us, nato = getattr(west.us_offer, key), getattr(west.nato_offer, key)
        share = getattr(west.us_share, key)
        effective = nato + share * max(us - nato, 0.0)
        rows.append(
            [
                f"`{key}`",
                zero,
                one,
                ids,
                f"{getattr(params.russia.salience, key):g}",
                f"{us:g} / {nato:g}",
                f"{share:g}",
                f"{effective:g}",
                f"{getattr(west.us_reservation, key):g} / {getattr(west.nato_reservation, key):g}",
                f"{getattr(params.ukraine.salience, key):g}",
            ]
        )
    return markdown_table(
        [
            "issue",
            "0 (Western status quo)",
            "1 (Russia's demand)",
            "brief",
            "Russia's salience",
            "offer at t0, U.S. / NATO",
            "U.S. share",
            "effective offer at t0",
            "reservation, U.S. / NATO",
            "Ukraine's salience",
        ],
        rows,
    )


def section_ladder(params: Params | None = None) -> str:
    """Russia's ladder with what each rung is worth and what it triggers in the West."""
    params = params or Params()
    russia, west = params.russia, params.west
    ladders = CrisisModel(params, replications=1, seed=SEED, event_log=False)
    leverage = {
        Rung.BUILD_UP: russia.leverage_build_up,
        Rung.MILITARY_TECHNICAL: russia.leverage_military_technical,
        Rung.LIMITED_INCURSION: russia.leverage_incursion,
    }
    sanctions = {
        Rung.LIMITED_INCURSION: west.sanctions_tier_at_incursion,
        Rung.FULL_INVASION: west.sanctions_tier_at_invasion,
    }
    war_share = {Rung.LIMITED_INCURSION: russia.incursion_war_share, Rung.FULL_INVASION: 1.0}
    rows = []
    for rung in Rung:
        r = int(rung)
        upkeep = f"{r} x" if Rung.BUILD_UP <= rung <= Rung.LIMITED_INCURSION else "-"
        rows.append(
            [
                f"{r} `{rung.name.lower()}`",
                RUNG_MEANINGS[rung],
                f"{leverage[rung]:g}" if rung in leverage else "-",
                upkeep,
                f"{war_share[rung]:g}" if rung in war_share else "-",
                f"{sanctions.get(rung, 0.0):g}",
                f"{ladders.west.posture_threatened[r, 0]:g}",
                f"{ladders.west.support_triggered[r, 0]:g}",
                f"{ladders.nato.mobilisation[r, 0]:g}",
            ]
        )
    return markdown_table(
        [
            "rung",
            "stands for",
            "leverage",
            "upkeep",
            "share of war cost",
            "sanctions tier threatened (of 3)",
            "posture level triggered (of 2)",
            "support level triggered (of 2)",
            "mobilisation multiplier",
        ],
        rows,
    )


def _quoted(doc: str | None) -> str:
    """A module docstring as a markdown block quote."""
    lines = (doc or "").strip().splitlines()
    return "\n".join(f"> {line}" if line else ">" for line in lines)


def section_randomness() -> str:
    """How the streams and sampling designs work, in the modules' own words, and the layout."""
    generator = streams.replication_generator(SEED, 0).bit_generator
    width = 1 + streams.MEMBER_SLOTS
    layout = markdown_table(
        ["draws, in order", "how many per world", "used for"],
        [
            [
                "uniform",
                "1",
                "Russia's latent type: revisionist iff u < `russia.revisionist_prior`",
            ],
            [
                "uniform, turned into a standard normal (inverse normal CDF)",
                f"{streams.MEMBER_SLOTS}",
                f"each ally's threat perception, in the table's `iso3` order "
                f"({len(load_members())} used)",
            ],
            [
                "uniform",
                f"{streams.WEEKLY_SLOTS} per week",
                f"slot {streams.CHOICE} Russia's choice (inverse CDF), slot {streams.CLASH} "
                f"the clash hazard, slot {streams.INCIDENT} a military incident, slot "
                f"{streams.COLLAPSE} an early collapse of Ukraine's defence, slot "
                f"{streams.CEASEFIRE} a ceasefire, the rest spare",
            ],
        ],
    )
    return (
        f"From `crisis_sim.model.streams` (bit generator: `{type(generator).__name__}`):\n\n"
        f"{_quoted(streams.__doc__)}\n\n{layout}\n\n"
        f"So a world's block holds {width} numbers before its first week and "
        f"{streams.WEEKLY_SLOTS} per week after; an uncertain parameter's level in world "
        f"k is the k-th number of that parameter's own stream. From "
        f"`crisis_sim.model.sampling` (Latin hypercube blocks of {sampling.LHS_BLOCK:,} "
        f"worlds):\n\n{_quoted(sampling.__doc__)}"
    )


def section_weekly() -> str:
    """What an ensemble keeps week by week: the states and the binned variables."""
    states = ", ".join(f"`{label}`" for label in STATE_LABELS)
    rows = []
    for name, (low, high, bins) in BINNED.items():
        width = (high - low) / bins
        rows.append([f"`{name}`", f"{low:g} to {high:g}", str(bins), f"{width:g}"])
    table = markdown_table(["variable", "range", "bins", "bin width"], rows)
    return (
        f"Chunks of {ensemble.DEFAULT_CHUNK_SIZE:,} worlds by default. Each week, the "
        f"number of worlds in each state ({states}) and a histogram of each of these "
        f"variables over the worlds (a world ended by a deal or a clash keeps its final "
        f"values; in a world ended by an invasion the war runs on, and with it the "
        f"ladders, the allies and Ukraine):\n\n{table}"
    )


MECHANISM_PARAMS: dict[str, tuple[str, ...]] = {
    "params-plans": (
        "russia.discount",
        "russia.buildup_start",
        "russia.buildup_weeks",
        "russia.readiness_weeks",
        "russia.readiness_decline",
        "russia.thaw_penalty",
        "russia.extraction_weeks",
        "russia.leverage_build_up",
        "russia.leverage_military_technical",
        "russia.leverage_incursion",
        "russia.upkeep_cost",
        "russia.upkeep_doubling_weeks",
        "russia.threshold_cost",
        "russia.war_cost",
        "russia.incursion_war_share",
        "russia.victory_slope",
        "russia.choice_precision",
        "russia.war_precision",
    ),
    "params-west": (
        "west.war_aversion",
        "west.posture_threshold",
        "west.support_threshold",
        "west.sanctions_tier_at_incursion",
        "west.sanctions_tier_at_invasion",
        "west.posture_at_military_technical",
        "west.posture_at_incursion",
        "west.posture_at_invasion",
        "west.support_at_military_technical",
        "west.support_at_incursion",
        "west.us_unilateral_sanctions",
        "west.us_unilateral_posture",
    ),
    "params-ukraine": (
        "ukraine.resistance",
        "ukraine.support_effect",
        "ukraine.adjustment_rate",
        "ukraine.mobilisation_effect",
        "ukraine.mobilisation_rate",
        "ukraine.mobilisation_threshold",
        "ukraine.neutrality_threshold",
        "ukraine.neutrality_level",
        "ukraine.threat_weight",
    ),
    "params-incidents": (
        "west.incident_hazard",
        "alliance.incident_tension",
        "west.clash_hazard",
        "west.channels_effect",
    ),
    "params-partial": ("russia.partial_agreement_cost", "russia.talks_walk_back_cost"),
    "params-war": tuple(info.path for info in iter_params() if info.path.split(".", 1)[0] == "war"),
}
"""The parameters listed with each mechanism of section 5 (defaults, ranges, sources)."""


def section_mechanism_params(paths: Iterable[str]) -> str:
    """Default, plausible range and source of some parameters, from their declarations."""
    infos = {info.path: info for info in iter_params()}
    return markdown_table(
        ["parameter", "default", "plausible range", "unit", "source"],
        (
            [
                f"`{path}`",
                f"{infos[path].default:g}",
                f"{infos[path].plausible[0]:g} to {infos[path].plausible[1]:g}",
                infos[path].unit,
                infos[path].source,
            ]
            for path in paths
        ),
    )


def section_levers() -> str:
    """Every lever kind: who may pull it, its level's range and meaning, and its effect."""
    rows = [
        [
            f"`{entry.kind}`",
            ", ".join(entry.actors),
            entry.level_range,
            entry.level_meaning,
            entry.effect,
            entry.meaning,
        ]
        for entry in lever_reference()
    ]
    return markdown_table(["kind", "actor", "level", "level means", "effect", "meaning"], rows)


def static_sections() -> dict[str, str]:
    """Every section generated from the code and data alone, by marker name."""
    return {
        **{name: section_mechanism_params(paths) for name, paths in MECHANISM_PARAMS.items()},
        "params": section_params(),
        "constants": section_constants(),
        "issues": section_issues(),
        "ladder": section_ladder(),
        "randomness": section_randomness(),
        "brief-ids": section_brief_ids(),
        "members": section_members(),
        "t0": section_t0(),
        "weekly": section_weekly(),
        "levers": section_levers(),
    }


# -- simulated sections ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Task:
    """One run of the model, as a worker process gets it.

    Attributes:
        values: Parameters set away from their defaults, as (dotted path, value) pairs.
        runs: Worlds.
        seed: The scenario seed.
        levers: Levers pulled.
        first: Index of the first world (its randomness is keyed by its index).
        sampled: Per-world parameter values, as (dotted path, (runs,) array) pairs.
    """

    values: tuple[tuple[str, float], ...] = ()
    runs: int = BASELINE_RUNS
    seed: int = SEED
    levers: tuple[Lever, ...] = ()
    first: int = 0
    sampled: tuple[tuple[str, np.ndarray], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Ends:
    """How the worlds of a task ended, per world.

    Attributes:
        outcome: Outcome code.
        week: The outcome's week.
        incursion: Whether Russia stood at the incursion rung (3) at the end of some week;
            an invasion launched from rung 2 does not count.
    """

    outcome: np.ndarray
    week: np.ndarray
    incursion: np.ndarray


def simulate(task: Task) -> Ends:
    """Run one task to the horizon (in a worker process, or here)."""
    model = CrisisModel(
        with_values(Params(), dict(task.values)),
        replications=task.runs,
        seed=task.seed,
        first_replication=task.first,
        levers=task.levers,
        sampled=dict(task.sampled) or None,
        event_log=False,
        record_history=False,
    )
    incursion = np.zeros(task.runs, dtype=bool)
    while model.running:  # as CrisisModel.run, noting the worlds that stand at rung 3
        model.step()
        incursion |= model.russia.rung == int(Rung.LIMITED_INCURSION)
    return Ends(model.outcome.copy(), model.outcome_week.copy(), incursion)


class Simulator:
    """Runs tasks, in order, on worker processes (spawned afresh) or, with one worker, here.

    Every task depends only on its own settings and seed, so the results are the same
    whatever the number of workers.
    """

    def __init__(self, workers: int = 1) -> None:
        """Prepare ``workers`` processes (started on entering the context)."""
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Simulator:
        """Start the workers."""
        if self.workers > 1:
            if str(DOCS) not in sys.path:  # workers import this file by its module's name
                sys.path.insert(0, str(DOCS))
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the workers."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def run(self, tasks: Sequence[Task]) -> list[Ends]:
        """The ends of every task, in the tasks' order."""
        if self._pool is None:
            return [simulate(task) for task in tasks]
        return list(self._pool.map(simulate, tasks))


SERIAL = Simulator(1)
"""Runs every task in this process."""


def run_worlds(
    params: Params | None = None, runs: int = BASELINE_RUNS, *, history: bool = False
) -> CrisisModel:
    """Run ``runs`` worlds of the baseline seed to the horizon."""
    model = CrisisModel(
        params,
        replications=runs,
        seed=SEED,
        event_log=False,
        record_history=history,
    )
    return model.run()


@dataclass(frozen=True, slots=True)
class Stakes:
    """What was at stake in Russia's choices: |best war plan - best peace plan|.

    Attributes:
        every_week: One value per world and week in which Russia chose (its own type).
        at_invasion: One value per world, in the week it invaded.
    """

    every_week: np.ndarray
    at_invasion: np.ndarray


def run_baseline(runs: int = BASELINE_RUNS) -> tuple[CrisisModel, Stakes]:
    """The baseline at the defaults, with its history, and the stakes of Russia's choices.

    The model is stepped as :meth:`CrisisModel.run` steps it; after each week the values
    Russia chose by (``Russia.by_type``) are read under each world's own type.
    """
    model = CrisisModel(None, replications=runs, seed=SEED, event_log=False, record_history=True)
    russia = model.russia
    every_week, at_invasion = [], []
    while model.running:
        choosing = model.active & (russia.rung < int(Rung.FULL_INVASION))
        model.step()
        if russia.by_type is None:
            continue
        revisionist, secure = russia.by_type
        war = np.where(russia.revisionist, revisionist.war_plan, secure.war_plan)
        peace = np.where(russia.revisionist, revisionist.peace_plan, secure.peace_plan)
        stake = np.abs(war - peace)
        every_week.append(stake[choosing])
        at_invasion.append(stake[choosing & (russia.last_action == int(Action.INVADE))])
    return model, Stakes(np.concatenate(every_week), np.concatenate(at_invasion))


def section_stakes(stakes: Stakes, runs: int = BASELINE_RUNS) -> str:
    """The stakes of Russia's choices at the defaults, against the near-best margin."""
    margin = choice.NEAR_BEST_MARGIN
    rows = []
    for label, values in (
        ("every week Russia chose", stakes.every_week),
        ("the week it invaded", stakes.at_invasion),
    ):
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        rows.append(
            [
                label,
                f"{values.size:,}",
                f"{median:.3f}",
                f"{q1:.3f} to {q3:.3f}",
                _pct(float(np.mean(values <= margin))),
                f"{median / margin:.0f} x",
            ]
        )
    table = markdown_table(
        [
            "choices",
            "world-weeks",
            "median stake",
            "quartiles",
            f"stake at most the margin ({margin:g})",
            "median stake / margin",
        ],
        rows,
    )
    return (
        f"{runs:,} worlds at the defaults, seed {SEED}. The stake of a choice is |value "
        f"of Russia's best plan ending in war - value of its best plan that does not| "
        f"(`TypeValues.war_plan`, `TypeValues.peace_plan`, under the world's own type), in "
        f"the units of Russia's utility (1 = the whole distance from the status quo to all "
        f"its demands):\n\n{table}"
    )


def _outcome_rows(outcomes: pd.DataFrame) -> list[list[str]]:
    total = len(outcomes)
    rows = []
    for outcome in OUTCOMES:
        ended = outcomes["outcome"] == outcome.key
        weeks = outcomes.loc[ended, "week"]
        median = weeks.median() if len(weeks) else float("nan")
        rows.append(
            [
                f"`{outcome.key}`",
                f"{int(ended.sum()):,}",
                _pct(ended.mean()),
                _interval(*wilson_interval(int(ended.sum()), total)),
                _median_week(weeks),
                _week_date(median) if len(weeks) else "-",
            ]
        )
    return rows


def _state_shares(model: CrisisModel) -> str:
    assert model.history is not None
    states = model.history["state"]
    columns = (
        [f"at rung {int(r)}" for r in (Rung.BUILD_UP, Rung.MILITARY_TECHNICAL)]
        + ["at rung 3"]
        + [f"ended: {o.key}" for o in OUTCOMES]
    )
    codes = [100 + int(Rung.BUILD_UP), 100 + int(Rung.MILITARY_TECHNICAL)]
    codes += [100 + int(Rung.LIMITED_INCURSION)] + [int(o) for o in OUTCOMES]
    rows = []
    for week in SNAPSHOT_WEEKS:
        if week >= len(states):
            continue
        state = states[week]
        rows.append([str(week)] + [_pct(float(np.mean(state == code))) for code in codes])
    return markdown_table(["week", *columns], rows)


def _by_type_table(outcomes: pd.DataFrame) -> str:
    revisionist = outcomes["revisionist"].to_numpy(dtype=bool)
    counts = {True: int(revisionist.sum()), False: int((~revisionist).sum())}
    rows = []
    for outcome in OUTCOMES:
        row = [f"`{outcome.key}`"]
        for kind in (True, False):
            subset = outcomes[revisionist == kind]
            ended = (subset["outcome"] == outcome.key).to_numpy()
            row += [_share_cell(ended, len(subset)), _median_week(subset.loc[ended, "week"])]
        rows.append(row)
    return markdown_table(
        [
            "outcome",
            f"revisionist (n = {counts[True]:,})",
            "median week",
            f"security-seeking (n = {counts[False]:,})",
            "median week",
        ],
        rows,
    )


def _overall_table(outcomes: pd.DataFrame) -> str:
    return markdown_table(
        ["outcome", "worlds", "share", "95% Wilson interval", "median week", "median date"],
        _outcome_rows(outcomes),
    )


def _reasons_table(outcomes: pd.DataFrame) -> str:
    """Why each invasion was chosen: best reply, near-best, or a low-probability draw."""
    invaded = outcomes[outcomes["outcome"] == Outcome.FULL_INVASION.key]
    total = len(invaded)
    rows = []
    for reason in InvasionReason:
        if reason is InvasionReason.NONE:
            continue
        mask = (invaded["invasion_reason"] == reason.key).to_numpy()
        margins = invaded.loc[mask, "invasion_margin"]
        rows.append(
            [
                f"`{reason.key}`",
                f"{int(mask.sum()):,}",
                _share_cell(mask, total) if total else "-",
                _median_week(invaded.loc[mask, "week"]),
                f"{margins.median():.4f}" if len(margins) else "-",
            ]
        )
    return markdown_table(
        [
            "reason",
            "invasions",
            "share of invasions (95% Wilson)",
            "median week",
            "median margin below the best action",
        ],
        rows,
    )


def _reasons_text(outcomes: pd.DataFrame) -> str:
    """The reasons table with its margin stated, and the invasions a clash overtook."""
    clashed = outcomes[
        (outcomes["outcome"] == Outcome.NATO_RUSSIA_CLASH.key) & outcomes["invasion_reason"].notna()
    ]
    return (
        f"Why each invasion was chosen (`invasion_reason`): a best reply (invading was worth "
        f"the most of Russia's actions that week), near-best (within `NEAR_BEST_MARGIN` = "
        f"{choice.NEAR_BEST_MARGIN:g} of the best), or a low-probability draw of the choice "
        f"noise (further below). Over the worlds whose outcome is `full_invasion`; "
        f"{len(clashed):,} more worlds invaded in a week in which a clash fired, and count "
        f"as `nato_russia_clash`:\n\n{_reasons_table(outcomes)}"
    )


def _war_table(outcomes: pd.DataFrame, horizon: int) -> str:
    """What came after the invasions, at the horizon."""
    invaded = outcomes[outcomes["outcome"] == Outcome.FULL_INVASION.key]
    total = len(invaded)
    if not total:
        return "No world invaded."
    collapse = (invaded["war_collapse_week"] >= 0).to_numpy()
    ceased = (invaded["ceasefire_week"] >= 0).to_numpy()
    agreed = ceased & ~collapse
    clash = (invaded["war_clash_week"] >= 0).to_numpy()
    before = (
        (invaded["partial_week"] >= 0) & (invaded["partial_week"] < invaded["week"])
    ).to_numpy()
    duration = (invaded["ceasefire_week"] - invaded["week"])[ceased]
    front = invaded["war_front"]
    f1, f2, f3 = np.percentile(front, [25, 50, 75])

    def mean(column: str) -> str:
        return f"{invaded[column].mean():.2f}"

    rows = [
        ["the war still fought at the horizon", _share_cell(~ceased, total)],
        ["a ceasefire, the front stalled", _share_cell(agreed, total)],
        [
            "Ukraine's defence collapsed early (a ceasefire on Russia's terms)",
            _share_cell(collapse, total),
        ],
        ["a direct NATO-Russia clash during the war", _share_cell(clash, total)],
        ["a partial agreement made before the invasion", _share_cell(before, total)],
        [
            "weeks from the invasion to the end of the fighting, where it ended (median)",
            f"{duration.median():g}" if len(duration) else "-",
        ],
        [
            "front at the horizon: share of Ukraine beyond the 2021 line of contact "
            "Russia holds (median, quartiles)",
            f"{f2:.2f} ({f1:.2f} to {f3:.2f})",
        ],
        [
            "Russia's chance of winning as it saw it when it invaded (median)",
            f"{invaded['invasion_victory'].median():.2f}",
        ],
        ["Ukraine's resistance at the horizon (mean)", mean("resistance")],
        ["Ukraine mobilised at the horizon (mean, 0-1)", mean("mobilised")],
        ["sanctions tier at the horizon (mean, of 3)", mean("sanctions")],
        ["Eastern Flank posture at the horizon (mean, of 2)", mean("posture")],
        ["allied cohesion at the horizon (mean)", mean("cohesion")],
    ]
    return (
        f"What came after the {total:,} invasions, at the horizon (week {horizon}); the "
        f"outcome stays `full_invasion`, dated by the week of the invasion:\n\n"
        + markdown_table(["after the invasion", "share of invaded worlds, or value"], rows)
    )


def _partial_table(outcomes: pd.DataFrame) -> str:
    """Partial agreements (5.10) by outcome."""
    rows = []
    for outcome in OUTCOMES:
        subset = outcomes[outcomes["outcome"] == outcome.key]
        made = (subset["partial_week"] >= 0).to_numpy()
        rows.append(
            [f"`{outcome.key}`", _share_cell(made, len(subset)) if len(subset) else "-"]
            + [_median_week(subset.loc[made, "partial_week"])]
            + [
                f"{subset[f'agreed_{issue.key}'].mean():.2f}" if len(subset) else "-"
                for issue in (Issue.INF_MISSILES, Issue.EXERCISES, Issue.RISK_REDUCTION)
            ]
        )
    made = (outcomes["partial_week"] >= 0).to_numpy()
    return (
        f"Partial agreements (5.10): {_share_cell(made, len(outcomes))} of worlds agreed to "
        f"the reciprocal items on the table at some point.\n\n"
        + markdown_table(
            [
                "outcome",
                "worlds with a partial agreement",
                "median week of the first",
                "agreed on `inf_missiles` (mean)",
                "on `exercises`",
                "on `risk_reduction`",
            ],
            rows,
        )
    )


def _invasion_rungs(model: CrisisModel) -> str:
    """The rung each invasion was launched from, from the history."""
    assert model.history is not None
    rungs = np.stack(model.history["rung"])
    invaded = np.flatnonzero(model.outcome == int(Outcome.FULL_INVASION))
    if not invaded.size:
        return "no world invaded"
    launched = rungs[model.outcome_week[invaded] - 1, invaded]
    return ", ".join(
        f"{_pct(float(np.mean(launched == int(r))))} from rung {int(r)}"
        for r in (Rung.BUILD_UP, Rung.MILITARY_TECHNICAL, Rung.LIMITED_INCURSION)
    )


def section_baseline(model: CrisisModel) -> str:
    """Baseline outcomes, by type, reasons, paths, after the invasions, and the reference."""
    outcomes = model.outcomes()
    total = len(outcomes)
    assert model.history is not None
    rungs = np.stack(model.history["rung"])  # (weeks + 1, R), rung 4 once invaded
    stood = rungs == int(Rung.LIMITED_INCURSION)
    reached = stood.any(axis=0)
    reached_two = (rungs == int(Rung.MILITARY_TECHNICAL)).any(axis=0)
    began = np.argmax(stood, axis=0)[reached]
    q1, median, q3 = np.percentile(began, [25, 50, 75]) if began.size else (np.nan,) * 3
    deals = np.flatnonzero(model.outcome == int(Outcome.DE_ESCALATION))
    deal_rungs = rungs[model.outcome_week[deals] - 1, deals]
    deal_text = ", ".join(
        f"{int(np.sum(deal_rungs == int(r))):,} at rung {int(r)}"
        for r in (Rung.BUILD_UP, Rung.MILITARY_TECHNICAL, Rung.LIMITED_INCURSION)
    )
    reference = reference_table(outcomes, model.params)
    reference_rows = [
        [
            f"`{issue}`",
            f"{row.weighted_mean:.3f}",
            f"{row.model_mean_gain:.3f}",
            f"{row.model_gain_in_deals:.3f}",
        ]
        for issue, row in reference.iterrows()
    ]
    reference_md = markdown_table(
        [
            "issue",
            "weighted mean of positions",
            "model: Russia's mean gain, all worlds",
            "model: Russia's mean gain, deals",
        ],
        reference_rows,
    )
    return (
        f"{total:,} worlds, seed {SEED}, horizon {model.horizon} weeks (to "
        f"{_week_date(model.horizon)}), default parameters (none drawn per world), no "
        f"levers.\n\n{_overall_table(outcomes)}\n\n"
        f"By Russia's latent type (column `revisionist`):\n\n{_by_type_table(outcomes)}\n\n"
        f"{_reasons_text(outcomes)}\n\n"
        f"Paths: {_pct(reached_two.mean())} of worlds stood at rung 2 and "
        f"{_pct(reached.mean())} at rung 3 (a limited incursion) at some point; the first "
        f"incursion began in week {median:g} at the median (quartiles weeks {q1:g} and "
        f"{q3:g}). Invasions were launched {_invasion_rungs(model)}. Of the "
        f"{deals.size:,} deals, Russia accepted {deal_text}.\n\n"
        f"State of the worlds by week (still in crisis at a rung, or ended; a world "
        f"ended by an invasion is counted under `full_invasion` while its war runs "
        f"on):\n\n{_state_shares(model)}\n\n"
        f"{_war_table(outcomes, model.horizon)}\n\n{_partial_table(outcomes)}\n\n"
        f"Weighted-mean reference (Achen 2006; Bueno de Mesquita 2011) beside the "
        f"model, per issue (0 = Western status quo, 1 = Russia's demand):\n\n{reference_md}"
    )


def _describe_distribution(dist: Any) -> str:
    fields = dist.model_dump(exclude={"param", "distribution"})
    args = ", ".join(f"{key} {value:g}" for key, value in fields.items())
    return f"{dist.distribution} ({args})"


def section_baseline_scenario(runs: int = BASELINE_RUNS) -> str:
    """The bundled ``baseline`` scenario, with its ranges of judgement drawn per world."""
    results = ensemble.run("baseline", runs=runs, seed=SEED, progress=False)
    scenario = results.scenario
    outcomes = results.worlds
    design = str(results.info["sampling"]).replace("_", " ")
    uncertain = markdown_table(
        ["parameter", "drawn from"],
        ([f"`{dist.param}`", _describe_distribution(dist)] for dist in scenario.uncertain),
    )
    return (
        f"`scenarios/{scenario.name}.toml` ({scenario.title}): {len(outcomes):,} worlds, seed "
        f"{SEED}, horizon {scenario.run.horizon} weeks, {design} sampling, no levers, with "
        f"these parameters drawn per world (all others at their defaults):\n\n{uncertain}\n\n"
        f"{_overall_table(outcomes)}\n\nBy Russia's latent type:\n\n{_by_type_table(outcomes)}"
        f"\n\n{_reasons_text(outcomes)}\n\n{_war_table(outcomes, scenario.run.horizon)}\n\n"
        f"{_partial_table(outcomes)}"
    )


def section_h1(sim: Simulator = SERIAL) -> str:
    """The concession of the H1 checks (``H1_*`` above), measured.

    Each setting runs with and without the concession on common random numbers (the
    checks' seed and number of worlds), with the readings as the setting has them and
    with both readings at 0, which isolates what the readings themselves add.
    """
    levers = H1_CONCESSION
    runs, seed = H1_REPLICATIONS, H1_SEED
    background = dict(H1_BACKGROUND)
    readings = {
        "appeasement": dict(H1_APPEASEMENT_READING),
        "off-ramp": dict(H1_OFFRAMP_READING),
    }
    defaults = {info.path: info.default for info in iter_params()}
    appeasing = {**background, **readings["appeasement"]}
    reassuring = {**background, **readings["off-ramp"]}
    settings_table = markdown_table(
        ["parameter", "default", "appeasement setting", "off-ramp setting"],
        (
            [f"`{path}`", f"{defaults[path]:g}", f"{appeasing[path]:g}", f"{reassuring[path]:g}"]
            for path in dict.fromkeys([*appeasing, *reassuring])
        ),
    )
    off = {"concessions.appeasement_strength": 0.0, "concessions.offramp_strength": 0.0}
    cases = [
        ("appeasement setting", "as set", appeasing),
        ("appeasement setting", "both at 0", {**appeasing, **off}),
        ("off-ramp setting", "as set", reassuring),
        ("off-ramp setting", "both at 0", {**reassuring, **off}),
        ("defaults", "as set (0.5 each)", {}),
        ("defaults", "both at 0", dict(off)),
        ("defaults, `russia.distance_exponent` 2", "as set (0.5 each)", {_EXPONENT: 2.0}),
        ("defaults, `russia.distance_exponent` 2", "both at 0", {**off, _EXPONENT: 2.0}),
    ]
    tasks = [
        Task(tuple(values.items()), runs, seed, chosen)
        for _, _, values in cases
        for chosen in ((), tuple(levers))
    ]
    ends = sim.run(tasks)
    inv, de = int(Outcome.FULL_INVASION), int(Outcome.DE_ESCALATION)
    rows = []
    for index, (setting, reading, _) in enumerate(cases):
        without, with_it = ends[2 * index].outcome, ends[2 * index + 1].outcome
        delta, half = _paired(without == inv, with_it == inv)
        rows.append(
            [
                setting,
                reading,
                f"{_pct(np.mean(without == inv))}, {_pct(np.mean(with_it == inv))}",
                _points(delta, half),
                f"{_pct(np.mean(without == de))}, {_pct(np.mean(with_it == de))}",
            ]
        )
    effects = markdown_table(
        [
            "setting",
            "readings of the concession",
            "P(full_invasion) without, with",
            "change, points (± 95%)",
            "P(de_escalation) without, with",
        ],
        rows,
    )
    lever = levers[0]
    return (
        f"The concession: `{lever.actor.value}` `{lever.kind.value}` on `{lever.issue.key}` "
        f"at level {lever.level:g} in week {lever.week} (the U.S. alone delivers "
        f"{Params().west.us_share.exercises:g} x level by default; the settings raise its "
        f"share). Settings of `tests/test_directional.py` (all other parameters at their "
        f"defaults, every value within its plausible range):\n\n{settings_table}\n\n"
        f"{runs:,} worlds per run, seed {seed} (the tests' own), horizon {DEFAULT_HORIZON} "
        f"weeks, with and without the concession on common random numbers; the change is "
        f"paired world by world, with the half-width of its 95% normal interval:\n\n{effects}"
    )


def section_sunk_sanctions(sim: Simulator = SERIAL, runs: int = BASELINE_RUNS) -> str:
    """Credibility of threats against the gap between incursion and invasion sanctions."""
    inv = int(Outcome.FULL_INVASION)
    de = int(Outcome.DE_ESCALATION)
    default = Params().west.sanction_credibility
    grid = [(tier, credibility) for tier in SUNK_TIERS for credibility in SUNK_CREDIBILITY]
    ends = dict(
        zip(
            grid,
            sim.run([Task(((_TIER, t), (_CREDIBILITY, c)), runs) for t, c in grid]),
            strict=True,
        )
    )
    rows = []
    for tier, credibility in grid:
        reference = ends[tier, default].outcome == inv
        end = ends[tier, credibility]
        invaded = end.outcome == inv
        reached = end.incursion
        change = "-" if credibility == default else _points(*_paired(reference, invaded))
        rows.append(
            [
                f"{tier:g}",
                f"{credibility:g}",
                _pct(invaded.mean()),
                change,
                _pct(reached.mean()),
                _pct(invaded[reached].mean()) if reached.any() else "-",
                _pct(invaded[~reached].mean()) if (~reached).any() else "-",
                _pct(np.mean(end.outcome == de)),
            ]
        )
    table = markdown_table(
        [
            "`west.sanctions_tier_at_incursion`",
            "`west.sanction_credibility`",
            "P(full_invasion)",
            f"change from credibility {default:g}, points (± 95%)",
            "stood at rung 3 (an incursion)",
            "P(full_invasion) after an incursion",
            "P(full_invasion) in the other worlds (from rung 1 or 2)",
            "P(de_escalation)",
        ],
        rows,
    )
    return (
        f"{runs:,} worlds per run, seed {SEED}, every other parameter at its default "
        f"(`west.sanctions_tier_at_invasion` "
        f"{Params().west.sanctions_tier_at_invasion:g}); changes are paired on common "
        f"random numbers:\n\n{table}"
    )


@dataclass(frozen=True, slots=True)
class SweepRow:
    """The effect of moving one parameter from the low to the high end of its range."""

    path: str
    low: float
    high: float
    invasion: tuple[float, float]
    de_escalation: tuple[float, float]
    invasion_delta: float
    invasion_half: float
    de_escalation_delta: float
    de_escalation_half: float

    @property
    def size(self) -> float:
        """The larger absolute effect of the two."""
        return max(abs(self.invasion_delta), abs(self.de_escalation_delta))


def sweep_paths() -> list[str]:
    """The parameters of the sweep: every scalar one, and the key per-issue ones."""
    scalar = [info.path for info in iter_params() if info.path.count(".") == 1]
    return scalar + list(KEY_ISSUE_PARAMS)


def _paired(low: np.ndarray, high: np.ndarray) -> tuple[float, float]:
    """Mean difference high - low of paired indicators and its 95% half-width."""
    diff = high.astype(float) - low.astype(float)
    half = Z95 * diff.std(ddof=1) / math.sqrt(len(diff)) if len(diff) > 1 else float("nan")
    return float(diff.mean()), float(half)


def run_sweep(sim: Simulator = SERIAL, runs: int = SWEEP_RUNS) -> tuple[list[SweepRow], Ends]:
    """One-at-a-time sweep over the plausible ranges, on common random numbers.

    Returns the rows, sorted by the larger effect, and the baseline run at this size.
    """
    infos = {info.path: info for info in iter_params()}
    paths = sweep_paths()
    tasks = [Task((), runs)] + [
        Task(((path, value),), runs) for path in paths for value in infos[path].plausible
    ]
    ends = sim.run(tasks)
    baseline, ends = ends[0], ends[1:]
    inv = int(Outcome.FULL_INVASION)
    de = int(Outcome.DE_ESCALATION)
    rows = []
    for index, path in enumerate(paths):
        lo, hi = infos[path].plausible
        low, high = ends[2 * index].outcome, ends[2 * index + 1].outcome
        d_inv, h_inv = _paired(low == inv, high == inv)
        d_de, h_de = _paired(low == de, high == de)
        rows.append(
            SweepRow(
                path,
                lo,
                hi,
                (float(np.mean(low == inv)), float(np.mean(high == inv))),
                (float(np.mean(low == de)), float(np.mean(high == de))),
                d_inv,
                h_inv,
                d_de,
                h_de,
            )
        )
    return sorted(rows, key=lambda row: -row.size), baseline


def _points(delta: float, half: float) -> str:
    return f"{100 * delta:+.1f} (± {100 * half:.1f})"


def _sweep_table(rows: list[SweepRow], first_rank: int = 1) -> str:
    return markdown_table(
        [
            "rank",
            "parameter",
            "low to high",
            "P(full_invasion) low, high",
            "change, points (± 95%)",
            "P(de_escalation) low, high",
            "change, points (± 95%)",
        ],
        (
            [
                str(rank),
                f"`{row.path}`",
                f"{row.low:g} to {row.high:g}",
                f"{_pct(row.invasion[0])}, {_pct(row.invasion[1])}",
                _points(row.invasion_delta, row.invasion_half),
                f"{_pct(row.de_escalation[0])}, {_pct(row.de_escalation[1])}",
                _points(row.de_escalation_delta, row.de_escalation_half),
            ]
            for rank, row in enumerate(rows, start=first_rank)
        ),
    )


def section_drivers(rows: list[SweepRow], baseline: Ends) -> str:
    """The top drivers of the sweep, then the full table folded away."""
    outcome = baseline.outcome
    inv = float(np.mean(outcome == int(Outcome.FULL_INVASION)))
    de = float(np.mean(outcome == int(Outcome.DE_ESCALATION)))
    inert = [row.path for row in rows if row.size == 0.0]
    inert_text = (
        "Parameters with no effect at all on either share at the defaults (they act only "
        "through levers, or never bind at the defaults): "
        + ", ".join(f"`{path}`" for path in inert)
        + "."
        if inert
        else "Every swept parameter changes at least one of the two shares."
    )
    tolerance = 0.03
    bent = []
    for row in rows:
        for name, (lo_share, hi_share), base in (
            ("P(full_invasion)", row.invasion, inv),
            ("P(de_escalation)", row.de_escalation, de),
        ):
            if min(lo_share, hi_share) > base + tolerance:
                bent.append(f"`{row.path}` ({name} lowest near the default)")
            elif max(lo_share, hi_share) < base - tolerance:
                bent.append(f"`{row.path}` ({name} highest near the default)")
    bent_text = (
        "Non-monotone: for these parameters both ends of the range move a share the same "
        "way from the default by more than 3 points, so the low-to-high change understates "
        "their effect: " + "; ".join(bent) + "."
        if bent
        else "No parameter moves a share the same way from the default at both ends."
    )
    return (
        f"{len(rows)} parameters, each moved from the low to the high end of its plausible "
        f"range with all others at their defaults; {len(outcome):,} worlds per "
        f"run, seed {SEED}, horizon {DEFAULT_HORIZON} weeks, so every run sees the same "
        f"worlds (common random numbers) and the change is paired. Baseline at this size: "
        f"P(full_invasion) = {_pct(inv)}, P(de_escalation) = {_pct(de)}. Changes are in "
        f"percentage points, with the half-width of a 95% normal interval of the paired "
        f"difference; sorted by the larger of the two absolute changes.\n\n"
        f"{_sweep_table(rows[:TOP_DRIVERS])}\n\n"
        f"<details><summary>All {len(rows)} swept parameters</summary>\n\n"
        f"{_sweep_table(rows)}\n\n</details>\n\n{bent_text}\n\n{inert_text}"
    )


# -- what sets the timing ---------------------------------------------------------------


def _thaw_week() -> int:
    """The first week (from t0) on or after the start of the spring thaw of 2022."""
    (month, day), _ = plans.THAW
    start = pd.Timestamp(T0)
    thaw = pd.Timestamp(year=start.year, month=month, day=day)
    return math.ceil((thaw - start).days / 7)


@dataclass(frozen=True, slots=True)
class Timing:
    """When the invasions of one run came."""

    share: float
    median: float
    q1: float
    q3: float
    mean: float
    before_thaw: float

    @classmethod
    def of(cls, ends: Ends) -> Timing:
        """Read the invasions' weeks from a run."""
        invaded = ends.outcome == int(Outcome.FULL_INVASION)
        weeks = ends.week[invaded].astype(float)
        if not weeks.size:
            return cls(0.0, math.nan, math.nan, math.nan, math.nan, math.nan)
        q1, median, q3 = np.percentile(weeks, [25, 50, 75])
        before = float(np.mean(weeks < _thaw_week()))
        return cls(float(invaded.mean()), median, q1, q3, float(weeks.mean()), before)

    def median_cell(self) -> str:
        """Median week with its quartiles."""
        if math.isnan(self.median):
            return "-"
        return f"{self.median:g} ({self.q1:g} to {self.q3:g})"


@dataclass(frozen=True, slots=True)
class TimingRow:
    """The invasions' timing at the low and the high end of one tempo parameter's range."""

    path: str
    low: float
    high: float
    at_low: Timing
    at_high: Timing

    @property
    def shift(self) -> float:
        """Change of the mean invasion week from the low to the high end."""
        return self.at_high.mean - self.at_low.mean


def run_timing(sim: Simulator = SERIAL, runs: int = TIMING_RUNS) -> tuple[Timing, list[TimingRow]]:
    """One-at-a-time sweep of the tempo parameters, on common random numbers."""
    infos = {info.path: info for info in iter_params()}
    tasks = [Task((), runs)] + [
        Task(((path, value),), runs) for path in TEMPO_PARAMS for value in infos[path].plausible
    ]
    ends = sim.run(tasks)
    rows = []
    for index, path in enumerate(TEMPO_PARAMS):
        lo, hi = infos[path].plausible
        rows.append(
            TimingRow(path, lo, hi, Timing.of(ends[1 + 2 * index]), Timing.of(ends[2 + 2 * index]))
        )
    rows.sort(key=lambda row: -abs(row.shift) if not math.isnan(row.shift) else 0.0)
    return Timing.of(ends[0]), rows


@dataclass(frozen=True, slots=True)
class TimingSobol:
    """Sobol indices of the invasions' timing (and of their share) over the tempo parameters."""

    week: Any
    share: Any
    points: int
    worlds: int
    extra_points: int
    empty_points: int
    noise: float
    mean_week: float


def run_timing_sobol(
    sim: Simulator = SERIAL, n: int = SOBOL_N, worlds: int = SOBOL_WORLDS
) -> TimingSobol:
    """First- and total-order Sobol indices of the mean invasion week among invading worlds.

    SALib's Saltelli sample over the tempo parameters' plausible ranges (uniform), through
    :func:`crisis_sim.analysis.sensitivity.analyse_function`. Point ``i`` of ``P`` runs
    worlds ``i x w .. i x w + w - 1``; a point where no world has invaded yet runs another
    ``w`` worlds (the next block of indices) up to :data:`SOBOL_EXTRA_ROUNDS` times; a
    point that never sees an invasion, where the week is undefined, takes the mean over
    the other points (it then adds nothing to any index). The share of worlds that invade
    (first block only) is analysed on the same sample.
    """
    infos = {info.path: info for info in iter_params()}
    names = list(TEMPO_PARAMS)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(infos[path].plausible) for path in names],
    }
    kept: dict[str, Any] = {}
    per_task = max(1, ensemble.DEFAULT_CHUNK_SIZE // worlds)

    def mean_invasion_week(samples: np.ndarray) -> np.ndarray:
        points = len(samples)
        count = np.zeros(points)
        total = np.zeros(points)
        squares = np.zeros(points)
        share = np.zeros(points)
        todo = np.arange(points)
        extra = 0
        for round_ in range(1 + SOBOL_EXTRA_ROUNDS):
            if not todo.size:
                break
            if round_:
                extra += todo.size
            base = round_ * points * worlds
            groups = [todo[a : a + per_task] for a in range(0, todo.size, per_task)]
            tasks = []
            for number, group in enumerate(groups):
                first = base + number * per_task * worlds
                sampled = tuple(
                    (path, np.repeat(samples[group, column], worlds))
                    for column, path in enumerate(names)
                )
                tasks.append(Task(runs=group.size * worlds, first=first, sampled=sampled))
            for group, end in zip(groups, sim.run(tasks), strict=True):
                invaded = (end.outcome == int(Outcome.FULL_INVASION)).reshape(group.size, worlds)
                weeks = np.where(invaded, end.week.reshape(group.size, worlds), 0).astype(float)
                count[group] += invaded.sum(axis=1)
                total[group] += weeks.sum(axis=1)
                squares[group] += (weeks**2).sum(axis=1)
                if not round_:
                    share[group] = invaded.mean(axis=1)
            todo = np.flatnonzero(count == 0)
        seen = count > 0
        mean = total / np.maximum(count, 1)
        mean = np.where(seen, mean, float(np.mean(mean[seen])))
        spread = np.where(count > 1, (squares - count * mean**2) / np.maximum(count - 1, 1), 0.0)
        noise = float(np.mean(np.where(seen, spread / np.maximum(count, 1), 0.0)))
        kept.update(
            samples=samples.copy(),
            share=share,
            extra=extra,
            empty=int(np.sum(~seen)),
            noise=noise / float(np.var(mean, ddof=1)),
            mean=float(np.mean(mean[seen])),
        )
        return mean

    week = analyse_function(problem, mean_invasion_week, "sobol", n=n, seed=SEED)

    def invasion_share(samples: np.ndarray) -> np.ndarray:
        if not np.array_equal(samples, kept["samples"]):
            raise RuntimeError("SALib's sample changed between two analyses of one seed")
        return kept["share"]

    share = analyse_function(problem, invasion_share, "sobol", n=n, seed=SEED)
    return TimingSobol(
        week=week,
        share=share,
        points=week.n_points,
        worlds=worlds,
        extra_points=kept["extra"],
        empty_points=kept["empty"],
        noise=kept["noise"],
        mean_week=kept["mean"],
    )


def _index_cell(value: float, half: float) -> str:
    return f"{value:.2f} (± {half:.2f})"


def section_timing(baseline: Timing, rows: list[TimingRow], sobol: TimingSobol) -> str:
    """What sets the week of an invasion: the one-at-a-time sweep, then the Sobol indices."""
    thaw = _thaw_week()
    sweep = markdown_table(
        [
            "rank",
            "parameter",
            "low to high",
            "P(full_invasion) low, high",
            "median week (quartiles), low",
            "high",
            "mean week low, high",
            "change of the mean, weeks",
            f"invaded before the thaw (week < {thaw}), low, high",
        ],
        (
            [
                str(rank),
                f"`{row.path}`",
                f"{row.low:g} to {row.high:g}",
                f"{_pct(row.at_low.share)}, {_pct(row.at_high.share)}",
                row.at_low.median_cell(),
                row.at_high.median_cell(),
                f"{row.at_low.mean:.1f}, {row.at_high.mean:.1f}",
                f"{row.shift:+.1f}",
                f"{_pct(row.at_low.before_thaw)}, {_pct(row.at_high.before_thaw)}",
            ]
            for rank, row in enumerate(rows, start=1)
        ),
    )
    week = sobol.week.indices.set_index("parameter")
    share = sobol.share.indices.set_index("parameter")
    order = week.sort_values("ST", ascending=False).index
    indices = markdown_table(
        [
            "parameter",
            "mean invasion week: first-order S1 (± 95%)",
            "total ST (± 95%)",
            "P(full_invasion): S1 (± 95%)",
            "ST (± 95%)",
        ],
        (
            [
                f"`{path}`",
                _index_cell(week.at[path, "S1"], week.at[path, "S1_conf"]),
                _index_cell(week.at[path, "ST"], week.at[path, "ST_conf"]),
                _index_cell(share.at[path, "S1"], share.at[path, "S1_conf"]),
                _index_cell(share.at[path, "ST"], share.at[path, "ST_conf"]),
            ]
            for path in order
        ),
    )
    empty = (
        f"the {sobol.empty_points} that saw none even then take the mean week of the other "
        f"points (their week is undefined; so they add nothing to any index)"
        if sobol.empty_points
        else "every point saw at least one"
    )
    return (
        f"**One at a time.** Each tempo parameter moved from the low to the high end of its "
        f"plausible range, all others at their defaults; {TIMING_RUNS:,} worlds per run, "
        f"seed {SEED}, common random numbers. At the defaults: P(full_invasion) "
        f"{_pct(baseline.share)}, median week {baseline.median_cell()}, mean week "
        f"{baseline.mean:.1f}, {_pct(baseline.before_thaw)} of invasions before the thaw "
        f"(week {thaw} is the first on or after {_season(plans.THAW).split(' to ')[0]}). "
        f"Weeks count from t0 among the worlds that invaded; sorted by the change of the "
        f"mean week.\n\n{sweep}\n\n"
        f"**Sobol indices** (Sobol 2001; Saltelli et al. 2010) of the mean week of "
        f"invasion among the invading worlds at each point, with the share of worlds that "
        f"invade beside it, over the {len(TEMPO_PARAMS)} tempo parameters drawn uniformly "
        f"from their plausible ranges (all others at their defaults): SALib's Saltelli "
        f"sample of N = {SOBOL_N} ({sobol.points:,} points), {sobol.worlds} worlds per "
        f"point (each point its own worlds), seed {SEED}, bootstrap 95% intervals; "
        f"{sobol.extra_points} points with no invasion in their first {sobol.worlds} "
        f"worlds ran up to {SOBOL_EXTRA_ROUNDS} more blocks of {sobol.worlds}, and "
        f"{empty}. Mean invasion week over the points {sobol.mean_week:.1f}; the worlds' own "
        f"noise is about {_pct(sobol.noise)} of the variance of the points' means (it adds "
        f"to every total index). Sorted by the total index of the week:\n\n{indices}"
    )


# -- the document -----------------------------------------------------------------------


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def read_section(text: str, name: str) -> str:
    """The generated body between a section's markers, without the surrounding newlines.

    Raises:
        ValueError: If the section's markers are missing, repeated or out of order.
    """
    start, end = _markers(name)
    if text.count(start) != 1 or text.count(end) != 1:
        raise ValueError(f"MODEL.md needs exactly one {start!r} and one {end!r}")
    head, _, rest = text.partition(start)
    body, _, _ = rest.partition(end)
    if end in head:
        raise ValueError(f"{end!r} comes before {start!r} in MODEL.md")
    return body.strip("\n")


def replace_section(text: str, name: str, body: str) -> str:
    """Return ``text`` with the body of section ``name`` replaced by ``body``."""
    read_section(text, name)  # validates the markers
    start, end = _markers(name)
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{body}\n{end}{tail}"


def build(
    static_only: bool = False, verbose: bool = True, workers: int = WORKERS
) -> dict[str, str]:
    """Generate the sections; the simulated ones too unless ``static_only``."""

    def say(message: str) -> None:
        if verbose:
            print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    sections = static_sections()
    say(f"static sections built ({time.perf_counter() - started:.1f} s)")
    if static_only:
        return sections
    with Simulator(workers) as sim:
        baseline, stakes = run_baseline(BASELINE_RUNS)
        sections["stakes"] = section_stakes(stakes)
        sections["baseline"] = section_baseline(baseline)
        sections["baseline-scenario"] = section_baseline_scenario()
        say(f"baselines of {BASELINE_RUNS:,} worlds ({time.perf_counter() - started:.1f} s)")
        sections["h1"] = section_h1(sim)
        sections["sunk-sanctions"] = section_sunk_sanctions(sim)
        say(f"H1 checks and sunk sanctions ({time.perf_counter() - started:.1f} s)")
        at_default, rows = run_timing(sim)
        sobol = run_timing_sobol(sim)
        sections["timing"] = section_timing(at_default, rows, sobol)
        say(f"timing sweep and Sobol indices ({time.perf_counter() - started:.1f} s)")
        sweep, sweep_baseline = run_sweep(sim)
        sections["drivers"] = section_drivers(sweep, sweep_baseline)
        say(f"sweep of {len(sweep)} parameters done ({time.perf_counter() - started:.1f} s)")
    return sections


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or, with ``--check``, verify) the generated sections of MODEL.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--static", action="store_true", help="only the sections that need no simulation"
    )
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if a section is stale"
    )
    parser.add_argument("--path", type=Path, default=MODEL_MD, help="the model card to update")
    parser.add_argument(
        "--workers",
        type=int,
        default=WORKERS,
        help=f"processes for the simulations (default {WORKERS}; the card does not depend on it)",
    )
    args = parser.parse_args(argv)
    text = args.path.read_text(encoding="utf-8")
    sections = build(static_only=args.static, workers=args.workers)
    if args.check:
        stale = [name for name, body in sections.items() if read_section(text, name) != body]
        if stale:
            print(f"{args.path}: stale sections: {', '.join(stale)}", file=sys.stderr)
            return 1
        print(f"{args.path}: up to date", file=sys.stderr)
        return 0
    updated = text
    for name, body in sections.items():
        updated = replace_section(updated, name, body)
    if updated != text:
        args.path.write_text(updated, encoding="utf-8")
        print(f"{args.path}: updated", file=sys.stderr)
    else:
        print(f"{args.path}: already up to date", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

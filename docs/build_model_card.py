"""Regenerate the generated sections of ``docs/MODEL.md`` in place.

``MODEL.md`` is written by hand except for the blocks between HTML-comment markers,
``<!-- NAME:start -->`` and ``<!-- NAME:end -->``, which this script rewrites from
the code, so the model card can be refreshed whenever the model changes:

* static sections, read from the code and data alone (fast): ``params`` (the
  parameter table, :func:`crisis_sim.model.params.parameter_table`), ``constants`` (the
  structural constants fixed in the code), ``issues`` and
  ``ladder`` (the issue scales and the escalation ladder at the defaults),
  ``randomness`` (the streams and sampling designs, in their modules' words),
  ``brief-ids`` (each brief id, the mechanism it acts in and the parameters that cite
  it), ``members`` (the 30 allies' traits and willingness, from the model itself),
  ``t0`` (Russia's first choice, worked through) and ``weekly`` (what an ensemble keeps
  week by week);
* simulated sections: ``baseline`` (the outcome distribution over 10,000 worlds at
  the defaults, by Russia's latent type, and the weighted-mean reference),
  ``baseline-scenario`` (the bundled ``baseline`` scenario over 10,000 worlds),
  ``h1`` (the concession of the H1 checks, in the settings ``H1_*`` below, which
  ``tests/test_directional.py`` reads from here, with and without the readings),
  ``sunk-sanctions`` (the credibility of threats against the sanctions tier threatened
  for an incursion) and ``drivers`` (a one-at-a-time sweep of the parameters over their
  plausible ranges, on common random numbers).

Usage, from the repository root::

    .venv/bin/python docs/build_model_card.py            # rewrite every section
    .venv/bin/python docs/build_model_card.py --static   # only the static sections
    .venv/bin/python docs/build_model_card.py --check    # exit 1 if MODEL.md is stale

The whole run takes well under a minute on two cores.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crisis_sim.analysis.reference import reference_table
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.ensemble.results import BINNED, STATE_LABELS
from crisis_sim.model import alliance as alliance_rules
from crisis_sim.model import russia as choice
from crisis_sim.model import sampling, streams
from crisis_sim.model import ukraine as ukraine_rules
from crisis_sim.model import west as west_rules
from crisis_sim.model.brief import BRIEF, T0
from crisis_sim.model.crisis import CrisisModel
from crisis_sim.model.domain import ISSUES, OUTCOMES, Action, Issue, Outcome, Rung
from crisis_sim.model.levers import Lever
from crisis_sim.model.members import load_members, member_arrays
from crisis_sim.model.params import Params, iter_params, parameter_table, with_values

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
    "alliance.concession_debate": 0.09,
    "west.us_share.exercises": 0.73,
    "russia.talks_walk_back_cost": 0.15,
    "russia.audience_cost": 0.15,
    "west.sanction_credibility": 0.47,
    "russia.resolve": 0.67,
    "russia.revisionist_premium": 0.08,
    "russia.leverage_military_technical": 0.27,
    "russia.resolve_belief_prior_strength": 15.0,
    "russia.choice_precision": 46.0,
    "russia.upkeep_cost": 0.03,
    "russia.threshold_cost": 0.0,
}
"""A setting found by random search over the plausible ranges, in which the two readings
of a concession decide the sign of its effect: a resolved Russia with high audience and
walk-back costs, a confident belief about Western resolve, and a U.S. that can deliver
most of a concession on exercises alone. Only the reading parameters below differ."""

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

SNAPSHOT_WEEKS = (1, 2, 4, 6, 8, 13, 20, 26)
"""Weeks at which the baseline's state shares are shown."""

_ID_PATTERN = re.compile(r"\b(?:RU|US|NATO|UA)-[A-Z]*\d+\b|\bH[1-6]\b")

# -- the sections' hand-written parts ------------------------------------------------

BRIEF_MECHANISMS: dict[str, str] = {
    "RU-D1": "Issue scale `enlargement` (1 = binding 'never'); Russia's highest salience; "
    "in the deal only with Ukraine's consent; war can take it (war utility)",
    "RU-D2": "Issue scale `eastern_flank`; the Western posture ladder is its opposite, "
    "a cost to Russia (`posture_cost`)",
    "RU-D3": "Issue scale `ukraine_cooperation`; in the deal only with Ukraine's consent; "
    "war can take it",
    "RU-P1": "Issue scale `inf_missiles` (1 = full moratorium); a reciprocal, face-saving item",
    "RU-T1": "Rung 2, military-technical; `leverage_military_technical`, scaled by "
    "Russia's belief that the West gives way under coercion (`yield_prior`)",
    "RU-A1": "Initial state: every world starts at rung 1, forces massed",
    "RU-A2": "Initial state: talks declared pointless; accepting a deal costs "
    "`talks_walk_back_cost`; H4's rejection mobilisation",
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
    "US-T2": "Posture ladder (Eastern Flank reinforcement): levels triggered by rung; "
    "U.S. unilateral level",
    "US-P1": "Ukraine's consent, in part, to terms about it (`bypass_ukraine_consent` "
    "levers set it aside); the B9 effect on allies' willingness; enlargement is an "
    "Alliance decision (`us_share` 0)",
    "US-S1": "Offers move toward reservation points as the risk of war rises "
    "(`flexibility`); the off-ramp reading of a concession; a deal lifts part of the "
    "sanctions and reinforcement in force (`sanctions_relief`)",
    "NATO-R1": "Red lines: NATO's offer and reservation are 0 on the first three issues",
    "NATO-O1": "NATO offer on `inf_missiles` and `exercises` (transparency, no limits)",
    "NATO-O2": "Issue scale `risk_reduction`; channels granted cut the clash and "
    "inadvertent-escalation hazards (`channels_effect`)",
    "NATO-T1": "Implicit: the same sanctions and posture ladders as US-T1 and US-T2, "
    "capped by allied consensus",
    "NATO-C1": "Solidarity: allies' willingness is pulled toward the Alliance's GDP-weighted mean",
    "NATO-F1": "Not used (background fact)",
    "UA-1": "The threat Ukraine weighs against terms about it (rises with Russia's rung, "
    "falls with its resistance); Ukraine's resistance",
    "UA-2": "Ukraine's salience and position on `enlargement` and `ukraine_cooperation`",
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
    "RU-T1": "`Russia.rung_prospects`",
    "RU-A2": "`Russia.__init__`, `Russia.action_utilities`",
    "RU-S1": "`Nato.update_willingness`, `Nato.advance_wedge`",
    "US-T1": "`West.respond`, `Russia.observe_west`",
    "US-T2": "`West.respond`",
    "US-P1": "`Ukraine.accepted_terms`, `Deal.form`",
    "US-S1": "`west.revised_offer`, `Russia.action_utilities`",
    "NATO-O2": "`incidents.inadvertent_escalation`, `incidents.clash_hazard`",
    "NATO-C1": "`Nato.update_willingness`",
    "UA-1": "`Ukraine.accepted_terms`",
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
    Rung.FULL_INVASION: "Full-scale invasion of Ukraine (ends the world)",
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

    Every judgement number is a parameter (:mod:`crisis_sim.model.params`); what is left
    here is structural: scales, units and normalisations that a different value would
    only rename.
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
            "A deal is on offer only if it beats the status quo by more than rounding.",
        ),
    ]


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


def section_t0(params: Params | None = None) -> str:
    """Russia's first weekly choice at the defaults, worked through for each type."""
    model = CrisisModel(params, replications=1, seed=SEED, event_log=False)
    russia = model.russia
    p = model.p.russia
    threshold = choice.cost_sensitivity(p.resolve, p.cost_sensitivity_slope) * p.threshold_cost
    rows_values = []
    rows_choice = []
    for label, revisionist in (("revisionist", True), ("security-seeking", False)):
        types = np.array([revisionist])
        values = russia.rung_values(types)[:, 0]
        plans = choice.ladder_plan_values(russia.rung_values(types), threshold)[:, 0]
        utilities, available = russia.action_utilities(types)
        probabilities = choice.logit_choice_probabilities(utilities, available, p.choice_precision)[
            :, 0
        ]
        rows_values.append(
            [label]
            + [f"{values[r]:+.4f} / {plans[r]:+.4f}" for r in (1, 2, 3, 4)]
            + [f"{float(russia.aspiration(types)[0]):.2f}"]
        )
        rows_choice.append(
            [label]
            + [
                f"{utilities[a, 0]:+.4f} (p = {probabilities[a]:.3f})"
                if available[a, 0]
                else "not available"
                for a in Action
            ]
        )
    terms = ", ".join(f"{v:g}" for v in model.deal.terms[:, 0])
    values_table = markdown_table(
        ["type", "V(1) / C(1)", "V(2) / C(2)", "V(3) / C(3)", "V(4) / C(4)", "aspiration"],
        rows_values,
    )
    choice_table = markdown_table(
        ["type"] + [a.name.lower().replace("_", "-") for a in Action], rows_choice
    )
    return (
        f"At t0 ({T0}): rung 1, status-quo utility {model.concessions.status_quo_utility[0]:.3f}, "
        f"deal on the table ({terms}) worth {model.deal.utility[0]:.4f} to Russia, "
        f"reciprocity {model.deal.reciprocity[0]:.3f}, war utility "
        f"{model.concessions.war_utility[0]:.4f}, Russia's belief that the West carries out "
        f"its threats {float(russia.resolve_belief[0]):.2f} and that it gives way under "
        f"coercion {float(russia.yield_belief[0]):.2f}, NATO participation "
        f"{float(model.nato.participation[0]):.3f} and consensus level "
        f"{float(model.nato.consensus[0]):.3f} (this world's allied draws).\n\n"
        f"Rung values V(L) and plan values C(L):\n\n{values_table}\n\n"
        f"Week 1 expected utilities and logit probabilities (lambda = "
        f"{p.choice_precision:g}):\n\n{choice_table}"
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
                "slot 0 Russia's choice (inverse CDF), slot 1 the clash hazard, slot 2 "
                "inadvertent escalation, slot 3 spare",
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
        f"variables over the worlds (ended worlds keep their final values):\n\n{table}"
    )


def static_sections() -> dict[str, str]:
    """Every section generated from the code and data alone, by marker name."""
    return {
        "params": section_params(),
        "constants": section_constants(),
        "issues": section_issues(),
        "ladder": section_ladder(),
        "randomness": section_randomness(),
        "brief-ids": section_brief_ids(),
        "members": section_members(),
        "t0": section_t0(),
        "weekly": section_weekly(),
    }


# -- simulated sections ---------------------------------------------------------------


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


def section_baseline(model: CrisisModel) -> str:
    """Baseline outcome shares, by type, paths through rung 3, and the reference table."""
    outcomes = model.outcomes()
    total = len(outcomes)
    reached = outcomes["max_rung"] >= int(Rung.LIMITED_INCURSION)
    reached_two = outcomes["max_rung"] >= int(Rung.MILITARY_TECHNICAL)
    path_rows = []
    for outcome in OUTCOMES:
        ended = outcomes.loc[reached, "outcome"] == outcome.key
        path_rows.append([f"`{outcome.key}`", _share_cell(ended.to_numpy(), int(reached.sum()))])
    paths = markdown_table(["outcome", "share of worlds that reached rung 3"], path_rows)
    first = model.russia.first_incursion_week
    began = first[first >= 0]
    q1, median, q3 = np.percentile(began, [25, 50, 75]) if began.size else (np.nan,) * 3
    assert model.history is not None
    rungs = np.stack(model.history["rung"])
    deals = np.flatnonzero(model.outcome == int(Outcome.DE_ESCALATION))
    deal_rungs = rungs[model.outcome_week[deals] - 1, deals]
    at_three = int(np.sum(deal_rungs == int(Rung.LIMITED_INCURSION)))
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
        f"{total:,} worlds, seed {SEED}, horizon {model.horizon} weeks, default parameters "
        f"(none drawn per world), no levers.\n\n{_overall_table(outcomes)}\n\n"
        f"By Russia's latent type (column `revisionist`):\n\n{_by_type_table(outcomes)}\n\n"
        f"Paths: {_pct(reached_two.mean())} of worlds reached rung 2 and "
        f"{_pct(reached.mean())} reached rung 3 (a limited incursion) at some point; the "
        f"first incursion began in week {median:g} at the median (quartiles weeks {q1:g} "
        f"and {q3:g}). Of the {deals.size:,} deals, {at_three:,} were accepted by a Russia "
        f"standing at rung 3. How the worlds that reached rung 3 ended:\n\n{paths}\n\n"
        f"State of the worlds by week (still running at a rung, or ended):\n\n"
        f"{_state_shares(model)}\n\n"
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
        f"{SEED}, {design} sampling, no levers, with these parameters drawn per world (all "
        f"others at their defaults):\n\n{uncertain}\n\n{_overall_table(outcomes)}\n\n"
        f"By Russia's latent type:\n\n{_by_type_table(outcomes)}"
    )


def section_h1() -> str:
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
    inv, de = int(Outcome.FULL_INVASION), int(Outcome.DE_ESCALATION)
    rows = []
    for setting, reading, values in cases:
        params = with_values(Params(), values)
        ends = [
            CrisisModel(params, replications=runs, seed=seed, levers=chosen, record_history=False)
            .run()
            .outcome
            for chosen in ((), levers)
        ]
        without, with_it = ends
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
        f"{runs:,} worlds per run, seed {seed} (the tests' own), with and without the "
        f"concession on common random numbers; the change is paired world by world, with "
        f"the half-width of its 95% normal interval:\n\n{effects}"
    )


def section_sunk_sanctions(runs: int = BASELINE_RUNS) -> str:
    """Credibility of threats against the gap between incursion and invasion sanctions."""
    inv = int(Outcome.FULL_INVASION)
    de = int(Outcome.DE_ESCALATION)
    default = Params().west.sanction_credibility
    rows = []
    for tier in SUNK_TIERS:
        runs_by_credibility = {
            credibility: run_worlds(
                with_values(Params(), {_TIER: tier, _CREDIBILITY: credibility}), runs
            )
            for credibility in SUNK_CREDIBILITY
        }
        reference = runs_by_credibility[default].outcome == inv
        for credibility, model in runs_by_credibility.items():
            invaded = model.outcome == inv
            reached = model.russia.max_rung >= int(Rung.LIMITED_INCURSION)
            change = "-" if credibility == default else _points(*_paired(reference, invaded))
            rows.append(
                [
                    f"{tier:g}",
                    f"{credibility:g}",
                    _pct(invaded.mean()),
                    change,
                    _pct(reached.mean()),
                    _pct(invaded[reached].mean()) if reached.any() else "-",
                    _pct(np.mean(model.outcome == de)),
                ]
            )
    table = markdown_table(
        [
            "`west.sanctions_tier_at_incursion`",
            "`west.sanction_credibility`",
            "P(full_invasion)",
            f"change from credibility {default:g}, points (± 95%)",
            "reached rung 3",
            "P(full_invasion) among those",
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


def run_sweep(
    runs: int = SWEEP_RUNS, progress: Callable[[str], None] | None = None
) -> list[SweepRow]:
    """One-at-a-time sweep over the plausible ranges, on common random numbers."""
    infos = {info.path: info for info in iter_params()}
    rows = []
    for path in sweep_paths():
        lo, hi = infos[path].plausible
        ends = []
        for value in (lo, hi):
            outcome = run_worlds(with_values(Params(), {path: value}), runs).outcome
            ends.append(outcome)
        low, high = ends
        inv = int(Outcome.FULL_INVASION)
        de = int(Outcome.DE_ESCALATION)
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
        if progress:
            progress(path)
    return sorted(rows, key=lambda row: -row.size)


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


def section_drivers(rows: list[SweepRow], baseline: CrisisModel) -> str:
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
        f"range with all others at their defaults; {len(baseline.outcome):,} worlds per "
        f"run, seed {SEED}, so every run sees the same worlds (common random numbers) and "
        f"the change is paired. Baseline at this size: P(full_invasion) = {_pct(inv)}, "
        f"P(de_escalation) = {_pct(de)}. Changes are in percentage points, with the "
        f"half-width of a 95% normal interval of the paired difference; sorted by the "
        f"larger of the two absolute changes.\n\n"
        f"{_sweep_table(rows[:TOP_DRIVERS])}\n\n"
        f"<details><summary>All {len(rows)} swept parameters</summary>\n\n"
        f"{_sweep_table(rows)}\n\n</details>\n\n{bent_text}\n\n{inert_text}"
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


def build(static_only: bool = False, verbose: bool = True) -> dict[str, str]:
    """Generate the sections; the simulated ones too unless ``static_only``."""

    def say(message: str) -> None:
        if verbose:
            print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    sections = static_sections()
    say(f"static sections built ({time.perf_counter() - started:.1f} s)")
    if static_only:
        return sections
    baseline = run_worlds(runs=BASELINE_RUNS, history=True)
    sections["baseline"] = section_baseline(baseline)
    sections["baseline-scenario"] = section_baseline_scenario()
    say(f"baselines of {BASELINE_RUNS:,} worlds ({time.perf_counter() - started:.1f} s)")
    sections["h1"] = section_h1()
    sections["sunk-sanctions"] = section_sunk_sanctions()
    say(f"H1 checks and sunk sanctions ({time.perf_counter() - started:.1f} s)")
    count = len(sweep_paths())
    done = [0]

    def progress(path: str) -> None:
        done[0] += 1
        if done[0] % 10 == 0 or done[0] == count:
            say(f"  sweep {done[0]}/{count} ({time.perf_counter() - started:.1f} s)")

    rows = run_sweep(SWEEP_RUNS, progress)
    sections["drivers"] = section_drivers(rows, run_worlds(runs=SWEEP_RUNS))
    say(f"sweep done ({time.perf_counter() - started:.1f} s)")
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
    args = parser.parse_args(argv)
    text = args.path.read_text(encoding="utf-8")
    sections = build(static_only=args.static)
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

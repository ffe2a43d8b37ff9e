"""Every modelling constant of the crisis model, in one typed place.

Each parameter carries its unit, its default, the *valid* bounds that input is
checked against, the *plausible* range over which the model is tested and
explored, and its source: a brief id (``US-O2``), a literature reference, or
``judgement``. Anything not given by the brief is judgement, and says so.

The tables in ``docs/MODEL.md`` are generated from these fields
(:func:`parameter_table`), so the documentation cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crisis_sim.model.domain import ISSUES, Issue

JUDGEMENT = "judgement"


def _param(
    default: float,
    plausible: tuple[float, float],
    *,
    unit: str,
    source: str,
    doc: str,
    bounds: tuple[float, float] = (0.0, 1.0),
) -> Any:
    """Declare one model parameter with its metadata (see the module docstring)."""
    lo, hi = plausible
    if not (bounds[0] <= lo <= default <= hi <= bounds[1]):
        raise ValueError(f"{doc!r}: default {default} outside plausible {plausible} or bounds")
    return Field(
        default,
        ge=bounds[0],
        le=bounds[1],
        description=doc,
        json_schema_extra={"unit": unit, "source": source, "plausible": [lo, hi]},
    )


class _Group(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_assignment=True, strict=True, allow_inf_nan=False
    )


class IssueVector(_Group):
    """One number per issue of the brief (see :class:`crisis_sim.model.domain.Issue`)."""

    enlargement: float = Field(ge=0.0, le=1.0)
    eastern_flank: float = Field(ge=0.0, le=1.0)
    ukraine_cooperation: float = Field(ge=0.0, le=1.0)
    inf_missiles: float = Field(ge=0.0, le=1.0)
    exercises: float = Field(ge=0.0, le=1.0)
    risk_reduction: float = Field(ge=0.0, le=1.0)

    def as_tuple(self) -> tuple[float, ...]:
        """The values in issue order."""
        return tuple(getattr(self, issue.key) for issue in ISSUES)


def _issue_field(
    values: dict[Issue, float],
    *,
    unit: str,
    sources: dict[Issue, str],
    doc: str,
    plausible: dict[Issue, tuple[float, float]] | None = None,
) -> Any:
    """Declare a per-issue parameter.

    ``sources`` names the source of each issue's value; ``plausible`` the plausible
    range of each (the whole scale 0-1 unless given).
    """
    default = IssueVector(**{issue.key: values[issue] for issue in ISSUES})
    ranges = {issue: (plausible or {}).get(issue, (0.0, 1.0)) for issue in ISSUES}
    for issue, (lo, hi) in ranges.items():
        if not 0.0 <= lo <= values[issue] <= hi <= 1.0:
            raise ValueError(f"{doc!r}: {issue.key} default outside its plausible range")
    return Field(
        default=default,
        description=doc,
        json_schema_extra={
            "unit": unit,
            "source": {issue.key: sources[issue] for issue in ISSUES},
            "plausible": {issue.key: list(ranges[issue]) for issue in ISSUES},
        },
    )


_J = JUDGEMENT


class RussiaParams(_Group):
    """Russia's positions, costs, beliefs and choice noise."""

    salience: IssueVector = _issue_field(
        {
            Issue.ENLARGEMENT: 1.0,
            Issue.EASTERN_FLANK: 0.8,
            Issue.UKRAINE_COOPERATION: 0.7,
            Issue.INF_MISSILES: 0.5,
            Issue.EXERCISES: 0.4,
            Issue.RISK_REDUCTION: 0.2,
        },
        unit="weight 0-1",
        sources={
            Issue.ENLARGEMENT: "RU-D1 ('most important goal')",
            Issue.EASTERN_FLANK: "RU-D2; level judgement",
            Issue.UKRAINE_COOPERATION: "RU-D3; level judgement",
            Issue.INF_MISSILES: "RU-P1; level judgement",
            Issue.EXERCISES: "RU-D2 ('activity'); level judgement",
            Issue.RISK_REDUCTION: "NATO-O2 (not a Russian demand); level judgement",
        },
        doc="How much each issue matters to Russia. Russia's position is 1 on every issue.",
    )
    distance_exponent: float = _param(
        1.0,
        (1.0, 2.0),
        unit="exponent p",
        source=_J + " (Bueno de Mesquita 1985: p = 1; KTAB: p = 2)",
        doc="Exponent of the salience-weighted distance Russia's utility falls with. At 1 "
        "issues are separable; above 1 a gain on a side issue raises what the remaining "
        "issues are worth, which builds a push toward H1 into the geometry, so the default "
        "is 1.",
        bounds=(1.0, 4.0),
    )
    resolve: float = _param(
        0.5,
        (0.2, 0.8),
        unit="0-1",
        source=_J,
        doc="Russia's tolerance of costs: its cost sensitivity is 1 - "
        "russia.cost_sensitivity_slope x resolve.",
    )
    cost_sensitivity_slope: float = _param(
        0.6,
        (0.4, 0.8),
        unit="per unit of resolve",
        source=_J,
        doc="How far resolve lowers Russia's cost sensitivity, 1 - this x resolve: the most "
        "resolved Russia still weighs costs at 1 - this of face value.",
    )
    revisionist_prior: float = _param(
        0.5,
        (0.2, 0.8),
        unit="probability",
        source=_J + " (Kydd 2005; Jervis 1976)",
        doc="Prior probability that Russia is a revisionist rather than a security-seeking type; "
        "each world draws its type from it, and the West starts with it as its belief.",
    )
    revisionist_premium: float = _param(
        0.3,
        (0.0, 0.6),
        unit="demand units",
        source=_J,
        doc="Extra value a revisionist Russia puts on coercive gains (its aspiration is 1 + this).",
    )
    leverage_build_up: float = _param(
        0.15,
        (0.05, 0.3),
        unit="share of demands",
        source=_J + " (Schelling 1966; Sechser 2011)",
        doc="Share of its demands Russia expects to extract by holding forces massed, "
        "from a West it believes gives way under coercion.",
    )
    leverage_military_technical: float = _param(
        0.4,
        (0.2, 0.55),
        unit="share of demands",
        source=_J + " (RU-T1)",
        doc="Expected share of demands extracted at the military-technical rung.",
    )
    leverage_incursion: float = _param(
        0.5,
        (0.3, 0.7),
        unit="share of demands",
        source=_J,
        doc="Expected share of demands extracted by a limited incursion.",
    )
    upkeep_cost: float = _param(
        0.02,
        (0.01, 0.04),
        unit="demand units per rung",
        source=_J,
        doc="Cost of keeping forces massed, per rung; it grows by 1 / "
        "russia.upkeep_doubling_weeks per week massed.",
    )
    upkeep_doubling_weeks: float = _param(
        26.0,
        (13.0, 52.0),
        unit="weeks",
        source=_J,
        doc="Weeks massed after which the upkeep of massed forces has doubled (readiness, "
        "morale, money): upkeep x (1 + weeks massed / this).",
        bounds=(1.0, 1000.0),
    )
    threshold_cost: float = _param(
        0.02,
        (0.0, 0.06),
        unit="demand units per rung",
        source=_J + " (Kahn 1965)",
        doc="One-off cost of crossing each threshold up the ladder.",
    )
    war_cost: float = _param(
        1.0,
        (0.6, 1.6),
        unit="demand units",
        source=_J + " (Fearon 1995)",
        doc="Russia's cost of a full-scale war against a Ukraine of resistance 1; "
        "scaled by the resistance Russia expects.",
        bounds=(0.0, 5.0),
    )
    incursion_war_share: float = _param(
        0.3,
        (0.2, 0.5),
        unit="share",
        source=_J,
        doc="Share of the cost of full war that a limited incursion carries (fighting in the "
        "Donbas, not a march on Kyiv).",
    )
    victory_slope: float = _param(
        0.6,
        (0.4, 0.8),
        unit="per unit of resistance",
        source=_J,
        doc="Russia's chance of winning a war is 1 - this x the resistance it expects; even "
        "at resistance 1 it expects to win with probability 1 - this.",
    )
    audience_cost: float = _param(
        0.12,
        (0.04, 0.2),
        unit="demand units per rung",
        source=_J + " (Fearon 1994)",
        doc="Cost of backing down (de-escalating or accepting), times the public rung.",
    )
    talks_walk_back_cost: float = _param(
        0.15,
        (0.05, 0.25),
        unit="demand units",
        source="RU-A2; level judgement",
        doc="Cost of accepting a deal after declaring the talks pointless.",
    )
    choice_precision: float = _param(
        80.0,
        (30.0, 150.0),
        unit="1/demand unit",
        source=_J + " (Signorino 1999, logit QRE)",
        doc="Logit precision lambda of Russia's weekly choice: large is near-rational, "
        "small allows mistakes.",
        bounds=(0.0, 1e9),
    )
    war_precision: float = _param(
        300.0,
        (100.0, 1000.0),
        unit="1/demand unit",
        source=_J + " (a nested logit: the decision for war taken on its own)",
        doc="Logit precision of Russia's decision to invade, weighed against the best of its "
        "other actions: larger than russia.choice_precision because a full-scale invasion "
        "is decided deliberately, not as a weekly move.",
        bounds=(0.0, 1e9),
    )
    resolve_belief_prior_strength: float = _param(
        4.0,
        (1.0, 20.0),
        unit="pseudo-observations",
        source=_J,
        doc="Strength of Russia's Beta priors about Western resolve and about the West giving way.",
        bounds=(0.1, 1000.0),
    )
    yield_prior: float = _param(
        0.5,
        (0.2, 0.8),
        unit="probability",
        source="RU-S1, RU-T1; level judgement",
        doc="Russia's prior mean belief that the West gives way on its demands under "
        "coercion (as opposed to its belief that the West carries out its threats).",
    )
    stalemate_learning: float = _param(
        0.3,
        (0.0, 0.8),
        unit="pseudo-observations per week",
        source=_J,
        doc="Evidence that the West will not give way that Russia takes from each week it "
        "coerces and the West grants nothing: coercion that is not working teaches.",
        bounds=(0.0, 5.0),
    )
    evidence_per_level: float = _param(
        1.0,
        (0.5, 2.0),
        unit="pseudo-observations per tier or level",
        source=_J,
        doc="Evidence of resolve Russia takes from each sanctions tier or posture level "
        "carried out, and of weakness from each one threatened at its rung but not carried "
        "out (counted once, when the shortfall opens or widens).",
        bounds=(0.0, 10.0),
    )
    resistance_underestimate: float = _param(
        0.4,
        (0.0, 0.7),
        unit="share",
        source=_J,
        doc="How far Russia underestimates Ukraine's resistance before fighting reveals it.",
    )
    resistance_learning: float = _param(
        0.5,
        (0.2, 1.0),
        unit="share per week",
        source=_J,
        doc="Share of its error on Ukraine's resistance Russia corrects each week of incursion.",
    )
    discount: float = _param(
        0.98,
        (0.95, 0.995),
        unit="per week",
        source=_J + " (Powell 2006: the weight of the future in a commitment problem)",
        doc="Weekly discount factor of Russia's plans: a plan's value is (1 - this) x the "
        "discounted sum of its weekly flows plus its discounted one-off costs, so a state held "
        "for ever is worth its weekly flow.",
    )
    buildup_start: float = _param(
        0.6,
        (0.4, 0.8),
        unit="share of the planned force",
        source="RU-A1; level judgement after the U.S. estimate of up to 175,000 troops "
        "(Washington Post, 3 December 2021) against about 100,000 massed in December 2021",
        doc="Share of the force Russia plans to mass that stands on the border at t0.",
    )
    buildup_weeks: float = _param(
        6.0,
        (2.0, 12.0),
        unit="weeks",
        source="RU-A1 ('again increased the number of forces'); level judgement",
        doc="Weeks massed after t0 by which the build-up is complete: the force grows "
        "linearly from russia.buildup_start to 1.",
        bounds=(0.5, 52.0),
    )
    readiness_weeks: float = _param(
        16.0,
        (8.0, 30.0),
        unit="weeks",
        source=_J + " (Slantchev 2005: massed forces cost to keep and lose readiness)",
        doc="Weeks massed after which the readiness of the massed force starts to decline.",
        bounds=(0.0, 104.0),
    )
    readiness_decline: float = _param(
        0.02,
        (0.005, 0.05),
        unit="share per week",
        source=_J + " (Slantchev 2005)",
        doc="Share of readiness the massed force loses each week beyond russia.readiness_weeks "
        "(exponential decay).",
    )
    thaw_penalty: float = _param(
        0.3,
        (0.1, 0.5),
        unit="share of force",
        source=_J + " (the spring thaw, rasputitsa, roughly March-April; THEORY.md)",
        doc="Share of its effective force an offensive loses in the spring thaw (1 March to 30 "
        "April), and half of it in the autumn mud (15 October to 15 November).",
    )
    hosting_force_gain: float = _param(
        0.15,
        (0.05, 0.3),
        unit="share of force",
        source=_J + " (a second axis from Belarus, February 2022; lever host_forces)",
        doc="Share a third country hosting Russian forces adds to Russia's massed force at "
        "host_forces level 1: a second axis stretches Ukraine's defence, raising the chance "
        "of winning, the front's advance and the leverage of Russia's threats. Unused unless "
        "a host_forces lever fires.",
    )
    extraction_weeks: float = _param(
        8.0,
        (4.0, 20.0),
        unit="weeks",
        source=_J + " (Schelling 1966: coercion works over time)",
        doc="Weeks over which Russia expects coercion to extract its leverage share of its "
        "remaining demands from a West it believes gives way: the table improves by leverage "
        "x yield belief / this of the remaining gap each week.",
        bounds=(0.5, 104.0),
    )
    partial_agreement_cost: float = _param(
        0.15,
        (0.05, 0.3),
        unit="demand units",
        source="RU-A2 (talks pointless 'because its main demands were rejected'); level judgement",
        doc="One-off cost to Russia of accepting part of a package (the reciprocal items) while "
        "its main demands stay unmet, on top of walking back its declaration (RU-A2).",
    )
    wedge_strength: float = _param(
        0.1,
        (0.0, 0.3),
        unit="willingness 0-1",
        source="RU-S1, H6; level judgement",
        doc="How far Russia's wedge lowers the willingness of a fully gas-dependent ally "
        "without a border with Russia, Belarus or Ukraine, once it has built up.",
    )
    wedge_build_rate: float = _param(
        0.25,
        (0.1, 0.5),
        unit="share per week",
        source="RU-S1; level judgement",
        doc="Share of the way to full effect Russia's wedge builds each week it coerces "
        "without force (rung 2 or below).",
    )
    wedge_collapse_rate: float = _param(
        0.5,
        (0.3, 1.0),
        unit="share per week",
        source="H4; level judgement",
        doc="Share of its wedge's effect Russia loses each week it stands at rung 3 or above: "
        "force unites the allies quickly.",
    )


class ConcessionParams(_Group):
    """The two readings of a concession (H1 and its counter-claim)."""

    appeasement_strength: float = _param(
        0.5,
        (0.0, 1.0),
        unit="demand units per unit conceded",
        source="H1; level judgement (Fearon 1995; Sechser 2010)",
        doc="Appeasement reading: a concession raises Russia's aspiration, raises its belief "
        "that the West gives way and lowers its belief in Western threats, by this much per "
        "unit of utility conceded (full weight for a revisionist).",
    )
    offramp_strength: float = _param(
        0.5,
        (0.0, 1.0),
        unit="demand units per unit conceded",
        source="US-S1 (counter-claim to H1); level judgement (Jervis 1976; Kydd 2005)",
        doc="Off-ramp reading: a concession lowers the security-seeker's need to coerce, "
        "and a reciprocal deal saves face, by this much per unit (full for a security seeker).",
    )
    cross_type_weight: float = _param(
        0.25,
        (0.0, 0.5),
        unit="share",
        source=_J,
        doc="Weight of the other type's reading in each world: both readings are always "
        "present; the latent type decides which weighs more.",
    )


class WestParams(_Group):
    """The United States' and NATO's positions, offers, threats and response ladders."""

    us_salience: IssueVector = _issue_field(
        {
            Issue.ENLARGEMENT: 0.9,
            Issue.EASTERN_FLANK: 0.9,
            Issue.UKRAINE_COOPERATION: 0.7,
            Issue.INF_MISSILES: 0.6,
            Issue.EXERCISES: 0.4,
            Issue.RISK_REDUCTION: 0.3,
        },
        unit="weight 0-1",
        sources={
            Issue.ENLARGEMENT: "US-R1 (red line); level judgement",
            Issue.EASTERN_FLANK: "US-R1 (red line); level judgement",
            Issue.UKRAINE_COOPERATION: "US-R1, US-P1; level judgement",
            Issue.INF_MISSILES: "US-O1; level judgement",
            Issue.EXERCISES: "US-O2; level judgement",
            Issue.RISK_REDUCTION: "US-S1; level judgement",
        },
        doc="How much each issue matters to the United States (used in the weighted-mean "
        "reference).",
    )
    us_offer: IssueVector = _issue_field(
        {
            Issue.ENLARGEMENT: 0.0,
            Issue.EASTERN_FLANK: 0.0,
            Issue.UKRAINE_COOPERATION: 0.0,
            Issue.INF_MISSILES: 0.5,
            Issue.EXERCISES: 0.5,
            Issue.RISK_REDUCTION: 1.0,
        },
        unit="issue scale 0-1",
        sources={
            Issue.ENLARGEMENT: "US-R1",
            Issue.EASTERN_FLANK: "US-R1",
            Issue.UKRAINE_COOPERATION: "US-R1",
            Issue.INF_MISSILES: "US-O1 ('mutual limitations'); level judgement",
            Issue.EXERCISES: "US-O2 (limits and transparency); level judgement",
            Issue.RISK_REDUCTION: "US-S1, NATO-O2",
        },
        doc="The U.S. offer on the table at t0, per issue.",
    )
    us_reservation: IssueVector = _issue_field(
        {
            Issue.ENLARGEMENT: 0.0,
            Issue.EASTERN_FLANK: 0.0,
            Issue.UKRAINE_COOPERATION: 0.0,
            Issue.INF_MISSILES: 0.7,
            Issue.EXERCISES: 0.6,
            Issue.RISK_REDUCTION: 1.0,
        },
        unit="issue scale 0-1",
        sources={
            Issue.ENLARGEMENT: "US-R1 (red line)",
            Issue.EASTERN_FLANK: "US-R1 (red line)",
            Issue.UKRAINE_COOPERATION: "US-R1 (red line)",
            Issue.INF_MISSILES: _J,
            Issue.EXERCISES: _J,
            Issue.RISK_REDUCTION: "NATO-O2",
        },
        doc="The most the U.S. would put on the table under pressure (a deal within it beats "
        "continued coercion for the U.S.); red lines are 0. A value below the t0 offer "
        "acts as the t0 offer: offers never move down.",
        plausible={
            Issue.INF_MISSILES: (0.5, 1.0),
            Issue.EXERCISES: (0.5, 1.0),
            Issue.RISK_REDUCTION: (1.0, 1.0),
        },
    )
    nato_offer: IssueVector = _issue_field(
        {
            Issue.ENLARGEMENT: 0.0,
            Issue.EASTERN_FLANK: 0.0,
            Issue.UKRAINE_COOPERATION: 0.0,
            Issue.INF_MISSILES: 0.5,
            Issue.EXERCISES: 0.25,
            Issue.RISK_REDUCTION: 1.0,
        },
        unit="issue scale 0-1",
        sources={
            Issue.ENLARGEMENT: "NATO-R1",
            Issue.EASTERN_FLANK: "NATO-R1",
            Issue.UKRAINE_COOPERATION: "NATO-R1",
            Issue.INF_MISSILES: "NATO-O1; level judgement",
            Issue.EXERCISES: "NATO-O1 (transparency, no limits); level judgement",
            Issue.RISK_REDUCTION: "NATO-O2",
        },
        doc="NATO's offer on the table at t0, per issue.",
    )
    nato_reservation: IssueVector = _issue_field(
        {
            Issue.ENLARGEMENT: 0.0,
            Issue.EASTERN_FLANK: 0.0,
            Issue.UKRAINE_COOPERATION: 0.0,
            Issue.INF_MISSILES: 0.6,
            Issue.EXERCISES: 0.35,
            Issue.RISK_REDUCTION: 1.0,
        },
        unit="issue scale 0-1",
        sources={
            Issue.ENLARGEMENT: "NATO-R1 (red line)",
            Issue.EASTERN_FLANK: "NATO-R1 (red line)",
            Issue.UKRAINE_COOPERATION: "NATO-R1 (red line)",
            Issue.INF_MISSILES: _J,
            Issue.EXERCISES: _J,
            Issue.RISK_REDUCTION: "NATO-O2",
        },
        doc="The most NATO would put on the table under pressure; red lines are 0. A value "
        "below the t0 offer acts as the t0 offer: offers never move down.",
        plausible={
            Issue.INF_MISSILES: (0.5, 1.0),
            Issue.EXERCISES: (0.25, 1.0),
            Issue.RISK_REDUCTION: (1.0, 1.0),
        },
    )
    us_share: IssueVector = _issue_field(
        {
            Issue.ENLARGEMENT: 0.0,
            Issue.EASTERN_FLANK: 0.3,
            Issue.UKRAINE_COOPERATION: 0.5,
            Issue.INF_MISSILES: 1.0,
            Issue.EXERCISES: 0.5,
            Issue.RISK_REDUCTION: 0.5,
        },
        unit="share 0-1",
        sources={
            Issue.ENLARGEMENT: "US-P1 (an Alliance decision)",
            Issue.EASTERN_FLANK: _J,
            Issue.UKRAINE_COOPERATION: _J,
            Issue.INF_MISSILES: "US-O1 (bilateral arms control)",
            Issue.EXERCISES: _J,
            Issue.RISK_REDUCTION: _J,
        },
        doc="How far the U.S. can deliver an issue alone: the effective Western offer is "
        "NATO's plus this share of any gap between the U.S. offer and NATO's.",
    )
    war_aversion: float = _param(
        0.6,
        (0.3, 1.2),
        unit="Western utility",
        source="US-S1 ('a diplomatic way out'); level judgement (Fearon 1995: risk-return)",
        doc="What a Russian invasion costs the West, in the units of its offers (conceding "
        "every issue in full costs 1): the West enlarges its offer while the expected cost of "
        "war it averts exceeds what the larger offer concedes.",
        bounds=(0.0, 10.0),
    )
    posture_threshold: float = _param(
        0.3,
        (0.1, 0.6),
        unit="probability",
        source="US-T2 ('may further strengthen'); level judgement",
        doc="The West's estimate of the chance that Russia plans to invade above which it "
        "reinforces the Eastern Flank to level 1 ahead of any attack (the cost of "
        "reinforcing over its deterrent value).",
    )
    support_threshold: float = _param(
        0.3,
        (0.1, 0.6),
        unit="probability",
        source=_J,
        doc="The West's estimate of the chance that Russia plans to invade above which it arms "
        "Ukraine to support level 1 ahead of any attack (deterrence by denial).",
    )
    sanction_credibility: float = _param(
        0.5,
        (0.2, 0.9),
        unit="probability",
        source="US-T1; level judgement",
        doc="Russia's prior mean belief that the West will carry out its threats in full.",
    )
    sanction_cost: float = _param(
        0.15,
        (0.05, 0.3),
        unit="demand units per tier",
        source=_J,
        doc="Cost to Russia of one sanctions tier (of 3) with full allied participation.",
    )
    posture_cost: float = _param(
        0.08,
        (0.02, 0.15),
        unit="demand units per level",
        source="US-T2, RU-D2; level judgement",
        doc="Cost to Russia of one level (of 2) of Eastern Flank reinforcement: the opposite "
        "of its demand RU-D2.",
    )
    sanctions_relief: float = _param(
        0.5,
        (0.0, 1.0),
        unit="share",
        source="US-S1 ('a diplomatic way out'); level judgement",
        doc="Share of the sanctions and reinforcement in force that a deal lifts.",
    )
    sanctions_tier_at_incursion: float = _param(
        1.0,
        (0.5, 2.0),
        unit="tier 0-3",
        source="US-T1 ('attacked Ukraine again'); level judgement",
        doc="Sanctions tier threatened for a limited incursion; below the tier for an "
        "invasion, so that sanctions imposed for an incursion leave a deterrent against "
        "invasion.",
        bounds=(0.0, 3.0),
    )
    sanctions_tier_at_invasion: float = _param(
        3.0,
        (2.0, 3.0),
        unit="tier 0-3",
        source="US-T1",
        doc="Sanctions tier threatened for a full-scale invasion.",
        bounds=(0.0, 3.0),
    )
    us_unilateral_sanctions: float = _param(
        1.0,
        (0.0, 2.0),
        unit="tier 0-3",
        source="US-T1; level judgement",
        doc="Sanctions tier the U.S. imposes alone, whatever the allies decide.",
        bounds=(0.0, 3.0),
    )
    us_unilateral_posture: float = _param(
        1.0,
        (0.0, 2.0),
        unit="level 0-2",
        source="US-T2; level judgement",
        doc="Eastern Flank reinforcement level the U.S. can deploy bilaterally.",
        bounds=(0.0, 2.0),
    )
    posture_at_military_technical: float = _param(
        1.0,
        (0.0, 1.0),
        unit="level 0-2",
        source="US-T2 ('may further strengthen'); level judgement",
        doc="Eastern Flank reinforcement level (of 2) the West's ladder rises to at "
        "the military-technical rung.",
        bounds=(0.0, 2.0),
    )
    posture_at_incursion: float = _param(
        2.0,
        (1.0, 2.0),
        unit="level 0-2",
        source="US-T2 ('may further strengthen'); level judgement",
        doc="Eastern Flank reinforcement level (of 2) the West's ladder rises to at "
        "a limited incursion.",
        bounds=(0.0, 2.0),
    )
    posture_at_invasion: float = _param(
        2.0,
        (1.5, 2.0),
        unit="level 0-2",
        source="US-T2 ('may further strengthen'); level judgement",
        doc="Eastern Flank reinforcement level (of 2) the West's ladder rises to at "
        "a full-scale invasion.",
        bounds=(0.0, 2.0),
    )
    support_at_military_technical: float = _param(
        1.0,
        (0.0, 1.0),
        unit="level 0-2",
        source=_J,
        doc="Level (of 2) of Western military support to Ukraine the ladder rises to at "
        "the military-technical rung; never capped by allied consensus (bilateral deliveries).",
        bounds=(0.0, 2.0),
    )
    support_at_incursion: float = _param(
        2.0,
        (1.0, 2.0),
        unit="level 0-2",
        source=_J,
        doc="Level (of 2) of Western military support to Ukraine the ladder rises to at "
        "a limited incursion, and keeps at invasion (a world ends the week it is invaded, "
        "before support could act); never capped by allied consensus (bilateral deliveries).",
        bounds=(0.0, 2.0),
    )
    clash_hazard: float = _param(
        0.005,
        (0.0, 0.02),
        unit="probability per week",
        source=_J + " (Schelling 1960)",
        doc="Weekly chance of a direct NATO-Russia clash per incursion rung above 2, at the "
        "highest Eastern Flank posture.",
    )
    incident_hazard: float = _param(
        0.02,
        (0.0, 0.06),
        unit="probability per week",
        source=_J + " (Schelling 1960, 'threat that leaves something to chance')",
        doc="Weekly chance of a military incident while Russia stands at the military-technical "
        "or incursion rung: it raises tension among the allies (alliance.incident_tension) "
        "but never moves Russia up its ladder.",
    )
    channels_effect: float = _param(
        0.5,
        (0.0, 0.9),
        unit="share",
        source="NATO-O2; level judgement",
        doc="Share by which full risk-reduction channels cut the clash and incident hazards.",
    )


class AllianceParams(_Group):
    """How members' willingness forms, and how the Alliance decides (Snyder 1984)."""

    base_willingness: float = _param(
        0.45,
        (0.3, 0.6),
        unit="willingness 0-1",
        source=_J,
        doc="A member's willingness to punish Russia before its own traits are counted.",
    )
    bucharest_nine_effect: float = _param(
        0.2,
        (0.1, 0.3),
        unit="willingness 0-1",
        source="US-P1 (B9 consulted); level judgement",
        doc="Extra willingness of a Bucharest Nine member.",
    )
    border_effect: float = _param(
        0.15,
        (0.05, 0.25),
        unit="willingness 0-1",
        source=_J + " (Snyder 1984: fear of abandonment)",
        doc="Extra willingness of a member bordering Russia, Belarus or Ukraine.",
    )
    spending_effect: float = _param(
        0.05,
        (0.0, 0.1),
        unit="willingness per % of GDP above 2",
        source=_J,
        doc="Extra willingness per point of GDP spent on defence above 2%.",
        bounds=(0.0, 0.5),
    )
    gas_effect: float = _param(
        0.3,
        (0.1, 0.5),
        unit="willingness 0-1",
        source=_J + " (Snyder 1984: fear of entrapment)",
        doc="Lower willingness of a member wholly dependent on Russian gas.",
    )
    perception_noise: float = _param(
        0.1,
        (0.0, 0.2),
        unit="willingness 0-1 (standard deviation)",
        source=_J,
        doc="Spread of each member's threat perception across worlds.",
        bounds=(0.0, 0.5),
    )
    aggression_mobilisation: float = _param(
        0.3,
        (0.1, 0.5),
        unit="willingness 0-1",
        source="H4; level judgement",
        doc="Rise in every member's willingness at the incursion rung (times "
        "alliance.mobilisation_at_military_technical at the military-technical rung and "
        "alliance.mobilisation_at_invasion at invasion): visible aggression mobilises.",
    )
    mobilisation_at_military_technical: float = _param(
        0.2,
        (0.0, 0.5),
        unit="multiplier",
        source="H4; level judgement",
        doc="Multiplier of alliance.aggression_mobilisation once the highest rung reached is "
        "the military-technical build-up: little mobilisation without force.",
        bounds=(0.0, 3.0),
    )
    mobilisation_at_invasion: float = _param(
        1.7,
        (1.3, 2.0),
        unit="multiplier",
        source="H4; level judgement",
        doc="Multiplier of alliance.aggression_mobilisation once Russia has invaded: more "
        "than for an incursion (1 by definition).",
        bounds=(0.0, 3.0),
    )
    rejection_mobilisation: float = _param(
        0.05,
        (0.0, 0.15),
        unit="willingness 0-1",
        source="H4 (talks followed by rejection, RU-A2); level judgement",
        doc="Rise in willingness from Russia's public rejection of the talks, once force is used.",
    )
    concession_debate: float = _param(
        0.15,
        (0.0, 0.3),
        unit="willingness 0-1 per unit of dispute",
        source="RU-S1, H6; level judgement",
        doc="How far a U.S.-NATO gap in offers, or a concession granted, pushes frontline "
        "members up and exposed members down: the debate Russia hoped to spark.",
    )
    incident_tension: float = _param(
        0.03,
        (0.0, 0.08),
        unit="willingness 0-1",
        source=_J,
        doc="Rise in every ally's willingness to punish Russia after a military incident.",
    )
    solidarity: float = _param(
        0.3,
        (0.0, 0.8),
        unit="share",
        source="NATO-C1; level judgement",
        doc="How far each member's willingness is pulled toward the Alliance's GDP-weighted "
        "mean (which the pull leaves unchanged).",
    )
    consensus_quantile_low: float = _param(
        0.1,
        (0.0, 0.25),
        unit="quantile",
        source=_J,
        doc="The quantile of members' willingness the Alliance acts at when cohesion is 0.",
    )
    consensus_quantile_high: float = _param(
        0.5,
        (0.3, 0.6),
        unit="quantile",
        source=_J,
        doc="The quantile of members' willingness the Alliance acts at when cohesion is 1.",
    )


class UkraineParams(_Group):
    """Ukraine's resistance and its consent to terms about it."""

    salience: IssueVector = _issue_field(
        {
            Issue.ENLARGEMENT: 0.9,
            Issue.EASTERN_FLANK: 0.4,
            Issue.UKRAINE_COOPERATION: 1.0,
            Issue.INF_MISSILES: 0.1,
            Issue.EXERCISES: 0.1,
            Issue.RISK_REDUCTION: 0.3,
        },
        unit="weight 0-1",
        sources={
            Issue.ENLARGEMENT: "UA-2; level judgement",
            Issue.EASTERN_FLANK: _J,
            Issue.UKRAINE_COOPERATION: "UA-2; level judgement",
            Issue.INF_MISSILES: _J,
            Issue.EXERCISES: _J,
            Issue.RISK_REDUCTION: _J,
        },
        doc="How much each issue matters to Ukraine.",
    )
    position: IssueVector = _issue_field(
        {
            Issue.ENLARGEMENT: 0.0,
            Issue.EASTERN_FLANK: 0.0,
            Issue.UKRAINE_COOPERATION: 0.0,
            Issue.INF_MISSILES: 0.5,
            Issue.EXERCISES: 0.5,
            Issue.RISK_REDUCTION: 1.0,
        },
        unit="issue scale 0-1",
        sources={
            Issue.ENLARGEMENT: "UA-2",
            Issue.EASTERN_FLANK: _J,
            Issue.UKRAINE_COOPERATION: "UA-2",
            Issue.INF_MISSILES: _J,
            Issue.EXERCISES: _J,
            Issue.RISK_REDUCTION: _J,
        },
        doc="Ukraine's position on each issue (used in the weighted-mean reference).",
    )
    resistance: float = _param(
        0.45,
        (0.25, 0.7),
        unit="0-1",
        source=_J,
        doc="Ukraine's resistance capacity at t0 (0-1); Russia's chance of winning a war is "
        "1 - russia.victory_slope x the resistance it expects.",
    )
    support_effect: float = _param(
        0.08,
        (0.03, 0.15),
        unit="resistance per support level",
        source=_J,
        doc="Rise in resistance per level (of 2) of Western support to Ukraine.",
    )
    adjustment_rate: float = _param(
        0.15,
        (0.05, 0.4),
        unit="share per week",
        source=_J,
        doc="Share of the gap to the resistance its support and mobilisation allow that "
        "Ukraine closes each week (deliveries and training take time): the shifting power "
        "Russia sees coming.",
    )
    mobilisation_effect: float = _param(
        0.15,
        (0.05, 0.25),
        unit="resistance",
        source=_J,
        doc="Rise in Ukraine's resistance when it is fully mobilised.",
    )
    mobilisation_rate: float = _param(
        0.1,
        (0.05, 0.25),
        unit="share per week",
        source=_J,
        doc="Share of full mobilisation Ukraine adds each week it mobilises.",
    )
    mobilisation_threshold: float = _param(
        0.35,
        (0.15, 0.6),
        unit="probability",
        source="UA-1; level judgement",
        doc="Ukraine's estimate of the chance of invasion above which it mobilises (its cost "
        "to the economy over the threat it averts); at war it always mobilises.",
    )
    neutrality_threshold: float = _param(
        0.8,
        (0.5, 1.0),
        unit="probability",
        source="UA-2, US-P1; level judgement",
        doc="Ukraine's estimate of the chance of invasion above which it offers a moratorium on "
        "its NATO membership itself, once Russia has used force (rung 3).",
    )
    neutrality_level: float = _param(
        0.5,
        (0.25, 0.75),
        unit="issue scale 0-1",
        source=_J,
        doc="How far the moratorium Ukraine offers goes on enlargement (1 = a binding 'never').",
    )
    threat_weight: float = _param(
        0.8,
        (0.4, 1.5),
        unit="Ukrainian utility",
        source="UA-1; level judgement",
        doc="What the threat of invasion weighs for Ukraine when it considers terms.",
        bounds=(0.0, 5.0),
    )


class WarParams(_Group):
    """The war's course once Russia invades (Slantchev 2003; Filson and Werner 2002)."""

    collapse_hazard: float = _param(
        0.05,
        (0.0, 0.15),
        unit="probability per week",
        source=_J,
        doc="Weekly chance, in the first war.collapse_weeks of a war, that Ukraine's defence "
        "collapses, times Russia's real chance of winning.",
    )
    collapse_weeks: float = _param(
        4.0,
        (2.0, 8.0),
        unit="weeks",
        source=_J,
        doc="Weeks after an invasion during which Ukraine's defence can collapse early.",
        bounds=(0.0, 52.0),
    )
    collapse_control: float = _param(
        0.7,
        (0.5, 0.9),
        unit="share of Ukraine",
        source=_J,
        doc="Share of Ukraine beyond the 2021 line of contact Russia holds after an early "
        "collapse, when a ceasefire on its terms follows.",
    )
    advance_rate: float = _param(
        0.15,
        (0.05, 0.3),
        unit="share per week",
        source=_J,
        doc="How fast the front moves: each week Russia takes (or loses) this x (its real chance "
        "of winning - war.stalemate_victory) of the ground still open (or held).",
    )
    stalemate_victory: float = _param(
        0.5,
        (0.3, 0.7),
        unit="probability",
        source=_J,
        doc="Russia's real chance of winning at which the front holds still.",
    )
    ceasefire_hazard: float = _param(
        0.03,
        (0.0, 0.1),
        unit="probability per week",
        source=_J + " (Slantchev 2003: wars end as expectations converge)",
        doc="Weekly chance of a ceasefire once the front has stalled (times exp(-|weekly "
        "movement| / war.stalemate_scale)), after war.ceasefire_min_weeks.",
    )
    stalemate_scale: float = _param(
        0.01,
        (0.003, 0.03),
        unit="share per week",
        source=_J,
        doc="Weekly movement of the front below which the war counts as stalled.",
        bounds=(1e-6, 1.0),
    )
    ceasefire_min_weeks: float = _param(
        6.0,
        (2.0, 16.0),
        unit="weeks",
        source=_J + " (Reiter 2009: commitment problems keep wars going)",
        doc="Weeks of war before a negotiated ceasefire can come.",
        bounds=(0.0, 104.0),
    )


class Params(BaseModel):
    """All parameters of the crisis model, with the defaults of the baseline world."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    russia: RussiaParams = RussiaParams()
    concessions: ConcessionParams = ConcessionParams()
    west: WestParams = WestParams()
    alliance: AllianceParams = AllianceParams()
    ukraine: UkraineParams = UkraineParams()
    war: WarParams = WarParams()


ORDERED_PAIRS: tuple[tuple[str, str, str], ...] = (
    (
        "alliance.consensus_quantile_low",
        "alliance.consensus_quantile_high",
        "the Alliance acts at a lower quantile of its members' willingness when cohesion "
        "is 0 than when it is 1",
    ),
    (
        "west.posture_at_military_technical",
        "west.posture_at_incursion",
        "the Eastern Flank reinforcement for a military-technical build-up stops short of "
        "that for an incursion",
    ),
    (
        "west.posture_at_incursion",
        "west.posture_at_invasion",
        "the Eastern Flank reinforcement for an incursion stops short of that for an invasion",
    ),
    (
        "west.support_at_military_technical",
        "west.support_at_incursion",
        "the support to Ukraine for a military-technical build-up stops short of that for "
        "an incursion",
    ),
    (
        "west.sanctions_tier_at_incursion",
        "west.sanctions_tier_at_invasion",
        "the sanctions threatened for a limited incursion stop short of those for an invasion",
    ),
)
"""Pairs of parameter paths whose first may not exceed the second, and why.

:class:`Params` itself does not enforce them; :func:`crisis_sim.scenario.schema.cross_problems`
checks them for every world a scenario can draw.
"""


@dataclass(frozen=True, slots=True)
class ParamInfo:
    """The metadata of one scalar parameter, by its dotted path."""

    path: str
    default: float
    plausible: tuple[float, float]
    bounds: tuple[float | None, float | None]
    unit: str
    source: str
    doc: str


def _bounds(field: Any) -> tuple[float | None, float | None]:
    lo = hi = None
    for meta in field.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi


def iter_params(params: Params | None = None) -> Iterator[ParamInfo]:
    """Yield every scalar parameter (per-issue ones expanded), in declaration order.

    Args:
        params: Parameters whose values are reported as defaults; the model's
            defaults if None.
    """
    params = params or Params()
    for group_name, group_field in Params.model_fields.items():
        group = getattr(params, group_name)
        for name, field in type(group).model_fields.items():
            extra = field.json_schema_extra or {}
            assert isinstance(extra, dict)
            value = getattr(group, name)
            if isinstance(value, IssueVector):
                sources = extra["source"]
                ranges = extra["plausible"]
                assert isinstance(sources, dict) and isinstance(ranges, dict)
                for issue in ISSUES:
                    lo, hi = ranges[issue.key]
                    yield ParamInfo(
                        path=f"{group_name}.{name}.{issue.key}",
                        default=float(getattr(value, issue.key)),
                        plausible=(float(lo), float(hi)),
                        bounds=(0.0, 1.0),
                        unit=str(extra["unit"]),
                        source=str(sources[issue.key]),
                        doc=f"{field.description} [{issue.key}]",
                    )
            else:
                plausible = extra["plausible"]
                assert isinstance(plausible, list)
                yield ParamInfo(
                    path=f"{group_name}.{name}",
                    default=float(value),
                    plausible=(float(plausible[0]), float(plausible[1])),
                    bounds=_bounds(field),
                    unit=str(extra["unit"]),
                    source=str(extra["source"]),
                    doc=str(field.description),
                )
        del group_field


def parameter_paths() -> list[str]:
    """The dotted path of every scalar parameter, e.g. ``"russia.resolve"``."""
    return [info.path for info in iter_params()]


def with_values(params: Params, values: dict[str, float]) -> Params:
    """Return a copy of ``params`` with the dotted-path ``values`` replaced, validated.

    Raises:
        KeyError: If a path names no parameter.
        pydantic.ValidationError: If a value is outside its valid bounds.
    """
    known = set(parameter_paths())
    data = params.model_dump()
    for path, value in values.items():
        if path not in known:
            raise KeyError(f"no parameter {path!r}; see crisis_sim.model.params.parameter_paths()")
        node = data
        *parents, leaf = path.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    return Params.model_validate(data)


def parameter_table(params: Params | None = None) -> str:
    """Markdown table of every parameter: path, default, plausible range, unit, source, meaning."""
    rows = [
        "| parameter | default | plausible range | unit | source | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for info in iter_params(params):
        lo, hi = info.plausible
        rows.append(
            f"| `{info.path}` | {info.default:g} | {lo:g} to {hi:g} | {info.unit} "
            f"| {info.source} | {info.doc} |"
        )
    return "\n".join(rows)

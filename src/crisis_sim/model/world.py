"""Parameters as the rules read them: a number per parameter, or an array over worlds.

A model's parameters are the scenario's :class:`~crisis_sim.model.params.Params` with,
optionally, some parameters sampled per replication (an array of length R under
their dotted path). Per-issue parameters become arrays of shape (issues, 1) or
(issues, R), so every rule broadcasts over the worlds the same way.

:class:`WorldParams` is typed field by field, so an editor catches a misspelt
parameter; its groups mirror those of :class:`~crisis_sim.model.params.Params`, and
building one fails at once if the two ever differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from crisis_sim.model.domain import ISSUES
from crisis_sim.model.params import Params, iter_params

type Value = float | np.ndarray
"""A scalar parameter: a number, or an (R,) array when sampled per world."""

type IssueArray = np.ndarray
"""A per-issue parameter: shape (issues, 1), or (issues, R) when sampled per world."""


@dataclass(slots=True)
class RussiaValues:
    """The ``russia`` parameters as the rules read them.

    Fields as in :class:`~crisis_sim.model.params.RussiaParams`.
    """

    salience: IssueArray
    distance_exponent: Value
    resolve: Value
    cost_sensitivity_slope: Value
    revisionist_prior: Value
    revisionist_premium: Value
    leverage_build_up: Value
    leverage_military_technical: Value
    leverage_incursion: Value
    upkeep_cost: Value
    upkeep_doubling_weeks: Value
    threshold_cost: Value
    war_cost: Value
    incursion_war_share: Value
    victory_slope: Value
    audience_cost: Value
    talks_walk_back_cost: Value
    choice_precision: Value
    war_precision: Value
    resolve_belief_prior_strength: Value
    yield_prior: Value
    stalemate_learning: Value
    evidence_per_level: Value
    resistance_underestimate: Value
    resistance_learning: Value
    discount: Value
    buildup_start: Value
    buildup_weeks: Value
    readiness_weeks: Value
    readiness_decline: Value
    thaw_penalty: Value
    hosting_force_gain: Value
    extraction_weeks: Value
    partial_agreement_cost: Value
    wedge_strength: Value
    wedge_build_rate: Value
    wedge_collapse_rate: Value


@dataclass(slots=True)
class ConcessionValues:
    """The ``concessions`` parameters as the rules read them.

    Fields as in :class:`~crisis_sim.model.params.ConcessionParams`.
    """

    appeasement_strength: Value
    offramp_strength: Value
    cross_type_weight: Value


@dataclass(slots=True)
class WestValues:
    """The ``west`` parameters as the rules read them.

    Fields as in :class:`~crisis_sim.model.params.WestParams`.
    """

    us_salience: IssueArray
    us_offer: IssueArray
    us_reservation: IssueArray
    nato_offer: IssueArray
    nato_reservation: IssueArray
    us_share: IssueArray
    war_aversion: Value
    posture_threshold: Value
    support_threshold: Value
    sanction_credibility: Value
    sanction_cost: Value
    posture_cost: Value
    sanctions_relief: Value
    sanctions_tier_at_incursion: Value
    sanctions_tier_at_invasion: Value
    us_unilateral_sanctions: Value
    us_unilateral_posture: Value
    posture_at_military_technical: Value
    posture_at_incursion: Value
    posture_at_invasion: Value
    support_at_military_technical: Value
    support_at_incursion: Value
    clash_hazard: Value
    incident_hazard: Value
    channels_effect: Value


@dataclass(slots=True)
class AllianceValues:
    """The ``alliance`` parameters as the rules read them.

    Fields as in :class:`~crisis_sim.model.params.AllianceParams`.
    """

    base_willingness: Value
    bucharest_nine_effect: Value
    border_effect: Value
    spending_effect: Value
    gas_effect: Value
    perception_noise: Value
    aggression_mobilisation: Value
    mobilisation_at_military_technical: Value
    mobilisation_at_invasion: Value
    rejection_mobilisation: Value
    concession_debate: Value
    incident_tension: Value
    solidarity: Value
    consensus_quantile_low: Value
    consensus_quantile_high: Value


@dataclass(slots=True)
class UkraineValues:
    """The ``ukraine`` parameters as the rules read them.

    Fields as in :class:`~crisis_sim.model.params.UkraineParams`.
    """

    salience: IssueArray
    position: IssueArray
    resistance: Value
    support_effect: Value
    adjustment_rate: Value
    mobilisation_effect: Value
    mobilisation_rate: Value
    mobilisation_threshold: Value
    neutrality_threshold: Value
    neutrality_level: Value
    threat_weight: Value


@dataclass(slots=True)
class WarValues:
    """The ``war`` parameters as the rules read them.

    Fields as in :class:`~crisis_sim.model.params.WarParams`.
    """

    collapse_hazard: Value
    collapse_weeks: Value
    collapse_control: Value
    advance_rate: Value
    stalemate_victory: Value
    ceasefire_hazard: Value
    stalemate_scale: Value
    ceasefire_min_weeks: Value


@dataclass(slots=True)
class WorldParams:
    """Every parameter of a model as the rules read it, e.g. ``p.russia.resolve``."""

    russia: RussiaValues
    concessions: ConcessionValues
    west: WestValues
    alliance: AllianceValues
    ukraine: UkraineValues
    war: WarValues


_GROUPS: dict[str, type] = {
    "russia": RussiaValues,
    "concessions": ConcessionValues,
    "west": WestValues,
    "alliance": AllianceValues,
    "ukraine": UkraineValues,
    "war": WarValues,
}


def world_params(
    params: Params, sampled: Mapping[str, ArrayLike] | None, replications: int
) -> WorldParams:
    """Build the parameters ``p`` the rules read, e.g. ``p.russia.resolve``.

    Args:
        params: The fixed parameters.
        sampled: Per-world values by dotted path (see
            :func:`crisis_sim.model.params.parameter_paths`), each of length ``replications``.
        replications: R, the number of worlds.

    Raises:
        ValueError: Naming the path, if a sampled path is unknown, has the wrong
            length, or holds a value outside the parameter's valid bounds.
    """
    data = params.model_dump()
    infos = {info.path: info for info in iter_params(params)}
    for path, drawn in (sampled or {}).items():
        if path not in infos:
            raise ValueError(f"sampled parameter {path!r} is not a model parameter")
        array = np.asarray(drawn, dtype=float)
        if array.shape != (replications,):
            raise ValueError(
                f"sampled parameter {path!r} has shape {array.shape}; expected ({replications},)"
            )
        lo, hi = infos[path].bounds
        if (
            not np.isfinite(array).all()
            or (lo is not None and (array < lo).any())
            or (hi is not None and (array > hi).any())
        ):
            raise ValueError(f"sampled parameter {path!r} has values outside [{lo}, {hi}]")
        node = data
        *parents, leaf = path.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = array
    groups = {}
    for group_name, fields in data.items():
        values = {}
        for name, value in fields.items():
            if isinstance(value, dict):
                rows = [np.asarray(value[issue.key], dtype=float) for issue in ISSUES]
                width = max(row.size for row in rows)
                values[name] = np.stack([np.broadcast_to(row, (width,)) for row in rows])
            else:
                values[name] = value
        groups[group_name] = _GROUPS[group_name](**values)
    return WorldParams(**groups)

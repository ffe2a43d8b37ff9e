"""Calibration targets as data: quantities the model computes, with values known before t0.

A targets file (TOML) names the scenario whose worlds are simulated, the priors of the
parameters to calibrate (distributions as in a scenario's ``[[uncertain]]``), and the
targets. Each target is a quantity defined exactly in model terms
(:data:`QUANTITIES`), a value with its standard deviation (the target's own
uncertainty: disagreement among sources, forecast noise), its source and the date it was
known. Every source must be dated before t0 (13 January 2022): nothing after it, nor
the realised course of events, may be a target, since that is what the model is judged
against. Files are validated like scenarios, every mistake on one line naming the file,
the key and what was expected.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal, Self

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from crisis_sim.model.brief import T0
from crisis_sim.model.domain import Outcome
from crisis_sim.problems import MISSING, FieldProblems, PlainText, Problem
from crisis_sim.scenario.errors import ScenarioError, problems_from
from crisis_sim.scenario.schema import Distribution

T0_DATE = dt.date.fromisoformat(T0)
"""The date of t0: every target's source must be dated before it."""

EVENTS: dict[str, str] = {
    "crossing": "Russian forces stand at a limited incursion or higher (rung 3, forces "
    "beyond the line of contact, or a full invasion) in a week dated on or before `by`",
    "full_invasion": "Russia launches a full-scale invasion (rung 4) in a week dated on or "
    "before `by`",
    "de_escalation": "a settlement or a stand-down ends the crisis in a week dated on or "
    "before `by`",
    "deal_on_enlargement": "a settlement that grants Russia anything on NATO enlargement "
    "(its enlargement gain above 0) ends the crisis in a week dated on or before `by`",
}
"""The events a ``probability_by`` target can count, in model terms."""

QUANTITIES: dict[str, str] = {
    "probability_by": "the share of worlds in which `event` happened by the date `by`",
    "massed_force": "the mean share of the force Russia plans to mass that stands on the "
    "border at the date `by` (before any war; 1 = the whole planned force)",
}
"""The quantities a target can name."""


PRIOR_DISTRIBUTIONS = ("uniform", "triangular")
"""The distributions a prior may take (ABC-SMC needs the prior's density)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


class Target(_Strict):
    """One calibration target.

    Attributes:
        id: A short name (letters, digits, '_').
        quantity: What the model computes (:data:`QUANTITIES`).
        event: For ``probability_by``, the event counted (:data:`EVENTS`).
        by: The date the quantity is read at.
        value: The target value.
        sd: Its standard deviation: how far the model may miss it for the target's own
            uncertainty.
        definition: The quantity in words, as the source asked it.
        source: Who said it, where.
        url: Where to read it.
        known: The date the value was public: before t0.
    """

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
    quantity: Literal["probability_by", "massed_force"]
    event: Literal["crossing", "full_invasion", "de_escalation", "deal_on_enlargement"] | None = (
        None
    )
    by: dt.date
    value: float = Field(ge=0.0, le=1.0)
    sd: float = Field(gt=0.0, le=1.0)
    definition: PlainText = Field(min_length=1)
    source: PlainText = Field(min_length=1)
    url: PlainText = ""
    known: dt.date

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = []
        if self.quantity == "probability_by" and self.event is None:
            problems.append(Problem("event", MISSING, f"one of: {', '.join(EVENTS)}"))
        if self.quantity == "massed_force" and self.event is not None:
            problems.append(Problem("event", self.event, "no event for massed_force"))
        if self.known >= T0_DATE:
            problems.append(
                Problem(
                    "known",
                    self.known.isoformat(),
                    f"a date before t0 ({T0}): nothing known after t0 may be a target",
                )
            )
        if self.by < T0_DATE:
            problems.append(Problem("by", self.by.isoformat(), f"a date on or after t0 ({T0})"))
        if problems:
            raise FieldProblems(problems)
        return self


class CalibrationTargets(_Strict):
    """A targets file: the scenario, the priors and the targets.

    Attributes:
        title: What the set of targets is.
        scenario: The scenario whose worlds are simulated (a bundled name or a path).
        priors: The calibrated parameters and their prior distributions; the scenario's
            posterior is not used, and its uncertain parameters not calibrated stay drawn
            per world from their distributions.
        targets: The targets.
    """

    title: PlainText = Field(min_length=1)
    scenario: str = Field(min_length=1)
    priors: list[Distribution] = Field(min_length=1)
    targets: list[Target] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = []
        seen: set[str] = set()
        for index, prior in enumerate(self.priors):
            if prior.param in seen:
                problems.append(
                    Problem(f"priors[{index}].param", prior.param, "each parameter only once")
                )
            seen.add(prior.param)
        ids: set[str] = set()
        for index, target in enumerate(self.targets):
            if target.id in ids:
                problems.append(Problem(f"targets[{index}].id", target.id, "a unique id"))
            ids.add(target.id)
        if problems:
            raise FieldProblems(problems)
        return self

    def paths(self) -> list[str]:
        """The calibrated parameters, in file order."""
        return [prior.param for prior in self.priors]


def bundled_targets() -> dict[str, Path]:
    """The targets files shipped with the package, by name."""
    folder = Path(str(resources.files("crisis_sim.calibration").joinpath("targets_library")))
    return {path.stem: path for path in sorted(folder.glob("*.toml"))}


def load_targets(path: str | Path) -> CalibrationTargets:
    """Read and validate a targets file.

    Raises:
        ScenarioError: Naming the file, the key path, the value and what was expected.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        problem = Problem("", MISSING, f"cannot read file: {error}")
        raise ScenarioError(str(file), [problem]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ScenarioError(str(file), [Problem("", MISSING, f"TOML: {error}")]) from None
    try:
        targets = CalibrationTargets.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(str(file), problems_from(error, data, CalibrationTargets)) from None
    from crisis_sim.model.params import parameter_paths

    known = set(parameter_paths())
    problems = [
        Problem(f"priors[{i}].param", prior.param, "a model parameter (crisis-sim params)")
        for i, prior in enumerate(targets.priors)
        if prior.param not in known
    ]
    problems += [
        Problem(f"priors[{i}].distribution", prior.distribution, "a uniform or triangular prior")
        for i, prior in enumerate(targets.priors)
        if prior.distribution not in PRIOR_DISTRIBUTIONS
    ]
    if problems:
        raise ScenarioError(str(file), problems)
    return targets


def measure(
    targets: list[Target],
    worlds: pd.DataFrame,
    massed: dict[str, float],
    start_date: dt.date,
) -> dict[str, float]:
    """Each target's quantity in a group of worlds.

    Args:
        targets: The targets.
        worlds: The worlds' table (:meth:`~crisis_sim.model.crisis.CrisisModel.outcomes`).
        massed: For each ``massed_force`` target's id, the mean massed share at its date.
        start_date: The date of week 0.
    """
    found = {}
    for target in targets:
        if target.quantity == "massed_force":
            found[target.id] = massed[target.id]
            continue
        week = (target.by - start_date).days // 7
        found[target.id] = float(np.mean(event_by(worlds, str(target.event), week)))
    return found


def event_by(worlds: pd.DataFrame, event: str, week: int) -> np.ndarray:
    """Whether each world had ``event`` (:data:`EVENTS`) in week ``week`` or before."""
    outcome = worlds["outcome"].to_numpy()
    outcome_week = worlds["week"].to_numpy()
    if event == "crossing":
        crossed = worlds["crossing_week"].to_numpy()
        return (crossed >= 0) & (crossed <= week)
    if event == "full_invasion":
        return (outcome == Outcome.FULL_INVASION.key) & (outcome_week <= week)
    settled = (outcome == Outcome.DE_ESCALATION.key) & (outcome_week <= week)
    if event == "de_escalation":
        return settled
    if event == "deal_on_enlargement":
        return settled & (worlds["gain_enlargement"].to_numpy() > 0)
    raise ValueError(f"no event {event!r}; choose from {', '.join(EVENTS)}")

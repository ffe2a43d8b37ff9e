"""``CrisisModel``: the January 2022 crisis as a Mesa model stepping R worlds at once.

One step is one week from t0 = 2022-01-13. Each week, in this order:

1. levers due this week fire (offers, concessions, policies, shocks);
2. the West chooses how far the U.S. and NATO offers go (expected utility), and the
   deal on the table is formed, with terms about Ukraine only as far as Ukraine
   consents (US-P1);
3. Russia values its plans in time and chooses: step down, hold, climb, invade,
   settle, or agree to part of the package (logit choice);
4. the West updates its belief about Russia's type (Bayes) and the chance it sees
   that Russia plans to invade;
5. a military incident may raise tension (it never moves Russia's rung);
6. Russia takes stock: weeks massed, highest rung, what the West's giving way or not
   and fighting teach it; its wedge among the allies builds or collapses; allies'
   willingness, cohesion and the Alliance's consensus are recomputed;
7. the West's ladders respond to Russia's rung, and to the war it fears, as far as
   consensus allows, and Russia updates its belief in Western resolve;
8. Ukraine chooses its mobilisation and its own offer; its resistance closes on what
   they and Western support allow;
9. the war is fought a week in the worlds invaded earlier;
10. a direct NATO-Russia clash may occur at the incursion rung or above;
11. outcomes are recorded: a deal or a clash ends a world; an invasion fixes the
    world's outcome and week, and its war runs on to the horizon.

The model holds only this schedule, the set-up and the outcomes. Each mechanism of
the model card lives in the module named for it, on the agent that owns its state:
:mod:`~crisis_sim.model.bargaining` (the deal), :mod:`~crisis_sim.model.russia`
(Russia's choice), :mod:`~crisis_sim.model.concessions`, :mod:`~crisis_sim.model.west`
(offers, response ladders, the West's learning), :mod:`~crisis_sim.model.alliance`,
:mod:`~crisis_sim.model.ukraine`, :mod:`~crisis_sim.model.incidents`,
:mod:`~crisis_sim.model.war` and :mod:`~crisis_sim.model.levers`; Russia's plans in time
are :mod:`~crisis_sim.model.plans`.

Randomness comes only from :mod:`crisis_sim.model.streams`: replication k draws the same
numbers whatever R, so a world run alone equals the same world in a batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import mesa
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from crisis_sim.model import incidents, plans, sampling, streams
from crisis_sim.model.alliance import Nato
from crisis_sim.model.bargaining import Deal
from crisis_sim.model.brief import T0
from crisis_sim.model.concessions import Concessions
from crisis_sim.model.domain import (
    DEFAULT_HORIZON,
    ISSUES,
    OUTCOMES,
    Action,
    InvasionReason,
    Outcome,
    Rung,
)
from crisis_sim.model.levers import LEVER_EFFECTS, Lever
from crisis_sim.model.members import load_members, member_arrays
from crisis_sim.model.narration import Narration
from crisis_sim.model.params import Params
from crisis_sim.model.russia import Russia
from crisis_sim.model.ukraine import Ukraine
from crisis_sim.model.war import War
from crisis_sim.model.west import UnitedStates, West
from crisis_sim.model.world import world_params


class RunLike(Protocol):
    """What the model reads of a scenario's run settings."""

    seed: int
    horizon: int
    sampling: sampling.Sampling
    worlds_per_set: int
    start_date: dt.date


class ScenarioLike(Protocol):
    """What the model reads of a scenario (a :class:`crisis_sim.scenario.Scenario` has it).

    The model sits below the scenario files and knows them only through this shape.
    """

    params: Params

    @property
    def run(self) -> RunLike:
        """The run settings."""
        ...

    @property
    def uncertain(self) -> Sequence[UncertainParameter]:
        """The uncertain parameters' distributions."""
        ...

    def all_levers(self) -> list[Lever]:
        """The levers and the scheduled events."""
        ...

    def posterior_sample(self) -> PosteriorSample | None:
        """The calibrated posterior the judgement parameters are drawn from, if any."""
        ...


SMALL_INTEGER = np.int32
"""The type of the per-world table's weeks, rungs and parameter sets (``outcomes``).

Each fits in 32 bits many times over (a week is at most the horizon, a parameter set at
most the worlds), and half the width of numpy's default saves 36 bytes of the 405 a
world takes: 34 MiB in a million-world run's merged table (``benchmarks/README.md``).
The replication, a world's index, keeps 64 bits.
"""

EVENT_LOG_LIMIT = 20
"""Largest R for which the event log is kept unless asked for."""

HISTORY_LIMIT = 20_000
"""Largest R for which the week-by-week history is kept unless asked for."""

OUTCOME_TEXT = {
    Outcome.DE_ESCALATION: "negotiated de-escalation: Russia settles and stands its forces down",
    Outcome.STANDOFF: "standoff: the horizon comes with no settlement and no incursion",
    Outcome.LIMITED_INCURSION: "limited incursion: Russia stands at the incursion rung",
    Outcome.FULL_INVASION: "full-scale invasion of Ukraine: the war begins",
    Outcome.NATO_RUSSIA_CLASH: "direct NATO-Russia clash",
}
"""How the event log names each outcome."""

HISTORY_FIELDS = (
    "rung",
    "sanctions",
    "posture",
    "support",
    "cohesion",
    "resolve_belief",
    "type_belief",
    "state",
)
"""What the week-by-week history holds, one (weeks + 1, R) array each."""


class UncertainParameter(Protocol):
    """What the model needs of an uncertain parameter's distribution."""

    param: str

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The parameter's value at each probability level ``u``."""
        ...


class PosteriorSample(Protocol):
    """What the model needs of a posterior sample: values by path for a span of worlds."""

    def draw(
        self, *, seed: int, first: int, count: int, worlds_per_set: int
    ) -> dict[str, np.ndarray]:
        """Each world's values of the posterior's parameters, one row per parameter set."""
        ...


class CrisisModel(mesa.Model):
    """The crisis as a Mesa model over R worlds (see the module docstring for the week).

    Args:
        params: Model parameters; the baseline defaults if None.
        replications: R, the number of worlds stepped at once.
        seed: The scenario seed; world k's randomness depends only on (seed, k).
        first_replication: Index of this model's first world, so that a chunk of a
            larger ensemble reproduces the same worlds.
        horizon: Weeks to simulate.
        levers: Offers, concessions, policies and shocks with their timing.
        sampled: Per-world parameter values by dotted path, arrays of length R.
        uncertain: Distributions of uncertain parameters (objects with ``param`` and
            ``quantile(levels)``, as in :mod:`crisis_sim.scenario.schema`), drawn per world
            by ``sample_design``; they take precedence over ``sampled``.
        sample_design: How uncertain parameters are drawn: ``monte_carlo`` (each set
            from its own stream) or ``latin_hypercube`` (see :mod:`crisis_sim.model.sampling`).
        worlds_per_set: Worlds per parameter set: the worlds of a set share the values
            drawn for ``uncertain`` and ``posterior`` (world k is in set
            ``k // worlds_per_set``).
        posterior: A calibrated posterior sample (an object with ``draw(seed=, first=,
            count=, worlds_per_set=)`` returning values by path, as
            :class:`crisis_sim.calibration.posterior.Posterior`): each set takes one of its
            rows. A posterior parameter also in ``uncertain`` must be a fixed value: it
            replaces that column of every row (the rows and other columns unchanged).
        start_date: The calendar date of week 0.
        event_log: Keep the narrated event log; by default when R <= 20.
        record_history: Keep week-by-week arrays; by default when R <= 20,000.
        on_week: Called with this week's values of :data:`HISTORY_FIELDS` (by name, the
            model's own arrays: read them, do not keep or change them) at t0 and after
            each week, whether or not the history is kept: a caller that needs only
            what it reduces them to (an ensemble's counts) need not hold every week.

    Attributes:
        p: The parameters as the rules read them (:class:`~crisis_sim.model.world.WorldParams`).
        russia, united_states, nato, ukraine: The actors; ``nato.members`` the 30 allies.
        west: The West as one: its response ladders and its belief about Russia's type.
        concessions: What the West has granted unilaterally, and what it is worth.
        deal: The package on the table.
        narration: The event log.
        datacollector: Mesa's record of the share of worlds running and the mean rung,
            sanctions, posture and cohesion over the worlds, one row per week from t0.
        week: The current week (0 = t0).
        outcome: (R,) outcome code per world (:class:`Outcome`), ``ONGOING`` while running.
        outcome_week: (R,) the week each outcome was reached.
        lever_week: (levers, R) the week each lever fired in each world; -1 if never.
        crossing_week: (R,) the first week Russia stood at a limited incursion or higher
            (-1: never).
        parameter_set: (R,) each world's parameter set, ``k // worlds_per_set``.
    """

    running: bool
    """Mesa's flag: True while any world is still in crisis (``run_model`` stops at False)."""

    def __init__(
        self,
        params: Params | None = None,
        *,
        replications: int = 1,
        seed: int = 0,
        first_replication: int = 0,
        horizon: int = DEFAULT_HORIZON,
        levers: Sequence[Lever] = (),
        sampled: Mapping[str, ArrayLike] | None = None,
        uncertain: Sequence[UncertainParameter] = (),
        sample_design: sampling.Sampling = "monte_carlo",
        worlds_per_set: int = 1,
        posterior: PosteriorSample | None = None,
        start_date: dt.date | str = T0,
        event_log: bool | None = None,
        record_history: bool | None = None,
        on_week: Callable[[Mapping[str, np.ndarray]], None] | None = None,
    ) -> None:
        """Set up R worlds at t0."""
        if replications < 1:
            raise ValueError(f"replications must be at least 1, got {replications}")
        if horizon < 1:
            raise ValueError(f"horizon must be at least 1 week, got {horizon}")
        if seed < 0 or first_replication < 0:
            raise ValueError("seed and first_replication must be non-negative integers")
        super().__init__(rng=seed)
        self.params = params or Params()
        self.replications = replications
        self.seed = seed
        self.first_replication = first_replication
        self.horizon = horizon
        self.levers = tuple(levers)
        self.start_date = dt.date.fromisoformat(str(start_date))
        self.draws = streams.draw_worlds(seed, first_replication, replications, horizon)
        self.sampled = {
            path: np.asarray(values, dtype=float) for path, values in (sampled or {}).items()
        }
        self.worlds_per_set = worlds_per_set
        self.parameter_set = np.arange(first_replication, first_replication + replications)
        self.parameter_set //= worlds_per_set
        drawn: dict[str, np.ndarray] = {}
        if posterior is not None:
            drawn = posterior.draw(
                seed=seed,
                first=first_replication,
                count=replications,
                worlds_per_set=worlds_per_set,
            )
            self.sampled.update(drawn)
        # A posterior parameter also in ``uncertain`` is held at its value: it replaces
        # that posterior column in every set, the rows and other columns as drawn
        # without it (an intervention, not conditioning: Scenario.held_posterior). It
        # stays out of the designs below, so the other parameters' levels do not move.
        held = {dist.param: dist for dist in uncertain if dist.param in drawn}
        for path, dist in held.items():
            ends = dist.quantile(np.array([0.0, 0.5, 0.999]))
            if not np.all(ends == ends[0]):
                raise ValueError(f"a posterior parameter can be uncertain only as fixed: {path}")
            self.sampled[path] = np.full(replications, float(ends[0]))
        free = [dist for dist in uncertain if dist.param not in held]
        levels = sampling.parameter_levels(
            [dist.param for dist in free],
            sample_design,
            seed=seed,
            first=first_replication,
            count=replications,
            worlds_per_set=worlds_per_set,
        )
        for dist in free:
            self.sampled[dist.param] = dist.quantile(levels[dist.param])
        self.p = world_params(self.params, self.sampled, replications)
        self.week = 0
        self.active = np.ones(replications, dtype=bool)
        self.war = War(replications)
        self.ground = plans.ground(
            self.start_date, horizon + int(plans.WAITS.max()) + 1, self.p.russia.thaw_penalty
        )
        self.outcome = np.full(replications, int(Outcome.ONGOING))
        self.outcome_week = np.full(replications, -1)
        self.crossing_week = np.full(replications, -1)
        self.narration = Narration(
            self, replications <= EVENT_LOG_LIMIT if event_log is None else event_log
        )
        keep_history = replications <= HISTORY_LIMIT if record_history is None else record_history
        self.history: dict[str, list[np.ndarray]] | None = (
            {name: [] for name in HISTORY_FIELDS} if keep_history else None
        )
        self._on_week = on_week

        revisionist = self.draws.type_uniform < self.p.russia.revisionist_prior
        self.concessions = Concessions(self)
        self.deal = Deal(replications)
        self.west = West(self)
        self.russia = Russia(self, revisionist)
        self.united_states = UnitedStates(self)
        records = load_members()
        self.nato = Nato(self, records, member_arrays(records))
        self.ukraine = Ukraine(self)
        self._fired = np.zeros((len(self.levers), replications), dtype=bool)
        self.lever_week = np.full((len(self.levers), replications), -1, dtype=np.int64)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "week": "week",
                "date": "date",
                "share_ongoing": "share_ongoing",
                "mean_rung": "mean_rung",
                "mean_sanctions": "mean_sanctions",
                "mean_posture": "mean_posture",
                "mean_cohesion": "mean_cohesion",
            }
        )
        self._fire_levers()
        self.west.choose_offers()
        self.deal.form(self)
        self.nato.update_willingness()
        self._record_history()
        self.datacollector.collect(self)

    @classmethod
    def from_scenario(
        cls,
        scenario: ScenarioLike,
        *,
        replications: int = 1,
        seed: int | None = None,
        first_replication: int = 0,
        sample_design: sampling.Sampling | None = None,
        event_log: bool | None = None,
        record_history: bool | None = None,
        on_week: Callable[[Mapping[str, np.ndarray]], None] | None = None,
    ) -> CrisisModel:
        """The model of worlds ``first_replication ..`` of a scenario.

        Args:
            scenario: A validated scenario (:func:`crisis_sim.scenario.files.load_scenario`).
            replications: Number of worlds.
            seed: The seed; the scenario's if None.
            first_replication: Index of the first world.
            sample_design: How uncertain parameters are drawn; the scenario's if None.
            event_log: Keep the narrated event log (default: when R <= 20).
            record_history: Keep week-by-week arrays (default: when R <= 20,000).
            on_week: Called with each week's values, as for the constructor.
        """
        return cls(
            scenario.params,
            replications=replications,
            seed=scenario.run.seed if seed is None else seed,
            first_replication=first_replication,
            horizon=scenario.run.horizon,
            levers=scenario.all_levers(),
            uncertain=scenario.uncertain,
            sample_design=sample_design or scenario.run.sampling,
            worlds_per_set=scenario.run.worlds_per_set,
            posterior=scenario.posterior_sample(),
            start_date=scenario.run.start_date,
            event_log=event_log,
            record_history=record_history,
            on_week=on_week,
        )

    # -- convenience views -------------------------------------------------------------

    @property
    def date(self) -> dt.date:
        """The calendar date of the current week."""
        return self.start_date + dt.timedelta(weeks=self.week)

    @property
    def live(self) -> np.ndarray:
        """(R,) the worlds still evolving: in crisis, or at war after an invasion."""
        return self.active | self.war.at_war

    @property
    def share_ongoing(self) -> float:
        """Share of worlds still running."""
        return float(self.active.mean())

    @property
    def mean_rung(self) -> float:
        """Mean escalation rung over worlds."""
        return float(self.russia.rung.mean())

    @property
    def mean_sanctions(self) -> float:
        """Mean sanctions tier over worlds."""
        return float(self.west.sanctions.mean())

    @property
    def mean_posture(self) -> float:
        """Mean Eastern Flank posture level over worlds."""
        return float(self.west.posture.mean())

    @property
    def mean_cohesion(self) -> float:
        """Mean alliance cohesion over worlds."""
        return float(self.nato.cohesion.mean())

    def weekly_uniform(self, slot: int) -> np.ndarray:
        """Return this week's uniform draws in ``slot`` (see :mod:`crisis_sim.model.streams`)."""
        return self.draws.weekly[self.week - 1, slot]

    # -- the week ----------------------------------------------------------------------

    def step(self) -> None:
        """Advance every running world by one week (see the module docstring)."""
        if not self.running:
            return
        self.week += 1
        self._fire_levers()
        self.west.choose_offers()
        self.deal.form(self)
        self.russia.step()
        self.war.begin(self.active & (self.russia.last_action == Action.INVADE), self.week)
        self.west.update_type_belief()
        self.west.update_war_risk()
        incidents.incidents(self)
        self.russia.after_week()
        self.nato.advance_wedge()
        self.nato.update_willingness()
        self.west.respond()
        self.ukraine.step()
        self.war.step(self)
        self._close_worlds()
        self._record_history()
        self.datacollector.collect(self)
        if self.week >= self.horizon or not self.live.any():
            self.running = False

    def run(self) -> CrisisModel:
        """Step until every world has ended or the horizon is reached; return self."""
        while self.running:
            self.step()
        return self

    def _fire_levers(self) -> None:
        """Fire each lever in the worlds where it is due and its condition holds.

        What a lever does is its kind's function in :data:`~crisis_sim.model.levers.LEVER_EFFECTS`.
        Allies' willingness is recomputed only when a lever fired: otherwise its inputs
        are as they were at the end of last week. Ukraine's resistance answers support
        over the following weeks (``ukraine.adjustment_rate``), as any support does.
        """
        self.concessions.start_week()
        if not self.levers:
            return
        russia = self.russia
        fired = False
        for index, lever in enumerate(self.levers):
            due = self.active & ~self._fired[index] & (self.week >= lever.week)
            if lever.when_rung_at_least is not None:
                due &= russia.rung >= lever.when_rung_at_least
            if lever.when_talking:
                due &= russia.talking
            if not due.any():
                continue
            self._fired[index] |= due
            self.lever_week[index] = np.where(due, self.week, self.lever_week[index])
            LEVER_EFFECTS[lever.kind](self, lever, due)
            self.narration.mask(due, lever.actor.value, lever.describe())
            fired = True
        if fired:
            self.nato.update_willingness()

    # -- outcomes ----------------------------------------------------------------------

    def _close_worlds(self) -> None:
        """Record outcomes.

        A settlement, a unilateral stand-down (a de-escalation too) or a clash ends a
        world. An invasion fixes the world's outcome and
        its week; its war runs on (a clash during the war, the invasion's week included,
        is recorded, not an outcome).
        The horizon ends the rest as a limited incursion (at rung 3) or a standoff.
        """
        russia = self.russia
        active = self.active
        crossed = active & (russia.rung >= Rung.LIMITED_INCURSION) & (self.crossing_week < 0)
        self.crossing_week = np.where(crossed, self.week, self.crossing_week)
        clash = incidents.clashes(self)
        war = self.war
        invasion = active & (russia.rung >= Rung.FULL_INVASION)
        in_war = clash & (~active | invasion) & (war.clash_week < 0)
        war.clash_week = np.where(in_war, self.week, war.clash_week)
        self.narration.mask(in_war, "war", "a direct NATO-Russia clash during the war")
        clash &= active & ~invasion
        deal = active & ((russia.last_action == Action.ACCEPT) | russia.stood_down)
        self._end(clash, Outcome.NATO_RUSSIA_CLASH, self.week)
        self._end(invasion, Outcome.FULL_INVASION, self.week)
        self._end(deal, Outcome.DE_ESCALATION, self.week)
        if self.week >= self.horizon:
            still = self.active
            incursion = still & (russia.rung == Rung.LIMITED_INCURSION)
            self._end(incursion, Outcome.LIMITED_INCURSION, russia.first_incursion_week)
            self._end(still & ~incursion, Outcome.STANDOFF, self.week)

    def _end(self, mask: np.ndarray, outcome: Outcome, week: np.ndarray | int) -> None:
        self.outcome = np.where(mask, int(outcome), self.outcome)
        self.outcome_week = np.where(mask, week, self.outcome_week)
        self.active = self.active & ~mask
        self.narration.mask(mask, "outcome", OUTCOME_TEXT[outcome])

    def _state_code(self) -> np.ndarray:
        """Return each world's state for the shares-over-time view.

        Its outcome code if it has ended, else 100 + its rung.
        """
        return np.where(self.active, 100 + self.russia.rung, self.outcome)

    def _record_history(self) -> None:
        if self.history is None and self._on_week is None:
            return
        values = {
            "rung": self.russia.rung,
            "sanctions": self.west.sanctions,
            "posture": self.west.posture,
            "support": self.west.support,
            "cohesion": self.nato.cohesion,
            "resolve_belief": self.russia.resolve_belief,
            "type_belief": self.west.type_belief,
            "state": self._state_code(),
        }
        if self._on_week is not None:
            self._on_week(values)
        if self.history is not None:
            for name in HISTORY_FIELDS:
                self.history[name].append(np.array(values[name], copy=True))

    # -- results -----------------------------------------------------------------------

    def secured_terms(self) -> np.ndarray:
        """(issues, R) what Russia holds: the deal's terms if it took one, else what is granted."""
        accepted = (self.outcome == Outcome.DE_ESCALATION) & ~self.russia.stood_down
        return np.where(accepted, self.deal.terms, self.concessions.granted)

    def outcomes(self) -> pd.DataFrame:
        """One row per world: outcome, week, date, end state and Russia's gains per issue."""
        weeks = self.outcome_week
        dates = np.datetime64(self.start_date.isoformat()) + 7 * weeks.astype("timedelta64[D]")
        russia = self.russia
        table = {
            "replication": np.arange(self.replications) + self.first_replication,
            "outcome": pd.Categorical.from_codes(
                np.where(self.outcome >= 0, self.outcome, -1),
                categories=[o.key for o in OUTCOMES],
            ),
            "week": weeks.astype(SMALL_INTEGER),
            "date": np.where(weeks >= 0, dates.astype(str), ""),
            "revisionist": self.russia.revisionist,
            "end_rung": self.russia.rung.astype(SMALL_INTEGER),
            "max_rung": self.russia.max_rung.astype(SMALL_INTEGER),
            "sanctions": self.west.sanctions,
            "posture": self.west.posture,
            "support": self.west.support,
            "cohesion": self.nato.cohesion,
            "resolve_belief": self.russia.resolve_belief,
            "type_belief": self.west.type_belief,
            "concessions_granted": self.concessions.granted.sum(axis=0),
            "partial_week": russia.partial_week.astype(SMALL_INTEGER),
            "offer_step": self.west.offer_step,
            "war_risk": self.west.war_risk,
            "resistance": self.ukraine.resistance,
            "mobilised": self.ukraine.mobilised,
            "invasion_reason": pd.Categorical.from_codes(
                russia.invasion_reason, categories=[r.key for r in InvasionReason if r.value >= 0]
            ),
            "invasion_margin": russia.invasion_margin,
            "invasion_victory": russia.invasion_victory,
            "war_front": self.war.front,
            "war_collapse_week": self.war.collapse_week.astype(SMALL_INTEGER),
            "ceasefire_week": self.war.ceasefire_week.astype(SMALL_INTEGER),
            "war_clash_week": self.war.clash_week.astype(SMALL_INTEGER),
        }
        secured = self.secured_terms()
        for issue in ISSUES:
            table[f"gain_{issue.key}"] = secured[issue]
        for issue in ISSUES:
            table[f"agreed_{issue.key}"] = self.concessions.agreed[issue]
        table["crossing_week"] = self.crossing_week.astype(SMALL_INTEGER)
        table["parameter_set"] = self.parameter_set.astype(SMALL_INTEGER)
        for path, values in self.sampled.items():
            table[path] = values
        return pd.DataFrame(table)

    def event_log(self) -> pd.DataFrame:
        """The narrated event log (kept when ``event_log`` is on), one row per event."""
        if not self.narration.enabled:
            raise RuntimeError(
                "this model keeps no event log: create it with event_log=True (or R <= "
                f"{EVENT_LOG_LIMIT})"
            )
        columns = ["replication", "week", "date", "actor", "event"]
        return pd.DataFrame(self.narration.events, columns=columns)

    def history_frame(self) -> pd.DataFrame:
        """The week-by-week history as a long table: week, replication and each field."""
        if self.history is None:
            raise RuntimeError("this model keeps no history: create it with record_history=True")
        weeks = len(self.history["rung"])
        frame = {
            "week": np.repeat(np.arange(weeks), self.replications),
            "replication": np.tile(np.arange(self.replications) + self.first_replication, weeks),
        }
        for name in HISTORY_FIELDS:
            frame[name] = np.concatenate(self.history[name])
        return pd.DataFrame(frame)

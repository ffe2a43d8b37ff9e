"""The alliance and its members (model card 5.6): willingness, cohesion, consensus, the wedge.

Each of NATO's 30 allies is a :class:`NatoMember` agent holding its traits and its
willingness to punish Russia in every world. Each week every member forms its own
view (its standing willingness, Russia's aggression, Russia's wedge, the debate over
offers and concessions, shocks); :class:`Nato` reads the members' views, pulls each
toward the Alliance's GDP-weighted mean (solidarity, Olson and Zeckhauser 1966),
and from their willingness derives cohesion, the consensus level a decision passes
at (Snyder 1984) and the participation that scales sanctions. NATO also holds its
own offers, which the West chooses (:meth:`crisis_sim.model.west.West.choose_offers`).
The members keep forming their views in the worlds at war: the West's response and
cohesion after aggression are part of what an invasion world reports.

A named ally can act on its own (ally levers): shift its own willingness, veto or
delay collective measures, stand aside from the consensus or join its common line, or
impose national sanctions. Each is a state of that member; the Alliance's cohesion,
consensus and participation are then read from the members' states, as always.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from crisis_sim.model.domain import Issue, Rung
from crisis_sim.model.members import MemberArrays, MemberRecord
from crisis_sim.model.west import at_rung, rung_table

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel

NATO_SPENDING_GUIDELINE = 2.0
"""Structural: NATO's guideline of 2% of GDP on defence (Wales summit, 2014)."""

MOBILISATION_AT_INCURSION = 1.0
"""Structural: ``alliance.aggression_mobilisation`` is the rise at the incursion rung."""


def column_quantile(values: np.ndarray, quantile: np.ndarray) -> np.ndarray:
    """The ``quantile[r]`` quantile of ``values[:, r]`` for each world r (linear interpolation)."""
    ordered = np.sort(values, axis=0)
    position = quantile * (values.shape[0] - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, values.shape[0] - 1)
    frac = position - low
    columns = np.arange(values.shape[1])
    return ordered[low, columns] * (1.0 - frac) + ordered[high, columns] * frac


def alliance_cohesion(willingness: np.ndarray) -> np.ndarray:
    """Cohesion 0-1 from the spread of members' willingness: ``1 - 2 x std``.

    The standard deviation of numbers in [0, 1] is at most 0.5, so cohesion is 1 when
    all allies agree and 0 when they split into two equal camps at 0 and 1.
    """
    members = willingness.shape[0]
    mean = willingness.sum(axis=0) / members
    variance = (willingness * willingness).sum(axis=0) / members - mean**2
    return np.clip(1.0 - 2.0 * np.sqrt(np.maximum(variance, 0.0)), 0.0, 1.0)


def consensus_level(
    willingness: np.ndarray,
    cohesion: np.ndarray,
    quantile_low: np.ndarray | float,
    quantile_high: np.ndarray | float,
) -> np.ndarray:
    """Level of punishment the Alliance agrees on (Snyder 1984; THEORY.md 'Alliances').

    A collective decision passes at the willingness of a low quantile of members, one
    ally one voice; the more cohesive the Alliance, the higher that quantile (from
    ``quantile_low`` at cohesion 0 to ``quantile_high`` at cohesion 1).
    """
    quantile = quantile_low + (quantile_high - quantile_low) * cohesion
    return column_quantile(willingness, np.clip(quantile, 0.0, 1.0))


def masked_cohesion(willingness: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """:func:`alliance_cohesion` over the members ``inside`` (members, R) only."""
    count = np.maximum(inside.sum(axis=0), 1)
    mean = (willingness * inside).sum(axis=0) / count
    variance = (willingness * willingness * inside).sum(axis=0) / count - mean**2
    return np.clip(1.0 - 2.0 * np.sqrt(np.maximum(variance, 0.0)), 0.0, 1.0)


def masked_quantile(values: np.ndarray, inside: np.ndarray, quantile: np.ndarray) -> np.ndarray:
    """:func:`column_quantile` over the members ``inside`` only (0 where none is inside)."""
    count = inside.sum(axis=0)
    ordered = np.sort(np.where(inside, values, np.inf), axis=0)
    last = np.maximum(count - 1, 0)
    position = np.clip(quantile, 0.0, 1.0) * last
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, last)
    frac = position - low
    columns = np.arange(values.shape[1])
    level = ordered[low, columns] * (1.0 - frac) + ordered[high, columns] * frac
    return np.where(count > 0, level, 0.0)


def advanced_wedge(
    wedge: np.ndarray,
    coercing: np.ndarray,
    build_rate: np.ndarray | float,
    collapse_rate: np.ndarray | float,
) -> np.ndarray:
    """The wedge a week later: ``W + (1 - W) x build`` if coercing, else ``W x (1 - collapse)``."""
    built = wedge + (1.0 - wedge) * build_rate
    collapsed = wedge * (1.0 - collapse_rate)
    return np.where(coercing, built, collapsed)


def _by_world(rows: list[np.ndarray]) -> np.ndarray:
    """Stack the members' (R,) rows into (members, R), each world's members contiguous.

    The layout fixes the order in which numpy sums over members (pairwise along
    contiguous memory), and so the last bits of every mean and spread: it is the
    layout the members' standing willingness has always had (the draws of
    :mod:`crisis_sim.model.streams` are stored world by world).
    """
    return np.stack(rows, axis=1).T


class NatoMember(mesa.Agent):
    """One of NATO's 30 allies of January 2022, with its traits and its willingness.

    Its standing willingness to punish Russia comes from its traits and this world's
    draw of its threat perception; each week it forms its own view
    (:meth:`own_willingness`), and holds the willingness the Alliance settles on.

    Attributes:
        record: Its row of the shipped table (``data/nato_members_2022.csv``).
        gdp_weight: Its share of the Alliance's GDP.
        standing_willingness: (R,) its willingness before this week's events.
        wedge_exposure: How far Russia's wedge reaches it: gas dependence, no border.
        debate_camp: +1 for a frontline ally (pushed up by a debate), -1 for the others.
        willingness: (R,) its willingness to punish Russia, 0-1.
    """

    def __init__(
        self, model: CrisisModel, record: MemberRecord, traits: MemberArrays, row: int
    ) -> None:
        """Join the Alliance as its ``row``-th member.

        An ally with no defence spending on record (Iceland, which has no armed forces:
        'not applicable' in ``data/SOURCES.md``) gets no spending effect.
        """
        super().__init__(model)
        p = model.p.alliance
        self.record = record
        self.gdp_weight = traits.gdp_weight[row]
        spending = traits.defence_spending[row]
        base = (
            p.base_willingness
            + p.bucharest_nine_effect * traits.bucharest_nine[row]
            + p.border_effect * traits.border[row]
            + p.spending_effect * np.where(spending > 0, spending - NATO_SPENDING_GUIDELINE, 0.0)
            - p.gas_effect * traits.gas_share[row]
        )
        perception = model.draws.member_normal[row]
        self.standing_willingness = base + p.perception_noise * perception
        self.wedge_exposure = traits.gas_share[row] * (1.0 - traits.border[row])
        self.debate_camp = 2.0 * traits.frontline[row] - 1.0
        self.willingness = np.empty(model.replications)
        size = model.replications
        self.own_shift: np.ndarray | None = None
        """(R,) its own willingness shift (``willingness`` levers), or None."""
        self.veto_cap = np.full(size, np.inf)
        """(R,) the highest consensus level it agrees to (``veto``, ``delay``); inf if none."""
        self.veto_until = np.full(size, -1)
        """(R,) the week a delay ends; -1 for a veto that stands (or none)."""
        self.outside = np.zeros(size, dtype=bool)
        """(R,) it stands aside from collective decisions and sanctions (``leave_consensus``)."""
        self.aligned = np.zeros(size, dtype=bool)
        """(R,) it takes the Alliance's common line (``join_consensus``)."""
        self.national: np.ndarray | None = None
        """(R,) the sanctions tier it imposes alone (``national_measures``), or None."""

    @property
    def iso3(self) -> str:
        """The ally's ISO 3166-1 alpha-3 code."""
        return self.record.iso3

    def own_willingness(
        self, shift: np.ndarray, wedge_push: np.ndarray, debate_push: np.ndarray
    ) -> np.ndarray:
        """Return its own willingness this week, before solidarity, per world.

        Its standing willingness plus the ``shift`` all allies share (aggression,
        shocks), less Russia's wedge as far as it reaches this ally, plus the debate
        in the direction of its camp.
        """
        own = self.standing_willingness + shift
        own -= wedge_push * self.wedge_exposure
        own += debate_push * self.debate_camp
        if self.own_shift is not None:
            own += self.own_shift
        return own

    def _acting(self) -> None:
        """From now on the Alliance reads this member's own states (see :class:`Nato`)."""
        self.model.nato.members_acting = True

    def shift_willingness(self, mask: np.ndarray, level: float) -> None:
        """Shift its own willingness by ``level`` from now on in ``mask`` (shifts add up)."""
        shift = mask * level
        self.own_shift = shift if self.own_shift is None else self.own_shift + shift

    def block(self, mask: np.ndarray, cap: np.ndarray | float, until: int) -> None:
        """Agree to collective measures only up to consensus level ``cap`` (its latest block holds).

        ``until`` is the week the block ends (a delay), -1 for a veto that stands.
        """
        self.veto_cap = np.where(mask, cap, self.veto_cap)
        self.veto_until = np.where(mask, until, self.veto_until)
        self._acting()

    def active_cap(self, week: int) -> np.ndarray:
        """(R,) the consensus level it agrees to this week (inf where it blocks nothing)."""
        standing = (self.veto_until < 0) | (week < self.veto_until)
        return np.where(standing & ~self.outside, self.veto_cap, np.inf)

    def set_stance(self, mask: np.ndarray, *, outside: bool) -> None:
        """Stand aside from the consensus (``outside``) or join its common line, in ``mask``."""
        if outside:
            self.outside = self.outside | mask
            self.aligned = self.aligned & ~mask
        else:
            self.aligned = self.aligned | mask
            self.outside = self.outside & ~mask
        self._acting()

    def impose_national(self, mask: np.ndarray, tier: float) -> None:
        """Impose sanctions of ``tier`` alone in the worlds ``mask`` (the higher tier stands)."""
        national = np.zeros(self.model.replications) if self.national is None else self.national
        self.national = np.where(mask, np.maximum(national, tier), national)

    def settle(self, willingness: np.ndarray, active: np.ndarray) -> None:
        """Take the willingness the Alliance settled on, in the worlds still running."""
        self.willingness = (
            willingness if active.all() else np.where(active, willingness, self.willingness)
        )


class Nato(mesa.Agent):
    """NATO: its offers (NATO-O1, NATO-O2) and its collective decisions.

    Its members' willingness to punish Russia is held by its :class:`NatoMember`
    agents, each pulled by ``alliance.solidarity`` toward the Alliance's GDP-weighted
    mean; cohesion is 1 - 2 x its spread, and a decision passes at a low quantile of
    it that rises with cohesion (Snyder 1984). Russia's wedge (RU-S1) and debates over
    concessions spread the members apart; visible aggression draws them together (H4).
    """

    def __init__(
        self, model: CrisisModel, records: tuple[MemberRecord, ...], traits: MemberArrays
    ) -> None:
        """Admit the members, put the t0 offers on the table and compute the t0 decisions."""
        super().__init__(model)
        p = model.p
        self.traits = traits
        size = model.replications
        self.offer_floor = np.zeros((len(Issue), size))
        self.offer = np.broadcast_to(p.west.nato_offer, (len(Issue), size)).astype(float)
        self.wedge = np.zeros(size)
        """How far Russia's wedge has built up, 0-1."""
        self.shock = np.zeros(size)
        """Sum of the cohesion shocks so far."""
        self.mobilisation = rung_table(
            (
                0.0,
                0.0,
                p.alliance.mobilisation_at_military_technical,
                MOBILISATION_AT_INCURSION,
                p.alliance.mobilisation_at_invasion,
            ),
            size,
        )
        """(rungs, R) multiplier of ``alliance.aggression_mobilisation`` at the highest rung."""
        self.cohesion = np.empty(size)
        self.consensus = np.empty(size)
        self.participation = np.empty(size)
        self.gas_cut: np.ndarray | None = None
        """(R,) the share of Russian gas cut off to the allies (``gas_cutoff``), or None."""
        self.members_acting = False
        """Some ally has vetoed, delayed, left or joined the consensus (ally levers)."""
        self.members = [
            NatoMember(model, record, traits, row) for row, record in enumerate(records)
        ]
        self._by_code = {member.iso3: member for member in self.members}
        self.update_willingness()

    def member(self, iso3: str) -> NatoMember:
        """The ally with ISO code ``iso3``."""
        return self._by_code[iso3]

    def cut_gas(self, mask: np.ndarray, share: float) -> None:
        """Russia cuts ``share`` of its gas to the allies in ``mask`` (the larger cut stands)."""
        cut = np.zeros(self.model.replications) if self.gas_cut is None else self.gas_cut
        self.gas_cut = np.where(mask, np.maximum(cut, share), cut)

    @property
    def has_national_measures(self) -> bool:
        """Whether any ally has imposed national sanctions."""
        return any(member.national is not None for member in self.members)

    def national_excess(self, tier: np.ndarray) -> np.ndarray | None:
        """(R,) ``sum_i gdp_i x max(n_i - w_i x T, 0)``: national tiers beyond the collective one.

        An ally standing aside takes no part in the collective tier ``T``; None if no ally
        has national measures.
        """
        if not self.has_national_measures:
            return None
        excess = np.zeros(self.model.replications)
        for member in self.members:
            if member.national is not None:
                collective = np.where(member.outside, 0.0, member.willingness * tier)
                excess = excess + member.gdp_weight * np.maximum(member.national - collective, 0.0)
        return excess

    @property
    def willingness(self) -> np.ndarray:
        """(members, R) the members' willingness, read from them."""
        return np.stack([member.willingness for member in self.members])

    @property
    def standing_willingness(self) -> np.ndarray:
        """(members, R) the members' standing willingness, read from them."""
        return np.stack([member.standing_willingness for member in self.members])

    def update_willingness(self) -> None:
        """Recompute members' willingness, cohesion, consensus level and participation.

        All of it is read from the members' states: a gas cut-off gives each ally back the
        share cut of the reluctance its gas dependence caused and of the wedge's reach;
        an ally standing aside or joining the common line is settled as
        :meth:`_stance_willingness` says and counted as :meth:`_decide_without` says; and
        the consensus passes no higher than any ally inside agrees to (a veto or a
        delay: NATO decides by consensus, so one ally's block binds). Worlds that have
        ended (other than by an invasion, whose war runs on) keep the values they ended
        with.
        """
        model = self.model
        p = model.p.alliance
        russia = model.russia
        using_force = russia.max_rung >= Rung.LIMITED_INCURSION
        shift = (
            p.aggression_mobilisation * at_rung(self.mobilisation, russia.max_rung)
            + p.rejection_mobilisation * using_force
            + self.shock
        )
        wedge_push = model.p.russia.wedge_strength * self.wedge
        debate_push = p.concession_debate * model.deal.dispute
        own = _by_world(
            [member.own_willingness(shift, wedge_push, debate_push) for member in self.members]
        )
        if self.gas_cut is not None:
            traits = self.traits
            exposure = traits.gas_share * (1.0 - traits.border)
            own += self.gas_cut * (p.gas_effect * traits.gas_share + wedge_push * exposure)
        mean = (self.traits.gdp_weight * own).sum(axis=0)
        outside = aligned = None
        if self.members_acting:
            outside = _by_world([member.outside for member in self.members])
            aligned = _by_world([member.aligned for member in self.members])
        if outside is not None and (outside.any() or aligned.any()):
            willingness = self._stance_willingness(own, mean, outside, aligned)
        else:
            own *= 1.0 - p.solidarity
            own += p.solidarity * mean
            willingness = np.clip(own, 0.0, 1.0, out=own)
        if outside is not None and outside.any():
            cohesion, consensus, participation = self._decide_without(willingness, outside)
        else:
            cohesion = alliance_cohesion(willingness)
            consensus = consensus_level(
                willingness, cohesion, p.consensus_quantile_low, p.consensus_quantile_high
            )
            participation = (self.traits.gdp_weight * willingness).sum(axis=0)
        if self.members_acting:
            week = model.week
            cap = np.min(np.stack([member.active_cap(week) for member in self.members]), axis=0)
            consensus = np.minimum(consensus, cap)
        active = model.live
        for member, settled in zip(self.members, willingness, strict=True):
            member.settle(settled, active)
        if active.all():
            self.cohesion, self.consensus, self.participation = cohesion, consensus, participation
        else:
            self.cohesion = np.where(active, cohesion, self.cohesion)
            self.consensus = np.where(active, consensus, self.consensus)
            self.participation = np.where(active, participation, self.participation)

    def _stance_willingness(
        self, own: np.ndarray, mean: np.ndarray, outside: np.ndarray, aligned: np.ndarray
    ) -> np.ndarray:
        """Members' willingness when some stand aside or have joined the common line.

        An ally standing aside keeps its own view (solidarity does not pull it); an ally
        that joined the common line takes the GDP-weighted mean; the rest are pulled as
        always. The result keeps the members' layout (see :func:`_by_world`).
        """
        solidarity = self.model.p.alliance.solidarity
        pulled = (1.0 - solidarity) * own + solidarity * mean
        willingness = np.empty_like(own)
        np.copyto(willingness, np.where(outside, own, np.where(aligned, mean, pulled)))
        return np.clip(willingness, 0.0, 1.0, out=willingness)

    def _decide_without(
        self, willingness: np.ndarray, outside: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cohesion, consensus and participation of the allies not standing aside.

        An ally standing aside has no voice in cohesion or the consensus and takes no
        part in collective sanctions.
        """
        p = self.model.p.alliance
        inside = ~outside
        cohesion = masked_cohesion(willingness, inside)
        quantile = (
            p.consensus_quantile_low
            + (p.consensus_quantile_high - p.consensus_quantile_low) * cohesion
        )
        consensus = masked_quantile(willingness, inside, quantile)
        taking_part = np.empty_like(willingness)
        np.copyto(taking_part, np.where(outside, 0.0, willingness))
        participation = (self.traits.gdp_weight * taking_part).sum(axis=0)
        return cohesion, consensus, participation

    def advance_wedge(self) -> None:
        """Build or collapse Russia's wedge (:func:`advanced_wedge`).

        The wedge builds in the weeks Russia coerces without force (rung 2 or below) and
        collapses in the weeks it uses force (RU-S1; H4); it can build again if Russia
        steps back down.
        """
        model = self.model
        p = model.p.russia
        coercing = model.russia.rung <= Rung.MILITARY_TECHNICAL
        wedge = advanced_wedge(self.wedge, coercing, p.wedge_build_rate, p.wedge_collapse_rate)
        self.wedge = np.where(model.live, wedge, self.wedge)

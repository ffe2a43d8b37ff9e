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

from crisis_sim.model.compiled import at_world, helper, kernel, per_world
from crisis_sim.model.domain import Issue, Rung
from crisis_sim.model.members import MemberArrays, MemberRecord
from crisis_sim.model.west import at_rung, rung_table

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel

NATO_SPENDING_GUIDELINE = 2.0
"""Structural: NATO's guideline of 2% of GDP on defence (Wales summit, 2014)."""

MOBILISATION_AT_INCURSION = 1.0
"""Structural: ``alliance.aggression_mobilisation`` is the rise at the incursion rung."""


@helper
def pairwise_sum(values: np.ndarray) -> float:
    """The sum of a contiguous run of numbers, added in numpy's pairwise order.

    numpy sums a contiguous run of ``n`` numbers in eight interleaved partial sums
    (``values[j], values[j + 8], ...``), added pairwise, then the rest one by one, and
    splits runs longer than 128 in two at a multiple of 8: the same order here gives
    the same last bits.
    """
    n = values.shape[0]
    if n < 8:
        total = 0.0
        for index in range(n):
            total += values[index]
        return total
    if n <= 128:
        p0, p1, p2, p3 = values[0], values[1], values[2], values[3]
        p4, p5, p6, p7 = values[4], values[5], values[6], values[7]
        stop = n - n % 8
        for start in range(8, stop, 8):
            p0 += values[start]
            p1 += values[start + 1]
            p2 += values[start + 2]
            p3 += values[start + 3]
            p4 += values[start + 4]
            p5 += values[start + 5]
            p6 += values[start + 6]
            p7 += values[start + 7]
        total = ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7))
        for index in range(stop, n):
            total += values[index]
        return total
    half = n // 2
    half -= half % 8
    return pairwise_sum(values[:half]) + pairwise_sum(values[half:])


@helper
def clipped(value: float, low: float, high: float) -> float:
    """``value`` clipped to [low, high] as :func:`numpy.clip` does (NaN stays NaN)."""
    if value != value:
        return value
    value = value if value > low else low
    return value if value < high else high


@helper
def spread_cohesion(willingness: np.ndarray, squares: np.ndarray, count: int) -> float:
    """Cohesion ``1 - 2 x std`` from the sums of willingness and of its squares over ``count``.

    ``willingness`` and ``squares`` hold one value per member (0 for a member left out);
    the standard deviation of numbers in [0, 1] is at most 0.5, so cohesion is 1 when
    all agree and 0 when they split into two equal camps at 0 and 1.
    """
    mean = pairwise_sum(willingness) / count
    variance = pairwise_sum(squares) / count - mean * mean
    if variance < 0.0:
        variance = 0.0
    return clipped(1.0 - 2.0 * np.sqrt(variance), 0.0, 1.0)


@helper
def linear_quantile(ordered: np.ndarray, count: int, quantile: float) -> float:
    """The ``quantile`` of the first ``count`` of ``ordered`` (sorted), linearly interpolated.

    0 where ``count`` is 0 (no member has a voice).
    """
    if count == 0:
        return 0.0
    last = count - 1
    position = clipped(quantile, 0.0, 1.0) * last
    low = int(np.floor(position))
    high = min(low + 1, last)
    frac = position - low
    return ordered[low] * (1.0 - frac) + ordered[high] * frac


@kernel("void(float64[:, ::1], float64[::1], float64[::1])")
def _column_quantiles(ordered: np.ndarray, quantile: np.ndarray, level: np.ndarray) -> None:
    """``level[r]``: the ``quantile[r]`` quantile (:func:`linear_quantile`) of sorted row ``r``."""
    for world in range(ordered.shape[0]):
        level[world] = linear_quantile(ordered[world], ordered.shape[1], quantile[world])


@kernel("void(float64[:, ::1], float64[::1])")
def _cohesions(willingness: np.ndarray, cohesion: np.ndarray) -> None:
    """``cohesion[r]``: :func:`spread_cohesion` of row ``r`` of ``willingness``."""
    squares = np.empty(willingness.shape[1])
    for world in range(willingness.shape[0]):
        row = willingness[world]
        for member in range(row.shape[0]):
            squares[member] = row[member] * row[member]
        cohesion[world] = spread_cohesion(row, squares, row.shape[0])


def _rows(values: np.ndarray) -> np.ndarray:
    """A (members, R) array as (R, members), each world's members contiguous."""
    return np.ascontiguousarray(np.asarray(values, dtype=float).T)


def column_quantile(values: np.ndarray, quantile: np.ndarray) -> np.ndarray:
    """The ``quantile[r]`` quantile of ``values[:, r]`` for each world r (linear interpolation)."""
    level = np.empty(values.shape[1])
    ordered = np.sort(_rows(values), axis=1)
    _column_quantiles(ordered, np.ascontiguousarray(quantile, dtype=float), level)
    return level


def alliance_cohesion(willingness: np.ndarray) -> np.ndarray:
    """Cohesion 0-1 from the spread of members' willingness: ``1 - 2 x std``.

    The standard deviation of numbers in [0, 1] is at most 0.5, so cohesion is 1 when
    all allies agree and 0 when they split into two equal camps at 0 and 1.
    """
    cohesion = np.empty(willingness.shape[1])
    _cohesions(_rows(willingness), cohesion)
    return cohesion


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


@helper
def sorts_after(value: float, other: float) -> bool:
    """Whether ``value`` comes after ``other`` in ascending order, NaN last (as numpy sorts)."""
    return (value > other) | ((value != value) & (other == other))


@helper(inline=False)
def sort_with(values: np.ndarray, order: np.ndarray) -> None:
    """Sort ``values`` ascending in place (NaN last), moving ``order``'s entries with them.

    An insertion sort: as fast as the row is nearly sorted already, which a row sorted
    last week and changed by a week's moves is. The values it gives are numpy's sort's.
    """
    for place in range(1, values.shape[0]):
        value, member = values[place], order[place]
        before = place - 1
        while before >= 0 and sorts_after(values[before], value):
            values[before + 1], order[before + 1] = values[before], order[before]
            before -= 1
        values[before + 1], order[before + 1] = value, member


@kernel(
    "void(float64[:, ::1], boolean, float64[:, ::1], float64[::1], float64[::1], float64[::1],"
    " float64[::1], float64[::1], float64[::1], float64[::1], boolean, float64[::1],"
    " float64[::1], float64[::1], boolean, boolean[:, ::1], boolean[:, ::1], boolean[::1],"
    " float64[:, ::1], float64[:, ::1], int16[:, ::1])"
)
def _settle_members(
    standing: np.ndarray,
    has_own_shift: bool,
    own_shift: np.ndarray,
    exposure: np.ndarray,
    camp: np.ndarray,
    gas_share: np.ndarray,
    gdp_weight: np.ndarray,
    shift: np.ndarray,
    wedge_push: np.ndarray,
    debate_push: np.ndarray,
    has_gas_cut: bool,
    gas_cut: np.ndarray,
    gas_effect: np.ndarray,
    solidarity: np.ndarray,
    has_stances: bool,
    outside: np.ndarray,
    aligned: np.ndarray,
    live: np.ndarray,
    willingness: np.ndarray,
    voices: np.ndarray,
    order: np.ndarray,
) -> None:
    """The members' willingness this week in each live world (:meth:`Nato.update_willingness`).

    Per world, for each member (tables are (R, members), per-world values one number
    or (R,)): its own view, ``standing + shift - wedge_push x exposure + debate_push x
    camp`` (+ its own shift), and with a gas cut-off ``+ cut x (gas_effect x gas_share +
    wedge_push x exposure)``; the GDP-weighted mean of the views; each member pulled
    toward it, ``(1 - solidarity) x own + solidarity x mean``, except one standing aside
    (its own view) or one that joined the common line (the mean); clipped to [0, 1].
    ``voices`` gets the willingness of the members inside and ``inf`` for those standing
    aside, each world's row sorted (for the consensus, :func:`_decide`): ``order`` holds
    the member at each place of last week's sorted row, which this week's row starts
    from and is sorted from (:func:`sort_with`; a week moves few members past each
    other, so the sort has little to do). Worlds not ``live`` keep their willingness.
    """
    members = standing.shape[1]
    own = np.empty(members)
    weighted = np.empty(members)
    voice = np.empty(members)
    for world in range(standing.shape[0]):
        if not live[world]:
            continue
        push = wedge_push[world]
        debate = debate_push[world]
        for member in range(members):
            view = standing[world, member] + shift[world]
            view -= push * exposure[member]
            view += debate * camp[member]
            if has_own_shift:
                view += own_shift[world, member]
            if has_gas_cut:
                view += gas_cut[world] * (
                    at_world(gas_effect, world) * gas_share[member] + push * exposure[member]
                )
            own[member] = view
            weighted[member] = gdp_weight[member] * view
        mean = pairwise_sum(weighted)
        pull = at_world(solidarity, world)
        for member in range(members):
            stands_aside = has_stances and outside[world, member]
            if stands_aside:
                value = own[member]
            elif has_stances and aligned[world, member]:
                value = mean
            else:
                value = own[member] * (1.0 - pull) + pull * mean
            value = clipped(value, 0.0, 1.0)
            willingness[world, member] = value
            voice[member] = np.inf if stands_aside else value
        row, members_at = voices[world], order[world]
        for place in range(members):
            row[place] = voice[members_at[place]]
        sort_with(row, members_at)


@kernel(
    "void(float64[:, ::1], float64[:, ::1], float64[::1], float64[::1], float64[::1], boolean,"
    " boolean[:, ::1], boolean, float64[::1], boolean[::1], float64[::1], float64[::1],"
    " float64[::1])"
)
def _decide(
    willingness: np.ndarray,
    voices: np.ndarray,
    gdp_weight: np.ndarray,
    quantile_low: np.ndarray,
    quantile_high: np.ndarray,
    has_stances: bool,
    outside: np.ndarray,
    has_cap: bool,
    cap: np.ndarray,
    live: np.ndarray,
    cohesion: np.ndarray,
    consensus: np.ndarray,
    participation: np.ndarray,
) -> None:
    """Cohesion, consensus and participation of the members inside, in each live world.

    Over the members not standing aside: cohesion (:func:`spread_cohesion`), the
    consensus at the quantile ``low + (high - low) x cohesion`` of their willingness
    (:func:`linear_quantile` of ``voices``, each world's row sorted), no higher than
    ``cap``; participation, the GDP-weighted willingness of the members inside. Worlds
    not ``live`` keep their values (the outputs hold last week's on entry).
    """
    members = willingness.shape[1]
    inside_values = np.empty(members)
    squares = np.empty(members)
    weighted = np.empty(members)
    for world in range(willingness.shape[0]):
        if not live[world]:
            continue
        count = 0
        for member in range(members):
            if has_stances and outside[world, member]:
                inside_values[member] = 0.0
                squares[member] = 0.0
                weighted[member] = gdp_weight[member] * 0.0
            else:
                value = willingness[world, member]
                inside_values[member] = value
                squares[member] = value * value
                weighted[member] = gdp_weight[member] * value
                count += 1
        spread = spread_cohesion(inside_values, squares, max(count, 1))
        low = at_world(quantile_low, world)
        level = low + (at_world(quantile_high, world) - low) * spread
        agreed = linear_quantile(voices[world], count, level)
        if has_cap:
            limit = cap[world]
            agreed = agreed if agreed <= limit or agreed != agreed else limit
        cohesion[world] = spread
        consensus[world] = agreed
        participation[world] = pairwise_sum(weighted)


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


class NatoMember(mesa.Agent):
    """One of NATO's 30 allies of January 2022, with its traits and its willingness.

    Its standing willingness to punish Russia comes from its traits and this world's
    draw of its threat perception; each week it forms its own view (its standing
    willingness plus the shift all allies share, less Russia's wedge as far as it
    reaches it, plus the debate in the direction of its camp, plus its own shift: the
    kernel :func:`_settle_members` computes it from these states), and holds the
    willingness the Alliance settles on.

    Attributes:
        record: Its row of the shipped table (``data/nato_members_2022.csv``).
        gdp_weight: Its share of the Alliance's GDP.
        standing_willingness: (R,) its willingness before this week's events.
        wedge_exposure: How far Russia's wedge reaches it: gas dependence, no border.
        debate_camp: +1 for a frontline ally (pushed up by a debate), -1 for the others.
        willingness: (R,) its willingness to punish Russia, 0-1 (its column of
            :attr:`Nato.member_willingness`).
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
        self.row = row
        """Its column in the Alliance's tables (:attr:`Nato.member_willingness`)."""
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
    def willingness(self) -> np.ndarray:
        """(R,) its willingness to punish Russia, 0-1, as the Alliance last settled it."""
        return self.model.nato.member_willingness[:, self.row]

    @property
    def iso3(self) -> str:
        """The ally's ISO 3166-1 alpha-3 code."""
        return self.record.iso3

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
        self._standing = np.ascontiguousarray(
            np.stack([member.standing_willingness for member in self.members], axis=1)
        )
        """(R, members) the members' standing willingness, each world's members contiguous."""
        self._exposure = np.concatenate([member.wedge_exposure for member in self.members])
        self._camp = np.concatenate([member.debate_camp for member in self.members])
        self._gas_share = np.ascontiguousarray(traits.gas_share[:, 0])
        self._gdp_weight = np.ascontiguousarray(traits.gdp_weight[:, 0])
        self.member_willingness = np.zeros((size, len(self.members)))
        """(R, members) each member's willingness, 0-1: each world's members contiguous.

        The same array from week to week: :meth:`update_willingness` settles it in place.
        """
        self._voices = np.full((size, len(self.members)), np.inf)
        """(R, members) the kernels' table of voices, each world's row sorted, kept weekly."""
        self._order = np.tile(np.arange(len(self.members), dtype=np.int16), (size, 1))
        """(R, members) the member at each place of :attr:`_voices` (:func:`_settle_members`)."""
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
        """(members, R) the members' willingness (a view of :attr:`member_willingness`)."""
        return self.member_willingness.T

    @property
    def standing_willingness(self) -> np.ndarray:
        """(members, R) the members' standing willingness, read from them."""
        return np.stack([member.standing_willingness for member in self.members])

    def update_willingness(self) -> None:
        """Recompute members' willingness, cohesion, consensus level and participation.

        All of it is read from the members' states: a gas cut-off gives each ally back the
        share cut of the reluctance its gas dependence caused and of the wedge's reach;
        an ally standing aside keeps its own view (solidarity does not pull it) and has
        no voice in cohesion or the consensus and no part in collective sanctions; an
        ally that joined the common line takes the GDP-weighted mean; and the consensus
        passes no higher than any ally inside agrees to (a veto or a delay: NATO decides
        by consensus, so one ally's block binds). Worlds that have ended (other than by
        an invasion, whose war runs on) keep the values they ended with. The rule is the
        compiled kernels :func:`_settle_members` and :func:`_decide`.
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
        size, members = self._standing.shape
        none = np.zeros((1, members))
        shifts = [member for member in self.members if member.own_shift is not None]
        own_shift = np.zeros((size, members)) if shifts else none
        for member in shifts:
            own_shift[:, member.row] = member.own_shift
        no_stance = np.zeros((1, members), dtype=bool)
        outside = aligned = no_stance
        cap = np.full(1, np.inf)
        if self.members_acting:
            outside = np.ascontiguousarray(np.stack([m.outside for m in self.members], axis=1))
            aligned = np.ascontiguousarray(np.stack([m.aligned for m in self.members], axis=1))
            week = model.week
            cap = np.min(np.stack([member.active_cap(week) for member in self.members]), axis=0)
        willingness, voices = self.member_willingness, self._voices
        cohesion, consensus = self.cohesion.copy(), self.consensus.copy()
        participation = self.participation.copy()
        live = np.ascontiguousarray(model.live)
        _settle_members(
            self._standing,
            bool(shifts),
            own_shift,
            self._exposure,
            self._camp,
            self._gas_share,
            self._gdp_weight,
            per_world(shift, size),
            per_world(wedge_push, size),
            per_world(debate_push, size),
            self.gas_cut is not None,
            none[0] if self.gas_cut is None else per_world(self.gas_cut, size),
            per_world(p.gas_effect),
            per_world(p.solidarity),
            self.members_acting,
            outside,
            aligned,
            live,
            willingness,
            voices,
            self._order,
        )
        _decide(
            willingness,
            voices,
            self._gdp_weight,
            per_world(p.consensus_quantile_low),
            per_world(p.consensus_quantile_high),
            self.members_acting,
            outside,
            self.members_acting,
            per_world(cap),
            live,
            cohesion,
            consensus,
            participation,
        )
        self.cohesion, self.consensus, self.participation = cohesion, consensus, participation

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

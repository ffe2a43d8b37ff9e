"""The brief's positions, offers, threats and claims, by id, with the words they rest on.

Source: PISM Spotlight "U.S.-NATO Talks with Russia Yield No Breakthrough"
(A. M. Dyner and A. Kacprzyk, mid-January 2022). The ids follow
``shared/design/SEED-POSITIONS.md``. Every parameter of the model names one of
these ids as its source, or says it is a literature value or modelling judgement,
so a reader can trace any number back to the text.

The claims ``H1`` to ``H6`` are hypotheses the model lets users test; none of them
is built in as a result.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ItemKind(StrEnum):
    """What kind of statement a brief item is."""

    DEMAND = "demand"
    PROPOSAL = "proposal"
    THREAT = "threat"
    ACTION = "action"
    STRATEGY = "strategy"
    SIGNAL = "signal"
    REJECTION = "rejection"
    OFFER = "offer"
    PRINCIPLE = "principle"
    STATE = "state"
    FACT = "fact"
    CLAIM = "claim"


@dataclass(frozen=True, slots=True)
class BriefItem:
    """One position, offer, threat or claim of the brief.

    Attributes:
        id: The SEED-POSITIONS id, e.g. ``"US-O2"``.
        actor: ``"russia"``, ``"united_states"``, ``"nato"``, ``"ukraine"`` or
            ``"brief"`` for the authors' own claims.
        kind: What kind of statement it is.
        summary: One line in our words.
        quote: The brief's own words (or the ids it refers to).
    """

    id: str
    actor: str
    kind: ItemKind
    summary: str
    quote: str


_ITEMS = (
    BriefItem(
        "RU-D1",
        "russia",
        ItemKind.DEMAND,
        "No further NATO enlargement; above all, Ukraine and Georgia never join",
        "Russia's most important goal is to obtain a declaration that Ukraine and Georgia "
        "will not join the Alliance",
    ),
    BriefItem(
        "RU-D2",
        "russia",
        ItemKind.DEMAND,
        "Reduce U.S./NATO presence and activity near Russia; withdraw from the Eastern Flank",
        "a reduction in the U.S. and NATO military presence and activity in Russia's "
        "neighbourhood ... withdrawal of allied troops from NATO's Eastern Flank",
    ),
    BriefItem(
        "RU-D3",
        "russia",
        ItemKind.DEMAND,
        "End U.S./NATO cooperation with Ukraine",
        "including termination of their cooperation with Ukraine",
    ),
    BriefItem(
        "RU-P1",
        "russia",
        ItemKind.PROPOSAL,
        "Moratorium on ground-launched intermediate-range missiles",
        "Russia has proposed a moratorium on their deployment and repeatedly denied ... "
        "that it possesses such missiles",
    ),
    BriefItem(
        "RU-T1",
        "russia",
        ItemKind.THREAT,
        "Unspecified response, including 'military-technical', if demands are not met",
        "Russia threatened an unspecified response, including of a 'military-technical' nature",
    ),
    BriefItem(
        "RU-A1",
        "russia",
        ItemKind.ACTION,
        "Forces massed on Ukraine's border since autumn",
        "Russia again increased the number of forces concentrated along the border of Ukraine",
    ),
    BriefItem(
        "RU-A2",
        "russia",
        ItemKind.ACTION,
        "Declares talks cannot continue since its main demands were rejected",
        "it did not deem it possible to continue the talks because its main demands were rejected",
    ),
    BriefItem(
        "RU-A3",
        "russia",
        ItemKind.ACTION,
        "More military pressure on Ukraine; build-up in Crimea and Kaliningrad",
        "it may increase the military pressure on Ukraine ... increasing the offensive "
        "potential in occupied Crimea and in Kaliningrad Oblast",
    ),
    BriefItem(
        "RU-S1",
        "russia",
        ItemKind.STRATEGY,
        "Use the talks to split the Alliance",
        "would spark disputes and discussions among the allies, weakening NATO's political "
        "cohesion",
    ),
    BriefItem(
        "RU-S2",
        "russia",
        ItemKind.SIGNAL,
        "Senior delegations show the weight Russia gives the talks",
        "led by deputy ministers of foreign affairs and defence",
    ),
    BriefItem(
        "US-R1",
        "united_states",
        ItemKind.REJECTION,
        "Rejects non-enlargement and reduced presence",
        "rejected the main Russian demands as going against fundamental principles of "
        "European security",
    ),
    BriefItem(
        "US-D1",
        "united_states",
        ItemKind.DEMAND,
        "Russia withdraws its troops from Ukraine's border",
        "repeated their calls for Russia to withdraw its troops from the Ukrainian border",
    ),
    BriefItem(
        "US-O1",
        "united_states",
        ItemKind.OFFER,
        "Talks on mutual limits on ground-launched intermediate-range missiles",
        "talks on mutual limitations on the deployment of ground-launched intermediate-range "
        "missiles",
    ),
    BriefItem(
        "US-O2",
        "united_states",
        ItemKind.OFFER,
        "Talks on limiting the scale and scope of exercises and making them more transparent",
        "limiting the scale and scope of military exercises in Europe and increasing their "
        "transparency",
    ),
    BriefItem(
        "US-T1",
        "united_states",
        ItemKind.THREAT,
        "New sanctions if Russia attacks Ukraine again",
        "in case Russia attacked Ukraine again they would impose new sanctions",
    ),
    BriefItem(
        "US-T2",
        "united_states",
        ItemKind.THREAT,
        "Strengthen capabilities to defend the Eastern Flank",
        "may further strengthen their capabilities to defend NATO's Eastern Flank",
    ),
    BriefItem(
        "US-P1",
        "united_states",
        ItemKind.PRINCIPLE,
        "Nothing on Ukraine or NATO without them",
        "will not discuss issues pertaining to Ukraine and NATO without their participation",
    ),
    BriefItem(
        "US-S1",
        "united_states",
        ItemKind.STRATEGY,
        "Deterrence plus dialogue: an off-ramp for Russia",
        "not only deterrence but also dialogue are important instruments ... a diplomatic way "
        "out of the crisis",
    ),
    BriefItem(
        "NATO-R1",
        "nato",
        ItemKind.REJECTION,
        "Rejects the main demands (open door, Eastern Flank)",
        "The U.S. and NATO rejected Russia's demands",
    ),
    BriefItem(
        "NATO-O1",
        "nato",
        ItemKind.OFFER,
        "Like the U.S. offer but without limits on exercises",
        "NATO made a similar offer (except for limitations on exercises)",
    ),
    BriefItem(
        "NATO-O2",
        "nato",
        ItemKind.OFFER,
        "Better channels of communication; prevention of military incidents",
        "also includes improving channels of communication / prevention of military incidents",
    ),
    BriefItem(
        "NATO-T1",
        "nato",
        ItemKind.THREAT,
        "Reinforce the Eastern Flank and impose sanctions, with the U.S.",
        "as US-T1, US-T2",
    ),
    BriefItem(
        "NATO-C1",
        "nato",
        ItemKind.STATE,
        "Allied unity held so far",
        "The U.S. and NATO have maintained allied unity",
    ),
    BriefItem(
        "NATO-F1",
        "nato",
        ItemKind.FACT,
        "The NRC had not met since July 2019",
        "the last one took place in July 2019",
    ),
    BriefItem(
        "UA-1",
        "ukraine",
        ItemKind.STATE,
        "Target of a possible new attack",
        "heightening fears of another attack on that country",
    ),
    BriefItem(
        "UA-2",
        "ukraine",
        ItemKind.STATE,
        "Cooperates with the West; its membership is what Russia most wants excluded",
        "RU-D1, RU-D3",
    ),
    BriefItem(
        "UA-3",
        "ukraine",
        ItemKind.PRINCIPLE,
        "Not bargained over without its participation",
        "US-P1",
    ),
    BriefItem(
        "H1",
        "brief",
        ItemKind.CLAIM,
        "Concessions on exercises or missiles weaken deterrence and invite extortion",
        "would instead weaken NATO deterrence and defence abilities and encourage Russia to "
        "try to extort further concessions",
    ),
    BriefItem(
        "H2",
        "brief",
        ItemKind.CLAIM,
        "Giving in on the main demands grants Russia a veto",
        "essentially grant Russia a veto on some decisions of the Alliance",
    ),
    BriefItem(
        "H3",
        "brief",
        ItemKind.CLAIM,
        "After declaring dialogue pointless, Russia may raise military pressure",
        "RU-A3",
    ),
    BriefItem(
        "H4",
        "brief",
        ItemKind.CLAIM,
        "Talks followed by a Russian rejection help mobilise the Allies",
        "may help in mobilising the Allies in case of further use of force against Ukraine",
    ),
    BriefItem(
        "H5",
        "brief",
        ItemKind.CLAIM,
        "Dialogue makes it harder for Russian propaganda to blame the West",
        "make it more difficult for Russian propaganda accusing the West of escalation",
    ),
    BriefItem(
        "H6",
        "brief",
        ItemKind.CLAIM,
        "Russia hoped its proposals would divide the Allies",
        "RU-S1",
    ),
)

BRIEF: dict[str, BriefItem] = {item.id: item for item in _ITEMS}
"""Every item of the brief by id."""

T0 = "2022-01-13"
"""The model's start: the day after the NATO-Russia Council and the day of the OSCE meeting."""


def cite(item_id: str) -> BriefItem:
    """Return the brief item with id ``item_id``.

    Raises:
        KeyError: With the list of known ids, if ``item_id`` is not one of them.
    """
    try:
        return BRIEF[item_id]
    except KeyError:
        known = ", ".join(sorted(BRIEF))
        raise KeyError(f"no brief item {item_id!r}; known ids: {known}") from None

"""What every kind of lever means, for people: the registry ``crisis-sim levers`` prints.

Each :class:`~crisis_sim.model.levers.LeverKind` has one :class:`LeverDoc` in
:data:`LEVER_DOCS`: what the lever means, what its ``level`` means, a valid TOML
``[[levers]]`` example and the nature of its effect (a forced move, a change in what
an actor values, a policy, an event). Who may pull a kind and its valid range stay in
:mod:`crisis_sim.model.levers` (``ACTORS_BY_KIND``, ``LEVEL_BOUNDS``); this module only
says what they mean. ``tests/test_lever_catalogue.py`` checks that every kind has an
entry and that every example loads as a lever on top of the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

from crisis_sim.model.levers import LeverKind


@dataclass(frozen=True, slots=True)
class LeverDoc:
    """One lever kind in words.

    Attributes:
        meaning: What pulling the lever means, in a sentence or two.
        level_meaning: What its ``level`` measures, with its range.
        example: A valid TOML ``[[levers]]`` table using it.
        effect: The nature of its effect: "forced move", "change in what Russia
            values", "policy", "event", ...
    """

    meaning: str
    level_meaning: str
    example: str
    effect: str


LEVER_DOCS: dict[LeverKind, LeverDoc] = {
    LeverKind.OFFER: LeverDoc(
        meaning=(
            "Put terms on the table on an issue; they are granted only if Russia accepts the "
            "deal (or agrees to the reciprocal items in part). The West's own offer choice "
            "never goes below it."
        ),
        level_meaning="0-1: how far toward Russia's demand on the issue (1 = all of it).",
        example=(
            '[[levers]]\nactor = "united_states"\nkind = "offer"\nissue = "inf_missiles"\n'
            'level = 1.0\nweek = 2\nlabel = "U.S. offers a missile moratorium"\n'
        ),
        effect="policy",
    ),
    LeverKind.CONCEDE: LeverDoc(
        meaning=(
            "Grant terms on an issue now, unilaterally and for good; Russia reads the grant "
            "as appeasement (H1) or as an off-ramp, by its type."
        ),
        level_meaning="0-1: how far toward Russia's demand (the U.S. alone grants its share).",
        example=(
            '[[levers]]\nactor = "west"\nkind = "concede"\nissue = "exercises"\nlevel = 0.5\n'
            'week = 3\nlabel = "West limits exercises unilaterally"\n'
        ),
        effect="policy",
    ),
    LeverKind.SANCTIONS: LeverDoc(
        meaning=(
            "Impose sanctions up to a tier now, whatever Russia's rung; Russia reads them as "
            "resolve carried out."
        ),
        level_meaning="0-3: the sanctions tier (US-T1's ladder).",
        example=(
            '[[levers]]\nactor = "west"\nkind = "sanctions"\nlevel = 1.0\nweek = 4\n'
            'label = "Pre-emptive sanctions"\n'
        ),
        effect="policy",
    ),
    LeverKind.POSTURE: LeverDoc(
        meaning="Reinforce the Eastern Flank up to a level now; Russia reads it as resolve.",
        level_meaning="0-2: the Eastern Flank posture level (US-T2's ladder).",
        example=(
            '[[levers]]\nactor = "nato"\nkind = "posture"\nlevel = 1.0\nweek = 1\n'
            'label = "Eastern Flank reinforced"\n'
        ),
        effect="policy",
    ),
    LeverKind.SUPPORT: LeverDoc(
        meaning=(
            "Raise military support to Ukraine up to a level now; Ukraine's resistance "
            "answers it over the following weeks."
        ),
        level_meaning="0-2: the level of Western support to Ukraine.",
        example=(
            '[[levers]]\nactor = "west"\nkind = "support"\nlevel = 1.0\nweek = 2\n'
            'label = "Arms for Ukraine"\n'
        ),
        effect="policy",
    ),
    LeverKind.COMMITMENT: LeverDoc(
        meaning=(
            "Announce threats publicly: Russia's belief that the West carries out its "
            "threats gains pseudo-observations of resolve."
        ),
        level_meaning="0-1: times the prior's strength in pseudo-observations of resolve.",
        example=(
            '[[levers]]\nactor = "west"\nkind = "commitment"\nlevel = 0.5\nweek = 1\n'
            'label = "Public commitment to massive sanctions"\n'
        ),
        effect="change in what Russia believes of Western resolve",
    ),
    LeverKind.COHESION_SHOCK: LeverDoc(
        meaning="Shift every ally's willingness to punish Russia from now on (a global shock).",
        level_meaning="-1 to 1: the shift in every ally's willingness (0-1 scale).",
        example=(
            '[[levers]]\nactor = "event"\nkind = "cohesion_shock"\nlevel = -0.1\nweek = 3\n'
            'label = "Allied debate goes public"\n'
        ),
        effect="event",
    ),
    LeverKind.INCIDENT: LeverDoc(
        meaning=(
            "A military incident: the allies' willingness rises by alliance.incident_tension; "
            "Russia's rung does not move."
        ),
        level_meaning="0-1: unused beyond validation (the incident's size is a parameter).",
        example=(
            '[[levers]]\nactor = "event"\nkind = "incident"\nlevel = 1.0\nweek = 5\n'
            'label = "Near-miss over the Black Sea"\n'
        ),
        effect="event",
    ),
    LeverKind.MILITARY_TECHNICAL: LeverDoc(
        meaning=(
            "Russia takes 'military-technical' measures (RU-T1: build-up in Belarus, Crimea, "
            "Kaliningrad): it stands at rung 2 at the start of the week, whatever it would "
            "have chosen; its choices afterwards are its own."
        ),
        level_meaning="1 only: the move is all or nothing.",
        example=(
            '[[levers]]\nactor = "russia"\nkind = "military_technical"\nlevel = 1.0\nweek = 2\n'
            'label = "Military-technical measures announced"\n'
        ),
        effect="forced move",
    ),
    LeverKind.RECOGNITION: LeverDoc(
        meaning=(
            "Russia recognises the separatist republics. In the model recognition and a "
            "limited incursion are one rung (3): Russia stands there at the start of the "
            "week, and the West's incursion responses follow."
        ),
        level_meaning="1 only: the move is all or nothing.",
        example=(
            '[[levers]]\nactor = "russia"\nkind = "recognition"\nlevel = 1.0\nweek = 6\n'
            'label = "Russia recognises the DNR and LNR"\n'
        ),
        effect="forced move",
    ),
    LeverKind.ULTIMATUM: LeverDoc(
        meaning=(
            "Russia issues an ultimatum: at the deadline (deadline weeks after it), unless the "
            "deal on the table is then worth at least level to Russia, it climbs one rung "
            "(at most to the incursion rung); nothing changes before the deadline."
        ),
        level_meaning=(
            "0-1: what the table must be worth to Russia by the deadline, as a share of its "
            "demands (the deal's utility; 1 = all of them)."
        ),
        example=(
            '[[levers]]\nactor = "russia"\nkind = "ultimatum"\nlevel = 0.5\nweek = 1\n'
            'deadline = 3\nlabel = "Answer our draft treaties in three weeks"\n'
        ),
        effect="forced move at the deadline",
    ),
    LeverKind.GAS_CUTOFF: LeverDoc(
        meaning=(
            "Russia cuts gas to the allies. The gas dependence that held an ally back is spent "
            "by the share cut: each ally gets back that share of its gas reluctance "
            "(alliance.gas_effect x gas share) and of the wedge's reach over it."
        ),
        level_meaning="0-1: the share of Russian gas supplies cut (1 = all).",
        example=(
            '[[levers]]\nactor = "russia"\nkind = "gas_cutoff"\nlevel = 0.5\nweek = 4\n'
            'label = "Gas deliveries to Europe halved"\n'
        ),
        effect="change in what the allies value (Russia's own choice is not forced)",
    ),
    LeverKind.ACCEPT_PARTIAL: LeverDoc(
        meaning=(
            "Russia agrees now to what the table held last week on the named issues (each "
            "item at least level); the items hold for good and the crisis continues on the "
            "rest. At week 0 nothing is on the table yet."
        ),
        level_meaning="0-1: the least an item must go toward Russia's demand to be taken.",
        example=(
            '[[levers]]\nactor = "russia"\nkind = "accept_partial"\nissues = ["inf_missiles"]\n'
            'level = 0.0\nweek = 2\nlabel = "Russia takes the missile offer"\n'
        ),
        effect="forced move",
    ),
    LeverKind.PROPOSE_PARTIAL: LeverDoc(
        meaning=(
            "Russia proposes to settle the named issues on their own: from now its "
            "agree-in-part option covers them as well as the reciprocal items, and it still "
            "chooses whether and when to take what is on the table."
        ),
        level_meaning="1 only: the proposal is all or nothing.",
        example=(
            '[[levers]]\nactor = "russia"\nkind = "propose_partial"\n'
            'issues = ["eastern_flank"]\nlevel = 1.0\nweek = 2\n'
            'label = "Russia offers a separate deal on the Eastern Flank"\n'
        ),
        effect="change in what Russia values",
    ),
    LeverKind.STAND_DOWN: LeverDoc(
        meaning=(
            "Russia stands its forces down unilaterally: it goes to the diplomacy rung, makes "
            "no further choice, and the world ends that week as a de-escalation with what "
            "Russia holds (granted or agreed), not the deal on the table."
        ),
        level_meaning="1 only: the move is all or nothing.",
        example=(
            '[[levers]]\nactor = "russia"\nkind = "stand_down"\nlevel = 1.0\nweek = 3\n'
            'label = "Russia pulls its forces back"\n'
        ),
        effect="forced move",
    ),
    LeverKind.WILLINGNESS: LeverDoc(
        meaning=(
            "One named ally's own willingness to punish Russia shifts from now on; solidarity "
            "and the Alliance's decisions then follow from all the members' states."
        ),
        level_meaning="-1 to 1: the shift in that ally's own willingness (0-1 scale).",
        example=(
            '[[levers]]\nactor = "ally"\nally = "DEU"\nkind = "willingness"\nlevel = -0.2\n'
            'week = 1\nlabel = "Berlin hesitates"\n'
        ),
        effect="change in what the ally values",
    ),
    LeverKind.VETO: LeverDoc(
        meaning=(
            "One named ally agrees to collective measures only up to a consensus level: NATO "
            "decides by consensus, so the Alliance's agreed sanctions tier (3 x consensus) "
            "and posture (2 x consensus) cannot pass it while the ally stays inside. The "
            "U.S. can still act alone up to its unilateral levels."
        ),
        level_meaning="0-1: the highest consensus level the ally agrees to (0 blocks all).",
        example=(
            '[[levers]]\nactor = "ally"\nally = "HUN"\nkind = "veto"\nlevel = 0.2\nweek = 0\n'
            'label = "Hungary blocks new sanctions"\n'
        ),
        effect="policy (a state of the ally)",
    ),
    LeverKind.DELAY: LeverDoc(
        meaning=(
            "One named ally holds collective measures where they stand (the consensus when "
            "the delay begins) for a number of weeks; then they may rise again."
        ),
        level_meaning="1-26: the weeks of the delay.",
        example=(
            '[[levers]]\nactor = "ally"\nally = "FRA"\nkind = "delay"\nlevel = 4.0\nweek = 1\n'
            'label = "Paris asks for time for diplomacy"\n'
        ),
        effect="policy (a state of the ally)",
    ),
    LeverKind.LEAVE_CONSENSUS: LeverDoc(
        meaning=(
            "One named ally stands aside: solidarity no longer pulls it, it has no voice in "
            "cohesion or the consensus (so it can no longer veto) and it takes no part in "
            "collective sanctions (its share leaves participation)."
        ),
        level_meaning="1 only: the move is all or nothing.",
        example=(
            '[[levers]]\nactor = "ally"\nally = "TUR"\nkind = "leave_consensus"\nlevel = 1.0\n'
            'week = 2\nlabel = "Turkey stays out of allied sanctions"\n'
        ),
        effect="policy (a state of the ally)",
    ),
    LeverKind.JOIN_CONSENSUS: LeverDoc(
        meaning=(
            "One named ally takes the Alliance's common line: its willingness is the "
            "GDP-weighted mean of the allies' own views (and it rejoins if it stood aside)."
        ),
        level_meaning="1 only: the move is all or nothing.",
        example=(
            '[[levers]]\nactor = "ally"\nally = "HUN"\nkind = "join_consensus"\nlevel = 1.0\n'
            'week = 3\nlabel = "Hungary falls in line"\n'
        ),
        effect="policy (a state of the ally)",
    ),
    LeverKind.NATIONAL_MEASURES: LeverDoc(
        meaning=(
            "One named ally imposes sanctions of a tier alone, whatever the consensus: Russia "
            "bears west.sanction_cost x the ally's GDP share x what that tier exceeds the "
            "ally's part in the collective tier, every week."
        ),
        level_meaning="0-3: the tier of the ally's own sanctions.",
        example=(
            '[[levers]]\nactor = "ally"\nally = "DEU"\nkind = "national_measures"\n'
            'level = 1.0\nweek = 6\nlabel = "Germany halts Nord Stream 2 certification"\n'
        ),
        effect="policy",
    ),
    LeverKind.HOST_FORCES: LeverDoc(
        meaning=(
            "A third country hosts Russian forces (Belarus): a second axis multiplies Russia's "
            "massed force by 1 + russia.hosting_force_gain x level, raising its chance of "
            "winning, the front's advance in a war and the leverage of its threats."
        ),
        level_meaning="0-1: how far the host opens a second axis (1 = fully, as in Feb 2022).",
        example=(
            '[[levers]]\nactor = "third_country"\ncountry = "Belarus"\nkind = "host_forces"\n'
            'level = 1.0\nweek = 1\nlabel = "Allied Resolve exercise in Belarus"\n'
        ),
        effect="event (changes what Russia's force can do)",
    ),
    LeverKind.ECONOMIC_BACKING: LeverDoc(
        meaning=(
            "A third country backs Russia economically (China): what sanctions cost Russia "
            "is cut by the share level, in every plan Russia weighs."
        ),
        level_meaning="0-1: the share of the sanctions' cost offset (backers add up, to 1).",
        example=(
            '[[levers]]\nactor = "third_country"\ncountry = "China"\n'
            'kind = "economic_backing"\nlevel = 0.2\nweek = 3\n'
            'label = "Beijing promises to buy what the West will not"\n'
        ),
        effect="change in what Russia values (its costs)",
    ),
    LeverKind.PARTIAL_AGREEMENT: LeverDoc(
        meaning=(
            "A Western actor and Russia agree on the named issues at a level now; the items "
            "hold for good, are no concession (neither reading of 5.5 moves) and the crisis "
            "continues on the rest. The U.S. alone agrees only its share; issues about "
            "Ukraine need bypass_ukraine_consent = true."
        ),
        level_meaning="0-1: the terms agreed on each named issue.",
        example=(
            '[[levers]]\nactor = "west"\nkind = "partial_agreement"\n'
            'issues = ["inf_missiles", "risk_reduction"]\nlevel = 0.8\nweek = 3\n'
            'label = "Missile and risk-reduction agreement"\n'
        ),
        effect="forced move (for both sides)",
    ),
}
"""Every lever kind in words, for ``crisis-sim levers`` and the model card."""

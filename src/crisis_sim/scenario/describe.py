"""A scenario in words: its story, what it changes against its parent, its levers and settings.

``crisis-sim describe FILE`` prints :func:`describe_scenario`; ``crisis-sim validate``
prints :func:`summary_line`; ``crisis-sim levers`` (and section 9 of the model card)
shows :func:`lever_reference`, every lever kind from the code; the lever-firing
table of a result names each lever by :func:`lever_paths` and :func:`lever_timing`.
Everything here reads a validated :class:`~crisis_sim.scenario.schema.Scenario` (and,
for the changes, its parent's), so what is described is what runs.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crisis_sim.model.domain import Rung
from crisis_sim.model.lever_catalogue import LEVER_DOCS
from crisis_sim.model.levers import ACTORS_BY_KIND, LEVEL_BOUNDS, Lever, LeverKind
from crisis_sim.model.params import iter_params
from crisis_sim.scenario.schema import Scenario

WIDTH = 88
"""Width the description is wrapped to."""


def lever_paths(scenario: Scenario) -> list[str]:
    """The key path of each lever the model takes, in order: ``levers[i]``, then ``events[j]``."""
    return [
        *(f"levers[{index}]" for index in range(len(scenario.levers))),
        *(f"events[{index}]" for index in range(len(scenario.events))),
    ]


def _rung_name(rung: Rung) -> str:
    return f"rung {int(rung)} ({rung.name.lower().replace('_', ' ')})"


def _conditions(lever: Lever) -> list[str]:
    """Each condition a lever waits for, in words; any ``when_*`` field that is set."""
    found = []
    for name in type(lever).model_fields:
        value = getattr(lever, name)
        if not name.startswith("when_") or value is None or value is False:
            continue
        if name == "when_rung_at_least":
            found.append(f"once Russia stands at {_rung_name(Rung(value))} or higher")
        elif name == "when_talking":
            found.append("while Russia is talking (it held or stepped down last week)")
        else:
            shown = value.name.lower() if hasattr(value, "name") else value
            found.append(f"{name.removeprefix('when_').replace('_', ' ')}: {shown}")
    return found


def is_conditional(lever: Lever) -> bool:
    """Whether the lever waits for a condition beyond its week (any ``when_*`` field set)."""
    return bool(_conditions(lever))


def lever_timing(lever: Lever) -> str:
    """When a lever fires, in words: ``"from week 2, once Russia stands at rung 2 ..."``.

    A lever fires once in each world still in crisis, in the first week at or after
    its week in which its conditions hold.
    """
    start = "at t0 (week 0)" if lever.week == 0 else f"from week {lever.week}"
    conditions = _conditions(lever)
    if not conditions:
        return start if lever.week == 0 else f"in week {lever.week}"
    return f"{start}, {' and '.join(conditions)}"


def describe_lever(lever: Lever) -> str:
    """One line: who does what, how far, and when."""
    actor = lever.actor.value.replace("_", " ")
    what = f"{actor}: {lever.kind.value.replace('_', ' ')}"
    if lever.issue is not None:
        what += f" on {lever.issue.key.replace('_', ' ')}"
    what += f" to level {lever.level:g}"
    if lever.bypass_ukraine_consent:
        what += ", without Ukraine's consent"
    label = f' "{lever.label}"' if lever.label else ""
    return f"{what}{label}, {lever_timing(lever)}"


def _leaves(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            yield from _leaves(value, path)
        else:
            yield path, value


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    return str(value)


def parameter_changes(scenario: Scenario, parent: Scenario | None) -> list[str]:
    """Each parameter the scenario sets away from its parent (or the defaults), in words."""
    mine = dict(_leaves(scenario.params.model_dump(mode="json")))
    base = parent.params if parent is not None else type(scenario.params)()
    theirs = dict(_leaves(base.model_dump(mode="json")))
    units = {info.path: info.unit for info in iter_params()}
    lines = []
    for path, value in mine.items():
        if theirs.get(path) != value:
            unit = f" ({units[path]})" if units.get(path) else ""
            lines.append(f"{path} = {_shown(value)}, not {_shown(theirs.get(path))}{unit}")
    return lines


def _distribution(entry: Any) -> str:
    data = entry.model_dump(mode="json")
    tag = data.pop("distribution")
    param = data.pop("param")
    shape = ", ".join(f"{key} {_shown(value)}" for key, value in data.items() if value is not None)
    return f"{param}: {tag} ({shape})"


def _changes(scenario: Scenario, parent: Scenario) -> list[str]:
    """What the scenario changes against its parent, one line each."""
    lines = [f"params.{line}" for line in parameter_changes(scenario, parent)]
    for field in ("run",):
        mine, theirs = getattr(scenario, field), getattr(parent, field)
        for key in type(mine).model_fields:
            if getattr(mine, key) != getattr(theirs, key):
                lines.append(
                    f"{field}.{key} = {_shown(getattr(mine, key))}, "
                    f"not {_shown(getattr(theirs, key))}"
                )
    for field, show in (
        ("uncertain", _distribution),
        ("levers", describe_lever),
        ("events", lambda event: describe_lever(event.as_lever())),
    ):
        mine, theirs = getattr(scenario, field), getattr(parent, field)
        if mine == theirs:
            continue
        added = [item for item in mine if item not in theirs]
        dropped = [item for item in theirs if item not in mine]
        lines += [f"{field}: adds {show(item)}" for item in added]
        lines += [f"{field}: drops {show(item)}" for item in dropped]
    return lines or ["nothing but its title and story"]


def summary_line(scenario: Scenario) -> str:
    """A short description: how many levers, events, uncertain parameters and changes."""
    changed = len(parameter_changes(scenario, None))

    def count(number: int, word: str) -> str:
        return f"{number} {word}{'' if number == 1 else 's'}"

    sample = scenario.posterior_sample()
    held = scenario.held_posterior()
    drawn = (
        ""
        if sample is None
        else f"{count(len(sample.paths) - len(held), 'parameter')} from the posterior "
        f"{scenario.posterior}{f' (and {len(held)} of its held fixed)' if held else ''}, "
    )
    return (
        f"{count(len(scenario.levers), 'lever')}, {count(len(scenario.events), 'event')}, "
        f"{count(len(scenario.uncertain), 'uncertain parameter')}, {drawn}"
        f"{count(changed, 'parameter')} off the defaults; {scenario.run.runs:,} worlds over "
        f"{scenario.run.horizon} weeks from {scenario.run.start_date.isoformat()}"
    )


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(
        " ".join(text.split()), width=WIDTH, initial_indent=indent, subsequent_indent=indent + "  "
    )


def describe_scenario(
    scenario: Scenario, *, parent: Scenario | None = None, parent_name: str = ""
) -> str:
    """The scenario in words: story, changes against ``parent``, levers, uncertainty, run.

    Args:
        scenario: The scenario, validated (``extends`` already merged).
        parent: The scenario it extends, validated, if it extends one.
        parent_name: How its ``extends`` names the parent.
    """
    out = [scenario.title, "", _wrap(scenario.question, indent="")]
    if scenario.description:
        out += ["", _wrap(scenario.description, indent="")]
    if scenario.brief_ids:
        out += ["", f"Brief items: {', '.join(scenario.brief_ids)}"]
    if parent is not None:
        named = parent_name or parent.name
        out += ["", _wrap(f"Against its parent, {named} ({parent.title}), it changes:", "")]
        out += [_wrap(line) for line in _changes(scenario, parent)]
    else:
        changes = parameter_changes(scenario, None)
        heading = (
            "Parameters off the model's defaults:" if changes else "All parameters at defaults."
        )
        out += ["", heading]
        out += [_wrap(line) for line in changes]
    out += ["", f"Levers ({len(scenario.levers)}):" if scenario.levers else "No levers."]
    out += [
        _wrap(f"levers[{i}] {describe_lever(lever)}") for i, lever in enumerate(scenario.levers)
    ]
    if scenario.events:
        out += ["", f"Scheduled events ({len(scenario.events)}):"]
        out += [
            _wrap(f"events[{i}] {describe_lever(event.as_lever())}")
            for i, event in enumerate(scenario.events)
        ]
    sample = scenario.posterior_sample()
    if sample is not None:
        out += [
            "",
            f"Drawn from the calibrated posterior {scenario.posterior} ({len(sample.paths)} "
            f"parameters, {len(sample.weights):,} particles), one particle per parameter set:",
        ]
        held = scenario.held_posterior()
        out += [
            _wrap(
                f"{path}: held at {held[path]:.3g} (its posterior column replaced, the other "
                "parameters drawn as calibrated)"
                if path in held
                else f"{path}: 5-95% {q[0]:.3g} to {q[1]:.3g}"
            )
            for path, q in sample.quantiles((0.05, 0.95)).items()
        ]
    if scenario.uncertain:
        out += [
            "",
            f"Uncertain parameters, drawn per parameter set of {scenario.run.worlds_per_set} "
            f"worlds ({len(scenario.uncertain)}):",
        ]
        out += [_wrap(_distribution(entry)) for entry in scenario.uncertain]
    elif sample is None:
        out += ["", "No uncertain parameters: worlds differ only by their own randomness."]
    run = scenario.run
    out += [
        "",
        f"Run: {run.runs:,} worlds in parameter sets of {run.worlds_per_set}, seed {run.seed}, "
        f"{run.sampling.replace('_', ' ')} sampling, "
        f"{run.horizon} weeks from {run.start_date.isoformat()}",
    ]
    return "\n".join(out)


@dataclass(frozen=True)
class LeverReference:
    """One lever kind as ``crisis-sim levers`` and the model card show it.

    Attributes:
        kind: The kind's name in a file (``kind = "offer"``).
        actors: Who may pull it (``actor = ...``), sorted.
        low, high: The valid range of its ``level``.
        meaning: What pulling it means.
        level_meaning: What its level measures.
        effect: The nature of its effect (forced move, change in what an actor values,
            policy, event).
        example: A valid ``[[levers]]`` table using it.
    """

    kind: str
    actors: tuple[str, ...]
    low: float
    high: float
    meaning: str
    level_meaning: str
    effect: str
    example: str

    @property
    def level_range(self) -> str:
        """``"0 to 1"``, or ``"1 only"`` for an all-or-nothing lever."""
        return f"{self.low:g} only" if self.low == self.high else f"{self.low:g} to {self.high:g}"


def lever_reference() -> list[LeverReference]:
    """Every lever kind with its actors, range and words, from the code.

    Actors and ranges come from :data:`~crisis_sim.model.levers.ACTORS_BY_KIND` and
    :data:`~crisis_sim.model.levers.LEVEL_BOUNDS`, the words from
    :data:`~crisis_sim.model.lever_catalogue.LEVER_DOCS` (a kind without an entry there
    shows its docstring).
    """
    found = []
    for kind in LeverKind:
        low, high = LEVEL_BOUNDS[kind]
        doc = LEVER_DOCS.get(kind)
        found.append(
            LeverReference(
                kind=kind.value,
                actors=tuple(sorted(actor.value for actor in ACTORS_BY_KIND[kind])),
                low=low,
                high=high,
                meaning=doc.meaning if doc else " ".join((kind.__doc__ or "").split()),
                level_meaning=doc.level_meaning if doc else "",
                effect=doc.effect if doc else "",
                example=doc.example if doc else "",
            )
        )
    return found


def format_lever_reference(entries: Sequence[LeverReference]) -> str:
    """The lever kinds as text for the terminal, one block per kind with its example."""
    blocks = []
    for entry in entries:
        lines = [
            f"{entry.kind}  ({entry.effect or 'lever'}; level {entry.level_range}; "
            f"actor: {', '.join(entry.actors)})",
            _wrap(entry.meaning, indent="    "),
        ]
        if entry.level_meaning:
            lines.append(_wrap(f"level: {entry.level_meaning}", indent="    "))
        if entry.example:
            lines.append("    example:")
            lines += [f"      {line}" for line in entry.example.strip().splitlines()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)

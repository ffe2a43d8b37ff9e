"""The data dictionary of a result folder: every table's columns with unit and meaning.

Written into each result folder as ``DATA_DICTIONARY.md`` (by
:meth:`~crisis_sim.ensemble.results.Results.write_into`) and into the docs as
``docs/DATA_DICTIONARY.md`` (``tests/test_data_dictionary.py`` keeps it up to date).
The end-state and weekly variables come from
:data:`~crisis_sim.ensemble.results.VARIABLES` (passed in, so this module stays below
``results``); the parameters' units from :func:`~crisis_sim.model.params.iter_params`;
what the rest means is said here, once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from crisis_sim.model.domain import OUTCOMES, Outcome
from crisis_sim.model.params import iter_params


class VariableLike(Protocol):
    """What the dictionary reads of a variable (:class:`~crisis_sim.ensemble.results.Variable`)."""

    @property
    def title(self) -> str:
        """What it is, in a few words."""
        ...

    @property
    def unit(self) -> str:
        """Its unit or scale."""
        ...

    @property
    def bins(self) -> tuple[float, float, int] | None:
        """(low edge, high edge, bins) of its week-by-week histogram, if kept weekly."""
        ...

    @property
    def none(self) -> float | None:
        """The value that means "did not happen", if any."""
        ...


WORLD_COLUMNS: dict[str, tuple[str, str]] = {
    "replication": ("index", "the world's number k: its randomness depends only on (seed, k)"),
    "outcome": ("category", "the world's outcome class (see the table of outcomes below)"),
    "week": ("weeks after t0", "the outcome's week (see the table of outcomes below)"),
    "date": ("ISO date", "the date of that week: the start date plus 7 x week days"),
    "revisionist": (
        "true/false",
        "Russia's latent type in this world: revisionist, else security-seeking",
    ),
    "invasion_reason": (
        "category",
        "why Russia invaded: best_reply, near_best (within a small margin of it) or "
        "low_probability (a draw of its choice noise); empty if it did not invade",
    ),
    "crossing_week": (
        "weeks after t0",
        "the first week Russia stood at the incursion rung (3) or higher; -1 if never",
    ),
    "parameter_set": (
        "index",
        "the world's parameter set, k // run.worlds_per_set: the worlds of a set share "
        "their judgement parameters (uncertain and posterior draws), and the spread of a "
        "probability across sets is its judgement band",
    ),
}
"""Per-world columns that are not variables of the model's state, with unit and meaning."""

INVASION_ONLY = frozenset(
    {
        "invasion_margin",
        "invasion_victory",
        "war_front",
        "war_collapse_week",
        "ceasefire_week",
        "war_clash_week",
    }
)
"""Columns that hold values only in the worlds Russia invaded."""

OUTCOME_WEEK: dict[Outcome, str] = {
    Outcome.DE_ESCALATION: "the week Russia settled on the deal on the table",
    Outcome.STANDOFF: "the horizon (no settlement, no incursion by then): always the last week",
    Outcome.LIMITED_INCURSION: "the first week Russia stood at the incursion rung (3); it was "
    "still there at the horizon",
    Outcome.FULL_INVASION: "the week Russia invaded (its war runs on to the horizon)",
    Outcome.NATO_RUSSIA_CLASH: "the week of the direct NATO-Russia clash, which ended the world",
}
"""What the ``week`` of a world (and an outcome's median week) means for each outcome."""

SUMMARY_KEYS: dict[str, str] = {
    "format_version": "version of the result folder's layout (see Format version above): "
    "a reader checks it before reading anything else",
    "scenario_name": "the scenario's name (its file's stem)",
    "title": "the scenario's title",
    "question": "the question the scenario asks",
    "scenario_hash": "SHA-256 of the scenario's canonical JSON: equal hashes, equal scenarios",
    "scenario": "the scenario in full, as it ran (extends merged)",
    "outcomes": "the outcome table: per outcome, worlds, probability, low and high (its "
    "Monte Carlo 95% interval: chance, the parameter sets' clustering allowed for), "
    "judgement_low and judgement_high (the 5-95% band of the probability across parameter "
    "sets, binomial noise removed; null without one), judgement_observed_low and "
    "judgement_observed_high (the same of the sets' observed shares), judgement_sets, "
    "judgement_detected (false where the sets spread no more than chance could explain) "
    "and median week (the median of the week column over the worlds with that outcome)",
    "cumulative_incidence": "per week 0..horizon, the share of all worlds that reached each "
    "event outcome (deal, invasion, clash) by that week, with its Monte Carlo 95% interval "
    "(_low, _high) and its judgement 5-95% band (_judgement_low, _judgement_high)",
    "invasions": "the full invasions: their number, why Russia chose them and the war and "
    "the West at the horizon",
    "levers": "per lever: the worlds it fired in, their share, and its first, median and "
    "last week of firing; a flag sentence for a lever that fired in no world, or in "
    "fewer than all worlds though it has no condition",
    "judgement": "what the two intervals are, the worlds per parameter set, the number of "
    "sets, the judgement parameters drawn and the posterior drawn from (its reference, "
    "SHA-256, particles, and held: the posterior parameters held at a fixed value, each "
    "replacing that column of every set's row), if any (see crisis_sim.ensemble.intervals)",
    "seed": "the seed of the run",
    "runs": "the number of worlds",
    "horizon": "the last week simulated",
    "sampling": "how the uncertain parameters were drawn (monte_carlo or latin_hypercube)",
    "plan_hash": "SHA-256 of the run's plan (scenario, seed, worlds, chunks, sampling, version)",
    "executor": "where the worlds ran: local, processes or dask",
    "workers": "the number of worker processes",
    "twin": (
        "whether a second process forked from this one ran the second half of each chunk "
        "(a run in one process on two cores or more; the same numbers either way)"
    ),
    "scheduler": "the Dask scheduler's address, if one was given",
    "chunk_size": "worlds per chunk (changes speed and memory, never results)",
    "chunks": "the number of chunks",
    "chunks_resumed": "chunks read back from an interrupted run rather than run again",
    "seconds_wall": "seconds from start to finish",
    "seconds_in_chunks": "seconds spent running chunks, summed over workers",
    "seconds_setup": "of those, seconds building the chunks' models (parameters, random draws)",
    "seconds_simulation": "of those, seconds stepping the chunks' weeks",
    "seconds_reduction": "of those, seconds reducing the chunks to per-world rows and counts",
    "seconds_compiling": "seconds compiling the model's kernels before the first chunk (a "
    "machine's first run; 0 where they were read from the cache or a pool's server loaded "
    "them)",
    "worlds_per_second": "worlds over wall-clock seconds",
    "peak_mib_parent": "peak resident memory of the main process, MiB",
    "peak_mib_worker": "largest peak resident memory of a process that ran a chunk, MiB",
    "versions": "versions of Python, crisis_sim and its main dependencies",
}
"""Every key of ``summary.json`` with its meaning."""


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell).replace("|", "/") for cell in row) + " |" for row in rows]
    return lines


def _bin_text(low: float, high: float, bins: int) -> str:
    width = (high - low) / bins
    return (
        f"{bins} bins of width {width:g} from {low:g} to {high:g}: bin i counts values in "
        f"[{low:g} + i x {width:g}, {low:g} + (i + 1) x {width:g}), the last bin its upper "
        "edge too"
    )


def format_check(format_version: int) -> str:
    """The expression the dictionary gives a reader to check a folder's format version."""
    return f"json.load(open(folder + '/summary.json'))['format_version'] == {format_version}"


def format_section(format_version: int) -> list[str]:
    """What the result folder's format version means, when it changes, how to check it."""
    return [
        "## Format version",
        "",
        f"This dictionary describes format version **{format_version}** of a result folder. "
        "`summary.json` holds it as `format_version` (and a `results.nc` as its attribute "
        "`format_version`). It versions the layout, not the model: the names of the files, "
        "of their columns and keys, and each one's unit and meaning, as this dictionary "
        "gives them.",
        "",
        "- **When it changes.** It is raised when a change would make a reader of the "
        "earlier layout misread a folder: a file, column or key removed or renamed, or a "
        "unit, a coding (such as -1 for an event that did not come) or a meaning changed. "
        "Adding a file, a column or a key that a reader can ignore does not raise it, so "
        "a reader should ignore what it does not know. Each raise is listed under "
        "*Changed* in `CHANGELOG.md`, with what a reader must do.",
        "- **What it does not say.** New model numbers come with every release that "
        "changes the model, at the same format version: `summary.json` gives the "
        "crisis_sim version that wrote the folder (`versions`, key `crisis_sim`); the "
        "same scenario, seed, worlds, sampling and crisis_sim version give the same "
        "numbers.",
        "- **How a reader checks it.** Read `summary.json` first and stop unless "
        f"`format_version` is {format_version}; `summary.json` is written last, so a "
        "folder without it is incomplete. In Python without crisis_sim: "
        f"`{format_check(format_version)}`. "
        "`crisis_sim.Results.load(folder)` refuses any other version with a message "
        "naming both; `xarray.open_dataset('results.nc').attrs['format_version']` reads "
        "it from a NetCDF file.",
        "",
    ]


def netcdf_section() -> list[str]:
    """What ``results.nc`` (``crisis-sim run --netcdf``, ``Results.to_netcdf``) holds."""
    return [
        "## results.nc: the same result as one NetCDF-4 file",
        "",
        "Written by `crisis-sim run --netcdf` (or `Results.to_netcdf(path)`; "
        "`Results.to_xarray()` gives the same Dataset in memory), with "
        "`pip install 'crisis-sim[xarray]'`. Every variable has `units` and `long_name` "
        "from this dictionary (dates are NetCDF times, whose units the file's time "
        "encoding gives). Dimensions and variables:",
        "",
        "- `world` (the `replication` of worlds.parquet): one variable per column of "
        "worlds.parquet, named as there, except `week` and `date`, which are "
        "`outcome_week` and `outcome_date` (`week` names a dimension here); `outcome` and "
        '`invasion_reason` as text ("" where there is none);',
        "- `lever` (its key path, with `lever_label`, what it does), only if the scenario "
        "pulls a lever: `lever_week` (`world` x `lever`), as levers.parquet;",
        "- `week` (0..horizon, with `week_date`) and `state` (the states below): "
        "`state_count`, the worlds in each state each week;",
        "- `<variable>_bin` (the bin's centre) for each binned variable of weekly.parquet: "
        "`<variable>_count` (`week` x `<variable>_bin`).",
        "",
        "Its attributes: `scenario_name`, `title`, `question`, `scenario` (the scenario as "
        "it ran, as JSON), `scenario_hash`, `seed`, `runs`, `sampling`, `horizon`, "
        "`worlds_per_set`, `format_version` and `crisis_sim_version`.",
        "",
    ]


def data_dictionary(
    variables: Mapping[str, VariableLike], state_labels: Sequence[str], format_version: int
) -> str:
    """The data dictionary as Markdown.

    Args:
        variables: The model's variables by column name, with title, unit, histogram
            bins and "did not happen" value (:data:`~crisis_sim.ensemble.results.VARIABLES`).
        state_labels: The states of the weekly ``state`` counts, in bin order.
        format_version: The result folder's format version
            (:data:`~crisis_sim.ensemble.results.FORMAT_VERSION`).
    """
    out = [
        "# Data dictionary of a crisis_sim result folder",
        "",
        "Generated by `crisis_sim.ensemble.dictionary` from the code; every result folder "
        "holds a copy. t0 is week 0; a week is 7 days.",
        "",
        *format_section(format_version),
        "## worlds.parquet: one row per world",
        "",
    ]
    rows: list[list[object]] = [
        [f"`{name}`", unit, text] for name, (unit, text) in WORLD_COLUMNS.items()
    ]
    for name, variable in variables.items():
        if name in ("rung", "state"):
            continue
        note = variable.title
        if variable.none is not None:
            note += f"; {variable.none:g} if it did not happen"
        if name in INVASION_ONLY:
            note += "; only in worlds Russia invaded (NaN, or -1 for a week, elsewhere)"
        rows.append([f"`{name}`", variable.unit, note])
    rows.append(
        [
            "`<parameter path>`",
            "the parameter's unit",
            "one column per uncertain parameter of the scenario, named by its path "
            "(`russia.resolve`): the value this world drew",
        ]
    )
    out += _table(["column", "unit", "meaning"], rows)
    out += ["", "### The outcome and its week", ""]
    out += _table(
        ["outcome", "what it is", "its `week` (and the median week of the outcome table)"],
        [[f"`{o.key}`", o.text.rstrip("."), OUTCOME_WEEK[o]] for o in OUTCOMES],
    )
    out += [
        "",
        "## weekly.parquet: week by week, counts of worlds",
        "",
        "One row per (variable, week, bin): `variable` (below), `week` (0..horizon), `bin` "
        "(its index) and `count` (worlds in that bin that week; each week's counts sum to "
        "the number of worlds). A world that ended stays in its last state.",
        "",
    ]
    state_rows = [
        [
            "`state`",
            "state",
            "bin i is the i-th state: "
            + ", ".join(f"{index} `{label}`" for index, label in enumerate(state_labels))
            + " (`ongoing_<rung>`: still in crisis at that rung)",
        ]
    ]
    for name, variable in variables.items():
        if variable.bins is not None:
            state_rows.append(
                [f"`{name}`", variable.unit, f"{variable.title}: {_bin_text(*variable.bins)}"]
            )
    out += _table(["variable", "unit", "bins"], state_rows)
    out += [
        "",
        "## levers.parquet: when each lever fired",
        "",
        "One row per world: `replication`, then one column per lever of the scenario by its "
        "key path (`levers[0]`, ..., `events[0]`, ...): the week it fired in that world, -1 if "
        "it never did (a lever fires once, only in a world still in crisis).",
        "",
        "## trajectories.parquet: the worlds asked for, week by week",
        "",
        "One row per (week, replication) with the week-by-week variables: `rung`, "
        "`sanctions`, `posture`, `support`, `cohesion`, `resolve_belief`, `type_belief` and "
        "`state` (an outcome code, or 100 + rung while in crisis).",
        "",
        *netcdf_section(),
        "## summary.json",
        "",
    ]
    out += _table(["key", "meaning"], [[f"`{key}`", text] for key, text in SUMMARY_KEYS.items()])
    out += [
        "",
        "## Parameters",
        "",
        "Parameter columns take the unit of their parameter:",
        "",
    ]
    out += _table(["parameter", "unit"], [[f"`{info.path}`", info.unit] for info in iter_params()])
    return "\n".join(out) + "\n"

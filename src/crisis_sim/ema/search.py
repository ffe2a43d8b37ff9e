"""Robust policy search: which Western levers hold up across what we do not know.

``crisis-sim search SCENARIO --levers SPEC`` searches the levers a spec file lists
(what the West offers, concedes and threatens, and when) with EMA Workbench's
``optimize`` (platypus's epsilon-NSGA-II, Deb et al. 2002; Kollat and Reed 2006),
minimising the probability of war and maximising that of a settlement. Each policy
it tries is run by :class:`~crisis_sim.ema.evaluator.BatchedEvaluator` as one
vectorised model over the scenario's own first ``parameter_sets`` parameter sets
(:class:`~crisis_sim.ema.adapter.PolicyAdapter`): the calibrated posterior's rows and
the uncertain parameters, drawn as ``crisis-sim run`` draws them, so every policy
meets the same settings and the same worlds (common random numbers). The Pareto set
is then evaluated again with the scenario as it stands (every lever off) beside it,
for the robustness measures of :mod:`crisis_sim.analysis.robustness`, on the search's
sets and on ``held_out_sets`` sets it never saw (the next ones, of fresh judgement
values and fresh worlds): chosen on the first sets, the Pareto set looks better there
than it is (the winner's curse), and the held-out measures say by how much.

A spec is a TOML file (bundled ones: :func:`bundled_specs`)::

    title = "Concessions on exercises and missiles, or deterrence only"
    [search]
    parameter_sets = 100   # worlds per policy: this times the scenario's worlds_per_set
    held_out_sets = 200    # the Pareto set measured again on these next sets (0: not)
    nfe = 400              # policies evaluated
    [[levers]]
    name = "concede_exercises"
    actor = "united_states"
    kind = "concede"
    issue = "exercises"
    level = [0.0, 1.0]     # searched; a number fixes it
    week = [0, 12]         # searched; a number fixes it
    # switch = true        # whether it is pulled at all is searched too (the default)
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import tempfile
import time
import tomllib
import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crisis_sim.analysis.robustness import AS_IS, robustness_table
from crisis_sim.ema.adapter import (
    HELD_OUT,
    POLICY_OBJECTIVES,
    CrisisSimModel,
    LeverTemplate,
    PolicyAdapter,
    template_problems,
)
from crisis_sim.ema.evaluator import BatchedEvaluator
from crisis_sim.model.domain import OUTCOMES
from crisis_sim.model.levers import LeverActor
from crisis_sim.problems import MISSING, PlainText, Problem
from crisis_sim.scenario.errors import ScenarioError, problems_from
from crisis_sim.scenario.files import load_scenario
from crisis_sim.scenario.schema import Scenario

__all__ = [
    "SearchResult",
    "SearchSettings",
    "SearchSpec",
    "bundled_specs",
    "load_spec",
    "search",
]

WESTERN_ACTORS = (LeverActor.UNITED_STATES, LeverActor.NATO, LeverActor.WEST)
"""Who the search chooses levers for."""


class SearchSettings(BaseModel):
    """How the search runs (a spec's ``[search]`` table); every default is judgement.

    Attributes:
        parameter_sets: Parameter sets each policy is run on (20-1000; default 100,
            5,000 worlds a policy at the baseline's 50 worlds per set).
        held_out_sets: Parameter sets after those on which the Pareto set and the
            scenario as it is are measured again (0-1000; default 200, twice the
            search's, so the held-out figures are the more precise; 0: none).
        nfe: Policies evaluated (100-10,000; default 400, which finishes on the
            baseline in a few minutes on two cores).
        population: The algorithm's population (10-200; default 40).
        epsilons: The resolution of the Pareto set on each objective (0.005-0.05;
            default 0.01: policies closer than a point are one).
        objective: ``mean`` (the probabilities over all sets) or ``pessimistic``
            (the 90th percentile of P(war) across sets, the 10th of P(settlement)).
        seed: The algorithm's seed (the worlds' seed is the scenario's).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    parameter_sets: int = Field(default=100, ge=1, le=10_000)
    held_out_sets: int = Field(default=200, ge=0, le=10_000)
    nfe: int = Field(default=400, ge=1, le=1_000_000)
    population: int = Field(default=40, ge=4, le=10_000)
    epsilons: tuple[float, float] = (0.01, 0.01)
    objective: Literal["mean", "pessimistic"] = "mean"
    seed: int = Field(default=1, ge=0, le=2**32 - 1)

    @field_validator("epsilons")
    @classmethod
    def _positive(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not all(0 < eps <= 1 for eps in value):
            raise ValueError("two resolutions above 0 and at most 1, one per objective")
        return value


class SearchSpec(BaseModel):
    """A search spec: its story, its settings and its lever templates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: PlainText = ""
    description: PlainText = ""
    search: SearchSettings = SearchSettings()
    levers: list[LeverTemplate] = Field(min_length=1)


def bundled_dir() -> Path:
    """The folder of the bundled search specs."""
    return Path(str(resources.files("crisis_sim.ema").joinpath("library")))


def bundled_specs() -> dict[str, Path]:
    """The bundled search specs by name."""
    return {path.stem: path for path in sorted(bundled_dir().glob("*.toml"))}


def load_spec(
    name_or_path: str | Path, scenario: Scenario | None = None, *, western: bool = True
) -> SearchSpec:
    """Read and check a search spec (a file, or a bundled spec's name).

    Args:
        name_or_path: The spec file or a bundled spec's name.
        scenario: If given, every lever's latest week must lie within its horizon.
        western: Allow only Western actors (united_states, nato, west).

    Raises:
        ScenarioError: One line per problem, naming the file, the key and what was expected.
    """
    path = Path(name_or_path)
    bundled = bundled_specs()
    if not path.is_file():
        if path.parent == Path(".") and path.stem in bundled:
            path = bundled[path.stem]
        else:
            known = ", ".join(bundled) or "none"
            raise ScenarioError(
                str(name_or_path),
                [Problem("", MISSING, f"no such search spec file; bundled specs are: {known}")],
            )
    file = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ScenarioError(
            file, [Problem("", MISSING, f"a readable TOML file ({error})")]
        ) from None
    try:
        spec = SearchSpec.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(file, problems_from(error, data, root=SearchSpec)) from None
    problems = []
    names: set[str] = set()
    for index, template in enumerate(spec.levers):
        if western and template.actor not in WESTERN_ACTORS:
            problems.append(
                Problem(
                    f"levers[{index}].actor",
                    template.actor,
                    "a Western actor (united_states, nato, west): the search chooses the "
                    "West's levers",
                )
            )
        if template.name in names:
            problems.append(Problem(f"levers[{index}].name", template.name, "a name of its own"))
        names.add(template.name)
        if scenario is not None and template.highest_week > scenario.run.horizon:
            problems.append(
                Problem(
                    f"levers[{index}].week",
                    template.highest_week,
                    f"a week from 0 to the scenario's horizon ({scenario.run.horizon})",
                )
            )
    if not any(parameter for template in spec.levers for parameter in template.levers()):
        problems.append(Problem("levers", len(spec.levers), "at least one searched key"))
    if scenario is not None and not problems:
        problems += template_problems(scenario, spec.levers)
    if problems:
        raise ScenarioError(file, problems)
    return spec


@dataclass(frozen=True)
class SearchResult:
    """What a search found.

    Attributes:
        scenario: The scenario searched.
        spec: The spec searched.
        pareto: One row per policy of the Pareto set: ``policy`` (``policy_01``...),
            each EMA lever's value (none for the level and week of a lever switched
            off), then the robustness measures of
            :func:`~crisis_sim.analysis.robustness.robustness_table` and each outcome's
            probability, on the search's sets; then, with held-out sets, the same
            measures on those (suffix ``_held_out``: ``p_war_held_out``...). The last
            row, ``scenario_as_is``, is the scenario with every lever off, on the same
            worlds.
        per_set: Each policy's shares of war and settlement in each parameter set,
            with ``sample`` (``search`` or ``held_out``).
        convergence: EMA's runtime convergence (epsilon progress by evaluations).
        runs: Worlds per policy in the search (parameter sets ``0 .. parameter_sets - 1``).
        evaluations: Policies evaluated (the search's, then the Pareto set's again).
        seconds: Wall time.
        held_out_runs: Held-out worlds per policy (worlds ``runs ..
            runs + held_out_runs - 1``, parameter sets ``parameter_sets ..``).
        check_seconds: Wall time of measuring the Pareto set again (search's and
            held-out sets together).
    """

    scenario: Scenario
    spec: SearchSpec
    pareto: pd.DataFrame
    per_set: pd.DataFrame
    convergence: pd.DataFrame
    runs: int
    evaluations: int
    seconds: float
    held_out_runs: int = 0
    check_seconds: float = 0.0

    @property
    def lever_names(self) -> list[str]:
        """The EMA levers, in the spec's order."""
        return [p.name for t in self.spec.levers for p in t.levers()]

    def policy(self, name: str) -> dict[str, Any]:
        """A policy's lever values by EMA name, as EMA takes them.

        The level and week of a lever switched off, blank in the table, are the middle
        of their ranges (they change nothing).
        """
        row = self.pareto.set_index("policy").loc[name]
        found: dict[str, Any] = {}
        for template in self.spec.levers:
            for parameter in template.levers():
                value = row[parameter.name]
                if pd.isna(value):
                    middle = (parameter.lower_bound + parameter.upper_bound) / 2
                    value = middle if parameter.name.endswith("_level") else int(middle)
                elif not parameter.name.endswith("_level"):
                    value = int(value)
                found[parameter.name] = _plain(value)
        return found

    def policy_levers(self, name: str) -> list[dict[str, Any]]:
        """The ``[[levers]]`` entries a policy adds to the scenario."""
        policy = self.policy(name)
        return [entry for t in self.spec.levers if (entry := t.entry(policy)) is not None]


def search(
    scenario: Scenario,
    spec: SearchSpec,
    *,
    executor: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
) -> SearchResult:
    """Search the spec's levers for the Pareto set of P(war) against P(settlement).

    Args:
        scenario: The scenario the policies change.
        spec: The levers and settings (:func:`load_spec`).
        executor: ``local``, ``processes`` or ``dask`` (:class:`BatchedEvaluator`).
        workers: Worker processes.
        scheduler: A Dask scheduler's address.
        progress: Show a progress bar over the policies evaluated.

    Returns:
        The Pareto set with its robustness, on the search's sets and the held-out
        ones, the scenario as it is beside it.

    Raises:
        ScenarioError: If a policy of the spec's templates could make a scenario file
            ``crisis-sim run`` refuses (:func:`~crisis_sim.ema.adapter.template_problems`).
    """
    from ema_workbench.em_framework.points import Sample
    from tqdm.auto import tqdm

    started = time.perf_counter()
    settings = spec.search
    problems = template_problems(scenario, spec.levers)
    if problems:
        raise ScenarioError("search spec", problems)
    adapter = PolicyAdapter(
        scenario,
        tuple(spec.levers),
        sets=settings.parameter_sets,
        objective=settings.objective,
    )
    model = CrisisSimModel("crisis_sim_search", adapter)
    check_adapter = PolicyAdapter(
        scenario,
        tuple(spec.levers),
        sets=settings.parameter_sets,
        objective=settings.objective,
        held_out_sets=settings.held_out_sets,
    )
    check = CrisisSimModel("crisis_sim_check", check_adapter)
    evaluators: dict[str, Any] = {"executor": executor, "workers": workers, "scheduler": scheduler}
    with (
        tqdm(total=settings.nfe, unit="policy", desc="search", disable=not progress) as bar,
        tempfile.TemporaryDirectory(prefix="crisis_sim_search_") as scratch,
        warnings.catch_warnings(),
        contextlib.redirect_stderr(io.StringIO()),  # EMA's own progress bar; ours shows
    ):
        warnings.filterwarnings("ignore", module=r"ema_workbench(\.|$)")
        from platypus import EpsNSGAII

        state = random.getstate()
        try:
            with BatchedEvaluator(
                model, on_group=lambda count: bar.update(count), **evaluators
            ) as evaluator:
                found, convergence = evaluator.optimize(
                    algorithm=EpsNSGAII,
                    nfe=settings.nfe,
                    searchover="levers",
                    reference=Sample("reference"),
                    epsilons=list(settings.epsilons),
                    population_size=settings.population,
                    rng=settings.seed,
                    filename="archive.tar.gz",
                    directory=scratch,
                    convergence_freq=max(settings.nfe // 10, 1),
                    logging_freq=10**9,
                )
                evaluations = evaluator.groups_run
        finally:
            random.setstate(state)
        bar.set_description("Pareto set")
        levers = [p.name for p in model.levers]
        found = _ordered(found, levers, POLICY_OBJECTIVES[settings.objective])
        names = [f"policy_{i + 1:02d}" for i in range(len(found))]
        policies = [
            Sample(name, **{lever: _plain(row[lever]) for lever in levers})
            for name, (_, row) in zip(names, found.iterrows(), strict=True)
        ]
        policies.append(Sample(AS_IS))  # no lever values: the scenario as it is
        bar.total = bar.n + len(policies)
        bar.refresh()
        checked = time.perf_counter()
        with BatchedEvaluator(
            check, on_group=lambda count: bar.update(count), **evaluators
        ) as evaluator:
            experiments, outcomes = evaluator.perform_experiments(
                scenarios=[Sample("reference")], policies=policies, log_progress=True
            )
            evaluations += evaluator.groups_run
        check_seconds = time.perf_counter() - checked
    table = _pareto_table(found, names, levers, experiments, outcomes)
    for template in spec.levers:
        switch = f"{template.name}_on"
        if switch in table.columns:
            off = table[switch] == 0
            for key in (f"{template.name}_level", f"{template.name}_week"):
                if key in table.columns:
                    table.loc[off, key] = np.nan  # a lever switched off has no level or week
    per_set = _per_set(experiments, outcomes, "")
    pareto = table.merge(robustness_table(per_set), on="policy", how="left")
    if settings.held_out_sets:
        held_out = _per_set(experiments, outcomes, HELD_OUT, first=settings.parameter_sets)
        measures = robustness_table(held_out).set_index("policy").add_suffix(HELD_OUT)
        outcome_columns = [f"p_{item.key}{HELD_OUT}" for item in OUTCOMES]
        probabilities = pd.DataFrame(
            {column: outcomes[column] for column in outcome_columns},
            index=experiments["policy"].astype(str),
        )
        pareto = pareto.merge(measures, left_on="policy", right_index=True, how="left")
        pareto = pareto.merge(probabilities, left_on="policy", right_index=True, how="left")
        per_set = pd.concat([per_set, held_out], ignore_index=True)
    return SearchResult(
        scenario=scenario,
        spec=spec,
        pareto=pareto,
        per_set=per_set,
        convergence=convergence,
        runs=adapter.runs,
        evaluations=evaluations,
        seconds=time.perf_counter() - started,
        held_out_runs=check_adapter.held_out_runs,
        check_seconds=check_seconds,
    )


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python number it holds."""
    return value.item() if isinstance(value, np.generic) else value


def _ordered(found: pd.DataFrame, levers: list[str], objectives: tuple[str, str]) -> pd.DataFrame:
    """The Pareto set from least war to most, ties by settlement then levers (a fixed order)."""
    war, settlement = objectives
    keys = [war, settlement, *levers]
    ascending = [True, False, *([True] * len(levers))]
    return found.sort_values(keys, ascending=ascending, kind="stable").reset_index(drop=True)


def _pareto_table(
    found: pd.DataFrame,
    names: list[str],
    levers: list[str],
    experiments: pd.DataFrame,
    outcomes: dict[str, np.ndarray],
) -> pd.DataFrame:
    """The policies (levers as found; none for the scenario as is) with each outcome."""
    values = {name: row for name, (_, row) in zip(names, found.iterrows(), strict=False)}
    rows = []
    for i, policy in enumerate(experiments["policy"].astype(str)):
        row: dict[str, Any] = {"policy": policy}
        for lever in levers:
            row[lever] = _plain(values[policy][lever]) if policy in values else np.nan
        for item in OUTCOMES:
            row[f"p_{item.key}"] = float(outcomes[f"p_{item.key}"][i])
        rows.append(row)
    return pd.DataFrame(rows)


def _per_set(
    experiments: pd.DataFrame, outcomes: dict[str, np.ndarray], suffix: str, first: int = 0
) -> pd.DataFrame:
    """Each policy's shares in each set of one block (``suffix``; its sets from ``first``)."""
    frames = []
    for i, policy in enumerate(experiments["policy"].astype(str)):
        war = outcomes[f"war_by_set{suffix}"][i]
        settlement = outcomes[f"settlement_by_set{suffix}"][i]
        frames.append(
            pd.DataFrame(
                {
                    "policy": policy,
                    "sample": "held_out" if suffix else "search",
                    "parameter_set": first + np.arange(len(war)),
                    "p_war": war,
                    "p_settlement": settlement,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# -- writing what was found --------------------------------------------------------------


def policy_file_text(result: SearchResult, name: str, extends: str) -> str:
    """A policy as a scenario file: ``extends`` the searched scenario, adds its levers.

    Its ``[run]`` asks for the search's worlds, so ``crisis-sim run FILE`` gives the
    numbers of the search's table; its held-out numbers are those of the worlds after
    them, of ``crisis_sim.run(FILE, runs=runs + held_out_runs)``.
    """
    import tomli_w

    row = result.pareto.set_index("policy").loc[name]
    scenario = result.scenario
    title = f"{scenario.title} + searched policy {name}"
    question = (
        f"How does policy {name} of the robust search ({result.spec.title or 'levers'}) "
        f"change the outcomes of {scenario.name or 'the scenario'}?"
    )
    description = (
        f"Found by crisis-sim search: P(war) {100 * row['p_war']:.1f}% "
        f"(parameter sets 10-90%: {100 * row['p_war_p10']:.1f}-{100 * row['p_war_p90']:.1f}%), "
        f"P(settlement) {100 * row['p_settlement']:.1f}% over the search's {result.runs:,} "
        "worlds, on which it was chosen (crisis-sim run FILE gives them)."
    )
    if result.held_out_runs:
        total = result.runs + result.held_out_runs
        description += (
            f" On {result.held_out_runs:,} held-out worlds (worlds {result.runs:,}-"
            f"{total - 1:,}: parameter sets {result.spec.search.parameter_sets}-"
            f"{total // scenario.run.worlds_per_set - 1}, of crisis_sim.run(FILE, "
            f"runs={total})): P(war) {100 * row['p_war' + HELD_OUT]:.1f}%, "
            f"P(settlement) {100 * row['p_settlement' + HELD_OUT]:.1f}%."
        )
    data: dict[str, Any] = {
        "extends": extends,
        "title": title,
        "question": question,
        "description": description,
        "brief_ids": list(scenario.brief_ids),
        "run": {"runs": result.runs},
    }
    levers = result.policy_levers(name) if name != AS_IS else []
    if levers:
        data["levers"] = [*(_lever_data(lever) for lever in scenario.levers), *levers]
    header = "# Written by crisis-sim search; a scenario file like any other.\n"
    return header + tomli_w.dumps(data)


def _lever_data(lever: Any) -> dict[str, Any]:
    """A scenario's own lever as ``[[levers]]`` data (a policy's file repeats them)."""
    dumped = lever.model_dump(mode="json", exclude_defaults=True)
    if lever.issue is not None:
        dumped["issue"] = lever.issue.key
    if lever.when_rung_at_least is not None:
        dumped["when_rung_at_least"] = lever.when_rung_at_least.name.lower()
    if lever.issues:
        dumped["issues"] = [issue.key for issue in lever.issues]
    return dumped


def base_file_text(scenario: Scenario) -> str:
    """A scenario as one file of its own (no ``extends``): only what differs from defaults."""
    import tomli_w

    from crisis_sim.model.params import Params

    dumped = scenario.model_dump(mode="json", exclude={"name"})
    params = _differences(dumped.pop("params"), Params().model_dump(mode="json"))
    data = {key: value for key, value in dumped.items() if value not in (None, [], "")}
    if params:
        data["params"] = params
    data["levers"] = [_lever_data(lever) for lever in scenario.levers]
    data["events"] = [
        event.model_dump(mode="json", exclude_defaults=True) for event in scenario.events
    ]
    data = {key: value for key, value in data.items() if value not in ([], {})}
    return "# The searched scenario, written by crisis-sim search.\n" + tomli_w.dumps(data)


def _differences(values: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for key, value in values.items():
        if isinstance(value, dict):
            inner = _differences(value, defaults.get(key, {}))
            if inner:
                found[key] = inner
        elif defaults.get(key) != value:
            found[key] = value
    return found


def pareto_columns(result: SearchResult) -> list[str]:
    """The columns of the printed table: the policy, its levers, then the measures.

    With held-out sets: each probability on the search's sets, then on the held-out
    ones with their percentiles and regret there (the search's own are in
    ``pareto.csv``); without, the search's percentiles and regret.
    """
    held = HELD_OUT if result.held_out_runs else ""
    measures = []
    for measure in ("p_war", "p_settlement"):
        measures += [measure, *([measure + held] if held else [])]
        measures += [f"{measure}_{name}{held}" for name in ("p10", "p90", "regret_max")]
    return ["policy", *result.lever_names, *measures]


def format_pareto(result: SearchResult) -> str:
    """The Pareto set as text a terminal shows: one narrow table per objective, then levers.

    Each table gives a probability in percent on the search's worlds and, with held-out
    sets, on the held-out worlds, then its 10th and 90th percentiles across parameter
    sets and its worst regret (on the held-out sets where there are some, else on the
    search's). The levers of each policy follow in words (:func:`describe_policy`);
    every column is in ``pareto.csv``.
    """
    held = HELD_OUT if result.held_out_runs else ""
    table = result.pareto.set_index("policy")
    blocks = []
    for measure, title in (("p_war", "P(war)"), ("p_settlement", "P(settlement)")):
        columns = {"search": measure}
        if held:
            columns["held-out"] = measure + held
        columns.update(
            {
                "p10": f"{measure}_p10{held}",
                "p90": f"{measure}_p90{held}",
                "worst regret": f"{measure}_regret_max{held}",
            }
        )
        shown = pd.DataFrame({label: 100 * table[name] for label, name in columns.items()})
        heading = f"{title}, %"
        shown.index = [name.ljust(len(heading)) for name in shown.index]
        lines = shown.round(1).to_string().splitlines()
        blocks.append("\n".join([heading + lines[0][len(heading) :], *lines[1:]]))
    words = [f"  {name:<16} {describe_policy(result, name)}" for name in table.index]
    return "\n\n".join([*blocks, "Levers of each policy:\n" + "\n".join(words)])


def describe_policy(result: SearchResult, name: str) -> str:
    """The levers a row of the Pareto set adds to the scenario, in words (template names)."""
    if name == AS_IS:
        return "the scenario as it stands"
    policy = result.policy(name)
    words = [
        f"{template.name.replace('_', ' ')} at {entry['level']:.2f} in week {entry['week']}"
        for template in result.spec.levers
        if (entry := template.entry(policy)) is not None
    ]
    return "; ".join(words) or "none of the searched levers"


def write_outputs(
    result: SearchResult, folder: Path, *, scenario_reference: str | None
) -> list[Path]:
    """Write the Pareto set (``pareto.csv``), per-set shares and one scenario file per policy.

    Args:
        result: What the search found.
        folder: A staging folder the package owns.
        scenario_reference: A bundled scenario's name the policy files may extend; if
            None the scenario is written as ``base.toml`` there and they extend it.
    """
    policy_texts = {}
    written = []
    result.pareto.to_csv(folder / "pareto.csv", index=False)
    result.per_set.to_csv(folder / "per_set.csv", index=False)
    result.convergence.to_csv(folder / "convergence.csv", index=False)
    written += [folder / "pareto.csv", folder / "per_set.csv", folder / "convergence.csv"]
    policies = folder / "policies"
    policies.mkdir()
    extends = scenario_reference
    if extends is None:
        (policies / "base.toml").write_text(base_file_text(result.scenario), encoding="utf-8")
        written.append(policies / "base.toml")
        extends = "base.toml"
    for name in result.pareto["policy"]:
        path = policies / f"{name}.toml"
        policy_texts[path] = policy_file_text(result, name, extends)
        path.write_text(policy_texts[path], encoding="utf-8")
        written.append(path)
    for path in policy_texts:
        load_scenario(path)  # crisis-sim run must take every file (ScenarioError if not)
    (folder / "search.json").write_text(
        json.dumps(search_summary(result), indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )
    written.append(folder / "search.json")
    return written


def search_summary(result: SearchResult) -> dict[str, Any]:
    """What ``search.json`` holds: the settings, the worlds and each policy's figures.

    Each policy has P(war) and P(settlement) on the search's sets (``search``, on which
    it was chosen) and on the held-out sets (``held_out``, null without them).
    ``held_out_shift`` is, for each, the Pareto set's mean change from the search's
    worlds to the held-out ones, the change of the scenario as it is (which was not
    chosen, so it moves only because the held-out sets differ), and the difference:
    the winner's curse shows as a difference against the policies (war up,
    settlement down).
    """
    settings = result.spec.search
    per_set = result.scenario.run.worlds_per_set
    held = bool(result.held_out_runs)
    policies = {}
    for _, row in result.pareto.iterrows():
        figures: dict[str, Any] = {}
        for measure in ("p_war", "p_settlement"):
            figures[measure] = {
                "search": float(row[measure]),
                "held_out": float(row[measure + HELD_OUT]) if held else None,
            }
        policies[str(row["policy"])] = figures
    searched = [name for name in policies if name != AS_IS]
    shift: dict[str, Any] = {}
    for measure in ("p_war", "p_settlement"):
        if not held or not searched:
            shift[measure] = None
            continue
        moved = {
            name: policies[name][measure]["held_out"] - policies[name][measure]["search"]
            for name in policies
        }
        mean = float(np.mean([moved[name] for name in searched]))
        as_is = moved.get(AS_IS)
        shift[measure] = {
            "pareto_set": mean,
            AS_IS: as_is,
            "against_as_is": None if as_is is None else mean - as_is,
        }
    return {
        "scenario": result.scenario.name,
        "spec": result.spec.title,
        "settings": settings.model_dump(mode="json"),
        "seed": result.scenario.run.seed,
        "search_worlds": {
            "parameter_sets": [0, settings.parameter_sets - 1],
            "worlds": [0, result.runs - 1],
        },
        "held_out_worlds": (
            {
                "parameter_sets": [
                    settings.parameter_sets,
                    settings.parameter_sets + result.held_out_runs // per_set - 1,
                ],
                "worlds": [result.runs, result.runs + result.held_out_runs - 1],
            }
            if held
            else None
        ),
        "evaluations": result.evaluations,
        "seconds": result.seconds,
        "check_seconds": result.check_seconds,
        "policies": policies,
        "held_out_shift": shift,
    }

"""The ``crisis-sim`` command line.

Exit codes follow convention: 0 success, 1 failure (a bad scenario, an existing
output folder, an error while running), 2 a usage error.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime as dt
import json
import os
import shlex
import signal
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from crisis_sim.ensemble import limits, pool
from crisis_sim.ensemble.outputs import (
    InterruptedRun,
    OutputExistsError,
    OutputFolder,
    atomic_write,
    describe_failure,
)
from crisis_sim.model.domain import OUTCOMES, SAMPLINGS
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import load_scenario
from crisis_sim.scenario.schema import MAX_RUNS, Scenario, safe_name
from crisis_sim.version import __version__

if TYPE_CHECKING:
    from crisis_sim.ensemble.results import Results

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

_CALIBRATION_SETTINGS = (
    "population",
    "worlds",
    "generations",
    "max_simulations",
    "seed",
    "chains",
    "workers",
    "predictive",
    "batch",
)
"""The options of ``calibrate`` that set :class:`crisis_sim.calibration.abc.Settings`
fields; one left out takes the field's default (that of the shipped posterior)."""


def _whole_number(minimum: int, maximum: int, what: str) -> Callable[[str], int]:
    """An argparse type: a whole number from ``minimum`` to ``maximum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(
                f"expected {what} from {minimum:,} to {maximum:,}, got {value:,}"
            )
        return value

    return parse


_worlds = _whole_number(1, MAX_RUNS, "a number of worlds")
_seed = _whole_number(0, limits.MAX_SEED, "a seed")
_workers = _whole_number(1, limits.MAX_WORKERS, "a number of workers")
_count = _whole_number(1, 1_000_000, "a number")
_world = _whole_number(0, MAX_RUNS - 1, "a world")


def _share(text: str) -> float:
    """An argparse type: a number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a share above 0 and at most 1, got {text}")
    return value


def _print_results(results: Results) -> None:
    from crisis_sim.analysis import statistics as analysis
    from crisis_sim.analysis.reference import reference_table

    print()
    print(analysis.format_outcome_table(results.outcome_table()))
    print()
    print(analysis.format_by_date(analysis.by_date(results)))
    print()
    print(
        analysis.format_invasions(
            results.invasion_reasons(), results.invasion_end_state(), results.runs
        )
    )
    reference = reference_table(results.worlds, results.scenario.params)
    print("\nRussia's gains per issue (0 = Western status quo, 1 = Russia's demand):")
    print(reference.round(3).to_string())
    info = results.info
    speed = info.get("worlds_per_second")
    rate = f"{speed:,.0f} worlds/s, " if speed else ""
    compiling = info.get("seconds_compiling") or 0.0
    once = f"; {compiling:.1f} s of it compiling the kernels" if compiling > 0 else ""
    twin = " and a twin process for half of each chunk" if info.get("twin") else ""
    print(
        f"\n{results.runs:,} worlds in {info['seconds_wall']:.1f} s "
        f"({rate}{info['executor']}, {info['workers']} worker(s){twin}{once})"
    )


def _output_folder(args: argparse.Namespace, stem: str, kind: str) -> OutputFolder:
    """``--out``, or a new runs/STEM-TIMESTAMP; claimed for the package (see outputs)."""
    if args.out:
        return OutputFolder.claim(args.out, overwrite=args.overwrite, kind=kind)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path("runs") / f"{safe_name(stem)}-{stamp}"
    for attempt in range(1, 1000):
        folder = base if attempt == 1 else base.with_name(f"{base.name}-{attempt}")
        with contextlib.suppress(FileExistsError):
            return OutputFolder.claim(folder, overwrite=False, kind=kind, fresh=True)
    raise OutputExistsError(f"{base} and 998 folders like it exist; pass --out DIR")


def _load(args: argparse.Namespace, name: str) -> Scenario:
    """Load a scenario, following ``extends`` outside its folder only if asked."""
    return load_scenario(name, allow_outside=getattr(args, "allow_extends_outside", False))


def _uncertain_scenario(args: argparse.Namespace, name: str, purpose: str) -> Scenario:
    """Load a scenario that must have uncertain parameters to ``purpose``."""
    scenario = _load(args, name)
    if not scenario.judgement_paths():
        raise UsageError(f"{name} has no uncertain parameters to {purpose}")
    return scenario


def _executor(args: argparse.Namespace) -> limits.Executor:
    if args.scheduler or args.dask:
        return "dask"
    return "processes" if args.workers > 1 else "local"


def _cmd_run(args: argparse.Namespace) -> int:
    executor = _executor(args)
    if not args.no_figures:
        _formats(args)
    if args.netcdf:
        from crisis_sim.ensemble.dataset import MissingXarray, require_netcdf

        try:
            require_netcdf()
        except MissingXarray as error:
            print(f"crisis-sim: error: --netcdf: {error}", file=sys.stderr)
            return EXIT_FAILURE
    if args.resume:
        if args.scenario:
            raise UsageError("give either a scenario or --resume DIR, not both")
        if args.overwrite or args.out:
            raise UsageError("--resume DIR writes into DIR: leave out --out and --overwrite")
        print(f"Resuming the run in {args.resume}")
        from crisis_sim.ensemble import runner as ensemble

        with _figure_helper(args, in_process=executor == "local") as helper:
            results = ensemble.resume(
                args.resume,
                executor=executor,
                workers=args.workers,
                scheduler=args.scheduler,
                progress=not args.quiet,
                expect={
                    "seed": args.seed,
                    "runs": args.runs,
                    "chunk_size": args.chunk_size,
                    "sampling": args.sampling,
                },
                report=lambda line: print(f"crisis-sim: {line}", file=sys.stderr),
            )
            _print_results(results)
            _print_lever_firing(results)
            print(f"Results written to {args.resume}/")
            owned = OutputFolder.read(Path(args.resume))
            return _write_netcdf(results, owned, args) or _draw(results, owned, args, helper)
    if not args.scenario:
        raise UsageError("give a scenario file or name (crisis-sim list shows the bundled ones)")
    scenario = _load(args, args.scenario)
    runs = args.runs or scenario.run.runs
    seed = scenario.run.seed if args.seed is None else args.seed
    out = _output_folder(args, scenario.name, "run")
    print(f"{scenario.title}\n")
    print(textwrap.fill(" ".join(scenario.question.split()), width=88))
    sampling = args.sampling or scenario.run.sampling
    print(
        f"\n{runs:,} worlds, seed {seed}, {sampling.replace('_', ' ')} sampling, "
        f"{scenario.run.horizon} weeks from {scenario.run.start_date.isoformat()}\n"
    )
    chunk_size = args.chunk_size or limits.DEFAULT_CHUNK_SIZE
    in_pool = executor == "processes" and pool.starts_pool(-(-runs // chunk_size))
    if in_pool:
        # Its import of the package and the kernels (about 1.5 s of a core) then
        # overlaps this process's import of the runner, instead of following it.
        pool.start_server()
    from crisis_sim.ensemble import runner as ensemble

    with _figure_helper(args, in_process=not in_pool and executor != "dask") as helper:
        results = ensemble.run(
            scenario,
            runs=runs,
            seed=seed,
            sampling=sampling,
            executor=executor,
            workers=args.workers,
            scheduler=args.scheduler,
            chunk_size=chunk_size,
            out=out,
            progress=not args.quiet,
        )
        _print_results(results)
        _print_lever_firing(results)
        print(f"Results written to {out.path}/")
        return _write_netcdf(results, out, args) or _draw(results, out, args, helper)


def _print_lever_firing(results: Results) -> None:
    """Each lever's firing: in how many worlds, and its weeks; a flag for a lever that misfired."""
    if results.lever_weeks is None or not results.scenario.all_levers():
        return
    table = results.lever_firing()
    print("\nLevers: the worlds each fired in, and its week (first / median / last):")
    for path, row in table.iterrows():
        weeks = (
            "never"
            if row["worlds"] == 0
            else f"{row['min_week']:.0f} / {row['median_week']:.0f} / {row['max_week']:.0f}"
        )
        print(
            f"{path:<11} {textwrap.shorten(row['label'], 40):<40} "
            f"{row['worlds']:>7,} ({100 * row['share']:5.1f}%)  week {weeks}  {row['when']}"
        )
    for flag in table["flag"]:
        if flag:
            print(textwrap.fill(f"Note: {flag}", width=88, subsequent_indent="  "))


def _formats(args: argparse.Namespace) -> tuple[str, ...]:
    """The figure formats of ``--formats``, checked (a usage error names the known ones)."""
    from crisis_sim import plots

    try:
        return plots.figure_formats(args.formats.split(","))
    except ValueError as error:
        raise UsageError(f"--formats: {error}") from None


NETCDF_FILE = "results.nc"
"""The NetCDF file ``crisis-sim run --netcdf`` writes beside the Parquet tables."""


def _beside_results(
    folder: OutputFolder, write: Callable[[Path], object], failed: str, again: str, done: str
) -> int:
    """Write more output into a saved result's folder (``write`` into its staging folder).

    It runs after the results are saved, so a failure here (a full disk, Ctrl-C) loses
    nothing: the message says what ``failed`` and how to write it ``again``.
    """
    try:
        with folder.staging(replace=False) as stage:
            write(stage)
    except (KeyboardInterrupt, Exception) as error:
        print(
            f"crisis-sim: the results are saved in {folder.path}, but {failed} "
            f"({describe_failure(error)}); {again}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    print(done)
    return EXIT_OK


def _write_netcdf(results: Results, folder: OutputFolder | None, args: argparse.Namespace) -> int:
    """Write ``results.nc`` (:meth:`Results.to_xarray`) into a saved result, if asked."""
    if not args.netcdf or folder is None:
        return EXIT_OK
    from crisis_sim.ensemble.dataset import write_netcdf

    return _beside_results(
        folder,
        lambda stage: write_netcdf(results.to_xarray(), stage / NETCDF_FILE),
        f"{NETCDF_FILE} could not be written",
        f"write it with crisis_sim.Results.load(DIR).to_netcdf(DIR / {NETCDF_FILE!r})",
        f"NetCDF written to {folder.path / NETCDF_FILE}",
    )


@contextlib.contextmanager
def _figure_helper(args: argparse.Namespace, *, in_process: bool) -> Iterator[Executor | None]:
    """Processes to draw the figures meanwhile (:func:`crisis_sim.plots.figure_helper`).

    Started only where the figures are wanted and a core is left idle: the run is
    ``in_process`` (``--workers 1``, the default, or a run of fewer chunks than a pool
    is started for) and the machine has two cores or more. It is shut down when the
    command is done with it; on an error, without waiting.
    """
    from crisis_sim import plots

    wanted = not args.no_figures and in_process and pool.cores() > 1
    helper = plots.figure_helper() if wanted else None
    if helper is None:
        yield None
        return
    try:
        yield helper
    except BaseException:
        helper.shutdown(wait=False, cancel_futures=True)
        raise
    helper.shutdown()


def _draw(
    results: Results,
    folder: OutputFolder | None,
    args: argparse.Namespace,
    helper: Executor | None = None,
) -> int:
    """Draw the main figures into a saved result's ``figures/``, unless ``--no-figures``."""
    if args.no_figures or folder is None:
        return EXIT_OK
    from crisis_sim import plots

    return _beside_results(
        folder,
        lambda stage: plots.save_main_figures(
            results, stage / "figures", _formats(args), helper=helper
        ),
        "the figures could not be drawn",
        f"draw them with crisis-sim plot {shlex.quote(str(folder.path))}",
        f"Figures drawn in {folder.path / 'figures'}/",
    )


def _cmd_replay(args: argparse.Namespace) -> int:
    from crisis_sim.ensemble.results import Results
    from crisis_sim.model.narration import drawn_parameters, story

    results = Results.load(args.directory)
    model = results.replay(args.world)
    row = results.worlds.iloc[args.world]
    print(f"World {args.world} of {results.scenario.name} (seed {results.info['seed']})")
    print("\nDrawn for this world:")
    for line in drawn_parameters(model):
        print(f"    {line}")
    print()
    for passage in story(model.event_log()):
        print(passage)
    replayed = model.outcomes().iloc[0]
    same = replayed["outcome"] == row["outcome"] and replayed["week"] == row["week"]
    print(
        f"\nOutcome: {replayed['outcome']} in week {replayed['week']}; the ensemble recorded "
        f"{row['outcome']} in week {row['week']} ({'the same' if same else 'DIFFERENT'})"
    )
    return EXIT_OK if same else EXIT_FAILURE


def _cmd_compare(args: argparse.Namespace) -> int:
    from crisis_sim import plots
    from crisis_sim.analysis import statistics as analysis
    from crisis_sim.ensemble.results import json_safe

    scenarios = [_load(args, name) for name in args.scenarios]
    names = [scenario.name for scenario in scenarios]
    reference = args.reference or names[0]
    if reference not in names:
        raise UsageError(f"--reference {reference} is not among the scenarios ({', '.join(names)})")
    formats = _formats(args)
    out = _output_folder(args, "compare", "compare")
    results, table = analysis.compare_scenarios(
        scenarios,
        reference=reference,
        runs=args.runs,
        seed=args.seed,
        executor=_executor(args),
        workers=args.workers,
        scheduler=args.scheduler,
        progress=not args.quiet,
    )
    moves = analysis.transitions(results, reference)
    print()
    print(analysis.format_comparison(table))
    print()
    print(analysis.format_transitions(moves, reference))
    summary = {
        "reference": reference,
        "scenarios": names,
        "seed": results[0].info["seed"],
        "runs": results[0].runs,
        "worlds_per_set": results[0].scenario.run.worlds_per_set,
        "comparison": table.to_dict(orient="records"),
        "transitions": {
            name: {"rows": "outcome under the reference", **moved.to_dict(orient="index")}
            for name, moved in moves.items()
        },
        "versions": results[0].info["versions"],
    }
    with out.staging() as stage:
        table.to_csv(stage / "comparison.csv", index=False)
        for name, moved in moves.items():
            moved.to_csv(stage / f"transitions_{safe_name(name)}.csv")
        plots.save_figure(plots.forest(table), stage / "forest", formats)
        plots.save_figure(
            plots.outcome_probabilities(results), stage / "outcome_probabilities", formats
        )
        text = json.dumps(json_safe(summary), indent=2, allow_nan=False, default=str)
        (stage / "summary.json").write_text(text + "\n", encoding="utf-8")
    print(f"\nTable, forest plot and outcome figure written to {out.path}/")
    return EXIT_OK


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from crisis_sim import plots
    from crisis_sim.analysis import sensitivity

    if args.method == "sobol" and args.n & (args.n - 1):
        raise UsageError(f"--n must be a power of 2 for Sobol sampling, got {args.n}")
    scenario = _uncertain_scenario(args, args.scenario, "analyse")
    _check_indicator(scenario, args.outcome)
    formats = _formats(args)
    out = _output_folder(args, f"{scenario.name}-{args.method}", "sensitivity")
    if args.method == "sobol":
        result = sensitivity.sobol(
            scenario,
            n=args.n,
            indicator=args.outcome,
            seed=args.seed,
            worlds_per_point=args.worlds_per_point,
            progress=not args.quiet,
        )
    else:
        result = sensitivity.morris(
            scenario,
            trajectories=args.n,
            indicator=args.outcome,
            seed=args.seed,
            worlds_per_point=args.worlds_per_point,
            progress=not args.quiet,
        )
    print(
        f"\n{args.method} indices of {args.outcome} over {result.n_evaluations:,} worlds "
        f"({result.worlds_per_point} per sample point):"
    )
    print(result.indices.round(3).to_string(index=False))
    if result.noise_share is not None:
        print(f"share of the variance left to the worlds' own randomness: {result.noise_share:.2f}")
    indices = result.indices.copy()
    indices.attrs.update(scenario=scenario.name, runs=result.n_evaluations)
    if args.method == "sobol":
        figure = plots.sobol_indices(indices, title=f"Sobol indices of {args.outcome}")
    else:
        figure = plots.morris(indices, title=f"Morris screening of {args.outcome}")
    with out.staging() as stage:
        result.to_frame().to_csv(stage / "indices.csv", index=False)
        plots.save_figure(figure, stage / f"{args.method}_indices", formats)
    print(f"\nIndices and figure written to {out.path}/")
    return EXIT_OK


def _cmd_discover(args: argparse.Namespace) -> int:
    from crisis_sim import plots
    from crisis_sim.analysis import discovery
    from crisis_sim.ensemble import runner as ensemble

    scenario = _uncertain_scenario(args, args.scenario, "discover over")
    _check_indicator(scenario, args.outcome, binary=True)
    formats = _formats(args)
    out = _output_folder(args, f"{scenario.name}-discover", "discover")
    results = ensemble.run(scenario, runs=args.runs, seed=args.seed, progress=not args.quiet)
    found = discovery.discover(results, args.outcome, threshold=args.threshold)
    print()
    print(found.summary())
    trajectory, box = found.trajectory.copy(), found.box.copy()
    trajectory.attrs.update(scenario=scenario.name, runs=found.n_worlds)
    box.attrs.update(
        scenario=scenario.name, runs=found.n_worlds, coverage=found.coverage, density=found.density
    )
    with out.staging() as stage:
        found.box.to_csv(stage / "box.csv", index=False)
        found.trajectory.to_csv(stage / "trajectory.csv", index=False)
        tradeoff = plots.prim_tradeoff(trajectory, found.selected)
        plots.save_figure(tradeoff, stage / "prim_tradeoff", formats)
        plots.save_figure(plots.prim_box(box), stage / "prim_box", formats)
    print(f"\nBox, peeling trajectory and figures written to {out.path}/")
    return EXIT_OK


def _held_out(text: str) -> int:
    """A number of held-out parameter sets: a whole number from 0 to 10,000."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number from 0 to 10000, got {text!r}") from None
    if not 0 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"a whole number from 0 to 10000, got {value}")
    return value


def _cmd_search(args: argparse.Namespace) -> int:
    import importlib.util

    missing = [
        name
        for name in ("ema_workbench", "platypus", "tomli_w")
        if not importlib.util.find_spec(name)
    ]
    if missing:
        raise UsageError(
            f"search needs EMA Workbench, platypus and tomli-w ({', '.join(missing)} missing): "
            "pip install 'crisis-sim[ema]'"
        )
    from crisis_sim import plots
    from crisis_sim.ema import search
    from crisis_sim.plots.search import parallel_coordinates
    from crisis_sim.scenario.files import bundled_dir

    scenario = _load(args, args.scenario)
    spec = search.load_spec(args.levers, scenario)
    changes = {
        key: value
        for key, value in (
            ("nfe", args.nfe),
            ("parameter_sets", args.parameter_sets),
            ("held_out_sets", args.held_out_sets),
            ("seed", args.seed),
            ("objective", args.objective),
        )
        if value is not None
    }
    spec = spec.model_copy(update={"search": spec.search.model_copy(update=changes)})
    formats = _formats(args)
    out = _output_folder(args, f"{scenario.name}-search", "search")
    settings = spec.search
    runs = settings.parameter_sets * scenario.run.worlds_per_set
    print(f"{spec.title or args.levers}: {len(spec.levers)} lever templates over {scenario.title}")
    print(
        f"{settings.nfe:,} policies, each on {settings.parameter_sets} parameter sets "
        f"({runs:,} worlds, seed {scenario.run.seed}); objective: {settings.objective}"
    )
    if settings.held_out_sets:
        held = settings.held_out_sets * scenario.run.worlds_per_set
        print(
            f"The Pareto set measured again on {settings.held_out_sets} held-out parameter sets "
            f"({held:,} worlds: sets {settings.parameter_sets}-"
            f"{settings.parameter_sets + settings.held_out_sets - 1}, worlds {runs:,}-"
            f"{runs + held - 1:,}), which the search never saw"
        )
    print()
    result = search.search(
        scenario,
        spec,
        executor=_executor(args),
        workers=args.workers,
        scheduler=args.scheduler,
        progress=not args.quiet,
    )
    print()
    print(search.format_pareto(result))
    held_note = (
        f"; held-out: on {result.held_out_runs:,} more worlds of other parameter sets, which "
        "the search never saw (p10, p90 and worst regret there; the search's own are in "
        "pareto.csv)"
        if result.held_out_runs
        else ""
    )
    note = (
        f"search: the share of the search's {result.runs:,} worlds, on which the policies "
        f"were chosen{held_note}; p10, p90: across parameter sets; worst regret: the "
        "largest shortfall, in one set, from the best policy of this table in that set. "
        f"{result.evaluations:,} policies run in {result.seconds:.0f} s (measuring the "
        f"Pareto set again: {result.check_seconds:.0f} s)."
    )
    print("\n" + textwrap.fill(note, width=88))
    bundled = (bundled_dir() / f"{scenario.name}.toml").resolve()
    own = Path(args.scenario)
    reference = scenario.name if not own.is_file() or own.resolve() == bundled else None
    with out.staging() as stage:
        search.write_outputs(result, stage, scenario_reference=reference)
        figure = parallel_coordinates(result.pareto, result.lever_names)
        plots.save_figure(figure, stage / "pareto", formats)
    print(
        "\nPareto set (pareto.csv, search.json), figure and one scenario file per policy "
        f"written to {out.path}/"
    )
    print(
        f"Run one with: crisis-sim run {shlex.quote(str(out.path / 'policies' / 'policy_01.toml'))}"
    )
    return EXIT_OK


def _cmd_plot(args: argparse.Namespace) -> int:
    from crisis_sim import plots
    from crisis_sim.ensemble.results import Results

    formats = _formats(args)
    results = Results.load(args.directory)
    if args.out:
        folder = OutputFolder.claim(args.out, overwrite=args.overwrite, kind="plot")
        prefix, replace = "", True
    else:
        owned = OutputFolder.read(Path(args.directory))
        if owned is None:
            raise OutputExistsError(
                f"{args.directory} was not written by this version of crisis_sim (no marker "
                "file), so its figures are not replaced; pass --out NEW_FOLDER"
            )
        folder, prefix, replace = owned, "figures/", False
    with folder.staging(replace=replace) as stage:
        plots.save_main_figures(results, stage / prefix if prefix else stage, formats)
        names = sorted(path.relative_to(stage).as_posix() for path in stage.rglob("*.*"))
    for name in names:
        print(folder.path / name)
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from crisis_sim.scenario.describe import summary_line

    failed = 0
    for name in args.scenarios:
        try:
            scenario = _load(args, name)
        except ScenarioError as error:
            failed += 1
            print(error, file=sys.stderr)
        else:
            print(f"{name}: ok ({scenario.title}): {summary_line(scenario)}")
    return EXIT_FAILURE if failed else EXIT_OK


def _cmd_describe(args: argparse.Namespace) -> int:
    from crisis_sim.scenario.describe import describe_scenario
    from crisis_sim.scenario.files import parent_of

    allow = args.allow_extends_outside
    scenario = _load(args, args.scenario)
    parent = parent_of(args.scenario, allow_outside=allow)
    parent_name, parent_scenario = parent if parent is not None else ("", None)
    print(describe_scenario(scenario, parent=parent_scenario, parent_name=parent_name))
    return EXIT_OK


def _cmd_levers(args: argparse.Namespace) -> int:
    from crisis_sim.scenario.describe import format_lever_reference, lever_reference

    entries = lever_reference()
    unknown = sorted(set(args.kinds) - {entry.kind for entry in entries})
    if unknown:
        raise UsageError(
            f"no lever kind {', '.join(unknown)}; the kinds are "
            + ", ".join(entry.kind for entry in entries)
        )
    chosen = [entry for entry in entries if not args.kinds or entry.kind in args.kinds]
    print(format_lever_reference(chosen))
    return EXIT_OK


def _cmd_list(args: argparse.Namespace) -> int:
    from crisis_sim.scenario.files import bundled_scenarios

    for path in bundled_scenarios():
        scenario = load_scenario(path)
        print(f"{path.stem}\n    {scenario.title}")
        question = " ".join(scenario.question.split())
        print(textwrap.fill(question, width=88, initial_indent="    ", subsequent_indent="    "))
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from crisis_sim.scenario.files import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if args.out:
        target = Path(args.out)
        if target.is_dir():
            raise OutputExistsError(f"{target} is a folder; give a file name for the schema")
        if os.path.lexists(target) and not args.overwrite:
            raise OutputExistsError(
                f"{target} exists; choose another file or pass --overwrite to replace it"
            )
        atomic_write(target, lambda path: path.write_text(text, encoding="utf-8"))
        print(f"JSON Schema written to {args.out}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _targets_file(name: str) -> Path:
    """A targets file by path, or a bundled one by name (``pre_t0``)."""
    from crisis_sim.calibration.targets import bundled_targets

    path = Path(name)
    if path.is_file():
        return path
    bundled = bundled_targets()
    stem = path.name.removesuffix(".toml")
    if path.parent == Path(".") and stem in bundled:
        return bundled[stem]
    raise UsageError(
        f"{name}: no such targets file; bundled targets are: {', '.join(sorted(bundled))}"
    )


def _cmd_calibrate(args: argparse.Namespace) -> int:
    import importlib.util

    if importlib.util.find_spec("pyabc") is None:
        raise UsageError(
            "calibrate needs pyabc: pip install 'crisis-sim[calibration]' (or the test extra)"
        )
    from crisis_sim import plots
    from crisis_sim.calibration import abc
    from crisis_sim.calibration.posterior import load_posterior
    from crisis_sim.calibration.targets import load_targets

    formats = _formats(args)
    file = _targets_file(args.targets)
    targets = load_targets(file)
    given = {name: getattr(args, name) for name in _CALIBRATION_SETTINGS}
    settings = abc.Settings(**{name: value for name, value in given.items() if value is not None})
    out = _output_folder(args, f"calibration-{file.stem}", "calibration")
    print(f"{targets.title}\n{len(targets.targets)} targets, {len(targets.priors)} parameters\n")
    with out.staging() as stage:
        result = abc.calibrate(
            targets,
            settings,
            stage,
            targets_text=file.read_text(encoding="utf-8"),
            report=None if args.quiet else lambda line: print(f"crisis-sim: {line}"),
        )
        sample = load_posterior(stage)
        for name, figure in (
            ("posterior_marginals", plots.posterior_marginals(sample, targets.priors)),
            ("posterior_pairs", plots.posterior_pairs(sample)),
            ("predictive_check", plots.predictive_check(result.predictive)),
        ):
            plots.save_figure(figure, stage / name, formats)
    print(abc.format_report(result))
    print(f"\nPosterior, provenance, tables and figures written to {out.path}/")
    print(f'A scenario draws from it with: posterior = "{out.path.resolve()}"')
    return EXIT_FAILURE if result.unmet() else EXIT_OK


def _cmd_params(args: argparse.Namespace) -> int:
    from crisis_sim.model.params import iter_params

    print(f"{'parameter':<44} {'default':>8}  {'plausible':<16} {'valid':<18} unit")
    for info in iter_params():
        low, high = info.plausible
        valid_low, valid_high = info.bounds
        valid = (
            f"[{'-inf' if valid_low is None else f'{valid_low:g}'}, "
            f"{'inf' if valid_high is None else f'{valid_high:g}'}]"
        )
        plausible = f"[{low:g}, {high:g}]"
        print(f"{info.path:<44} {info.default:>8g}  {plausible:<16} {valid:<18} {info.unit}")
    return EXIT_OK


def _cmd_app(args: argparse.Namespace) -> int:
    from crisis_sim.app import MissingExtra, serve

    if args.scenario:
        _load(args, args.scenario)  # a bad scenario is told here, not in the browser
    try:
        return serve(args.scenario, port=args.port)
    except MissingExtra as error:
        print(f"crisis-sim: error: {error}", file=sys.stderr)
        return EXIT_FAILURE


def _figure_formats_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--formats",
        metavar="LIST",
        default="png",
        help="figure formats, comma-separated: png, svg (default: png; png,svg for both)",
    )


def _allow_outside(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-extends-outside",
        action="store_true",
        help="let extends follow files outside the scenario's folder and the bundled library",
    )


def _check_indicator(scenario: Scenario, name: str, *, binary: bool = False) -> None:
    """Refuse, before any work, an outcome or column the analysis cannot take.

    An outcome's name always does; else a numeric column of the per-world table (for
    ``binary``, a true/false one), as one world of the scenario shows them.
    """
    import pandas as pd

    from crisis_sim.ensemble import runner as ensemble

    outcomes = [o.key for o in OUTCOMES]
    if name in outcomes:
        return
    worlds = ensemble.run(scenario, runs=1, progress=False).worlds
    wanted = "a true/false column" if binary else "a numeric column"
    usable = [
        column
        for column in worlds.columns
        if column != "replication"
        and (
            pd.api.types.is_bool_dtype(worlds[column])
            if binary
            else pd.api.types.is_numeric_dtype(worlds[column])
            and not isinstance(worlds[column].dtype, pd.CategoricalDtype)
        )
    ]
    if name not in usable:
        found = "is no column" if name not in worlds.columns else f"is not {wanted}"
        raise UsageError(
            f"--outcome {name!r} {found}: expected an outcome ({', '.join(outcomes)}) or "
            f"{wanted} of the per-world table, such as {', '.join(usable[:3])} "
            "(docs/DATA_DICTIONARY.md lists them)"
        )


_OUTCOME_HELP = "an outcome (default full_invasion): " + "; ".join(
    f"{outcome.key} ({outcome.text.rstrip('.')})" for outcome in OUTCOMES
)
"""The outcomes a ``--outcome`` option takes, each with its one line of text."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``crisis-sim``."""
    parser = argparse.ArgumentParser(
        prog="crisis-sim",
        description="Scenario modelling of the January 2022 Russia-US-NATO-Ukraine crisis.",
        epilog="Start with: crisis-sim list, then crisis-sim run baseline",
    )
    parser.add_argument("--version", action="version", version=f"crisis-sim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run an ensemble of a scenario and write its results",
        description="Run an ensemble of worlds of a scenario, print the outcome "
        "probabilities with 95%% intervals, and write the per-world results, a JSON "
        "summary and the main figures to a folder. Finished chunks are saved as they "
        "come, so an interrupted run can be finished with --resume DIR.",
    )
    run.add_argument("scenario", nargs="?", help="a scenario file, or a bundled scenario's name")
    run.add_argument("--runs", type=_worlds, help="number of worlds (default: the scenario's)")
    run.add_argument("--seed", type=_seed, help="seed (default: the scenario's)")
    run.add_argument(
        "--sampling",
        choices=SAMPLINGS,
        help="how uncertain parameters are drawn (default: the scenario's)",
    )
    run.add_argument(
        "--out", metavar="DIR", help="folder for the results (default: runs/NAME-TIMESTAMP)"
    )
    run.add_argument(
        "--overwrite",
        action="store_true",
        help="replace earlier crisis_sim results in --out (never files it did not write)",
    )
    run.add_argument("--resume", metavar="DIR", help="finish the interrupted run saved in DIR")
    run.add_argument("--workers", type=_workers, default=1, help="processes to run in (default: 1)")
    run.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on a Dask cluster (tcp://HOST:PORT)"
    )
    run.add_argument(
        "--dask",
        action="store_true",
        help="start a local Dask cluster of --workers processes for the run",
    )
    run.add_argument(
        "--chunk-size",
        type=_worlds,
        help=f"worlds per chunk (default {limits.DEFAULT_CHUNK_SIZE:,}): changes speed and "
        "memory, never results",
    )
    run.add_argument("--no-figures", action="store_true", help="do not draw the figures")
    run.add_argument(
        "--netcdf",
        action="store_true",
        help=f"also write {NETCDF_FILE}: the worlds, levers and weekly counts as one NetCDF-4 "
        "file with units (pip install 'crisis-sim[xarray]')",
    )
    _figure_formats_option(run)
    _allow_outside(run)
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(handler=_cmd_run, subparser=run)

    replay = commands.add_parser(
        "replay",
        help="re-run one world of a saved result and tell its story",
        description="Re-run world K of the result in DIR alone, print its narrated event "
        "log, and check that its outcome equals the one the ensemble recorded.",
    )
    replay.add_argument("directory", metavar="DIR")
    replay.add_argument("world", metavar="K", type=_world)
    replay.set_defaults(handler=_cmd_replay)

    comparison = commands.add_parser(
        "compare",
        help="run scenarios on common random numbers and compare them",
        description="Run two or more scenarios with the same seed and number of worlds, "
        "so each world differs only by what the scenarios change, and print each "
        "outcome's paired difference against the reference with its 95%% interval; "
        "write the table, a forest plot and the outcome figure to a folder.",
    )
    comparison.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    comparison.add_argument(
        "--reference", metavar="NAME", help="the reference scenario (default: the first)"
    )
    comparison.add_argument("--runs", type=_worlds, help="worlds per scenario")
    comparison.add_argument("--seed", type=_seed, help="the common seed")
    comparison.add_argument("--out", metavar="DIR", help="default: runs/compare-TIMESTAMP")
    comparison.add_argument("--overwrite", action="store_true")
    comparison.add_argument("--workers", type=_workers, default=1)
    comparison.add_argument("--scheduler", metavar="ADDRESS")
    comparison.add_argument("--dask", action="store_true")
    comparison.add_argument("--quiet", action="store_true", help="no progress bar")
    _figure_formats_option(comparison)
    _allow_outside(comparison)
    comparison.set_defaults(handler=_cmd_compare, subparser=comparison)

    sens = commands.add_parser(
        "sensitivity",
        help="global sensitivity of an outcome to the scenario's uncertain parameters",
        description="Sobol (Saltelli sampling) or Morris indices, with SALib, of an outcome "
        "(e.g. full_invasion) or an end-state column (e.g. sanctions) over the "
        "scenario's uncertain parameters, with confidence intervals.",
    )
    sens.add_argument("scenario")
    sens.add_argument("--method", choices=("sobol", "morris"), default="sobol")
    sens.add_argument(
        "--n",
        type=_count,
        default=256,
        help="Sobol: base sample size (a power of 2); Morris: trajectories (default 256)",
    )
    sens.add_argument(
        "--outcome", default="full_invasion", help=f"{_OUTCOME_HELP}; or an end-state column"
    )
    sens.add_argument(
        "--worlds-per-point",
        type=_count,
        default=16,
        help="worlds averaged at each sample point, to damp the worlds' own noise",
    )
    sens.add_argument("--seed", type=_seed, help="seed of the sampler (default: the scenario's)")
    sens.add_argument("--out", metavar="DIR")
    sens.add_argument("--overwrite", action="store_true")
    sens.add_argument("--quiet", action="store_true")
    _figure_formats_option(sens)
    _allow_outside(sens)
    sens.set_defaults(handler=_cmd_sensitivity, subparser=sens)

    disc = commands.add_parser(
        "discover",
        help="which ranges of the uncertain parameters lead to an outcome (PRIM)",
        description="Run an ensemble and find, with PRIM (EMA Workbench), the box of "
        "uncertain-parameter ranges in which the outcome is most concentrated.",
    )
    disc.add_argument("scenario")
    disc.add_argument(
        "--outcome", default="full_invasion", help=f"{_OUTCOME_HELP}; or a 0/1 column"
    )
    disc.add_argument("--runs", type=_worlds, default=10_000)
    disc.add_argument("--seed", type=_seed)
    disc.add_argument(
        "--threshold", type=_share, default=0.8, help="density the box should reach (0-1]"
    )
    disc.add_argument("--out", metavar="DIR")
    disc.add_argument("--overwrite", action="store_true")
    disc.add_argument("--quiet", action="store_true")
    _figure_formats_option(disc)
    _allow_outside(disc)
    disc.set_defaults(handler=_cmd_discover, subparser=disc)

    find = commands.add_parser(
        "search",
        help="robust policy search over Western levers (EMA Workbench, platypus)",
        description="Search the levers of a spec file (what the West offers, concedes and "
        "threatens, and when) for the policies that minimise the probability of war and "
        "maximise that of a settlement across the scenario's parameter sets (its "
        "judgement uncertainty); print the Pareto set with its robustness, and write it "
        "(pareto.csv), a parallel-coordinates figure and one scenario file per policy. "
        "SPEC is a file or a bundled spec (concessions_vs_deterrence).",
    )
    find.add_argument("scenario")
    find.add_argument("--levers", required=True, metavar="SPEC", help="the search spec")
    find.add_argument("--nfe", type=_count, help="policies to evaluate (default: the spec's)")
    find.add_argument(
        "--parameter-sets", type=_count, help="parameter sets per policy (default: the spec's)"
    )
    find.add_argument(
        "--held-out-sets",
        type=_held_out,
        help="parameter sets after the search's on which the Pareto set is measured again, "
        "unseen by the search (default: the spec's, 200 in the bundled one; 0: none)",
    )
    find.add_argument(
        "--objective",
        choices=("mean", "pessimistic"),
        help="optimise the probabilities over all sets, or the worse tail across sets",
    )
    find.add_argument("--seed", type=_seed, help="the algorithm's seed (default: the spec's)")
    find.add_argument(
        "--workers",
        type=_workers,
        default=min(2, os.cpu_count() or 1),
        help="processes (default: 2, or 1 on a one-core machine)",
    )
    find.add_argument("--scheduler", metavar="ADDRESS")
    find.add_argument("--dask", action="store_true")
    find.add_argument("--out", metavar="DIR", help="default: runs/SCENARIO-search-TIMESTAMP")
    find.add_argument("--overwrite", action="store_true")
    find.add_argument("--quiet", action="store_true", help="no progress bar")
    _figure_formats_option(find)
    _allow_outside(find)
    find.set_defaults(handler=_cmd_search, subparser=find)

    plot = commands.add_parser(
        "plot",
        help="draw every figure again from a saved result",
        description="Load a result folder written by crisis-sim run and draw its figures "
        "again (PNG; --formats png,svg for SVG too).",
    )
    plot.add_argument("directory", metavar="DIR")
    plot.add_argument("--out", metavar="FOLDER", help="default: DIR/figures")
    plot.add_argument(
        "--overwrite", action="store_true", help="replace earlier figures of crisis_sim in --out"
    )
    _figure_formats_option(plot)
    plot.set_defaults(handler=_cmd_plot, subparser=plot)

    validate = commands.add_parser(
        "validate",
        help="check scenario files and print every error",
        description="Check scenario files; print every error with its key path. Exit 1 if "
        "any file has an error.",
    )
    validate.add_argument("scenarios", nargs="+", metavar="FILE")
    _allow_outside(validate)
    validate.set_defaults(handler=_cmd_validate)

    describe = commands.add_parser(
        "describe",
        help="say in words what a scenario file means",
        description="Print a scenario in words: its title and question, what it changes "
        "against the scenario it extends, each lever with its timing and condition, its "
        "uncertain parameters and its run settings.",
    )
    describe.add_argument("scenario", metavar="FILE", help="a scenario file or a bundled name")
    _allow_outside(describe)
    describe.set_defaults(handler=_cmd_describe)

    levers = commands.add_parser(
        "levers",
        help="every lever kind: its actors, what its level means, its range, an example",
        description="List every kind of lever a scenario can pull, from the code: who may "
        "pull it, what it means, what its level measures and its valid range, and a "
        "[[levers]] example to copy.",
    )
    levers.add_argument("kinds", nargs="*", metavar="KIND", help="only these kinds")
    levers.set_defaults(handler=_cmd_levers, subparser=levers)

    listing = commands.add_parser("list", help="list the bundled scenarios and their questions")
    listing.set_defaults(handler=_cmd_list)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of scenario files, for editors"
    )
    schema.add_argument("--out", metavar="FILE", help="write it to FILE instead")
    schema.add_argument("--overwrite", action="store_true", help="replace an existing FILE")
    schema.set_defaults(handler=_cmd_schema)

    calibration = commands.add_parser(
        "calibrate",
        help="calibrate judgement parameters to targets known before t0 (ABC-SMC)",
        description="Fit the targets file's parameters to its targets with pyabc's ABC-SMC "
        "and write the posterior sample with its provenance, a posterior-predictive check "
        "and figures. Exit 1 if a target cannot be met. TARGETS is a file or a bundled "
        "name (pre_t0). Options left out take the settings of the shipped posterior.",
    )
    calibration.add_argument("targets", metavar="TARGETS")
    calibration.add_argument("--population", type=_count, help="particles")
    calibration.add_argument(
        "--worlds",
        type=_count,
        help="worlds simulated per particle",
    )
    calibration.add_argument("--generations", type=_count, help="most generations")
    calibration.add_argument(
        "--max-simulations",
        type=_count,
        help="most simulations per chain",
    )
    calibration.add_argument("--chains", type=_count, help="independent chains")
    calibration.add_argument("--workers", type=_workers, help="processes")
    calibration.add_argument(
        "--predictive",
        type=_count,
        help="particles re-simulated for the check",
    )
    calibration.add_argument(
        "--batch",
        type=_count,
        help="particles simulated at once, as one model",
    )
    calibration.add_argument("--seed", type=_seed, help="the seed of the whole calibration")
    calibration.add_argument("--out", metavar="DIR")
    calibration.add_argument("--overwrite", action="store_true")
    calibration.add_argument("--quiet", action="store_true")
    _figure_formats_option(calibration)
    calibration.set_defaults(handler=_cmd_calibrate, subparser=calibration)

    params = commands.add_parser(
        "params",
        help="list every model parameter with its default, plausible range and valid bounds",
    )
    params.set_defaults(handler=_cmd_params)

    app = commands.add_parser(
        "app",
        help="serve the web app on 127.0.0.1: one world step by step, and the ensemble explorer",
        description="Serve the web app on 127.0.0.1 (it needs pip install 'crisis-sim[app]' "
        "and no network). Ctrl-C stops it.",
    )
    app.add_argument("scenario", nargs="?", help="scenario to start with (default baseline)")
    app.add_argument(
        "--port", type=_whole_number(1, 65535, "a port"), default=8765, help="default 8765"
    )
    app.set_defaults(handler=_cmd_app)
    return parser


class UsageError(Exception):
    """The command line was used wrongly in a way argparse cannot see."""


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (``kill``, ``timeout``) like Ctrl-C while a command runs.

    A run then saves what it finished, stops its workers and says how to resume,
    instead of dying with its children left behind.
    """

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _quiet_broken_pipe() -> None:
    """After ``crisis-sim ... | head`` closed the pipe, send what is left nowhere."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``crisis-sim`` with ``argv``; return the exit code.

    Every failure is a short message on standard error and exit code 1 (2 for a
    usage error), never a traceback.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE
    try:
        with _terminate_as_interrupt():
            code = int(args.handler(args))
        sys.stdout.flush()  # here, so a reader that left (| head) is met by the handler below
        return code
    except UsageError as error:
        subparser = getattr(args, "subparser", parser)
        subparser.print_usage(sys.stderr)
        print(f"{subparser.prog}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        _quiet_broken_pipe()
    except ScenarioError as error:
        print(error, file=sys.stderr)
    except InterruptedRun as error:
        print(f"crisis-sim: {error}", file=sys.stderr)
    except (OutputExistsError, NotADirectoryError) as error:
        print(f"crisis-sim: error: {error}", file=sys.stderr)
    except (OSError, IndexError, KeyError, ValueError, RuntimeError, MemoryError) as error:
        print(f"crisis-sim: error: {describe_failure(error)}", file=sys.stderr)
    except KeyboardInterrupt:
        print("crisis-sim: interrupted", file=sys.stderr)
    return EXIT_FAILURE


def script() -> NoReturn:
    """The ``crisis-sim`` command (its console script, and ``python -m crisis_sim``).

    :func:`main` on the command line's arguments, then an exit that skips the
    interpreter's teardown: every exit handler runs (helper processes, logging and
    temporary folders are closed as at any exit) and the standard streams are flushed,
    but the interpreter does not free its objects one by one, which took about 0.7 s
    after a run (the compiled kernels' machine code, the libraries' modules; measured,
    ``benchmarks/README.md``) for nothing: the process ends. Where a thread other than
    a daemon still runs, or where the script is not this process's program (called from
    a notebook, a test or another program: :func:`_is_the_program`), the exit is
    Python's own (``SystemExit``).
    """
    code = main()
    main_thread = threading.main_thread()
    running = any(not t.daemon and t is not main_thread for t in threading.enumerate())
    if running or not _is_the_program():
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _is_the_program() -> bool:
    """Whether :func:`script` runs as this process's program, nothing after it to run.

    The ``__main__`` module is the console script or ``python -m crisis_sim``, both of
    which import it by name, outside an interactive session or IPython (whose own
    ``%run`` executes a script in ``__main__``).
    """
    program = sys.modules.get("__main__")
    return (
        program is not None
        and vars(program).get("script") is script
        and not sys.flags.interactive
        and "IPython" not in sys.modules
    )


if __name__ == "__main__":
    script()

"""Scenario files: reading TOML, following ``extends``, validating, and the bundled library.

``extends = "baseline.toml"`` starts from another scenario: tables merge key by key,
and any other value (arrays included) replaces the parent's. ``extends`` may point
only into the extending file's own folder (or below it) or into the bundled library,
unless the caller allows more (``allow_outside``). Scenario files are data: nothing
in them is ever executed.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Mapping
from enum import IntEnum
from importlib import resources
from pathlib import Path, PurePath
from typing import Any

from pydantic import ValidationError

from crisis_sim.calibration.posterior import POSTERIOR_FILE, shipped_dir
from crisis_sim.model.brief import BRIEF
from crisis_sim.model.domain import Issue, Rung
from crisis_sim.model.lever_catalogue import LEVER_DOCS
from crisis_sim.model.levers import (
    ACTORS_BY_KIND,
    ISSUE_NAMES,
    LEVEL_BOUNDS,
    RUNG_NAMES,
    Lever,
    LeverKind,
    ally_codes,
)
from crisis_sim.model.params import ParamInfo, Params, iter_params
from crisis_sim.problems import (
    MISSING,
    Problem,
    clip,
)
from crisis_sim.scenario.errors import (
    Origins,
    ScenarioError,
    _unknown_key,
    _with_origin,
    problems_from,
)
from crisis_sim.scenario.schema import (
    MAX_EXTENDS,
    MAX_HORIZON,
    Scenario,
    cross_problems,
    safe_name,
)

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def bundled_dir() -> Path:
    """The folder of the scenarios shipped with the package."""
    return Path(str(resources.files("crisis_sim.scenario").joinpath("library")))


def bundled_scenarios() -> list[Path]:
    """The bundled scenario files, sorted by name."""
    return sorted(bundled_dir().glob("*.toml"))


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; False for a name the system cannot even look up."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def resolve_path(name_or_path: str | Path) -> Path:
    """A scenario's file from its path, or from a bundled scenario's name (``"baseline"``).

    Raises:
        ScenarioError: If there is no such file, listing the bundled names.
    """
    path = Path(name_or_path)
    if _is_file(path):
        return path
    bundled = bundled_dir() / f"{path.stem}.toml"
    if path.parent == Path(".") and _is_file(bundled):
        return bundled
    names = ", ".join(p.stem for p in bundled_scenarios())
    raise ScenarioError(
        str(name_or_path),
        [Problem("", MISSING, f"no such scenario file; bundled scenarios are: {names}")],
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(
            str(path), [Problem("", MISSING, f"cannot read file: {error}")]
        ) from None
    return _parse_toml(text, str(path))


def _parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _TOML_POSITION.search(message)
        if found:
            where = f"line {found.group(1)}, column {found.group(2)}"
        elif "(at end of document)" in message:
            where = f"the end of the document (line {text.count(chr(10)) + 1})"
        else:
            where = "an unknown position"
        reason = _TOML_POSITION.sub("", message).replace("(at end of document)", "").strip()
        raise ScenarioError(
            file, [Problem("", MISSING, f"TOML syntax error at {where}: {clip(reason)}")]
        ) from None
    except ValueError:  # an integer of more digits than Python converts
        raise ScenarioError(
            file, [Problem("", MISSING, "TOML with a number too long to read")]
        ) from None
    except RecursionError:
        raise ScenarioError(
            file, [Problem("", MISSING, "TOML with arrays or tables nested too deeply to read")]
        ) from None


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``child`` over ``parent``: tables merge, everything else replaces."""
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _leaf_origins(data: Mapping[str, Any], file: str, prefix: tuple[str, ...] = ()) -> Origins:
    origins: Origins = {}
    for key, value in data.items():
        if isinstance(value, dict):
            origins.update(_leaf_origins(value, file, (*prefix, key)))
        else:
            origins[(*prefix, key)] = file
    return origins


_OUTSIDE = (
    "a scenario file in this file's folder (or a folder below it) or a bundled scenario; "
    "load_scenario(..., allow_outside=True) or --allow-extends-outside on the command line "
    "follows it elsewhere"
)


def _parent_file(path: Path, parent_name: str, allow_outside: bool) -> Path:
    """The file that ``extends = parent_name`` in ``path`` names, symlinks resolved.

    A name is relative to ``path``'s folder. A bare name (``"baseline"`` or
    ``"baseline.toml"``) that names no file there is the bundled scenario of that stem.

    Raises:
        ScenarioError: At ``extends``, if there is no such file, or if it lies outside
            ``path``'s folder and the bundled library and ``allow_outside`` is False.
    """
    folder = path.parent
    candidates = [folder / parent_name]
    pure = PurePath(parent_name)
    if parent_name and pure.name == parent_name:
        if not pure.suffix:
            candidates.append(folder / f"{parent_name}.toml")
        if pure.suffix in ("", ".toml"):
            candidates.append(bundled_dir() / f"{pure.stem}.toml")
    found = next((candidate for candidate in candidates if _is_file(candidate)), None)
    if found is None:
        raise ScenarioError(
            str(path),
            [
                Problem(
                    "extends",
                    parent_name,
                    "an existing scenario file, relative to this file's folder, or a bundled "
                    "scenario's name",
                )
            ],
        )
    try:
        target = found.resolve()
        roots = [folder.resolve(), bundled_dir().resolve()]
    except (OSError, RuntimeError):
        raise ScenarioError(
            str(path), [Problem("extends", parent_name, "a file whose links can be followed")]
        ) from None
    if not allow_outside and not any(target.is_relative_to(root) for root in roots):
        raise ScenarioError(str(path), [Problem("extends", parent_name, _OUTSIDE)])
    return target


def _resolve_extends(
    path: Path, data: dict[str, Any], chain: tuple[Path, ...], *, allow_outside: bool = False
) -> tuple[dict[str, Any], Origins]:
    parent_name = data.pop("extends", None)
    own = _leaf_origins(data, str(path))
    if parent_name is None:
        return data, own
    if not isinstance(parent_name, str):
        raise ScenarioError(
            str(path), [Problem("extends", parent_name, "a file name such as 'baseline.toml'")]
        )
    parent_path = _parent_file(path, parent_name, allow_outside)
    if parent_path in chain:
        cycle = " -> ".join(p.name for p in (*chain, parent_path))
        raise ScenarioError(
            str(path), [Problem("extends", parent_name, f"no cycle of extends ({cycle})")]
        )
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(
            str(path),
            [Problem("extends", parent_name, f"a chain of at most {MAX_EXTENDS} files")],
        )
    parent, origins = _resolve_extends(
        parent_path, _read_toml(parent_path), (*chain, parent_path), allow_outside=allow_outside
    )
    return _merge(parent, data), {**origins, **own}


def scenario_from_dict(
    data: Mapping[str, Any],
    *,
    file: str = "<string>",
    name: str = "",
    origins: Origins | None = None,
) -> Scenario:
    """Validate an already-parsed scenario (no ``extends``) into a :class:`Scenario`.

    Unlike a scenario file, ``data`` may hold a ``name`` (as the dumps in
    ``summary.json`` and ``plan.json`` do); it must match :data:`NAME_PATTERN`.

    Args:
        data: The scenario as parsed from TOML (or as dumped by :meth:`Scenario.model_dump`).
        file: The file to name in errors.
        name: The scenario's name, unless ``data`` has one.
        origins: For merged scenarios, which file set each key (errors then name it).

    Raises:
        ScenarioError: Listing every problem, with key paths.
    """
    return _validate(data, file=file, name=name, origins=origins, from_file=False)


def _validate(
    data: Mapping[str, Any],
    *,
    file: str,
    name: str,
    origins: Origins | None,
    from_file: bool,
) -> Scenario:
    """Validate ``data``; a scenario file (``from_file``) may not set ``name``."""
    if not isinstance(data, Mapping):
        raise ScenarioError(file, [Problem("", data, "a table of scenario keys")])
    content = dict(data)
    if "extends" in content:
        raise ScenarioError(
            file, [Problem("extends", content["extends"], "extends only in a scenario file")]
        )
    problems: list[Problem] = []
    if from_file and "name" in content:
        problems.append(Problem("name", content.pop("name"), _unknown_key(())))
    content.setdefault("name", name)
    if isinstance(content.get("params"), dict):
        content["params"] = _merge(Params().model_dump(), content["params"])
    if from_file and isinstance(content.get("posterior"), str):
        setter = (origins or {}).get(("posterior",), file)
        content["posterior"] = _posterior_reference(content["posterior"], Path(setter))
    try:
        scenario = Scenario.model_validate(content)
    except ValidationError as error:
        problems += problems_from(error, content)
        reported = {problem.path for problem in problems}
        problems += [p for p in cross_problems(content) if p.path not in reported]
    if problems:
        if origins:
            problems = [_with_origin(problem, origins, file) for problem in problems]
        raise ScenarioError(file, problems)
    return scenario


def _posterior_reference(reference: str, file: Path) -> str:
    """``posterior`` as the model reads it: a shipped name, or a folder made absolute.

    A relative folder is read relative to the file that names it; a reference that
    names neither is kept as written, for the scenario's own check to report.
    """
    if "/" not in reference and (shipped_dir() / reference / POSTERIOR_FILE).is_file():
        return reference
    folder = Path(reference).expanduser()
    if not folder.is_absolute():
        folder = file.parent / folder
    return str(folder.resolve()) if (folder / POSTERIOR_FILE).is_file() else reference


def load_scenario(name_or_path: str | Path, *, allow_outside: bool = False) -> Scenario:
    """Read, merge (``extends``) and validate a scenario file or a bundled scenario's name.

    The scenario's name is the file's stem made path-safe (:func:`safe_name`).

    Args:
        name_or_path: A scenario file, or the name of a bundled scenario (``"baseline"``).
        allow_outside: Follow ``extends`` to any file. By default a parent must lie in
            the extending file's folder (or a folder below it) or in the bundled
            library, after resolving symbolic links.

    Raises:
        ScenarioError: Naming the file, the key path, the value and what was expected.
    """
    path = resolve_path(name_or_path)
    data, origins = _resolve_extends(
        path, _read_toml(path), (path.resolve(),), allow_outside=allow_outside
    )
    return _validate(
        data, file=str(path), name=safe_name(path.stem), origins=origins, from_file=True
    )


def parent_of(
    name_or_path: str | Path, *, allow_outside: bool = False
) -> tuple[str, Scenario] | None:
    """The scenario a file ``extends`` (as the file names it, and loaded), or None.

    Raises:
        ScenarioError: As :func:`load_scenario`, for the file or its parent.
    """
    path = resolve_path(name_or_path)
    parent_name = _read_toml(path).get("extends")
    if parent_name is None:
        return None
    if not isinstance(parent_name, str):
        raise ScenarioError(
            str(path), [Problem("extends", parent_name, "a file name such as 'baseline.toml'")]
        )
    parent = _parent_file(path, parent_name, allow_outside)
    return parent_name, load_scenario(parent, allow_outside=allow_outside)


def loads_scenario(text: str, *, name: str = "scenario") -> Scenario:
    """Validate a scenario given as TOML text (``extends`` is not available here).

    Like a scenario file, the text may not set ``name``; ``name`` names it instead.
    """
    return _validate(
        _parse_toml(text, "<string>"), file="<string>", name=name, origins=None, from_file=True
    )


# -- the JSON Schema for editors --------------------------------------------------------

_BY_NAME: dict[str, tuple[type[IntEnum], Mapping[str, IntEnum]]] = {
    "Issue": (Issue, ISSUE_NAMES),
    "Rung": (Rung, RUNG_NAMES),
}
"""Enumerations a file gives by name (``"exercises"``, ``"build_up"``) or by number."""


def _by_name(definition: dict[str, Any], names: Mapping[str, IntEnum]) -> dict[str, Any]:
    """A definition of an enumeration that takes a member's name or its number."""
    return {
        "description": definition.get("description", ""),
        "anyOf": [
            {"type": "string", "enum": list(names)},
            {"type": "integer", "enum": sorted(int(member) for member in names.values())},
        ],
    }


def _refs(node: Any) -> set[str]:
    """The names of the definitions ``node`` refers to (``#/$defs/NAME``)."""
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*map(_refs, node)) if node else set()
    return set()


def _reachable(definitions: Mapping[str, Any], start: str) -> set[str]:
    """``start`` and every definition it refers to, directly or not."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in definitions:
            continue
        seen.add(name)
        todo.extend(_refs(definitions[name]))
    return seen


_VALUE_KEYS = ("value", "low", "high", "mode", "mean")
"""Keys of a distribution whose values the parameter's valid bounds hold."""


def _within_bounds(info: ParamInfo, fields: Mapping[str, Any]) -> dict[str, Any] | None:
    """The rule that a distribution of parameter ``info`` keeps its values in its bounds."""
    limits: dict[str, float] = {}
    low, high = info.bounds
    if low is not None:
        limits["minimum"] = low
    if high is not None:
        limits["maximum"] = high
    if not limits:
        return None
    then: dict[str, Any] = {key: dict(limits) for key in _VALUE_KEYS if key in fields}
    if "values" in fields:
        then["values"] = {"items": dict(limits)}
    return {
        "if": {"properties": {"param": {"const": info.path}}, "required": ["param"]},
        "then": {"properties": then},
    }


def _lever_samples() -> tuple[dict[LeverKind, dict[str, Any]], dict[str, Any]]:
    """Each kind's example from the lever catalogue, and one sample value of every key."""
    examples: dict[LeverKind, dict[str, Any]] = {}
    samples: dict[str, Any] = {}
    for kind, doc in LEVER_DOCS.items():
        with contextlib.suppress(tomllib.TOMLDecodeError, KeyError, IndexError, TypeError):
            example = dict(tomllib.loads(doc.example)["levers"][0])
            examples[kind] = example
            for key, value in example.items():
                samples.setdefault(key, value)
    return examples, samples


def _lever_problems(data: Mapping[str, Any]) -> set[str]:
    """The keys at which :class:`Lever` reports a problem in ``data``."""
    try:
        Lever.model_validate(data)
    except ValidationError as error:
        return {problem.path.split(".")[0] for problem in problems_from(error, data)}
    return set()


def _lever_rules(kind: LeverKind, events: bool) -> dict[str, Any]:
    """The ``if kind = ... then ...`` rule of one lever kind: actors, level, its own keys.

    The valid range and the actors come from ``LEVEL_BOUNDS`` and ``ACTORS_BY_KIND``;
    the keys a kind needs or refuses are found by asking :class:`Lever` itself about
    the kind's example in the lever catalogue, so the schema says what validation does.
    """
    low, high = LEVEL_BOUNDS[kind]
    then: dict[str, Any] = {"properties": {"level": {"minimum": low, "maximum": high}}}
    if events:
        return {"if": {"properties": {"kind": {"const": kind.value}}}, "then": then}
    then["properties"]["actor"] = {"enum": sorted(actor.value for actor in ACTORS_BY_KIND[kind])}
    examples, samples = _lever_samples()
    example = examples.get(kind)
    if example is not None and not _lever_problems(example):
        fixed = {"actor", "kind", "level"}
        needed = [
            key
            for key in example
            if key not in fixed
            and key in _lever_problems({k: v for k, v in example.items() if k != key})
        ]
        refused = [
            key
            for key, value in samples.items()
            if key not in example
            and key not in fixed
            and key in _lever_problems({**example, key: value})
        ]
        if needed:
            then["required"] = needed
        if refused:
            then["not"] = {"anyOf": [{"required": [key]} for key in refused]}
    return {
        "if": {"properties": {"kind": {"const": kind.value}}, "required": ["kind"]},
        "then": then,
    }


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files, for editors (``crisis-sim schema``).

    It describes a file as written, after an editor reads its TOML as JSON (a date as
    an ISO string): ``params`` holds only the overrides, issues and rungs go by name
    (or number), brief ids, parameter paths, lever kinds with their actors and levels
    are checked, and ``extends`` names a parent. What relates one key to another (a
    week past the horizon, ordered parameters, a distribution's support within a
    parameter's bounds, two levers at odds) and what ``extends`` merges are beyond a
    JSON Schema: ``crisis-sim validate`` checks them.
    """
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "crisis_sim scenario"
    definitions = schema.setdefault("$defs", {})
    properties = schema.setdefault("properties", {})
    properties.pop("name", None)
    properties["extends"] = {
        "type": "string",
        "description": "A scenario to start from: a file relative to this one, or a bundled "
        "scenario's name (baseline or baseline.toml).",
    }
    for name, (_, names) in _BY_NAME.items():
        if name in definitions:
            definitions[name] = _by_name(definitions[name], names)
    for name in _reachable(definitions, "Params"):
        definitions[name].pop("required", None)
    properties.get("params", {}).pop("default", None)
    properties["brief_ids"] = {
        "type": "array",
        "items": {"type": "string", "enum": sorted(BRIEF)},
        "description": "Brief items the scenario exercises (ids from SEED-POSITIONS).",
    }
    infos = sorted(iter_params(), key=lambda info: info.path)
    for definition in definitions.values():
        fields = definition.get("properties", {})
        if "param" in fields and "distribution" in fields:
            fields["param"]["enum"] = [info.path for info in infos]
            definition["allOf"] = [rule for info in infos if (rule := _within_bounds(info, fields))]
    for name, events in (("Lever", False), ("Event", True)):
        definition = definitions.get(name)
        if definition is None:
            continue
        kinds = (
            [LeverKind(kind) for kind in definition["properties"]["kind"].get("enum", [])]
            if events
            else list(LeverKind)
        )
        definition["allOf"] = [_lever_rules(kind, events) for kind in kinds]
        if "ally" in definition["properties"]:
            definition["properties"]["ally"] = {"type": "string", "enum": list(ally_codes())}
        definition["properties"]["week"]["maximum"] = MAX_HORIZON
    return schema

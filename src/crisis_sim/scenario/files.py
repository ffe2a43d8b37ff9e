"""Scenario files: reading TOML, following ``extends``, validating, and the bundled library.

``extends = "baseline.toml"`` starts from another scenario: tables merge key by key,
and any other value (arrays included) replaces the parent's. ``extends`` may point
only into the extending file's own folder (or below it) or into the bundled library,
unless the caller allows more (``allow_outside``). Scenario files are data: nothing
in them is ever executed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path, PurePath
from typing import Any

from pydantic import ValidationError

from crisis_sim.model.params import Params
from crisis_sim.problems import (
    MISSING,
    Problem,
    clip,
)
from crisis_sim.scenario.errors import (
    Origins,
    ScenarioError,
    _problems_from,
    _unknown_key,
    _with_origin,
)
from crisis_sim.scenario.schema import MAX_EXTENDS, Scenario, cross_problems, safe_name

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
    try:
        scenario = Scenario.model_validate(content)
    except ValidationError as error:
        problems += _problems_from(error, content)
        reported = {problem.path for problem in problems}
        problems += [p for p in cross_problems(content) if p.path not in reported]
    if problems:
        if origins:
            problems = [_with_origin(problem, origins, file) for problem in problems]
        raise ScenarioError(file, problems)
    return scenario


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


def loads_scenario(text: str, *, name: str = "scenario") -> Scenario:
    """Validate a scenario given as TOML text (``extends`` is not available here).

    Like a scenario file, the text may not set ``name``; ``name`` names it instead.
    """
    return _validate(
        _parse_toml(text, "<string>"), file="<string>", name=name, origins=None, from_file=True
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario format, for editors (``crisis-sim schema``)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "crisis_sim scenario"
    schema.setdefault("properties", {}).pop("name", None)
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "Another scenario file to start from, relative to this one.",
    }
    return schema

"""Parameters as the rules read them: a number per parameter, or an array over worlds.

A model's parameters are the scenario's :class:`~crisis_sim.model.params.Params` with,
optionally, some parameters sampled per replication (an array of length R under
their dotted path). Per-issue parameters become arrays of shape (issues, 1) or
(issues, R), so every rule broadcasts over the worlds the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace

import numpy as np
from numpy.typing import ArrayLike

from crisis_sim.model.domain import ISSUES
from crisis_sim.model.params import Params, iter_params


def world_params(
    params: Params, sampled: Mapping[str, ArrayLike] | None, replications: int
) -> SimpleNamespace:
    """Build the namespace ``p`` the rules read, e.g. ``p.russia.resolve``.

    Args:
        params: The fixed parameters.
        sampled: Per-world values by dotted path (see
            :func:`crisis_sim.model.params.parameter_paths`), each of length ``replications``.
        replications: R, the number of worlds.

    Raises:
        ValueError: Naming the path, if a sampled path is unknown, has the wrong
            length, or holds a value outside the parameter's valid bounds.
    """
    data = params.model_dump()
    infos = {info.path: info for info in iter_params(params)}
    for path, values in (sampled or {}).items():
        if path not in infos:
            raise ValueError(f"sampled parameter {path!r} is not a model parameter")
        array = np.asarray(values, dtype=float)
        if array.shape != (replications,):
            raise ValueError(
                f"sampled parameter {path!r} has shape {array.shape}; expected ({replications},)"
            )
        lo, hi = infos[path].bounds
        if (
            not np.isfinite(array).all()
            or (lo is not None and (array < lo).any())
            or (hi is not None and (array > hi).any())
        ):
            raise ValueError(f"sampled parameter {path!r} has values outside [{lo}, {hi}]")
        node = data
        *parents, leaf = path.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = array
    groups = {}
    for group_name, fields in data.items():
        values = {}
        for name, value in fields.items():
            if isinstance(value, dict):
                rows = [np.asarray(value[issue.key], dtype=float) for issue in ISSUES]
                width = max(row.size for row in rows)
                values[name] = np.stack([np.broadcast_to(row, (width,)) for row in rows])
            else:
                values[name] = value
        groups[group_name] = SimpleNamespace(**values)
    return SimpleNamespace(**groups)

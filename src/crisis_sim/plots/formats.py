"""The figure formats: which there are, which are written by default, and checking a choice.

A module of its own, without matplotlib, so that the command line checks ``--formats``
before a run without importing the plotting library.
"""

from __future__ import annotations

from collections.abc import Sequence

FIGURE_FORMATS: tuple[str, ...] = ("png", "svg")
"""The formats :func:`~crisis_sim.plots.figures.save_figure` writes: PNG (raster) and SVG
(vector, reproducible)."""

DEFAULT_FORMATS: tuple[str, ...] = ("png",)
"""The formats written unless others are asked for: PNG alone, since every format costs a
full rendering of the figure (SVG on request: ``formats=("png", "svg")``, or
``--formats png,svg`` on the command line)."""


def figure_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """``formats`` checked and in their given order, each once, without a leading dot.

    Raises:
        ValueError: If ``formats`` is empty or names a format not in :data:`FIGURE_FORMATS`.
    """
    chosen = tuple(dict.fromkeys(name.strip().lower().lstrip(".") for name in formats))
    unknown = [name for name in chosen if name not in FIGURE_FORMATS]
    if unknown or not chosen:
        raise ValueError(
            f"unknown figure format {', '.join(map(repr, unknown)) or 'none given'}; "
            f"choose from {', '.join(FIGURE_FORMATS)}"
        )
    return chosen

"""Ensembles: many worlds of a scenario in chunks, their results as data, and their folders.

:mod:`~crisis_sim.ensemble.runner` runs a plan on any executor and resumes it, counting
each week of a chunk with :mod:`~crisis_sim.ensemble.counting`;
:mod:`~crisis_sim.ensemble.results` holds what it produced and reads and writes it;
:mod:`~crisis_sim.ensemble.outputs` makes sure the package writes only into folders it
owns; :mod:`~crisis_sim.ensemble.dask_cluster` starts private Dask clusters.

The names below are imported when first used (PEP 562), so that the command line
reads the output folders' rules without importing the runner and the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crisis_sim.lazy import public_names

if TYPE_CHECKING:
    from crisis_sim.ensemble.outputs import InterruptedRun, OutputExistsError, OutputFolder
    from crisis_sim.ensemble.results import Results
    from crisis_sim.ensemble.runner import ResumeError, resume, run

_PUBLIC: dict[str, str] = {
    "InterruptedRun": "crisis_sim.ensemble.outputs",
    "OutputExistsError": "crisis_sim.ensemble.outputs",
    "OutputFolder": "crisis_sim.ensemble.outputs",
    "Results": "crisis_sim.ensemble.results",
    "ResumeError": "crisis_sim.ensemble.runner",
    "resume": "crisis_sim.ensemble.runner",
    "run": "crisis_sim.ensemble.runner",
}
"""Each public name and the module it is imported from on first use."""

__all__ = [
    "InterruptedRun",
    "OutputExistsError",
    "OutputFolder",
    "Results",
    "ResumeError",
    "resume",
    "run",
]

__getattr__, __dir__ = public_names(__name__, _PUBLIC)

"""Ensembles: many worlds of a scenario in chunks, their results as data, and their folders.

:mod:`~crisis_sim.ensemble.runner` runs a plan on any executor and resumes it, counting
each week of a chunk with :mod:`~crisis_sim.ensemble.counting`;
:mod:`~crisis_sim.ensemble.results` holds what it produced and reads and writes it;
:mod:`~crisis_sim.ensemble.outputs` makes sure the package writes only into folders it
owns; :mod:`~crisis_sim.ensemble.dask_cluster` starts private Dask clusters.
"""

from crisis_sim.ensemble.outputs import OutputExistsError, OutputFolder
from crisis_sim.ensemble.results import Results
from crisis_sim.ensemble.runner import InterruptedRun, ResumeError, resume, run

__all__ = [
    "InterruptedRun",
    "OutputExistsError",
    "OutputFolder",
    "Results",
    "ResumeError",
    "resume",
    "run",
]

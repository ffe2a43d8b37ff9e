"""What a process pool's server loads once, before it forks the workers of a run.

A pool of the runner starts its workers from a server process (multiprocessing's
forkserver) that imports this module first. Importing it imports the runner, and with
it the model, and loads every compiled kernel (:func:`crisis_sim.model.compiled.
load_kernels`). Each worker forked from the server then starts with all of it in memory
pages it shares with the server and the other workers, copy on write: without this each
worker would compile or load its own kernels on its first chunk, about 130 MiB of memory
a worker, and pay for it in time too.
"""

from crisis_sim.ensemble import runner
from crisis_sim.model import compiled

KERNELS = compiled.load_kernels()
"""The number of kernels and elementwise rules loaded (all of the model's)."""

RUNNER = runner.__name__
"""The runner this server's workers run chunks with."""

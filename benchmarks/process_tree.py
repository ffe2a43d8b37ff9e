"""Measure a process and every process below it: CPU time and the simultaneous memory peak.

A process pool's workers are children of the forkserver, not of the process that asked
for them, so ``resource.getrusage(RUSAGE_CHILDREN)`` never counts them (they are reaped
by the forkserver, which outlives the run), and each worker's own ``ru_maxrss`` is a
peak at its own moment: summing the peaks overstates the memory the run ever held at
once. :class:`ProcessTree` samples the whole tree (this process and its descendants,
recursively, found by psutil) every ``interval`` seconds in a thread:

- CPU time: for each process seen, its user + system time at the last sample, less
  what it had used before the measurement began; this process's own is read at the end.
  A process that ends between two samples loses at most ``interval`` of CPU. The
  sampling thread's own CPU (reading /proc: tens of milliseconds a sample for a large
  process) is this process's too; it is measured and left out.
- The simultaneous peak: the largest sum over the tree's processes, at one sample, of
  each one's proportional set size (PSS: its private pages, plus each page it shares
  divided by the number of processes sharing it), so the pages a forkserver shares with
  the workers it forked are counted once; where the platform gives no PSS, the resident
  set size (which counts shared pages in every process, an upper bound).
- Reading PSS is not free: the kernel walks each process's memory map for it, and at a
  sample every 50 ms the sampling thread took 1.3 s of CPU in an 8.5 s run of 200,000
  worlds on two workers, a sixth of a core the workers then did not have (the run took
  0.7 s longer). ``ProcessTree(memory=False)`` reads CPU times alone (a few
  microseconds a process), for the runs whose wall time is the figure.

Used by bench_ensemble.py, bench_core.py and bench_run.py; psutil is in the test extra.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

import psutil

MIB = 2**20


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


@dataclass
class ProcessTree:
    """CPU seconds and peak simultaneous RSS of this process's tree while a block runs.

    Use as ``with ProcessTree() as tree: ...``, then read :attr:`cpu_seconds`,
    :attr:`peak_mib`, :attr:`wall_seconds` and :attr:`processes`.
    """

    interval: float = 0.05
    memory: bool = True
    """Sample the memory (PSS) too; False for runs timed by their wall time (see above)."""
    cpu_seconds: float = 0.0
    peak_mib: float = 0.0
    """The simultaneous memory peak, MiB (0 without ``memory``)."""
    wall_seconds: float = 0.0
    processes: int = 0
    """Processes seen in the tree, this one included."""
    sampler_seconds: float = 0.0
    """CPU time of the sampling thread itself (reading each process's memory map in
    /proc), which is this process's CPU but not the run's: left out of ``cpu_seconds``."""
    _start_cpu: dict[int, float] = field(default_factory=dict)
    _last_cpu: dict[int, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _started: float = 0.0

    @staticmethod
    def _memory(process: psutil.Process) -> int:
        try:
            return process.memory_full_info().pss
        except (AttributeError, psutil.AccessDenied):
            return process.memory_info().rss

    def _sample(self) -> None:
        me = psutil.Process(os.getpid())
        total = 0
        try:
            members = [me, *me.children(recursive=True)]
        except psutil.Error:
            return
        for process in members:
            try:
                with process.oneshot():
                    total += self._memory(process) if self.memory else 0
                    cpu = _cpu(process)
            except psutil.Error:
                continue
            self._start_cpu.setdefault(process.pid, 0.0)
            self._last_cpu[process.pid] = cpu
        self.peak_mib = max(self.peak_mib, total / MIB)

    def _watch(self) -> None:
        started = time.thread_time()
        while not self._stop.wait(self.interval):
            self._sample()
        self.sampler_seconds = time.thread_time() - started

    def __enter__(self) -> ProcessTree:
        """Start sampling; processes already in the tree count only their CPU from now."""
        me = psutil.Process(os.getpid())
        for process in [me, *me.children(recursive=True)]:
            try:
                self._start_cpu[process.pid] = _cpu(process)
            except psutil.Error:
                continue
        self._started = time.perf_counter()
        self._sample()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop sampling and total the CPU of every process seen."""
        self._sample()
        self._stop.set()
        assert self._thread is not None
        self._thread.join()
        self.wall_seconds = time.perf_counter() - self._started
        measured = sum(
            max(self._last_cpu[pid] - self._start_cpu.get(pid, 0.0), 0.0) for pid in self._last_cpu
        )
        self.cpu_seconds = max(measured - self.sampler_seconds, 0.0)
        self.processes = len(self._last_cpu)

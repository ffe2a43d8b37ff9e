"""Private local Dask clusters and guarded connections to user-given schedulers.

:func:`private_client` starts a ``LocalCluster``-like cluster (a scheduler in this
process, one single-threaded worker process per requested worker, each watched by a
nanny in this process) that no other local process can use:

* every server (scheduler, nannies, workers) listens on ``127.0.0.1`` only;
* every connection is TLS with mutual authentication, using a throwaway self-signed
  certificate made by :meth:`distributed.security.Security.temporary` that exists only
  in the memory of this process and of the workers it spawns: a client without it
  cannot connect, let alone run code in the workers;
* no HTTP server is started at all. ``dashboard_address=None`` is not enough for that:
  the scheduler and every worker still start an HTTP server (scheduler on port 8787,
  workers on a random port) serving ``/info``, ``/json``, ``/metrics`` and
  ``/health`` without any authentication (dask/distributed issues #6301 and #7207).
  The scheduler and worker classes used here skip ``start_http_server``, and
  :func:`private_client` refuses to hand out a client if any node still reports an
  HTTP service;
* worker processes die with this process, even while a task holds the GIL: on Linux
  each worker asks the kernel (``prctl(PR_SET_PDEATHSIG, SIGKILL)``) to be killed
  when the process that spawned it dies, on top of Dask's own watchdog thread (which
  needs the GIL, so it cannot stop a worker stuck in a long C call).

:func:`connect` connects to a scheduler address the user gave and turns every failure
(closed port, bad address, a listener that accepts but never answers) into a
one-line :class:`DaskUnavailable` within ``timeout`` seconds.

This module needs Dask ``distributed`` and, for the temporary certificate,
``cryptography``; import it where the ``dask`` executor is chosen.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

from distributed import Client, Nanny, Scheduler, SpecCluster, Worker
from distributed.comm import connect as _comm_connect
from distributed.security import Security
from distributed.worker_memory import parse_memory_limit

__all__ = ["HOST", "DaskUnavailable", "connect", "private_client"]

HOST = "127.0.0.1"
"""The only interface the servers of a private cluster listen on."""

_logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class DaskUnavailable(RuntimeError):
    """A Dask scheduler cannot be reached; the message is one line saying what to do."""


class _NoHTTPScheduler(Scheduler):
    """A scheduler without the HTTP server that ``Scheduler`` always starts."""

    def start_http_server(self, *args: Any, **kwargs: Any) -> None:
        """Start nothing: no dashboard, ``/info``, ``/json``, ``/metrics`` or ``/health``."""


class _PrivateWorker(Worker):
    """A worker without an HTTP server that dies with the process that spawned it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _die_with_parent()
        super().__init__(*args, **kwargs)

    def start_http_server(self, *args: Any, **kwargs: Any) -> None:
        """Start nothing: no ``/metrics``, ``/health`` or worker dashboard."""


def _die_with_parent() -> None:
    """Have the kernel SIGKILL this process when the process that spawned it dies.

    Runs in a worker process, which Dask's nanny spawns with ``multiprocessing``.
    A no-op outside Linux, outside a ``multiprocessing`` child, and where the OS
    parent is not the spawning process (the ``forkserver`` start method); Dask's
    watchdog thread still covers those cases. The death signal follows the thread
    of the spawning process that started this one, which in Dask is the thread that
    watches this worker process and lives as long as the nanny keeps it.
    """
    parent = multiprocessing.parent_process()
    if parent is None or not sys.platform.startswith("linux"):
        return
    ppid = os.getppid()
    if ppid != parent.pid:
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        failed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0
    except (OSError, AttributeError):
        failed = True
    if failed:
        _logger.warning("could not set PR_SET_PDEATHSIG; relying on Dask's watchdog")
        return
    if os.getppid() != ppid:  # the parent died before the death signal was armed
        os._exit(1)


def _cluster(workers: int, security: Security) -> SpecCluster:
    """Start the cluster of :func:`private_client`.

    It is what ``LocalCluster(n_workers=workers, threads_per_worker=1,
    processes=True)`` starts, but private: see the module docstring.
    """
    common: dict[str, Any] = {"host": HOST, "protocol": "tls://", "security": security}
    scheduler = {
        "cls": _NoHTTPScheduler,
        "options": {**common, "port": 0, "dashboard": False, "dashboard_address": None},
    }
    worker = {
        "cls": Nanny,
        "options": {
            **common,
            "nthreads": 1,
            "worker_class": _PrivateWorker,
            "dashboard": False,
            "dashboard_address": None,
            "memory_limit": parse_memory_limit("auto", 1, workers, logger=_logger),
            "silence_logs": logging.WARN,
        },
    }
    return SpecCluster(
        scheduler=scheduler,
        workers=dict.fromkeys(range(workers), worker),
        worker=worker,
        security=security,
        silence_logs=logging.WARN,
    )


def _check_private(client: Client, workers: int) -> None:
    """Raise RuntimeError unless ``workers`` workers are up and no node serves HTTP."""
    client.wait_for_workers(workers)
    info = client.scheduler_info()
    if info.get("services"):
        raise RuntimeError(f"the private Dask scheduler serves {sorted(info['services'])}")
    for address, worker in info.get("workers", {}).items():
        if worker.get("services"):
            raise RuntimeError(
                f"the private Dask worker {address} serves {sorted(worker['services'])}"
            )


@contextlib.contextmanager
def _private_client(workers: int) -> Iterator[Client]:
    security = Security.temporary()
    cluster = _cluster(workers, security)
    try:
        client = Client(cluster, security=security)
        try:
            _check_private(client, workers)
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def private_client(workers: int) -> AbstractContextManager[Client]:
    """Start a private local Dask cluster and yield a client connected to it.

    The cluster has ``workers`` single-threaded worker processes, listens on
    127.0.0.1 only, runs no HTTP server, and accepts only TLS connections that
    present the throwaway client certificate held by this process, so no other
    local process can submit work to it. Worker processes die with this process.
    The client and the cluster are closed when the ``with`` block ends, also on an
    exception or KeyboardInterrupt.

    Args:
        workers: Number of worker processes, at least 1.

    Returns:
        A context manager whose value is the connected :class:`distributed.Client`.

    Raises:
        ValueError: ``workers`` is not a positive integer.
        ImportError: ``cryptography`` is missing (needed for the certificate).
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, not {workers!r}")
    return _private_client(workers)


async def _identify(address: str, timeout: float, security: Security) -> dict[str, Any]:
    """Open a comm to ``address`` and ask it who it is, all within ``timeout``."""

    async def ask() -> dict[str, Any]:
        comm = await _comm_connect(
            address, timeout=timeout, **security.get_connection_args("client")
        )
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    return await asyncio.wait_for(ask(), timeout)


def _reason(error: BaseException, timeout: float) -> str:
    """One line saying why a connection failed."""
    if isinstance(error, TimeoutError | asyncio.TimeoutError):
        return f"no answer within {timeout:g} s"
    if "ssl_context" in str(error):
        return "a tls:// address needs Dask's TLS client settings (distributed.comm.tls)"
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def connect(address: str, timeout: float = 10.0) -> Client:
    """Connect to the Dask scheduler at ``address``.

    The scheduler is first asked for its identity over a connection that must
    answer within ``timeout`` seconds, so a closed port, a bad address or a
    listener that is not a Dask scheduler fails within about ``timeout`` seconds
    instead of Dask's 30 s default (or never, for a listener that accepts but does
    not speak). TLS settings, if the scheduler needs them, come from Dask's
    configuration (``distributed.comm.tls``), as for a plain ``Client``.

    Args:
        address: Scheduler address, e.g. ``tcp://10.0.0.5:8786``.
        timeout: Seconds to wait for the scheduler to answer.

    Returns:
        A :class:`distributed.Client` connected to the scheduler; close it when done.

    Raises:
        DaskUnavailable: The scheduler cannot be reached; the message is one line
            naming the address and what to do.
    """
    security = Security()

    def unavailable(reason: str) -> DaskUnavailable:
        return DaskUnavailable(
            f"cannot reach a Dask scheduler at {address!r}: {reason}; "
            "start the scheduler or check the address"
        )

    try:
        with ThreadPoolExecutor(1, thread_name_prefix="crisis-sim-dask-probe") as pool:
            identity = pool.submit(asyncio.run, _identify(address, timeout, security)).result()
    except Exception as error:
        raise unavailable(_reason(error, timeout)) from None
    kind = identity.get("type") if isinstance(identity, dict) else None
    if kind != "Scheduler":
        raise unavailable(f"it answers as {kind or 'something else'}, not as a scheduler")
    try:
        return Client(address, timeout=timeout, security=security)
    except Exception as error:
        raise unavailable(_reason(error, timeout)) from None

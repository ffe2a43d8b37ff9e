"""A private local Dask cluster, and connecting to a user-given scheduler.

The cluster of ``private_client`` must run work for its own client only: no other
local process may connect to it (every port is TLS and demands this process's
throwaway client certificate), nothing of it serves HTTP, and its worker processes
must not outlive the main process. ``connect`` must fail fast with one line.
"""

from __future__ import annotations

import operator
import os
import select
import signal
import socket
import ssl
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")
pytest.importorskip("cryptography")
psutil = pytest.importorskip("psutil")

from distributed import Client  # noqa: E402
from distributed.security import Security  # noqa: E402

from crisis_sim.ensemble.dask_cluster import HOST, DaskUnavailable, connect, private_client  # noqa: E402

pytestmark = pytest.mark.slow  # every test starts a Dask cluster or waits out a connect timeout


def _listening_ports() -> set[int]:
    """TCP ports that this process or one of its children listens on."""
    me = psutil.Process()
    ports = set()
    for proc in [me, *me.children(recursive=True)]:
        # net_connections is psutil >= 6.0; connections is its older name.
        list_connections = getattr(proc, "net_connections", None) or proc.connections
        try:
            connections = list_connections(kind="inet")
        except psutil.Error:
            continue
        ports |= {c.laddr.port for c in connections if c.status == psutil.CONN_LISTEN}
    return ports


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    """The processes that still run (a zombie is dead: it only awaits reaping)."""
    alive = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except psutil.NoSuchProcess:
            pass
    return alive


def _wait_gone(procs: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    deadline = time.monotonic() + seconds
    while (alive := _alive(procs)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


@pytest.fixture(scope="module")
def cluster():
    """A private cluster of one worker, and the ports listened on before it started."""
    before = _listening_ports()
    with private_client(1) as client:
        yield client, before


def test_a_task_runs_in_a_worker_process_and_returns(cluster):
    client, _ = cluster
    assert client.submit(operator.add, 2, 3).result(timeout=30) == 5
    worker_pid = client.submit(os.getpid, pure=False).result(timeout=30)
    assert worker_pid != os.getpid()
    assert worker_pid in {p.pid for p in psutil.Process().children(recursive=True)}
    assert client.scheduler.address.startswith(f"tls://{HOST}:")


@pytest.mark.parametrize(
    "how",
    ["no credentials", "its own certificate", "plain tcp"],
)
def test_a_foreign_client_cannot_connect_or_run_a_task(cluster, how, tmp_path):
    client, _ = cluster
    address = client.scheduler.address
    kwargs = {}
    if how == "its own certificate":
        kwargs["security"] = Security.temporary()
    elif how == "plain tcp":
        address = address.replace("tls://", "tcp://")
    ran = tmp_path / "the foreign task ran"
    started = time.monotonic()
    # Dask refuses with OSError, TypeError or TimeoutError, or (under load, while it
    # tears down its event loop after the failed handshake) an AssertionError of its
    # own: what matters is that the client fails and its task never runs.
    with pytest.raises(Exception) as refused:
        foreign = Client(address, timeout=2, set_as_default=False, **kwargs)
        try:
            foreign.submit(ran.touch, pure=False).result(timeout=5)
        finally:
            foreign.close()
    assert isinstance(refused.value, OSError | TypeError | TimeoutError | AssertionError)
    assert not ran.exists()
    assert time.monotonic() - started < 60, "the refusal does not hang"


def _tls_session(port: int, context: ssl.SSLContext) -> bool:
    """Whether the server at ``port`` keeps a TLS session open with this client."""
    with socket.create_connection((HOST, port), timeout=3) as raw:
        try:
            with context.wrap_socket(raw) as tls:
                tls.settimeout(1)
                try:
                    return tls.recv(1) != b""
                except TimeoutError:
                    return True  # waiting for us to speak: the session is up
        except (ssl.SSLError, ConnectionError):
            return False


def _plain_http_answer(port: int) -> bytes:
    with socket.create_connection((HOST, port), timeout=3) as s:
        s.sendall(b"GET /info/main/workers.html HTTP/1.1\r\nHost: localhost\r\n\r\n")
        try:
            return s.recv(64)
        except (TimeoutError, ConnectionError):
            return b""


def test_nothing_listens_but_the_tls_comms_that_demand_our_certificate(cluster):
    client, before = cluster
    info = client.scheduler_info()
    dask_ports = {_port(client.scheduler.address)}
    for address, worker in info["workers"].items():
        dask_ports |= {_port(address), _port(worker["nanny"])}
    new_ports = _listening_ports() - before
    # Scheduler, nanny and worker comms; no HTTP server on 8787 or anywhere else.
    assert new_ports == dask_ports
    assert len(new_ports) == 3
    assert 8787 not in new_ports
    assert info["services"] == {}

    ours = client.security.get_connection_args("client")["ssl_context"]
    foreign = Security.temporary().get_connection_args("client")["ssl_context"]
    foreign.check_hostname = False
    foreign.verify_mode = ssl.CERT_NONE  # accept the server: let the server judge us
    anonymous = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    anonymous.check_hostname = False
    anonymous.verify_mode = ssl.CERT_NONE
    for port in sorted(new_ports):
        assert not _plain_http_answer(port).startswith(b"HTTP/"), port
        assert _tls_session(port, ours), port
        assert not _tls_session(port, foreign), port
        assert not _tls_session(port, anonymous), port


def test_the_cluster_is_closed_when_the_block_raises():
    with pytest.raises(KeyboardInterrupt), private_client(1) as client:
        worker = psutil.Process(client.submit(os.getpid, pure=False).result(timeout=30))
        assert worker in psutil.Process().children(recursive=True)
        scheduler_port = _port(client.scheduler.address)
        raise KeyboardInterrupt
    assert not _wait_gone([worker], 10)
    assert scheduler_port not in _listening_ports()
    assert client.status == "closed"


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_private_client_needs_a_positive_number_of_workers(workers):
    with pytest.raises(ValueError, match="workers"):
        private_client(workers)


@pytest.fixture
def mute_listener():
    """A port that accepts connections and never says anything."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        s.listen()
        yield f"tcp://{HOST}:{s.getsockname()[1]}"


@pytest.mark.parametrize("kind", ["closed port", "mute listener", "bad address"])
def test_connect_fails_fast_with_one_line(kind, request):
    if kind == "closed port":
        address = f"tcp://{HOST}:{_free_port()}"
    elif kind == "mute listener":
        address = request.getfixturevalue("mute_listener")
    else:
        address = "tcp://127.0.0.1"  # no port
    started = time.monotonic()
    with pytest.raises(DaskUnavailable) as caught:
        connect(address, timeout=2)
    assert time.monotonic() - started < 60, "connect gives up instead of hanging"
    message = str(caught.value)
    assert address in message
    assert "\n" not in message
    assert "start the scheduler or check the address" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert isinstance(caught.value, RuntimeError)


_MAIN = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path

    import psutil

    from crisis_sim.ensemble.dask_cluster import private_client


    def hog(path):
        Path(path).touch()
        return sum(range(10**12))  # one C call: holds the GIL for minutes


    if __name__ == "__main__":
        marks = sys.argv[1]
        with private_client(2) as client:
            futures = [
                client.submit(hog, os.path.join(marks, str(i)), pure=False) for i in range(2)
            ]
            while len(os.listdir(marks)) < 2:
                time.sleep(0.05)
            children = psutil.Process().children(recursive=True)
            print(" ".join(str(p.pid) for p in children), flush=True)
            time.sleep(600)
    """
)


# 7-8 s each on two loaded cores: a main process starts a cluster (slow, as the whole file)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_no_child_outlives_a_killed_main_process(tmp_path: Path, signum):
    script = tmp_path / "main.py"
    script.write_text(_MAIN)
    marks = tmp_path / "marks"
    marks.mkdir()
    with (tmp_path / "stderr.txt").open("w+") as stderr:
        main = subprocess.Popen(
            [sys.executable, str(script), str(marks)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        children: list[psutil.Process] = []
        try:
            ready, _, _ = select.select([main.stdout], [], [], 60)
            line = main.stdout.readline() if ready else ""
            stderr.seek(0)
            assert line.strip(), f"the main process printed no pids: {stderr.read()[-2000:]}"
            children = [psutil.Process(int(pid)) for pid in line.split()]
            # Two workers busy in a GIL-holding call, and multiprocessing's resource tracker.
            assert len(_alive(children)) >= 3
            main.send_signal(signum)
            main.wait(timeout=10)
            survivors = _wait_gone(children, 15)
            assert not survivors, [(p.pid, p.cmdline()[-3:]) for p in survivors]
        finally:
            for proc in _alive(children):
                proc.kill()
            if main.poll() is None:
                main.kill()
                main.wait()

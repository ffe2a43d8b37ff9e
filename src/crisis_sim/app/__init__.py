"""The web app: watch one world as a Mesa model, explore an ensemble, with no network.

``crisis-sim app [SCENARIO] [--port N]`` calls :func:`serve`, which starts Solara's
server on 127.0.0.1 with the pages of :mod:`crisis_sim.app.pages`. It needs the
``app`` extra (``pip install 'crisis-sim[app]'``): Solara, its JavaScript and CSS as
a pip package (``solara-assets``), Mesa's visualisation and ipyvue/ipyvuetify 1.x.

Offline by construction (docs/APP.md): the page loads every script, style and font
from the server's own ``/_solara/cdn/`` path, which Solara serves from the folder
``solara-assets`` installs; the server's telemetry and its check for a newer
version are off; and the address Solara would fetch a missing asset from is set to
a closed port on 127.0.0.1, so a missing asset fails on this machine instead of
reaching out.

The app's state (:mod:`crisis_sim.app.world`, :mod:`crisis_sim.app.explorer`) needs
none of this and is imported without Solara.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import socket
from pathlib import Path

__all__ = [
    "HOST",
    "SCENARIO_VARIABLE",
    "MissingExtra",
    "assets_folder",
    "check_extra",
    "offline_environment",
    "serve",
]

HOST = "127.0.0.1"
"""The only address the app listens on."""

EXTRA_HINT = "pip install 'crisis-sim[app]'"
"""What to run when the app's extra is missing."""

_NEEDED = {
    "solara": "solara",
    "solara_assets": "solara-assets",
    "mesa.visualization": "mesa[viz]",
    "altair": "altair",
    "ipyvuetify": "ipyvuetify",
}
"""Modules the app needs, with the package that brings each."""

SCENARIO_VARIABLE = "CRISIS_SIM_APP_SCENARIO"
"""The environment variable that names the scenario the pages start with."""

CLOSED_CDN = "http://127.0.0.1:9/"
"""Where Solara would fetch a missing asset from: the discard port on this machine."""


class MissingExtra(ImportError):
    """The app's extra, or part of it, is not installed (the message says what to run)."""


def _missing() -> list[str]:
    missing = []
    for module, package in _NEEDED.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            missing.append(package)
    return missing


def _major(package: str) -> int:
    return int(importlib.metadata.version(package).split(".")[0])


def assets_folder() -> Path:
    """The folder of Solara's assets that ``solara-assets`` installed.

    Raises:
        MissingExtra: If the package or the assets this Solara's page asks for are missing.
    """
    try:
        distribution = importlib.metadata.distribution("solara-assets")
    except importlib.metadata.PackageNotFoundError:
        raise MissingExtra(f"the web app needs solara-assets: {EXTRA_HINT}") from None
    marker = next((str(f) for f in distribution.files or () if "share/solara/cdn/" in str(f)), None)
    if marker is None:
        raise MissingExtra(f"solara-assets installed no assets: {EXTRA_HINT}")
    folder = Path(str(distribution.locate_file(marker.split("share/solara/cdn/")[0])))
    folder = (folder / "share" / "solara" / "cdn").resolve()
    spec = importlib.util.find_spec("solara")
    if spec is None or spec.origin is None:
        raise MissingExtra(f"the web app needs solara: {EXTRA_HINT}")
    template = Path(spec.origin).parent
    page = (template / "server" / "templates" / "solara.html.j2").read_text(encoding="utf-8")
    wanted = set(re.findall(r"@widgetti/solara-vuetify-app@[0-9][^/]*", page))
    absent = sorted(name for name in wanted if not (folder / name).is_dir())
    if absent:
        raise MissingExtra(
            f"Solara {importlib.metadata.version('solara')} asks for {', '.join(absent)}, which "
            f"solara-assets {distribution.version} does not hold: {EXTRA_HINT} installs a "
            "matching pair"
        )
    return folder


def offline_environment() -> dict[str, str]:
    """The environment variables that keep Solara's server on this machine."""
    return {
        "SOLARA_ASSETS_PROXY": "True",
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(assets_folder()),
        "SOLARA_ASSETS_CDN": CLOSED_CDN,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    }


def check_extra() -> None:
    """Check that the app's extra is installed as it must be.

    Raises:
        MissingExtra: Naming what is missing and ``pip install 'crisis-sim[app]'``.
    """
    missing = _missing()
    if missing:
        raise MissingExtra(f"the web app needs {', '.join(missing)}: {EXTRA_HINT}")
    if _major("ipyvue") >= 2 or _major("ipyvuetify") >= 2:
        raise MissingExtra(
            "the web app needs ipyvue and ipyvuetify 1.x (with 3.x Mesa's page stays empty): "
            f"{EXTRA_HINT}"
        )
    assets_folder()


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def serve(scenario: str | None = None, *, port: int = 8765) -> int:
    """Serve the app on 127.0.0.1:``port`` until interrupted; return an exit code.

    Args:
        scenario: The scenario both pages start with (a bundled name or a file);
            the baseline if None.
        port: The port to listen on.

    Raises:
        MissingExtra: If the app's extra is not installed.
        OSError: If the port is taken.
    """
    check_extra()
    if not _port_free(port):
        raise OSError(f"port {port} on {HOST} is in use: choose another with --port")
    os.environ.update(offline_environment())
    if scenario is not None:
        path = Path(scenario)
        os.environ[SCENARIO_VARIABLE] = str(path.resolve()) if path.is_file() else scenario
    import click
    from solara.__main__ import run as solara_run

    print(f"crisis-sim app: serving on http://{HOST}:{port}/ (Ctrl-C stops it)", flush=True)
    argv = [
        "crisis_sim.app.pages",
        f"--host={HOST}",
        f"--port={port}",
        "--no-open",
        "--production",
        "--no-check-version",
    ]
    try:
        solara_run.main(argv, standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        print("crisis-sim app: stopped", flush=True)
    return 0

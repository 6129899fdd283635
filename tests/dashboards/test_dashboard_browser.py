"""The real thing: `vigil dashboard`'s command serves the page, and a headless browser renders it.

Starts ``python -m streamlit run`` with the argv and environment of
:func:`dashboards.launch.streamlit_command` on a free port against a seeded SQLite store, then
asks headless Chromium for a screenshot and the rendered DOM of every page (Fleet, Model,
Model's performance, bias, variants and distribution views, SLOs, Incidents, Runbooks,
Silences). Skipped when Chromium is not
installed, except under ``CI=true``, where a missing browser fails the test.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from dashboard_seed import DRIFTING_FEATURE, INCIDENT_TITLE, MODEL, PROTECTED, UNREGISTERED_MODEL

from dashboards.launch import APP_PATH, streamlit_command

pytestmark = pytest.mark.slow

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = Path("/usr/bin/chromium")

#: How long the server may take to answer its health check.
SERVE_TIMEOUT_S = 30.0

#: Chromium renders with virtual time, and Streamlit's websocket does not hold virtual time
#: back: the budget can run out before the page arrives (usually on the first runs of a cold
#: server, then about one run in four). A page without its tables is retried until this passes.
RENDER_DEADLINE_S = 60.0

#: A PNG of the blank 1280x900 shell is about 8 kB; the rendered page is several times that.
MIN_SCREENSHOT_BYTES = 20_000


@dataclass(frozen=True)
class Served:
    url: str
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_serving(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVE_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=1.0).text == "ok":
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"streamlit did not serve within {SERVE_TIMEOUT_S} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and anything it started (it leads its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def chromium() -> Path:
    if CHROMIUM.is_file():
        return CHROMIUM
    message = f"{CHROMIUM} is not installed (apt-get install chromium)"
    if IN_CI:
        pytest.fail(message + "; CI=true: the browser test must run")
    pytest.skip(message)


@pytest.fixture
def served(seeded_url: str, tmp_path: Path) -> Iterator[Served]:
    """The dashboard served by the real command line, stopped at the end of the test."""
    port = _free_port()
    argv, env = streamlit_command(APP_PATH, seeded_url, "127.0.0.1", port, "Vigil — model health")
    log = tmp_path / "streamlit.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv,
            env={**os.environ, **env},
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(process, url, log)
        yield Served(url=url, log=log)
    finally:
        _stop(process)


def _render(chromium: Path, url: str, screenshot: Path, profile: Path) -> str:
    """Screenshot ``url`` and return its DOM, both taken by one Chromium run at the same moment."""
    done = subprocess.run(
        [
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--screenshot={screenshot}",
            "--dump-dom",
            "--window-size=1280,900",
            "--virtual-time-budget=15000",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@dataclass(frozen=True)
class PageCheck:
    """A page to load, what shows it has rendered, and texts it must then contain."""

    name: str
    path: str
    ready: str
    texts: tuple[str, ...]


#: Every page of the app; ``ready`` is in the DOM only once the page's data has arrived.
PAGES = (
    PageCheck("fleet", "/", "features drifting", (MODEL, UNREGISTERED_MODEL, "Open model page")),
    PageCheck("model", "/model", 'data-testid="stDataFrame"', (MODEL, DRIFTING_FEATURE)),
    PageCheck(
        "model-performance",
        f"/model?model={MODEL}&view=performance",
        'data-testid="stVegaLiteChart"',
        ("Realized: labelled predictions",),
    ),
    PageCheck(
        "model-bias",
        f"/model?model={MODEL}&view=bias",
        'data-testid="stVegaLiteChart"',
        ("Bias by group", PROTECTED),
    ),
    PageCheck(
        "model-variants",
        f"/model?model={MODEL}&view=variants",
        'data-testid="stVegaLiteChart"',
        ("Variants",),
    ),
    PageCheck(
        "model-distribution",
        f"/model?model={MODEL}&view=distribution&feature={DRIFTING_FEATURE}",
        'data-testid="stVegaLiteChart"',
        ("Reference mean", "Current mean"),
    ),
    PageCheck("slos", "/slos", 'data-testid="stDataFrame"', ("Burn rate per window",)),
    PageCheck(
        "incidents",
        "/incidents",
        "Time to acknowledge",
        (INCIDENT_TITLE, "Approve rollback", "Open incidents only"),
    ),
    PageCheck("runbooks", "/runbooks?runbook=feature-drift", "How to diagnose", ("FeatureDrift",)),
    PageCheck(
        "silences",
        "/silences?matchers=alertname%3D%22FeatureDrift%22",
        "No active or pending silences",
        ("New silence", "API key"),
    ),
)


def _render_until_ready(chromium: Path, served: Served, page: PageCheck, tmp_path: Path) -> str:
    """Render ``page`` until its data shows or :data:`RENDER_DEADLINE_S` passes; fail on an exception."""
    screenshot = tmp_path / f"dashboard-{page.name}.png"
    deadline = time.monotonic() + RENDER_DEADLINE_S
    attempts = 0
    while True:
        attempts += 1
        screenshot.unlink(missing_ok=True)
        profile = tmp_path / f"chromium-profile-{page.name}-{attempts}"
        dom = _render(chromium, served.url + page.path, screenshot, profile)
        (tmp_path / f"dom-{page.name}-{attempts}.html").write_text(dom)
        assert "stException" not in dom, (
            f"{page.name}, attempt {attempts}:\n{served.log.read_text()}"
        )
        if page.ready in dom or time.monotonic() > deadline:
            break
    assert page.ready in dom, f"{page.name}: not rendered in {attempts} attempts"
    png = screenshot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > MIN_SCREENSHOT_BYTES
    if target := os.environ.get("VIGIL_SCREENSHOT_DIR"):
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy2(screenshot, Path(target) / screenshot.name)
    return dom


def test_every_served_page_renders_its_data_without_an_exception(
    chromium: Path, served: Served, tmp_path: Path
) -> None:
    for page in PAGES:
        dom = _render_until_ready(chromium, served, page, tmp_path)
        missing = [text for text in page.texts if text not in dom]
        assert not missing, f"{page.name}: {missing} not in the page"

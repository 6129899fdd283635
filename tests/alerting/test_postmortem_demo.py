"""The postmortem of the demo's incident: a golden Markdown draft, its files, HTML in Chromium.

The demo (``vigil.demo.run.simulate``) runs once for the module in a temp folder and writes
the draft of its drift incident there; the golden file is that draft with the temp folder
replaced by ``<demo>``. Regenerate it with ``VIGIL_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from store.db import create_store_engine
from vigil.cli import main
from vigil.config import load_config
from vigil.demo.run import START, DemoResult, simulate
from vigil.postmortem_cli import write_postmortem

GOLDEN = Path(__file__).parent / "golden" / "postmortem_demo.md"
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = Path("/usr/bin/chromium")
PNG = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return simulate(tmp_path_factory.mktemp("demo"), hours=12, echo=False)


def _normalized(text: str, workdir: Path) -> str:
    return text.replace(workdir.resolve().as_uri(), "file://<demo>").replace(
        str(workdir.resolve()), "<demo>"
    )


def test_the_demo_ends_with_its_drift_incident_drafted_as_in_the_golden_file(
    demo: DemoResult,
) -> None:
    assert demo.postmortem is not None
    assert demo.postmortem.parent == demo.workdir
    text = _normalized(demo.postmortem.read_text(encoding="utf-8"), demo.workdir)
    if os.environ.get("VIGIL_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_the_charts_and_the_evidently_report_are_written_beside_the_markdown(
    demo: DemoResult,
) -> None:
    assert demo.postmortem is not None
    stem = demo.postmortem.stem
    text = demo.postmortem.read_text(encoding="utf-8")
    for name in (f"{stem}-income-wasserstein.png", f"{stem}-purpose-jensen-shannon.png"):
        assert f"]({name})" in text
        png = (demo.workdir / name).read_bytes()
        assert png.startswith(PNG) and len(png) > 10_000
    report = demo.workdir / f"{stem}-evidently.html"
    assert f"]({report.name})" in text
    page = report.read_text(encoding="utf-8")
    assert "<title>Data drift of credit-risk: 2026-03-02 05:10 to 2026-03-02 12:00 UTC" in page
    assert "(9840 predictions against 5000 reference rows)" in page
    assert "(2 out of 7)" in page  # Evidently finds the same two drifted features


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.images: list[str] = []
        self.loads: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3"):
            self._in = tag
            self.headings.append("")
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        if tag in ("script", "link", "iframe"):
            self.loads.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.headings[-1] += data


def _html(demo: DemoResult, out: Path) -> Path:
    config = load_config(demo.config_path)
    engine = create_store_engine(config.storage.url)
    try:
        write_postmortem(config, engine, 2, "html", out, START + timedelta(hours=12), False)
    finally:
        engine.dispose()
    return out


def test_the_html_draft_is_one_page_with_the_charts_inside_and_the_human_sections(
    demo: DemoResult, tmp_path: Path
) -> None:
    page = _html(demo, tmp_path / "pm.html").read_text(encoding="utf-8")
    parsed = _Page()
    parsed.feed(page)
    assert parsed.loads == []
    assert len(parsed.images) == 2
    assert all(src.startswith("data:image/png;base64,") for src in parsed.images)
    assert parsed.headings[0] == (
        "Postmortem (draft): incident #2: Input drift on credit-risk: income, purpose"
    )
    for heading in (
        "Impact",
        "Detection and response",
        "Timeline",
        "Drifted features",
        "Actions taken",
        "Root cause",
        "Lessons learned",
        "Action items",
    ):
        assert heading in parsed.headings
    assert "Evidently report of the incident window" not in parsed.headings  # --no-evidently
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pm.html"]


def test_headless_chromium_renders_the_html_draft(demo: DemoResult, tmp_path: Path) -> None:
    if not CHROMIUM.is_file():
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message + "; CI=true: the browser test must run")
        pytest.skip(message)
    page = _html(demo, tmp_path / "pm.html")
    shot = tmp_path / "pm.png"
    done = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--dump-dom",
            "--window-size=1280,2400",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Time to acknowledge" in done.stdout
    assert "Predictions affected" in done.stdout
    png = shot.read_bytes()
    assert png.startswith(PNG) and len(png) > 50_000
    if target := os.environ.get("VIGIL_SCREENSHOT_DIR"):
        Path(target).mkdir(parents=True, exist_ok=True)
        (Path(target) / "postmortem.png").write_bytes(png)


def test_the_command_prints_the_draft_and_an_unknown_incident_exits_1(
    demo: DemoResult,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    config = str(demo.config_path)
    assert main(["postmortem", "1", "--config", config, "--no-evidently"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("# Postmortem (draft): incident #1: Data quality on credit-risk")
    assert "| Predictions affected |" in out
    assert "wrote" in err and "postmortem-1-out-of-range-income-out-of-range.png" in err
    assert (tmp_path / "postmortem-1-out-of-range-income-out-of-range.png").is_file()
    assert main(["postmortem", "99", "--config", config]) == 1
    assert "no incident with id 99" in capsys.readouterr().err

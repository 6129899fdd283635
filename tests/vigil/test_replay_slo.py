"""``vigil replay`` against a 99.9% SLO: 0.1% errors never page; 10% errors page within the
detection time of the SRE Workbook's fast-burn window (from the shared conformance table)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from replay_streams import predictions, write_config, write_jsonl

from vigil.config import load_config
from vigil.replay.run import ReplayOptions, replay

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
TABLE = Path(__file__).resolve().parents[1] / "slo" / "conformance" / "slo_burn_rate_cases.yaml"
STEP = timedelta(seconds=60)


def _case(error_rate: float) -> dict:
    table = yaml.safe_load(TABLE.read_text())
    assert table["slo"] == 0.999
    (case,) = [
        c for c in table["cases"] if c["alert"] == "page-fast" and c["error_rate"] == error_rate
    ]
    return case


def _replay(workdir: Path, events: list[dict], start: datetime | None = None) -> dict:
    config = load_config(str(write_config(workdir, drift=False, objective=99.9)))
    path = write_jsonl(workdir / "events.jsonl", events)
    options = ReplayOptions(events=path, start=start, step=STEP, progress=False)
    return replay(config, options).timeline


def test_a_tenth_of_a_percent_of_errors_against_99_9_never_pages(tmp_path: Path) -> None:
    # Burn rate 1: the budget lasts exactly the period; no page window is crossed.
    timeline = _replay(tmp_path, predictions(T0, 180, 100, error_every=1000))
    assert timeline["input"]["accepted"] == {"predictions": 18000}
    assert timeline["summary"]["pages"] == 0
    assert [a for a in timeline["alerts"] if a["alertname"] == "SLOErrorBudgetBurn"] == []


def test_ten_percent_of_errors_pages_within_the_workbook_detection_time(tmp_path: Path) -> None:
    case = _case(0.1)
    assert case["fires"] and case["burn_rate"] == 14.4
    # The table assumes steady traffic over every window: six hours of clean traffic fill
    # the slow-burn page window (6h) too, or its partial window would page first.
    errors_from = T0 + timedelta(hours=6)
    events = predictions(T0, 6 * 60 + 15, 20, errors_from=errors_from, error_every=10)
    # The clock starts an hour before the errors; earlier events are stored before its
    # first step, as history.
    timeline = _replay(tmp_path, events, start=errors_from - timedelta(hours=1))
    assert timeline["input"]["accepted"] == {"predictions": 375 * 20}
    pages = [
        n
        for n in timeline["notifications"]
        if n["kind"] == "firing" and n["alerts"][0]["alertname"] == "SLOErrorBudgetBurn"
    ]
    assert pages, "10% errors against a 99.9% SLO must page"
    delay = datetime.fromisoformat(pages[0]["at"]) - errors_from
    detection = timedelta(minutes=case["detection_minutes"])  # 8.64 minutes
    # Evaluated once a minute: the first step at or after the detection time pages.
    assert detection <= delay <= detection + STEP
    assert timeline["summary"]["pages_per_alertname"]["SLOErrorBudgetBurn"] == 1
    assert pages[0]["alerts"][0]["severity"] == "critical"

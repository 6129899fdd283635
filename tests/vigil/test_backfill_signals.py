"""``vigil backfill``: the detector jobs run at every past window end in range, oldest first;
a second run stores nothing twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from replay_streams import MODEL, predictions, write_config
from sqlalchemy import Engine

from collector.validation import Limits, validate_predictions
from store.predictions import insert_predictions
from store.signals import signal_history
from vigil.backfill_cli import backfill, window_ends
from vigil.cli import main
from vigil.config import VigilConfig, load_config

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


def _store_traffic(engine: Engine, config: VigilConfig, minutes: int) -> None:
    recorded = predictions(T0, minutes, 100, shift_at=T0 + timedelta(minutes=60))
    events = [{**e, "timestamp": e["ts"]} for e in recorded]  # the API's field
    rows, errors = validate_predictions(events, {m.name: m for m in config.models}, T0, Limits())
    assert not errors
    insert_predictions(engine, rows)


def test_window_ends_are_the_aligned_instants_in_range() -> None:
    five = timedelta(minutes=5)
    assert window_ends(T0 + timedelta(minutes=2), T0 + timedelta(minutes=15), five) == [
        T0 + timedelta(minutes=5),
        T0 + timedelta(minutes=10),
        T0 + timedelta(minutes=15),
    ]
    assert window_ends(T0, T0, five) == [T0]


def test_backfill_writes_a_signal_per_feature_and_window_and_is_idempotent(
    engine: Engine, tmp_path: Path
) -> None:
    config = load_config(str(write_config(tmp_path)))
    _store_traffic(engine, config, 90)
    start, end = T0 + timedelta(minutes=30), T0 + timedelta(minutes=90)
    first = backfill(config, engine, start, end, ["drift"], progress=False)
    expected_ends = window_ends(start, end, timedelta(minutes=5))
    assert len(expected_ends) == 13
    assert first["windows_run"] == {"drift": 13}
    assert first["signals_in_range"] == {"drift": 13 * 3}  # f0, f1, color
    history = signal_history(engine, MODEL, "drift", since=start)
    assert sorted({s.signal.window_end for s in history}) == expected_ends
    # The shift at T0+60m: windows ending after it drift, persistence makes them breach.
    breached = {s.signal.window_end for s in history if s.signal.status == "breach"}
    assert min(breached) == T0 + timedelta(minutes=70)
    assert all(
        s.signal.window_end > T0 + timedelta(minutes=60)
        for s in history
        if s.signal.status == "breach"
    )

    again = backfill(config, engine, start, end, ["drift"], progress=False)
    assert again["signals_in_range"] == first["signals_in_range"]
    assert signal_history(engine, MODEL, "drift", since=start) == history


def test_the_cli_backfills_one_detector_of_one_model_with_a_progress_bar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path = write_config(tmp_path)
    from vigil.serve import open_store

    config = load_config(str(config_path))
    engine = open_store(config)
    try:
        _store_traffic(engine, config, 40)
    finally:
        engine.dispose()
    argv = [
        "backfill",
        "-c",
        str(config_path),
        "--model",
        MODEL,
        "--detector",
        "slo",
        "--start",
        "2026-03-02T00:10:00Z",
        "--end",
        "2026-03-02T00:40:00Z",
    ]
    assert main(argv) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["windows_run"] == {"slo": 31}  # every minute: the SLO job's interval
    assert result["signals_in_range"] == {"slo": 31}
    assert "backfill" in captured.err
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == result


def test_an_unknown_model_or_disabled_detector_is_a_usage_error(tmp_path: Path) -> None:
    config_path = str(write_config(tmp_path, drift=False))
    span = ["--start", "2026-03-02T00:10:00Z", "--end", "2026-03-02T00:40:00Z"]
    assert main(["backfill", "-c", config_path, "--model", "nope", *span]) == 2
    assert main(["backfill", "-c", config_path, "--detector", "drift", *span]) == 2
    assert main(["backfill", "-c", config_path, *span[:2], "--end", "2026-03-02T00:00:00Z"]) == 2

"""What the dashboard reads: the list of models and one model's overview."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from dashboard_seed import (
    ALERT_SUMMARY,
    DRIFTING_FEATURE,
    MODEL,
    RUNBOOK_URL,
    SLO_NAME,
    UNREGISTERED_MODEL,
)
from sqlalchemy import Engine

from dashboards.loaders import load_drift_heatmap, load_fleet, load_slos
from dashboards.overview import load_overview
from store.db import create_store_engine
from store.errors import StoreUnavailable
from store.health import list_models
from store.predictions import register_models
from store.records import Signal
from store.signal_history import last_window_end, signal_points
from store.signals import write_signals


def test_models_are_the_registered_ones_and_those_seen_in_signals(
    engine: Engine, t0: datetime
) -> None:
    assert list_models(engine) == []
    register_models(engine, [("b-model", "regression"), ("a-model", "classification")], t0)
    signal = Signal(
        detector="drift",
        model="c-retired",
        subject="x",
        metric="psi",
        window_start=t0,
        window_end=t0,
        value=0.0,
        threshold=0.2,
        status="ok",
        sample_size=1,
    )
    write_signals(engine, [signal, replace(signal, model="a-model")], t0)
    assert list_models(engine) == ["a-model", "b-model", "c-retired"]


def test_a_database_without_vigil_tables_has_no_models(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'blank.db'}")
    try:
        assert list_models(engine) == []
    finally:
        engine.dispose()


def test_an_unreachable_database_is_reported_without_its_password() -> None:
    engine = create_store_engine("postgresql://vigil:s3cret@127.0.0.1:1/nowhere")
    try:
        with pytest.raises(StoreUnavailable) as raised:
            list_models(engine)
    finally:
        engine.dispose()
    assert "s3cret" not in str(raised.value)


def test_the_overview_reads_counts_latest_drift_and_open_alerts(seeded_url: str) -> None:
    engine = create_store_engine(seeded_url)
    try:
        view = load_overview(engine, MODEL)
    finally:
        engine.dispose()
    assert view.predictions == 1234
    assert view.drifting == 1
    assert [(r.feature, r.status) for r in view.drift] == [
        (DRIFTING_FEATURE, "breach"),
        ("zip_code", "not_computable"),
        ("age", "ok"),
    ]
    assert [(a.summary, a.runbook) for a in view.alerts] == [(ALERT_SUMMARY, RUNBOOK_URL)]


def test_the_overview_of_a_model_nothing_was_stored_for_is_empty(seeded_url: str) -> None:
    engine = create_store_engine(seeded_url)
    try:
        view = load_overview(engine, "unknown")
    finally:
        engine.dispose()
    assert (view.predictions, view.drift, view.alerts, view.drifting) == (0, [], [], 0)


def test_signal_points_read_one_detector_of_one_model_since_a_time(
    seeded_url: str, t0: datetime
) -> None:
    engine = create_store_engine(seeded_url)
    try:
        points = signal_points(engine, MODEL, "drift", since=t0)
        later = signal_points(engine, MODEL, "drift", since=t0 + timedelta(minutes=1))
        end = last_window_end(engine, MODEL, "drift")
        none = last_window_end(engine, "unknown", "drift")
    finally:
        engine.dispose()
    assert [(p.subject, p.window_end - t0) for p in points] == [
        (DRIFTING_FEATURE, timedelta(0)),
        ("age", timedelta(hours=1)),
        (DRIFTING_FEATURE, timedelta(hours=1)),
        ("zip_code", timedelta(hours=1)),
    ]
    assert len(later) == 3
    assert (end, none) == (t0 + timedelta(hours=1), None)


def test_the_loaders_read_the_fleet_the_slos_and_the_drift_history(seeded_url: str) -> None:
    engine = create_store_engine(seeded_url)
    try:
        fleet = load_fleet(engine)
        slos = load_slos(engine)
        cells = load_drift_heatmap(engine, MODEL, timedelta(days=7))
        nothing = load_drift_heatmap(engine, "unknown", timedelta(days=7))
    finally:
        engine.dispose()
    assert [(t.model, t.worst) for t in fleet] == [(MODEL, "red"), (UNREGISTERED_MODEL, "grey")]
    assert [(r.model, r.slo, r.budget_remaining) for r in slos] == [(MODEL, SLO_NAME, 0.62)]
    assert sorted({c.feature for c in cells}) == ["age", DRIFTING_FEATURE, "zip_code"]
    assert nothing == []


def test_the_loaders_report_an_unreachable_store_without_its_password() -> None:
    engine = create_store_engine("postgresql://vigil:s3cret@127.0.0.1:1/nowhere")
    try:
        with pytest.raises(StoreUnavailable) as raised:
            load_drift_heatmap(engine, MODEL, timedelta(days=1))
    finally:
        engine.dispose()
    assert "s3cret" not in str(raised.value)

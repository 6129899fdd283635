"""What the dashboard reads: the list of models and one model's overview."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from dashboard_seed import ALERT_SUMMARY, DRIFTING_FEATURE, MODEL, RUNBOOK_URL
from sqlalchemy import Engine

from dashboards.overview import load_overview
from store.db import create_store_engine
from store.errors import StoreUnavailable
from store.health import list_models
from store.predictions import register_models
from store.records import Signal
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

"""Realized performance on a migrated store (SQLite and PostgreSQL): the label join,
signal replacement, and the job re-scoring windows as labels arrive."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine

from detectors.performance_config import PerformanceConfig
from detectors.performance_job import performance_job
from store.labelled import labelled_window
from store.predictions import insert_labels, insert_predictions
from store.records import Signal
from store.signal_upsert import upsert_signals
from store.signals import signal_history, signals_after
from store.specs import ModelSpec

SPEC = ModelSpec.model_validate(
    {"name": "credit", "features": [{"name": "income", "type": "numeric"}]}
)
CONFIG = PerformanceConfig(
    interval="1h",
    window="1h",
    reevaluate=3,
    min_labels=50,
    metrics={"roc_auc": {"min": 0.75}, "accuracy": {}},
    segments=("region",),
    bootstrap_resamples=50,
)


def _traffic(end: datetime, n: int, prefix: str, informative: bool) -> tuple[list[Any], list[Any]]:
    """``n`` predictions in the hour before ``end`` and their labels; uninformative scores
    when ``informative`` is false (AUC about 0.5)."""
    rng = np.random.default_rng(len(prefix) + n)
    truth = rng.random(n) < 0.4
    score = np.clip(rng.normal(0.4, 0.15, n) + (0.35 * truth if informative else 0), 0, 1)
    predictions = [
        {
            "model": "credit", "version": "v1", "request_id": f"{prefix}-{i}",
            "ts": end - timedelta(hours=1) + timedelta(seconds=3600 * i / n),
            "features": {"income": 1.0}, "prediction": int(score[i] >= 0.5),
            "score": float(score[i]), "received_at": end,
            "variant": "a" if i % 2 else "b", "segment": {"region": "eu" if i % 3 else "us"},
        }
        for i in range(n)
    ]  # fmt: skip
    labels = [
        {"model": "credit", "request_id": f"{prefix}-{i}", "label": bool(truth[i]),
         "ts": end + timedelta(hours=2), "received_at": end + timedelta(hours=2)}
        for i in range(n)
    ]  # fmt: skip
    return predictions, labels


def _by_subject(signals: list[Signal], end: datetime) -> dict[str, Signal]:
    return {s.subject: s for s in signals if s.window_end == end}


def test_labels_join_their_predictions_by_request_id_within_the_prediction_window(
    engine: Engine, t0: datetime
) -> None:
    predictions, labels = _traffic(t0, 10, "w", informative=True)
    insert_predictions(engine, predictions)
    insert_labels(engine, [*labels[:4], {**labels[0], "request_id": "unknown"}])
    window = labelled_window(engine, "credit", t0 - timedelta(hours=1), t0)
    assert (window.predictions, window.labelled, window.coverage) == (10, 4, 0.4)
    assert list(window.label) == [labels[i]["label"] for i in range(4)]
    assert window.score.tolist() == [p["score"] for p in predictions[:4]]
    assert window.segment[0] == {"region": "us"} and window.variant[0] == "b"
    empty = labelled_window(engine, "credit", t0, t0 + timedelta(hours=1))
    assert (empty.predictions, empty.labelled, empty.coverage) == (0, 0, None)


def test_upserting_replaces_a_changed_signal_in_place_and_leaves_an_equal_one(
    engine: Engine, t0: datetime
) -> None:
    signal = Signal("performance", "credit", "roc_auc", "roc_auc", t0 - timedelta(hours=1), t0,
                    0.8, 0.75, "ok", 100, {"coverage": 0.5})  # fmt: skip
    assert upsert_signals(engine, [signal], t0) == 1
    first = signals_after(engine, 0)
    assert upsert_signals(engine, [signal], t0 + timedelta(minutes=5)) == 0
    assert signals_after(engine, 0) == first
    changed = replace(signal, value=0.7, status="breach", details={"coverage": 0.9})
    assert upsert_signals(engine, [changed], t0 + timedelta(hours=1)) == 1
    [stored] = signal_history(engine, "credit", "performance")
    assert stored.id == first[0].id
    assert stored.signal == changed and stored.created_at == t0 + timedelta(hours=1)


def test_a_window_is_rescored_as_its_labels_arrive_and_breaches_when_auc_falls(
    engine: Engine, t0: datetime
) -> None:
    job = performance_job(engine, (SPEC,), CONFIG)
    good, good_labels = _traffic(t0 - timedelta(hours=1), 600, "good", informative=True)
    bad, bad_labels = _traffic(t0, 600, "bad", informative=False)
    insert_predictions(engine, good + bad)
    insert_labels(engine, good_labels[:30] + bad_labels)

    found = _by_subject(job.run(t0 + timedelta(minutes=10)), t0 - timedelta(hours=1))
    assert found["roc_auc"].status == "not_computable"
    assert "fewer than min_labels (50)" in found["roc_auc"].details["reason"]
    assert found["roc_auc"].details["coverage"] == 30 / 600
    latest = _by_subject(job.run(t0 + timedelta(minutes=10)), t0)
    assert latest["roc_auc"].status == "breach" and latest["roc_auc"].threshold == 0.75
    assert latest["accuracy"].status == "ok" and latest["accuracy"].threshold is None
    assert np.array(latest["accuracy"].details["confusion_matrix"]).sum() == 600
    interval = latest["roc_auc"].details["interval"]
    assert interval["method"] == "hanley_mcneil"
    assert interval["low"] < latest["roc_auc"].value < interval["high"]

    insert_labels(engine, good_labels[30:])
    job.run(t0 + timedelta(minutes=70))
    stored = {s.signal.subject: s.signal for s in signal_history(engine, "credit", "performance")
              if s.signal.window_end == t0 - timedelta(hours=1)}  # fmt: skip
    assert stored["roc_auc"].status == "ok" and stored["roc_auc"].value > 0.85
    assert stored["roc_auc"].details["coverage"] == 1.0


def test_every_metric_is_broken_down_by_segment_and_variant(engine: Engine, t0: datetime) -> None:
    predictions, labels = _traffic(t0, 600, "seg", informative=True)
    insert_predictions(engine, predictions)
    insert_labels(engine, labels)
    found = _by_subject(performance_job(engine, (SPEC,), CONFIG).run(t0), t0)
    assert set(found) == {
        f"{metric}{group}"
        for metric in ("roc_auc", "accuracy")
        for group in ("", "/region=eu", "/region=us", "/variant=a", "/variant=b")
    }
    assert found["accuracy/region=eu"].sample_size == 400
    assert found["accuracy/variant=a"].details["group"] == "variant=a"


def test_a_rerun_of_settled_windows_writes_nothing_new(engine: Engine, t0: datetime) -> None:
    predictions, labels = _traffic(t0, 300, "settled", informative=True)
    insert_predictions(engine, predictions)
    insert_labels(engine, labels)
    job = performance_job(engine, (SPEC,), CONFIG)
    job.run(t0)
    before = signals_after(engine, 0)
    job.run(t0 + timedelta(minutes=30))
    assert signals_after(engine, 0) == before

"""Prediction drift: the score and predicted-class distributions against the reference's.

On a migrated store (SQLite and PostgreSQL): a model whose scores and predicted classes
keep the reference's distribution is ``ok``; one whose scores rise and whose positive class
doubles breaches on both subjects; an alert rule with ``detector: prediction_drift`` turns
that into one alert with the runbook link. Plus the pure function's edge cases.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine

from alerting.config import AlertRule
from alerting.rules import evaluate_rules
from detectors.config import PREDICTION_SUBJECT, SCORE_SUBJECT, Persistence, PredictionDriftConfig
from detectors.prediction_drift import DETECTOR, prediction_drift
from detectors.prediction_drift_job import prediction_drift_job
from detectors.reference import Reference, load_reference
from store.predictions import insert_predictions
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signals import signal_history
from store.specs import ModelSpec
from store.window_scores import ScoredWindow

CONFIG = PredictionDriftConfig(min_sample_size=100, persistence=Persistence(k=1, m=1))


def run_job(job: ScheduledJob, now: datetime) -> list[Signal]:
    """The job's signals (``ScheduledJob.run`` is typed loosely for the scheduler)."""
    found = job.run(now)
    assert isinstance(found, list)
    return found


def _spec(name: str, task: str = "binary_classification") -> ModelSpec:
    return ModelSpec.model_validate(
        {"name": name, "task": task, "features": [{"name": "income", "type": "numeric"}],
         "reference": {"path": "ref.csv"}}
    )  # fmt: skip


def _write_reference(path: Path, *, with_prediction: bool = True) -> None:
    rng = np.random.default_rng(1)
    scores = rng.beta(2, 5, 3000)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["income", "score", *(["prediction"] if with_prediction else [])])
        for score in scores:
            row = [1000, round(float(score), 5)]
            writer.writerow(row + ([int(score >= 0.5)] if with_prediction else []))


def _predictions(model: str, t0: datetime, n: int, *, shifted: bool) -> list[dict[str, Any]]:
    rng = np.random.default_rng(2)
    scores = rng.beta(3, 4, n) if shifted else rng.beta(2, 5, n)
    return [
        {
            "model": model,
            "version": "v1",
            "request_id": f"{model}-{i}",
            "ts": t0 - timedelta(hours=1) + timedelta(seconds=3 * i),
            "features": {"income": 1000.0},
            "prediction": int(scores[i] >= 0.5),
            "score": float(scores[i]),
            "latency_ms": 1.0,
            "received_at": t0,
        }
        for i in range(n)
    ]


def test_the_job_flags_shifted_scores_and_classes_and_a_rule_alerts_on_them(
    engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    _write_reference(tmp_path / "ref.csv")
    insert_predictions(engine, _predictions("stable", t0, 800, shifted=False))
    insert_predictions(engine, _predictions("shifted", t0, 800, shifted=True))
    job = prediction_drift_job(
        engine, (_spec("stable"), _spec("shifted")), CONFIG, lambda p: tmp_path / p
    )
    found = {(s.model, s.subject): s for s in run_job(job, t0)}
    assert job.name == "prediction_drift"
    assert {k: s.status for k, s in found.items()} == {
        ("stable", SCORE_SUBJECT): "ok",
        ("stable", PREDICTION_SUBJECT): "ok",
        ("shifted", SCORE_SUBJECT): "breach",
        ("shifted", PREDICTION_SUBJECT): "breach",
    }
    score = found[("shifted", SCORE_SUBJECT)]
    assert (score.detector, score.metric, score.threshold) == (DETECTOR, "wasserstein", 0.1)
    assert score.details["current_mean"] > score.details["reference_mean"] + 0.1
    classes = found[("shifted", PREDICTION_SUBJECT)]
    assert classes.metric == "jensen_shannon" and classes.sample_size == 800
    assert classes.details["current_top"]["1"] > 2 * classes.details["reference_top"]["1"]
    assert len(signal_history(engine, "shifted", DETECTOR)) == 2

    rule = AlertRule.model_validate(
        {"alert": "PredictionDrift", "detector": "prediction_drift", "runbook": "prediction-drift"}
    )
    fired = evaluate_rules(
        engine, [rule], [("stable", None), ("shifted", "credit")],
        lambda name: f"https://runbooks.example/{name}.md", None, t0,
    )  # fmt: skip
    [alert] = fired
    assert alert.labels["model"] == "shifted" and alert.labels["alertname"] == "PredictionDrift"
    assert alert.annotations["runbook_url"] == "https://runbooks.example/prediction-drift.md"
    subjects = {s["subject"] for s in alert.annotations["subjects"]}
    assert subjects == {SCORE_SUBJECT, PREDICTION_SUBJECT}


def test_a_reference_without_the_prediction_column_is_not_computable_for_classes(
    engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    _write_reference(tmp_path / "ref.csv", with_prediction=False)
    insert_predictions(engine, _predictions("m", t0, 300, shifted=False))
    job = prediction_drift_job(engine, (_spec("m"),), CONFIG, lambda p: tmp_path / p)
    found = {s.subject: s for s in run_job(job, t0)}
    assert found[SCORE_SUBJECT].status == "ok"
    assert found[PREDICTION_SUBJECT].status == "not_computable"
    assert found[PREDICTION_SUBJECT].details["reason"] == (
        "the reference dataset has no column 'prediction'"
    )


def _reference(tmp_path: Path, spec: ModelSpec) -> Reference:
    _write_reference(tmp_path / "ref.csv")
    return load_reference(spec, tmp_path / "ref.csv", ("score", "prediction"))


def test_regression_predictions_are_compared_as_numbers(tmp_path: Path, t0: datetime) -> None:
    spec = _spec("reg", task="regression")
    reference = _reference(tmp_path, spec)
    values = np.random.default_rng(3).beta(2, 5, 500)
    predictions = np.empty(500, dtype=object)
    predictions[:] = [float(v) + 0.5 for v in values]  # predicted values moved up by 0.5
    window = ScoredWindow(score=values, prediction=predictions)
    found = {s.subject: s for s in prediction_drift(spec, reference, window, t0, t0, CONFIG)}
    assert found[PREDICTION_SUBJECT].metric == "wasserstein"
    assert found[PREDICTION_SUBJECT].status == "breach"
    assert found[SCORE_SUBJECT].status == "ok"


@pytest.mark.parametrize(
    ("task", "scores", "predictions", "subject", "reason"),
    [
        pytest.param("ranking", [0.1] * 5, [["a", "b"]] * 5, PREDICTION_SUBJECT,
                     "ranking predictions are lists: their distribution is not compared",
                     id="ranking predictions"),
        pytest.param("binary_classification", [], [], SCORE_SUBJECT,
                     "no predictions in the window", id="an empty window"),
        pytest.param("binary_classification", [float("nan")] * 4, [None] * 4, SCORE_SUBJECT,
                     "no usable values in the window: all 4 are null or of the wrong type",
                     id="a window without scores"),
    ],
)  # fmt: skip
def test_windows_without_comparable_outputs_say_why(
    task: str, scores: list[float], predictions: list[object], subject: str, reason: str,
    tmp_path: Path, t0: datetime,
) -> None:  # fmt: skip
    spec = _spec("m", task=task)
    reference = _reference(tmp_path, spec)
    column = np.empty(len(predictions), dtype=object)
    column[:] = predictions
    window = ScoredWindow(score=np.asarray(scores, dtype=np.float64), prediction=column)
    found = {s.subject: s for s in prediction_drift(spec, reference, window, t0, t0, CONFIG)}
    assert found[subject].status == "not_computable"
    assert found[subject].details["reason"] == reason
    assert found[subject].value is None


def test_a_score_column_with_a_stray_word_is_parsed_where_it_holds_numbers(
    tmp_path: Path, t0: datetime
) -> None:
    """One ``unknown`` among 60,000 numbers makes pyarrow type the column as text. The
    reference still loads, and the score is parsed where it is a number (``unknown`` is
    dropped)."""
    path = tmp_path / "ref.csv"
    rng = np.random.default_rng(4)
    lines = ["income,score"] + [f"1000,{v:.5f}" for v in rng.beta(2, 5, 60_000)] + ["1000,unknown"]
    path.write_text("\n".join(lines) + "\n")
    spec = _spec("m")
    reference = load_reference(spec, path, ("score", "prediction"))
    assert reference.rows == 60_001 and reference.numeric["income"].size == 60_001
    window = ScoredWindow(score=rng.beta(2, 5, 500), prediction=np.full(500, None, dtype=object))
    [score, _] = prediction_drift(spec, reference, window, t0, t0, CONFIG)
    assert score.status == "ok" and score.details["reference_size"] == 60_000

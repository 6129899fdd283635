"""Realized performance of one window as a pure function: encoding, tasks, config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from detectors.config import DetectorsConfig
from detectors.label_encoding import encode_binary, normalise
from detectors.performance import window_performance
from detectors.performance_config import PerformanceConfig
from store.labelled import LabelledWindow
from store.specs import ModelSpec


def _window(
    labels: list[Any], predictions: list[Any], scores: list[float] | None = None
) -> LabelledWindow:
    def objects(values: list[Any]) -> np.ndarray:
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array

    n = len(labels)
    return LabelledWindow(
        predictions=2 * n,
        label=objects(labels),
        prediction=objects(predictions),
        score=np.array(scores if scores is not None else [np.nan] * n, dtype=np.float64),
        variant=objects([None] * n),
        segment=objects([None] * n),
    )


def _spec(task: str) -> ModelSpec:
    return ModelSpec.model_validate(
        {"name": "m", "task": task, "features": [{"name": "x", "type": "numeric"}]}
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, "1"), (1, "1"), (1.0, "1"), (" TRUE ", "1"), ("false", "0"), (0.25, "0.25"),
     ("Fraud", "fraud"), (None, None), (float("nan"), None)],
    ids=["a boolean", "an integer", "an integral float", "text true", "text false",
         "a fraction", "a class name", "null", "NaN"],
)  # fmt: skip
def test_labels_normalise_to_one_spelling_per_class(value: Any, expected: str | None) -> None:
    assert normalise(value) == expected


def test_a_binary_row_without_a_prediction_is_predicted_from_its_score() -> None:
    window = _window([True, "0", 1, None], [None, 1, None, 1], [0.7, np.nan, np.nan, 0.2])
    encoded = encode_binary(window, positive_label=1, decision_threshold=0.5)
    assert encoded.rows.tolist() == [0, 1]
    assert encoded.data.y_true.tolist() == [1, 0]
    assert encoded.data.y_pred.tolist() == [1, 1]


def test_multiclass_windows_get_macro_metrics_and_their_classes() -> None:
    labels = ["cat", "dog", "bird", "dog"] * 30
    predictions = ["cat", "dog", "dog", "dog"] * 30
    config = PerformanceConfig(min_labels=10, variants=False)
    t1 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    found = {s.subject: s for s in window_performance(
        _spec("multiclass_classification"), _window(labels, predictions), t1 - timedelta(hours=1),
        t1, config, np.random.default_rng(0))}  # fmt: skip
    assert set(found) == {"accuracy", "f1_macro", "f1_weighted"}
    assert found["accuracy"].value == 0.75
    assert found["accuracy"].details["classes"] == ["bird", "cat", "dog"]
    assert found["accuracy"].details["coverage"] == 0.5


def test_regression_windows_get_error_metrics_and_skip_non_numbers() -> None:
    config = PerformanceConfig(min_labels=3, variants=False, metrics={"mae": {"max": 0.5}})
    t1 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    window = _window([1.0, 2.0, 3.0, "x"], [2.0, 3.0, 4.0, 1.0])
    [signal] = window_performance(
        _spec("regression"), window, t1 - timedelta(hours=1), t1, config, np.random.default_rng(0)
    )
    assert (signal.value, signal.status, signal.threshold) == (1.0, "breach", 0.5)
    assert signal.details["unusable"] == 1


@pytest.mark.parametrize(
    ("section", "message"),
    [({"metrics": {"auc": {"min": 0.7}}}, "unknown metric 'auc'"),
     ({"metrics": {"roc_auc": {"min": 0.9, "max": 0.8}}}, "cannot exceed max"),
     ({"reevaluate": 0}, "greater than or equal to 1")],
    ids=["an unknown metric", "a min above the max", "no window re-evaluated"],
)  # fmt: skip
def test_a_bad_performance_section_is_rejected_with_the_reason(
    section: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        DetectorsConfig.model_validate({"performance": section})

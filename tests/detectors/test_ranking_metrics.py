"""Ranking metrics: hand-computed tables, scikit-learn's ``ndcg_score``, the job's wiring."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from detectors.config import DetectorsConfig
from detectors.label_encoding import encode_ranking
from detectors.metrics import DEFAULT_METRICS, MetricInput, NotComputable, resolve
from detectors.metrics.ranking import hit_rate_at_k, mrr, ndcg_at_k, ranking_metric
from detectors.performance import window_performance
from detectors.performance_config import PerformanceConfig
from detectors.performance_job import performance_job
from store.labelled import LabelledWindow
from store.predictions import insert_labels, insert_predictions
from store.specs import ModelSpec

RANKS = np.array([1, 2, 0, 3], dtype=np.int64)
LOG3 = 1 / math.log2(3)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("mrr", (1 + 1 / 2 + 0 + 1 / 3) / 4),
     ("ndcg@1", 1 / 4), ("ndcg@2", (1 + LOG3) / 4), ("ndcg@3", (1 + LOG3 + 0.5) / 4),
     ("hit_rate@1", 1 / 4), ("hit_rate@2", 2 / 4), ("hit_rate@3", 3 / 4),
     ("hit_rate@10", 3 / 4)],
    ids=["mrr counts an unranked action as zero", "ndcg at one is the top-1 hit rate",
         "ndcg at two discounts the second place", "ndcg at three discounts the third place",
         "hit rate at one", "hit rate at two", "hit rate at three",
         "a cut-off beyond the list still misses the unranked action"],
)  # fmt: skip
def test_ranking_metrics_match_the_hand_computed_table(name: str, expected: float) -> None:
    metric = resolve(name)
    assert metric is not None
    data = MetricInput(RANKS, np.full(4, 3), np.full(4, np.nan), 1)
    assert metric.compute(data) == pytest.approx(expected, rel=1e-12)


def test_the_pure_functions_agree_with_the_registered_metrics() -> None:
    assert mrr(RANKS) == pytest.approx(11 / 24)
    assert ndcg_at_k(RANKS, 2) == pytest.approx((1 + LOG3) / 4)
    assert hit_rate_at_k(RANKS, 3) == 0.75


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8], ids=lambda k: f"at a cut-off of {k}")
def test_ndcg_equals_scikit_learn_with_one_relevant_action(k: int) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(k)
    n_rows, n_actions = 200, 8
    scores = np.array([rng.permutation(n_actions) for _ in range(n_rows)], dtype=np.float64)
    taken = rng.integers(0, n_actions, n_rows)
    relevance = np.zeros((n_rows, n_actions))
    relevance[np.arange(n_rows), taken] = 1.0
    ranks = (scores > scores[np.arange(n_rows), taken][:, None]).sum(axis=1) + 1
    expected = metrics.ndcg_score(relevance, scores, k=k)
    assert ndcg_at_k(ranks.astype(np.int64), k) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "name",
    ["ndcg@0", "ndcg@", "hit_rate@x", "ndcg", "mrr@3", "recall@5"],
    ids=["a zero cut-off", "a missing cut-off", "a non-number cut-off", "no cut-off",
         "a cut-off on mrr", "an unknown family"],
)  # fmt: skip
def test_a_malformed_ranking_metric_name_resolves_to_nothing(name: str) -> None:
    assert ranking_metric(name) is None


def test_an_empty_window_has_no_ranking_metric_value() -> None:
    metric = resolve("mrr")
    assert metric is not None
    empty = MetricInput(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), 1)
    assert isinstance(metric.compute(empty), NotComputable)


def _window(labels: list[Any], predictions: list[Any]) -> LabelledWindow:
    def objects(values: list[Any]) -> np.ndarray:
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array

    n = len(labels)
    return LabelledWindow(
        predictions=n,
        label=objects(labels),
        prediction=objects(predictions),
        score=np.full(n, np.nan),
        variant=objects([None] * n),
        segment=objects([None] * n),
    )


def test_a_ranking_row_is_the_rank_of_the_taken_action_and_bad_rows_are_dropped() -> None:
    window = _window(["b", "Z", None, "a", 3], [["a", "b"], ["x", "y"], ["a"], "a", [1, 2, 3.0]])
    encoded = encode_ranking(window)
    assert encoded.rows.tolist() == [0, 1, 4]
    assert encoded.data.y_true.tolist() == [2, 0, 3]
    assert encoded.data.y_pred.tolist() == [2, 2, 3]


def test_ranking_windows_get_their_configured_metrics_with_bounds() -> None:
    spec = ModelSpec.model_validate(
        {"name": "nba", "task": "ranking", "features": [{"name": "x", "type": "numeric"}]}
    )
    labels = ["a", "b", "c", "d"] * 25
    predictions = [["a", "b", "c"], ["a", "b", "c"], ["c", "a", "b"], ["a", "b", "c"]] * 25
    config = PerformanceConfig.model_validate(
        {"min_labels": 10, "variants": False, "bootstrap_resamples": 0,
         "metrics": {"ndcg@2": {"min": 0.7}, "mrr": {}, "hit_rate@1": {"min": 0.5}}}
    )  # fmt: skip
    t1 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    found = {
        s.subject: s
        for s in window_performance(
            spec, _window(labels, predictions), t1 - timedelta(hours=1), t1, config,
            np.random.default_rng(0),
        )
    }  # fmt: skip
    assert set(found) == {"ndcg@2", "mrr", "hit_rate@1"}
    assert found["hit_rate@1"].value == pytest.approx(0.5)
    assert found["hit_rate@1"].status == "ok"
    assert found["mrr"].value == pytest.approx((1 + 1 / 2 + 1 + 0) / 4)
    assert found["ndcg@2"].value == pytest.approx((1 + LOG3 + 1 + 0) / 4)
    assert found["ndcg@2"].status == "breach"
    assert found["mrr"].details["interval"]["method"] == "mean"


def test_a_ranking_model_without_configured_metrics_gets_the_defaults() -> None:
    assert DEFAULT_METRICS["ranking"] == ("ndcg@5", "mrr", "hit_rate@1", "hit_rate@3")
    assert all(resolve(name) is not None for name in DEFAULT_METRICS["ranking"])


def test_an_unknown_ranking_metric_in_the_config_is_rejected_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="unknown metric 'ndcg@0'"):
        DetectorsConfig.model_validate({"performance": {"metrics": {"ndcg@0": {}}}})


def test_the_performance_job_scores_a_ranking_model_from_stored_lists(
    engine: Engine, t0: datetime
) -> None:
    spec = ModelSpec.model_validate(
        {"name": "nba", "task": "ranking", "features": [{"name": "x", "type": "numeric"}]}
    )
    end = t0.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    actions = [["call", "email", "sms"], ["email", "call", "sms"]] * 20
    taken = ["call"] * 40
    predictions = [
        {"model": "nba", "version": "v1", "request_id": f"r{i}", "features": {"x": 1.0},
         "ts": end - timedelta(minutes=30), "prediction": ranked, "received_at": end}
        for i, ranked in enumerate(actions)
    ]  # fmt: skip
    labels = [
        {"model": "nba", "request_id": f"r{i}", "label": action, "ts": end, "received_at": end}
        for i, action in enumerate(taken)
    ]
    insert_predictions(engine, predictions)
    insert_labels(engine, labels)
    config = PerformanceConfig(interval="1h", window="1h", reevaluate=1, min_labels=10)
    found = {s.subject: s for s in performance_job(engine, (spec,), config).run(end)}
    assert set(found) == {"ndcg@5", "mrr", "hit_rate@1", "hit_rate@3"}
    assert found["mrr"].value == pytest.approx(0.75)
    assert found["hit_rate@1"].value == pytest.approx(0.5)
    assert found["hit_rate@3"].value == 1.0

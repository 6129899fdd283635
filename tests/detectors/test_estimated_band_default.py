"""Estimated performance breaches against the reference band when no bounds are configured.

NannyML's CBPE alerts when an estimate leaves ``mean ± 3 std`` of the realized metric on the
reference chunks; Vigil does the same, with the chunk spread scaled to each window's size, and
the alert rule turns the breach into an EstimatedPerformanceDrop alert with its runbook.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from numpy.typing import NDArray
from sqlalchemy import Engine

from alerting.config import AlertRule
from alerting.rules import evaluate_rules
from detectors.cbpe_reference import CbpeReference, load_cbpe_reference
from detectors.estimated_performance import thresholds
from detectors.estimated_performance_job import EstimatedPerformanceRunner
from detectors.performance_config import EstimatedPerformanceConfig, MetricBound
from store.predictions import insert_predictions
from store.records import Signal
from store.specs import ModelSpec

SPEC = ModelSpec.model_validate(
    {"name": "churn", "features": [{"name": "x", "type": "numeric"}],
     "reference": {"path": "reference.csv"}}
)  # fmt: skip
RULE = AlertRule.model_validate(
    {"alert": "EstimatedPerformanceDrop", "detector": "estimated_performance",
     "severity": "warning", "runbook": "estimated-performance-drop"}
)  # fmt: skip


def simulate(
    n: int, loc: float, scale: float, seed: int
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Fixed concept ``P(y | x)``, miscalibrated scores; ``loc``/``scale`` move ``x``. A
    narrow population at the decision boundary (0.5, 0.3) makes the model much worse."""
    rng = np.random.default_rng(seed)
    x = rng.normal(loc, scale, n)
    p = 1 / (1 + np.exp(-(2 * x - 1)))
    return p**1.5, (rng.random(n) < p).astype(np.int64)


def write_reference(folder: Path) -> None:
    score, label = simulate(20_000, 0.0, 1.0, seed=1)
    pacsv.write_csv(pa.table({"score": score, "label": label}), folder / "reference.csv")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> CbpeReference:
    folder = tmp_path_factory.mktemp("band")
    write_reference(folder)
    return load_cbpe_reference(folder / "reference.csv", "score", "label", 1, 0.5, chunk=500)


def test_a_window_of_one_chunk_gets_nannymls_mean_plus_minus_three_std(
    reference: CbpeReference,
) -> None:
    config = EstimatedPerformanceConfig(reference_band="both", chunk=500)
    mean, std = reference.chunk_mean["roc_auc"], reference.chunk_std["roc_auc"]
    found = thresholds(mean, reference.sampling_error("roc_auc", 500), MetricBound(), config)
    assert found == {
        "lower": pytest.approx(mean - 3 * std),
        "upper": pytest.approx(mean + 3 * std),
        "source": "reference_band",
    }


def test_the_band_narrows_with_the_square_root_of_the_window_size(
    reference: CbpeReference,
) -> None:
    config = EstimatedPerformanceConfig(reference_band="both")
    mean = reference.chunk_mean["accuracy"]
    small = thresholds(mean, reference.sampling_error("accuracy", 500), MetricBound(), config)
    large = thresholds(mean, reference.sampling_error("accuracy", 2000), MetricBound(), config)
    assert mean - large["lower"] == pytest.approx((mean - small["lower"]) / 2)
    assert small["upper"] - mean == pytest.approx(3 * reference.chunk_std["accuracy"])
    assert math.isclose(large["upper"] - mean, mean - large["lower"])


def test_configured_bounds_win_off_has_none_and_worse_keeps_the_worse_side_only(
    reference: CbpeReference,
) -> None:
    mean, error = reference.chunk_mean["f1"], reference.sampling_error("f1", 800)
    bound = MetricBound(min=0.9)
    configured = thresholds(mean, error, bound, EstimatedPerformanceConfig())
    assert configured == {"lower": 0.9, "upper": None, "source": "configured"}
    off = EstimatedPerformanceConfig(reference_band="off")
    assert thresholds(mean, error, MetricBound(), off)["source"] == "none"
    worse = thresholds(mean, error, MetricBound(), EstimatedPerformanceConfig())
    assert worse["upper"] is None and worse["lower"] < mean
    # An error metric (higher is worse) keeps the upper threshold instead, unclipped above.
    errors = thresholds(40.0, 2.0, MetricBound(), EstimatedPerformanceConfig(), False, (0.0, None))
    assert errors == {"lower": None, "upper": 46.0, "source": "reference_band"}


def test_thresholds_are_clipped_to_the_unit_interval() -> None:
    config = EstimatedPerformanceConfig(reference_band="both")
    found = thresholds(0.9, 0.2, MetricBound(), config)
    assert found["upper"] == 1.0 and found["lower"] == pytest.approx(0.3)


def store_window(engine: Engine, t0: datetime, loc: float, scale: float, n: int = 1000) -> None:
    score, _ = simulate(n, loc, scale, seed=6)
    insert_predictions(engine, [
        {"model": "churn", "version": "v1", "request_id": f"r{i}", "features": {"x": 0.0},
         "ts": t0 - timedelta(seconds=3 * i + 1), "score": float(s), "prediction": None,
         "received_at": t0}
        for i, s in enumerate(score)
    ])  # fmt: skip


def run(engine: Engine, t0: datetime, tmp_path: Path, **config: object) -> dict[str, Signal]:
    write_reference(tmp_path)
    settings = EstimatedPerformanceConfig.model_validate(
        {"interval": "1h", "window": "1h", **config}
    )
    runner = EstimatedPerformanceRunner(engine, (SPEC,), settings, lambda path: tmp_path / path)
    return {s.subject: s for s in runner(t0 + timedelta(minutes=5))}


def test_without_bounds_a_degraded_window_breaches_below_the_band_and_pages(
    engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    store_window(engine, t0, 0.5, 0.3)
    found = run(engine, t0, tmp_path)
    assert set(found) == {"accuracy", "precision", "recall", "f1", "roc_auc"}
    auc = found["roc_auc"]
    limits = auc.details["thresholds"]
    assert limits["source"] == "reference_band" and limits["upper"] is None
    assert auc.status == "breach" and auc.value < limits["lower"] == auc.threshold
    assert found["accuracy"].status == "breach"
    fired = evaluate_rules(
        engine, [RULE], [("churn", "retention")], lambda name: f"https://runbooks/{name}", None,
        t0 + timedelta(minutes=6),
    )  # fmt: skip
    assert len(fired) == 1
    alert = fired[0]
    assert alert.labels["alertname"] == "EstimatedPerformanceDrop"
    assert "roc_auc" in [s["subject"] for s in alert.annotations["subjects"]]
    assert alert.annotations["runbook_url"] == "https://runbooks/estimated-performance-drop"


def test_without_bounds_an_unshifted_window_stays_inside_the_band(
    engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    store_window(engine, t0, 0.0, 1.0)
    found = run(engine, t0, tmp_path)
    assert {name: s.status for name, s in found.items()} == dict.fromkeys(found, "ok")


def test_an_estimate_above_the_band_breaches_only_with_reference_band_both(
    engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    store_window(engine, t0, 1.5, 1.0)
    lower = run(engine, t0, tmp_path, metrics={"recall": {}})
    assert lower["recall"].status == "ok"
    both = run(engine, t0, tmp_path, metrics={"recall": {}}, reference_band="both")
    recall = both["recall"]
    assert recall.status == "breach"
    assert recall.value > recall.details["thresholds"]["upper"]


def test_a_misspelt_reference_band_fails_config_validation() -> None:
    with pytest.raises(ValueError, match="reference_band"):
        EstimatedPerformanceConfig.model_validate({"reference_band": "upper"})

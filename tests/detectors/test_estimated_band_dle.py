"""Direct loss estimation for regression: estimated MAE/RMSE follow the realized ones under
covariate shift, and breach above the reference band when no bounds are configured."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from numpy.typing import NDArray
from sqlalchemy import Engine

from detectors.dle import DleReference, FeatureEncoder, learn_codes
from detectors.errors import ReferenceColumnMissing, ReferenceEmpty
from detectors.estimated_performance_dle import load_dle_reference, window_dle
from detectors.estimated_performance_job import EstimatedPerformanceRunner
from detectors.metrics import METRICS, MetricInput
from detectors.performance_config import EstimatedPerformanceConfig
from store.predictions import insert_predictions
from store.records import Signal
from store.specs import ModelSpec
from store.window_inputs import InputWindow

SPEC = ModelSpec.model_validate(
    {"name": "claims", "task": "regression", "reference": {"path": "reference.csv"},
     "features": [{"name": "age", "type": "numeric"}, {"name": "region", "type": "categorical"},
                  {"name": "notes", "type": "text"}]}
)  # fmt: skip
CONFIG = EstimatedPerformanceConfig.model_validate(
    {"interval": "1h", "window": "1h", "label_column": "cost", "chunk": 500}
)


def simulate(n: int, loc: float, seed: int) -> dict[str, NDArray[np.generic]]:
    """Claims whose cost the model predicts right on average; the error is larger above age
    1 and in region ``north``. ``loc`` shifts ``age`` (covariate shift, concept unchanged)
    within the range the reference covers."""
    rng = np.random.default_rng(seed)
    age = rng.normal(loc, 1.0, n)
    region = rng.choice(["north", "south", "east"], n, p=[0.3, 0.4, 0.3])
    mean = 10 + 3 * age + np.where(region == "north", 2.0, 0.0)
    spread = 1.0 + 2.0 * (age > 1) + np.where(region == "north", 1.0, 0.0)
    cost = mean + rng.normal(0, 1, n) * spread
    return {"age": age, "region": region, "prediction": mean, "cost": cost}


def write_reference(folder: Path, n: int = 20_000) -> Path:
    path = folder / "reference.csv"
    pacsv.write_csv(pa.table(simulate(n, 0.0, seed=1)), path)
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> DleReference:
    return load_dle_reference(SPEC, write_reference(tmp_path_factory.mktemp("dle")), CONFIG)


def as_window(data: dict[str, NDArray[np.generic]]) -> InputWindow:
    n = len(data["cost"])
    prediction = np.empty(n, dtype=object)
    prediction[:] = [float(v) for v in data["prediction"]]
    features = [
        {"age": float(a), "region": str(r)}
        for a, r in zip(data["age"], data["region"], strict=True)
    ]
    return InputWindow(features, np.full(n, np.nan), prediction)


def realized(data: dict[str, NDArray[np.generic]], name: str) -> float:
    y_true = np.asarray(data["cost"], np.float64)
    y_pred = np.asarray(data["prediction"], np.float64)
    value = METRICS[name].compute(MetricInput(y_true, y_pred, y_pred, 1))
    assert isinstance(value, float)
    return value


def estimate(reference: DleReference, data: dict[str, NDArray[np.generic]]) -> dict[str, Signal]:
    t = datetime(2026, 3, 2, 9, 0)
    return {s.subject: s for s in window_dle(SPEC, reference, as_window(data), t, t, CONFIG)}


def standard_error(data: dict[str, NDArray[np.generic]], name: str) -> float:
    """The realized metric's own standard error in this window (a shifted window's errors
    spread more than the reference chunks'): MAE's from ``|e|``, RMSE's by the delta method."""
    error = np.asarray(data["cost"], np.float64) - np.asarray(data["prediction"], np.float64)
    n = len(error)
    if name == "mae":
        return float(np.abs(error).std(ddof=1) / np.sqrt(n))
    return float((error**2).std(ddof=1) / (2 * realized(data, "rmse") * np.sqrt(n)))


@pytest.mark.parametrize(
    ("loc", "seed"),
    [(0.0, 2), (0.0, 3), (1.0, 2), (1.5, 3), (1.5, 5), (-1.0, 4)],
    ids=["no shift, sample 1", "no shift, sample 2", "shift up by 1", "shift up by 1.5",
         "shift up by 1.5, another sample", "shift down"],
)  # fmt: skip
def test_estimated_mae_and_rmse_are_within_three_standard_errors_of_the_realized_ones(
    reference: DleReference, loc: float, seed: int
) -> None:
    data = simulate(2000, loc, seed)
    found = estimate(reference, data)
    for name in ("mae", "rmse"):
        value = found[name].value
        assert value is not None
        assert abs(value - realized(data, name)) <= 3 * standard_error(data, name), name


def test_on_a_large_shifted_window_the_estimates_are_within_five_percent(
    reference: DleReference,
) -> None:
    data = simulate(50_000, 1.5, seed=11)
    found = estimate(reference, data)
    for name in ("mae", "rmse"):
        assert found[name].value == pytest.approx(realized(data, name), rel=0.05), name


def test_under_covariate_shift_the_estimate_moves_with_the_realized_error_and_breaches(
    reference: DleReference,
) -> None:
    data = simulate(2000, 1.5, seed=2)
    found = estimate(reference, data)
    mae = found["mae"]
    error = reference.sampling_error("mae", 2000)
    assert error is not None and mae.value is not None
    assert realized(data, "mae") - reference.chunk_mean["mae"] > 10 * error  # a real rise
    limits = mae.details["thresholds"]
    assert limits == {"lower": None, "upper": pytest.approx(reference.chunk_mean["mae"] + 3 * error),
                      "source": "reference_band"}  # fmt: skip
    assert mae.status == "breach" and mae.threshold == limits["upper"] < mae.value
    assert found["rmse"].status == "breach"
    calm = estimate(reference, simulate(2000, 0.0, seed=6))
    assert calm["mae"].status == "ok" and calm["rmse"].status == "ok"


def test_unseen_categories_and_missing_features_are_estimated_as_missing(
    reference: DleReference,
) -> None:
    data = simulate(500, 0.0, seed=7)
    window = as_window(data)
    for row in window.features[::2]:
        row["region"] = "west"  # never in the reference
        del row["age"]
    x = reference.encoder.rows_matrix(window.features, np.asarray(data["prediction"], np.float64))
    assert np.isnan(x[::2, :2]).all() and not np.isnan(x[1::2, :2]).any()
    found = window_dle(SPEC, reference, window, datetime(2026, 3, 2), datetime(2026, 3, 2), CONFIG)
    assert all(s.value is not None and s.value > 0 for s in found)


def test_codes_are_learnt_from_the_most_frequent_reference_values() -> None:
    codes = learn_codes(["c"], {"c": ["b", "a", "b", None, "c"]})
    assert codes == {"c": {"a": 0, "b": 1, "c": 2}}
    encoder = FeatureEncoder(("n",), ("c",), codes)
    x = encoder.matrix({"n": [1, "x", None], "c": ["c", "zz", None]}, np.array([5.0, 6.0, 7.0]))
    assert np.array_equal(
        x, np.array([[1, 2, 5], [np.nan, np.nan, 6], [np.nan, np.nan, 7]]), equal_nan=True
    )


def test_a_reference_without_the_prediction_column_or_too_short_fails_with_the_reason(
    tmp_path: Path,
) -> None:
    data = simulate(600, 0.0, seed=1)
    pacsv.write_csv(
        pa.table({k: v for k, v in data.items() if k != "prediction"}), tmp_path / "a.csv"
    )
    with pytest.raises(ReferenceColumnMissing, match="'prediction' is missing"):
        load_dle_reference(SPEC, tmp_path / "a.csv", CONFIG)
    pacsv.write_csv(pa.table(data), tmp_path / "b.csv")
    with pytest.raises(ReferenceEmpty, match="two chunks"):
        load_dle_reference(SPEC, tmp_path / "b.csv", CONFIG)


def test_the_job_estimates_a_regression_model_from_stored_predictions(
    engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    write_reference(tmp_path, n=5000)
    data = simulate(800, 1.5, seed=8)
    insert_predictions(engine, [
        {"model": "claims", "version": "v1", "request_id": f"r{i}", "received_at": t0,
         "ts": t0 - timedelta(seconds=4 * i + 1), "score": None,
         "features": {"age": float(data["age"][i]), "region": str(data["region"][i])},
         "prediction": float(data["prediction"][i])}
        for i in range(800)
    ])  # fmt: skip
    runner = EstimatedPerformanceRunner(engine, (SPEC,), CONFIG, lambda path: tmp_path / path)
    found = {s.subject: s for s in runner(t0 + timedelta(minutes=5))}
    assert set(found) == {"mae", "rmse"}
    mae = found["mae"]
    assert mae.detector == "estimated_performance" and mae.details["method"] == "dle"
    assert mae.sample_size == 800 and mae.status == "breach"
    assert mae.value is not None
    assert abs(mae.value - realized(data, "mae")) <= 3 * standard_error(data, "mae")

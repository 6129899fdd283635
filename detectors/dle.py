"""Direct loss estimation (DLE, as NannyML introduced it) for regression models, no labels.

A regression model's error depends on where its inputs fall: some regions are harder. DLE
learns that from the labelled reference: a gradient-boosted tree (scikit-learn's
``HistGradientBoostingRegressor``) predicts each row's **absolute error** ``|y - ŷ|`` from
its features and the model's prediction ``ŷ``, and a second one its **squared error**. A
window's estimated MAE is then the mean predicted absolute error of its rows, and its
estimated RMSE the square root of the mean predicted squared error. Under covariate shift
(more traffic in hard regions) the estimate rises with the realized error; like CBPE it
cannot see concept drift (``P(y | x)`` changing).

The sampling error of a window of ``n`` rows is the standard deviation of the realized
metric over reference chunks of ``chunk`` rows, scaled by ``sqrt(chunk / n)``
(:meth:`DleReference.sampling_error`), as for CBPE.

Limit: trees do not extrapolate. Traffic far outside the reference's range (a feature
beyond anything seen) gets the error of the nearest region seen, so a window that moved
there is under-estimated; feature drift alerts on the same window say so.

The trees run on one thread (``threadpoolctl``): Vigil runs beside other services, where
OpenMP's thread pool on busy cores was measured 10-20 times slower than one thread.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.metrics import METRICS, MetricInput, NotComputable

#: The metrics DLE estimates, and the error each one's regressor predicts.
DLE_METRICS = ("mae", "rmse")


@dataclass(frozen=True)
class FeatureEncoder:
    """Rows (features dicts or reference columns) to the regressors' input matrix:
    numeric features as floats, categorical ones as codes learnt on the reference (unseen
    values and missing ones are NaN, which the trees route as missing), then the prediction."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    codes: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    @property
    def categorical_mask(self) -> NDArray[np.bool_]:
        mask = [False] * len(self.numeric) + [True] * len(self.categorical) + [False]
        return np.array(mask, dtype=bool)

    def matrix(
        self, columns: Mapping[str, Sequence[Any]], predicted: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """The input matrix from per-feature value columns and the predictions."""
        n = len(predicted)
        out = np.full((n, len(self.numeric) + len(self.categorical) + 1), np.nan)
        for j, name in enumerate(self.numeric):
            out[:, j] = [as_number(v) for v in columns.get(name, [None] * n)]
        for k, name in enumerate(self.categorical):
            codes = self.codes.get(name, {})
            values = columns.get(name, [None] * n)
            out[:, len(self.numeric) + k] = [
                np.nan if v is None else codes.get(str(v), np.nan) for v in values
            ]
        out[:, -1] = predicted
        return out

    def rows_matrix(
        self, rows: Sequence[Mapping[str, Any]], predicted: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """The input matrix from features dicts (a window's stored predictions)."""
        names = (*self.numeric, *self.categorical)
        return self.matrix({name: [row.get(name) for row in rows] for name in names}, predicted)


def as_number(value: Any) -> float:
    """A number as float; NaN for None, booleans and text that is not a number."""
    if isinstance(value, bool) or value is None:
        return np.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


#: Most categories per feature given a code (the trees' limit is 255 bins); rarer ones are
#: treated as missing.
MAX_CATEGORIES = 250


def learn_codes(
    names: Sequence[str], columns: Mapping[str, Sequence[Any]]
) -> dict[str, dict[str, int]]:
    """Per categorical feature, a code for each of its most frequent reference values."""
    found = {}
    for name in names:
        counts = Counter(str(x) for x in columns[name] if x is not None)
        kept = sorted(v for v, _ in counts.most_common(MAX_CATEGORIES))
        found[name] = {v: i for i, v in enumerate(kept)}
    return found


@dataclass(frozen=True)
class DleReference:
    """The fitted error regressors and the reference's per-chunk metric spread."""

    source: str
    rows: int
    encoder: FeatureEncoder
    absolute: Any  #: fitted ``HistGradientBoostingRegressor`` of ``|y - ŷ|``
    squared: Any  #: fitted ``HistGradientBoostingRegressor`` of ``(y - ŷ)²``
    chunk: int
    chunk_std: Mapping[str, float] = field(default_factory=dict)
    chunk_mean: Mapping[str, float] = field(default_factory=dict)

    def estimate(self, x: NDArray[np.float64]) -> dict[str, float]:
        """Estimated MAE and RMSE of the rows of ``x`` (at least one row)."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            absolute = np.clip(self.absolute.predict(x), 0.0, None)
            squared = np.clip(self.squared.predict(x), 0.0, None)
        return {"mae": float(absolute.mean()), "rmse": math.sqrt(float(squared.mean()))}

    def sampling_error(self, metric: str, n: int) -> float | None:
        std = self.chunk_std.get(metric)
        return None if std is None or n == 0 else std * math.sqrt(self.chunk / n)


def chunk_spread(
    y_true: NDArray[np.float64], y_pred: NDArray[np.float64], chunk: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Standard deviation and mean of realized MAE and RMSE over consecutive chunks."""
    spread: dict[str, list[float]] = {name: [] for name in DLE_METRICS}
    for start in range(0, len(y_true) - chunk + 1, chunk):
        part = slice(start, start + chunk)
        data = MetricInput(y_true[part], y_pred[part], y_pred[part], 1)
        for name in DLE_METRICS:
            value = METRICS[name].compute(data)
            if not isinstance(value, NotComputable):
                spread[name].append(value)
    usable = {name: values for name, values in spread.items() if len(values) >= 2}
    return (
        {name: float(np.std(values, ddof=1)) for name, values in usable.items()},
        {name: float(np.mean(values)) for name, values in usable.items()},
    )


def fit_dle(
    source: str,
    encoder: FeatureEncoder,
    x: NDArray[np.float64],
    y_true: NDArray[np.float64],
    y_pred: NDArray[np.float64],
    chunk: int,
    seed: int = 0,
) -> DleReference:
    """Fit both error regressors on the labelled reference and measure the chunk spread."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    def regressor() -> Any:
        # All 100 boosting rounds: early stopping on a held-out 10% stopped after ~30 and
        # under-estimated shifted windows' errors (2-3% instead of 1-2%).
        return HistGradientBoostingRegressor(
            categorical_features=encoder.categorical_mask, early_stopping=False,
            random_state=seed,
        )  # fmt: skip

    error = y_true - y_pred
    with threadpool_limits(limits=1):  # OpenMP threads on a shared host: far slower, not faster
        absolute = regressor().fit(x, np.abs(error))
        squared = regressor().fit(x, error**2)
    std, mean = chunk_spread(y_true, y_pred, chunk)
    return DleReference(source, len(y_true), encoder, absolute, squared, chunk, std, mean)

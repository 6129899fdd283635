"""How a window's label and prediction JSON values become metric arrays.

Labels and predictions arrive as JSON (``true``, ``1``, ``"1"``, ``"fraud"``...). For
classification every value is normalised to a string first (booleans to ``"1"``/``"0"``,
integral numbers without a decimal point, text stripped and lower-cased, ``"true"`` and
``"false"`` as ``"1"`` and ``"0"``), so ``True``, ``1``, ``1.0`` and ``"TRUE"`` are one class.

- binary: a value is positive when it normalises like ``positive_label``; a row without a
  logged prediction is predicted positive when its score reaches ``decision_threshold``;
- multiclass: classes are the sorted union of the normalised labels and predictions;
- regression: labels and predictions (or, without one, the score) as float64;
- ranking: the prediction is a list of actions, best first; each row is the 1-based rank of
  the label (the action taken) in it, 0 when the list does not hold it.

Rows that cannot be used (no label value, no prediction and no score, a non-number in
regression) are dropped and counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.metrics import MetricInput
from store.labelled import LabelledWindow


@dataclass(frozen=True)
class Encoded:
    """A window's usable rows as a metric input, which window rows they are, and classes."""

    data: MetricInput
    rows: NDArray[np.intp]
    classes: tuple[str, ...] = ()


def normalise(value: Any) -> str | None:
    """A class label as a comparable string; None for a missing value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip().lower()
    return {"true": "1", "false": "0"}.get(text, text)


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return float(value)


def encode_binary(
    window: LabelledWindow, positive_label: str | int | bool, decision_threshold: float
) -> Encoded:
    positive = normalise(positive_label)
    labels = [normalise(v) for v in window.label]
    predicted = [normalise(v) for v in window.prediction]
    by_score = window.score >= decision_threshold
    y_pred = np.array(
        [
            p == positive if p is not None else bool(s)
            for p, s in zip(predicted, by_score, strict=True)
        ],
        dtype=np.int64,
    )
    usable = np.array(
        [
            label is not None and (p is not None or not math.isnan(score))
            for label, p, score in zip(labels, predicted, window.score, strict=True)
        ],
        dtype=bool,
    )
    y_true = np.array([label == positive for label in labels], dtype=np.int64)
    rows = np.flatnonzero(usable) if len(usable) else np.empty(0, dtype=np.intp)
    data = MetricInput(y_true[rows], y_pred[rows], window.score[rows], n_classes=2)
    return Encoded(data, rows, ("0", "1"))


def encode_multiclass(window: LabelledWindow) -> Encoded:
    labels = [normalise(v) for v in window.label]
    predicted = [normalise(v) for v in window.prediction]
    keep = [i for i, (a, b) in enumerate(zip(labels, predicted, strict=True)) if a and b]
    rows = np.array(keep, dtype=np.intp)
    pairs = np.array([[labels[i], predicted[i]] for i in keep], dtype=str).reshape(-1, 2)
    classes, codes = np.unique(pairs, return_inverse=True)
    codes = codes.reshape(-1, 2).astype(np.int64)
    data = MetricInput(codes[:, 0], codes[:, 1], window.score[rows], n_classes=max(len(classes), 1))
    return Encoded(data, rows, tuple(str(c) for c in classes))


def encode_regression(window: LabelledWindow) -> Encoded:
    y_true = np.array([_as_float(v) for v in window.label], dtype=np.float64)
    logged = np.array([_as_float(v) for v in window.prediction], dtype=np.float64)
    y_pred = np.where(np.isnan(logged), window.score, logged)
    rows = np.flatnonzero(np.isfinite(y_true) & np.isfinite(y_pred))
    return Encoded(MetricInput(y_true[rows], y_pred[rows], window.score[rows], 1), rows)


def _rank(taken: str | None, ranked: Any) -> int:
    """1-based position of ``taken`` in the ``ranked`` list, 0 when absent; -1: unusable."""
    if taken is None or not isinstance(ranked, list):
        return -1
    for position, item in enumerate(ranked, start=1):
        if normalise(item) == taken:
            return position
    return 0


def encode_ranking(window: LabelledWindow) -> Encoded:
    """Ranking: ``y_true`` the rank of the taken action (0: not in the list), ``y_pred`` the
    list's length. Rows without a label or without a list prediction are unusable."""
    ranks = np.array(
        [_rank(normalise(a), p) for a, p in zip(window.label, window.prediction, strict=True)],
        dtype=np.int64,
    )
    rows = np.flatnonzero(ranks >= 0)
    lengths = np.array([len(window.prediction[i]) for i in rows], dtype=np.int64)
    return Encoded(MetricInput(ranks[rows], lengths, window.score[rows], 1), rows)

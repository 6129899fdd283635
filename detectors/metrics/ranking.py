"""Ranking (next-best-action) metrics: NDCG@k, MRR and hit rate@k of the taken action.

A ranking model's prediction is an ordered list of actions, best first; its label is the one
action taken. Each row reduces to the 1-based **rank** of the taken action in the list (0
when the list does not hold it), so every metric is a mean of per-row gains over int ranks:

==============  ==========================================  ==========================
name            per-row gain for rank ``r``                 equals
==============  ==========================================  ==========================
``ndcg@k``      ``1 / log2(r + 1)`` if ``1 <= r <= k``      sklearn ``ndcg_score`` with
                else 0 (one relevant item: ideal DCG is 1)  one-hot relevance, ``k``
``mrr``         ``1 / r`` if ``r >= 1`` else 0              mean reciprocal rank
``hit_rate@k``  1 if ``1 <= r <= k`` else 0                 top-k accuracy
==============  ==========================================  ==========================

In a :class:`~detectors.metrics.base.MetricInput` of the ranking task, ``y_true`` holds the
ranks (``int64``) and ``y_pred`` the lengths of the predicted lists. A metric's name carries
its cut-off: ``ndcg@5``, ``hit_rate@3``; ``mrr`` has none. :func:`ranking_metric` parses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

import numpy as np
from numpy.typing import NDArray

from detectors.metrics.base import Metric, MetricInput, MetricValue, Task, empty_reason

RANKING: frozenset[Task] = frozenset({"ranking"})
_NAME = re.compile(r"^(ndcg|hit_rate)@([1-9][0-9]{0,2})$")


def ndcg_gains(ranks: NDArray[np.int64], k: int) -> NDArray[np.float64]:
    """Per-row NDCG@k of a single relevant item at ``ranks`` (0: not ranked)."""
    r = np.asarray(ranks, dtype=np.float64)
    inside = (r >= 1) & (r <= k)
    return np.where(inside, 1.0 / np.log2(np.where(inside, r, 1.0) + 1.0), 0.0)


def reciprocal_ranks(ranks: NDArray[np.int64]) -> NDArray[np.float64]:
    """Per-row ``1 / rank`` (0 where the taken action is not ranked)."""
    r = np.asarray(ranks, dtype=np.float64)
    return np.where(r >= 1, 1.0 / np.where(r >= 1, r, 1.0), 0.0)


def hits(ranks: NDArray[np.int64], k: int) -> NDArray[np.float64]:
    """Per-row 1.0 where the taken action is in the top ``k``, else 0.0."""
    r = np.asarray(ranks)
    return ((r >= 1) & (r <= k)).astype(np.float64)


def ndcg_at_k(ranks: NDArray[np.int64], k: int) -> float:
    return float(np.mean(ndcg_gains(ranks, k)))


def mrr(ranks: NDArray[np.int64]) -> float:
    return float(np.mean(reciprocal_ranks(ranks)))


def hit_rate_at_k(ranks: NDArray[np.int64], k: int) -> float:
    return float(np.mean(hits(ranks, k)))


def _mean_of(
    per_row: Callable[[MetricInput], NDArray[np.float64]], data: MetricInput
) -> MetricValue:
    if (reason := empty_reason(data)) is not None:
        return reason
    return float(np.mean(per_row(data)))


def _metric(
    name: str, description: str, gains: Callable[[NDArray[np.int64]], NDArray[np.float64]]
) -> Metric:
    def per_row(data: MetricInput) -> NDArray[np.float64]:
        return gains(data.y_true.astype(np.int64))

    return Metric(name, RANKING, partial(_mean_of, per_row), True, "mean", description, per_row)


def ranking_metric(name: str) -> Metric | None:
    """The ranking metric called ``name`` (``mrr``, ``ndcg@<k>``, ``hit_rate@<k>``), or None."""
    if name == "mrr":
        return _metric("mrr", "mean reciprocal rank of the taken action", reciprocal_ranks)
    match = _NAME.match(name)
    if match is None:
        return None
    family, k = match.group(1), int(match.group(2))
    if family == "ndcg":
        return _metric(name, f"NDCG of the taken action at {k}", partial(ndcg_gains, k=k))
    return _metric(name, f"taken action in the top {k}", partial(hits, k=k))

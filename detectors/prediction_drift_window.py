"""The prediction drift job's window, read in chunks and reused from tick to tick.

The job compares the scores and predictions of a sliding window (``window``, e.g. 1h) every
``interval`` (e.g. 5m), so each tick would re-read eleven twelfths of what the previous one
read: at 1M predictions a day, ~42k rows a tick. :class:`WindowReader` splits the window at
multiples of ``chunk`` (the job's interval), keeps each chunk's scores and predictions, and
on the next tick re-reads only the chunks whose number of stored predictions changed (new
ones, and old ones that received late predictions), found with one index-only count per
chunk (:func:`store.window_counts.count_in_ranges`). Predictions are insert-only, so an
unchanged count means unchanged rows, and the window is exactly what
:func:`store.window_scores.window_scores` would read: the same rows in the same order
(by ``ts``, then ``id``, chunk after chunk).

Each replica keeps its own chunks; memory is one window of scores and predictions per model.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import Engine

from store.window_counts import count_in_ranges
from store.window_scores import ScoredWindow, window_scores

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Range = tuple[datetime, datetime]


def chunk_ranges(start: datetime, end: datetime, chunk: timedelta) -> list[Range]:
    """``[start, end)`` cut at the multiples of ``chunk`` since the epoch, in time order."""
    if chunk <= timedelta(0):
        raise ValueError("chunk must be positive")
    ranges: list[Range] = []
    low = start
    while low < end:
        high = min(end, _EPOCH + ((low - _EPOCH) // chunk + 1) * chunk)
        ranges.append((low, high))
        low = high
    return ranges


class WindowReader:
    """Reads ``window_scores`` of a model, reusing chunks that did not change."""

    def __init__(self, engine: Engine, chunk: timedelta) -> None:
        self._engine = engine
        self._chunk = chunk
        self._kept: dict[str, dict[Range, ScoredWindow]] = {}
        #: Rows fetched by the last :meth:`read` (for tests and benchmarks).
        self.rows_read = 0

    def read(self, model: str, start: datetime, end: datetime) -> ScoredWindow:
        """The scores and predictions of ``model`` with ``start <= ts < end``, in time order."""
        ranges = chunk_ranges(start, end, self._chunk)
        counts = count_in_ranges(self._engine, model, ranges)
        kept = self._kept.get(model, {})
        fresh: dict[Range, ScoredWindow] = {}
        self.rows_read = 0
        for span, count in zip(ranges, counts, strict=True):
            found = kept.get(span)
            if found is None or len(found.score) != count:
                found = window_scores(self._engine, model, *span)
                self.rows_read += len(found.score)
            fresh[span] = found
        self._kept[model] = fresh
        parts = [fresh[span] for span in ranges]
        prediction = np.empty(sum(len(p.prediction) for p in parts), dtype=object)
        if parts:
            prediction[:] = np.concatenate([p.prediction for p in parts])
        score = np.concatenate([p.score for p in parts]) if parts else np.empty(0)
        return ScoredWindow(score=score.astype(np.float64, copy=False), prediction=prediction)

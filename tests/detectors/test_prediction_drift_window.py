"""The prediction drift window read in reused chunks equals one read of the whole window."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from itertools import count
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine

from detectors.prediction_drift_window import WindowReader, chunk_ranges
from store.predictions import insert_predictions
from store.window_counts import count_in_ranges
from store.window_scores import ScoredWindow, window_scores

MIN = timedelta(minutes=1)
_IDS = count()


def _row(ts: datetime, rng: random.Random) -> dict[str, Any]:
    failed = rng.random() < 0.1
    return {
        "model": "credit",
        "version": "v1",
        "request_id": f"req-{next(_IDS)}",
        "ts": ts,
        "features": {"income": 1.0},
        "prediction": None if failed else rng.choice([0, 1, "maybe", [1, 2]]),
        "score": None if failed else rng.random(),
        "latency_ms": 20.0,
        "error": "timeout" if failed else None,
        "received_at": ts,
    }


def _traffic(rng: random.Random, start: datetime, end: datetime, n: int) -> list[dict[str, Any]]:
    seconds = (end - start).total_seconds()
    # Some share a timestamp, so the order by id within one ts matters too.
    stamps = [start + timedelta(seconds=int(rng.uniform(0, seconds))) for _ in range(n)]
    return [_row(ts, rng) for ts in stamps]


def _same(a: ScoredWindow, b: ScoredWindow) -> None:
    np.testing.assert_array_equal(a.score, b.score)  # NaN equals NaN here
    assert a.score.dtype == b.score.dtype == np.float64
    assert a.prediction.dtype == b.prediction.dtype == object
    assert a.prediction.tolist() == b.prediction.tolist()


def test_chunk_ranges_cut_at_multiples_of_the_chunk(t0: datetime) -> None:
    start = t0 - 7 * MIN
    assert chunk_ranges(start, t0 + 3 * MIN, 5 * MIN) == [
        (start, t0 - 5 * MIN),
        (t0 - 5 * MIN, t0),
        (t0, t0 + 3 * MIN),
    ]
    assert chunk_ranges(t0, t0, 5 * MIN) == []
    with pytest.raises(ValueError, match="positive"):
        chunk_ranges(t0, t0 + MIN, timedelta(0))


def test_reused_chunks_give_the_whole_window_with_late_arrivals(
    engine: Engine, t0: datetime
) -> None:
    rng = random.Random(7)
    reader = WindowReader(engine, 5 * MIN)
    window = timedelta(minutes=62)  # not a multiple of the chunk: a part chunk at the start
    insert_predictions(engine, _traffic(rng, t0 - 2 * window, t0, 400))
    end = t0
    for tick in range(10):
        start = end - window
        got = reader.read("credit", start, end)
        _same(got, window_scores(engine, "credit", start, end))
        if tick:
            # Only changed chunks were fetched: far fewer rows than the window holds.
            assert reader.rows_read < len(got.score)
        # New traffic for the next tick, and late predictions for old chunks of the window.
        new = _traffic(rng, end, end + 5 * MIN, rng.randint(0, 40))
        late = _traffic(rng, end - window + MIN, end, rng.randint(0, 3))
        insert_predictions(engine, new + late)
        end += 5 * MIN


def test_an_empty_window_reads_as_empty_arrays(engine: Engine, t0: datetime) -> None:
    got = WindowReader(engine, 5 * MIN).read("credit", t0 - 30 * MIN, t0)
    _same(got, window_scores(engine, "credit", t0 - 30 * MIN, t0))
    assert len(got.score) == 0


def test_counts_per_range_are_index_counts(engine: Engine, t0: datetime) -> None:
    rng = random.Random(1)
    rows = _traffic(rng, t0 - 10 * MIN, t0, 50)
    insert_predictions(engine, rows)
    ranges = [(t0 - 10 * MIN, t0 - 4 * MIN), (t0 - 4 * MIN, t0), (t0, t0 + MIN)]
    expected = [sum(1 for r in rows if a <= r["ts"] < b) for a, b in ranges]
    assert count_in_ranges(engine, "credit", ranges) == expected
    assert count_in_ranges(engine, "other", ranges) == [0, 0, 0]

"""Bucketing drift signals into heatmap cells, without Streamlit or a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboards.heatmap import MAX_BUCKETS, HeatCell, bucket_size, bucket_start, heat_cells
from store.signal_history import SignalPoint

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("span", "size"),
    [
        pytest.param(timedelta(hours=6), timedelta(minutes=5), id="six hours in 5-minute cells"),
        pytest.param(timedelta(days=1), timedelta(minutes=15), id="a day in 15-minute cells"),
        pytest.param(timedelta(days=7), timedelta(hours=1), id="a week in hours"),
        pytest.param(timedelta(days=30), timedelta(hours=6), id="a month in 6-hour cells"),
        pytest.param(timedelta(days=3650), timedelta(days=1), id="never coarser than a day"),
    ],
)
def test_the_bucket_is_the_smallest_that_keeps_the_columns_readable(
    span: timedelta, size: timedelta
) -> None:
    assert bucket_size(span) == size
    assert span / size <= MAX_BUCKETS or size == timedelta(days=1)


def test_buckets_are_aligned_on_utc_midnight() -> None:
    at = datetime(2026, 3, 2, 13, 47, tzinfo=UTC)
    assert bucket_start(at, timedelta(hours=6)) == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _point(minutes: int, subject: str, value: float | None, status: str = "ok") -> SignalPoint:
    return SignalPoint(T0 + timedelta(minutes=minutes), subject, value, 0.2, status)


def test_a_cell_holds_the_worst_ratio_to_threshold_and_counts_breaches() -> None:
    cells = heat_cells(
        [
            _point(5, "income", 0.1),
            _point(10, "income", 0.3, "breach"),
            _point(15, "income", None, "not_computable"),
            _point(70, "income", 0.02),
            _point(5, "age", None, "not_computable"),
        ],
        timedelta(hours=1),
    )
    assert cells == [
        HeatCell("age", T0, None, 0, 1),
        HeatCell("income", T0, pytest.approx(1.5), 1, 3),  # type: ignore[arg-type]
        HeatCell("income", T0 + timedelta(hours=1), pytest.approx(0.1), 0, 1),  # type: ignore[arg-type]
    ]


def test_a_signal_without_a_threshold_has_no_ratio() -> None:
    point = SignalPoint(T0, "x", 0.5, None, "ok")
    assert heat_cells([point], timedelta(hours=1))[0].ratio is None

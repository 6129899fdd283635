"""Quality SLIs: detector windows that met their target, read from the signals table."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from slo.config import SLOSpec
from slo.jobs import slo_job
from slo.quality import count_outcomes, count_quality_windows, window_outcomes
from slo.sli import EventCounts
from slo.sli_config import QualityTarget, SLISpec
from store.records import Signal, SignalStatus
from store.signal_windows import MetricObservation, WindowBreaches
from store.signals import write_signals

H = timedelta(hours=1)
AUC = SLOSpec(
    name="credit-auc",
    model="credit",
    sli=SLISpec(
        kind="quality",
        detector="performance",
        metric="roc_auc",
        target=QualityTarget(at_least=0.8),
    ),
    objective=90,
    window=timedelta(days=7),
)
DRIFT = SLOSpec(
    name="credit-drift",
    model="credit",
    sli=SLISpec(
        kind="quality",
        detector="drift",
        metric="breach_share",
        target=QualityTarget(at_most=0.3),
    ),
    objective=90,
    window=timedelta(days=7),
)


def _signal(
    end: datetime,
    detector: str,
    subject: str,
    metric: str,
    value: float | None,
    status: SignalStatus = "ok",
) -> Signal:
    return Signal(
        detector=detector,
        model="credit",
        subject=subject,
        metric=metric,
        window_start=end - H,
        window_end=end,
        value=value,
        threshold=None,
        status=status,
        sample_size=100,
    )


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            [MetricObservation(datetime.min, "model", 0.85)],
            [True],
            id="an AUC above target is good",
        ),
        pytest.param(
            [MetricObservation(datetime.min, "model", 0.7)],
            [False],
            id="an AUC below target is bad",
        ),
        pytest.param(
            [MetricObservation(datetime.min, "model", None)],
            [None],
            id="an AUC that could not be computed is not counted",
        ),
    ],
)
def test_each_observation_meets_the_target_or_not(rows, expected) -> None:
    outcomes = window_outcomes(QualityTarget(at_least=0.8), rows)
    assert [met for _, met in outcomes] == expected


@pytest.mark.parametrize(
    ("window", "met"),
    [
        pytest.param(WindowBreaches(datetime.min, 10, 3), True, id="3 of 10 features drifting is at most 0.3"),
        pytest.param(WindowBreaches(datetime.min, 10, 4), False, id="4 of 10 features drifting is too many"),
        pytest.param(WindowBreaches(datetime.min, 0, 0), None, id="no computable feature is not counted"),
    ],
)  # fmt: skip
def test_breach_share_is_the_share_of_computable_signals_in_breach(window, met) -> None:
    [(_, outcome)] = window_outcomes(QualityTarget(at_most=0.3), [window])
    assert outcome is met


def test_windows_are_counted_in_each_span_ending_at_the_end(t0: datetime) -> None:
    outcomes = [
        (t0 - 3 * H, True),
        (t0 - 2 * H, False),
        (t0 - H, None),
        (t0 - H, True),
        (t0, False),  # ends at the evaluation instant: the next evaluation counts it
    ]
    assert count_outcomes(outcomes, t0, [H, 2 * H, 3 * H]) == {
        H: EventCounts(good=1, total=1),
        2 * H: EventCounts(good=1, total=2),
        3 * H: EventCounts(good=2, total=3),
    }


@pytest.fixture
def stored(engine: Engine, t0: datetime) -> Engine:
    """Six hourly windows: AUC misses its target twice; drift is too wide once."""
    found = []
    for i, auc in enumerate([0.9, 0.85, 0.7, 0.82, 0.75, 0.88]):
        end = t0 - (6 - i) * H
        found.append(_signal(end, "performance", "model", "roc_auc", auc))
        drifted = 4 if i == 1 else 1
        for f in range(10):
            status: SignalStatus = "breach" if f < drifted else "ok"
            found.append(_signal(end, "drift", f"f{f}", "wasserstein", 0.1, status))
        found.append(_signal(end, "drift", "text", "none", None, "not_computable"))
    found.append(_signal(t0 - H, "performance", "segment-a", "roc_auc", 0.1))
    found.append(_signal(t0 - H, "performance", "model", "accuracy", 0.1))
    write_signals(engine, found, t0)
    return engine


def test_quality_windows_are_read_from_stored_signals(stored: Engine, t0: datetime) -> None:
    per_model = AUC.model_copy(update={"sli": AUC.sli.model_copy(update={"subject": "model"})})

    assert count_quality_windows(stored, per_model, t0, [3 * H, 6 * H]) == {
        3 * H: EventCounts(good=2, total=3),
        6 * H: EventCounts(good=4, total=6),
    }
    # Without a subject every subject's signal of the metric is one window.
    assert count_quality_windows(stored, AUC, t0, [H]) == {H: EventCounts(good=1, total=2)}
    assert count_quality_windows(stored, DRIFT, t0, [6 * H, 7 * H]) == {
        6 * H: EventCounts(good=5, total=6),
        7 * H: EventCounts(good=5, total=6),
    }


def test_a_quality_slo_without_signals_has_no_data(sqlite_engine: Engine, t0: datetime) -> None:
    [signal] = slo_job(sqlite_engine, [DRIFT]).run(t0)
    assert signal.status == "not_computable"
    assert signal.details["state"] == "no_data"


def test_the_job_pages_when_drift_keeps_missing_its_target(
    sqlite_engine: Engine, t0: datetime
) -> None:
    """A drift check every 5 minutes; from 1h before t0, half the features drift.

    The objective is 99%: at 90% no burn rate could exceed 10x, below page-quick's 13.44x.
    """
    found = []
    for i in range(72):
        end = t0 - (72 - i) * 5 * timedelta(minutes=1)
        drifted = 5 if end > t0 - H else 0
        for f in range(10):
            status: SignalStatus = "breach" if f < drifted else "ok"
            found.append(_signal(end, "drift", f"f{f}", "wasserstein", 0.2, status))
    write_signals(sqlite_engine, found, t0)

    strict = DRIFT.model_copy(update={"objective": 99.0})

    [signal] = slo_job(sqlite_engine, [strict]).run(t0)

    # 11 of the last 12 windows (after t0 - 1h) missed the target: 11/12 bad against 1%.
    assert signal.status == "breach"
    assert signal.details["alert"] == "page-quick"
    assert signal.details["events"]["1h"] == {"good": 1, "total": 12}
    assert signal.details["burn_rates"]["1h"] == pytest.approx((11 / 12) / 0.01)

"""``store.latest_signals``: the Fleet's latest signal per subject by index seeks, on SQLite and
PostgreSQL, equal to ``store.signals.latest_signals`` however the history is shaped."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from store.latest_signals import latest_per_subject
from store.records import Signal
from store.signals import latest_signals, write_signals


def _signal(detector: str, model: str, subject: str, end: datetime, status: str) -> Signal:
    return Signal(
        detector=detector,
        model=model,
        subject=subject,
        metric="psi",
        window_start=end - timedelta(minutes=1),
        window_end=end,
        value=0.3 if status == "breach" else 0.01,
        threshold=0.2,
        status=status,  # type: ignore[arg-type]
        sample_size=100,
        details={"end": end.isoformat()},
    )


def test_the_latest_signal_of_every_subject_matches_the_grouping_query(
    engine: Engine, t0: datetime
) -> None:
    found = []
    for minute in range(120):
        end = t0 + timedelta(minutes=minute)
        found += [_signal("drift", "a", f"f{i}", end, "ok") for i in range(3)]
        found.append(_signal("drift", "b", "f0", end, "breach" if minute == 119 else "ok"))
        if minute % 60 == 0:  # an hourly detector, and a subject that stopped reporting
            found.append(_signal("performance", "a", "roc_auc", end, "ok"))
    found.append(_signal("quality", "a", "zz_old_check", t0 - timedelta(days=3), "breach"))
    found.append(_signal("slo", "c", "availability", t0, "ok"))  # a model not asked for
    write_signals(engine, found, t0)

    fast = latest_per_subject(engine, ["a", "b", "unknown"])
    assert fast == {
        "a": latest_signals(engine, "a"),
        "b": latest_signals(engine, "b"),
        "unknown": [],
    }
    latest_a = {(s.signal.detector, s.signal.subject): s.signal.window_end for s in fast["a"]}
    assert latest_a == {
        ("drift", "f0"): t0 + timedelta(minutes=119),
        ("drift", "f1"): t0 + timedelta(minutes=119),
        ("drift", "f2"): t0 + timedelta(minutes=119),
        ("performance", "roc_auc"): t0 + timedelta(minutes=60),
        ("quality", "zz_old_check"): t0 - timedelta(days=3),
    }
    assert [s.signal.status for s in fast["b"]] == ["breach"]


def test_detectors_can_be_narrowed_and_an_empty_store_has_nothing(
    engine: Engine, t0: datetime
) -> None:
    assert latest_per_subject(engine, ["a"]) == {"a": []}
    write_signals(
        engine, [_signal("drift", "a", "f0", t0, "ok"), _signal("slo", "a", "s", t0, "ok")], t0
    )
    only_slo = latest_per_subject(engine, ["a"], detectors=["slo"])
    assert [(s.signal.detector, s.signal.subject) for s in only_slo["a"]] == [("slo", "s")]

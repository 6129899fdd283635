"""Duplicate labels: the newest replaces the stored one, audited in the same transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from store.audit import audit_entries
from store.label_upsert import newest_per_request
from store.predictions import count_labels, insert_labels
from store.schema import labels


def _label(request_id: str, label: Any, ts: datetime) -> dict[str, Any]:
    return {"model": "credit", "request_id": request_id, "label": label, "ts": ts,
            "received_at": ts + timedelta(minutes=1)}  # fmt: skip


def _stored(engine: Engine) -> dict[str, tuple[Any, datetime]]:
    with engine.connect() as conn:
        rows = conn.execute(select(labels.c.request_id, labels.c.label, labels.c.ts)).all()
    return {r.request_id: (r.label, r.ts) for r in rows}


def test_a_newer_label_replaces_the_stored_one_and_is_audited(engine: Engine, t0) -> None:
    assert insert_labels(engine, [_label("r1", 0, t0), _label("r2", 1, t0)]) == 2
    later = t0 + timedelta(days=3)
    assert insert_labels(engine, [_label("r1", 1, later)]) == 1
    assert _stored(engine) == {"r1": (1, later), "r2": (1, t0)}
    assert count_labels(engine, "credit") == 2
    [entry] = list(audit_entries(engine))
    assert (entry.actor, entry.action, entry.target) == ("collector", "label.replaced", "credit/r1")
    assert entry.data == {
        "old": {"label": 0, "ts": t0.isoformat()},
        "new": {"label": 1, "ts": later.isoformat()},
    }
    assert entry.at == later + timedelta(minutes=1)


def test_resending_the_stored_label_changes_nothing_and_audits_nothing(engine: Engine, t0) -> None:
    rows = [_label("r1", 0, t0), _label("r2", 1, t0)]
    assert insert_labels(engine, rows) == 2
    assert insert_labels(engine, rows) == 0
    assert list(audit_entries(engine)) == []


def test_an_older_label_does_not_replace_a_newer_one(engine: Engine, t0) -> None:
    insert_labels(engine, [_label("r1", 1, t0)])
    assert insert_labels(engine, [_label("r1", 0, t0 - timedelta(hours=1))]) == 0
    assert _stored(engine) == {"r1": (1, t0)}
    assert list(audit_entries(engine)) == []


def test_a_replayed_correction_is_applied_and_audited_once(engine: Engine, t0) -> None:
    insert_labels(engine, [_label("r1", 0, t0)])
    correction = [_label("r1", 1, t0 + timedelta(hours=2))]
    assert insert_labels(engine, correction) == 1
    assert insert_labels(engine, correction) == 0
    assert len(list(audit_entries(engine))) == 1


def test_a_batch_mixing_new_and_corrected_labels_counts_both(engine: Engine, t0) -> None:
    insert_labels(engine, [_label("r1", 0, t0)])
    batch = [_label("r1", 1, t0 + timedelta(hours=1)), _label("r2", 0, t0)]
    assert insert_labels(engine, batch) == 2
    assert _stored(engine)["r1"][0] == 1
    assert [e.target for e in audit_entries(engine)] == ["credit/r1"]


def test_within_one_batch_the_newest_label_of_a_request_is_kept(t0) -> None:
    first, newer, tie = _label("r1", 0, t0), _label("r1", 1, t0 + timedelta(1)), _label("r1", 2, t0)
    assert newest_per_request([first, newer, tie]) == [newer]
    assert newest_per_request([first, tie]) == [first]


def test_a_large_batch_of_corrections_spans_chunks(engine: Engine, t0) -> None:
    insert_labels(engine, [_label(f"r{i}", 0, t0) for i in range(900)])
    later = t0 + timedelta(hours=1)
    assert insert_labels(engine, [_label(f"r{i}", 1, later) for i in range(900)]) == 900
    assert len(list(audit_entries(engine))) == 900
    assert {label for label, _ in _stored(engine).values()} == {1}

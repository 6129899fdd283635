"""Storing signals that replace what a window said before.

:func:`store.signals.write_signals` keeps the first signal of a window, which suits
detectors whose inputs are final when the window closes. Realized performance is not: a
window's labels keep arriving, so each tick re-evaluates recent windows and its signals
must replace the stored ones (same detector, model, subject and window end).

A changed signal is updated in place (same id, ``created_at`` set to the time of the
update); an unchanged one is left alone, so re-evaluating a settled window writes nothing.
Rules read the latest window of each subject (:func:`store.signals.latest_signals`), so a
replaced value is what they see on their next evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, tuple_, update

from store.records import Signal
from store.schema import signals

_KEY = ("detector", "model", "subject", "window_end")
_COMPARED = ("metric", "window_start", "value", "threshold", "status", "sample_size", "details")
#: Keys per SELECT, under SQLite's bound-parameter limit (4 parameters per key).
_CHUNK = 200


def _key(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[name] for name in _KEY)


def upsert_signals(engine: Engine, found: Sequence[Signal], now: datetime) -> int:
    """Store signals, replacing stored ones with the same (detector, model, subject,
    window_end) whose content differs; returns how many were written (new or replaced)."""
    rows = {_key(row): row for row in ({**asdict(s), "created_at": now} for s in found)}
    if not rows:
        return 0
    key_columns = tuple_(*(signals.c[name] for name in _KEY))
    compared = [signals.c[name] for name in (*_KEY, *_COMPARED)]
    with engine.begin() as conn:
        keys = list(rows)
        stored: dict[tuple[Any, ...], dict[str, Any]] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            for row in conn.execute(select(signals.c.id, *compared).where(key_columns.in_(chunk))):
                mapping = dict(row._mapping)
                stored[_key(mapping)] = mapping
        changed = [
            key
            for key, row in rows.items()
            if key not in stored or any(stored[key][c] != row[c] for c in _COMPARED)
        ]
        for key in changed:
            if key in stored:
                stmt = update(signals).where(signals.c.id == stored[key]["id"])
                conn.execute(stmt.values(rows[key]))
        new = [rows[key] for key in changed if key not in stored]
        if new:
            conn.execute(insert(signals), new)
    return len(changed)

"""What one accepted request becomes: a :class:`Batch` of store-ready rows of one kind.

The same batch is written to the store directly (``direct``) or encoded into a spool record
and decoded again by the writer (``spool``). The encoding is JSON; datetimes are ISO 8601
text, turned back into aware datetimes by field name, so no user value (a ``segment``
attribute, say) can be mistaken for a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal

from sqlalchemy import Engine

from store.pipeline_runs import upsert_pipeline_runs
from store.predictions import insert_labels, insert_predictions
from store.spans import insert_spans

Kind = Literal["predictions", "labels", "pipeline_runs", "spans"]
StoreWriter = Callable[[Engine, Sequence[dict[str, Any]]], int]

#: How each kind reaches the store; every writer is idempotent, so replays store nothing twice.
WRITERS: Mapping[str, StoreWriter] = MappingProxyType(
    {
        "predictions": insert_predictions,
        "labels": insert_labels,
        "pipeline_runs": upsert_pipeline_runs,
        "spans": insert_spans,
    }
)

_TIME_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "predictions": ("ts", "received_at"),
        "labels": ("ts", "received_at"),
        "pipeline_runs": ("started_at", "finished_at", "output_freshness", "received_at"),
        "spans": ("started_at", "ended_at", "received_at"),
    }
)


@dataclass(frozen=True)
class Batch:
    """Rows of one kind accepted together, and when they were spooled."""

    kind: Kind
    rows: list[dict[str, Any]]
    spooled_at: datetime


class CorruptRecord(ValueError):
    """A spool record that passed its CRC but does not decode (written by another version)."""


def encode(batch: Batch) -> bytes:
    """The spool payload of a batch."""
    times = _TIME_FIELDS[batch.kind]
    rows = [
        {k: (v.isoformat() if k in times and v is not None else v) for k, v in row.items()}
        for row in batch.rows
    ]
    document = {"kind": batch.kind, "spooled_at": batch.spooled_at.isoformat(), "rows": rows}
    return json.dumps(document, separators=(",", ":"), allow_nan=False).encode()


def decode(payload: bytes) -> Batch:
    """Inverse of :func:`encode`; raise :class:`CorruptRecord` when it is not one."""
    try:
        document = json.loads(payload)
        kind = document["kind"]
        times = _TIME_FIELDS[kind]
        rows = [
            {
                k: (datetime.fromisoformat(v) if k in times and v is not None else v)
                for k, v in row.items()
            }
            for row in document["rows"]
        ]
        return Batch(kind, rows, datetime.fromisoformat(document["spooled_at"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorruptRecord(f"undecodable spool record: {type(exc).__name__}") from None

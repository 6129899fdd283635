"""What one accepted request becomes: a :class:`Batch` of store-ready rows of one kind.

The same batch is written to the store directly (``direct``) or encoded into a spool record
and decoded again by the writer (``spool``). The encoding is JSON.

Predictions, the kind that comes by the ten thousand a second, travel as the store's
prepared rows (:func:`store.predictions.prepare_predictions`: a list of values per row,
JSON columns already JSON text, times already UTC text), made once where the request is
accepted; the writer hands them to the driver as they are, so nothing is decoded into
dicts and datetimes only to be encoded again. Such a record says ``"format":"prepared"``.

The other kinds (and predictions spooled by earlier versions) are rows of dicts; their
datetimes are ISO 8601 text, turned back into aware datetimes by field name, so no user
value (a ``segment`` attribute, say) can be mistaken for a time. orjson writes and reads
records (datetimes in C); the standard library takes over for what orjson refuses
(integers beyond 64 bits) and for the rarer kinds, and reads back what it wrote.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal, Protocol

import orjson
from sqlalchemy import Engine

from store.pipeline_runs import upsert_pipeline_runs
from store.predictions import (
    PREDICTION_COLUMNS,
    insert_labels,
    insert_prepared_predictions,
    prepare_predictions,
)
from store.spans import insert_spans

Kind = Literal["predictions", "labels", "pipeline_runs", "spans"]
StoreWriter = Callable[[Engine, Sequence[Any]], int]

#: How each kind's store-ready rows (:func:`store_ready`) reach the store; every writer is
#: idempotent, so replays store nothing twice.
WRITERS: Mapping[str, StoreWriter] = MappingProxyType(
    {
        "predictions": insert_prepared_predictions,
        "labels": insert_labels,
        "pipeline_runs": upsert_pipeline_runs,
        "spans": insert_spans,
    }
)


class PredictionWriter(Protocol):
    """Stores predictions with their profiles (:class:`collector.profiles.profiler.Profiler`)."""

    def store_predictions(self, rows: Sequence[Any]) -> int: ...


def write_rows(
    engine: Engine, kind: str, rows: Sequence[Any], profiler: PredictionWriter | None = None
) -> int:
    """Store one kind's store-ready rows (:func:`store_ready`) with its :data:`WRITERS` entry;
    predictions through ``profiler`` when there is one, so that their profiles commit with
    them. Returns the rows that went in (duplicates skipped)."""
    if kind == "predictions" and profiler is not None:
        return profiler.store_predictions(rows)
    return WRITERS[kind](engine, rows)


_TIME_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "predictions": ("ts", "received_at"),
        "labels": ("ts", "received_at"),
        "pipeline_runs": ("started_at", "finished_at", "output_freshness", "received_at"),
        "spans": ("started_at", "ended_at", "received_at"),
    }
)


#: Kinds whose validation lets no NaN or infinity through, so orjson may encode them (it
#: would write ``null`` where the standard library refuses, which the store would refuse).
_FAST_KINDS = frozenset({"predictions", "labels"})


#: Leads a payload the standard library wrote (valid JSON whitespace), so it is read back by
#: the standard library too: orjson would turn an integer beyond 64 bits into a float.
_STDLIB_MARK = b" "


#: The head every encoder writes: kind, then spooled_at, then the rows.
_HEAD = re.compile(rb' ?\{"kind":"[a-z_]{1,20}","spooled_at":"([0-9T:.+-]{1,40})"')


#: Marks a record whose prediction rows are prepared rows rather than dicts.
_PREPARED = "prepared"


def store_ready(kind: str, rows: Sequence[Any]) -> list[Any]:
    """Validated rows of ``kind`` as its :data:`WRITERS` entry takes them: predictions as
    prepared rows (dicts are prepared; prepared rows are left alone), other kinds as dicts."""
    if kind == "predictions" and rows and isinstance(rows[0], Mapping):
        return prepare_predictions(rows)
    return list(rows)


@dataclass(frozen=True)
class Batch:
    """Rows of one kind accepted together, and when they were spooled.

    Predictions are prepared rows once encoded or decoded (dicts given here are prepared by
    :func:`encode`); the other kinds are dicts."""

    kind: Kind
    rows: list[Any]
    spooled_at: datetime


class CorruptRecord(ValueError):
    """A spool record that passed its CRC but does not decode (written by another version)."""


def _encode_stdlib(batch: Batch) -> bytes:
    times = _TIME_FIELDS[batch.kind]
    rows = [
        {k: (v.isoformat() if k in times and v is not None else v) for k, v in row.items()}
        for row in batch.rows
    ]
    document = {"kind": batch.kind, "spooled_at": batch.spooled_at.isoformat(), "rows": rows}
    return _STDLIB_MARK + json.dumps(document, separators=(",", ":"), allow_nan=False).encode()


def _encode_prepared(batch: Batch) -> bytes:
    document = {
        "kind": batch.kind,
        "spooled_at": batch.spooled_at,
        "format": _PREPARED,
        "rows": store_ready(batch.kind, batch.rows),
    }
    try:
        return orjson.dumps(document)
    except TypeError:  # an integer score beyond 64 bits, say
        document["spooled_at"] = batch.spooled_at.isoformat()
        return _STDLIB_MARK + json.dumps(document, separators=(",", ":"), allow_nan=False).encode()


def encode(batch: Batch) -> bytes:
    """The spool payload of a batch."""
    if batch.kind == "predictions":
        return _encode_prepared(batch)
    if batch.kind not in _FAST_KINDS:
        return _encode_stdlib(batch)
    document = {"kind": batch.kind, "spooled_at": batch.spooled_at, "rows": batch.rows}
    try:
        return orjson.dumps(document)
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits, say
        return _encode_stdlib(batch)


def decode(payload: bytes) -> Batch:
    """Inverse of :func:`encode`; raise :class:`CorruptRecord` when it is not one."""
    try:
        if payload[:1] == _STDLIB_MARK:
            document = json.loads(payload)  # keeps integers beyond 64 bits exact
        else:
            try:
                document = orjson.loads(payload)
            except orjson.JSONDecodeError:
                document = json.loads(payload)
        kind = document["kind"]
        times = _TIME_FIELDS[kind]
        rows = document["rows"]
        parse = datetime.fromisoformat
        if document.get("format") == _PREPARED:
            width = len(PREDICTION_COLUMNS)
            if kind != "predictions" or not all(
                type(row) is list and len(row) == width for row in rows
            ):
                raise TypeError("prepared rows are lists of prediction values")
            return Batch(kind, rows, parse(document["spooled_at"]))
        for row in rows:
            for key in times:
                value = row.get(key)
                if value is not None:
                    row[key] = parse(value)
        # Predictions spooled as dicts by an earlier version are prepared like new ones.
        return Batch(kind, store_ready(kind, rows), parse(document["spooled_at"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorruptRecord(f"undecodable spool record: {type(exc).__name__}") from None


def spooled_at(payload: bytes) -> datetime:
    """When a record was spooled, read from its head without decoding its rows (the
    writer-lag gauge asks at every scrape); :class:`CorruptRecord` if it is not a record."""
    head = _HEAD.match(payload)
    if head is not None:
        try:
            return datetime.fromisoformat(head.group(1).decode())
        except ValueError:
            pass
    return decode(payload).spooled_at

"""Reading recorded events: JSON lines (optionally gzip), a directory of them, or Parquet.

Each record is ``{"type": "prediction" | "label" | "span" | "pipeline_run", "ts": ISO-8601,
...}``; the other fields are those of the HTTP API (a span is an OTLP JSON span object, with
an optional ``resource``). ``ts`` is when the event reached Vigil: the replay inserts it
when its simulated clock passes that time.

A record that cannot be read (not JSON, not an object, unknown ``type``, missing or bad
``ts``) is not an event: it is listed as a :class:`BadRecord` with its file and line (row
for Parquet) and the replay goes on. Whether an event is *valid* is for the collector's
validation to say later, exactly as for the HTTP API.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from collector.validation import Reject, parse_timestamp

TYPES = ("prediction", "label", "span", "pipeline_run")
#: File names a directory is read for (others, such as a README, are skipped).
SUFFIXES = (".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz", ".json.gz", ".gz", ".parquet")
#: How many bad records are listed one by one (all are counted).
MAX_LISTED = 100

try:  # orjson parses a prediction line several times faster; json gives the same values
    import orjson

    _loads: Callable[[bytes], Any] = orjson.loads
    _DecodeError: type[Exception] = orjson.JSONDecodeError
except ImportError:  # pragma: no cover - depends on the environment
    _loads = json.loads
    _DecodeError = ValueError


@dataclass(frozen=True, slots=True)
class Event:
    """One recorded event: when it arrived, its type, its API fields, and where it was read."""

    ts: datetime
    type: str
    body: dict[str, Any]
    where: str


@dataclass(frozen=True)
class BadRecord:
    """A record that is not an event, and why."""

    where: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"where": self.where, "reason": self.reason}


@dataclass
class ReadReport:
    """What reading found: events read, and the records that could not be read."""

    events: int = 0
    bad: int = 0
    listed: list[BadRecord] = field(default_factory=list)

    def reject(self, where: str, reason: str) -> None:
        self.bad += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append(BadRecord(where, reason))

    def as_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "unparseable": self.bad,
            "unparseable_listed": [b.as_dict() for b in self.listed],
        }


class _Bad(Exception):
    pass


def _timestamp(value: Any) -> datetime:
    if type(value) is str:  # the common case, checked first: RFC 3339 text already in UTC
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None  # parse_timestamp below gives the reason
        if parsed is not None and parsed.tzinfo is UTC:
            return parsed
    if isinstance(value, datetime):  # Parquet timestamp columns
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if value is None:
        raise _Bad("ts is required")
    try:
        return parse_timestamp(value, "ts")
    except Reject as bad:
        raise _Bad(f"ts {bad.reason}") from None


def to_event(record: Any, where: str) -> Event:
    """The event a decoded record stands for; raise ``_Bad`` with the reason if none."""
    if not isinstance(record, dict):
        raise _Bad("must be a JSON object")
    kind = record.get("type")
    if kind not in TYPES:
        raise _Bad(f"type must be one of {', '.join(TYPES)}")
    raw_ts = record.pop("ts", None)
    ts = _timestamp(raw_ts)
    del record["type"]  # the record was decoded for us alone: its dict becomes the body
    body = (
        record
        if None not in record.values()
        else {k: v for k, v in record.items() if v is not None}
    )
    if kind == "prediction" and "timestamp" not in body:  # decided when it arrived
        body["timestamp"] = raw_ts if isinstance(raw_ts, str) else ts.isoformat()
    return Event(ts, kind, body, where)


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    with opener(path, "rb") as file:
        yield from file


def _json_records(path: Path, report: ReadReport) -> Iterator[Event]:
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            event = to_event(_loads(line), where)
        except _DecodeError:
            report.reject(where, "not valid JSON")
            continue
        except _Bad as bad:
            report.reject(where, str(bad))
            continue
        report.events += 1
        yield event


def _parquet_records(path: Path, report: ReadReport) -> Iterator[Event]:
    import pyarrow.parquet as pq  # heavy: only when a Parquet file is replayed

    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=10_000):
        for record in batch.to_pylist():
            number += 1
            where = f"{path.name}:row {number}"
            try:
                event = to_event(record, where)
            except _Bad as bad:
                report.reject(where, str(bad))
                continue
            report.events += 1
            yield event


def event_files(path: Path) -> list[Path]:
    """The files ``path`` names: itself, or a directory's event files in name order."""
    if path.is_dir():
        return sorted(
            p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(SUFFIXES)
        )
    if not path.exists():
        raise FileNotFoundError(f"no such events file or directory: {path}")
    return [path]


def read_events(paths: Iterable[Path], report: ReadReport) -> Iterator[Event]:
    """Every event of ``paths`` in file order; bad records go to ``report``."""
    for path in paths:
        if path.name.lower().endswith(".parquet"):
            yield from _parquet_records(path, report)
        else:
            yield from _json_records(path, report)

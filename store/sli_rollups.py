"""Per-minute and per-hour counts of prediction SLIs: what SLO windows are summed from.

A *series* is one way of counting a model's predictions (:class:`RollupSeries`):
availability (every prediction; good when ``error`` is null) or latency at one threshold
(predictions with a ``latency_ms``; good when it is at most the threshold). Each configured
threshold is its own series, so every configured SLO gets exact counts; a fixed latency
histogram would be exact only for thresholds on its bucket edges.

``sli_minutes`` holds, per (model, series, minute), the good and total events whose ``ts``
falls in that minute; ``sli_hours`` the same per hour, summed from the minutes. A series'
mark (``sli_rollup_marks``) is the contiguous range ``[rolled_from, rolled_to)`` of minutes
its rows cover; a minute of that range without events has no row, or a row of zeros.
Hour rows are only meaningful for hours wholly inside the range, and :func:`sum_rollups` is
only asked for ranges inside it.

:func:`roll_up` recounts a range of minutes from the raw rows and upserts the result (and
re-sums the hours it touches), in one transaction with the mark: running it twice, or on two
replicas, gives the same rows. Which minutes to re-roll, and when, is the SLO job's decision
(:mod:`slo.sli_rollup`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    String,
    Table,
    bindparam,
    case,
    func,
    literal,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from store.errors import StoreUnavailable
from store.schema import (
    UTCDateTime,
    predictions,
    sli_hours,
    sli_minutes,
    sli_rollup_marks,
)

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class RollupSeries:
    """One SLI counting of a model's predictions; ``latency_ms`` None means availability."""

    latency_ms: float | None = None

    @property
    def key(self) -> str:
        """The series' name in the rollup tables (``repr`` of a float round-trips exactly)."""
        return "availability" if self.latency_ms is None else f"latency_ms<={self.latency_ms!r}"


@dataclass(frozen=True, slots=True)
class Mark:
    """The minutes ``[start, end)`` a series' rollups cover."""

    start: datetime
    end: datetime


def floor_to(value: datetime, step: timedelta) -> datetime:
    """``value`` rounded down to a multiple of ``step`` since the epoch (UTC)."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((value - epoch) // step) * step


def ceil_to(value: datetime, step: timedelta) -> datetime:
    floor = floor_to(value, step)
    return floor if floor == value else floor + step


def _unavailable(what: str, exc: SQLAlchemyError) -> StoreUnavailable:
    return StoreUnavailable(f"could not {what}: {type(exc).__name__}")


@cache
def _marks_query() -> Any:
    return select(
        sli_rollup_marks.c.sli, sli_rollup_marks.c.rolled_from, sli_rollup_marks.c.rolled_to
    ).where(sli_rollup_marks.c.model == bindparam("p_model"))


@cache
def _marks_upsert(dialect: str) -> Any:
    stmt = _insert(dialect, sli_rollup_marks)
    changed = {name: stmt.excluded[name] for name in ("rolled_from", "rolled_to", "updated_at")}
    return stmt.on_conflict_do_update(index_elements=["model", "sli"], set_=changed)


def load_marks(engine: Engine, model: str) -> dict[str, Mark]:
    """The covered range of each series of ``model`` rolled up so far, by series key."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(_marks_query(), {"p_model": model})
            return {row[0]: Mark(row[1], row[2]) for row in rows}
    except SQLAlchemyError as exc:
        raise _unavailable(f"read the SLI rollup marks of model {model!r}", exc) from None


def first_event(engine: Engine, model: str) -> datetime | None:
    """The earliest ``ts`` of ``model``'s predictions (one probe of the ``(model, ts)`` index)."""
    query = select(func.min(predictions.c.ts)).where(predictions.c.model == model)
    try:
        with engine.connect() as conn:
            found: datetime | None = conn.execute(query).scalar()
            return found
    except SQLAlchemyError as exc:
        raise _unavailable(f"read the first prediction of model {model!r}", exc) from None


def _truncated(dialect: str, column: Any, unit: str) -> ColumnElement[Any]:
    """The start of the ``unit`` (minute or hour) of a ``UTCDateTime`` column, in SQL."""
    if dialect == "sqlite":
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (naive UTC): keep the minute or the hour.
        if unit == "minute":
            text = func.substr(column, 1, 16).concat(":00.000000")
        else:
            text = func.substr(column, 1, 13).concat(":00:00.000000")
        return type_coerce(text, UTCDateTime)
    return type_coerce(func.date_trunc(unit, column, "UTC"), UTCDateTime)


def _insert(dialect: str, table: Table) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _upsert_from(dialect: str, table: Table, query: Select[Any]) -> Any:
    """``INSERT INTO table SELECT ...`` replacing the counts of rows already there."""
    stmt = _insert(dialect, table).from_select(["model", "sli", "start", "good", "total"], query)
    changed = {"good": stmt.excluded.good, "total": stmt.excluded.total}
    return stmt.on_conflict_do_update(index_elements=["model", "sli", "start"], set_=changed)


# The statements below are built once per dialect and shape, with bound parameters: a tick
# runs a handful per model, and building SQLAlchemy expressions costs more than running them.


@cache
def _minutes_statement(dialect: str, latency: bool) -> Any:
    """Upsert one series' minute counts of ``:model`` over ``[:start, :end)``, all in SQL."""
    minute = _truncated(dialect, predictions.c.ts, "minute")
    if latency:
        total: ColumnElement[Any] = func.count(predictions.c.latency_ms)
        good: ColumnElement[bool] = predictions.c.latency_ms <= bindparam("p_threshold")
    else:
        total, good = func.count(), predictions.c.error.is_(None)
    query = (
        select(
            bindparam("p_model", type_=String),
            bindparam("p_sli", type_=String),
            minute,
            func.coalesce(func.sum(case((good, 1), else_=0)), 0),
            total,
        )
        .where(
            predictions.c.model == bindparam("p_model"),
            predictions.c.ts >= bindparam("p_start"),
            predictions.c.ts < bindparam("p_end"),
        )
        .group_by(minute)
        .having(total > 0)
    )
    return _upsert_from(dialect, sli_minutes, query)


@cache
def _hours_statement(dialect: str) -> Any:
    """Upsert the hour rows of ``:keys`` of ``:model`` in ``[:start, :end)`` from minutes."""
    hour = _truncated(dialect, sli_minutes.c.start, "hour")
    query = (
        select(
            sli_minutes.c.model,
            sli_minutes.c.sli,
            hour,
            func.sum(sli_minutes.c.good),
            func.sum(sli_minutes.c.total),
        )
        .where(
            sli_minutes.c.model == bindparam("p_model"),
            sli_minutes.c.sli.in_(bindparam("p_keys", expanding=True)),
            sli_minutes.c.start >= bindparam("p_start"),
            sli_minutes.c.start < bindparam("p_end"),
        )
        .group_by(sli_minutes.c.model, sli_minutes.c.sli, hour)
    )
    return _upsert_from(dialect, sli_hours, query)


@cache
def _zero_statement() -> Any:
    return (
        update(sli_minutes)
        .where(
            sli_minutes.c.model == bindparam("p_model"),
            sli_minutes.c.sli.in_(bindparam("p_keys", expanding=True)),
            sli_minutes.c.start >= bindparam("p_start"),
            sli_minutes.c.start < bindparam("p_end"),
        )
        .values(good=0, total=0)
    )


def roll_up(
    engine: Engine,
    model: str,
    series: Sequence[RollupSeries],
    start: datetime,
    end: datetime,
    marks: Mapping[str, Mark],
    now: datetime,
) -> None:
    """Recount ``series`` of ``model`` over the minutes ``[start, end)`` from raw rows.

    ``start`` and ``end`` are whole minutes; each series' stored mark (given in ``marks``)
    must reach ``start`` (``rolled_from <= start <= rolled_to``) so the covered range stays
    contiguous; a series without a mark starts one at ``start``. Minute counts are upserted
    (a minute that lost every event keeps a zero row), the hours overlapping the range are
    re-summed, and each mark grows to cover ``end``: one transaction.
    """
    if start != floor_to(start, MINUTE) or end != floor_to(end, MINUTE) or start > end:
        raise ValueError(f"not a range of whole minutes: [{start}, {end})")
    for one in series:
        mark = marks.get(one.key)
        if mark is not None and not mark.start <= start <= mark.end:
            raise ValueError(f"series {one.key} is rolled over {mark}; cannot roll from {start}")
    keys = [one.key for one in series]
    try:
        with engine.begin() as conn:
            if start < end and series:
                # Zero what was counted before, then recount: a minute whose events are gone
                # (deleted rows) counts zero, and SQL does all the counting.
                dialect = conn.dialect.name
                params = {"p_model": model, "p_keys": keys, "p_start": start, "p_end": end}
                conn.execute(_zero_statement(), params)
                for one in series:
                    conn.execute(
                        _minutes_statement(dialect, one.latency_ms is not None),
                        {**params, "p_sli": one.key, "p_threshold": one.latency_ms},
                    )
                hours = {**params, "p_start": floor_to(start, HOUR), "p_end": ceil_to(end, HOUR)}
                conn.execute(_hours_statement(dialect), hours)
            new_marks = []
            for key in keys:
                mark = marks.get(key)
                new_marks.append(
                    {
                        "model": model,
                        "sli": key,
                        "rolled_from": start if mark is None else mark.start,
                        "rolled_to": end if mark is None else max(mark.end, end),
                        "updated_at": now,
                    }
                )
            conn.execute(_marks_upsert(conn.dialect.name), new_marks)
    except SQLAlchemyError as exc:
        raise _unavailable(f"roll up the SLIs of model {model!r}", exc) from None


def _pieces(start: datetime, end: datetime) -> list[tuple[Table, datetime, datetime]]:
    """``[start, end)`` (whole minutes) as whole hours from ``sli_hours``, edges in minutes."""
    first, last = ceil_to(start, HOUR), floor_to(end, HOUR)
    if first >= last:
        return [(sli_minutes, start, end)]
    pieces = [(sli_minutes, start, first), (sli_hours, first, last), (sli_minutes, last, end)]
    return [piece for piece in pieces if piece[1] < piece[2]]


@lru_cache(maxsize=256)
def _sums_statement(shape: tuple[tuple[int, str], ...]) -> Any:
    """The ``UNION ALL`` of one range scan per piece: (range index, table) each."""
    parts = []
    for n, (i, name) in enumerate(shape):
        table = sli_hours if name == sli_hours.name else sli_minutes
        parts.append(
            select(
                literal(i).label("range"),
                table.c.sli,
                func.sum(table.c.good),
                func.sum(table.c.total),
            )
            .where(
                table.c.model == bindparam("model"),
                table.c.sli.in_(bindparam("keys", expanding=True)),
                table.c.start >= bindparam(f"low{n}", type_=UTCDateTime),
                table.c.start < bindparam(f"high{n}", type_=UTCDateTime),
            )
            .group_by(table.c.sli)
        )
    return union_all(*parts)


def sum_rollups(
    engine: Engine,
    model: str,
    keys: Sequence[str],
    ranges: Sequence[tuple[datetime, datetime]],
) -> list[dict[str, tuple[int, int]]]:
    """Per range ``[start, end)`` of whole minutes, each series' summed ``(good, total)``.

    One statement: a ``UNION ALL`` of range scans, hours for the whole hours of each range
    and minutes for its edges (at most 2 x 59 minute rows and one hour row per hour).
    """
    shape: list[tuple[int, str]] = []
    params: dict[str, Any] = {"model": model, "keys": list(keys)}
    for i, (start, end) in enumerate(ranges):
        if start != floor_to(start, MINUTE) or end != floor_to(end, MINUTE):
            raise ValueError(f"not a range of whole minutes: [{start}, {end})")
        for table, low, high in _pieces(start, end):
            params[f"low{len(shape)}"], params[f"high{len(shape)}"] = low, high
            shape.append((i, table.name))
    sums: list[dict[str, tuple[int, int]]] = [dict.fromkeys(keys, (0, 0)) for _ in ranges]
    if not shape:
        return sums
    try:
        with engine.connect() as conn:
            rows = conn.execute(_sums_statement(tuple(shape)), params).all()
    except SQLAlchemyError as exc:
        raise _unavailable(f"read the SLI rollups of model {model!r}", exc) from None
    for i, key, good, total in rows:
        before = sums[int(i)][key]
        sums[int(i)][key] = (before[0] + int(good or 0), before[1] + int(total or 0))
    return sums

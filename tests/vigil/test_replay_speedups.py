"""What the replay's speed-ups must not change: the release order of the reorder queue, the
times read from ``ts``, the row reservoirs the store ends up with (stored once, after the
last step), and the process's garbage-collection settings once the replay is over."""

from __future__ import annotations

import gc
import heapq
import random
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from replay_streams import MODEL, predictions, write_config, write_jsonl
from sqlalchemy import Engine, select

from collector.validation import Reject, parse_timestamp
from store.schema import profile_reservoirs
from vigil.config import load_config
from vigil.replay.events import Event, to_event
from vigil.replay.ordering import OrderReport, reorder
from vigil.replay.run import GC_THRESHOLD, ReplayOptions, replay

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def _one_heap(events: Iterable[Event], window: timedelta) -> Iterator[Event]:
    """The reference: every event through one heap of (ts, reading position)."""
    held: list[tuple[datetime, int, Event]] = []
    newest: datetime | None = None
    for seq, event in enumerate(events):
        newest = event.ts if newest is None or event.ts > newest else newest
        heapq.heappush(held, (event.ts, seq, event))
        while held and held[0][0] <= newest - window:
            yield heapq.heappop(held)[2]
    while held:
        yield heapq.heappop(held)[2]


@pytest.mark.parametrize("window_seconds", [0, 5, 30, 1000])
def test_reorder_releases_events_as_one_heap_over_all_of_them_would(window_seconds: int) -> None:
    rng = random.Random(window_seconds)
    window = timedelta(seconds=window_seconds)
    for _ in range(400):
        # Mostly in order (ties included), with some events read early or late.
        events = [
            Event(
                T0 + timedelta(seconds=rng.randint(0, 100) if rng.random() < 0.2 else i * 2),
                "prediction",
                {},
                f"e:{i}",
            )
            for i in range(rng.randint(0, 50))
        ]
        report = OrderReport(window)
        got = [e.where for e in reorder(events, window, report)]
        assert got == [e.where for e in _one_heap(events, window)]
        assert sorted(got) == sorted(e.where for e in events)  # nothing lost or repeated


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-02T00:00:00+00:00",
        "2026-03-02T00:00:00.086400+00:00",
        "2026-03-02T00:00:00Z",
        "2026-03-02T01:30:00+01:30",
        "2026-03-02T00:00:00",
        "2026-03-02",
        "yesterday",
        "",
        1772409600,
        1772409600.5,
        float("nan"),
        True,
        None,
        ["2026-03-02"],
    ],
)
def test_ts_is_read_exactly_as_the_collector_parses_timestamps(value: Any) -> None:
    try:
        expected: datetime | str = parse_timestamp(value, "ts")
    except Reject as bad:
        expected = f"ts {bad.reason}"
    if value is None:
        expected = "ts is required"
    try:
        got: datetime | str = to_event({"type": "label", "ts": value}, "x:1").ts
    except Exception as bad:  # to_event's reason for a record that is not an event
        got = str(bad)
    assert got == expected
    if isinstance(got, datetime):
        assert got.tzinfo is UTC


def test_row_reservoirs_are_stored_once_after_the_last_step_with_every_prediction_seen(
    engine: Engine, tmp_path: Path
) -> None:
    config = load_config(str(write_config(tmp_path)))
    # 150 minutes: three reservoir windows of one hour, the last one partly filled.
    stream = predictions(T0, 150, 60)
    events = write_jsonl(tmp_path / "events.jsonl", stream)
    url = engine.url.render_as_string(hide_password=False)
    timeline = replay(config, ReplayOptions(events=events, progress=False, store_url=url))
    assert timeline.timeline["input"]["accepted"] == {"predictions": len(stream)}
    with engine.connect() as conn:
        rows = conn.execute(
            select(profile_reservoirs).where(profile_reservoirs.c.model == MODEL)
        ).all()
    seen = {row.window_start: row.seen for row in rows}
    assert seen == {T0 + timedelta(hours=h): n for h, n in ((0, 3600), (1, 3600), (2, 1800))}
    for row in rows:
        assert len(row.rows) == min(row.capacity, row.seen)
    assert timeline.seconds["profiles"] >= 0.0


def test_no_job_reads_the_row_reservoirs_so_storing_them_at_the_end_changes_no_result() -> None:
    # The replay stores reservoirs only after its last step. Should a detector start reading
    # them, it must be flushed before that detector runs instead: this test says so.
    readers = [
        path.relative_to(ROOT).as_posix()
        for package in ("detectors", "slo", "alerting", "vigil")
        for path in (ROOT / package).rglob("*.py")
        if re.search(r"window_reservoir|profile_reservoirs", path.read_text())
    ]
    assert readers == []


def test_the_garbage_collector_settings_are_restored_after_a_replay(tmp_path: Path) -> None:
    config = load_config(str(write_config(tmp_path, drift=False)))
    events = write_jsonl(tmp_path / "events.jsonl", predictions(T0, 3, 10))
    before = gc.get_threshold()
    assert before != GC_THRESHOLD
    replay(config, ReplayOptions(events=events, progress=False))
    assert gc.get_threshold() == before
    with pytest.raises(FileNotFoundError):
        replay(config, ReplayOptions(events=tmp_path / "missing.jsonl", progress=False))
    assert gc.get_threshold() == before

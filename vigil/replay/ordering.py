"""Putting events back in time order, within a bounded window, and saying how late they were.

Recorded streams are rarely sorted: several producers, clock skew, files concatenated. The
replay holds events for ``window`` of event time and releases them in ``ts`` order, so
anything at most ``window`` out of place is inserted in its right place. An event later
than that is still replayed, when it is read (its time has passed on the simulated clock,
as it had for the real collector), and is counted as *late*. Memory is bounded by the
events of one window, not by the stream.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from vigil.replay.events import Event

MAX_LISTED = 100


@dataclass
class OrderReport:
    """How far out of order the stream was."""

    window: timedelta
    out_of_order: int = 0
    max_lateness: timedelta = timedelta(0)
    late: int = 0
    late_listed: list[str] = field(default_factory=list)

    def note(self, event: Event, newest: datetime) -> None:
        lateness = newest - event.ts
        self.out_of_order += 1
        self.max_lateness = max(self.max_lateness, lateness)
        if lateness > self.window:
            self.late += 1
            if len(self.late_listed) < MAX_LISTED:
                self.late_listed.append(f"{event.where} ({lateness.total_seconds():g}s late)")

    def as_dict(self) -> dict[str, Any]:
        return {
            "reorder_window_seconds": self.window.total_seconds(),
            "out_of_order": self.out_of_order,
            "max_lateness_seconds": self.max_lateness.total_seconds(),
            "late_beyond_window": self.late,
            "late_listed": list(self.late_listed),
        }


def reorder(events: Iterable[Event], window: timedelta, report: OrderReport) -> Iterator[Event]:
    """``events`` sorted by ``ts`` within ``window``; ties keep their reading order.

    Events read in order (the common case) wait in a queue, already sorted; only those read
    out of order go through a heap. Both hold ``(ts, reading position, event)``, and the
    smaller head is released first, so the output is that of one heap over all of them.
    """
    in_order: deque[tuple[datetime, int, Event]] = deque()
    held: list[tuple[datetime, int, Event]] = []
    newest: datetime | None = None
    for seq, event in enumerate(events):
        ts = event.ts
        if newest is None or ts >= newest:
            newest = ts
            in_order.append((ts, seq, event))
        else:
            report.note(event, newest)
            heapq.heappush(held, (ts, seq, event))
        horizon = newest - window
        if held:
            yield from _release(in_order, held, horizon)
        else:
            while in_order and in_order[0][0] <= horizon:
                yield in_order.popleft()[2]
    yield from _release(in_order, held, None)


def _release(
    in_order: deque[tuple[datetime, int, Event]],
    held: list[tuple[datetime, int, Event]],
    horizon: datetime | None,
) -> Iterator[Event]:
    """Pop the smaller of the two heads while it is at most ``horizon`` (all if ``None``)."""
    while in_order or held:
        if held and (not in_order or held[0][:2] < in_order[0][:2]):
            if horizon is not None and held[0][0] > horizon:
                return
            yield heapq.heappop(held)[2]
        else:
            if horizon is not None and in_order[0][0] > horizon:
                return
            yield in_order.popleft()[2]

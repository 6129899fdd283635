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
    """``events`` sorted by ``ts`` within ``window``; ties keep their reading order."""
    held: list[tuple[datetime, int, Event]] = []
    newest: datetime | None = None
    for seq, event in enumerate(events):
        if newest is None or event.ts > newest:
            newest = event.ts
        elif event.ts < newest:
            report.note(event, newest)
        heapq.heappush(held, (event.ts, seq, event))
        horizon = newest - window
        while held and held[0][0] <= horizon:
            yield heapq.heappop(held)[2]
    while held:
        yield heapq.heappop(held)[2]

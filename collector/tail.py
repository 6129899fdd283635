"""``vigil collect --tail``: ship a model server's JSON-lines prediction log to the collector.

The loop is small: read a chunk of whole lines (:class:`~collector.tail_files.Follower`),
keep the JSON objects, deliver them (:class:`~collector.tail_client.IngestClient`), and
only then checkpoint the position after them (:class:`~collector.tail_state.TailState`).
So a line is never counted as delivered before the collector acknowledged it, a restart
resumes after the last acknowledged line, and a crash between acknowledgement and
checkpoint resends one batch the collector stores once (idempotent on model and request
id). Lines that are not JSON objects are logged and skipped; a batch the collector refuses
as a whole (400, 413) is split in halves until the offending line is isolated and skipped.
Memory is bounded by one batch; ``sleep`` is a parameter, so tests run without waiting.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from collector.tail_client import Delivery
from collector.tail_files import FilePosition, Follower
from collector.tail_state import TailState

log = logging.getLogger(__name__)


class Sender(Protocol):
    def send(self, lines: list[bytes]) -> Delivery: ...


@dataclass
class TailStats:
    """Counts since the tailer started."""

    batches: int = 0
    accepted: int = 0
    rejected: int = 0
    skipped: int = 0


def json_objects(lines: list[bytes]) -> tuple[list[bytes], int]:
    """The lines holding one JSON object (stripped), and how many others were not blank."""
    kept: list[bytes] = []
    skipped = 0
    for line in lines:
        text = line.strip()
        if not text:
            continue
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, dict):
            kept.append(text)
        else:
            skipped += 1
    return kept, skipped


class Tailer:
    """Moves lines from ``follower`` to ``sender``, checkpointing into ``state``."""

    def __init__(
        self,
        follower: Follower,
        sender: Sender,
        state: TailState,
        start: FilePosition | None,
        *,
        batch_lines: int = 500,
        poll_interval: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._follower = follower
        self._sender = sender
        self._state = state
        self._saved = start
        self._batch_lines = batch_lines
        self._poll_interval = poll_interval
        self._sleep = sleep
        self.stats = TailStats()

    def step(self) -> bool:
        """Deliver one chunk and checkpoint after it; False when there was nothing new."""
        chunk = self._follower.read(self._batch_lines)
        events, skipped = json_objects(chunk.lines)
        if skipped:
            log.warning("skipped %d line(s) that are not JSON objects", skipped)
            self.stats.skipped += skipped
        if events:
            self._deliver(events)
            self.stats.batches += 1
        opened = chunk.position.inode != 0 or chunk.position.device != 0
        moved = opened and chunk.position != self._saved
        if moved:
            self._state.save(chunk.position)
            self._saved = chunk.position
        return bool(chunk.lines) or moved

    def _deliver(self, events: list[bytes]) -> None:
        delivery = self._sender.send(events)
        if delivery.status == "acknowledged":
            self.stats.accepted += delivery.accepted
            self.stats.rejected += delivery.rejected
            if delivery.rejected:
                log.warning("the collector rejected %d event(s)", delivery.rejected)
        elif len(events) == 1:
            log.warning("the collector refused a line, skipping it: %s", delivery.reason)
            self.stats.rejected += 1
        else:
            middle = len(events) // 2
            self._deliver(events[:middle])
            self._deliver(events[middle:])

    def drain(self, max_steps: int = 1_000_000) -> TailStats:
        """Deliver everything written so far, then return (``--once``)."""
        for _ in range(max_steps):
            if not self.step():
                break
        return self.stats

    def run(self, should_stop: Callable[[], bool]) -> TailStats:
        """Follow until ``should_stop()``; idle polls wait ``poll_interval`` seconds."""
        while not should_stop():
            if not self.step():
                self._sleep(self._poll_interval)
        return self.stats

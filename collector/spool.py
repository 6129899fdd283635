"""An append-only, fsynced spool of accepted batches: the collector's write-ahead log.

Request threads :meth:`Spool.append` a record and get control back only after ``fsync``;
that is what lets the API answer 2xx before the store has the rows. One writer thread
:meth:`Spool.scan`\\ s records from its position and :meth:`Spool.commit`\\ s the position
once they are stored. Records are consumed strictly in order, so the checkpoint is one
position (segment, offset): every segment before it is fully drained and is deleted.

Each start seals whatever segment was active before and opens a new one, so a torn tail
left by a crash is only ever at the end of a sealed segment, where :meth:`scan` steps over
it. A lost or unreadable checkpoint replays from the oldest segment; the store's insert is
idempotent on (model, request_id), so a replay stores nothing twice.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

from collector.errors import SpoolUnavailable
from collector.spool_files import (
    Position,
    frame,
    fsync_directory,
    list_segments,
    load_checkpoint,
    lock_folder,
    read_records,
    save_checkpoint,
    segment_path,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Record:
    """A spooled payload and the position just after it.

    ``payload`` is None for a step from the end of a sealed segment to the next one:
    committing that position lets the drained segment be deleted.
    """

    payload: bytes | None
    end: Position


class Spool:
    """Segment files under ``directory``, rotated once a segment passes ``segment_bytes``."""

    def __init__(self, directory: Path, segment_bytes: int) -> None:
        self._dir = directory
        self._segment_bytes = segment_bytes
        self._lock = threading.Lock()
        self._lock_fd = -1
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._lock_fd = lock_folder(directory)
            existing = list_segments(directory)
            self._committed = load_checkpoint(directory) or Position(
                existing[0] if existing else 1, 0
            )
            for number in existing:
                if number < self._committed.segment:
                    segment_path(directory, number).unlink(missing_ok=True)
            self._sizes = {
                n: segment_path(directory, n).stat().st_size
                for n in existing
                if n >= self._committed.segment
            }
            # The new segment comes after every record and after the checkpoint.
            floor = self._committed.segment - (0 if self._committed.offset else 1)
            self._active = max([*self._sizes, floor]) + 1
            self._fd = -1
            self._fd = self._open_segment(self._active)
        except BlockingIOError:
            raise SpoolUnavailable(
                f"the spool in {directory} is in use by another collector"
            ) from None
        except OSError as exc:
            if self._lock_fd >= 0:
                os.close(self._lock_fd)
            raise SpoolUnavailable(
                f"cannot open the spool in {directory}: {exc.strerror}"
            ) from None
        self._end = Position(self._active, 0)
        self._pending = sum(1 for r in self.scan(self._committed) if r.payload is not None)

    @property
    def directory(self) -> Path:
        return self._dir

    def _open_segment(self, number: int) -> int:
        fd = os.open(segment_path(self._dir, number), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fsync_directory(self._dir)
        self._sizes[number] = 0
        return fd

    def _rotate(self) -> None:
        """Seal the active segment and start the next one (under the lock)."""
        if self._fd >= 0:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1
        self._active += 1
        self._fd = self._open_segment(self._active)

    def append(self, payload: bytes) -> Position:
        """Append one record and fsync it; raise :class:`SpoolUnavailable` if that fails."""
        record = frame(payload)
        with self._lock:
            size = 0
            try:
                size = self._sizes.get(self._active, 0)
                if self._fd < 0 or (size and size + len(record) > self._segment_bytes):
                    self._rotate()
                    size = 0
                view = memoryview(record)
                while view:
                    view = view[os.write(self._fd, view) :]
                os.fsync(self._fd)
            except OSError as exc:
                self._abandon_tail(size)
                raise SpoolUnavailable(f"could not write the spool: {exc.strerror}") from None
            self._sizes[self._active] = size + len(record)
            self._end = Position(self._active, size + len(record))
            self._pending += 1
            return self._end

    def _abandon_tail(self, good_size: int) -> None:
        """After a failed write, cut the partial record; failing that, seal the segment."""
        if self._fd < 0:
            return
        try:
            os.ftruncate(self._fd, good_size)
            os.fsync(self._fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1  # the next append starts a new segment; readers skip the torn tail

    def scan(self, start: Position) -> Generator[Record, None, None]:
        """Records from ``start`` up to the end as it is now (only fsynced records)."""
        with self._lock:
            end = self._end
            numbers = sorted(n for n in self._sizes if n >= start.segment)
        position = start
        for number in numbers:
            if number > position.segment:
                position = Position(number, 0)
                yield Record(None, position)
            limit = end.offset if number == end.segment else None
            for payload, offset, torn in read_records(
                segment_path(self._dir, number), position.offset, limit
            ):
                if torn:
                    log.warning("spool segment %d: unreadable record at byte %d", number, offset)
                    break
                position = Position(number, offset)
                yield Record(payload, position)
            if number == end.segment:
                return

    def commit(self, position: Position, records: int) -> None:
        """Record that everything before ``position`` (``records`` records) is stored."""
        try:
            save_checkpoint(self._dir, position)
        except OSError as exc:
            raise SpoolUnavailable(f"could not save the spool checkpoint: {exc.strerror}") from None
        with self._lock:
            self._committed = max(self._committed, position)
            self._pending = max(0, self._pending - records)
            drained = [n for n in self._sizes if n < self._committed.segment]
            for number in drained:
                del self._sizes[number]
        for number in drained:
            with contextlib.suppress(OSError):
                segment_path(self._dir, number).unlink()

    def end(self) -> Position:
        """The position just after the last fsynced record."""
        with self._lock:
            return self._end

    def committed(self) -> Position:
        with self._lock:
            return self._committed

    def depth_bytes(self) -> int:
        """Bytes spooled but not yet stored."""
        with self._lock:
            total = sum(size for n, size in self._sizes.items() if n >= self._committed.segment)
            return max(0, total - self._committed.offset)

    def depth_records(self) -> int:
        """Records (accepted batches) spooled but not yet stored."""
        with self._lock:
            return self._pending

    def writable(self) -> bool:
        """Whether a file can be created, written and removed in the spool folder now."""
        try:
            with tempfile.NamedTemporaryFile(dir=self._dir, prefix=".probe-") as probe:
                probe.write(b"ok")
                probe.flush()
        except OSError:
            return False
        return True

    def close(self) -> None:
        """Close the active segment and release the folder (idempotent)."""
        with self._lock:
            for fd in (self._fd, self._lock_fd):
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._fd = self._lock_fd = -1

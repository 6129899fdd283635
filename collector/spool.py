"""An append-only, fsynced spool of accepted batches: the collector's write-ahead log.

Request threads :meth:`Spool.append` a record and get control back only after ``fsync``;
that is what lets the API answer 2xx before the store has the rows. Appends are group
committed: a thread writes its record under the lock, then either finds an ``fsync`` in
flight and waits for the next one, or runs one itself with the lock released; one
``fsync`` thus covers every record written meanwhile, and each caller still returns only
once its own record is on disk. Readers see only fsynced records. One writer thread
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
import time
from collections.abc import Callable, Generator
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


class _Group:
    """Records written since the last ``fsync``; they become durable, or fail, together."""

    __slots__ = ("done", "end", "error", "records")

    def __init__(self, end: Position) -> None:
        self.records = 0
        self.end = end
        self.done = False
        self.error: str | None = None


@dataclass(frozen=True)
class Record:
    """A spooled payload and the position just after it.

    ``payload`` is None for a step from the end of a sealed segment to the next one:
    committing that position lets the drained segment be deleted.
    """

    payload: bytes | None
    end: Position


def scan_records(
    directory: Path, numbers: list[int], start: Position, end: Position
) -> Generator[Record, None, None]:
    """The records of segments ``numbers`` (ascending) from ``start`` up to ``end``.

    Steps from a drained segment to the next yield a :class:`Record` with no payload; a torn
    or corrupt record ends its segment (it was never acknowledged) and is logged.
    """
    position = start
    for number in numbers:
        if number > end.segment:
            return
        if number > position.segment:
            position = Position(number, 0)
            yield Record(None, position)
        limit = end.offset if number == end.segment else None
        for payload, offset, torn in read_records(
            segment_path(directory, number), position.offset, limit
        ):
            if torn:
                log.warning("spool segment %d: unreadable record at byte %d", number, offset)
                break
            position = Position(number, offset)
            yield Record(payload, position)
        if number == end.segment:
            return


def checkpoint(directory: Path, position: Position) -> None:
    """Durably save ``position`` as the spool's checkpoint; :class:`SpoolUnavailable` if not."""
    try:
        save_checkpoint(directory, position)
    except OSError as exc:
        raise SpoolUnavailable(f"could not save the spool checkpoint: {exc.strerror}") from None


class Spool:
    """Segment files under ``directory``, rotated once a segment passes ``segment_bytes``."""

    def __init__(
        self,
        directory: Path,
        segment_bytes: int,
        on_sync: Callable[[float], None] | None = None,
    ) -> None:
        self._dir = directory
        self._segment_bytes = segment_bytes
        #: Called with the seconds of each group's ``fsync`` (``vigil_spool_fsync_seconds``).
        self._on_sync = on_sync
        self._lock = threading.Lock()
        self._flushed = threading.Condition(self._lock)
        self._flushing = False
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
        self._open = _Group(self._end)
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
        """Seal the active segment and start the next one (under the lock).

        The seal's ``fsync`` makes the open group durable; the lock is held throughout, so
        nothing is written to the old segment meanwhile.
        """
        if self._fd >= 0:
            self._flush(self._fd)
            os.close(self._fd)
            self._fd = -1
        self._active += 1
        self._fd = self._open_segment(self._active)

    def append(self, payload: bytes) -> Position:
        """Append one record and return once it is fsynced; raise :class:`SpoolUnavailable`
        if it could not be written or synced (then it is not acknowledged)."""
        record = frame(payload)
        with self._lock:
            end, group = self._write(record)
            while not group.done:
                if self._flushing:
                    self._flushed.wait()
                else:  # the open group is ours (only a flush closes a group): sync it
                    self._flush(self._fd, unlocked=True)
            if group.error is not None:
                raise SpoolUnavailable(f"could not write the spool: {group.error}")
            return end

    def _write(self, record: bytes) -> tuple[Position, _Group]:
        """Write ``record`` at the end of the active segment (under the lock), not yet synced."""
        try:
            size = self._sizes.get(self._active, 0)
            if self._fd < 0 or (size and size + len(record) > self._segment_bytes):
                self._rotate()
        except OSError as exc:
            raise SpoolUnavailable(f"could not write the spool: {exc.strerror}") from None
        size = self._sizes[self._active]
        try:
            view = memoryview(record)
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as exc:
            self._abandon_tail(size)  # at once: no other record may follow a partial one
            raise SpoolUnavailable(f"could not write the spool: {exc.strerror}") from None
        end = Position(self._active, size + len(record))
        self._sizes[self._active] = end.offset
        self._open.records += 1
        self._open.end = end
        return end, self._open

    def _flush(self, fd: int, unlocked: bool = False) -> None:
        """``fsync`` the open group (called under the lock); raise OSError if that fails.

        With ``unlocked`` the lock is released during the ``fsync`` (of a duplicate of
        ``fd``, so a rotation or a failure may close ``fd`` meanwhile), and other threads
        write the next group. On failure every record after the last durable one is cut
        off, and the group written meanwhile fails too: none of them was acknowledged.
        """
        group, self._open = self._open, _Group(self._open.end)
        error = None
        started = time.perf_counter()
        try:
            if unlocked:
                fd = os.dup(fd)
                self._flushing = True
                self._lock.release()
                try:
                    os.fsync(fd)
                finally:
                    self._lock.acquire()
                    self._flushing = False
                    with contextlib.suppress(OSError):
                        os.close(fd)
            else:
                os.fsync(fd)
        except OSError as exc:
            error = exc
        if self._on_sync is not None:
            self._on_sync(time.perf_counter() - started)
        if error is None:
            self._end = max(self._end, group.end)
            self._pending += group.records
        else:
            for failed in (group, self._open):
                failed.error = error.strerror or "fsync failed"
                failed.done = True
            self._open = _Group(self._end)
            durable = self._end.offset if self._end.segment == self._active else 0
            self._abandon_tail(durable)
            self._sizes[self._active] = durable
        group.done = True
        self._flushed.notify_all()
        if error is not None and not unlocked:
            raise error

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
        return scan_records(self._dir, numbers, start, end)

    def commit(self, position: Position, records: int) -> None:
        """Record that everything before ``position`` (``records`` records) is stored."""
        checkpoint(self._dir, position)
        self.release(position, records)

    def release(self, position: Position, records: int) -> None:
        """Forget what lies before ``position`` (``records`` records) and delete drained
        segments; the checkpoint is already saved (by :meth:`commit`, or by the writer
        process that drains this spool)."""
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
            while self._flushing:
                self._flushed.wait()
            for fd in (self._fd, self._lock_fd):
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._fd = self._lock_fd = -1

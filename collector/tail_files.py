"""Following a log file the way ``tail -F`` does, one bounded chunk of whole lines at a time.

A :class:`Follower` reads complete lines (up to the last newline) from the file it has
open, and reports with them the :class:`FilePosition` just after them: the file's device
and inode, a byte offset, and a digest of the file's first bytes (an inode number is
reused once its file is deleted; the digest tells a new file from the old one). It never
advances on its own; the caller checkpoints a position once the lines before it are
delivered, and a new follower resumes from it.

It survives the two ways log files rotate:

- **rename + new file** (logrotate's default, Python's ``RotatingFileHandler``): when the
  path names another inode, the old file is read to its end (a final line without a newline
  included), then the new file is followed from its start. Resuming from a position in a
  renamed file finds it by inode among the path's siblings (``app.log.1``, ...).
- **truncation** (``copytruncate``): when the open file is shorter than the position, the
  file is followed again from its start.

Lines longer than ``max_bytes`` come back cut into pieces of ``max_bytes``; the caller
rejects them as invalid JSON, so a runaway line cannot exhaust memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)
#: How many leading bytes of a file identify it, with its device and inode.
HEAD_BYTES = 1024


@dataclass(frozen=True)
class FilePosition:
    """Byte ``offset`` in the file with this ``device``, ``inode`` and ``head`` digest.

    ``head`` is the SHA-256 of the file's first ``min(offset, HEAD_BYTES)`` bytes.
    """

    device: int
    inode: int
    offset: int
    head: str = ""


def head_digest(handle: BinaryIO, offset: int) -> str:
    """The digest of the first ``min(offset, HEAD_BYTES)`` bytes of an open file."""
    handle.seek(0)
    return hashlib.sha256(handle.read(min(offset, HEAD_BYTES))).hexdigest()


@dataclass(frozen=True)
class Chunk:
    """Whole lines (without their newline) and the position just after the last one."""

    lines: list[bytes]
    position: FilePosition


class Follower:
    """Follows ``path`` from ``start`` (None: from the start of the file at ``path``)."""

    def __init__(self, path: Path, start: FilePosition | None, max_bytes: int = 1 << 20) -> None:
        self._path = path
        self._max_bytes = max_bytes
        self._file: BinaryIO | None = None
        self._ident = (0, 0)
        self._offset = 0
        self._head = ""  # the digest once HEAD_BYTES are read; until then recomputed
        if start is None or not self._resume(start):
            self._open(path, 0)

    def _resume(self, start: FilePosition) -> bool:
        """Open the file ``start`` is in: the path itself, or a rotated sibling of it."""
        siblings = sorted(self._path.parent.glob(self._path.name + "?*"))
        for candidate in (self._path, *siblings):
            with contextlib.suppress(OSError):
                stat = candidate.stat()
                if (stat.st_dev, stat.st_ino) == (start.device, start.inode):
                    with candidate.open("rb") as handle:
                        same = head_digest(handle, start.offset) == start.head
                    if same and stat.st_size >= start.offset:
                        return self._open(candidate, start.offset)
        log.warning(
            "%s: the file of the checkpoint is gone; following the current file from its start",
            self._path,
        )
        return False

    def _open(self, path: Path, offset: int) -> bool:
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return False
        self.close()
        stat = os.fstat(handle.fileno())
        self._file, self._ident, self._offset = handle, (stat.st_dev, stat.st_ino), offset
        self._head = ""
        return True

    def position(self) -> FilePosition:
        """Where the next read starts."""
        head = self._head
        if not head and self._file is not None:
            head = head_digest(self._file, self._offset)
            if self._offset >= HEAD_BYTES:
                self._head = head
        return FilePosition(self._ident[0], self._ident[1], self._offset, head)

    def read(self, max_lines: int) -> Chunk:
        """The next whole lines (at most ``max_lines``); empty when there are none yet."""
        if self._file is None and not self._open(self._path, 0):
            return Chunk([], self.position())
        assert self._file is not None
        if os.fstat(self._file.fileno()).st_size < self._offset:
            log.warning("%s was truncated; following it from its start", self._path)
            self._offset, self._head = 0, ""
        lines = self._lines(max_lines, final=False)
        if lines or not self._replaced():
            return Chunk(lines, self.position())
        # The path names a new file: finish the old one (a last line without newline too).
        lines = self._lines(max_lines, final=True)
        if lines:
            return Chunk(lines, self.position())
        self._open(self._path, 0)
        return Chunk([], self.position())

    def _replaced(self) -> bool:
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            return False  # renamed, and the new file is not created yet: keep the old one
        return (stat.st_dev, stat.st_ino) != self._ident

    def _lines(self, max_lines: int, final: bool) -> list[bytes]:
        assert self._file is not None
        self._file.seek(self._offset)
        data = self._file.read(self._max_bytes)
        end = data.rfind(b"\n") + 1
        if end == 0:
            if not data or (len(data) < self._max_bytes and not final):
                return []
            end = len(data)  # an over-long line, or the old file's unterminated last line
        lines = data[:end].split(b"\n")
        if lines[-1] == b"":
            lines.pop()
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            end = sum(len(line) + 1 for line in lines)
        self._offset += end
        return lines

    def close(self) -> None:
        """Close the open file (idempotent)."""
        if self._file is not None:
            self._file.close()
            self._file = None

"""The on-disk formats of the spool: framed records in segment files, and the checkpoint.

A record is an 8-byte header (big-endian payload length, CRC32 of the payload) followed by
the payload. A reader stops at the first header or payload that is short or fails its CRC:
that is a write torn by a crash, and it was never acknowledged (the answer waits for fsync).

The checkpoint is replaced atomically (write a temporary file, fsync, rename, fsync the
folder), so after a crash it is either the old position or the new one, never a mix.
"""

from __future__ import annotations

import fcntl
import json
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HEADER = struct.Struct(">II")
#: A length above this in a header is corruption, not a record (bodies are far smaller).
MAX_RECORD_BYTES = 1 << 30
CHECKPOINT = "checkpoint.json"
SUFFIX = ".seg"


@dataclass(frozen=True, order=True)
class Position:
    """A place in the spool: byte ``offset`` within segment number ``segment``."""

    segment: int
    offset: int


def frame(payload: bytes) -> bytes:
    """The bytes appended to a segment for one record."""
    return HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def segment_path(directory: Path, segment: int) -> Path:
    return directory / f"{segment:012d}{SUFFIX}"


def list_segments(directory: Path) -> list[int]:
    """Numbers of the segment files in ``directory``, ascending."""
    found = []
    for path in directory.glob(f"*{SUFFIX}"):
        stem = path.name[: -len(SUFFIX)]
        if stem.isdigit():
            found.append(int(stem))
    return sorted(found)


def read_records(path: Path, offset: int, limit: int | None) -> Iterator[tuple[bytes, int, bool]]:
    """Yield ``(payload, end_offset, False)`` per whole record from ``offset`` up to ``limit``.

    When reading stops at a torn or corrupt record (not at a clean end), a last
    ``(b"", offset, True)`` is yielded so the caller can log it.
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return
    with handle:
        handle.seek(offset)
        while limit is None or offset < limit:
            header = handle.read(HEADER.size)
            if not header:
                return
            if len(header) < HEADER.size:
                yield b"", offset, True
                return
            length, crc = HEADER.unpack(header)
            end = offset + HEADER.size + length
            if length > MAX_RECORD_BYTES or (limit is not None and end > limit):
                yield b"", offset, True
                return
            payload = handle.read(length)
            if len(payload) < length or zlib.crc32(payload) != crc:
                yield b"", offset, True
                return
            offset = end
            yield payload, offset, False


def lock_folder(directory: Path) -> int:
    """Hold an exclusive lock on ``directory`` for this process; BlockingIOError if taken.

    Two writers on one spool would corrupt it. The kernel drops the lock when the process
    dies, even by SIGKILL, so a restart after a crash is never locked out.
    """
    fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise
    return fd


def fsync_directory(directory: Path) -> None:
    """Make a file creation, rename or deletion in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load_checkpoint(directory: Path) -> Position | None:
    """The committed position, or None when nothing was ever committed (or it is unreadable)."""
    try:
        data = json.loads((directory / CHECKPOINT).read_text())
        return Position(int(data["segment"]), int(data["offset"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_checkpoint(directory: Path, position: Position) -> None:
    """Durably replace the checkpoint with ``position``."""
    tmp = directory / (CHECKPOINT + ".tmp")
    with tmp.open("w") as handle:
        json.dump({"segment": position.segment, "offset": position.offset}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, directory / CHECKPOINT)
    fsync_directory(directory)

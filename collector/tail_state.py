"""The tailer's checkpoint: which file it follows and how far its lines are delivered.

Saved only after the collector acknowledged the lines before it, and replaced atomically
(temporary file, fsync, rename, fsync of the folder), so after a crash it holds the old or
the new position, never a mix. A crash between the acknowledgement and the save resends
one batch, which the collector stores once (it is idempotent on model and request id).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from collector.errors import TailError
from collector.spool_files import fsync_directory
from collector.tail_files import FilePosition

log = logging.getLogger(__name__)
VERSION = 1


class TailState:
    """The checkpoint file at ``path`` for the log at ``log_path``."""

    def __init__(self, path: Path, log_path: Path) -> None:
        self._path = path
        self._log = str(log_path.resolve())

    def load(self) -> FilePosition | None:
        """The saved position; None when there is none (or it is unreadable: start over)."""
        try:
            data = json.loads(self._path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("%s is unreadable (%s); following from the start", self._path, exc)
            return None
        if data.get("log") != self._log:
            raise TailError(
                f"{self._path} is the checkpoint of {data.get('log')!r}, not of {self._log!r}; "
                "give each log its own --state file"
            )
        try:
            return FilePosition(
                int(data["device"]), int(data["inode"]), int(data["offset"]), str(data["head"])
            )
        except (KeyError, TypeError, ValueError):
            log.warning("%s is incomplete; following from the start", self._path)
            return None

    def save(self, position: FilePosition) -> None:
        """Durably replace the checkpoint with ``position``; TailError if that fails."""
        document = {
            "version": VERSION,
            "log": self._log,
            "device": position.device,
            "inode": position.inode,
            "offset": position.offset,
            "head": position.head,
        }
        tmp = self._path.with_name(self._path.name + ".tmp")
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("w") as handle:
                json.dump(document, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self._path)
            fsync_directory(self._path.parent)
        except OSError as exc:
            raise TailError(f"cannot save the checkpoint {self._path}: {exc.strerror}") from None

"""A progress bar on stderr: tqdm when it is installed, else a plain one-line counter.

Progress is reported in clock steps (or windows, for ``vigil backfill``); it goes to stderr
so that ``--out -`` and ``--format md`` on stdout stay clean.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Protocol, TextIO


class Progress(Protocol):
    def update(self, n: int = 1) -> Any: ...
    def set_postfix_str(self, s: str) -> Any: ...
    def close(self) -> Any: ...


class PlainProgress:
    """``desc: 120/1440 steps (8%)`` (or ``desc: 120 steps``), redrawn a few times a second."""

    def __init__(self, total: int | None, desc: str, unit: str, stream: TextIO) -> None:
        self._total, self._desc, self._unit, self._stream = total, desc, unit, stream
        self._done = 0
        self._postfix = ""
        self._drawn_at = 0.0

    def _draw(self, force: bool = False) -> None:
        moment = time.monotonic()
        if not force and moment - self._drawn_at < 0.2:
            return
        self._drawn_at = moment
        if self._total:
            share = 100 * self._done // self._total
            done = f"{self._done}/{self._total} {self._unit} ({share}%)"
        else:
            done = f"{self._done} {self._unit}"
        line = f"\r{self._desc}: {done} {self._postfix}"
        self._stream.write(line)
        self._stream.flush()

    def update(self, n: int = 1) -> None:
        self._done += n
        self._draw()

    def set_postfix_str(self, s: str) -> None:
        self._postfix = s

    def close(self) -> None:
        self._draw(force=True)
        self._stream.write("\n")
        self._stream.flush()


class _Silent:
    def update(self, n: int = 1) -> None: ...
    def set_postfix_str(self, s: str) -> None: ...
    def close(self) -> None: ...


def progress_bar(total: int | None, desc: str, unit: str, enabled: bool = True) -> Progress:
    """A bar over ``total`` units (None: unknown) on stderr; a silent one if not ``enabled``."""
    if not enabled:
        return _Silent()
    try:
        from tqdm import tqdm
    except ImportError:
        return PlainProgress(total, desc, unit, sys.stderr)
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, mininterval=0.5)  # type: ignore[no-any-return]

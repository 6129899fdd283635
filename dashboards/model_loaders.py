"""What the Model page's performance, bias, variants and distribution views read.

Every function only reads, through the store's query functions, and raises
:class:`~store.errors.StoreUnavailable` (never a SQLAlchemy error) when the database cannot
answer. Time ranges are relative to the model's latest window, not to the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from dashboards.model_view import ESTIMATED, PERFORMANCE
from store.errors import StoreUnavailable
from store.predictions import window_features
from store.records import Signal
from store.signal_history import last_window_end
from store.signals import latest_signals, signal_history

T = TypeVar("T")

#: Rows of a window read for a distribution chart, at most.
MAX_ROWS = 50_000


def _reading(what: str, read: Callable[[], T]) -> T:
    try:
        return read()
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not read {what}: {type(exc).__name__}") from None


def load_performance(engine: Engine, model: str, span: timedelta) -> list[Signal]:
    """Realized and estimated performance signals over ``span`` before the latest window."""

    def read() -> list[Signal]:
        found: list[Signal] = []
        for detector in (PERFORMANCE, ESTIMATED):
            end = last_window_end(engine, model, detector)
            if end is not None:
                found += [s.signal for s in signal_history(engine, model, detector, end - span)]
        return found

    return _reading(f"performance of {model!r}", read)


def load_latest(engine: Engine, model: str, detector: str) -> list[Signal]:
    """The latest signal of every subject of ``detector`` for ``model``."""
    return _reading(
        f"{detector} signals of {model!r}",
        lambda: [s.signal for s in latest_signals(engine, model, detector=detector)],
    )


def load_window_rows(engine: Engine, model: str, signal: Signal) -> list[dict[str, Any]]:
    """The feature rows of the window ``signal`` evaluated (at most :data:`MAX_ROWS`)."""
    return _reading(
        f"predictions of {model!r}",
        lambda: window_features(engine, model, signal.window_start, signal.window_end)[:MAX_ROWS],
    )

"""Records passed between stages through the store.

Plain frozen dataclasses: detectors return :class:`Signal` values without touching the
database; the job that runs them stores what they return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

SignalStatus = Literal["ok", "breach", "not_computable"]


@dataclass(frozen=True, slots=True)
class Signal:
    """One finding of a detector for one subject (a feature, the model, a group) and window."""

    detector: str
    model: str
    subject: str
    metric: str
    window_start: datetime
    window_end: datetime
    value: float | None
    threshold: float | None
    status: SignalStatus
    sample_size: int
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredSignal:
    """A signal as read back from the store, with its id and creation time."""

    id: int
    signal: Signal
    created_at: datetime

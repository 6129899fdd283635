"""Durations spelled as Prometheus and Alertmanager spell them: ``30s``, ``5m``, ``1h30m``.

Every feature's config uses :data:`Duration`, so ``vigil.yaml`` reads alike in all sections.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_UNITS = {
    "ms": 0.001,
    "s": 1,
    "m": 60,
    "h": 3600,
    "d": 86400,
    "w": 604800,
    "y": 31536000,
}
_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")


def parse_duration(text: str) -> timedelta:
    """Parse ``1h30m`` into a timedelta; raise ValueError with the accepted form otherwise."""
    text = text.strip()
    pos, total = 0, 0.0
    for match in _PART.finditer(text):
        if match.start() != pos:
            break
        total += int(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise ValueError(f"invalid duration {text!r}: use forms like 30s, 5m, 1h30m, 7d")
    return timedelta(seconds=total)


def format_duration(value: timedelta) -> str:
    """The shortest Prometheus-style spelling of ``value`` (``90m`` becomes ``1h30m``)."""
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def align(now: datetime, interval: timedelta) -> datetime:
    """``now`` rounded down to a multiple of ``interval`` since the Unix epoch.

    Jobs evaluate windows ending at aligned times: every run within one interval evaluates
    the same window end, so a retried, late or duplicated run stores nothing twice (signals
    are unique on their window end), and windows line up across jobs and replicas.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if interval <= timedelta(0):
        raise ValueError("interval must be positive")
    return now - (now - _EPOCH) % interval


def _coerce(value: Any) -> Any:
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    return value


Duration = Annotated[timedelta, BeforeValidator(_coerce), PlainSerializer(format_duration)]

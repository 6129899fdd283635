"""The record a feature hands to the scheduler: what to run and how often.

Features expose ``ScheduledJob`` values; ``vigil serve`` registers them with APScheduler and
``vigil demo`` / ``vigil replay`` call ``run`` directly with a simulated ``now``. A job never
reads the wall clock itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ScheduledJob:
    """A periodic job. ``run(now)`` does one tick's work for the time ``now``."""

    name: str
    interval: timedelta
    run: Callable[[datetime], object]

"""Moved to :mod:`vigil.replay.clock`; kept so existing imports keep working."""

from __future__ import annotations

from vigil.replay.clock import SimulatedScheduler

__all__ = ["SimulatedScheduler"]

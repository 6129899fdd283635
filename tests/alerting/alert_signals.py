"""Drift signals for the alerting tests (a plain module: test modules import it by name)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from store.records import Signal

#: write_drift(engine, window_end, {subject: value}, model=...); above THRESHOLD is a breach.
WriteDrift = Callable[..., None]
THRESHOLD = 0.2


def drift_signals(
    window_end: datetime, values: Mapping[str, float], model: str = "credit-risk"
) -> list[Signal]:
    """Signals of the ``drift`` detector; a value above :data:`THRESHOLD` is a breach."""
    return [
        Signal(
            detector="drift",
            model=model,
            subject=subject,
            metric="wasserstein_norm",
            window_start=window_end - timedelta(hours=1),
            window_end=window_end,
            value=value,
            threshold=THRESHOLD,
            status="breach" if value > THRESHOLD else "ok",
            sample_size=500,
        )
        for subject, value in values.items()
    ]

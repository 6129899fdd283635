"""Charts of the triggering signals as PNG images (matplotlib, Agg backend, loaded lazily).

One chart per triggering subject: its value per window, the threshold as a dashed line,
breaching windows marked, and a vertical line where the incident opened. The PNG carries no
timestamp metadata, so the same series draws the same bytes with the same matplotlib.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from alerting.postmortem.facts import SignalSeries


@dataclass(frozen=True)
class Chart:
    """One chart: a file-name-safe slug, its caption and the PNG bytes."""

    slug: str
    caption: str
    png: bytes


def slug(text: str) -> str:
    """``text`` reduced to letters, digits and dashes (for file names)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "chart"


def caption(series: SignalSeries) -> str:
    """What a chart shows, in words."""
    limit = f" (threshold {series.threshold:g})" if series.threshold is not None else ""
    return f"{series.detector} · {series.subject} · {series.metric}{limit}"


def draw(series: SignalSeries, opened_at: datetime) -> bytes:
    """The PNG of one series."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    times = [mdates.date2num(p[0]) for p in series.points]
    values = [p[1] if p[1] is not None else float("nan") for p in series.points]
    hits = [i for i, p in enumerate(series.points) if p[2] == "breach" and p[1] is not None]
    fig, ax = plt.subplots(figsize=(7.5, 2.6), dpi=100)
    try:
        ax.plot(times, values, color="#1f4e79", linewidth=1.5, label=series.metric)
        if hits:
            x, y = [times[i] for i in hits], [values[i] for i in hits]
            ax.scatter(x, y, color="#b00020", s=14, zorder=3, label="breach")
        if series.threshold is not None:
            ax.axhline(
                series.threshold, color="#b00020", linestyle="--", linewidth=1, label="threshold"
            )
        ax.axvline(
            mdates.date2num(opened_at),
            color="#6b7280",
            linestyle=":",
            linewidth=1,
            label="incident opened",
        )
        ax.set_title(caption(series), fontsize=9)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=opened_at.tzinfo))
        ax.tick_params(labelsize=8)
        ax.set_xlabel("window end (UTC)", fontsize=8)
        ax.legend(fontsize=7, loc="upper left")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
    finally:
        plt.close(fig)
    return buffer.getvalue()


def charts(series: Sequence[SignalSeries], opened_at: datetime) -> list[Chart]:
    """A chart for each series, in order; slugs are unique."""
    found, used = [], set()
    for item in series:
        name = slug(f"{item.subject}-{item.metric}")
        while name in used:
            name += "-2"
        used.add(name)
        found.append(Chart(name, caption(item), draw(item, opened_at)))
    return found

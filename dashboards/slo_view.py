"""The SLOs page's rows: budget left, burn rate per window and when the budget runs out.

Pure functions of the latest ``slo`` signals (their ``details`` are written by
:mod:`slo.evaluate`: ``budget_remaining``, ``burn_rates``, ``budget_exhausted_in_seconds``,
``state``). No database, no Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from dashboards.views import format_time
from store.records import StoredSignal

SLO_DETECTOR = "slo"

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SPAN = re.compile(r"(\d+)([smhdw])")


@dataclass(frozen=True, slots=True)
class SloRow:
    """One SLO as the page shows it."""

    model: str
    slo: str
    state: str
    budget_remaining: float | None
    exhausted_in: str
    evaluated: str
    burn_rates: dict[str, float | None] = field(default_factory=dict)


def span_seconds(span: str) -> float:
    """Seconds in a duration as Vigil writes them (``5m``, ``1h30m``, ``28d``); inf if unknown."""
    parts = _SPAN.findall(span)
    if not parts or "".join(n + u for n, u in parts) != span:
        return float("inf")
    return float(sum(int(n) * _UNITS[u] for n, u in parts))


def humanize(seconds: float) -> str:
    """A duration to the two largest units: ``3d 4h``, ``2h 5m``, ``45s``."""
    left = int(timedelta(seconds=max(seconds, 0)).total_seconds())
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if left >= size or (unit == "s" and not parts):
            parts.append(f"{left // size}{unit}")
            left %= size
    return " ".join(parts[:2])


def exhaustion_text(details: Mapping[str, Any]) -> str:
    """When the budget runs out at the current burn, in words."""
    seconds = details.get("budget_exhausted_in_seconds")
    remaining = details.get("budget_remaining")
    if remaining is None:
        return "unknown (no events)"
    if not isinstance(seconds, int | float):
        return "not at the current burn rate"
    return "exhausted" if seconds <= 0 else f"in {humanize(seconds)}"


def _burns(details: Mapping[str, Any]) -> dict[str, float | None]:
    raw = details.get("burn_rates") or {}
    return {
        span: float(rate) if isinstance(rate, int | float) else None
        for span, rate in sorted(raw.items(), key=lambda item: span_seconds(str(item[0])))
    }


def slo_rows(latest: Iterable[StoredSignal]) -> list[SloRow]:
    """One row per SLO, by model then SLO name; signals of other detectors are ignored."""
    rows = []
    for stored in latest:
        signal = stored.signal
        if signal.detector != SLO_DETECTOR:
            continue
        remaining = signal.details.get("budget_remaining")
        rows.append(
            SloRow(
                model=signal.model,
                slo=signal.subject,
                state=str(signal.details.get("state", signal.status)),
                budget_remaining=float(remaining) if isinstance(remaining, int | float) else None,
                exhausted_in=exhaustion_text(signal.details),
                evaluated=format_time(signal.window_end),
                burn_rates=_burns(signal.details),
            )
        )
    return sorted(rows, key=lambda r: (r.model, r.slo))


def burn_table(rows: Iterable[SloRow]) -> list[dict[str, Any]]:
    """Rows for the burn-rate table: SLO, then one column per window, shortest first."""
    rows = list(rows)
    spans = sorted({s for r in rows for s in r.burn_rates}, key=span_seconds)
    return [{"slo": r.slo, **{s: r.burn_rates.get(s) for s in spans}} for r in rows]

"""The Fleet page's tiles: one per model, a traffic light each for drift, SLOs and alerts.

Pure functions of store records: no database, no Streamlit. A light is ``green`` (nothing to
do), ``amber`` (look today), ``red`` (act now) or ``grey`` (nothing known yet: never shown
as green, since a model nobody measures is not a healthy one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from dashboards.views import format_time
from store.alerts import AlertRecord
from store.records import Signal, StoredSignal

Level = Literal["green", "amber", "red", "grey"]

#: Worst first: the order tiles are sorted in.
_RANK: dict[Level, int] = {"red": 0, "amber": 1, "grey": 2, "green": 3}

#: A model with at least this share of its features drifting is red, not amber.
RED_DRIFT_SHARE = 1 / 3

#: An SLO with less than this share of its error budget left is at least amber.
AMBER_BUDGET = 0.25


@dataclass(frozen=True, slots=True)
class Light:
    """One traffic light: its level and the words beside it."""

    level: Level
    text: str


@dataclass(frozen=True, slots=True)
class FleetTile:
    """One model's tile."""

    model: str
    drift: Light
    slo: Light
    alerts: Light
    last_signal: str = "never"

    @property
    def worst(self) -> Level:
        """The most urgent of the three lights."""
        return min((self.drift.level, self.slo.level, self.alerts.level), key=_RANK.__getitem__)


def drift_light(latest: Sequence[Signal]) -> Light:
    """From the latest drift signal per feature: share of computable features that breach."""
    computable = [s for s in latest if s.status != "not_computable"]
    if not computable:
        return Light("grey", "no drift results")
    breaches = sum(1 for s in computable if s.status == "breach")
    text = f"{breaches} of {len(computable)} features drifting"
    if breaches == 0:
        return Light("green", text)
    return Light("red" if breaches / len(computable) >= RED_DRIFT_SHARE else "amber", text)


def slo_light(latest: Sequence[Signal]) -> Light:
    """From the latest ``slo`` signal per SLO: the worst state and the lowest budget left."""
    if not latest:
        return Light("grey", "no SLOs")
    states = {str(s.details.get("state", "")) for s in latest}
    budgets = [b for s in latest if isinstance(b := s.details.get("budget_remaining"), int | float)]
    lowest = min(budgets, default=None)
    text = "no data" if lowest is None else f"lowest budget left {lowest:.0%}"
    if "page" in states or (lowest is not None and lowest <= 0):
        return Light("red", text)
    if states & {"ticket", "no_data"} or (lowest is not None and lowest < AMBER_BUDGET):
        return Light("amber", text)
    return Light("green", text)


def alerts_light(alerts: Sequence[AlertRecord]) -> Light:
    """Red with a critical alert open, amber with any other, green with none."""
    if not alerts:
        return Light("green", "no open alerts")
    text = f"{len(alerts)} open alert{'s' if len(alerts) > 1 else ''}"
    critical = any(a.labels.get("severity") in {"critical", "page"} for a in alerts)
    return Light("red" if critical else "amber", text)


def fleet_tiles(
    models: Sequence[str],
    latest: Mapping[str, Sequence[StoredSignal]],
    alerts: Sequence[AlertRecord],
) -> list[FleetTile]:
    """One tile per model, the most urgent first, then by name.

    ``latest`` maps a model to its latest signal per (detector, subject), as
    :func:`store.signals.latest_signals` returns them; ``alerts`` are all open alerts. A
    tile's ``last_signal`` is the newest window any detector reported: when it lags, the
    collector or the detectors are behind, and every light is stale.
    """
    tiles = []
    for model in models:
        found = [stored.signal for stored in latest.get(model, ())]
        tiles.append(
            FleetTile(
                model=model,
                drift=drift_light([s for s in found if s.detector == "drift"]),
                slo=slo_light([s for s in found if s.detector == "slo"]),
                alerts=alerts_light([a for a in alerts if a.labels.get("model") == model]),
                last_signal=format_time(max(s.window_end for s in found)) if found else "never",
            )
        )
    return sorted(tiles, key=lambda t: (_RANK[t.worst], t.model))

"""The Fleet page's tiles: one per model, a traffic light for each signal family.

Drift, data quality, realized and estimated performance, bias, SLO budgets, open incidents
and open alerts, each ``green`` / ``amber`` / ``red`` (or ``grey``: nothing known yet), from
store records (:mod:`dashboards.fleet_lights` says how each colour is chosen). Pure
functions: no database, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dashboards.fleet_lights import (
    AMBER_BUDGET,
    RANK,
    RED_DRIFT_SHARE,
    Level,
    Light,
    alerts_light,
    bias_light,
    drift_light,
    incidents_light,
    performance_light,
    quality_light,
    slo_light,
)
from dashboards.views import format_time
from store.alerts import AlertRecord
from store.incidents import IncidentRecord
from store.records import Signal, StoredSignal

__all__ = [
    "AMBER_BUDGET",
    "RED_DRIFT_SHARE",
    "FleetTile",
    "Level",
    "Light",
    "alerts_light",
    "drift_light",
    "fleet_tiles",
    "slo_light",
]

#: A grey light when the caller did not look (a tile built without those records).
_UNKNOWN = Light("grey", "not read")


@dataclass(frozen=True, slots=True)
class FleetTile:
    """One model's tile."""

    model: str
    drift: Light
    slo: Light
    alerts: Light
    last_signal: str = "never"
    quality: Light = _UNKNOWN
    performance: Light = _UNKNOWN
    estimated: Light = _UNKNOWN
    bias: Light = _UNKNOWN
    incidents: Light = _UNKNOWN

    def lights(self) -> list[tuple[str, Light]]:
        """The tile's lights with their labels, in the order the page shows them."""
        return [
            ("Drift", self.drift),
            ("Quality", self.quality),
            ("Performance", self.performance),
            ("Estimated", self.estimated),
            ("Bias", self.bias),
            ("SLOs", self.slo),
            ("Incidents", self.incidents),
            ("Alerts", self.alerts),
        ]

    @property
    def worst(self) -> Level:
        """The most urgent of the lights."""
        return min((light.level for _, light in self.lights()), key=RANK.__getitem__)


def fleet_tiles(
    models: Sequence[str],
    latest: Mapping[str, Sequence[StoredSignal]],
    alerts: Sequence[AlertRecord],
    incidents: Sequence[IncidentRecord] = (),
) -> list[FleetTile]:
    """One tile per model, the most urgent first, then by name.

    ``latest`` maps a model to its latest signal per (detector, subject), as
    :func:`store.signals.latest_signals` returns them; ``alerts`` are all open alerts and
    ``incidents`` all open incidents. A tile's ``last_signal`` is the newest window any
    detector reported: when it lags, the collector or the detectors are behind, and every
    light is stale.
    """
    tiles = []
    for model in models:
        found = [stored.signal for stored in latest.get(model, ())]
        of: dict[str, list[Signal]] = {}
        for signal in found:
            of.setdefault(signal.detector, []).append(signal)
        tiles.append(
            FleetTile(
                model=model,
                drift=drift_light(of.get("drift", [])),
                quality=quality_light(of.get("quality", [])),
                performance=performance_light(of.get("performance", [])),
                estimated=performance_light(of.get("estimated_performance", []), estimated=True),
                bias=bias_light(of.get("fairness", [])),
                slo=slo_light(of.get("slo", [])),
                incidents=incidents_light([i for i in incidents if i.model == model]),
                alerts=alerts_light([a for a in alerts if a.labels.get("model") == model]),
                last_signal=format_time(max(s.window_end for s in found)) if found else "never",
            )
        )
    return sorted(tiles, key=lambda t: (RANK[t.worst], t.model))

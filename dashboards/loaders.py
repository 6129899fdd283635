"""What the Fleet, Model (drift history) and SLOs pages read, through the store's queries.

Every function only reads, and raises :class:`~store.errors.StoreUnavailable` (never a
SQLAlchemy error) when the database cannot answer. Shaping is left to the pure modules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from dashboards.fleet import FleetTile, fleet_tiles
from dashboards.heatmap import HeatCell, bucket_size, heat_cells
from dashboards.slo_view import SLO_DETECTOR, SloRow, slo_rows
from dashboards.views import DRIFT_DETECTOR
from store.alerts import open_alerts
from store.errors import StoreUnavailable
from store.health import list_models
from store.incidents import open_incidents
from store.latest_signals import latest_per_subject
from store.signal_history import last_window_end, signal_points
from store.signals import latest_signals

T = TypeVar("T")


def _reading(what: str, read: Callable[[], T]) -> T:
    try:
        return read()
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not read {what}: {type(exc).__name__}") from None


def load_fleet(engine: Engine) -> list[FleetTile]:
    """A tile for every model :func:`store.health.list_models` knows, most urgent first.

    The latest signals come from :func:`store.latest_signals.latest_per_subject` (index
    seeks), so the page costs the same with a day or a month of per-minute history.
    """
    models = list_models(engine)
    if not models:
        return []  # also a database Vigil never initialised: no alerts table to read

    def read() -> list[FleetTile]:
        latest = latest_per_subject(engine, models)
        return fleet_tiles(models, latest, open_alerts(engine), open_incidents(engine))

    return _reading("the fleet's health", read)


def load_slos(engine: Engine) -> list[SloRow]:
    """The latest evaluation of every SLO of every model."""
    models = list_models(engine)
    return _reading(
        "SLO signals",
        lambda: [
            row
            for model in models
            for row in slo_rows(latest_signals(engine, model, detector=SLO_DETECTOR))
        ],
    )


def load_drift_heatmap(engine: Engine, model: str, span: timedelta) -> list[HeatCell]:
    """Drift per feature over the ``span`` before the model's latest drift window."""
    end = last_window_end(engine, model, DRIFT_DETECTOR)
    if end is None:
        return []
    size = bucket_size(span)
    points = signal_points(engine, model, DRIFT_DETECTOR, since=end - span)
    return heat_cells(points, size)

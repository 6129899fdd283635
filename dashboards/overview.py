"""Everything the overview page shows about one model, read through the store's queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from dashboards.views import (
    DRIFT_DETECTOR,
    AlertRow,
    DriftRow,
    alert_rows,
    drift_rows,
    drifting_count,
)
from store.alerts import open_alerts
from store.errors import StoreUnavailable
from store.predictions import count_predictions
from store.signals import latest_signals


@dataclass(frozen=True, slots=True)
class ModelOverview:
    """The health of one model at a glance."""

    model: str
    predictions: int
    drift: list[DriftRow]
    alerts: list[AlertRow]

    @property
    def drifting(self) -> int:
        """How many features breach their drift threshold in their latest window."""
        return drifting_count(self.drift)


def load_overview(engine: Engine, model: str) -> ModelOverview:
    """Read one model's counts, latest drift per feature and open alerts.

    Raises :class:`~store.errors.StoreUnavailable` when the database cannot answer.
    """
    try:
        return ModelOverview(
            model=model,
            predictions=count_predictions(engine, model),
            drift=drift_rows(latest_signals(engine, model, detector=DRIFT_DETECTOR)),
            alerts=alert_rows(open_alerts(engine, model)),
        )
    except SQLAlchemyError as exc:
        raise StoreUnavailable(
            f"could not read the health of {model!r}: {type(exc).__name__}"
        ) from None

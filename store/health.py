"""Read-only queries for the dashboards: what there is to look at.

Every query here only reads. SQLAlchemy errors are translated into
:class:`~store.errors.StoreUnavailable` so the dashboards never import SQLAlchemy.
"""

from __future__ import annotations

from sqlalchemy import Engine, Select, inspect, select, union
from sqlalchemy.exc import SQLAlchemyError

from store.errors import StoreUnavailable
from store.schema import models, signals


def list_models(engine: Engine) -> list[str]:
    """Names of every model worth showing, sorted.

    That is every registered model (the ``models`` table) and every model a detector has
    written a signal for, registered or not: a model removed from ``vigil.yaml`` keeps its
    history. A database Vigil has not initialised yet (no tables) has no models.
    """
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            queries: list[Select[tuple[str]]] = []
            if models.name in present:
                queries.append(select(models.c.name))
            if signals.name in present:
                queries.append(select(signals.c.model.label("name")))
            if not queries:
                return []
            names = {str(row[0]) for row in conn.execute(union(*queries))}
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not list models: {type(exc).__name__}") from None
    return sorted(names)

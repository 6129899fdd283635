"""Small durable state for scheduled jobs (cursors, last run times), keyed by job name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update

from store.schema import job_state


def load_state(engine: Engine, name: str) -> Any:
    """The stored value for ``name``, or None if the job has never saved one."""
    with engine.connect() as conn:
        return conn.execute(select(job_state.c.value).where(job_state.c.name == name)).scalar()


def save_state(engine: Engine, name: str, value: Any, now: datetime) -> None:
    """Store ``value`` under ``name``, replacing what was there."""
    with engine.begin() as conn:
        changed = conn.execute(
            update(job_state).where(job_state.c.name == name).values(value=value, updated_at=now)
        ).rowcount
        if not changed:
            conn.execute(job_state.insert().values(name=name, value=value, updated_at=now))

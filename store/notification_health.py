"""Delivery health per receiver integration, read from the outbox.

For each ``(receiver, integration)``: when a notification was last delivered, when one last
went dead (the dispatcher stamps a dead row's ``next_attempt_at`` with the time it gave up),
how many are dead, and the error of the latest dead one. Alerting raises its
``VigilNotificationFailing`` alert from this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from store.schema import notifications


@dataclass(frozen=True)
class DeliveryHealth:
    """How one integration of one receiver has been delivering."""

    receiver: str
    integration: str
    last_sent_at: datetime | None
    last_dead_at: datetime | None
    dead: int
    last_error: str | None

    @property
    def failing(self) -> bool:
        """Whether its latest finished notification went dead."""
        if self.last_dead_at is None:
            return False
        return self.last_sent_at is None or self.last_sent_at < self.last_dead_at


def delivery_health(engine: Engine) -> list[DeliveryHealth]:
    """Health of every integration that has finished at least one notification."""
    n = notifications.c
    sent = (
        select(n.receiver, n.integration, func.max(n.sent_at))
        .where(n.status == "sent")
        .group_by(n.receiver, n.integration)
    )
    dead = (
        select(n.receiver, n.integration, func.max(n.next_attempt_at), func.count(), func.max(n.id))
        .where(n.status == "dead")
        .group_by(n.receiver, n.integration)
    )
    with engine.connect() as conn:
        last_sent = {(r, i): at for r, i, at in conn.execute(sent)}
        dead_rows = {
            (r, i): (at, count, last_id) for r, i, at, count, last_id in conn.execute(dead)
        }
        ids = [last_id for _at, _count, last_id in dead_rows.values()]
        errors: dict[int, str | None] = {}
        if ids:
            stmt = select(n.id, n.last_error).where(n.id.in_(ids))
            errors = {int(i): error for i, error in conn.execute(stmt)}
    found = []
    for target in sorted(set(last_sent) | set(dead_rows)):
        at, count, last_id = dead_rows.get(target, (None, 0, None))
        found.append(
            DeliveryHealth(
                target[0],
                target[1],
                last_sent.get(target),
                at,
                int(count),
                errors.get(last_id) if last_id is not None else None,
            )
        )
    return found

"""Aggregation groups and their timers, as Alertmanager's dispatcher keeps them.

A pure function of the firing alerts, the stored groups and ``now``. Every firing alert
joins the group of each route it matches; a group holds its firing alerts and, until its
next flush has told the receiver, the ones that resolved. Timers, per route:

* a new group first flushes ``group_wait`` after it was created, or at once when one of its
  alerts started more than ``group_wait`` ago (it has waited long enough already);
* after each flush, the next is ``group_interval`` later; alerts that join meanwhile wait
  for it.

Groups live in the store, so their timers survive a restart. A group whose route left the
tree (the config changed) is dropped: its firing alerts join the groups of the new tree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from alerting.grouping import group_key, group_labels
from alerting.routing import CompiledRoute
from store.alert_groups import GroupRecord
from store.alerts import AlertRecord

RouteFn = Callable[[Mapping[str, str]], list[CompiledRoute]]


@dataclass(frozen=True)
class GroupPlan:
    """A group this tick must write: new, changed, due to flush, or to be dropped."""

    key: str
    route: CompiledRoute | None
    labels: dict[str, str]
    stored: GroupRecord | None
    members: tuple[str, ...]
    next_flush_at: datetime

    def due(self, now: datetime) -> bool:
        """Whether the group flushes in this tick."""
        return self.route is not None and bool(self.members) and self.next_flush_at <= now


@dataclass
class _Routed:
    route: CompiledRoute
    labels: dict[str, str]
    alerts: dict[str, AlertRecord]


def _route_all(route_fn: RouteFn, firing: Sequence[AlertRecord]) -> dict[str, _Routed]:
    found: dict[str, _Routed] = {}
    for alert in firing:
        for route in route_fn(alert.labels):
            key = group_key(route, alert.labels)
            entry = found.setdefault(key, _Routed(route, group_labels(route, alert.labels), {}))
            entry.alerts[alert.fingerprint] = alert
    return found


def _waited(route: CompiledRoute, alerts: Sequence[AlertRecord], now: datetime) -> bool:
    return any(a.starts_at + route.opts.group_wait < now for a in alerts)


def plan_groups(
    route_fn: RouteFn,
    routes_by_id: Mapping[str, CompiledRoute],
    firing: Sequence[AlertRecord],
    stored: Mapping[str, GroupRecord],
    now: datetime,
) -> list[GroupPlan]:
    """The groups to write this tick (stored ones by key, then new ones by key)."""
    routed = _route_all(route_fn, firing)
    firing_fps = {a.fingerprint for a in firing}
    plans: list[GroupPlan] = []
    for key, group in sorted(stored.items()):
        route = routes_by_id.get(group.route_id)
        here = routed.get(key)
        current = dict(here.alerts) if here else {}
        held = [fp for fp in group.members if fp not in firing_fps]
        members = tuple(sorted(current) + held) if route else ()
        next_flush = group.next_flush_at
        joined = [alert for fp, alert in current.items() if fp not in group.members]
        if route and joined and group.last_flush_at is None and _waited(route, joined, now):
            next_flush = min(next_flush, now)
        changed = set(members) != set(group.members) or next_flush != group.next_flush_at
        if changed or next_flush <= now:
            plans.append(GroupPlan(key, route, group.labels, group, members, next_flush))
    for key, entry in sorted(routed.items()):
        if key in stored:
            continue
        alerts = list(entry.alerts.values())
        wait = now if _waited(entry.route, alerts, now) else now + entry.route.opts.group_wait
        members = tuple(sorted(entry.alerts))
        plans.append(GroupPlan(key, entry.route, entry.labels, None, members, wait))
    return plans

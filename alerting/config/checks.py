"""References inside the ``alerting`` section, checked with the YAML path of each mistake.

A single field cannot see that a route names a receiver that does not exist, so these checks
run on the whole section. ``vigil/config.py`` adds their problems to its own; ``vigil routes
test`` runs them on a plain Alertmanager file. The rules follow Alertmanager's
``config.Load``: the root route needs a receiver and has no matchers, no ``continue`` and no
time intervals; names of receivers and of time intervals are unique and every reference
resolves.
"""

from __future__ import annotations

from collections.abc import Iterator

from alerting.config import AlertingConfig, Route
from alerting.config.escalation import escalation_problems

Problem = tuple[str, str]


def walk_routes(route: Route, path: str) -> Iterator[tuple[Route, str]]:
    """Every route of the tree with its YAML path, depth-first in config order."""
    yield route, path
    for i, child in enumerate(route.routes):
        yield from walk_routes(child, f"{path}.routes[{i}]")


def _root_problems(root: Route, path: str, needs_receiver: bool) -> list[Problem]:
    problems: list[Problem] = []
    if needs_receiver and root.receiver is None:
        problems.append((f"{path}.receiver", "the root route needs a receiver"))
    if root.all_matchers():
        problems.append((path, "the root route must not have matchers"))
    if root.continue_:
        problems.append((f"{path}.continue", "the root route cannot have continue"))
    if root.mute_time_intervals or root.active_time_intervals:
        problems.append((path, "the root route must not have time intervals"))
    return problems


def _duplicates(names: list[str], path: str, what: str) -> list[Problem]:
    return [
        (path.format(i=i), f"duplicate {what} {name!r}")
        for i, name in enumerate(names)
        if name in names[:i]
    ]


def reference_problems(config: AlertingConfig, prefix: str = "alerting") -> list[Problem]:
    """Mistakes between the parts of the ``alerting`` section, as ``(yaml path, reason)``."""
    base = f"{prefix}." if prefix else ""
    receivers = [r.name for r in config.receivers]
    problems = _duplicates(receivers, f"{base}receivers[{{i}}].name", "receiver")
    for field in ("time_intervals", "mute_time_intervals"):
        names = [t.name for t in getattr(config, field)]
        problems += _duplicates(names, f"{base}{field}[{{i}}].name", "time interval")
    both = [t.name for t in config.time_intervals] + [t.name for t in config.mute_time_intervals]
    for i, interval in enumerate(config.mute_time_intervals):
        if interval.name in both[: len(config.time_intervals)]:
            problems.append(
                (
                    f"{base}mute_time_intervals[{i}].name",
                    f"duplicate time interval {interval.name!r}",
                )
            )
    needs_receiver = bool(config.rules or config.receivers)
    problems += _root_problems(config.route, f"{base}route", needs_receiver)
    intervals = set(both)
    for route, path in walk_routes(config.route, f"{base}route"):
        if route.receiver is not None and route.receiver not in receivers:
            problems.append((f"{path}.receiver", f"unknown receiver {route.receiver!r}"))
        for field in ("mute_time_intervals", "active_time_intervals"):
            for j, name in enumerate(getattr(route, field)):
                if name not in intervals:
                    problems.append((f"{path}.{field}[{j}]", f"undefined time interval {name!r}"))
    escalations = [
        (route.escalation, path)
        for route, path in walk_routes(config.route, f"{base}route")
        if route.escalation is not None
    ]
    problems += escalation_problems(config.escalation_policies, escalations, set(receivers), prefix)
    return problems

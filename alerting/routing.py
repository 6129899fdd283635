"""The routing tree, compiled once from the ``route`` config, matched as Alertmanager does.

Compilation follows Alertmanager's ``dispatch/route.go``: every node carries its full options,
copied from its parent and overridden by what the node sets (receiver, ``group_by`` and the
three timers), so matching never walks back up the tree. ``group_by: ['...']`` groups by all
labels. ``mute_time_intervals`` and ``active_time_intervals`` are not inherited: as in
Alertmanager they apply to the route that names them. Matching is a pure function of a label
set:

* a node whose matchers fail matches nothing, and neither does its subtree;
* children are tried in order; the first child whose subtree matches stops the evaluation of
  its later siblings, unless that child has ``continue: true``;
* if no child matches, the node itself is the match.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from alerting.config import GROUP_BY_ALL, Route
from alerting.errors import RouteConfigError
from alerting.matchers import Matcher, matches_all

#: Alertmanager's defaults for the root route.
DEFAULT_GROUP_WAIT = timedelta(seconds=30)
DEFAULT_GROUP_INTERVAL = timedelta(minutes=5)
DEFAULT_REPEAT_INTERVAL = timedelta(hours=4)


@dataclass(frozen=True)
class RouteOpts:
    """The settings a route applies to the alerts it matches (inherited, then overridden)."""

    receiver: str
    group_by: tuple[str, ...] = ()
    group_by_all: bool = False
    group_wait: timedelta = DEFAULT_GROUP_WAIT
    group_interval: timedelta = DEFAULT_GROUP_INTERVAL
    repeat_interval: timedelta = DEFAULT_REPEAT_INTERVAL
    mute_time_intervals: tuple[str, ...] = ()
    active_time_intervals: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class CompiledRoute:
    """A node of the compiled tree. ``id`` is unique in the tree and stable across restarts."""

    id: str
    matchers: tuple[Matcher, ...]
    opts: RouteOpts
    continue_: bool
    routes: tuple[CompiledRoute, ...] = ()

    @property
    def receiver(self) -> str:
        """The receiver this route notifies (its own or inherited)."""
        return self.opts.receiver

    def match(self, labels: Mapping[str, str]) -> list[CompiledRoute]:
        """The routes that take an alert with these labels, depth-first, in config order."""
        if not matches_all(self.matchers, labels):
            return []
        found: list[CompiledRoute] = []
        for child in self.routes:
            matched = child.match(labels)
            found.extend(matched)
            if matched and not child.continue_:
                break
        return found or [self]

    def walk(self) -> list[CompiledRoute]:
        """This node and all its descendants, depth-first."""
        return [self, *(node for child in self.routes for node in child.walk())]


def _matchers_text(matchers: tuple[Matcher, ...]) -> str:
    return "{" + ",".join(str(m) for m in matchers) + "}"


def _opts(route: Route, parent: RouteOpts | None) -> RouteOpts:
    receiver = route.receiver or (parent.receiver if parent else None)
    if receiver is None:
        raise RouteConfigError("the root route needs a receiver")
    base = parent or RouteOpts(receiver=receiver)
    group_by, group_by_all = base.group_by, base.group_by_all
    if route.group_by is not None:
        group_by_all = GROUP_BY_ALL in route.group_by
        group_by = () if group_by_all else tuple(route.group_by)
    return RouteOpts(
        receiver=receiver,
        group_by=group_by,
        group_by_all=group_by_all,
        group_wait=route.group_wait if route.group_wait is not None else base.group_wait,
        group_interval=(
            route.group_interval if route.group_interval is not None else base.group_interval
        ),
        repeat_interval=(
            route.repeat_interval if route.repeat_interval is not None else base.repeat_interval
        ),
        mute_time_intervals=route.mute_time_intervals,
        active_time_intervals=route.active_time_intervals,
    )


def compile_route(route: Route) -> CompiledRoute:
    """Compile the root ``route`` config into a matcher tree (it must name a receiver).

    Ids follow Alertmanager's ``Route.ID()``: the parent's id, ``/``, the node's matchers and
    ``/`` its index among its siblings, so siblings with equal matchers stay distinct.
    """
    return _compile(route, _matchers_text(route.all_matchers()), parent_opts=None)


def _compile(route: Route, node_id: str, parent_opts: RouteOpts | None) -> CompiledRoute:
    opts = _opts(route, parent_opts)
    return CompiledRoute(
        id=node_id,
        matchers=route.all_matchers(),
        opts=opts,
        continue_=route.continue_,
        routes=tuple(
            _compile(child, f"{node_id}/{_matchers_text(child.all_matchers())}/{i}", opts)
            for i, child in enumerate(route.routes)
        ),
    )

"""The router's configuration, compiled once: tree, inhibition rules, time intervals.

Built from the validated ``alerting`` section when ``vigil serve`` starts (or the demo, or a
test), then handed to every tick. ``routes_for`` is the one place that decides where an
alert goes: the tree, as Alertmanager matches it, and for Vigil's own
``VigilNotificationFailing`` alert the exception of :func:`alerting.selfmon.route_failure_alert`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from alerting.config import AlertingConfig, NamedTimeInterval
from alerting.inhibit import CompiledInhibitRule, compile_inhibit_rules
from alerting.mute_stages import NOTIFICATION_FAILING
from alerting.routing import CompiledRoute, compile_route
from alerting.selfmon import fallback_routes, route_failure_alert


@dataclass(frozen=True)
class Router:
    """Everything a router tick needs from the config."""

    tree: CompiledRoute
    fallback: Mapping[str, CompiledRoute]
    inhibit_rules: tuple[CompiledInhibitRule, ...]
    intervals: Mapping[str, NamedTimeInterval]

    def routes_for(self, labels: Mapping[str, str]) -> list[CompiledRoute]:
        """The routes an alert with these labels takes."""
        matched = self.tree.match(labels)
        if labels.get("alertname") != NOTIFICATION_FAILING:
            return matched
        return route_failure_alert(labels, matched, self.fallback)

    def routes_by_id(self) -> dict[str, CompiledRoute]:
        """Every route a group can belong to, by id (tree and fallback routes)."""
        found = {route.id: route for route in self.tree.walk()}
        found.update({route.id: route for route in self.fallback.values()})
        return found


def build_router(config: AlertingConfig) -> Router:
    """Compile the routing config; the root route must name a receiver."""
    tree = compile_route(config.route)
    return Router(
        tree=tree,
        fallback=fallback_routes(tree, [r.name for r in config.receivers]),
        inhibit_rules=compile_inhibit_rules(config.inhibit_rules),
        intervals=config.named_time_intervals(),
    )

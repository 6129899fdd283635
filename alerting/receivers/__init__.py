"""Receivers: the configured integrations, built once, keyed as the outbox names them.

Each integration kind lives in its own module and is registered in :data:`INTEGRATIONS` the
way a plugin would be: the name used in outbox rows (``slack[0]``, as Alertmanager names
integrations), the ``Receiver`` config attribute holding its configs, and a factory. Adding
PagerDuty or webhooks is one module and one entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import httpx2

from alerting.config import Receiver
from alerting.receivers.base import DeliveryResult, Notifier
from alerting.receivers.log import LogNotifier
from alerting.receivers.pagerduty import PagerDutyNotifier
from alerting.receivers.slack import SlackNotifier
from alerting.receivers.webhook import WebhookNotifier

#: receiver name → integration name (``slack[0]``) → notifier.
Receivers = Mapping[str, Mapping[str, Notifier]]


@dataclass(frozen=True)
class BuildContext:
    """What factories may need beyond their own config."""

    resolve_path: Callable[[str], Path] = Path
    slack_timeout: int = 10
    pagerduty_timeout: int = 10
    pagerduty_transport: httpx2.BaseTransport | None = None
    webhook_transport: httpx.BaseTransport | None = None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    #: Applied to every built notifier as ``wrap(receiver, integration, notifier)``; ``vigil
    #: replay`` records notifications this way instead of sending them (unless ``--live``).
    wrap: Callable[[str, str, Notifier], Notifier] | None = None


@dataclass(frozen=True)
class Integration:
    """A registered integration kind."""

    name: str
    config_attribute: str
    factory: Callable[[Any, BuildContext], Notifier]


INTEGRATIONS: tuple[Integration, ...] = (
    Integration(
        "slack", "slack_configs", lambda cfg, ctx: SlackNotifier(cfg, timeout=ctx.slack_timeout)
    ),
    Integration(
        "pagerduty",
        "pagerduty_configs",
        lambda cfg, ctx: PagerDutyNotifier(
            cfg, timeout=ctx.pagerduty_timeout, transport=ctx.pagerduty_transport
        ),
    ),
    Integration(
        "webhook",
        "webhook_configs",
        lambda cfg, ctx: WebhookNotifier(cfg, ctx.clock, transport=ctx.webhook_transport),
    ),
    Integration(
        "log", "log_configs", lambda cfg, ctx: LogNotifier(cfg, ctx.resolve_path(cfg.path))
    ),
)


def build_receivers(
    receivers: Sequence[Receiver], context: BuildContext | None = None
) -> dict[str, dict[str, Notifier]]:
    """Build every integration of every receiver; relative log paths go through the context."""
    context = context or BuildContext()
    built: dict[str, dict[str, Notifier]] = {}
    for receiver in receivers:
        integrations: dict[str, Notifier] = {}
        for kind in INTEGRATIONS:
            for i, cfg in enumerate(getattr(receiver, kind.config_attribute)):
                name = f"{kind.name}[{i}]"
                notifier = kind.factory(cfg, context)
                if context.wrap is not None:
                    notifier = context.wrap(receiver.name, name, notifier)
                integrations[name] = notifier
        built[receiver.name] = integrations
    return built


__all__ = [
    "INTEGRATIONS",
    "BuildContext",
    "DeliveryResult",
    "Integration",
    "LogNotifier",
    "Notifier",
    "PagerDutyNotifier",
    "Receivers",
    "SlackNotifier",
    "WebhookNotifier",
    "build_receivers",
]

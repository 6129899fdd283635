"""The ``alerting`` section of ``vigil.yaml``: rules, and Alertmanager's routing configuration.

``route``, ``receivers``, ``inhibit_rules`` and ``time_intervals`` (and its older name
``mute_time_intervals``) take Alertmanager's configuration syntax verbatim, so an on-call
engineer reads them without learning anything new and can paste them from an existing
``alertmanager.yml``. Each part lives in its own module:

    rules.py           AlertRule: stored signals of one detector ─► alerts
    route.py           Route: a node of the routing tree
    receivers.py       Receiver and its integrations (Slack, PagerDuty, webhook, log file)
    inhibit.py         InhibitRule
    time_intervals.py  NamedTimeInterval and its periods
    incidents.py       IncidentsConfig: the incidents tick
    actions.py         ActionsConfig: guarded rollback / retrain webhooks and their policies
    escalation.py      EscalationPolicy: who is paged next while an incident is unacknowledged
    pagerduty_webhook.py  PagerDutyWebhookConfig: PagerDuty V3 webhooks' signing secrets
    drift_reports.py   DriftReportsConfig: the drift-report links of drift alerts, and their cache
    checks.py          references between them (receivers, interval names), with YAML paths
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from alerting.config.actions import ActionPolicy, ActionsConfig, ActionWebhook
from alerting.config.drift_reports import DRIFT_FAMILY, DriftReportsConfig
from alerting.config.escalation import EscalationPolicy, EscalationStep, RouteEscalation
from alerting.config.incidents import IncidentsConfig
from alerting.config.inhibit import InhibitRule
from alerting.config.pagerduty_webhook import PagerDutyWebhookConfig
from alerting.config.receivers import (
    LogConfig,
    PagerDutyConfig,
    Receiver,
    SlackConfig,
    WebhookConfig,
)
from alerting.config.route import GROUP_BY_ALL, Route
from alerting.config.rules import AlertRule, Severity
from alerting.config.time_intervals import NamedTimeInterval, TimeInterval, TimeRange
from store.durations import Duration


class AlertingConfig(BaseModel):
    """Rules, routing, inhibition, time intervals and receivers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    evaluation_interval: Duration = Field(default=timedelta(minutes=1))
    runbooks_dir: str = Field(default="runbooks", description="folder of runbook Markdown files")
    runbook_base_url: str | None = Field(
        default=None, description="URL prefix of runbooks; default: file:// URL of runbooks_dir"
    )
    dashboard_url: str | None = Field(default=None, description="link added to every alert")
    api_base_url: str | None = Field(
        default=None,
        description="external URL of Vigil's API; drift alerts then link their window's report",
    )
    drift_reports: DriftReportsConfig = Field(default_factory=DriftReportsConfig)
    rules: tuple[AlertRule, ...] = ()
    route: Route = Field(default_factory=lambda: Route(receiver=None))
    receivers: tuple[Receiver, ...] = ()
    inhibit_rules: tuple[InhibitRule, ...] = ()
    time_intervals: tuple[NamedTimeInterval, ...] = ()
    mute_time_intervals: tuple[NamedTimeInterval, ...] = Field(
        default=(), description="Alertmanager's older name for time_intervals"
    )
    incidents: IncidentsConfig = Field(default_factory=IncidentsConfig)
    actions: ActionsConfig = Field(default_factory=ActionsConfig)
    escalation_policies: tuple[EscalationPolicy, ...] = ()
    pagerduty_webhook: PagerDutyWebhookConfig | None = None

    @field_validator("api_base_url")
    @classmethod
    def _web_url(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return url

    def escalation_policy(self, name: str) -> EscalationPolicy | None:
        """The escalation policy called ``name``, or None."""
        return next((p for p in self.escalation_policies if p.name == name), None)

    def receiver(self, name: str) -> Receiver:
        """The receiver called ``name``; KeyError if there is none."""
        for receiver in self.receivers:
            if receiver.name == name:
                return receiver
        raise KeyError(name)

    def named_time_intervals(self) -> dict[str, NamedTimeInterval]:
        """``time_intervals`` and ``mute_time_intervals`` by name (the first of a name wins)."""
        found: dict[str, NamedTimeInterval] = {}
        for interval in (*self.time_intervals, *self.mute_time_intervals):
            found.setdefault(interval.name, interval)
        return found


__all__ = [
    "DRIFT_FAMILY",
    "GROUP_BY_ALL",
    "ActionPolicy",
    "ActionWebhook",
    "ActionsConfig",
    "AlertRule",
    "AlertingConfig",
    "DriftReportsConfig",
    "EscalationPolicy",
    "EscalationStep",
    "IncidentsConfig",
    "InhibitRule",
    "LogConfig",
    "NamedTimeInterval",
    "PagerDutyConfig",
    "PagerDutyWebhookConfig",
    "Receiver",
    "Route",
    "RouteEscalation",
    "Severity",
    "SlackConfig",
    "TimeInterval",
    "TimeRange",
    "WebhookConfig",
]

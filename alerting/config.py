"""The ``alerting`` section of ``vigil.yaml``: rules, the routing tree and receivers.

``route`` and ``receivers`` follow Alertmanager's configuration syntax (``matchers`` and the
legacy ``match`` / ``match_re``, ``continue``, ``group_by`` and its timers), so an on-call
engineer reads them without learning anything new.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from alerting.matchers import Matcher, parse_matcher
from store.durations import Duration

Severity = Literal["info", "warning", "critical"]
_ALERTNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class AlertRule(BaseModel):
    """Turns stored signals of one detector into alerts.

    One alert per (rule, model), firing while any subject's latest signal has status
    ``breach`` (the annotations list those subjects); it resolves when none does. ``for``
    delays firing until the breach has lasted that long.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    alert: str = Field(description="alert name (the `alertname` label)")
    detector: str = Field(description="detector whose signals this rule watches")
    severity: Severity = "warning"
    for_: Duration = Field(default=timedelta(0), alias="for")
    runbook: str = Field(description="runbook file name in the runbooks folder, without .md")
    summary: str = Field(default="", description="one line; {model}, {subjects} are filled in")
    labels: dict[str, str] = Field(default_factory=dict, description="extra labels")

    @field_validator("alert")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not _ALERTNAME.match(name):
            raise ValueError("alert names are letters, digits and '_' and start with a letter")
        return name


class Route(BaseModel):
    """A node of the routing tree (Alertmanager's ``route``)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    receiver: str | None = None
    matchers: tuple[str, ...] = ()
    match: dict[str, str] = Field(default_factory=dict)
    match_re: dict[str, str] = Field(default_factory=dict)
    continue_: bool = Field(default=False, alias="continue")
    group_by: tuple[str, ...] | None = None
    group_wait: Duration | None = None
    group_interval: Duration | None = None
    repeat_interval: Duration | None = None
    routes: tuple[Route, ...] = ()

    @field_validator("matchers")
    @classmethod
    def _parse(cls, matchers: tuple[str, ...]) -> tuple[str, ...]:
        for text in matchers:
            parse_matcher(text)
        return matchers

    @field_validator("match_re")
    @classmethod
    def _regexes(cls, match_re: dict[str, str]) -> dict[str, str]:
        for name, regex in match_re.items():
            try:
                re.compile(regex)
            except re.error as exc:
                raise ValueError(f"invalid regex for {name!r}: {exc}") from None
        return match_re

    def all_matchers(self) -> tuple[Matcher, ...]:
        """``matchers``, ``match`` and ``match_re`` as one tuple of matchers."""
        parsed = [parse_matcher(text) for text in self.matchers]
        parsed += [Matcher(name, "=", value) for name, value in sorted(self.match.items())]
        parsed += [Matcher(name, "=~", value) for name, value in sorted(self.match_re.items())]
        return tuple(parsed)


class SlackConfig(BaseModel):
    """Post to a Slack channel through ``slack_sdk.WebClient``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: str
    token: SecretStr = Field(description="bot token, usually ${SLACK_BOT_TOKEN}")
    api_url: str = Field(default="https://slack.com/api/", description="Slack Web API base URL")
    send_resolved: bool = True


class LogConfig(BaseModel):
    """Append each notification as one JSON line to a file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    send_resolved: bool = True


class Receiver(BaseModel):
    """A named destination with one or more integrations."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    slack_configs: tuple[SlackConfig, ...] = ()
    log_configs: tuple[LogConfig, ...] = ()


class AlertingConfig(BaseModel):
    """Rules, routing and receivers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    evaluation_interval: Duration = Field(default=timedelta(minutes=1))
    runbooks_dir: str = Field(default="runbooks", description="folder of runbook Markdown files")
    runbook_base_url: str | None = Field(
        default=None, description="URL prefix of runbooks; default: file:// URL of runbooks_dir"
    )
    dashboard_url: str | None = Field(default=None, description="link added to every alert")
    rules: tuple[AlertRule, ...] = ()
    route: Route = Field(default_factory=lambda: Route(receiver=None))
    receivers: tuple[Receiver, ...] = ()

    def receiver(self, name: str) -> Receiver:
        for receiver in self.receivers:
            if receiver.name == name:
                return receiver
        raise KeyError(name)

"""``alerting.receivers[]``: named destinations, each with one or more integrations.

Field names follow Alertmanager where it has the integration (``pagerduty_configs``,
``webhook_configs``, ``send_resolved``, ``routing_key``, ``url``, ``max_alerts``); Slack
posts through the Web API with a bot token (``chat.postMessage``) rather than an incoming
webhook, and ``log_configs`` is Vigil's own. Secrets are ``SecretStr``: never printed.
"""

from __future__ import annotations

import binascii
from datetime import timedelta
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook

from store.durations import Duration

PagerDutySeverity = Literal["critical", "error", "warning", "info"]
PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"


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


class PagerDutyConfig(BaseModel):
    """Trigger and resolve PagerDuty alerts through the Events API v2."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    routing_key: SecretStr = Field(description="integration key of the PagerDuty service")
    url: str = Field(default=PAGERDUTY_EVENTS_URL, description="Events API v2 enqueue URL")
    severity: PagerDutySeverity | None = Field(
        default=None, description="default: the alerts' `severity` label, else critical"
    )
    client: str = "Vigil"
    client_url: str | None = None
    source: str | None = Field(default=None, description="default: the `model` label")
    component: str | None = None
    group: str | None = None
    class_: str | None = Field(default=None, alias="class")
    details: dict[str, str] = Field(default_factory=dict, description="extra custom_details")
    send_resolved: bool = True

    @field_validator("url")
    @classmethod
    def _events_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.netloc:
            raise ValueError("the PagerDuty events URL must be https://host[/v2/enqueue]")
        if parts.path.rstrip("/") not in ("", "/v2/enqueue"):
            raise ValueError("the PagerDuty events URL path must be /v2/enqueue")
        return url

    @property
    def base_url(self) -> str:
        """``https://host`` of the Events API (the client appends ``/v2/enqueue``)."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"


class WebhookConfig(BaseModel):
    """POST the notification as JSON, signed as Standard Webhooks when ``secret`` is set."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    secret: SecretStr | None = Field(
        default=None, description="Standard Webhooks secret, whsec_<base64>"
    )
    send_resolved: bool = True
    max_alerts: int = Field(default=0, ge=0, description="0: send every alert of the group")
    timeout: Duration = timedelta(seconds=10)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("the webhook URL must be http:// or https://")
        return url

    @field_validator("secret")
    @classmethod
    def _secret(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is None:
            return None
        try:
            Webhook(secret.get_secret_value())
        except (binascii.Error, ValueError, EmptyWebhookSecretError):
            raise ValueError("the secret must be whsec_ followed by base64") from None
        return secret


class Receiver(BaseModel):
    """A named destination with one or more integrations."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    slack_configs: tuple[SlackConfig, ...] = ()
    pagerduty_configs: tuple[PagerDutyConfig, ...] = ()
    webhook_configs: tuple[WebhookConfig, ...] = ()
    log_configs: tuple[LogConfig, ...] = ()

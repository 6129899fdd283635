"""``alerting.pagerduty_webhook``: PagerDuty V3 webhooks that acknowledge and resolve incidents.

.. code-block:: yaml

    pagerduty_webhook:
      secrets:                       # the subscription's signing secret(s)
        - ${PAGERDUTY_WEBHOOK_SECRET}
        - ${PAGERDUTY_WEBHOOK_SECRET_OLD:-}   # the previous one, while PagerDuty rotates it
      max_body_bytes: 1048576

PagerDuty signs the raw body with HMAC-SHA256 and sends ``X-PagerDuty-Signature:
v1=<hex>[,v1=<hex>...]``; a request is accepted when any signature matches any secret, so a
secret can be rotated without losing events. Empty secrets (an unset variable) are dropped.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class PagerDutyWebhookConfig(BaseModel):
    """The signing secrets of the PagerDuty V3 webhook subscription."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    secrets: tuple[SecretStr, ...] = Field(min_length=1)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)

    @field_validator("secrets")
    @classmethod
    def _non_empty(cls, secrets: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        kept = tuple(s for s in secrets if s.get_secret_value())
        if not kept:
            raise ValueError("at least one non-empty signing secret is needed")
        return kept

"""``alerting.actions``: guarded remediation webhooks (rollback, retrain).

.. code-block:: yaml

    actions:
      interval: 15s                 # how often the actions tick runs
      max_attempts: 5               # webhook attempts before the action fails
      retry_backoff: 30s            # first retry delay; doubles on each attempt
      webhooks:
        - name: deployer
          url: https://deploy.internal/hooks/vigil
          secret: ${DEPLOYER_WHSEC} # Standard Webhooks secret, whsec_<base64>
          timeout: 10s
      policies:
        - name: rollback-credit-on-drift
          matchers: ['alertname="FeatureDrift"', 'model="credit-risk"']
          action: rollback          # rollback | retrain
          webhook: deployer         # a name under webhooks
          mode: approval            # dry_run | auto | approval
          min_severity: warning     # guard: the alert's severity label at least this
          min_sample_size: 500      # guard: the largest subject sample_size of the alert
          cooldown: 6h              # guard: no other action on the model this recently
          max_per_day: 2            # guard: at most this many actions per model per 24h
          for: 10m                  # guard: the alert has been firing this long
          verify_for: 30m           # after executing, wait this long for the alert to resolve
          confirm:                  # guard: the triggering signal is confirmed
            burn_rate_windows: true #   SLO alerts: long and short window both above the factor
            windows: {k: 3, m: 4, detector: drift, lookback: 1d}  # k of the last m windows breach
          target_healthy:           # guard: the version rolled back to is healthy
            version_label: previous_version  # the alert label naming it (or `version: v1`)
            detectors: [drift, quality, performance]
            lookback: 1h            # no breach of its own signals this recently, and some data

A policy naming an unknown webhook is reported by :func:`action_reference_problems`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from alerting.config.labels import check_matchers
from alerting.config.receivers import WebhookConfig
from alerting.config.rules import Severity
from store.durations import Duration

ActionKind = Literal["rollback", "retrain"]
ActionMode = Literal["dry_run", "auto", "approval"]


class ActionWebhook(BaseModel):
    """A named endpoint that carries out actions, signed as Standard Webhooks with ``secret``.

    ``url`` and ``secret`` are checked as a receiver's ``webhook_configs`` are.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    url: str
    secret: SecretStr | None = Field(default=None, description="whsec_<base64>")
    timeout: Duration = timedelta(seconds=10)

    @model_validator(mode="after")
    def _as_receiver_webhook(self) -> ActionWebhook:
        try:
            WebhookConfig(url=self.url, secret=self.secret)
        except ValidationError as exc:
            raise ValueError(
                "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
            ) from None
        return self


class WindowConfirmation(BaseModel):
    """At least ``k`` of the last ``m`` windows of ``detector`` breached for a subject."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    k: int = Field(ge=1)
    m: int = Field(ge=1, le=1000)
    detector: str = Field(default="drift", min_length=1)
    lookback: Duration = timedelta(days=1)

    @model_validator(mode="after")
    def _k_within_m(self) -> WindowConfirmation:
        if self.k > self.m:
            raise ValueError(f"k ({self.k}) cannot exceed m ({self.m})")
        return self


class Confirmation(BaseModel):
    """Guard: the triggering signal is confirmed (every part given must hold)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    burn_rate_windows: bool = False
    windows: WindowConfirmation | None = None

    @model_validator(mode="after")
    def _something(self) -> Confirmation:
        if not self.burn_rate_windows and self.windows is None:
            raise ValueError("give burn_rate_windows: true, windows: {k, m}, or both")
        return self


class TargetHealth(BaseModel):
    """Guard: the version an action goes back to is healthy by its own recent signals.

    Its signals are those of the alert's model whose subject names it as a ``version=<v>``
    or ``variant=<v>`` part (the per-arm signals of the performance detectors).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str | None = Field(default=None, description="default: the alert's label")
    version_label: str = "previous_version"
    detectors: tuple[str, ...] = Field(default=("drift", "quality", "performance"), min_length=1)
    lookback: Duration = timedelta(hours=1)

    @field_validator("lookback")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be greater than zero")
        return value


class ActionPolicy(BaseModel):
    """Which alerts trigger which action, how, and the guards it must pass."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1)
    matchers: tuple[str, ...] = Field(min_length=1)
    action: ActionKind
    webhook: str
    mode: ActionMode = "approval"
    min_severity: Severity = "warning"
    min_sample_size: int = Field(default=0, ge=0)
    cooldown: Duration = timedelta(hours=1)
    max_per_day: int = Field(default=3, ge=1)
    for_: Duration = Field(default=timedelta(0), alias="for")
    verify_for: Duration = timedelta(minutes=30)
    confirm: Confirmation | None = None
    target_healthy: TargetHealth | None = None

    @field_validator("matchers")
    @classmethod
    def _parse(cls, matchers: tuple[str, ...]) -> tuple[str, ...]:
        return check_matchers(matchers)

    @field_validator("verify_for")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be greater than zero")
        return value


class ActionsConfig(BaseModel):
    """Webhooks, policies, and the retry settings of action execution."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    interval: Duration = timedelta(seconds=15)
    max_attempts: int = Field(default=5, ge=1)
    retry_backoff: Duration = timedelta(seconds=30)
    webhooks: tuple[ActionWebhook, ...] = ()
    policies: tuple[ActionPolicy, ...] = ()

    def webhook(self, name: str) -> ActionWebhook | None:
        """The webhook called ``name``, or None."""
        return next((w for w in self.webhooks if w.name == name), None)


def action_reference_problems(
    actions: ActionsConfig, prefix: str = "alerting.actions"
) -> list[tuple[str, str]]:
    """(YAML path, reason) for each broken reference: unknown webhooks, duplicate names."""
    problems: list[tuple[str, str]] = []
    names = [w.name for w in actions.webhooks]
    for i, name in enumerate(names):
        if name in names[:i]:
            problems.append((f"{prefix}.webhooks[{i}].name", f"duplicate webhook {name!r}"))
    policies = [p.name for p in actions.policies]
    for i, policy in enumerate(actions.policies):
        if policy.name in policies[:i]:
            problems.append((f"{prefix}.policies[{i}].name", f"duplicate policy {policy.name!r}"))
        if policy.webhook not in names:
            problems.append(
                (f"{prefix}.policies[{i}].webhook", f"unknown webhook {policy.webhook!r}")
            )
    return problems

"""The ``slos`` section of ``vigil.yaml``: service level objectives, spec ``vigil/slo/v1``.

An example of each SLI kind::

    slos:
      - version: vigil/slo/v1
        name: credit-risk-availability
        model: credit-risk
        sli: {kind: availability}
        objective: 99.5
        window: 28d
        calendar: month          # also report the budget of the current calendar month
        no_data_alert: true      # a silent model is an alert, not a healthy model
        settle: 10m              # predictions stored up to 10m after their minute count
      - name: credit-risk-auc
        model: credit-risk
        sli:
          kind: quality
          detector: performance
          metric: roc_auc
          target: {at_least: 0.80}
        objective: 95            # 95% of evaluated windows must reach an AUC of 0.80
        window: 7d
      - name: credit-features-fresh
        model: credit-risk       # the model the pipeline feeds
        sli: {kind: freshness, pipeline: credit-features-daily, max_age: 26h}
        objective: 99            # the features are at most 26h old 99% of the minutes
        window: 28d
      - name: scoring-api-latency
        model: credit-risk
        sli: {kind: latency, source: spans, service: scoring-api, operation: predict,
              threshold_ms: 250}
        objective: 99

Every mistake is reported at load with its YAML path (``slos[1].sli.detector``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from slo.errors import UnsupportedPeriod
from slo.sli_config import SLISpec
from slo.windows import AlertWindows, build_alert_windows, windows_for
from slo.windows_spec import AlertWindowsSpec
from store.durations import Duration

VERSION = "vigil/slo/v1"


class SLOSpec(BaseModel):
    """One objective: ``objective`` percent of events good over a rolling ``window``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The spec version; only ``vigil/slo/v1`` exists.
    version: str = VERSION
    #: Unique per model; the ``subject`` of the SLO's signals and the ``slo`` metric label.
    name: str = Field(min_length=1)
    #: The model measured: its predictions, its detectors' signals, or (for spans and
    #: freshness SLIs) the model the service serves or the pipeline feeds.
    model: str = Field(min_length=1)
    #: What counts as an event, and when one is good.
    sli: SLISpec
    #: Percent of events that must be good over ``window``, e.g. 99.5 (below 100).
    objective: float = Field(gt=0, lt=100)
    #: Burn-rate windows of this SLO, in Sloth's shape; default: the catalog's for ``window``.
    alert_windows: AlertWindowsSpec | None = None
    #: The rolling compliance period (7d, 28d and 30d have catalog windows).
    window: Duration = Field(default=timedelta(days=28))
    #: Also report the budget of the current calendar ``month`` or ``week`` (UTC, weeks
    #: start on Monday) beside the rolling window: what is left and when it runs out.
    calendar: Literal["month", "week"] | None = None
    #: Whether "no data" should alert. Either way the signal is ``not_computable`` with
    #: ``details["state"] == "no_data"``; this flag travels in ``details["no_data_alert"]``
    #: for alert rules with ``fire_on: [no_data]``. Default true: no data is not good data.
    no_data_alert: bool = True
    #: Prediction SLIs only: how long a prediction may be stored after its minute and still
    #: count. Each tick re-counts the per-minute rollups of this many recent minutes; a
    #: later prediction is not counted (see ``slo/sli_rollup.py``). Whole minutes, e.g. 30m.
    settle: Duration = Field(default=timedelta(minutes=10))

    @field_validator("version")
    @classmethod
    def _known_version(cls, version: str) -> str:
        if version != VERSION:
            raise ValueError(f"unknown SLO spec version {version!r}; supported: {VERSION}")
        return version

    @field_validator("window")
    @classmethod
    def _has_alert_windows(cls, window: timedelta, info: ValidationInfo) -> timedelta:
        """Burn-rate factors depend on the period, so a period without windows fails early."""
        if "alert_windows" not in info.data:  # alert_windows itself is invalid
            return window
        custom: AlertWindowsSpec | None = info.data["alert_windows"]
        if custom is not None:
            problem = custom.windows_too_long(window)
            if problem:
                raise ValueError(f"alert_windows.{problem}")
            return window
        try:
            windows_for(window)
        except UnsupportedPeriod as exc:
            raise ValueError(f"{exc}; or give the SLO its own alert_windows") from None
        return window

    @field_validator("settle")
    @classmethod
    def _whole_minutes(cls, settle: timedelta) -> timedelta:
        if settle < timedelta(0) or settle % timedelta(minutes=1):
            raise ValueError("settle must be a whole number of minutes, 0 or more")
        return settle

    @property
    def error_budget(self) -> float:
        """The allowed fraction of bad events, e.g. 0.005 for 99.5%."""
        return 1 - self.objective / 100

    def windows(self, catalog: Mapping[timedelta, AlertWindows] | None = None) -> AlertWindows:
        """The SLO's alert windows: its own, or the catalog's for its period."""
        if self.alert_windows is not None:
            return build_alert_windows(self.window, self.alert_windows)
        return windows_for(self.window, catalog)

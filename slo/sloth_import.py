"""Sloth's ``prometheus/v1`` SLO documents, read as :class:`slo.promspec.PromSLO` values.

The format is Sloth's (https://github.com/slok/sloth, ``pkg/prometheus/api/v1``); a document
Sloth accepts reads the same here, and the rules generated from it are Sloth's rules::

    version: "prometheus/v1"
    service: "myservice"
    labels: {owner: "myteam"}
    slos:
      - name: "requests-availability"
        objective: 99.9
        sli:
          events:
            error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
            total_query: sum(rate(http_requests_total[{{.window}}]))
        alerting:
          name: MyServiceHighErrorRate
          page_alert: {labels: {severity: critical}}
          ticket_alert: {disable: true}

Not supported, and refused with the field's path rather than ignored: SLI plugins
(``sli.plugin``) and SLO plugins (``plugins``, ``slo_plugins``), which run Go code inside Sloth.
As with Sloth's CLI, the period is not in the document: it is given to :func:`load_sloth`
(Sloth's ``--default-slo-period``, 30d by default).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from slo.importing import read_documents, validate
from slo.promspec import DISABLED, AlertMeta, EventsSLI, PromSLO, RawSLI, RuleIntervals
from store.durations import Duration

VERSION = "prometheus/v1"
_WHAT = "Sloth prometheus/v1 spec"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class _Unsupported(_Model):
    @model_validator(mode="before")
    @classmethod
    def _refuse(cls, raw: Any) -> Any:
        raise ValueError("plugins run Go code inside Sloth and are not supported by Vigil")


class _Events(_Model):
    #: Bad events over ``{{.window}}``, e.g. 5xx responses.
    error_query: str = Field(min_length=1)
    #: All events over ``{{.window}}``.
    total_query: str = Field(min_length=1)


class _Raw(_Model):
    #: An error ratio (0-1) over ``{{.window}}``, computed elsewhere.
    error_ratio_query: str = Field(min_length=1)


class _SLI(_Model):
    """Exactly one kind of SLI."""

    #: An error ratio query.
    raw: _Raw | None = None
    #: Bad and total events queries.
    events: _Events | None = None
    #: Refused: an SLI computed by a Go plugin.
    plugin: _Unsupported | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> _SLI:
        if (self.raw is None) == (self.events is None):
            raise ValueError("give exactly one of raw or events")
        return self


class _Alert(_Model):
    #: No rule for this alert (e.g. no ticket alert).
    disable: bool = False
    #: Labels of this alert only, merged over ``alerting.labels``.
    labels: dict[str, str] = {}
    #: Annotations of this alert only, merged over ``alerting.annotations``.
    annotations: dict[str, str] = {}


class _Alerting(_Model):
    #: Name of both alerts; required unless both are disabled.
    name: str = ""
    #: Labels of both alerts.
    labels: dict[str, str] = {}
    #: Annotations of both alerts.
    annotations: dict[str, str] = {}
    #: The critical alert: page-quick or page-slow windows burning.
    page_alert: _Alert = _Alert()
    #: The warning alert: ticket-quick or ticket-slow windows burning.
    ticket_alert: _Alert = _Alert()

    @model_validator(mode="after")
    def _named(self) -> _Alerting:
        enabled = not (self.page_alert.disable and self.ticket_alert.disable)
        if enabled and not self.name:
            raise ValueError("name is required unless page_alert and ticket_alert are disabled")
        return self

    def meta(self, alert: _Alert) -> AlertMeta:
        if alert.disable:
            return DISABLED
        return AlertMeta(
            name=self.name,
            labels={**self.labels, **alert.labels},
            annotations={**self.annotations, **alert.annotations},
        )


class _Interval(_Model):
    #: Evaluation interval of every group without its own.
    all: Duration | None = None
    #: Of the SLI recordings group.
    slierror: Duration | None = None
    #: Of the metadata recordings group.
    metadata: Duration | None = None
    #: Of the alerts group.
    alert: Duration | None = None


class _SLO(_Model):
    #: Unique within the service; with it, the SLO id ``<service>-<name>``.
    name: str = Field(min_length=1)
    #: Free text; not part of the rules.
    description: str = ""
    #: Percent of good events, in (0, 100].
    objective: float = Field(gt=0, le=100)
    #: Labels of this SLO's rules, merged over the service's.
    labels: dict[str, str] = {}
    #: Labels of ``sloth_slo_info`` only.
    info_labels: dict[str, str] = Field(default={}, alias="infoLabels")
    #: What counts as an error.
    sli: _SLI
    #: The page and ticket alerts; required, as in Sloth (disable both to have none).
    alerting: _Alerting
    #: Rule group evaluation intervals.
    interval: _Interval = _Interval()
    #: Refused: SLO plugins.
    plugins: _Unsupported | None = None


class _Spec(_Model):
    #: Must be ``prometheus/v1``.
    version: str
    #: The application the SLOs are about; the ``sloth_service`` label.
    service: str = Field(min_length=1)
    #: Labels of every rule of every SLO of the service.
    labels: dict[str, str] = {}
    #: At least one SLO.
    slos: list[_SLO] = Field(min_length=1)
    #: Refused: SLO plugins for every SLO of the service.
    slo_plugins: _Unsupported | None = None

    @field_validator("version")
    @classmethod
    def _known_version(cls, version: str) -> str:
        if version != VERSION:
            raise ValueError(f"unknown spec version {version!r}; Sloth's is {VERSION!r}")
        return version


def _prom_slo(spec: _Spec, slo: _SLO, period: timedelta) -> PromSLO:
    sli: EventsSLI | RawSLI
    if slo.sli.events is not None:
        sli = EventsSLI(slo.sli.events.error_query, slo.sli.events.total_query)
    else:
        assert slo.sli.raw is not None
        sli = RawSLI(slo.sli.raw.error_ratio_query)
    every = slo.interval
    return PromSLO(
        id=f"{spec.service}-{slo.name}",
        service=spec.service,
        name=slo.name,
        objective=slo.objective,
        period=period,
        sli=sli,
        labels={**spec.labels, **slo.labels},
        info_labels=slo.info_labels,
        page_alert=slo.alerting.meta(slo.alerting.page_alert),
        ticket_alert=slo.alerting.meta(slo.alerting.ticket_alert),
        intervals=RuleIntervals(every.all, every.slierror, every.metadata, every.alert),
        spec=VERSION,
    )


def load_sloth(
    text: str, source: str = "<string>", period: timedelta = timedelta(days=30)
) -> list[PromSLO]:
    """The SLOs of every ``prometheus/v1`` document in ``text``, over ``period``."""
    documents = read_documents(text, source)
    slos: list[PromSLO] = []
    for i, raw in enumerate(documents):
        prefix = f"[document {i}]" if len(documents) > 1 else ""
        spec = validate(_Spec, raw, source, _WHAT, prefix)
        slos += [_prom_slo(spec, slo, period) for slo in spec.slos]
    return slos

"""OpenSLO ``openslo/v1`` SLOs, mapped to Sloth's model as Sloth maps ``v1alpha`` ones.

An SLO's ``indicator`` (inline, or ``indicatorRef`` naming an ``SLI`` document of the same
file) must be a ``ratioMetric``:

- ``good`` and ``total``: the error ratio ``1 - good / total`` (as Sloth maps ``v1alpha``);
- ``bad`` and ``total``: Sloth's events SLI, ``bad / total``;
- ``raw`` with ``rawType: failure`` (an error ratio) or ``success`` (``1 - raw``).

A ``metricSource`` is Prometheus by its ``type`` or by the ``DataSource`` document its
``metricSourceRef`` names; its query is ``spec.query`` (or ``spec.promql``). ``timeWindow``
is one rolling duration in minutes, hours, days or weeks (``28d``, ``4w``): calendar windows
and ``M``/``Q``/``Y`` durations have no fixed length for burn-rate windows. Each objective's
``target`` (0.995 is 99.5%) makes one SLO ``<metadata.name>-<index>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from slo.importing import (
    at,
    good_total_sli,
    import_error,
    openslo_slo,
    require_window,
    validate,
)
from slo.promspec import EventsSLI, PromSLO, RawSLI

V1 = "openslo/v1"
_WHAT = "OpenSLO v1 SLO"
_DURATION = re.compile(r"^(\d+)([mhdw])$")
_UNIT = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_UNIT["w"] = timedelta(weeks=1)


class _Doc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class _Metadata(_Doc):
    #: The SLO's (or SLI's, or DataSource's) name; SLOs are ``<name>-<objective index>``.
    name: str = Field(min_length=1)


class _MetricSource(_Doc):
    #: The name of a ``DataSource`` document, instead of ``type``.
    metric_source_ref: str = Field(default="", alias="metricSourceRef")
    #: ``Prometheus`` (any case).
    type: str = ""
    #: ``query`` (or ``promql``): a PromQL query over ``{{.window}}``.
    spec: dict[str, Any] = {}


class _Metric(_Doc):
    #: Where the query runs, and the query.
    metric_source: _MetricSource = Field(alias="metricSource")


class _Ratio(_Doc):
    #: Good events over the window (with ``total``).
    good: _Metric | None = None
    #: Bad events over the window (with ``total``).
    bad: _Metric | None = None
    #: All events over the window.
    total: _Metric | None = None
    #: ``failure`` or ``success``: what ``raw`` measures.
    raw_type: str | None = Field(default=None, alias="rawType")
    #: A ratio computed by the query itself.
    raw: _Metric | None = None


class _SLISpec(_Doc):
    #: The only supported kind of indicator (not ``thresholdMetric``).
    ratio_metric: _Ratio = Field(alias="ratioMetric")


class _Indicator(_Doc):
    #: The SLI's name, for ``indicatorRef``.
    metadata: _Metadata
    #: The ratio metric.
    spec: _SLISpec


class _Window(_Doc):
    #: A rolling duration: ``30d``, ``4w``.
    duration: str
    #: Must be true.
    is_rolling: bool = Field(default=True, alias="isRolling")


class _Objective(_Doc):
    #: The share of good events, e.g. 0.995.
    target: float = Field(gt=0, le=1)


class _Spec(_Doc):
    #: The ``sloth_service`` label.
    service: str = Field(min_length=1)
    #: The SLI, inline ...
    indicator: _Indicator | None = None
    #: ... or the name of an ``SLI`` document.
    indicator_ref: str | None = Field(default=None, alias="indicatorRef")
    #: Only ``Occurrences``.
    budgeting_method: str = Field(default="Occurrences", alias="budgetingMethod")
    #: Exactly one rolling window: the period.
    time_window: list[_Window] = Field(alias="timeWindow", min_length=1, max_length=1)
    #: One SLO per objective.
    objectives: list[_Objective] = Field(min_length=1)


class _SLO(_Doc):
    #: The name.
    metadata: _Metadata
    #: Service, indicator, window and objectives.
    spec: _Spec


@dataclass(frozen=True, slots=True)
class V1Context:
    """The ``SLI`` and ``DataSource`` documents SLOs of the same file may reference."""

    #: ``SLI`` documents by name.
    slis: dict[str, _Indicator]
    #: The ``spec.type`` of ``DataSource`` documents by name.
    source_types: dict[str, str]

    @classmethod
    def collect(cls, documents: Sequence[Any], prefixes: Sequence[str], source: str) -> V1Context:
        slis: dict[str, _Indicator] = {}
        types: dict[str, str] = {}
        for raw, prefix in zip(documents, prefixes, strict=True):
            if not isinstance(raw, dict) or raw.get("apiVersion") != V1:
                continue
            if raw.get("kind") == "SLI":
                sli = validate(_Indicator, raw, source, "OpenSLO v1 SLI", prefix)
                slis[sli.metadata.name] = sli
            elif raw.get("kind") == "DataSource":
                name = (raw.get("metadata") or {}).get("name")
                types[str(name)] = str((raw.get("spec") or {}).get("type", ""))
        return cls(slis, types)


def _problem(source: str, path: str, reason: str) -> Exception:
    return import_error(source, _WHAT, [(path, reason)])


def _query(metric: _Metric | None, context: V1Context, source: str, path: str) -> str:
    assert metric is not None
    found = metric.metric_source
    kind = found.type or context.source_types.get(found.metric_source_ref, "")
    if kind.lower() != "prometheus":
        raise _problem(source, f"{path}.metricSource", "only Prometheus sources are supported")
    query = found.spec.get("query") or found.spec.get("promql")
    if not isinstance(query, str):
        raise _problem(source, f"{path}.metricSource.spec", "needs a query")
    return require_window(query, source, _WHAT, f"{path}.metricSource.spec.query")


def _sli(ratio: _Ratio, context: V1Context, source: str, path: str) -> EventsSLI | RawSLI:
    def query(name: str) -> str:
        return _query(getattr(ratio, name), context, source, f"{path}.{name}")

    if ratio.raw is not None and ratio.raw_type in ("failure", "success"):
        raw = query("raw")
        return RawSLI(raw if ratio.raw_type == "failure" else f"1 - ({raw})")
    if ratio.total is not None and ratio.bad is not None:
        return EventsSLI(query("bad"), query("total"))
    if ratio.total is not None and ratio.good is not None:
        return good_total_sli(query("good"), query("total"))
    raise _problem(source, path, "needs good and total, bad and total, or raw with rawType")


def _period(window: _Window, source: str, path: str) -> timedelta:
    found = _DURATION.match(window.duration)
    if not window.is_rolling or found is None:
        reason = "only one rolling window in m, h, d or w (such as 28d) is supported"
        raise _problem(source, path, reason)
    return int(found.group(1)) * _UNIT[found.group(2)]


def v1_slos(raw: Any, source: str, prefix: str, context: V1Context) -> list[PromSLO]:
    """The SLOs of one ``openslo/v1`` SLO document, one per objective."""
    doc = validate(_SLO, raw, source, _WHAT, prefix)
    spec = doc.spec
    if spec.budgeting_method != "Occurrences":
        raise _problem(source, at(prefix, "spec.budgetingMethod"), "only Occurrences is supported")
    period = _period(spec.time_window[0], source, at(prefix, "spec.timeWindow[0]"))
    if spec.indicator is not None:
        indicator, path = spec.indicator, at(prefix, "spec.indicator.spec.ratioMetric")
    else:
        found = context.slis.get(spec.indicator_ref or "")
        if found is None:
            reason = f"no inline indicator and no SLI document named {spec.indicator_ref!r}"
            raise _problem(source, at(prefix, "spec.indicatorRef"), reason)
        indicator, path = found, f"SLI {spec.indicator_ref}.spec.ratioMetric"
    sli = _sli(indicator.spec.ratio_metric, context, source, path)
    name, service = doc.metadata.name, spec.service
    return [
        openslo_slo(name, service, i, objective.target, period, sli, V1)
        for i, objective in enumerate(spec.objectives)
    ]

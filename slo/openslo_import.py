"""OpenSLO ``SLO`` documents, read as :class:`slo.promspec.PromSLO` values.

Two versions are read:

- ``openslo/v1alpha``, exactly as Sloth reads it (``internal/storage/io/openslo.go``), here:
  each objective's ``ratioMetrics`` (``good`` and ``total`` PromQL queries) becomes an SLO
  named ``<metadata.name>-<index>``, whose error ratio is ``1 - good / total``; ``target`` is a
  ratio (0.999 is 99.9%); ``timeWindows`` holds at most one window, counted in days.
- ``openslo/v1``, in :mod:`slo.openslo_v1`, mapped the same way.

As Sloth requires, queries take the alert window through ``{{.window}}``; and as in Sloth,
OpenSLO SLOs get recording rules only (alert policies are not mapped to alerts). ``Timeslices``
budgeting is refused with its path: the rules count occurrences. Documents of other kinds
(``Service``, ``AlertPolicy``, ...) are skipped; ``SLI`` and ``DataSource`` documents are
resolved from ``openslo/v1`` SLOs that reference them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from slo.importing import (
    at,
    good_total_sli,
    import_error,
    openslo_slo,
    read_documents,
    require_window,
    validate,
)
from slo.openslo_v1 import V1Context, v1_slos
from slo.promspec import PromSLO

V1ALPHA = "openslo/v1alpha"
_WHAT = "OpenSLO v1alpha SLO"


class _Doc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class _Metadata(_Doc):
    #: With each objective's index, the name of the SLOs: ``<name>-<index>``.
    name: str = Field(min_length=1)


class _Query(_Doc):
    #: ``prometheus`` (or ``sloth``).
    source: str
    #: ``promql``.
    query_type: str = Field(alias="queryType")
    #: A PromQL query over ``{{.window}}``.
    query: str


class _Ratio(_Doc):
    #: Good events over the window.
    good: _Query
    #: All events over the window.
    total: _Query


class _Objective(_Doc):
    #: Good and total events (threshold metrics are not supported).
    ratio_metrics: _Ratio = Field(alias="ratioMetrics")
    #: The share of good events, e.g. 0.999.
    target: float = Field(gt=0, le=1)


class _Window(_Doc):
    #: How many units.
    count: int = Field(gt=0)
    #: Only ``Day`` (any case), as in Sloth.
    unit: str


class _Spec(_Doc):
    #: The ``sloth_service`` label.
    service: str = Field(min_length=1)
    #: Only ``Occurrences``.
    budgeting_method: str = Field(default="Occurrences", alias="budgetingMethod")
    #: One SLO per objective.
    objectives: list[_Objective] = Field(min_length=1)
    #: The period; without one, the period given to :func:`load_openslo`.
    time_windows: list[_Window] = Field(default=[], alias="timeWindows", max_length=1)


class _SLO(_Doc):
    #: The name.
    metadata: _Metadata
    #: Service, objectives and period.
    spec: _Spec


def _problem(source: str, path: str, reason: str) -> Exception:
    return import_error(source, _WHAT, [(path, reason)])


def _v1alpha_slos(raw: Any, source: str, prefix: str, period: timedelta) -> list[PromSLO]:
    doc = validate(_SLO, raw, source, _WHAT, prefix)
    spec = doc.spec
    if spec.budgeting_method != "Occurrences":
        raise _problem(source, at(prefix, "spec.budgetingMethod"), "only Occurrences is supported")
    if spec.time_windows:
        window = spec.time_windows[0]
        if window.unit.lower() != "day":
            raise _problem(source, at(prefix, "spec.timeWindows[0].unit"), "only Day is supported")
        period = timedelta(days=window.count)
    slos = []
    for i, objective in enumerate(spec.objectives):
        ratio, path = objective.ratio_metrics, at(prefix, f"spec.objectives[{i}].ratioMetrics")
        for name, query in (("good", ratio.good), ("total", ratio.total)):
            if query.source not in ("prometheus", "sloth") or query.query_type != "promql":
                reason = "needs source prometheus and queryType promql"
                raise _problem(source, f"{path}.{name}", reason)
            require_window(query.query, source, _WHAT, f"{path}.{name}.query")
        sli = good_total_sli(ratio.good.query, ratio.total.query)
        name, service = doc.metadata.name, spec.service
        slos.append(openslo_slo(name, service, i, objective.target, period, sli, V1ALPHA))
    return slos


def load_openslo(
    text: str, source: str = "<string>", period: timedelta = timedelta(days=30)
) -> list[PromSLO]:
    """The SLOs of every OpenSLO ``SLO`` document in ``text``; ``period`` if one has none."""
    documents = read_documents(text, source)
    prefixes = [f"[document {i}]" if len(documents) > 1 else "" for i in range(len(documents))]
    context = V1Context.collect(documents, prefixes, source)
    slos: list[PromSLO] = []
    for raw, prefix in zip(documents, prefixes, strict=True):
        if not isinstance(raw, dict) or raw.get("kind") != "SLO":
            continue
        version = raw.get("apiVersion")
        if version == V1ALPHA:
            slos += _v1alpha_slos(raw, source, prefix, period)
        elif version == "openslo/v1":
            slos += v1_slos(raw, source, prefix, context)
        else:
            reason = f"unknown OpenSLO version {version!r}; supported: {V1ALPHA}, openslo/v1"
            raise _problem(source, at(prefix, "apiVersion"), reason)
    if not slos:
        raise import_error(source, "OpenSLO file", [("(top level)", "no document of kind SLO")])
    return slos

"""Vigil's own SLOs (``vigil/slo/v1``) as Prometheus rule specs over Vigil's counters.

Each SLO maps to Sloth's model as a Sloth ``prometheus/v1`` SLO would:

- service = the model, name = the SLO name, id = ``<model>-<name>``;
- the SLI is an events SLI over :mod:`slo.metrics`' counters, whatever the SLI kind:
  ``error = rate(vigil_slo_events_total) - rate(vigil_slo_good_events_total)`` over
  ``total = rate(vigil_slo_events_total)``, both filtered on ``model`` and ``slo`` (the
  counters of a freshness SLO count minutes, fresh or not, so its rules need nothing else);
- objective and period (``window``) are the spec's, and so are the alert windows (its own
  ``alert_windows``, or the catalog's): Prometheus and Vigil page on the same thresholds;
- every rule carries ``model`` (and ``team``, when the model has one), the labels Vigil's own
  alerts carry, so one Alertmanager routing tree serves both;
- both alerts are named :data:`ALERT_NAME`, told apart by ``sloth_severity`` (page/ticket)
  and by ``severity`` (``critical``/``warning``, as in Vigil's alert rules); each alert rule
  is labelled with its ``model`` and ``slo``, so no two SLOs have identical alert rules
  (``promtool check rules`` rejects those as duplicates).

A ``calendar`` budget has no Prometheus equivalent in Sloth's rules and is not exported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from slo.config import SLOSpec
from slo.metrics import sli_queries
from slo.promspec import AlertMeta, PromSLO
from slo.windows import AlertWindows

ALERT_NAME = "SLOErrorBudgetBurn"
SPEC = "vigil/slo/v1"


def vigil_prom_slo(
    slo: SLOSpec,
    team: str | None = None,
    catalog: Mapping[timedelta, AlertWindows] | None = None,
) -> PromSLO:
    """The rule spec of one Vigil SLO; ``team`` is its model's owning team, if any."""
    labels = {"model": slo.model} | ({"team": team} if team else {})
    identity = {"model": slo.model, "slo": slo.name}
    return PromSLO(
        id=f"{slo.model}-{slo.name}",
        service=slo.model,
        name=slo.name,
        objective=slo.objective,
        period=slo.window,
        sli=sli_queries(slo.model, slo.name),
        labels=labels,
        page_alert=AlertMeta(name=ALERT_NAME, labels={**identity, "severity": "critical"}),
        ticket_alert=AlertMeta(name=ALERT_NAME, labels={**identity, "severity": "warning"}),
        spec=SPEC,
        windows=slo.windows(catalog),
    )


def vigil_prom_slos(
    slos: Sequence[SLOSpec], teams: Mapping[str, str | None] | None = None
) -> list[PromSLO]:
    """The rule specs of ``slos``; ``teams`` maps model names to their owning team."""
    known = teams or {}
    return [vigil_prom_slo(slo, known.get(slo.model)) for slo in slos]

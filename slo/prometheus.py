"""Prometheus recording and alerting rules for SLOs, equivalent to Sloth's: a pure function.

Each SLO gets the three rule groups Sloth (v0.16) generates, with the same names, labels and
expressions:

- ``sloth-slo-sli-recordings-<id>``: ``slo:sli_error:ratio_rate<w>`` for every alert window
  and for the period. The period's ratio averages the shortest window's recordings over the
  period (Sloth's optimisation: a 30d range over a 5m recording, not 30 days of raw series);
- ``sloth-slo-meta-recordings-<id>``: ``slo:objective:ratio``, ``slo:error_budget:ratio``,
  ``slo:time_period:days``, ``slo:current_burn_rate:ratio`` (the page-quick short window),
  ``slo:period_burn_rate:ratio``, ``slo:period_error_budget_remaining:ratio`` and
  ``sloth_slo_info``;
- ``sloth-slo-alerts-<id>``, unless both alerts are disabled: the page alert fires while both
  windows of page-quick *or* both of page-slow burn above their factor; the ticket alert the
  same with the ticket windows. Thresholds are ``factor * (100 - objective) / 100``.

Label names are Sloth's (``sloth_id``, ``sloth_service``, ``sloth_slo``, ``sloth_window``,
``sloth_severity``), so Sloth's Grafana dashboards read Vigil's rules unchanged. Numbers and
durations are printed as Go prints them (:mod:`slo.promql`), so expressions are equal to
Sloth's as strings, not only as numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from slo.promql import go_float, go_plain, label_filter, prom_duration, render_window
from slo.promspec import AlertMeta, EventsSLI, PromSLO
from slo.windows import AlertWindow, AlertWindows, Severity, windows_for

Rule = dict[str, Any]
Group = dict[str, Any]

WINDOW_LABEL = "sloth_window"
#: ``sloth_mode`` of ``sloth_slo_info`` by source spec, as Sloth's CLI sets it.
MODES = {
    "prometheus/v1": "cli-gen-prom",
    "openslo/v1alpha": "cli-gen-openslo",
    "openslo/v1": "cli-gen-openslo",
}

_ALERT_TEMPLATE = """(
    max({qs} > ({qf} * {budget})) without (sloth_window)
    and
    max({ql} > ({qf} * {budget})) without (sloth_window)
)
or
(
    max({ss} > ({sf} * {budget})) without (sloth_window)
    and
    max({sl} > ({sf} * {budget})) without (sloth_window)
)
"""


def sli_metric(window: timedelta) -> str:
    """The recording of the error ratio over ``window``, e.g. ``slo:sli_error:ratio_rate5m``."""
    return f"slo:sli_error:ratio_rate{prom_duration(window)}"


def _sorted(labels: Mapping[str, str]) -> dict[str, str]:
    return {key: labels[key] for key in sorted(labels)}


def _sli_expr(slo: PromSLO, window: timedelta) -> str:
    where = f"SLO {slo.id!r}"
    if isinstance(slo.sli, EventsSLI):
        error = render_window(slo.sli.error_query, window, where)
        total = render_window(slo.sli.total_query, window, where)
        return f"({error})\n/\n({total})\n"
    return f"({render_window(slo.sli.error_ratio_query, window, where)})"


def _sli_rules(slo: PromSLO, windows: AlertWindows, labels: Mapping[str, str]) -> list[Rule]:
    shortest = windows.of_severity("page")[0].short_window
    rules = []
    for window in (*windows.durations(), slo.period):
        if window == slo.period:
            source, selector = sli_metric(shortest), label_filter(slo.id_labels)
            span = prom_duration(window)
            expr = (
                f"sum_over_time({source}{selector}[{span}])\n/ ignoring ({WINDOW_LABEL})\n"
                f"count_over_time({source}{selector}[{span}])\n"
            )
        else:
            expr = _sli_expr(slo, window)
        window_labels = {**slo.id_labels, WINDOW_LABEL: prom_duration(window), **labels}
        rules.append({"record": sli_metric(window), "expr": expr, "labels": _sorted(window_labels)})
    return rules


def _burn_rate_expr(sli: str, selector: str) -> str:
    return (
        f"{sli}{selector}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
        f"slo:error_budget:ratio{selector}\n"
    )


def _meta_rules(
    slo: PromSLO, windows: AlertWindows, labels: Mapping[str, str], version: str
) -> list[Rule]:
    meta = _sorted({**slo.id_labels, **labels})
    selector = label_filter(slo.id_labels)
    ratio = go_float(slo.objective / 100)
    current = windows.of_severity("page")[0].short_window
    info = {
        **meta,
        **slo.info_labels,
        "sloth_version": version,
        "sloth_mode": MODES.get(slo.spec, "cli-gen-vigil"),
        "sloth_spec": slo.spec,
        "sloth_objective": go_plain(slo.objective),
    }
    exprs = [
        ("slo:objective:ratio", f"vector({ratio})"),
        ("slo:error_budget:ratio", f"vector(1-{ratio})"),
        ("slo:time_period:days", f"vector({go_float(slo.period / timedelta(days=1))})"),
        ("slo:current_burn_rate:ratio", _burn_rate_expr(sli_metric(current), selector)),
        ("slo:period_burn_rate:ratio", _burn_rate_expr(sli_metric(slo.period), selector)),
        ("slo:period_error_budget_remaining:ratio", f"1 - slo:period_burn_rate:ratio{selector}"),
    ]
    rules: list[Rule] = [{"record": name, "expr": expr, "labels": meta} for name, expr in exprs]
    rules.append({"record": "sloth_slo_info", "expr": "vector(1)", "labels": _sorted(info)})
    return rules


def _alert_rule(slo: PromSLO, meta: AlertMeta, quick: AlertWindow, slow: AlertWindow) -> Rule:
    selector = label_filter(slo.id_labels)
    expr = _ALERT_TEMPLATE.format(
        budget=go_float((100 - slo.objective) / 100),
        qs=sli_metric(quick.short_window) + selector,
        ql=sli_metric(quick.long_window) + selector,
        qf=go_float(quick.burn_rate_factor),
        ss=sli_metric(slow.short_window) + selector,
        sl=sli_metric(slow.long_window) + selector,
        sf=go_float(slow.burn_rate_factor),
    )
    severity = quick.severity
    annotations = {
        "title": f"({severity}) {{{{$labels.sloth_service}}}} {{{{$labels.sloth_slo}}}} "
        "SLO error budget burn rate is too fast.",
        "summary": "{{$labels.sloth_service}} {{$labels.sloth_slo}} "
        "SLO error budget burn rate is over expected.",
        **meta.annotations,
    }
    return {
        "alert": meta.name,
        "expr": expr,
        "labels": _sorted({"sloth_severity": severity, **meta.labels}),
        "annotations": _sorted(annotations),
    }


def _group(name: str, interval: timedelta | None, rules: list[Rule]) -> Group:
    group: Group = {"name": name}
    if interval is not None:
        group["interval"] = prom_duration(interval)
    group["rules"] = rules
    return group


def slo_rule_groups(
    slo: PromSLO,
    catalog: Mapping[timedelta, AlertWindows] | None = None,
    *,
    version: str = "dev",
    extra_labels: Mapping[str, str] | None = None,
) -> list[Group]:
    """The rule groups of one SLO; ``extra_labels`` override its labels (``--extra-labels``)."""
    windows = slo.windows or windows_for(slo.period, catalog)
    labels = {**slo.labels, **(extra_labels or {})}
    every = slo.intervals.all
    groups = [
        _group(
            f"sloth-slo-sli-recordings-{slo.id}",
            slo.intervals.sli or every,
            _sli_rules(slo, windows, labels),
        ),
        _group(
            f"sloth-slo-meta-recordings-{slo.id}",
            slo.intervals.metadata or every,
            _meta_rules(slo, windows, labels, version),
        ),
    ]
    alerts = []
    severities: tuple[tuple[AlertMeta, Severity], ...] = (
        (slo.page_alert, "page"),
        (slo.ticket_alert, "ticket"),
    )
    for meta, severity in severities:
        if not meta.disabled:
            alerts.append(_alert_rule(slo, meta, *windows.of_severity(severity)))
    if alerts:
        groups.append(_group(f"sloth-slo-alerts-{slo.id}", slo.intervals.alert or every, alerts))
    return groups


def rule_groups(
    slos: Sequence[PromSLO],
    catalog: Mapping[timedelta, AlertWindows] | None = None,
    *,
    version: str = "dev",
    extra_labels: Mapping[str, str] | None = None,
) -> list[Group]:
    """Every SLO's rule groups, in order; ``catalog`` maps periods to alert windows."""
    return [
        group
        for slo in slos
        for group in slo_rule_groups(slo, catalog, version=version, extra_labels=extra_labels)
    ]

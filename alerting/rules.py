"""Alert rules: the latest signals of one detector become one alert per (rule, model).

The pure core decides, from a model's latest signals, whether the rule's alert should fire
(a breach, or with ``fire_on: [no_data]`` a signal without data) and with which labels and
annotations (:func:`desired_alert`), and whether the trigger has lasted the rule's ``for``
(:func:`step_pending`, Prometheus's pending → firing). The shell, :func:`evaluate_rules`,
reconciles that desired state with the stored alerts through ``store.alerts`` and returns
only the transitions, which are what the router notifies about.

Labels never name subjects, so a breach spreading from ``income`` to ``age`` refreshes the
annotations of the one firing alert instead of paging again. When a breach starts, the alert
is *pending*; the time it started is kept in ``job_state`` so a restart does not reset ``for``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Engine

from alerting.config import DRIFT_FAMILY, AlertRule
from store.alerts import AlertRecord, fingerprint, open_alerts, resolve, upsert_firing
from store.job_state import load_state, save_state
from store.records import Signal
from store.signals import latest_signals

#: ``job_state`` key of the pending alerts: fingerprint → ISO time the breach was first seen.
PENDING_STATE = "alerting.rules.pending"
#: ``details["state"]`` of a signal that saw no data (SLO signals, see ``slo.evaluate``).
NO_DATA_STATE = "no_data"
#: Default summaries of an alert with subjects in breach, and of one with only no-data ones.
SUMMARY = "{alertname} on {model}: {subjects}"
NO_DATA_SUMMARY = "{alertname} on {model}: no data for {subjects}"


@dataclass(frozen=True)
class DesiredAlert:
    """An alert a rule wants firing now (subject to ``for``)."""

    labels: dict[str, str]
    annotations: dict[str, Any]


def alert_labels(rule: AlertRule, model: str, team: str | None) -> dict[str, str]:
    """The identity of the rule's alert for ``model``; ``alertname`` and ``model`` always win."""
    labels: dict[str, str] = {"severity": rule.severity}
    if team:
        labels["team"] = team
    return {**labels, **rule.labels, "alertname": rule.alert, "model": model}


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _excess(signal: Signal) -> float:
    """How far past its threshold a signal is, relative to the threshold (for ordering)."""
    value, threshold = _finite(signal.value), _finite(signal.threshold)
    if value is None or threshold is None:
        return 0.0
    return abs(value - threshold) / (abs(threshold) or 1.0)


def _number(value: float | None) -> str:
    return "n/a" if _finite(value) is None else f"{value:.4g}"


def breaching(signals: Sequence[Signal]) -> list[Signal]:
    """The signals in breach, worst first (then by subject, for a stable order)."""
    found = [s for s in signals if s.status == "breach"]
    return sorted(found, key=lambda s: (-_excess(s), s.subject))


def without_data(signals: Sequence[Signal]) -> list[Signal]:
    """The signals that saw no data and ask for an alert then, by subject.

    Those are ``not_computable`` with ``details["state"] == "no_data"`` and
    ``details["no_data_alert"]`` true (SLO signals carry both); a signal whose SLO turned
    ``no_data_alert`` off never matches.
    """
    found = [
        s
        for s in signals
        if s.status == "not_computable"
        and s.details.get("state") == NO_DATA_STATE
        and s.details.get("no_data_alert") is True
    ]
    return sorted(found, key=lambda s: s.subject)


def _describe(rule: AlertRule, model: str, watched: int, bad: Sequence[Signal]) -> str:
    window_end = max(s.window_end for s in bad)
    details = "; ".join(
        f"{s.subject} {s.metric}={_number(s.value)} (threshold {_number(s.threshold)})" for s in bad
    )
    return (
        f"Detector '{rule.detector}' found {len(bad)} of {watched} subjects of {model} "
        f"past their threshold, latest window ending {window_end.isoformat()}: {details}."
    )


def _describe_no_data(rule: AlertRule, model: str, watched: int, silent: Sequence[Signal]) -> str:
    window_end = max(s.window_end for s in silent)
    names = ", ".join(s.subject for s in silent)
    return (
        f"Detector '{rule.detector}' has no data for {len(silent)} of {watched} subjects of "
        f"{model}, latest window ending {window_end.isoformat()}: {names}."
    )


def drift_report_url(api_base_url: str, model: str, start: datetime, end: datetime) -> str:
    """The API's Evidently drift report of ``model``'s window ``[start, end)``."""
    query = urlencode({"model": model, "start": start.isoformat(), "end": end.isoformat()})
    return f"{api_base_url.rstrip('/')}/v1/reports/drift?{query}"


def _report_window(bad: Sequence[Signal]) -> tuple[datetime, datetime]:
    """The window of the latest breaching signals (those ending last)."""
    end = max(s.window_end for s in bad)
    return min(s.window_start for s in bad if s.window_end == end), end


def desired_alert(
    rule: AlertRule,
    model: str,
    team: str | None,
    latest: Sequence[Signal],
    runbook_url: str,
    dashboard_url: str | None,
    api_base_url: str | None = None,
) -> DesiredAlert | None:
    """The alert ``rule`` wants for ``model`` given its latest signals; None if none trigger it.

    Subjects in breach (``fire_on`` breach) are listed under ``subjects``, worst first;
    subjects without data (``fire_on`` no_data) under ``no_data``, and the description says
    "no data" for them. With ``api_base_url``, a breach of a drift-family detector links the
    Evidently report of its latest window (``report_url``); a window without data has none.
    """
    watched = [s for s in latest if s.detector == rule.detector and s.model == model]
    bad = breaching(watched) if "breach" in rule.fire_on else []
    silent = without_data(watched) if "no_data" in rule.fire_on else []
    if not bad and not silent:
        return None
    names = ", ".join(s.subject for s in [*bad, *silent])
    template = rule.summary or (SUMMARY if bad else NO_DATA_SUMMARY)
    summary = (
        template.replace("{alertname}", rule.alert)
        .replace("{model}", model)
        .replace("{subjects}", names)
    )
    described = [_describe(rule, model, len(watched), bad)] if bad else []
    if silent:
        described.append(_describe_no_data(rule, model, len(watched), silent))
    annotations: dict[str, Any] = {
        "summary": summary,
        "description": " ".join(described),
        "runbook_url": runbook_url,
        "detector": rule.detector,
        "subjects": [
            {
                "subject": s.subject,
                "metric": s.metric,
                "value": _finite(s.value),
                "threshold": _finite(s.threshold),
                "window_end": s.window_end.isoformat(),
                "sample_size": s.sample_size,
                "evidence": evidence(s.details),
            }
            for s in bad
        ],
        "window_end": max(s.window_end for s in [*bad, *silent]).isoformat(),
    }
    if silent:
        annotations["no_data"] = [
            {"subject": s.subject, "metric": s.metric, "window_end": s.window_end.isoformat()}
            for s in silent
        ]
    if dashboard_url:
        annotations["dashboard_url"] = dashboard_url
    if api_base_url and bad and rule.detector in DRIFT_FAMILY:
        annotations["report_url"] = drift_report_url(api_base_url, model, *_report_window(bad))
    return DesiredAlert(alert_labels(rule, model, team), annotations)


def evidence(details: dict[str, Any]) -> dict[str, Any]:
    """The part of a signal's details worth carrying on the alert (and to PagerDuty, Slack).

    Flat facts and one level of numbers: an SLO's burn rate per window, its budget remaining
    and consumed; a drift test's statistic, p-values and persistence. Larger structures stay
    in the stored signal, one click away on the dashboard.
    """
    kept: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, bool | str) or value is None:
            kept[key] = value
        elif isinstance(value, int | float):
            kept[key] = _finite(float(value))
        elif isinstance(value, dict) and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()
        ):
            kept[key] = {k: _finite(float(v)) for k, v in value.items()}
    remaining = kept.get("budget_remaining")
    if isinstance(remaining, float):
        kept["budget_consumed"] = 1 - remaining
    return kept


def step_pending(
    pending_since: datetime | None, for_: timedelta, now: datetime
) -> tuple[bool, datetime]:
    """For a breaching alert not yet firing: whether it fires now, and since when it breaches."""
    since = pending_since or now
    return now - since >= for_, since


@dataclass(frozen=True)
class Plan:
    """What one evaluation changes: alerts to fire (with their start), refresh and resolve."""

    fire: list[tuple[DesiredAlert, datetime]]
    refresh: list[DesiredAlert]
    resolve: list[str]
    pending: dict[str, str]


def plan(
    wanted: Sequence[tuple[DesiredAlert, timedelta]],
    firing: Mapping[str, Mapping[str, Any]],
    pending: Mapping[str, str],
    now: datetime,
) -> Plan:
    """Reconcile wanted alerts (each with its rule's ``for``) with the firing ones.

    ``firing`` maps fingerprints of the rules' firing alerts to their annotations; ``pending``
    maps fingerprints to the ISO time their breach was first seen. Firing alerts no longer
    wanted are resolved.
    """
    fire: list[tuple[DesiredAlert, datetime]] = []
    refresh: list[DesiredAlert] = []
    still_pending: dict[str, str] = {}
    kept: set[str] = set()
    for desired, for_ in wanted:
        fp = fingerprint(desired.labels)
        if fp in firing:
            kept.add(fp)
            if firing[fp] != desired.annotations:
                refresh.append(desired)
            continue
        since_text = pending.get(fp)
        fires, since = step_pending(
            datetime.fromisoformat(since_text) if since_text else None, for_, now
        )
        if fires:
            fire.append((desired, since))
            kept.add(fp)
        else:
            still_pending[fp] = since.isoformat()
    return Plan(fire, refresh, sorted(firing.keys() - kept), still_pending)


def _wanted(
    engine: Engine,
    rules: Sequence[AlertRule],
    models: Sequence[tuple[str, str | None]],
    runbook_url: Callable[[str], str],
    dashboard_url: str | None,
    api_base_url: str | None = None,
) -> list[tuple[DesiredAlert, timedelta]]:
    latest: dict[tuple[str, str], list[Signal]] = {}
    wanted: list[tuple[DesiredAlert, timedelta]] = []
    for rule in rules:
        for model, team in models:
            key = (model, rule.detector)
            if key not in latest:
                latest[key] = [s.signal for s in latest_signals(engine, model, rule.detector)]
            url = runbook_url(rule.runbook)
            desired = desired_alert(
                rule, model, team, latest[key], url, dashboard_url, api_base_url
            )
            if desired is not None:
                wanted.append((desired, rule.for_))
    return wanted


def evaluate_rules(
    engine: Engine,
    rules: Sequence[AlertRule],
    models: Sequence[tuple[str, str | None]],
    runbook_url: Callable[[str], str],
    dashboard_url: str | None,
    now: datetime,
    api_base_url: str | None = None,
) -> list[AlertRecord]:
    """Evaluate every rule for every ``(model, team)``; return the alerts that fired or resolved.

    Firing alerts of these rules that are no longer wanted (the breach ended, the model was
    removed, the rule's labels changed) are resolved; firing alerts of other sources are left
    alone. Re-evaluating with nothing changed returns no transitions. ``api_base_url`` (the
    API's external URL) adds drift alerts' ``report_url``.
    """
    names = {rule.alert for rule in rules}
    firing = {a.fingerprint: a.annotations for a in open_alerts(engine) if a.alertname in names}
    pending: dict[str, str] = dict(load_state(engine, PENDING_STATE) or {})
    wanted = _wanted(engine, rules, models, runbook_url, dashboard_url, api_base_url)
    todo = plan(wanted, firing, pending, now)
    transitions: list[AlertRecord] = []
    for desired, since in todo.fire:
        record, new = upsert_firing(engine, desired.labels, desired.annotations, since, now)
        transitions.extend([record] if new else [])
    for desired in todo.refresh:
        upsert_firing(engine, desired.labels, desired.annotations, now, now)
    for fp in todo.resolve:
        resolved = resolve(engine, fp, now)
        transitions.extend([resolved] if resolved is not None else [])
    if todo.pending != pending:
        save_state(engine, PENDING_STATE, todo.pending, now)
    return transitions

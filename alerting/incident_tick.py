"""The incidents tick: reconcile the stored alerts and notifications into incidents.

Fed from the store only (alert groups, alerts, notifications, silences), never from another
stage's objects, and idempotent: every timeline event it writes names its source row,
unique per incident, so a crashed or repeated tick records each fact once.

* A firing alert of a group that no incident holds yet joins the group's open incident, or
  opens one (``triggered``). An alert an incident already holds never opens another, so an
  operator's early resolve is not undone while the same alerts still fire.
* A held alert that resolved adds ``alert_resolved``; when all of an open incident's alerts
  have resolved, the incident resolves (actor ``vigil``).
* Notifications of the group sent or given up on add ``notification_sent`` / ``_failed``.
* An active silence that matches a firing alert of an open incident adds ``silenced``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from alerting.incidents import breach_run_start, higher_severity
from alerting.matchers import matches_all, parse_all
from store.alert_groups import load_groups
from store.alerts import AlertRecord, latest_by_fingerprint
from store.incident_inputs import (
    alert_id_of,
    alerts_by_id,
    finished_notifications,
    fired_source,
    held_alerts,
)
from store.incidents import (
    IncidentEvent,
    IncidentRecord,
    add_event,
    change_status,
    latest_for_group,
    open_incident,
    open_incidents,
    set_severity,
    sources,
)
from store.signal_history import signal_points
from store.silences import list_silences

SYSTEM_ACTOR = "vigil"


@dataclass
class IncidentTickReport:
    """What one tick did."""

    opened: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    events: int = 0


#: How far back the start of a breach is looked for (a longer breach counts from here).
BREACH_LOOKBACK = timedelta(days=7)


def breach_window_end(engine: Engine, alert: AlertRecord) -> str | None:
    """The end of the first window of the breach behind ``alert`` (ISO 8601), if known.

    For each breaching subject, the start of its run of breaching windows up to the one the
    alert names (from the detector's stored signals); the earliest of them. Without the
    detector's history, the earliest window the alert itself names.
    """
    subjects = [
        s for s in alert.annotations.get("subjects", []) if isinstance(s.get("window_end"), str)
    ]
    named = sorted(datetime.fromisoformat(s["window_end"]) for s in subjects)
    if not named:
        end = alert.annotations.get("window_end")
        return end if isinstance(end, str) else None
    detector, model = alert.annotations.get("detector"), alert.labels.get("model")
    if not isinstance(detector, str) or model is None:
        return named[0].isoformat()
    history: dict[str, list[tuple[datetime, str]]] = {}
    for point in signal_points(engine, model, detector, named[0] - BREACH_LOOKBACK):
        history.setdefault(point.subject, []).append((point.window_end, point.status))
    starts = [
        breach_run_start(history.get(s["subject"], []), datetime.fromisoformat(s["window_end"]))
        or datetime.fromisoformat(s["window_end"])
        for s in subjects
    ]
    return min(starts).isoformat()


def fired_event(engine: Engine, alert: AlertRecord) -> IncidentEvent:
    """The timeline event of ``alert`` joining an incident."""
    data: dict[str, object] = {"alert_id": alert.id, "labels": alert.labels}
    breach = breach_window_end(engine, alert)
    if breach is not None:
        data["breach_window_end"] = breach
    summary = alert.annotations.get("summary") or alert.alertname
    return IncidentEvent(
        alert.starts_at, "alert_fired", SYSTEM_ACTOR, str(summary), data, fired_source(alert.id)
    )


def _title(alert: AlertRecord) -> str:
    summary = alert.annotations.get("summary")
    model = alert.labels.get("model")
    return str(summary) if summary else f"{alert.alertname}" + (f" on {model}" if model else "")


def _join_firing(engine: Engine, report: IncidentTickReport) -> None:
    groups = load_groups(engine)
    held = held_alerts(engine, groups)
    # One incident per problem: an alert routed into several groups (``continue: true``)
    # joins the incident of the first of them only.
    taken: set[int] = set().union(*held.values()) if held else set()
    by_group = {i.group_key: i for i in open_incidents(engine)}
    for key, group in sorted(groups.items()):
        latest = latest_by_fingerprint(engine, group.members)
        new = [a for a in latest.values() if a.status == "firing" and a.id not in taken]
        taken.update(a.id for a in new)
        for alert in sorted(new, key=lambda a: (a.starts_at, a.id)):
            severity = alert.labels.get("severity", "warning")
            incident = by_group.get(key)
            if incident is None:
                incident = open_incident(
                    engine,
                    key,
                    _title(alert),
                    alert.labels.get("model"),
                    severity,
                    alert.starts_at,
                    fired_event(engine, alert),
                )
                by_group[key] = incident
                report.opened.append(incident.id)
                report.events += 1
                continue
            report.events += add_event(engine, incident.id, fired_event(engine, alert))
            if higher_severity(severity, incident.severity) != incident.severity:
                set_severity(engine, incident.id, severity, alert.starts_at)


def _resolve_finished(engine: Engine, now: datetime, report: IncidentTickReport) -> None:
    current = open_incidents(engine)
    recorded = sources(engine, (i.id for i in current))
    for incident in current:
        ids = [a for a in (alert_id_of(s) for s in recorded[incident.id]) if a is not None]
        alerts = alerts_by_id(engine, ids)
        for alert in alerts.values():
            if alert.status == "resolved":
                event = IncidentEvent(
                    alert.ends_at or now,
                    "alert_resolved",
                    SYSTEM_ACTOR,
                    f"{alert.alertname} resolved",
                    {"alert_id": alert.id},
                    f"alert:{alert.id}:resolved",
                )
                report.events += add_event(engine, incident.id, event)
        if alerts and all(a.status == "resolved" for a in alerts.values()):
            at = max(a.ends_at or now for a in alerts.values())
            event = IncidentEvent(at, "resolved", SYSTEM_ACTOR, "all alerts resolved", {})
            if change_status(
                engine, incident.id, incident.status, "resolved", event, {"resolved_at": at}
            ):
                report.resolved.append(incident.id)


def _record_notifications(engine: Engine, since: datetime, report: IncidentTickReport) -> None:
    cache: dict[str, IncidentRecord | None] = {}
    for n in finished_notifications(engine, since):
        if n.group_key not in cache:
            cache[n.group_key] = latest_for_group(engine, n.group_key)
        incident = cache[n.group_key]
        if incident is None or n.created_at < incident.opened_at:
            continue
        sent = n.status == "sent"
        at = (n.sent_at if sent else n.next_attempt_at) or n.created_at
        outcome = "sent" if sent else "failed"
        event = IncidentEvent(
            at,
            f"notification_{outcome}",
            SYSTEM_ACTOR,
            f"{n.kind} notification to {n.receiver}/{n.integration} {outcome}",
            {"notification_id": n.id, "receiver": n.receiver, "error": n.last_error},
            f"notification:{n.id}:{outcome}",
        )
        report.events += add_event(engine, incident.id, event)


def _record_silences(engine: Engine, now: datetime, report: IncidentTickReport) -> None:
    active = list_silences(engine, now, "active")
    if not active:
        return
    current = open_incidents(engine)
    recorded = sources(engine, (i.id for i in current))
    for incident in current:
        ids = [a for a in (alert_id_of(s) for s in recorded[incident.id]) if a is not None]
        firing = [a for a in alerts_by_id(engine, ids).values() if a.status == "firing"]
        for silence in active:
            matchers = parse_all(silence.matchers)
            if any(matches_all(matchers, a.labels) for a in firing):
                event = IncidentEvent(
                    max(silence.starts_at, incident.opened_at),
                    "silenced",
                    silence.created_by,
                    f"silenced by {silence.author}: {silence.comment}",
                    {"silence_id": silence.id, "matchers": list(silence.matchers)},
                    f"silence:{silence.id}",
                )
                report.events += add_event(engine, incident.id, event)


def incidents_tick(
    engine: Engine, now: datetime, lookback: timedelta = timedelta(days=1)
) -> IncidentTickReport:
    """Reconcile incidents with the store at ``now``; notifications within ``lookback``."""
    report = IncidentTickReport()
    _join_firing(engine, report)
    _resolve_finished(engine, now, report)
    _record_notifications(engine, now - lookback, report)
    _record_silences(engine, now, report)
    return report

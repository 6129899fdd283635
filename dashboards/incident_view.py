"""What the Incidents page shows: incident rows, a timeline, alerts with runbooks, actions.

Pure functions of store records (no database, no Streamlit), unit-tested on their own. The
page changes incidents and actions only through :mod:`alerting.incident_ops` and
:mod:`alerting.action_ops`, and silences through :mod:`alerting.silences`, as the API does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from alerting.incident_ops import TRANSITIONS
from alerting.incidents import Durations, can_move
from dashboards.views import format_time, runbook_page, safe_link
from store.actions import ActionRecord
from store.alerts import AlertRecord
from store.durations import format_duration
from store.incidents import OPEN_STATUSES, IncidentEvent, IncidentRecord

#: Labels an incident's silence matches on: the alert's name and model (its group, usually).
SILENCE_LABELS = ("alertname", "model")


@dataclass(frozen=True)
class IncidentRow:
    id: int
    status: str
    severity: str
    model: str
    title: str
    opened: str
    open_for: str


@dataclass(frozen=True)
class TimelineRow:
    at: str
    event: str
    by: str
    what: str


@dataclass(frozen=True)
class IncidentAlertRow:
    alert: str
    severity: str
    status: str
    since: str
    summary: str
    runbook: str | None
    runbook_page: str | None


@dataclass(frozen=True)
class ActionRow:
    id: int
    action: str
    mode: str
    status: str
    target_version: str
    requested: str
    approved_by: str


def incident_rows(incidents: Iterable[IncidentRecord], now: datetime) -> list[IncidentRow]:
    """One row per incident, open ones first (newest first within each)."""
    ordered = sorted(incidents, key=lambda i: (i.status not in OPEN_STATUSES, -i.id))
    return [
        IncidentRow(
            id=i.id,
            status=i.status,
            severity=i.severity,
            model=i.model or "",
            title=i.title,
            opened=format_time(i.opened_at),
            open_for=format_duration((i.resolved_at or now) - i.opened_at),
        )
        for i in ordered
    ]


def timeline_rows(events: Iterable[IncidentEvent]) -> list[TimelineRow]:
    return [TimelineRow(format_time(e.at), e.kind, e.actor, e.message) for e in events]


def alert_rows(alerts: Iterable[AlertRecord]) -> list[IncidentAlertRow]:
    rows = []
    for a in alerts:
        link = safe_link(a.annotations.get("runbook_url"))
        rows.append(
            IncidentAlertRow(
                alert=a.alertname,
                severity=a.labels.get("severity", ""),
                status=a.status,
                since=format_time(a.starts_at),
                summary=str(a.annotations.get("summary", "")),
                runbook=link,
                runbook_page=runbook_page(link),
            )
        )
    return rows


def action_rows(actions: Iterable[ActionRecord]) -> list[ActionRow]:
    return [
        ActionRow(
            id=a.id,
            action=a.action,
            mode=a.mode,
            status=a.status,
            target_version=a.target_version,
            requested=format_time(a.requested_at),
            approved_by=a.approved_by or "",
        )
        for a in actions
    ]


def duration_texts(durations: Durations) -> dict[str, str]:
    """Each response step's duration as text, ``not yet`` until it happened."""
    return {
        f"Time to {step}": "not yet" if value is None else format_duration(value)
        for step, value in vars(durations).items()
    }


def allowed_verbs(status: str) -> list[str]:
    """The operator transitions an incident in ``status`` allows, in workflow order."""
    return [verb for verb, target in TRANSITIONS.items() if can_move(status, target)]


def silence_matchers(alerts: Sequence[AlertRecord]) -> list[str]:
    """Matchers for a silence of the incident: its first alert's name and model."""
    if not alerts:
        return []
    labels = alerts[0].labels
    return [f'{name}="{labels[name]}"' for name in SILENCE_LABELS if labels.get(name)]


def silences_link(matchers: Sequence[str]) -> str:
    """The Silences page prefilled with ``matchers`` (relative, like the runbook links)."""
    return "silences?" + urlencode([("matchers", m) for m in matchers])

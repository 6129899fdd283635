"""The postmortem draft as a format-neutral document: sections of paragraphs, tables, figures.

:func:`build` decides what the draft says, once; :mod:`alerting.postmortem.render` only
writes it as Markdown or HTML, so the two formats never disagree. The last three sections
(root cause, lessons learned, action items) are left empty for the people who were there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from alerting.postmortem.charts import Chart
from alerting.postmortem.facts import Postmortem
from store.durations import format_duration


@dataclass(frozen=True)
class Para:
    text: str
    emphasis: bool = False


@dataclass(frozen=True)
class Table:
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Figure:
    chart: Chart


@dataclass(frozen=True)
class Link:
    text: str
    href: str


Block = Para | Table | Figure | Link


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...] = ()
    level: int = 2


@dataclass(frozen=True)
class Attachment:
    """A file attached to the draft (the Evidently report), or why there is none."""

    title: str
    href: str | None
    note: str = ""


@dataclass(frozen=True)
class Document:
    title: str
    byline: str
    sections: tuple[Section, ...] = field(default_factory=tuple)


def when(at: datetime | None) -> str:
    """A time to the minute in UTC, or an empty cell."""
    return "" if at is None else at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def took(value: timedelta | None) -> str:
    return "not yet" if value is None else format_duration(value)


def _number(value: float | None, places: int = 4) -> str:
    return "" if value is None else f"{value:.{places}g}"


def _percent(value: float | None) -> str:
    return "unknown" if value is None else f"{100 * value:.1f}%"


def _header(pm: Postmortem) -> Section:
    i = pm.incident
    resolved = when(i.resolved_at) if i.resolved_at else f"not yet (open at {when(pm.now)})"
    rows = (
        ("Incident", f"#{i.id}"),
        ("Status", i.status),
        ("Severity", i.severity),
        ("Model", i.model or ""),
        ("Opened", when(i.opened_at)),
        ("Resolved", resolved),
    )
    alerts = ", ".join(f"{a.alertname} ({a.labels.get('severity', '')})" for a in pm.alerts)
    drifted = ", ".join(d.feature for d in pm.drifted)
    text = f"{i.title}. Alerts: {alerts or 'none'}."
    if drifted:
        text += f" Drifted features: {drifted}."
    return Section("Summary", (Table(("fact", "value"), rows), Para(text)))


def _impact(pm: Postmortem) -> Section:
    imp = pm.impact
    state = "ongoing" if imp.ongoing else "resolved"
    blocks: list[Block] = [
        Table(
            ("measure", "value"),
            (
                ("Incident window", f"{when(imp.start)} to {when(imp.end)} ({state})"),
                ("Duration", format_duration(imp.duration)),
                ("Predictions affected", f"{imp.predictions:,}"),
            ),
        ),
        Para(
            "Predictions affected counts every prediction of the model in the incident "
            "window, from the first breaching window to resolution: an upper bound."
        ),
    ]
    rows: tuple[tuple[str, ...], ...]
    if imp.budgets:
        rows = tuple(
            (b.slo, _percent(b.before), _percent(b.after), _percent(b.consumed))
            for b in imp.budgets
        )
        blocks.append(Table(("SLO", "budget left before", "budget left after", "consumed"), rows))
    else:
        blocks.append(Para("Error budget consumed: no SLO of this model was evaluated."))
    if imp.groups:
        rows = tuple(
            (
                g.attribute,
                g.metric,
                _number(g.worst),
                _number(g.threshold),
                ", ".join(f"{name}: {_number(rate, 3)} (n={n})" for name, rate, n in g.groups),
            )
            for g in imp.groups
        )
        blocks.append(Table(("attribute", "metric", "worst", "bound", "groups"), rows))
    else:
        blocks.append(Para("Groups affected: the fairness detector found no breach."))
    return Section("Impact", tuple(blocks))


def _response(pm: Postmortem) -> Section:
    d = pm.durations
    rows = (
        ("Time to detect", took(d.detect)),
        ("Time to acknowledge", took(d.acknowledge)),
        ("Time to mitigate", took(d.mitigate)),
        ("Time to resolve", took(d.resolve)),
    )
    note = Para(
        "Detect: from the end of the first breaching window to the first alert. "
        "The others: from the incident's opening."
    )
    return Section("Detection and response", (Table(("step", "took"), rows), note))


def _timeline(pm: Postmortem) -> Section:
    rows = tuple((when(e.at), e.kind, e.actor, e.message) for e in pm.timeline)
    return Section("Timeline", (Table(("time", "event", "by", "what"), rows),))


ALERT_HEAD = ("alert", "severity", "status", "since", "until", "summary", "runbook")
NOTIFICATION_HEAD = ("at", "receiver", "integration", "kind", "status", "attempts")


def _evidence(pm: Postmortem, charts: list[Chart], report: Attachment | None) -> list[Section]:
    figures: list[Block] = [Figure(c) for c in charts] or [Para("No triggering signal found.")]
    sections = [Section("Evidence", ()), Section("Triggering signals", tuple(figures), 3)]
    if pm.drifted:
        rows = tuple(
            (
                d.feature,
                d.metric,
                _number(d.threshold),
                _number(d.worst),
                when(d.first_breach),
                str(d.windows),
            )
            for d in pm.drifted
        )
        head = ("feature", "method", "threshold", "worst", "first breach", "windows breached")
        sections.append(Section("Drifted features", (Table(head, rows),), 3))
    else:
        sections.append(Section("Drifted features", (Para("No feature drifted."),), 3))
    if report is not None:
        body: Block = Link(report.title, report.href) if report.href else Para(report.note)
        sections.append(Section("Evidently report of the incident window", (body,), 3))
    alerts = tuple(
        (
            a.alertname,
            a.labels.get("severity", ""),
            a.status,
            when(a.starts_at),
            when(a.ends_at),
            str(a.annotations.get("summary", "")),
            str(a.annotations.get("runbook_url", "")),
        )
        for a in pm.alerts
    )
    sections.append(Section("Alerts", (Table(ALERT_HEAD, alerts),), 3))
    sent = tuple(
        (
            when(n.sent_at or n.next_attempt_at),
            n.receiver,
            n.integration,
            n.kind,
            n.status,
            str(n.attempts),
        )
        for n in pm.notifications
    )
    sections.append(
        Section(
            "Notifications",
            (Table(NOTIFICATION_HEAD, sent),) if sent else (Para("No notification was sent."),),
            3,
        )
    )
    return sections


def _actions(pm: Postmortem) -> Section:
    if not pm.actions:
        return Section("Actions taken", (Para("No rollback or retraining was requested."),))
    rows = tuple(
        (
            a.action,
            a.mode,
            a.status,
            a.target_version,
            when(a.requested_at),
            a.approved_by or "",
            when(a.executed_at),
            when(a.finished_at),
        )
        for a in pm.actions
    )
    head = (
        "action",
        "mode",
        "status",
        "target version",
        "requested",
        "approved by",
        "executed",
        "finished",
    )
    return Section("Actions taken", (Table(head, rows),))


#: The sections left for the humans, each with what it should hold.
FOR_HUMANS = (
    ("Root cause", "To fill in: what changed, and why it was not caught earlier."),
    ("Lessons learned", "To fill in: what went well, what went badly, where we were lucky."),
    ("Action items", "To fill in: one row per item, with an owner and a due date."),
)


def build(pm: Postmortem, charts: list[Chart], report: Attachment | None = None) -> Document:
    """The draft of ``pm``'s postmortem, with ``charts`` of its triggering signals."""
    i = pm.incident
    sections = [
        _header(pm),
        _impact(pm),
        _response(pm),
        _timeline(pm),
        *_evidence(pm, charts, report),
        _actions(pm),
    ]
    sections += [Section(title, (Para(hint, emphasis=True),)) for title, hint in FOR_HUMANS]
    return Document(
        title=f"Postmortem (draft): incident #{i.id}: {i.title}",
        byline=f"Drafted by Vigil from the incident's record at {when(pm.now)}.",
        sections=tuple(sections),
    )

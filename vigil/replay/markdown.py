"""``vigil replay --format md``: the timeline as a summary a person reads before paging is on."""

from __future__ import annotations

from typing import Any


def _table(title: str, counts: dict[str, int]) -> list[str]:
    if not counts:
        return [f"**{title}:** none", ""]
    lines = [f"**{title}**", "", "| | pages |", "| --- | ---: |"]
    lines += [f"| {name} | {count} |" for name, count in counts.items()]
    return [*lines, ""]


def render_markdown(document: dict[str, Any]) -> str:
    """A readable summary: totals, pages per receiver/model/alert, alerts, incidents, input."""
    run, summary, source = document["replay"], document["summary"], document["input"]
    lines = [
        "# Vigil replay",
        "",
        f"Simulated {run['start']} to {run['last_step']} in steps of {run['step']} "
        f"({run['steps']} steps); receivers {'called (--live)' if run['live'] else 'not called'}.",
        "",
        f"- **{summary['pages']} page(s)**, {summary['resolved_notifications']} resolved "
        f"notification(s); {summary['alerts']} alert(s); {summary['incidents']} incident(s); "
        f"{summary['actions']} action(s)",
        "",
    ]
    lines += _table("Pages per receiver", summary["pages_per_receiver"])
    lines += _table("Pages per model", summary["pages_per_model"])
    lines += _table("Pages per alert", summary["pages_per_alertname"])
    if document["alerts"]:
        lines += [
            "## Alerts",
            "",
            "| alert | model | started | ended |",
            "| --- | --- | --- | --- |",
        ]
        for alert in document["alerts"]:
            model = alert["labels"].get("model", "")
            ended = alert["ends_at"] or "still firing"
            lines.append(f"| {alert['alertname']} | {model} | {alert['starts_at']} | {ended} |")
        lines.append("")
    if document["incidents"]:
        lines += ["## Incidents", ""]
        for incident in document["incidents"]:
            lines.append(
                f"- #{incident['id']} [{incident['status']}] {incident['title']} "
                f"(opened {incident['opened_at']})"
            )
        lines.append("")
    decisions = document["actions"]["guard_decisions"]
    if document["actions"]["actions"] or decisions:
        lines += ["## Actions", ""]
        for action in document["actions"]["actions"]:
            lines.append(
                f"- {action['action']} of {action['model']} ({action['policy']}, "
                f"{action['mode']}): {action['status']} at {action['requested_at']}"
            )
        for decision in decisions:
            if decision["decision"] == "blocked":
                lines.append(
                    f"- held back at {decision['at']}: {decision['policy']} on "
                    f"{decision['alertname']} ({'; '.join(decision['reasons'])})"
                )
        lines.append("")
    lines += [
        "## Input",
        "",
        f"- events read: {source['events']}; unparseable lines: {source['unparseable']}",
        f"- accepted: {source['accepted']}; rejected by validation: {source['rejected']}",
        f"- out of order: {source['out_of_order']} (max lateness "
        f"{source['max_lateness_seconds']:g}s); later than the "
        f"{source['reorder_window_seconds']:g}s window: {source['late_beyond_window']}",
        f"- after --end: {source['after_end']}",
    ]
    for bad in source["unparseable_listed"][:20]:
        lines.append(f"  - {bad['where']}: {bad['reason']}")
    return "\n".join(lines) + "\n"

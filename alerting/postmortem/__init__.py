"""Postmortems that write their own first draft from an incident's record.

    gather.py     the store ─► Postmortem (incident, timeline, durations, alerts, signals,
                  impact, actions, notifications), as of ``now``
    facts.py      the records, and the pure functions that derive impact and drifted features
    charts.py     the triggering signals as PNG charts (matplotlib, loaded when drawing)
    document.py   Postmortem ─► a format-neutral document (what the draft says, once)
    render.py     document ─► Markdown (charts as files beside it) or self-contained HTML

:func:`draft` ties them together. Alerting may not import the detectors, so the Evidently
report of the incident window is made by the caller (``vigil postmortem``) and passed in as
an :class:`~alerting.postmortem.document.Attachment`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine

from alerting.postmortem.charts import Chart, charts
from alerting.postmortem.document import Attachment, build
from alerting.postmortem.facts import Postmortem
from alerting.postmortem.gather import gather
from alerting.postmortem.render import chart_file, to_html, to_markdown

Format = Literal["md", "html"]


@dataclass(frozen=True)
class Draft:
    """A rendered draft: its text and, for Markdown, the chart files to write beside it."""

    text: str
    files: dict[str, bytes]
    postmortem: Postmortem


def draft(
    engine: Engine,
    incident_id: int,
    now: datetime,
    fmt: Format = "md",
    stem: str = "postmortem",
    attach: Callable[[Postmortem], Attachment | None] | None = None,
) -> Draft:
    """The postmortem draft of ``incident_id`` in ``fmt``; chart files named after ``stem``.

    ``attach``, given the gathered facts (so it knows the incident window), returns the
    Evidently report to link, or None.
    """
    pm = gather(engine, incident_id, now)
    drawn: list[Chart] = charts(pm.series, pm.incident.opened_at)
    doc = build(pm, drawn, attach(pm) if attach is not None else None)
    if fmt == "html":
        return Draft(to_html(doc), {}, pm)
    files = {chart_file(stem, c.slug): c.png for c in drawn}
    return Draft(to_markdown(doc, stem), files, pm)


__all__ = ["Attachment", "Draft", "Format", "Postmortem", "draft", "gather"]

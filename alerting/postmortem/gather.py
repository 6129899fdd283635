"""Gathering an incident's record from the store into a :class:`Postmortem`.

Reads the incident, its timeline and durations (:func:`alerting.incident_ops.view`), the
alerts that joined it, the signals of the model around it, the predictions in its window,
its actions and the notifications of its alert group; derives the rest with the pure
functions of :mod:`alerting.postmortem.facts`. ``now`` ends the window of an open incident.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from alerting.incident_ops import view
from alerting.postmortem.facts import (
    FAIRNESS,
    SLO,
    Impact,
    Postmortem,
    budget_use,
    drifted_features,
    first_breach_start,
    group_harm,
    series_of,
    triggering_subjects,
)
from store.incident_evidence import (
    actions_of_incident,
    notifications_of_group,
    predictions_between,
    signals_between,
)
from store.incident_inputs import alert_id_of, alerts_by_id
from store.records import StoredSignal

#: How far before the incident opened the charts (and the search for the first breach) reach.
CONTEXT = timedelta(hours=6)


def gather(engine: Engine, incident_id: int, now: datetime) -> Postmortem:
    """Everything the draft of ``incident_id``'s postmortem states, as of ``now``.

    Raises :class:`~alerting.errors.IncidentNotFoundError` for an unknown id.
    """
    seen = view(engine, incident_id)
    incident = seen.incident
    ids = [alert_id_of(e.source or "") for e in seen.events if e.kind == "alert_fired"]
    by_id = alerts_by_id(engine, [i for i in ids if i is not None])
    alerts = tuple(by_id[i] for i in sorted(by_id))
    end = incident.resolved_at or now
    signals: list[StoredSignal] = []
    if incident.model is not None:
        signals = signals_between(engine, incident.model, incident.opened_at - CONTEXT, end)
    series = series_of(signals, triggering_subjects(alerts))
    start = first_breach_start(series, signals) or incident.opened_at
    in_window = [s.signal for s in signals if s.signal.window_end >= start]
    predictions = 0
    if incident.model is not None:
        predictions = predictions_between(engine, incident.model, start, end)
    return Postmortem(
        incident=incident,
        durations=seen.durations,
        timeline=tuple(seen.events),
        alerts=alerts,
        series=tuple(series),
        drifted=tuple(drifted_features(in_window)),
        impact=Impact(
            start=start,
            end=end,
            ongoing=incident.resolved_at is None,
            predictions=predictions,
            budgets=tuple(budget_use(s for s in in_window if s.detector == SLO)),
            groups=tuple(group_harm(s for s in in_window if s.detector == FAIRNESS)),
        ),
        actions=tuple(actions_of_incident(engine, incident_id)),
        notifications=tuple(notifications_of_group(engine, incident.group_key)),
        now=now,
    )

"""What the guards of a policy need from the store, gathered into a :class:`History`.

The guards themselves are pure (:mod:`alerting.action_guards`); this module reads: past
actions on the model (cooldown, daily cap), and, only for the guards a policy sets, stored
signals:

* ``confirm.burn_rate_windows``: the SLO signals behind the alert's subjects (same subject
  and window end as carried on the alert), with their details;
* ``confirm.windows``: each subject's statuses of ``detector`` over ``lookback``, up to
  ``now`` (the alert's breaching subjects when it names them);
* ``target_healthy``: the model's signals of the watched detectors over ``lookback``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Engine

from alerting.action_guards import (
    DAY,
    Check,
    History,
    SignalStatus,
    burn_windows_check,
    k_of_m_check,
    target_health_check,
)
from alerting.config.actions import (
    ActionPolicy,
    Confirmation,
    TargetHealth,
    WindowConfirmation,
)
from store.actions import count_since, last_requested
from store.alerts import AlertRecord
from store.signal_history import signal_points
from store.signals import signal_history

#: The detector whose signals carry burn-rate windows.
SLO_DETECTOR = "slo"


def _subjects(alert: AlertRecord) -> list[tuple[str, str | None]]:
    found = []
    for s in alert.annotations.get("subjects", []):
        if isinstance(s, dict) and isinstance(s.get("subject"), str):
            end = s.get("window_end")
            found.append((s["subject"], end if isinstance(end, str) else None))
    return found


def _burn_windows(engine: Engine, alert: AlertRecord, now: datetime) -> Check:
    subjects = _subjects(alert)
    ends = [datetime.fromisoformat(e) for _, e in subjects if e is not None]
    if not subjects or not ends:
        return Check(False, "the alert names no SLO signal")
    stored = signal_history(engine, alert.labels["model"], SLO_DETECTOR, since=min(ends))
    wanted = {(name, datetime.fromisoformat(end)) for name, end in subjects if end is not None}
    checks = [
        burn_windows_check(s.signal.details)
        for s in stored
        if (s.signal.subject, s.signal.window_end) in wanted and s.signal.window_end <= now
    ]
    if not checks:
        return Check(False, "no stored SLO signal for the alert's subjects")
    return next((c for c in checks if c.ok), checks[0])


def _windows(engine: Engine, spec: WindowConfirmation, alert: AlertRecord, now: datetime) -> Check:
    points = signal_points(engine, alert.labels["model"], spec.detector, now - spec.lookback)
    named = {name for name, _ in _subjects(alert)}
    statuses: dict[str, list[str]] = defaultdict(list)
    for p in points:  # oldest first
        if p.window_end <= now and (not named or p.subject in named):
            statuses[p.subject].append(p.status)
    return k_of_m_check(statuses, spec.k, spec.m)


def confirmation(engine: Engine, confirm: Confirmation, alert: AlertRecord, now: datetime) -> Check:
    """Every part of ``confirm`` checked; the first that fails decides."""
    checks = []
    if confirm.burn_rate_windows:
        checks.append(_burn_windows(engine, alert, now))
    if confirm.windows is not None:
        checks.append(_windows(engine, confirm.windows, alert, now))
    failed = [c for c in checks if not c.ok]
    if failed:
        return failed[0]
    return Check(True, "; ".join(c.reason for c in checks))


def target_health(engine: Engine, spec: TargetHealth, alert: AlertRecord, now: datetime) -> Check:
    """Whether the version named by ``spec`` (or the alert's label) is healthy at ``now``."""
    version = spec.version or alert.labels.get(spec.version_label)
    model = alert.labels["model"]
    found = [
        SignalStatus(detector, p.subject, p.window_end, p.status)
        for detector in spec.detectors
        for p in signal_points(engine, model, detector, now - spec.lookback)
        if p.window_end <= now
    ]
    return target_health_check(version, found, spec.lookback)


def history_for(engine: Engine, policy: ActionPolicy, alert: AlertRecord, now: datetime) -> History:
    """Everything :func:`alerting.action_guards.blocked_by` needs about ``alert`` at ``now``."""
    model = alert.labels["model"]
    return History(
        last_requested(engine, model),
        count_since(engine, model, now - DAY),
        confirmed=(confirmation(engine, policy.confirm, alert, now) if policy.confirm else None),
        target_healthy=(
            target_health(engine, policy.target_healthy, alert, now)
            if policy.target_healthy
            else None
        ),
    )

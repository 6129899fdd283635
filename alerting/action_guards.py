"""The guards of an action policy, as pure functions of the alert, the history and ``now``.

A policy applies to an alert its matchers match. It may then act only if every guard
passes; :func:`blocked_by` returns the reasons it may not (empty: go ahead):

* severity: the alert's ``severity`` label is at least ``min_severity``;
* sample size: the largest ``sample_size`` among the alert's breaching subjects (from the
  signal details carried on its annotations) is at least ``min_sample_size``;
* confirmation: the alert has been firing for at least ``for``;
* cooldown: no counted action on the model was requested within ``cooldown``;
* daily cap: fewer than ``max_per_day`` counted actions on the model in the last 24 hours;
* confirmation (``confirm``): for an SLO alert, both the long and the short window of the
  triggering signal burn above the alert's factor (:func:`burn_windows_check`); for drift
  and the like, a subject breached in at least ``k`` of its last ``m`` windows
  (:func:`k_of_m_check`);
* target health (``target_healthy``): the version the action goes back to has recent
  signals of its own and none of them breaches (:func:`target_health_check`); without data
  the guard blocks, saying so.

The last two need stored signals: :mod:`alerting.action_evidence` reads them into the
:class:`History` as :class:`Check` results. A guard whose check was not gathered blocks
(fails closed). ``for`` is a wait, not a verdict: :func:`waiting` tells the tick not to
record such a block on the timeline.

Idempotency (one action per incident, action and target version) is not a guard here: the
store enforces it with a unique constraint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from alerting.config.actions import ActionPolicy
from alerting.incidents import SEVERITIES
from alerting.matchers import matches_all, parse_all
from store.alerts import AlertRecord

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Check:
    """The outcome of a guard that looks at stored signals, and what it found."""

    ok: bool
    reason: str


@dataclass(frozen=True)
class History:
    """What the store says about past actions on the alert's model, and about its signals.

    ``confirmed`` and ``target_healthy`` are None when they were not gathered.
    """

    last_requested: datetime | None
    in_last_day: int
    confirmed: Check | None = None
    target_healthy: Check | None = None


@dataclass(frozen=True)
class SignalStatus:
    """One stored signal, as the signal guards need it."""

    detector: str
    subject: str
    window_end: datetime
    status: str


def _burn(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def burn_windows_check(details: Mapping[str, Any]) -> Check:
    """Whether an SLO signal's page alert burns above its factor over both its windows.

    ``details`` are the signal's (``alerts``: each alert's ``severity``, ``factor``,
    ``long_window``, ``short_window``; ``burn_rates`` by window). As the SLO alert itself,
    both windows must have data and burn strictly above the factor.
    """
    alerts = details.get("alerts")
    burns = details.get("burn_rates")
    if not isinstance(alerts, Mapping) or not isinstance(burns, Mapping):
        return Check(False, "the signal has no burn-rate windows")
    seen = []
    for name, alert in sorted(alerts.items()):
        if not isinstance(alert, Mapping) or alert.get("severity") != "page":
            continue
        factor = _burn(alert.get("factor"))
        long_name, short_name = str(alert.get("long_window")), str(alert.get("short_window"))
        long_burn, short_burn = _burn(burns.get(long_name)), _burn(burns.get(short_name))
        text = f"{name}: {long_name} {long_burn} and {short_name} {short_burn} vs factor {factor}"
        if factor is None or long_burn is None or short_burn is None:
            seen.append(text)
            continue
        if long_burn > factor and short_burn > factor:
            return Check(True, text)
        seen.append(text)
    if not seen:
        return Check(False, "the signal has no page burn-rate alert")
    return Check(False, "not above the factor over both windows (" + "; ".join(seen) + ")")


def k_of_m_check(statuses: Mapping[str, Sequence[str]], k: int, m: int) -> Check:
    """Whether some subject breached in at least ``k`` of its last ``m`` windows.

    ``statuses`` are each subject's signal statuses, oldest first.
    """
    counts = {
        subject: sum(1 for s in list(found)[-m:] if s == "breach")
        for subject, found in statuses.items()
    }
    if not counts:
        return Check(False, "no signals in the lookback")
    best = max(sorted(counts), key=lambda subject: counts[subject])
    text = f"{best} breached in {counts[best]} of its last {min(m, len(statuses[best]))} windows"
    if counts[best] >= k:
        return Check(True, text)
    return Check(False, f"fewer than {k} of {m} windows breached (best: {text})")


def of_version(subject: str, version: str) -> bool:
    """Whether a signal's subject is about ``version`` (a ``version=`` or ``variant=`` part)."""
    return any(part in (f"version={version}", f"variant={version}") for part in subject.split("/"))


def target_health_check(
    version: str | None, signals: Sequence[SignalStatus], lookback: timedelta
) -> Check:
    """Whether ``version`` is healthy by its own signals: some data, and no breach.

    ``signals`` are the model's recent signals of the watched detectors (within ``lookback``).
    """
    if version is None:
        return Check(False, "the target version is unknown")
    own = [s for s in signals if of_version(s.subject, version)]
    breaches = sorted((s for s in own if s.status == "breach"), key=lambda s: s.window_end)
    if breaches:
        last = breaches[-1]
        return Check(
            False,
            f"version {version} has {len(breaches)} breaching signal(s), last"
            f" {last.detector} {last.subject} at {last.window_end.isoformat()}",
        )
    if not any(s.status == "ok" for s in own):
        return Check(False, f"no data: no signals of version {version} in the last {lookback}")
    return Check(True, f"version {version}: {len(own)} signals, no breach")


def applies(policy: ActionPolicy, alert: AlertRecord) -> bool:
    """Whether the policy's matchers match the alert and it names a model."""
    return "model" in alert.labels and matches_all(parse_all(policy.matchers), alert.labels)


def sample_size(alert: AlertRecord) -> int | None:
    """The largest ``sample_size`` among the alert's subjects; None when none is given."""
    sizes = [
        s["sample_size"]
        for s in alert.annotations.get("subjects", [])
        if isinstance(s, dict) and isinstance(s.get("sample_size"), int)
    ]
    return max(sizes) if sizes else None


def target_version(alert: AlertRecord) -> str:
    """The model version the action is about: the alert's ``version`` label, or ``current``."""
    return alert.labels.get("version") or "current"


def blocked_by(
    policy: ActionPolicy, alert: AlertRecord, history: History, now: datetime
) -> list[str]:
    """Why the policy may not act on the alert now; empty when every guard passes."""
    reasons = []
    severity = alert.labels.get("severity", "warning")
    rank = SEVERITIES.index(severity) if severity in SEVERITIES else -1
    if rank < SEVERITIES.index(policy.min_severity):
        reasons.append(f"severity {severity} is below {policy.min_severity}")
    size = sample_size(alert)
    if policy.min_sample_size and (size is None or size < policy.min_sample_size):
        reasons.append(f"sample size {size} is below {policy.min_sample_size}")
    if now - alert.starts_at < policy.for_:
        reasons.append(f"firing for less than {policy.for_}")
    if history.last_requested is not None and now - history.last_requested < policy.cooldown:
        reasons.append(f"cooldown: last action at {history.last_requested.isoformat()}")
    if history.in_last_day >= policy.max_per_day:
        reasons.append(f"daily cap of {policy.max_per_day} reached")
    if policy.confirm is not None:
        confirmed = history.confirmed
        if confirmed is None:
            reasons.append("not confirmed: the signal history was not checked")
        elif not confirmed.ok:
            reasons.append(f"not confirmed: {confirmed.reason}")
    if policy.target_healthy is not None:
        healthy = history.target_healthy
        if healthy is None:
            reasons.append("target version not checked")
        elif not healthy.ok:
            reasons.append(f"target version not healthy: {healthy.reason}")
    return reasons


def waiting(policy: ActionPolicy, alert: AlertRecord, now: datetime) -> bool:
    """Whether the alert has not yet fired for the policy's ``for`` (a wait, not a block)."""
    return now - alert.starts_at < policy.for_

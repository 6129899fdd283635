"""The dedup stage against the notification log, case by case (Alertmanager's needsUpdate)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerting.dedup import needs_update
from store.alert_groups import LogEntry

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
REPEAT = timedelta(hours=4)


def entry(firing: set[str], resolved: set[str], hours_ago: float = 1) -> LogEntry:
    return LogEntry(
        "g",
        "oncall",
        "slack[0]",
        frozenset(firing),
        frozenset(resolved),
        NOW - timedelta(hours=hours_ago),
    )


@pytest.mark.parametrize(
    ("logged", "firing", "resolved", "send_resolved", "reason"),
    [
        pytest.param(None, {"a"}, set(), True, "first", id="never notified and something fires"),
        pytest.param(None, set(), {"a"}, True, None, id="never notified and only resolutions"),
        pytest.param(
            entry({"a"}, set()), {"a", "b"}, set(), True, "new_firing", id="a new alert fires"
        ),
        pytest.param(
            entry({"a", "b"}, set()), {"a"}, {"b"}, True, "new_resolved", id="one resolved"
        ),
        pytest.param(
            entry({"a", "b"}, set()),
            {"a"},
            {"b"},
            False,
            None,
            id="one resolved, but the integration does not want resolutions",
        ),
        pytest.param(
            entry({"a"}, set()),
            set(),
            {"a"},
            False,
            "all_resolved",
            id="all resolved is logged even without send_resolved",
        ),
        pytest.param(
            entry(set(), {"a"}), set(), {"a"}, True, None, id="the resolution was already sent"
        ),
        pytest.param(entry({"a"}, set()), {"a"}, set(), True, None, id="nothing changed"),
        pytest.param(
            entry({"a"}, set(), hours_ago=4.01),
            {"a"},
            set(),
            True,
            "repeat",
            id="nothing changed for longer than repeat_interval",
        ),
        pytest.param(
            entry({"a"}, set(), hours_ago=4),
            {"a"},
            set(),
            True,
            None,
            id="exactly repeat_interval ago is not yet a repeat",
        ),
    ],
)
def test_needs_update(
    logged: LogEntry | None,
    firing: set[str],
    resolved: set[str],
    send_resolved: bool,
    reason: str | None,
) -> None:
    got = needs_update(logged, frozenset(firing), frozenset(resolved), send_resolved, REPEAT, NOW)
    assert got == reason

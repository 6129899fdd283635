"""Fixtures of the alerting tests: a local Slack server and a way to store drift signals."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime

import pytest
from alert_signals import WriteDrift, drift_signals
from sqlalchemy import Engine

from store.signals import write_signals
from vigil.demo.slack_sink import SlackTestServer


@pytest.fixture
def slack_server() -> Iterator[SlackTestServer]:
    with SlackTestServer() as server:
        yield server


@pytest.fixture
def write_drift() -> WriteDrift:
    def write(
        engine: Engine,
        window_end: datetime,
        values: Mapping[str, float],
        model: str = "credit-risk",
    ) -> None:
        write_signals(engine, drift_signals(window_end, values, model), window_end)

    return write

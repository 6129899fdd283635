"""The whole loop, as `vigil demo` runs it: traffic through the real HTTP API, a shift, the
drift detector, the rule, the router, a real Slack client paging a local Slack server, the log
receiver. On SQLite (the demo's default) and on PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from store.db import create_store_engine
from vigil.demo.run import simulate


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    if request.param == "sqlite":
        return None
    url = request.getfixturevalue("postgres_server_url")
    engine = create_store_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def test_the_shift_pages_slack_once_with_the_drifted_features_and_the_runbook(
    tmp_path: Path, database_url: str | None
) -> None:
    result = simulate(tmp_path, hours=12, echo=False, database_url=database_url)

    assert result.predictions_sent == result.predictions_stored == 12 * 12 * 120
    assert result.labels_stored > 0

    # Exactly one page, after the shift (not before: no false alarm on stationary traffic).
    assert len(result.slack_messages) == 1
    assert result.first_alert_at is not None and result.shift_at is not None
    assert result.shift_at < result.first_alert_at <= result.shift_at.replace(minute=30)

    message = result.slack_messages[0]
    assert message["channel"] == "#ml-oncall"
    rendered = message["text"] + str(message["blocks"])
    assert "FeatureDrift" in rendered and "credit-risk" in rendered
    assert "income" in rendered and "purpose" in rendered
    for stable in ("age", "employment"):
        assert f"`{stable}`" not in rendered
    runbook = (tmp_path / "runbooks" / "feature-drift.md").resolve().as_uri()
    assert runbook in message["text"]

    # The same alert, through `continue`, also reached the log receiver.
    assert [line["kind"] for line in result.alert_log_lines] == ["firing"]
    firing = [a for a in result.alerts if a["status"] == "firing"]
    assert [a["alertname"] for a in firing] == ["FeatureDrift"]
    assert firing[0]["annotations"]["runbook_url"] == runbook

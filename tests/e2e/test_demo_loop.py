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


def test_the_shift_pages_slack_with_the_drifted_features_and_the_runbook(
    tmp_path: Path, database_url: str | None
) -> None:
    result = simulate(tmp_path, hours=12, echo=False, database_url=database_url)

    assert result.predictions_sent == result.predictions_stored == 12 * 12 * 120
    assert result.labels_stored > 0

    # One page per problem, after the shift (none before: no false alarm on stationary
    # traffic): the drift of income and purpose, and income out of the reference's range.
    assert result.first_alert_at is not None and result.shift_at is not None
    assert result.shift_at < result.first_alert_at <= result.shift_at.replace(minute=30)
    by_alert = {}
    for message in result.slack_messages:
        assert message["channel"] == "#ml-oncall"
        name = "FeatureDrift" if "FeatureDrift" in message["text"] else "DataQualityDegraded"
        by_alert.setdefault(name, []).append(message["text"] + str(message["blocks"]))
    assert sorted(by_alert) == ["DataQualityDegraded", "FeatureDrift"]
    assert all(len(pages) == 1 for pages in by_alert.values())

    drift = by_alert["FeatureDrift"][0]
    assert "credit-risk" in drift and "income" in drift and "purpose" in drift
    for stable in ("age", "employment"):
        assert f"`{stable}`" not in drift
    runbook = (tmp_path / "runbooks" / "feature-drift.md").resolve().as_uri()
    assert runbook in drift
    assert "out_of_range:income" in by_alert["DataQualityDegraded"][0]

    # The same alerts, through `continue`, also reached the log receiver.
    assert [line["kind"] for line in result.alert_log_lines] == ["firing", "firing"]
    firing = {a["alertname"]: a for a in result.alerts if a["status"] == "firing"}
    assert sorted(firing) == ["DataQualityDegraded", "FeatureDrift"]
    assert firing["FeatureDrift"]["annotations"]["runbook_url"] == runbook

    # One incident per problem, although each alert reached two receivers' groups.
    assert sorted(i["title"].split(":")[0] for i in result.incidents) == [
        "Data quality on credit-risk",
        "Input drift on credit-risk",
    ]
    assert {i["status"] for i in result.incidents} == {"triggered"}

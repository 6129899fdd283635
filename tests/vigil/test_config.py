"""Config loading: every good example loads; every bad one fails with its YAML path and reason.

Each file in ``config/bad`` starts with ``# expect: <text>``; the error must contain it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vigil.config import load_config, parse_config
from vigil.errors import ConfigError

HERE = Path(__file__).parent / "config"
GOOD = sorted((HERE / "good").glob("*.yaml"))
BAD = sorted((HERE / "bad").glob("*.yaml"))


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_good_configs_load(path: Path) -> None:
    config = load_config(path)
    assert config.version == "vigil/v1"


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_configs_fail_at_load_with_the_yaml_path(path: Path, monkeypatch) -> None:
    monkeypatch.delenv("VIGIL_TEST_UNSET_TOKEN", raising=False)
    expected = path.read_text().splitlines()[0].removeprefix("# expect: ")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert expected in str(raised.value)
    assert str(path) in str(raised.value)


def test_the_example_config_is_complete_and_valid(monkeypatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    config = load_config(Path(__file__).parents[2] / "examples" / "vigil.yaml")
    assert [m.name for m in config.models] == ["credit-risk"]
    assert (
        config.alerting.receiver("ml-oncall-slack").slack_configs[0].token.get_secret_value()
        == "xoxb-test"
    )
    assert config.runbook_url("feature-drift").endswith("/runbooks/feature-drift.md")


def test_environment_references_are_substituted_with_defaults(monkeypatch) -> None:
    monkeypatch.setenv("VIGIL_DB", "sqlite:///from-env.db")
    config = parse_config("storage: {url: '${VIGIL_DB}'}\ncollector: {host: '${HOST:-0.0.0.0}'}")
    assert config.storage.url == "sqlite:///from-env.db"
    assert config.collector.host == "0.0.0.0"


def test_api_keys_are_kept_only_as_hashes() -> None:
    config = parse_config("collector: {api_keys: [{name: a, key: 0123456789abcdef-secret}]}")
    key = config.collector.api_keys[0]
    assert "0123456789abcdef-secret" not in repr(config)
    assert len(key.digest) == 64


@pytest.mark.parametrize(
    ("labels", "receivers"),
    [
        pytest.param(
            {"alertname": "FeatureDrift", "team": "credit-decisioning", "severity": "warning"},
            ["audit-log", "ml-oncall-slack"],
            id="a warning is logged and posted to the team's Slack",
        ),
        pytest.param(
            {
                "alertname": "SLOErrorBudgetBurn",
                "team": "credit-decisioning",
                "severity": "critical",
            },
            ["audit-log", "pagerduty-ml", "ml-oncall-slack"],
            id="a critical alert also pages PagerDuty",
        ),
        pytest.param(
            {"alertname": "FeatureDrift", "team": "fraud", "severity": "warning"},
            ["audit-log"],
            id="another team's alert is only logged by this example",
        ),
    ],
)
def test_the_example_routes_alerts_as_its_comments_say(monkeypatch, labels, receivers) -> None:
    from alerting.routes_test import matched_receivers

    config = load_config(Path(__file__).parents[2] / "examples" / "vigil.yaml")
    assert matched_receivers(config.alerting, labels) == receivers

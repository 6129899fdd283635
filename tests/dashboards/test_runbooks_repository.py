"""The repository's runbooks: valid, and covering every alert Vigil can raise and configures.

Also runs ``vigil runbooks lint`` (through :func:`vigil.runbooks_cli.add_runbooks_command`) on
the example config, on the demo's config, and on a config with a rule nobody wrote a runbook for.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from dashboards.runbook_catalog import load_catalog
from dashboards.runbook_lint import RuleRef, lint
from vigil.demo.config_template import DEMO_CONFIG
from vigil.runbooks_cli import add_runbooks_command

ROOT = Path(__file__).resolve().parents[2]
RUNBOOKS = ROOT / "runbooks"
EXAMPLE_CONFIG = ROOT / "examples" / "vigil.yaml"

#: Every alert Vigil can raise (issue #9); each needs a runbook listing it.
ALERTS = (
    "FeatureDrift",
    "PredictionDrift",
    "MultivariateDrift",
    "EmbeddingDrift",
    "LabelsOrphaned",
    "SLOErrorBudgetBurn",
    "SLOErrorBudgetSlowBurn",
    "DataQualityDegraded",
    "PipelineStale",
    "PipelineRunFailed",
    "ModelPerformanceDrop",
    "EstimatedPerformanceDrop",
    "FairnessViolation",
    "SLONoData",
    "ModelNoData",
    "IngestionStalled",
    "SpoolBacklog",
    "VigilNotificationFailing",
    "ActionFailed",
)


def _lint(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="vigil")
    add_runbooks_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["runbooks", "lint", *argv])
    return int(args.handler(args))


def test_every_runbook_in_the_repository_is_valid() -> None:
    catalog = load_catalog([RUNBOOKS])
    assert catalog.problems == ()
    assert len(catalog.runbooks) == len(list(RUNBOOKS.glob("*.md")))


@pytest.mark.parametrize("alert", ALERTS)
def test_every_alert_vigil_can_raise_has_a_runbook(alert: str) -> None:
    catalog = load_catalog([RUNBOOKS])
    assert lint(catalog, [RuleRef("ALERTS", alert)]) == []


def test_the_example_config_passes_runbook_lint(capsys: pytest.CaptureFixture[str]) -> None:
    assert _lint("--config", str(EXAMPLE_CONFIG)) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_the_demo_config_passes_runbook_lint(tmp_path: Path) -> None:
    reference = tmp_path / "reference.csv"
    reference.write_text("income\n1\n")
    config = tmp_path / "vigil.yaml"
    config.write_text(
        DEMO_CONFIG.format(
            database_url=f"sqlite:///{tmp_path / 'demo.db'}",
            api_key="k" * 24,
            reference_path=reference,
            runbooks_dir=RUNBOOKS,
            slack_url="http://127.0.0.1:9/",
            alert_log=tmp_path / "alerts.jsonl",
        )
    )
    assert _lint("--config", str(config)) == 0


def test_lint_fails_naming_the_rule_without_a_runbook_and_the_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "broken.md").write_text("---\nalerts: [X]\n---\n")
    text = (
        EXAMPLE_CONFIG.read_text()
        .replace("runbooks_dir: ../runbooks", f"runbooks_dir: {RUNBOOKS}")
        .replace("path: data/", f"path: {EXAMPLE_CONFIG.parent / 'data'}/")
    )
    text = text.replace("alert: FeatureDrift", "alert: UnwrittenAlert").replace(
        "runbook: feature-drift", "runbook: slo-burn"
    )
    config = tmp_path / "vigil.yaml"
    config.write_text(text)
    assert _lint("--config", str(config), "--dir", str(extra)) == 1
    err = capsys.readouterr().err
    assert "alerting.rules[0]: runbook: no valid runbook slo-burn.md" in err
    assert f"{extra / 'broken.md'}: severity: Field required" in err


def test_lint_reports_an_invalid_config_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "vigil.yaml"
    config.write_text("version: vigil/v1\nunknown: 1\n")
    assert _lint("--config", str(config)) == 1
    assert "unknown" in capsys.readouterr().err

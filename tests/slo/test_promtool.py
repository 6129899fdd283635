"""Prometheus itself accepts the generated rules, and they page on Vigil's real series.

``promtool check rules`` validates every golden; ``promtool test rules`` replays six hours of
Vigil's counters, named and labelled exactly as the registry exposes them, through the rules
of a Vigil SLO: nothing fires while the model is healthy; half its requests failing for half
an hour fire the page and the ticket alerts, with Sloth's labels and annotations; and the
burn rate Prometheus records equals the one Vigil's own evaluator computes from the same counts.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from rule_cases import CASES, GOLDEN

from slo.config import SLOSpec
from slo.evaluate import evaluate, windows_needed
from slo.metrics import SLOMetrics, record_counts
from slo.prometheus import rule_groups
from slo.rules_file import render_rules
from slo.sli import EventCounts
from slo.sli_config import SLISpec
from slo.vigil_rules import ALERT_NAME, vigil_prom_slo

SLO = SLOSpec(
    name="credit-availability",
    model="credit",
    sli=SLISpec(kind="availability"),
    objective=99.9,
    window=timedelta(days=30),
)


def _run(promtool: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_promtool_accepts_every_golden_rules_file(promtool: str, case) -> None:
    result = _run(promtool, "check", "rules", str(GOLDEN / case.golden))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def _exposed_series() -> dict[str, str]:
    """The SLO's two counters as ``/metrics`` exposes them, as promtool series selectors."""
    registry = CollectorRegistry()
    metrics = SLOMetrics(registry)
    metrics.register(SLO.model, SLO.name)
    record_counts(metrics, SLO.model, SLO.name, EventCounts(good=1, total=1))
    series = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for sample in family.samples:
            if sample.name.endswith("_total"):
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                series[sample.name] = f"{sample.name}{{{labels}}}"
    return series


def _series_labels(window: str) -> str:
    """The labels of the SLO's recorded series for ``window``, as promtool prints them."""
    return (
        'model="credit", sloth_id="credit-credit-availability", sloth_service="credit", '
        f'sloth_slo="credit-availability", sloth_window="{window}"'
    )


def _alert(severity: str, level: str) -> dict[str, object]:
    return {
        "exp_labels": {
            "model": "credit",
            "slo": "credit-availability",
            "severity": level,
            "sloth_severity": severity,
            "sloth_id": "credit-credit-availability",
            "sloth_service": "credit",
            "sloth_slo": "credit-availability",
        },
        "exp_annotations": {
            "title": f"({severity}) credit credit-availability SLO error budget burn rate "
            "is too fast.",
            "summary": "credit credit-availability SLO error budget burn rate is over expected.",
        },
    }


def test_vigil_rules_page_on_vigils_own_counters(promtool: str, tmp_path: Path) -> None:
    rules = render_rules(rule_groups([vigil_prom_slo(SLO)]), "vigil.yaml", "dev")
    (tmp_path / "rules.yml").write_text(rules)
    series = _exposed_series()
    # 60 requests a minute for 6 hours; from minute 300 on, half of them fail.
    tests = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": series["vigil_slo_events_total"], "values": "0+60x360"},
                    {
                        "series": series["vigil_slo_good_events_total"],
                        "values": "0+60x300 18030+30x59",
                    },
                ],
                "alert_rule_test": [
                    {"eval_time": "290m", "alertname": ALERT_NAME, "exp_alerts": []},
                    {
                        "eval_time": "330m",
                        "alertname": ALERT_NAME,
                        "exp_alerts": [_alert("page", "critical"), _alert("ticket", "warning")],
                    },
                ],
                "promql_expr_test": [
                    {
                        # 50% errors over 5m on a 0.1% budget; Prometheus' float is 500.00000000006
                        "expr": "round(slo:current_burn_rate:ratio, 0.001)",
                        "eval_time": "330m",
                        "exp_samples": [{"labels": f"{{{_series_labels('5m')}}}", "value": 500}],
                    }
                ],
            }
        ],
    }
    (tmp_path / "tests.yml").write_text(yaml.safe_dump(tests, sort_keys=False))

    result = _run(promtool, "test", "rules", "tests.yml", cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr


def test_vigils_evaluator_reads_the_same_burn_rate_from_the_same_counts() -> None:
    """Over 5 minutes, 150 of 300 requests good: 50% errors on a 0.1% budget is 500x."""
    end = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    windows = SLO.windows()
    counts = {span: EventCounts(good=150, total=300) for span in windows_needed(SLO, windows)}
    signal = evaluate(SLO, windows, counts, end)
    assert signal.details["burn_rates"]["5m"] == pytest.approx(500)

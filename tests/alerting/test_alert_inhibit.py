"""Inhibition rules, after Alertmanager's inhibit_test.go."""

from __future__ import annotations

from typing import Any

import pytest

from alerting.config import InhibitRule
from alerting.inhibit import Inhibitor, compile_inhibit_rules

RULES = compile_inhibit_rules(
    [
        InhibitRule.model_validate(
            {
                "source_matchers": ['severity="critical"'],
                "target_matchers": ['severity="warning"'],
                "equal": ["model"],
            }
        ),
        InhibitRule.model_validate(
            {
                "source_match": {"alertname": "ModelDown"},
                "target_match_re": {"alertname": "Drift.*"},
            }
        ),
    ]
)
SYMMETRIC = compile_inhibit_rules(
    [
        InhibitRule.model_validate(
            {"source_matchers": ['kind="x"'], "target_matchers": ['kind="x"'], "equal": ["model"]}
        )
    ]
)


@pytest.mark.parametrize(
    ("firing", "target", "muted"),
    [
        pytest.param(
            [{"severity": "critical", "model": "a"}],
            {"severity": "warning", "model": "a"},
            True,
            id="a critical inhibits a warning on the same model",
        ),
        pytest.param(
            [{"severity": "critical", "model": "b"}],
            {"severity": "warning", "model": "a"},
            False,
            id="not on another model",
        ),
        pytest.param(
            [{"severity": "critical"}],
            {"severity": "warning"},
            True,
            id="an equal label missing on both sides counts as equal",
        ),
        pytest.param(
            [{"severity": "critical", "model": "a"}],
            {"severity": "critical", "model": "a"},
            False,
            id="a target the rule's target matchers do not match is never muted",
        ),
        pytest.param(
            [],
            {"severity": "warning", "model": "a"},
            False,
            id="no firing source, nothing is muted (resolved sources are not passed in)",
        ),
        pytest.param(
            [{"alertname": "ModelDown"}],
            {"alertname": "DriftHigh"},
            True,
            id="legacy source_match and target_match_re with no equal labels",
        ),
    ],
)
def test_inhibition(firing: list[dict[str, Any]], target: dict[str, str], muted: bool) -> None:
    assert Inhibitor(RULES, firing).mutes(target) is muted


def test_alerts_matching_both_sides_do_not_inhibit_each_other() -> None:
    one, two = {"kind": "x", "model": "a", "n": "1"}, {"kind": "x", "model": "a", "n": "2"}
    inhibitor = Inhibitor(SYMMETRIC, [one, two])
    assert not inhibitor.mutes(one) and not inhibitor.mutes(two)

"""What of a signal's details an alert carries as evidence."""

from __future__ import annotations

import math

import pytest

from alerting.rules import evidence


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        pytest.param(
            {
                "objective": 99.5,
                "severity": "page",
                "alert": "page-quick",
                "burn_rates": {"5m": 20.0, "1h": 15.5},
                "budget_remaining": 0.75,
                "events": {"5m": {"good": 10, "total": 12}},
            },
            {
                "objective": 99.5,
                "severity": "page",
                "alert": "page-quick",
                "burn_rates": {"5m": 20.0, "1h": 15.5},
                "budget_remaining": 0.75,
                "budget_consumed": 0.25,
            },
            id="an SLO burn carries its burn rate per window and the budget consumed",
        ),
        pytest.param(
            {"method": "ks", "p_value": 1e-9, "adjusted_p_value": 2e-9, "drifted": True},
            {"method": "ks", "p_value": 1e-9, "adjusted_p_value": 2e-9, "drifted": True},
            id="a drift test carries its method and p-values",
        ),
        pytest.param(
            {"statistic": math.inf, "top": [["a", 3]]},
            {"statistic": None},
            id="non-finite numbers become null and lists stay in the stored signal",
        ),
    ],
)
def test_evidence_keeps_the_facts_on_call_needs(details, expected) -> None:
    assert evidence(details) == expected

"""Generated Prometheus rules: equal to Sloth's goldens, and to our own golden files.

Against Sloth (``conformance/sloth``, verbatim copies of Sloth's ``examples/_gen``): the same
groups, rule names, label sets, annotations and ``for``, and expressions equal after
whitespace normalisation. Numbers are printed as Go prints them (``slo.promql``), so the
strings are equal; the thresholds and windows are also compared as numbers, so that a
formatting change could not hide a numeric one.

Against ``golden/*.rules.yml``: the exact text. ``VIGIL_UPDATE_GOLDEN=1`` rewrites them.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
import yaml
from rule_cases import CASES, GOLDEN, SLOTH, SLOTH_LABELS, RuleCase

from slo.openslo_import import load_openslo
from slo.prometheus import rule_groups
from slo.rules_file import render_rules
from slo.sloth_import import load_sloth

_THRESHOLD = re.compile(r"> \(([0-9.e+-]+) \* ([0-9.e+-]+)\)")
_RANGE = re.compile(r"\[([0-9a-z]+)\]")
_VECTOR = re.compile(r"vector\(([^)]*)\)")


def _normalised(doc: dict[str, Any]) -> dict[str, Any]:
    for group in doc["groups"]:
        for rule in group["rules"]:
            rule["expr"] = " ".join(rule["expr"].split())
    return doc


def _numbers(expr: str) -> tuple[list[tuple[float, float]], list[str], list[str]]:
    thresholds = [(float(a), float(b)) for a, b in _THRESHOLD.findall(expr)]
    return thresholds, _RANGE.findall(expr), _VECTOR.findall(expr)


SLOTH_PAIRS = [
    pytest.param(load_sloth, "getting-started", id="getting-started with page and ticket alerts"),
    pytest.param(load_sloth, "no-alerts", id="no-alerts with both alerts disabled"),
    pytest.param(load_openslo, "openslo-getting-started", id="OpenSLO v1alpha, recordings only"),
]


@pytest.mark.parametrize(("load", "name"), SLOTH_PAIRS)
def test_rules_equal_sloths_golden_structurally(load, name: str) -> None:
    source = SLOTH / f"{name}.input.yml"
    slos = load(source.read_text(), source.name)
    ours = yaml.safe_load(
        render_rules(rule_groups(slos, extra_labels=SLOTH_LABELS), source.name, "dev")
    )
    expected = yaml.safe_load((SLOTH / f"{name}.expected-rules.yml").read_text())

    assert [g["name"] for g in ours["groups"]] == [g["name"] for g in expected["groups"]]
    assert _normalised(ours) == _normalised(expected)


@pytest.mark.parametrize(("load", "name"), SLOTH_PAIRS)
def test_thresholds_and_windows_equal_sloths_as_numbers(load, name: str) -> None:
    source = SLOTH / f"{name}.input.yml"
    ours = rule_groups(load(source.read_text(), source.name))
    expected = yaml.safe_load((SLOTH / f"{name}.expected-rules.yml").read_text())["groups"]

    pairs = [
        (mine, theirs)
        for group, their_group in zip(ours, expected, strict=True)
        for mine, theirs in zip(group["rules"], their_group["rules"], strict=True)
    ]
    assert pairs
    for mine, theirs in pairs:
        assert _numbers(mine["expr"]) == _numbers(theirs["expr"])


def test_thresholds_are_the_workbook_factors_times_sloths_budget() -> None:
    source = SLOTH / "getting-started.input.yml"
    [slo] = load_sloth(source.read_text(), source.name)
    alerts = rule_groups([slo])[2]["rules"]
    factors = [[f for f, _ in _numbers(rule["expr"])[0]] for rule in alerts]
    budgets = {b for rule in alerts for _, b in _numbers(rule["expr"])[0]}

    assert factors == [[14.4, 14.4, 6.0, 6.0], [3.0, 3.0, 1.0, 1.0]]
    assert budgets == {(100 - 99.9) / 100}


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_rules_equal_their_golden_file(case: RuleCase) -> None:
    golden = GOLDEN / case.golden
    text = case.render()
    if os.environ.get("VIGIL_UPDATE_GOLDEN") == "1":
        golden.write_text(text)
    assert golden.is_file(), f"missing golden {golden.name}: run with VIGIL_UPDATE_GOLDEN=1"
    assert text == golden.read_text()

"""Checking that every alert rule has a runbook: a pure function of rules and a catalogue.

``vigil runbooks lint`` passes the rules of ``vigil.yaml``; the repository's own test passes
the alert names Vigil can raise. No Streamlit, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dashboards.runbook_catalog import Catalog, Problem


@dataclass(frozen=True, slots=True)
class RuleRef:
    """What lint needs of an alert rule: where it is, its alert name and its runbook file."""

    where: str
    alert: str
    runbook: str | None = None


def covering_runbook(catalog: Catalog, rule: RuleRef) -> str | None:
    """Name of the runbook for ``rule``: the one its ``runbook`` names, else one listing it."""
    if rule.runbook is not None and catalog.get(rule.runbook) is not None:
        return rule.runbook
    listed = catalog.covering(rule.alert)
    return None if listed is None else listed.name


def lint(catalog: Catalog, rules: Iterable[RuleRef]) -> list[Problem]:
    """The catalogue's own problems, then every rule no valid runbook covers."""
    problems = list(catalog.problems)
    for rule in rules:
        if covering_runbook(catalog, rule) is not None:
            continue
        named = f"no valid runbook {rule.runbook}.md and " if rule.runbook else ""
        problems.append(
            Problem(rule.where, "runbook", f"{named}no runbook lists {rule.alert} in `alerts`")
        )
    return problems

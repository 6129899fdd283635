"""Inhibition: a firing source alert mutes target alerts, as Alertmanager's ``inhibit`` does.

An alert is muted when some rule's target matchers match it and a *firing* alert matches
the rule's source matchers with the same values for every ``equal`` label (a label missing
on both sides is equal). When the alert matches the source side too, sources that also
match the target side are ignored, so two alerts cannot inhibit each other. Resolved
alerts inhibit nothing.

A pure function of label sets: the router builds an :class:`Inhibitor` from the firing
alerts of a tick and asks it about each alert of a group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from alerting.config import InhibitRule
from alerting.matchers import Matcher, matches_all

Labels = Mapping[str, str]


@dataclass(frozen=True)
class CompiledInhibitRule:
    """An inhibition rule with its matchers parsed once."""

    name: str
    sources: tuple[Matcher, ...]
    targets: tuple[Matcher, ...]
    equal: tuple[str, ...]

    @classmethod
    def compile(cls, rule: InhibitRule) -> CompiledInhibitRule:
        """Parse the legacy and the new-style matchers of ``rule``."""
        return cls(rule.name, rule.sources(), rule.targets(), rule.equal)

    def _equal(self, source: Labels, target: Labels) -> bool:
        return all(source.get(name, "") == target.get(name, "") for name in self.equal)

    def inhibits(self, target: Labels, firing: Sequence[Labels]) -> bool:
        """Whether a firing source alert mutes ``target`` under this rule."""
        if not matches_all(self.targets, target):
            return False
        two_sided = matches_all(self.sources, target)
        for source in firing:
            if not matches_all(self.sources, source) or not self._equal(source, target):
                continue
            if two_sided and matches_all(self.targets, source):
                continue
            return True
        return False


class Inhibitor:
    """Answers "is this alert inhibited?" against a fixed set of firing alerts."""

    def __init__(self, rules: Iterable[CompiledInhibitRule], firing: Iterable[Labels]) -> None:
        self.rules = tuple(rules)
        self.firing = [dict(labels) for labels in firing]

    def mutes(self, labels: Labels) -> bool:
        """Whether any rule inhibits an alert with these labels."""
        return any(rule.inhibits(labels, self.firing) for rule in self.rules)


def compile_inhibit_rules(rules: Iterable[InhibitRule]) -> tuple[CompiledInhibitRule, ...]:
    """Every rule of the config, compiled."""
    return tuple(CompiledInhibitRule.compile(rule) for rule in rules)

"""Label matchers in Alertmanager's syntax.

``name="value"``, ``name!="v"``, ``name=~"re"`` and ``name!~"re"``.

A matcher is a pure function of a label set. Regexes are anchored, as in Alertmanager.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Op = Literal["=", "!=", "=~", "!~"]

_MATCHER = re.compile(
    r"""^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>=~|!~|!=|=)\s*(?P<value>"(?:[^"\\]|\\.)*"|[^"\s]*)\s*$"""
)


@dataclass(frozen=True)
class Matcher:
    """One label condition."""

    name: str
    op: Op
    value: str

    def __post_init__(self) -> None:
        if self.op in ("=~", "!~"):
            try:
                re.compile(self.value)
            except re.error as exc:
                raise ValueError(f"invalid regex {self.value!r}: {exc}") from None

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.name, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        found = re.fullmatch(self.value, actual) is not None
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        return f'{self.name}{self.op}"{self.value}"'


def parse_matcher(text: str) -> Matcher:
    """Parse one matcher; raise ValueError naming what is wrong."""
    found = _MATCHER.match(text)
    if not found:
        raise ValueError(f'invalid matcher {text!r}: expected name="value" (or !=, =~, !~)')
    value = found.group("value")
    if value.startswith('"'):
        value = bytes(value[1:-1], "utf-8").decode("unicode_escape")
    return Matcher(found.group("name"), found.group("op"), value)  # type: ignore[arg-type]


def matches_all(matchers: tuple[Matcher, ...], labels: Mapping[str, str]) -> bool:
    """True when every matcher matches (an empty tuple matches everything)."""
    return all(m.matches(labels) for m in matchers)

"""Label matchers in Alertmanager's syntax.

``name="value"``, ``name!="v"``, ``name=~"re"`` and ``name!~"re"``; values may be unquoted
when they hold no space, comma, brace or quote (``env=prod``). One string may hold several
matchers, optionally in braces, as Alertmanager's ``matchers`` entries and silences do:
``{alertname="Drift", severity=~"warning|critical"}``.

A matcher is a pure function of a label set. Regexes are anchored, as in Alertmanager, and
a missing label matches as the empty string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Op = Literal["=", "!=", "=~", "!~"]

_MATCHER = re.compile(
    r"""\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>=~|!~|!=|=)\s*"""
    r"""(?P<value>"(?:[^"\\]|\\.)*"|[^"\s,{}]*)\s*"""
)
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


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
        """Whether the label set satisfies this condition."""
        actual = labels.get(self.name, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        found = re.fullmatch(self.value, actual) is not None
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'{self.name}{self.op}"{escaped}"'


def _unquote(value: str) -> str:
    if not value.startswith('"'):
        return value
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), value[1:-1])


def parse_matchers(text: str) -> tuple[Matcher, ...]:
    """Parse one or more comma-separated matchers, optionally in braces; raise ValueError."""
    body = text.strip()
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    found: list[Matcher] = []
    pos = 0
    while pos < len(body):
        match = _MATCHER.match(body, pos)
        if match is None:
            raise ValueError(f'invalid matcher {text!r}: expected name="value" (or !=, =~, !~)')
        op: Op = match.group("op")  # type: ignore[assignment]
        found.append(Matcher(match.group("name"), op, _unquote(match.group("value"))))
        pos = match.end()
        if pos < len(body):
            if body[pos] != ",":
                raise ValueError(f"invalid matcher {text!r}: separate matchers with ','")
            pos += 1
            if not body[pos:].strip():
                pos = len(body)
    if not found:
        raise ValueError(f"invalid matcher {text!r}: no matcher found")
    return tuple(found)


def parse_matcher(text: str) -> Matcher:
    """Parse exactly one matcher; raise ValueError naming what is wrong."""
    found = parse_matchers(text)
    if len(found) != 1:
        raise ValueError(f"invalid matcher {text!r}: expected one matcher, got {len(found)}")
    return found[0]


def parse_all(texts: Iterable[str]) -> tuple[Matcher, ...]:
    """Every matcher of a list of matcher strings (each may hold several)."""
    return tuple(m for text in texts for m in parse_matchers(text))


def matches_all(matchers: tuple[Matcher, ...], labels: Mapping[str, str]) -> bool:
    """True when every matcher matches (an empty tuple matches everything)."""
    return all(m.matches(labels) for m in matchers)

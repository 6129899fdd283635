"""``alerting.inhibit_rules[]``: while a source alert fires, matching target alerts are muted.

Alertmanager's syntax: ``source_matchers`` / ``target_matchers`` (and the legacy
``source_match``, ``source_match_re``, ``target_match``, ``target_match_re``), ``equal`` (the
labels whose values must be the same on both alerts; a label missing on both counts as
equal) and an optional ``name``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from alerting.config.labels import check_label_names, check_matchers, check_regexes, label_map
from alerting.matchers import Matcher, parse_all


def _combined(
    match: dict[str, str], match_re: dict[str, str], matchers: tuple[str, ...]
) -> tuple[Matcher, ...]:
    legacy = [Matcher(name, "=", value) for name, value in sorted(match.items())]
    legacy += [Matcher(name, "=~", value) for name, value in sorted(match_re.items())]
    return (*legacy, *parse_all(matchers))


class InhibitRule(BaseModel):
    """One inhibition rule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = ""
    source_matchers: tuple[str, ...] = ()
    target_matchers: tuple[str, ...] = ()
    source_match: dict[str, str] = Field(default_factory=dict)
    source_match_re: dict[str, str] = Field(default_factory=dict)
    target_match: dict[str, str] = Field(default_factory=dict)
    target_match_re: dict[str, str] = Field(default_factory=dict)
    equal: tuple[str, ...] = ()

    @field_validator(
        "source_match", "source_match_re", "target_match", "target_match_re", mode="before"
    )
    @classmethod
    def _strings(cls, value: Any) -> Any:
        return label_map(value)

    @field_validator("source_matchers", "target_matchers")
    @classmethod
    def _parse(cls, matchers: tuple[str, ...]) -> tuple[str, ...]:
        return check_matchers(matchers)

    @field_validator("source_match_re", "target_match_re")
    @classmethod
    def _regexes(cls, match_re: dict[str, str]) -> dict[str, str]:
        return check_regexes(match_re)

    @field_validator("equal", "source_match", "target_match")
    @classmethod
    def _names(cls, names: Any) -> Any:
        check_label_names(names)
        return names

    def sources(self) -> tuple[Matcher, ...]:
        """The matchers a source (inhibiting) alert satisfies."""
        return _combined(self.source_match, self.source_match_re, self.source_matchers)

    def targets(self) -> tuple[Matcher, ...]:
        """The matchers a target (inhibited) alert satisfies."""
        return _combined(self.target_match, self.target_match_re, self.target_matchers)

"""Validators shared by the routing and inhibition config: label maps, regexes, matchers.

Alertmanager's YAML allows ``match: {code: 500}``; label values are strings, so scalars are
turned into their text here, before pydantic's strict string check.
"""

from __future__ import annotations

import re
from typing import Any

from alerting.matchers import parse_matchers

LABEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def label_map(value: Any) -> Any:
    """``{name: scalar}`` with scalar values as strings (YAML ``500`` → ``"500"``)."""
    if not isinstance(value, dict):
        return value
    return {
        key: ("true" if item is True else "false" if item is False else str(item))
        if isinstance(item, int | float | bool)
        else item
        for key, item in value.items()
    }


def check_label_names(names: Any) -> None:
    """Raise ValueError for a label name Alertmanager would reject."""
    for name in names:
        if not LABEL_NAME.match(name):
            raise ValueError(f"invalid label name {name!r}")


def check_regexes(match_re: dict[str, str]) -> dict[str, str]:
    """Every value compiles as a regex; the error names the label."""
    check_label_names(match_re)
    for name, regex in match_re.items():
        try:
            re.compile(regex)
        except re.error as exc:
            raise ValueError(f"invalid regex for {name!r}: {exc}") from None
    return match_re


def check_matchers(matchers: tuple[str, ...]) -> tuple[str, ...]:
    """Every entry parses as one or more matchers."""
    for text in matchers:
        parse_matchers(text)
    return matchers

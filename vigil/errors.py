"""Errors of the top layer.

VigilError
└── ConfigError   vigil.yaml is unreadable or wrong; lists every mistake with its YAML path
"""

from __future__ import annotations


class VigilError(Exception):
    """Base class of the errors the CLI reports without a traceback."""


class ConfigError(VigilError):
    """The configuration is invalid. ``problems`` holds (yaml_path, reason) pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: invalid configuration"]
        lines += [f"  {path}: {reason}" for path, reason in problems]
        super().__init__("\n".join(lines))

"""The README and the CLI name the same commands: none undocumented, none imaginary."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from vigil.cli import build_parser

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands() -> set[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def test_every_command_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = sorted(c for c in _commands() if f"vigil {c}" not in text)
    assert missing == []


def test_every_command_the_readme_names_exists() -> None:
    text = README.read_text(encoding="utf-8")
    named = set(re.findall(r"`vigil ([a-z]+)", text)) | set(re.findall(r"vigil ([a-z]+) --", text))
    assert named - _commands() == set()

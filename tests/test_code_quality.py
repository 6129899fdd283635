"""Lint, format and types, as the test suite checks them (so CI proves them too)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PACKAGES = ["store", "collector", "detectors", "slo", "alerting", "dashboards", "vigil"]


def _run(*argv: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_ruff_finds_nothing_to_fix() -> None:
    result = _run(str(BIN / "ruff"), "check", *PACKAGES, "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted() -> None:
    result = _run(str(BIN / "ruff"), "format", "--check", *PACKAGES, "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_packages_type_check() -> None:
    result = _run(str(BIN / "mypy"), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr

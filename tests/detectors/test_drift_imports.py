"""Importing the detectors loads no heavy library: evidently never, scipy and pandas lazily."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_every_detector_module_loads_neither_evidently_nor_scipy_nor_pandas() -> None:
    probe = (
        "import sys\n"
        "import detectors, detectors.drift, detectors.jobs, detectors.reference\n"
        "import detectors.methods, detectors.errors, detectors.values\n"
        "import detectors.methods.choice, detectors.window_drift, detectors.decision\n"
        "import detectors.quality, detectors.quality_job, detectors.check\n"
        "import detectors.check_io, detectors.check_plan, detectors.check_report\n"
        "import vigil.check_cli\n"
        "loaded = [m for m in ('evidently', 'scipy', 'pandas') if m in sys.modules]\n"
        "print('LOADED=' + ','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "LOADED=\n" in result.stdout, result.stdout

"""Importing the performance, CBPE and fairness detectors loads no heavy library:
scikit-learn only when a CBPE reference is fitted, never scipy, pandas or fairlearn."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_performance_modules_loads_neither_sklearn_nor_scipy_nor_pandas() -> None:
    probe = (
        "import sys\n"
        "import detectors.config, detectors.metrics, detectors.intervals, detectors.performance\n"
        "import detectors.performance_job, detectors.cbpe, detectors.cbpe_reference\n"
        "import detectors.estimated_performance_job, detectors.fairness\n"
        "import detectors.fairness_job, store.labelled, store.signal_upsert\n"
        "heavy = ('sklearn', 'scipy', 'pandas', 'fairlearn')\n"
        "print('LOADED=' + ','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "LOADED=\n" in result.stdout, result.stdout

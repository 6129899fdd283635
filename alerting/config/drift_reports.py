"""``alerting.drift_reports``: links from drift alerts to Evidently's HTML report of their window.

.. code-block:: yaml

    alerting:
      api_base_url: https://vigil.example.com   # where on-call reaches Vigil's API
      drift_reports:
        cache_dir: .vigil/drift-reports          # rendered pages, relative to vigil.yaml
        max_files: 200                           # oldest pages are dropped past either bound
        max_bytes: 209715200

With ``api_base_url`` set, every alert of a drift-family detector carries a ``report_url``
annotation, ``GET {api_base_url}/v1/reports/drift?model=…&start=…&end=…``, which Slack and
PagerDuty show next to the runbook. Rendering a report takes seconds (Evidently), so the
endpoint keeps rendered pages on disk, bounded by count and total size.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

#: Detectors whose alerts link a drift report: their signals compare a window with the reference.
DRIFT_FAMILY: frozenset[str] = frozenset(
    {"drift", "prediction_drift", "multivariate_drift", "embedding_drift"}
)


class DriftReportsConfig(BaseModel):
    """Where the drift-report endpoint keeps rendered pages, and how many."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cache_dir: str = Field(
        default=".vigil/drift-reports", description="folder of rendered pages (relative to YAML)"
    )
    max_files: int = Field(default=200, ge=1, description="pages kept at most")
    max_bytes: int = Field(default=200 * 1024 * 1024, ge=1024, description="total size kept")

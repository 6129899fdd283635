"""The release gate: is a new dataset safe to ship against its reference? (``vigil check``)

Pure: planned columns with their data in (:mod:`detectors.check_plan`), a
:class:`CheckReport` out. Every column gets one verdict:

- ``fail``: its drift test drifted (effect size at or above the threshold and, for tests,
  Benjamini-Hochberg-adjusted p below ``alpha`` across the compared columns -- the same rule
  as the drift detector, without persistence), a quality check breached (missing values
  above the reference's, numbers outside its range, unseen categories; thresholds from
  the ``quality`` config), or the column is missing from the current file;
- ``pass``: compared, nothing failed;
- ``not_computable``: it should be compared but cannot be (a reason says why) and no
  quality check failed;
- ``skipped``: not compared on purpose (a date, an id, ignored, not a model feature).

The check fails when any column fails, when the current file repeats a ``request_id``, or
when no column at all could be compared: a gate that tested nothing has not passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from detectors import quality_checks as checks
from detectors.check_plan import PlannedColumn
from detectors.column_drift import ColumnDrift, column_drift
from detectors.config import DriftConfig, Persistence, QualityConfig
from detectors.quality_checks import Finding
from detectors.window_drift import ColumnOutcome, decide
from store.specs import FeatureType

Verdict = Literal["pass", "fail", "not_computable", "skipped"]
#: A one-off comparison: the current data decides alone.
ONE_WINDOW = Persistence(k=1, m=1)


@dataclass(frozen=True, slots=True)
class ColumnReport:
    """One column's outcome, as the JSON and Markdown reports list it."""

    name: str
    kind: FeatureType | None
    source: str
    verdict: Verdict
    reason: str | None = None
    drift: ColumnOutcome | None = None
    quality: tuple[Finding, ...] = ()
    reference_rows: int | None = None
    current_rows: int | None = None


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Every column's verdict, the dataset-wide findings and the overall verdict."""

    columns: tuple[ColumnReport, ...]
    dataset: tuple[Finding, ...]
    alpha: float

    @property
    def compared(self) -> int:
        return sum(c.drift is not None and c.drift.computable for c in self.columns)

    @property
    def passed(self) -> bool:
        failed = any(c.verdict == "fail" for c in self.columns)
        return not failed and self.compared > 0 and all(f.status != "breach" for f in self.dataset)

    def counts(self) -> dict[str, int]:
        found = {verdict: 0 for verdict in ("pass", "fail", "not_computable", "skipped")}
        for column in self.columns:
            found[column.verdict] += 1
        return found


def _quality(column: PlannedColumn, config: QualityConfig) -> tuple[Finding, ...]:
    ref, cur = column.reference, column.current
    if ref is None or cur is None:
        return ()
    ref_rate = ref.missing / ref.rows if ref.rows else 0.0
    found = [
        checks.missing_rate(
            column.name, cur.rows, cur.missing, ref_rate, config.missing_rate_increase
        )
    ]
    if column.kind == "numeric":
        ref_values = np.asarray(ref.values, dtype=np.float64)
        cur_values = np.asarray(cur.values, dtype=np.float64)
        found.append(
            checks.out_of_range(column.name, ref_values, cur_values, config.out_of_range_share)
        )
    elif column.kind in ("categorical", "boolean"):
        found.append(
            checks.unseen_categories(
                column.name, ref.values, cur.values, config.unseen_category_share, cur.labels
            )
        )
    return tuple(found)


def _verdict(
    column: PlannedColumn, outcome: ColumnOutcome | None, quality: tuple[Finding, ...]
) -> tuple[Verdict, str | None]:
    if column.skip is not None:
        return "skipped", column.skip
    if column.missing_from_current:
        return "fail", column.problem
    failed = [f.check for f in quality if f.status == "breach"]
    drifted = outcome is not None and outcome.verdict.drifted
    if drifted or failed:
        reasons = (["drift"] if drifted else []) + failed
        return "fail", "failed: " + ", ".join(reasons)
    if outcome is None or not outcome.computable:
        return "not_computable", column.problem or (outcome.drift.reason if outcome else None)
    return "pass", None


def _test(column: PlannedColumn, drift: DriftConfig) -> tuple[str, ColumnDrift]:
    assert column.kind is not None and column.reference is not None
    assert column.current is not None
    values = (column.reference.values, column.current.values)
    return column.name, column_drift(column.name, column.kind, *values, drift)


def _test_all(
    columns: Sequence[PlannedColumn], drift: DriftConfig, workers: int
) -> dict[str, ColumnDrift]:
    """Each comparable column's test; with ``workers > 1`` on that many threads (numpy sorts
    and reductions release the GIL, so columns are tested in parallel)."""
    comparable = [
        c
        for c in columns
        if c.kind is not None and c.reference is not None and c.current is not None
    ]
    if workers <= 1 or len(comparable) < 2:
        return dict(_test(c, drift) for c in comparable)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(lambda c: _test(c, drift), comparable))


def run_check(
    columns: Sequence[PlannedColumn],
    drift: DriftConfig,
    quality: QualityConfig,
    request_ids: NDArray[Any] | None = None,
    workers: int = 1,
) -> CheckReport:
    """Compare every planned column and judge the current data (see the module docstring).

    ``workers``: threads testing columns in parallel (the result does not depend on it).
    """
    outcomes = decide(_test_all(columns, drift, workers), drift, persistence=ONE_WINDOW)
    reports = []
    for column in columns:
        outcome = outcomes.get(column.name)
        found = _quality(column, quality)
        verdict, reason = _verdict(column, outcome, found)
        reports.append(
            ColumnReport(
                column.name, column.kind, column.source, verdict, reason, outcome, found,
                None if column.reference is None else column.reference.rows,
                None if column.current is None else column.current.rows,
            )
        )  # fmt: skip
    dataset = (
        ()
        if request_ids is None
        else (checks.duplicates(np.asarray(request_ids), quality.duplicate_share),)
    )
    return CheckReport(tuple(reports), dataset, drift.alpha)

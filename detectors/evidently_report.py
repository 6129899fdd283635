"""An Evidently 0.7 data-drift report of any window, as one self-contained HTML page.

Vigil computes drift itself (:mod:`detectors.drift`); this module is for the humans who
want Evidently's familiar per-column plots of a window on demand: ``vigil report drift``
writes one, and the postmortem of an incident attaches the report of its window.

Evidently (and pandas) are imported only inside :func:`drift_report_html`, so importing this
module costs nothing. Evidently is in the ``reports`` extra; without it the function raises
:class:`EvidentlyMissing` with the install command.

Rows are plain dicts (a prediction's ``features``, a reference file's row): only the named
columns are used, ``numeric`` columns are coerced to floats (a value that is not a number
becomes null), the other kinds are compared as categories (text).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from detectors.check_io import read_table
from detectors.errors import DetectorError
from store.predictions import window_features
from store.specs import FeatureType, ModelSpec

#: Kinds Evidently's drift preset can compare; ``text`` and ``embedding`` are left out.
REPORTED_KINDS: frozenset[str] = frozenset({"numeric", "categorical", "boolean"})

#: What to install when Evidently is missing.
INSTALL_HINT = "pip install 'vigil[reports]'"


class EvidentlyMissing(DetectorError):
    """Evidently is not installed, so no HTML drift report can be drawn."""


class ReportInputError(DetectorError):
    """The data asked for cannot make a report (no rows, no comparable column)."""


class EmptyWindow(ReportInputError):
    """The current window holds no rows: there is nothing to report on."""


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    try:
        number = float(str(value))
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _columns(
    rows: Iterable[Mapping[str, Any]], columns: Mapping[str, FeatureType]
) -> dict[str, list[Any]]:
    """Column-wise values of ``rows`` for the reported columns (missing keys as None)."""
    found: dict[str, list[Any]] = {name: [] for name in columns}
    for row in rows:
        for name, kind in columns.items():
            value = row.get(name)
            if value is None:
                found[name].append(None)
            elif kind == "numeric":
                found[name].append(_number(value))
            else:
                found[name].append(str(value))
    return found


def reported_columns(columns: Mapping[str, FeatureType]) -> dict[str, FeatureType]:
    """The columns a drift report can compare, in their given order."""
    return {name: kind for name, kind in columns.items() if kind in REPORTED_KINDS}


def _with_title(page: str, title: str, note: str = "") -> str:
    """``page`` with ``title`` as its document title and a heading (and note) above
    Evidently's own."""
    safe = html.escape(title)
    page = page.replace("<head>", f"<head>\n<title>{safe}</title>", 1)
    style = "font-family: sans-serif; margin: 1rem 2rem;"
    heading = f'<h1 style="{style} font-size: 1.4rem;">{safe}</h1>'
    if note:
        heading += f'\n<p style="{style}">{html.escape(note)}</p>'
    return page.replace("<body>", f"<body>\n{heading}", 1)


def drift_report_html(
    reference: Iterable[Mapping[str, Any]],
    current: Iterable[Mapping[str, Any]],
    *,
    columns: Mapping[str, FeatureType],
    title: str,
) -> str:
    """Evidently's ``DataDriftPreset`` on ``current`` against ``reference``, as HTML.

    ``columns`` maps the columns to compare to their kind. Raises :class:`ReportInputError`
    when either side has no rows (:class:`EmptyWindow` for the current one) or no column can
    be compared; a column without any value on one side is left out, and the page says so.
    :class:`EvidentlyMissing`
    when Evidently is not installed.
    """
    kept = reported_columns(columns)
    if not kept:
        raise ReportInputError("no numeric, categorical or boolean column to compare")
    ref_columns, cur_columns = _columns(reference, kept), _columns(current, kept)
    first = next(iter(kept))
    if not ref_columns[first]:
        raise ReportInputError("the reference has no rows")
    if not cur_columns[first]:
        raise EmptyWindow("the current window has no rows")
    empty = [
        name
        for name in kept
        if all(v is None for v in ref_columns[name]) or all(v is None for v in cur_columns[name])
    ]
    kept = {name: kind for name, kind in kept.items() if name not in empty}
    if not kept:
        raise ReportInputError("every column is empty in the reference or the window")
    note = f"Not compared, no values on one side: {', '.join(empty)}." if empty else ""
    try:
        import pandas as pd
        from evidently import DataDefinition, Dataset, Report
        from evidently.presets import DataDriftPreset
    except ImportError:
        raise EvidentlyMissing(f"Evidently is not installed: {INSTALL_HINT}") from None
    definition = DataDefinition(
        numerical_columns=[n for n, k in kept.items() if k == "numeric"],
        categorical_columns=[n for n, k in kept.items() if k != "numeric"],
    )

    def dataset(values: dict[str, list[Any]]) -> Any:
        frame = pd.DataFrame({name: values[name] for name in kept})
        for name, kind in kept.items():
            frame[name] = frame[name].astype("float64" if kind == "numeric" else "object")
        return Dataset.from_pandas(frame, data_definition=definition)

    snapshot = Report([DataDriftPreset()]).run(dataset(cur_columns), dataset(ref_columns))
    return _with_title(snapshot.get_html_str(as_iframe=False), title, note)


def reference_rows(path: Path, columns: Iterable[str]) -> list[dict[str, Any]]:
    """The rows of a reference file (CSV or Parquet), only ``columns`` that it has."""
    table = read_table(path, "reference")
    present = [name for name in columns if name in table.column_names]
    return table.select(present).to_pylist()


def window_drift_report(
    engine: Engine,
    spec: ModelSpec,
    reference_path: Path,
    start: datetime,
    end: datetime,
    title: str | None = None,
) -> str:
    """The drift report of ``spec``'s predictions with ``start <= ts < end`` (from the store)
    against its reference file."""
    columns = reported_columns({f.name: f.type for f in spec.features})
    current = window_features(engine, spec.name, start, end)
    reference = reference_rows(reference_path, columns)
    heading = title or (
        f"Data drift of {spec.name}: {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC "
        f"({len(current)} predictions against {len(reference)} reference rows)"
    )
    return drift_report_html(reference, current, columns=columns, title=heading)

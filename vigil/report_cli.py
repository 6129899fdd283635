"""``vigil report drift``: Evidently's HTML drift report of any window of a model, on demand.

    vigil report drift --config vigil.yaml --model credit-risk \\
        --start 2026-03-02T06:00:00Z --end 2026-03-02T07:00:00Z [--out report.html]

The window's rows are the features of the model's stored predictions with
``start <= timestamp < end``; the reference is the model's ``reference.path``. The report is
one self-contained HTML file (default name ``drift-<model>-<start>-<end>.html``).

Exit status: 0 written, 1 nothing to report (no prediction in the window), 2 a bad config,
argument or reference file, or Evidently not installed. The work is
:func:`detectors.evidently_report.window_drift_report`; Evidently loads only when it runs.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

USAGE_ERROR = 2


def iso_time(text: str) -> datetime:
    """An ISO 8601 time (``Z`` allowed); a naive one is taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def add_report_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``report drift`` to the ``vigil`` command's subparsers; returns ``report``'s parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report", help="HTML reports of stored windows (Evidently)"
    )
    kinds = parser.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    drift = kinds.add_parser(
        "drift",
        help="Evidently's data-drift report of a model's window against its reference",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    drift.add_argument("--config", "-c", default="vigil.yaml", help="path to vigil.yaml")
    drift.add_argument("--model", required=True, help="a model of the config")
    drift.add_argument("--start", required=True, type=iso_time, help="window start (ISO 8601)")
    drift.add_argument("--end", required=True, type=iso_time, help="window end (ISO 8601)")
    drift.add_argument("--out", help="HTML file to write (default: drift-MODEL-START-END.html)")
    drift.set_defaults(handler=run_report_drift)
    return parser


def default_name(model: str, start: datetime, end: datetime) -> str:
    """``drift-<model>-<start>-<end>.html`` with compact UTC times."""
    stamp = "%Y%m%dT%H%MZ"
    return f"drift-{model}-{start.astimezone(UTC):{stamp}}-{end.astimezone(UTC):{stamp}}.html"


def run_report_drift(args: argparse.Namespace) -> int:
    """Write the drift report for parsed arguments; the exit status."""
    from detectors.errors import DetectorError
    from detectors.evidently_report import EmptyWindow, window_drift_report
    from store.db import create_store_engine
    from vigil.config import load_config

    def fail(message: str, status: int = USAGE_ERROR) -> int:
        print(f"vigil report drift: {message}", file=sys.stderr)
        return status

    if args.end <= args.start:
        return fail("--end must be after --start")
    config = load_config(args.config)
    spec = config.model(args.model)
    if spec is None:
        known = ", ".join(m.name for m in config.models) or "none"
        return fail(f"model {args.model!r} is not in {args.config} (models: {known})")
    if spec.reference is None:
        return fail(f"model {args.model!r} has no reference dataset in {args.config}")
    engine = create_store_engine(config.storage.url)
    try:
        page = window_drift_report(
            engine, spec, config.resolve_path(spec.reference.path), args.start, args.end
        )
    except EmptyWindow as exc:
        return fail(f"{exc} ({args.start.isoformat()} to {args.end.isoformat()})", 1)
    except DetectorError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()
    out = Path(args.out or default_name(spec.name, args.start, args.end))
    out.write_text(page, encoding="utf-8")
    print(f"drift report of {spec.name} written to {out}")
    return 0

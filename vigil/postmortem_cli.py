"""``vigil postmortem``: the first draft of an incident's postmortem, from its record.

    vigil postmortem 2 --config vigil.yaml [--format md|html] [--out FILE] [--no-evidently]

Markdown refers to PNG charts of the triggering signals written beside it
(``<stem>-<subject>-<metric>.png``); HTML embeds them. Unless ``--no-evidently``, Evidently's
drift report of the incident window is written beside it too (``<stem>-evidently.html``)
and linked: alerting may not import the detectors, so that part is composed here and passed
to :func:`alerting.postmortem.draft`. Without ``--out`` the draft goes to stdout and the files
beside it to the current folder.

Exit status: 0 written, 1 no such incident, 2 a bad config or argument.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from vigil.config import VigilConfig

EVIDENTLY_SUFFIX = "-evidently.html"


def add_postmortem_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``postmortem`` to the ``vigil`` command's subparsers; returns its parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "postmortem",
        help="draft an incident's postmortem (Markdown or HTML) from its record",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("incident_id", type=int, metavar="INCIDENT_ID")
    parser.add_argument("--config", "-c", default="vigil.yaml", help="path to vigil.yaml")
    parser.add_argument("--format", choices=("md", "html"), default="md", help="draft format")
    parser.add_argument("--out", help="file to write (default: stdout)")
    parser.add_argument(
        "--no-evidently", action="store_true", help="do not attach Evidently's drift report"
    )
    parser.set_defaults(handler=run_postmortem_command)
    return parser


def evidently_attachment(config: VigilConfig, engine: Engine, target: Path) -> Callable[[Any], Any]:
    """A callback that writes the incident window's Evidently report to ``target``."""
    from alerting.postmortem import Attachment, Postmortem

    title = "Evidently data-drift report of the incident window"

    def attach(pm: Postmortem) -> Attachment:
        from detectors.errors import DetectorError
        from detectors.evidently_report import window_drift_report

        spec = config.model(pm.incident.model) if pm.incident.model else None
        if spec is None or spec.reference is None:
            return Attachment(title, None, "No report: the model has no reference dataset.")
        try:
            page = window_drift_report(
                engine,
                spec,
                config.resolve_path(spec.reference.path),
                pm.impact.start,
                pm.impact.end,
            )
        except DetectorError as exc:
            return Attachment(title, None, f"No report: {exc}.")
        target.write_text(page, encoding="utf-8")
        return Attachment(title, target.name)

    return attach


def write_postmortem(
    config: VigilConfig,
    engine: Engine,
    incident_id: int,
    fmt: str,
    out: Path | None,
    now: datetime,
    evidently: bool = True,
) -> tuple[str, list[Path]]:
    """Draft the postmortem; write it to ``out`` (if given) and its files beside it.

    Returns the text and the paths written. Files go beside ``out``, or into the current
    folder when the text is for stdout.
    """
    from alerting.postmortem import draft

    folder = out.parent if out is not None else Path.cwd()
    folder.mkdir(parents=True, exist_ok=True)
    stem = out.stem if out is not None else f"postmortem-{incident_id}"
    report = folder / f"{stem}{EVIDENTLY_SUFFIX}"
    attach = evidently_attachment(config, engine, report) if evidently else None
    result = draft(engine, incident_id, now, "html" if fmt == "html" else "md", stem, attach)
    written = [report] if report.is_file() and evidently else []
    for name, png in result.files.items():
        (folder / name).write_bytes(png)
        written.append(folder / name)
    if out is not None:
        out.write_text(result.text, encoding="utf-8")
        written.insert(0, out)
    return result.text, written


def run_postmortem_command(args: argparse.Namespace) -> int:
    """Write the draft for parsed arguments; the exit status."""
    from alerting.errors import IncidentNotFoundError
    from store.db import create_store_engine
    from vigil.config import load_config

    config = load_config(args.config)
    engine = create_store_engine(config.storage.url)
    out = Path(args.out) if args.out else None
    try:
        text, written = write_postmortem(
            config,
            engine,
            args.incident_id,
            args.format,
            out,
            datetime.now(UTC),
            evidently=not args.no_evidently,
        )
    except IncidentNotFoundError as exc:
        print(f"vigil postmortem: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if out is None:
        sys.stdout.write(text)
    for path in written:
        print(f"wrote {path}", file=sys.stderr if out is None else sys.stdout)
    return 0

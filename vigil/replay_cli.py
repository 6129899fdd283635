"""``vigil replay``: backtest alerting on recorded traffic before anyone is paged.

    vigil replay --config vigil.yaml --events EVENTS [--start ISO] [--end ISO] [--step 60s]
                 [--live] [--store URL] [--reorder-window 5m] [--format json|md]
                 [--out timeline.json]

EVENTS is a JSON-lines file (optionally gzip), a directory of them, or a Parquet file; each
record is ``{"type": "prediction"|"label"|"span"|"pipeline_run", "ts": ISO-8601, ...}`` with
the fields of the HTTP API. Events go through the collector's validation and redaction into
a temporary store (or ``--store URL``), and the jobs of ``vigil serve`` run on a simulated
clock. Receivers and action webhooks are recorded, not called, unless ``--live``. The
timeline (alerts, notifications, incidents, actions, summary) is written as JSON to
``--out`` (``-`` or absent: stdout); ``--format md`` prints a readable summary instead
(and still writes the JSON to ``--out`` when one is given). Exit 0 when the replay ran,
2 on a usage or configuration error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def iso_time(value: str) -> Any:
    from collector.validation import Reject, parse_timestamp

    try:
        return parse_timestamp(value, "time")
    except Reject:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 time: {value!r}") from None


def duration_arg(value: str) -> Any:
    from store.durations import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _write(text: str, out: str | None) -> None:
    if out is None or out == "-":
        sys.stdout.write(text)
    else:
        Path(out).write_text(text, encoding="utf-8")


def _cmd_replay(args: argparse.Namespace) -> int:
    from vigil.config import load_config
    from vigil.replay.markdown import render_markdown
    from vigil.replay.run import ReplayOptions, replay

    config = load_config(args.config)
    options = ReplayOptions(
        events=Path(args.events),
        start=args.start,
        end=args.end,
        step=args.step,
        live=args.live,
        store_url=args.store,
        reorder_window=args.reorder_window,
        seed=args.seed,
        progress=not args.quiet,
    )
    try:
        result = replay(config, options)
    except (ValueError, FileNotFoundError) as exc:
        print(f"vigil replay: {exc}", file=sys.stderr)
        return 2
    document = json.dumps(result.timeline, indent=2, sort_keys=True) + "\n"
    if args.format == "md":
        if args.out not in (None, "-"):
            _write(document, args.out)
        _write(render_markdown(result.timeline), None)
    else:
        _write(document, args.out)
    if args.timings:
        for name, seconds in sorted(result.seconds.items()):
            print(f"{name:40s} {seconds:8.2f} s", file=sys.stderr)
    return 0


def add_replay_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``replay`` to the ``vigil`` command's subparsers; returns its parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "replay",
        help="backtest: replay recorded events through the whole loop on a simulated clock",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--config", "-c", default="vigil.yaml", help="path to vigil.yaml")
    parser.add_argument(
        "--events", required=True, help="events: .jsonl[.gz], a directory of them, or .parquet"
    )
    parser.add_argument("--start", type=iso_time, help="first clock step (default: first event)")
    parser.add_argument("--end", type=iso_time, help="last clock step (default: after last event)")
    parser.add_argument("--step", type=duration_arg, default="60s", help="clock step (default 60s)")
    parser.add_argument(
        "--live", action="store_true", help="really call receivers and action webhooks"
    )
    parser.add_argument("--store", help="database URL to replay into (default: a temp SQLite)")
    parser.add_argument(
        "--reorder-window",
        type=duration_arg,
        default="5m",
        help="events at most this far out of order are put back in order (default 5m)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of retry jitter (default 0)")
    parser.add_argument("--format", choices=("json", "md"), default="json")
    parser.add_argument("--out", help="write the timeline JSON here (default: stdout)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    parser.add_argument(
        "--timings", action="store_true", help="print where the time went on stderr"
    )
    parser.set_defaults(handler=_cmd_replay)
    return parser

"""``vigil collect --tail PATH``: the sidecar that ships a JSON-lines log to the collector.

Follows ``PATH`` through rotation and truncation, sends its lines in batches to the
collector API (``--url``, by default the ``collector`` host and port of ``vigil.yaml``)
with the key in the environment variable ``--key-env``, and checkpoints in ``--state``
(default ``PATH.vigil-tail.json``) only after each batch is acknowledged. The work is
in :mod:`collector.tail`; this module parses arguments and wires the parts. Wired into
``vigil`` by :func:`add_collect_command`; everything is imported when the command runs.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import Any

DEFAULT_KEY_ENV = "VIGIL_INGEST_KEY"


def _default_url(args: argparse.Namespace) -> str:
    from vigil.config import load_config

    collector = load_config(args.config).collector
    host = "127.0.0.1" if collector.host in ("0.0.0.0", "::", "") else collector.host
    return f"http://{host}:{collector.port}"


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _cmd_collect(args: argparse.Namespace) -> int:
    from collector.errors import TailError
    from collector.tail import Tailer
    from collector.tail_client import IngestClient
    from collector.tail_files import Follower
    from collector.tail_state import TailState

    key = os.environ.get(args.key_env)
    if not key:
        print(f"vigil collect: set the ingest key in ${args.key_env}", file=sys.stderr)
        return 2
    log_path = Path(args.tail)
    state = TailState(Path(args.state or f"{log_path}.vigil-tail.json"), log_path)
    url = args.url or _default_url(args)
    client = IngestClient(url, key, args.kind, max_attempts=args.max_attempts)
    follower: Follower | None = None
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        start = state.load()
        follower = Follower(log_path, start)
        tailer = Tailer(
            follower,
            client,
            state,
            start,
            batch_lines=args.batch_lines,
            poll_interval=args.poll_interval,
        )
        stats = tailer.drain() if args.once else tailer.run(lambda: False)
    except TailError as exc:
        print(f"vigil collect: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
        client.close()
        if follower is not None:
            follower.close()
    print(
        f"{log_path}: {stats.accepted} events accepted, {stats.rejected} rejected, "
        f"{stats.skipped} lines skipped, in {stats.batches} batches"
    )
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def add_collect_command(subparsers: Any) -> None:
    """Add ``vigil collect`` to the ``vigil`` command's subparsers."""
    collect = subparsers.add_parser(
        "collect", help="sidecar: follow a JSON-lines prediction log and send it to the collector"
    )
    collect.add_argument("--tail", required=True, metavar="PATH", help="the log file to follow")
    collect.add_argument(
        "--config", "-c", default="vigil.yaml", help="vigil.yaml (gives the default --url)"
    )
    collect.add_argument("--url", help="collector base URL (default: from vigil.yaml)")
    collect.add_argument(
        "--key-env",
        default=DEFAULT_KEY_ENV,
        help="environment variable holding the ingest key (default: %(default)s)",
    )
    collect.add_argument(
        "--state", metavar="FILE", help="checkpoint file (default: PATH.vigil-tail.json)"
    )
    collect.add_argument(
        "--kind",
        choices=("predictions", "labels", "pipeline_runs"),
        default="predictions",
        help="what the lines are (default: %(default)s)",
    )
    collect.add_argument(
        "--batch-lines", type=_positive_int, default=500, help="lines per request (default: 500)"
    )
    collect.add_argument(
        "--poll-interval", type=float, default=0.5, help="seconds between idle polls"
    )
    collect.add_argument(
        "--max-attempts",
        type=_positive_int,
        default=None,
        help="give up on a batch after this many tries (default: retry until acknowledged)",
    )
    collect.add_argument(
        "--once", action="store_true", help="send what the log holds now, then exit"
    )
    collect.set_defaults(handler=_cmd_collect)

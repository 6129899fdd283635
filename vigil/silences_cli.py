"""``vigil silences``: add, list and expire silences on the configured store.

Wired into ``vigil`` by :func:`vigil.alerting_cli.add_alerting_commands`. The handlers call
:mod:`alerting.silences`, the functions behind ``/v1/silences``, so a silence the CLI accepts
is one the API accepts, and each change is audited the same way.

    vigil silences add --config vigil.yaml --matcher 'alertname="FeatureDrift"' \\
        --author ana --comment "retraining credit-risk" --duration 2h
    vigil silences list [--all]
    vigil silences expire ID --author ana

``add`` prints the new silence's id; ``list`` a table of the active and pending silences
(``--all`` adds the expired ones). Exit status: 0 done, 2 a bad config or argument, invalid
matchers, an unknown id or a silence that has already expired. The commands read the wall
clock: they are entry points.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from store.silences import SilenceRecord

_COLUMNS = ("ID", "STATE", "STARTS", "ENDS", "AUTHOR", "MATCHERS", "COMMENT")


def _engine(config_path: str) -> Engine:
    from store.db import create_store_engine
    from vigil.config import load_config

    return create_store_engine(load_config(config_path).storage.url)


def _instant(text: str) -> datetime:
    """An ISO 8601 time for ``--ends-at``; UTC when it names no offset."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--ends-at needs an ISO 8601 time, got {text!r}"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _fail(message: str) -> int:
    print(f"vigil silences: {message}", file=sys.stderr)
    return 2


def _cmd_add(args: argparse.Namespace) -> int:
    from alerting.errors import InvalidSilenceError
    from alerting.silences import new_silence
    from store.durations import parse_duration

    now = datetime.now(UTC)
    try:
        ends_at = args.ends_at or now + parse_duration(args.duration)
    except ValueError as exc:
        return _fail(f"--duration: {exc}")
    try:
        record = new_silence(
            _engine(args.config),
            args.matcher,
            author=args.author,
            comment=args.comment,
            starts_at=None,
            ends_at=ends_at,
            created_by=args.author,
            now=now,
        )
    except InvalidSilenceError as exc:
        return _fail(str(exc))
    print(record.id)
    return 0


def _row(record: SilenceRecord, now: datetime) -> tuple[str, ...]:
    return (
        record.id,
        record.state(now),
        record.starts_at.isoformat(timespec="seconds"),
        record.ends_at.isoformat(timespec="seconds"),
        record.author,
        ",".join(record.matchers),
        record.comment,
    )


def format_table(rows: Sequence[tuple[str, ...]]) -> str:
    """Rows under the column headers, each column as wide as its widest cell."""
    table = [_COLUMNS, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(_COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(line.rstrip() for line in lines)


def _cmd_list(args: argparse.Namespace) -> int:
    from alerting.silences import silences

    now = datetime.now(UTC)
    found = silences(_engine(args.config), now)
    shown = [s for s in found if args.all or s.state(now) != "expired"]
    print(format_table([_row(s, now) for s in shown]))
    return 0


def _cmd_expire(args: argparse.Namespace) -> int:
    from alerting.errors import SilenceNotFoundError
    from alerting.silences import expire, find

    now = datetime.now(UTC)
    engine = _engine(args.config)
    try:
        if find(engine, args.id).state(now) == "expired":
            return _fail(f"silence {args.id!r} has already expired")
        expire(engine, args.id, args.author, now)
    except SilenceNotFoundError as exc:
        return _fail(str(exc))
    print(f"expired {args.id}")
    return 0


def add_silences_commands(subparsers: Any) -> None:
    """Add ``vigil silences add|list|expire`` to the ``vigil`` command's subparsers."""
    group = subparsers.add_parser("silences", help="add, list and expire silences")
    commands = group.add_subparsers(dest="silences_command", metavar="SILENCES_COMMAND")
    commands.required = True
    add = commands.add_parser("add", help="silence the alerts the matchers select; print its id")
    add.add_argument("--config", "-c", default="vigil.yaml", help="path to vigil.yaml")
    add.add_argument(
        "--matcher",
        action="append",
        required=True,
        metavar="MATCHER",
        help="an Alertmanager matcher such as 'alertname=\"FeatureDrift\"' (repeatable)",
    )
    add.add_argument("--author", required=True, help="who is silencing")
    add.add_argument("--comment", required=True, help="why")
    until = add.add_mutually_exclusive_group(required=True)
    until.add_argument("--duration", help="how long from now, like 30m, 2h, 1d")
    until.add_argument("--ends-at", type=_instant, help="when it ends (ISO 8601; UTC by default)")
    add.set_defaults(handler=_cmd_add)
    listing = commands.add_parser("list", help="a table of the active and pending silences")
    listing.add_argument("--config", "-c", default="vigil.yaml", help="path to vigil.yaml")
    listing.add_argument("--all", action="store_true", help="include expired silences")
    listing.set_defaults(handler=_cmd_list)
    end = commands.add_parser("expire", help="end a silence now (it is kept for the audit)")
    end.add_argument("--config", "-c", default="vigil.yaml", help="path to vigil.yaml")
    end.add_argument("id", help="the silence's id")
    end.add_argument("--author", required=True, help="who is expiring it")
    end.set_defaults(handler=_cmd_expire)

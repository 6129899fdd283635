"""``vigil keys``: create, list and revoke API keys without restarting anything.

    vigil keys create --name svc-2026-12 --scopes ingest [--models credit-risk] --expires-in 90d
    vigil keys list
    vigil keys revoke svc-2026-09 --reason "rotated"

``create`` prints the new key once (only its SHA-256 digest is stored; it cannot be shown
again). Running collectors accept it, and refuse a revoked one, within
``collector.api_key_cache_seconds`` (5 s by default). Rotation: create the new key, deploy
it, revoke the old one; both work in between. The handlers call :mod:`collector.key_admin`,
the functions behind ``/v1/admin/keys``, so each change is audited the same way. Exit
status: 0 done, 2 a bad config or argument, a taken name or an unknown key. The commands
read the wall clock: they are entry points.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from store.api_keys import ApiKeyRecord
    from vigil.config import VigilConfig

_COLUMNS = ("ID", "NAME", "STATE", "SCOPES", "MODELS", "CREATED", "EXPIRES", "CREATED BY")


def _open(config_path: str) -> tuple[VigilConfig, Engine]:
    from store.db import create_store_engine, upgrade
    from vigil.config import load_config

    config = load_config(config_path)
    engine = create_store_engine(config.storage.url)
    upgrade(engine)
    return config, engine


def _actor(args: argparse.Namespace) -> str:
    return f"cli:{args.actor or getpass.getuser()}"


def _fail(message: str) -> int:
    print(f"vigil keys: {message}", file=sys.stderr)
    return 2


def _split(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _cmd_create(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from collector.key_admin import KeyRequest, KeyRequestError, create_key
    from store.api_keys import ApiKeyConflict

    try:
        request = KeyRequest(
            name=args.name,
            scopes=_split(args.scopes) or (),  # type: ignore[arg-type]
            models=_split(args.models),
            expires_in=args.expires_in,
            reason=args.reason,
        )
    except ValidationError as exc:
        return _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
    config, engine = _open(args.config)
    try:
        created = create_key(
            engine,
            request,
            actor=_actor(args),
            now=datetime.now(UTC),
            known_models=[m.name for m in config.models],
            config_names=[k.name for k in config.collector.api_keys],
        )
    except (KeyRequestError, ApiKeyConflict) as exc:
        return _fail(str(exc))
    finally:
        engine.dispose()
    record = created.record
    expires = record.expires_at.isoformat(timespec="seconds") if record.expires_at else "never"
    print(created.secret)
    print(
        f"created key {record.name!r} (id {record.id}, scopes {','.join(record.scopes)}, "
        f"expires {expires}); this is the only time the key is shown",
        file=sys.stderr,
    )
    return 0


def _row(record: ApiKeyRecord, now: datetime) -> tuple[str, ...]:
    return (
        str(record.id),
        record.name,
        record.state(now),
        ",".join(record.scopes),
        ",".join(record.models) if record.models is not None else "*",
        record.created_at.isoformat(timespec="seconds"),
        record.expires_at.isoformat(timespec="seconds") if record.expires_at else "never",
        record.created_by,
    )


def format_table(rows: list[tuple[str, ...]]) -> str:
    """Rows under the column headers, each column as wide as its widest cell."""
    table = [_COLUMNS, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(_COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(line.rstrip() for line in lines)


def _cmd_list(args: argparse.Namespace) -> int:
    from store.api_keys import list_api_keys

    config, engine = _open(args.config)
    try:
        records = list_api_keys(engine)
    finally:
        engine.dispose()
    now = datetime.now(UTC)
    shown = [r for r in records if args.all or r.state(now) == "active"]
    print(format_table([_row(r, now) for r in shown]))
    configured = [k.name for k in config.collector.api_keys]
    if configured:
        print(f"(and from vigil.yaml, not listed: {', '.join(configured)})", file=sys.stderr)
    return 0


def _cmd_revoke(args: argparse.Namespace) -> int:
    from collector.key_admin import KeyRequestError, revoke_key
    from store.api_keys import ApiKeyNotFound

    config, engine = _open(args.config)
    try:
        record = revoke_key(
            engine,
            args.key,
            actor=_actor(args),
            now=datetime.now(UTC),
            config_names=[k.name for k in config.collector.api_keys],
            reason=args.reason,
        )
    except (KeyRequestError, ApiKeyNotFound) as exc:
        return _fail(str(exc))
    finally:
        engine.dispose()
    print(f"revoked key {record.name!r} (id {record.id})")
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", "-c", default="vigil.yaml", help="path to vigil.yaml")


def _duration(text: str) -> Any:
    from store.durations import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_keys_command(subparsers: Any) -> None:
    """Add ``vigil keys create|list|revoke`` to the ``vigil`` command's subparsers."""
    group = subparsers.add_parser("keys", help="create, list and revoke API keys (no restart)")
    commands = group.add_subparsers(dest="keys_command", metavar="KEYS_COMMAND")
    commands.required = True
    create = commands.add_parser("create", help="create a key and print it (shown only once)")
    _common(create)
    create.add_argument("--name", required=True, help="who holds the key (unique)")
    create.add_argument(
        "--scopes", required=True, help="comma-separated: ingest, read, operate, admin"
    )
    create.add_argument("--models", help="comma-separated models the key is limited to")
    create.add_argument(
        "--expires-in", type=_duration, help="lifetime such as 30d or 12h (default: none)"
    )
    create.add_argument("--reason", default="", help="why, for the audit log")
    create.add_argument("--actor", help="who is creating it (default: the OS user)")
    create.set_defaults(handler=_cmd_create)
    listing = commands.add_parser("list", help="a table of the active run-time keys")
    _common(listing)
    listing.add_argument("--all", action="store_true", help="include revoked and expired keys")
    listing.set_defaults(handler=_cmd_list)
    revoke = commands.add_parser("revoke", help="revoke a key by name or id, effective in seconds")
    _common(revoke)
    revoke.add_argument("key", metavar="NAME|ID", help="the key's name or id")
    revoke.add_argument("--reason", default="", help="why, for the audit log")
    revoke.add_argument("--actor", help="who is revoking it (default: the OS user)")
    revoke.set_defaults(handler=_cmd_revoke)

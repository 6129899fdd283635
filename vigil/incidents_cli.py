"""Incident and audit commands for the ``vigil`` CLI.

``vigil/cli.py`` calls :func:`add_incidents_command` with its subparsers. Handlers import
what they need when they run, so ``vigil --help`` stays fast.

    vigil audit export --config vigil.yaml [--since 2026-03-02T00:00:00Z] [--output FILE]
        the audit log as JSON lines, oldest first
    vigil incidents list --config vigil.yaml [--status triggered]
    vigil incidents acknowledge|mitigate|resolve|close ID --actor NAME [--reason TEXT]
    vigil incidents note ID --actor NAME TEXT
    vigil actions list --config vigil.yaml [--status awaiting_approval]
    vigil actions approve|reject ID --actor NAME [--reason TEXT]

Exit status: 0 done, 1 the incident or action is unknown or its status refuses the change, 2 a bad
config or argument.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

_VERBS = ("acknowledge", "mitigate", "resolve", "close")


def _since(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--since needs an ISO 8601 time, got {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _engine(path: str) -> Engine:
    from store.db import create_store_engine
    from vigil.config import load_config

    return create_store_engine(load_config(path).storage.url)


def _cmd_audit_export(args: argparse.Namespace) -> int:
    from store.audit import audit_entries

    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        for entry in audit_entries(_engine(args.config), args.since):
            out.write(json.dumps(entry.as_json(), sort_keys=True) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from store.incidents import list_incidents

    for i in list_incidents(_engine(args.config), args.status):
        print(f"{i.id}\t{i.status}\t{i.severity}\t{i.opened_at.isoformat()}\t{i.title}")
    return 0


def _cmd_change(args: argparse.Namespace) -> int:
    from alerting.errors import IncidentError
    from alerting.incident_ops import add_note, transition

    engine = _engine(args.config)
    now = datetime.now(UTC)
    try:
        if args.incidents_command == "note":
            add_note(engine, args.id, args.actor, args.text, now)
        else:
            record = transition(
                engine, args.id, args.incidents_command, args.actor, args.reason, now
            )
            print(f"incident {record.id} is {record.status}")
    except IncidentError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _cmd_actions_list(args: argparse.Namespace) -> int:
    from store.actions import actions_in

    engine = _engine(args.config)
    for a in actions_in(engine, args.status) if args.status else actions_in(engine):
        print(f"{a.id}\t{a.status}\t{a.action}\t{a.model}\t{a.policy}\tincident {a.incident_id}")
    return 0


def _cmd_actions_decide(args: argparse.Namespace) -> int:
    from alerting.action_ops import decide
    from alerting.errors import ActionError

    approve = args.actions_command == "approve"
    try:
        record = decide(
            _engine(args.config), args.id, approve, args.actor, args.reason, datetime.now(UTC)
        )
    except ActionError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"action {record.id} is {record.status}")
    return 0


def _config_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", "-c", default="vigil.yaml", help="path to vigil.yaml")


def add_incidents_command(subparsers: Any) -> None:
    """Add ``audit export``, ``incidents …`` and ``actions …`` to the ``vigil`` subparsers."""
    audit = subparsers.add_parser("audit", help="the audit log")
    audit_commands = audit.add_subparsers(
        dest="audit_command", metavar="AUDIT_COMMAND", required=True
    )
    export = audit_commands.add_parser("export", help="print the audit log as JSON lines")
    _config_arg(export)
    export.add_argument("--since", type=_since, help="only entries at or after this time")
    export.add_argument("--output", "-o", help="write to this file instead of stdout")
    export.set_defaults(handler=_cmd_audit_export)

    incidents = subparsers.add_parser("incidents", help="list and change incidents")
    commands = incidents.add_subparsers(
        dest="incidents_command", metavar="INCIDENTS_COMMAND", required=True
    )
    listing = commands.add_parser("list", help="incidents, newest first")
    _config_arg(listing)
    listing.add_argument("--status", help="only incidents with this status")
    listing.set_defaults(handler=_cmd_list)
    for verb in (*_VERBS, "note"):
        sub = commands.add_parser(verb, help=f"{verb} an incident")
        _config_arg(sub)
        sub.add_argument("id", type=int, help="incident id")
        sub.add_argument("--actor", required=True, help="who does this (kept in the audit log)")
        if verb == "note":
            sub.add_argument("text", help="the note")
        else:
            sub.add_argument("--reason", default="", help="why (kept in the audit log)")
        sub.set_defaults(handler=_cmd_change)

    acts = subparsers.add_parser("actions", help="list, approve and reject guarded actions")
    act_commands = acts.add_subparsers(
        dest="actions_command", metavar="ACTIONS_COMMAND", required=True
    )
    act_list = act_commands.add_parser("list", help="actions, oldest first")
    _config_arg(act_list)
    act_list.add_argument("--status", help="only actions with this status")
    act_list.set_defaults(handler=_cmd_actions_list)
    for verb in ("approve", "reject"):
        sub = act_commands.add_parser(verb, help=f"{verb} an action awaiting approval")
        _config_arg(sub)
        sub.add_argument("id", type=int, help="action id")
        sub.add_argument("--actor", required=True, help="who decides (kept in the audit log)")
        sub.add_argument("--reason", default="", help="why (kept in the audit log)")
        sub.set_defaults(handler=_cmd_actions_decide)

"""Alerting's commands for the ``vigil`` CLI: ``vigil routes test`` and ``vigil silences``.

``vigil/cli.py`` calls :func:`add_alerting_commands` with its subparsers. The handlers import
alerting only when they run, so ``vigil --help`` stays fast.

    vigil routes test --config alertmanager.yml --verify-receivers pager,slack \\
        alertname=FeatureDrift severity=critical

prints the receivers the labels reach, comma-separated in routing-tree order, as ``amtool
config routes test`` does; it exits 1 when ``--verify-receivers`` does not match, and 2 when
the file or the labels are invalid. ``vigil silences add|list|expire`` works on the configured
store (:mod:`vigil.silences_cli`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from vigil.silences_cli import add_silences_commands


def _cmd_routes_test(args: argparse.Namespace) -> int:
    from alerting.errors import RoutingFileError
    from alerting.routes_test import routes_test

    path = Path(args.config)
    try:
        text = path.read_text()
    except OSError as exc:
        print(f"{path}: cannot read: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        result = routes_test(text, args.labels, args.verify_receivers, source=str(path))
    except RoutingFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(result.slug)
    if not result.ok:
        print("WARNING: Expected receivers did not match resolved receivers.")
        return 1
    return 0


def add_alerting_commands(subparsers: Any) -> None:
    """Add ``routes test`` and ``silences`` to the ``vigil`` command's subparsers."""
    routes = subparsers.add_parser("routes", help="routing tree tools (like amtool config routes)")
    commands = routes.add_subparsers(dest="routes_command", metavar="ROUTES_COMMAND", required=True)
    test = commands.add_parser(
        "test",
        help="print the receivers an alert with the given labels reaches",
        description=(
            "Print the receivers, comma-separated in routing-tree order, that an alert with "
            "the given labels reaches. FILE is an Alertmanager config or a vigil.yaml."
        ),
    )
    test.add_argument("--config", "-c", default="vigil.yaml", help="alertmanager.yml or vigil.yaml")
    test.add_argument(
        "--verify-receivers",
        metavar="A,B",
        help="exit 1 unless the labels reach exactly these receivers, in this order",
    )
    test.add_argument("labels", nargs="*", metavar="LABEL=VALUE", help="the alert's labels")
    test.set_defaults(handler=_cmd_routes_test)
    add_silences_commands(subparsers)

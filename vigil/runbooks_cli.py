"""``vigil runbooks``: the runbook catalogue from the command line.

``vigil runbooks lint --config vigil.yaml [--dir DIR ...]`` checks every runbook's front
matter and sections, and that every alert rule of the config has a runbook (the file its
``runbook`` names, or one whose front matter lists its alert). It prints each problem with
its file (or YAML path) and field, and exits 1 if there is any.

Wired into ``vigil`` by :func:`add_runbooks_command`. Everything is imported when the command
runs, so ``vigil --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_lint(args: argparse.Namespace) -> int:
    from dashboards.runbook_catalog import load_catalog
    from dashboards.runbook_lint import RuleRef, lint
    from vigil.config import load_config
    from vigil.errors import ConfigError

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    alerting = config.alerting
    folders = [Path(d) for d in args.dir] or [config.resolve_path(alerting.runbooks_dir)]
    catalog = load_catalog(folders)
    rules = [
        RuleRef(where=f"{args.config}: alerting.rules[{i}]", alert=r.alert, runbook=r.runbook)
        for i, r in enumerate(alerting.rules)
    ]
    problems = lint(catalog, rules)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"ok: {len(catalog.runbooks)} runbooks cover {len(rules)} alert rules")
    return 0


def add_runbooks_command(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``vigil runbooks lint`` to the ``vigil`` command line."""
    runbooks = subparsers.add_parser("runbooks", help="runbook catalogue tools")
    commands = runbooks.add_subparsers(
        dest="runbooks_command", metavar="RUNBOOKS_COMMAND", required=True
    )
    lint = commands.add_parser(
        "lint", help="check runbooks' front matter and that every alert rule has one"
    )
    lint.add_argument(
        "--config", "-c", default="vigil.yaml", help="vigil.yaml (default: ./vigil.yaml)"
    )
    lint.add_argument(
        "--dir",
        action="append",
        default=[],
        metavar="DIR",
        help="runbooks folder (repeatable; default: alerting.runbooks_dir of the config)",
    )
    lint.set_defaults(handler=_cmd_lint)

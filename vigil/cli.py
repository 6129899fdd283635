"""The ``vigil`` command line.

Subcommands import what they need when they run, so ``vigil --help`` stays fast and never
loads Evidently, alibi-detect, Streamlit or the web stack.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from vigil import __version__
from vigil.alerting_cli import add_alerting_commands
from vigil.backfill_cli import add_backfill_command
from vigil.check_cli import add_check_command
from vigil.collect_cli import add_collect_command
from vigil.errors import VigilError
from vigil.incidents_cli import add_incidents_command
from vigil.keys_cli import add_keys_command
from vigil.postmortem_cli import add_postmortem_command
from vigil.replay_cli import add_replay_command
from vigil.report_cli import add_report_command
from vigil.runbooks_cli import add_runbooks_command
from vigil.slo_cli import add_slo_commands

DEFAULT_CONFIG = "vigil.yaml"


def _config_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", "-c", default=DEFAULT_CONFIG, help="path to vigil.yaml (default: %(default)s)"
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    from vigil.demo.run import run_demo

    return run_demo(keep_dir=args.dir, hours=args.hours, quiet=args.quiet)


def _cmd_serve(args: argparse.Namespace) -> int:
    from vigil.config import load_config
    from vigil.serve import serve

    serve(load_config(args.config))
    return 0


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    from store.db import create_store_engine, current_revisions, upgrade
    from vigil.config import load_config

    config = load_config(args.config)
    engine = create_store_engine(config.storage.url)
    upgrade(engine)
    print(f"database at revision {', '.join(sorted(current_revisions(engine)))}")
    return 0


def _cmd_config_check(args: argparse.Namespace) -> int:
    from vigil.config import load_config

    config = load_config(args.config)
    print(
        f"{args.config}: ok ({len(config.models)} models, {len(config.slos)} SLOs, "
        f"{len(config.alerting.rules)} alert rules, {len(config.alerting.receivers)} receivers)"
    )
    return 0


def _cmd_spool_status(args: argparse.Namespace) -> int:
    from collector.spool_admin import spool_status
    from vigil.config import load_config

    config = load_config(args.config)
    spool_dir = config.resolve_path(config.collector.spool_dir)
    status = spool_status(spool_dir)
    print(
        f"{spool_dir}: {status.pending_records} records ({status.pending_bytes} bytes) "
        f"not yet stored, in {status.segments} segment(s); checkpoint {status.checkpoint}"
    )
    return 0


def _cmd_spool_drain(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from prometheus_client import CollectorRegistry

    from collector.metrics import CollectorMetrics
    from collector.profiles.profiler import Profiler
    from collector.spool_admin import drain_spool
    from vigil.config import load_config
    from vigil.serve import open_store

    def clock() -> datetime:
        return datetime.now(UTC)

    config = load_config(args.config)
    spool_dir = config.resolve_path(config.collector.spool_dir)
    engine = open_store(config)
    drained = drain_spool(
        engine,
        config.collector,
        spool_dir,
        CollectorMetrics(CollectorRegistry()),
        clock,
        timeout=args.timeout,
        profiler=Profiler(engine, config.models, config.collector.profiles, clock),
    )
    print(f"{spool_dir}: " + ("drained" if drained else f"not drained within {args.timeout} s"))
    return 0 if drained else 1


def _cmd_dashboard(args: argparse.Namespace) -> int:
    from vigil.config import load_config
    from vigil.dashboard import run_dashboard

    return run_dashboard(load_config(args.config))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vigil",
        description="Observability and incident response for ML models and decisioning services.",
    )
    parser.add_argument("--version", action="version", version=f"vigil {__version__}")
    parser.add_argument("--verbose", "-v", action="store_true", help="log at debug level")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="run the whole loop on a simulated credit-risk model (no network)"
    )
    demo.add_argument("--dir", help="keep the demo's files here (default: a new temp folder)")
    demo.add_argument(
        "--hours", type=int, default=12, help="simulated hours of traffic (default: 12)"
    )
    demo.add_argument("--quiet", action="store_true", help="print only the final summary")
    demo.set_defaults(handler=_cmd_demo)

    serve = commands.add_parser("serve", help="run the API, the scheduler and the dispatcher")
    _config_arg(serve)
    serve.set_defaults(handler=_cmd_serve)

    dashboard = commands.add_parser("dashboard", help="start the Streamlit dashboard")
    _config_arg(dashboard)
    dashboard.set_defaults(handler=_cmd_dashboard)

    db = commands.add_parser("db", help="database administration")
    db_commands = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    db_upgrade = db_commands.add_parser("upgrade", help="apply the schema migrations")
    _config_arg(db_upgrade)
    db_upgrade.set_defaults(handler=_cmd_db_upgrade)

    config = commands.add_parser("config", help="configuration tools")
    config_commands = config.add_subparsers(
        dest="config_command", metavar="CONFIG_COMMAND", required=True
    )
    check = config_commands.add_parser("check", help="validate vigil.yaml and exit")
    _config_arg(check)
    check.set_defaults(handler=_cmd_config_check)

    spool = commands.add_parser("spool", help="inspect or drain the collector's spool")
    spool_commands = spool.add_subparsers(
        dest="spool_command", metavar="SPOOL_COMMAND", required=True
    )
    status = spool_commands.add_parser("status", help="what the spool holds that is not stored")
    _config_arg(status)
    status.set_defaults(handler=_cmd_spool_status)
    drain = spool_commands.add_parser(
        "drain", help="store everything in the spool, then exit (no collector may be running)"
    )
    _config_arg(drain)
    drain.add_argument("--timeout", type=float, default=300.0, help="seconds (default: 300)")
    drain.set_defaults(handler=_cmd_spool_drain)

    add_slo_commands(commands)
    add_alerting_commands(commands)
    add_check_command(commands)
    add_runbooks_command(commands)
    add_collect_command(commands)
    add_incidents_command(commands)
    add_replay_command(commands)
    add_backfill_command(commands)
    add_keys_command(commands)
    add_report_command(commands)
    add_postmortem_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        for chatty in ("alembic", "httpx", "apscheduler.executors.default"):
            logging.getLogger(chatty).setLevel(logging.WARNING)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except VigilError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

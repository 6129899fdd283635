"""``vigil slo``: SLO tools for the command line.

``vigil slo rules`` writes the Prometheus recording and alerting rules of SLOs, equivalent to
what Sloth generates (same rule names, labels, windows and thresholds):

- by default, of the SLOs in ``vigil.yaml``, over the counters Vigil exposes on ``/metrics``;
- with ``--sloth FILE``, of a Sloth ``prometheus/v1`` document (a drop-in for
  ``sloth generate``; ``vigil.yaml`` is not read);
- with ``--openslo FILE``, of OpenSLO ``SLO`` documents (``openslo/v1alpha`` or ``v1``).

Wired into ``vigil`` by :func:`add_slo_commands`. Everything is imported when the command
runs, so ``vigil --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def _labels(pairs: list[str]) -> dict[str, str]:
    labels = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise argparse.ArgumentTypeError(f"--extra-label needs KEY=VALUE, got {pair!r}")
        labels[key] = value
    return labels


def _prom_slos(args: argparse.Namespace) -> tuple[list[Any], str]:
    """The rule specs to generate, and a name for their source."""
    from slo.openslo_import import load_openslo
    from slo.sloth_import import load_sloth
    from slo.vigil_rules import vigil_prom_slos
    from store.durations import parse_duration
    from vigil.config import load_config

    period = parse_duration(args.period)
    for path, load in ((args.sloth, load_sloth), (args.openslo, load_openslo)):
        if path:
            return load(Path(path).read_text(encoding="utf-8"), path, period), path
    config = load_config(args.config)
    teams = {model.name: model.team for model in config.models}
    return vigil_prom_slos(config.slos, teams), args.config


def _cmd_rules(args: argparse.Namespace) -> int:
    from slo.errors import SLOError
    from slo.prometheus import rule_groups
    from slo.rules_file import render_rules
    from vigil import __version__

    try:
        extra = _labels(args.extra_label)
        slos, source = _prom_slos(args)
        groups = rule_groups(slos, version=__version__, extra_labels=extra)
        text = render_rules(groups, Path(source).name, __version__)
    except (SLOError, OSError, ValueError, argparse.ArgumentTypeError) as exc:
        print(f"vigil slo rules: {exc}", file=sys.stderr)
        return 2
    if args.out is None:
        sys.stdout.write(text)
        return 0
    Path(args.out).write_text(text, encoding="utf-8")
    count = sum(len(group["rules"]) for group in groups)
    print(f"{args.out}: {count} rules in {len(groups)} groups for {len(slos)} SLOs")
    return 0


def add_slo_commands(subparsers: Any) -> None:
    """Add ``vigil slo ...`` to the ``vigil`` command's subparsers."""
    slo = subparsers.add_parser("slo", help="SLO tools (Prometheus rules export)")
    commands = slo.add_subparsers(dest="slo_command", metavar="SLO_COMMAND", required=True)
    rules = commands.add_parser(
        "rules", help="write Prometheus rules for SLOs, equivalent to Sloth's"
    )
    rules.add_argument(
        "--config", "-c", default="vigil.yaml", help="vigil.yaml whose SLOs to export"
    )
    source = rules.add_mutually_exclusive_group()
    source.add_argument("--sloth", metavar="FILE", help="a Sloth prometheus/v1 spec instead")
    source.add_argument("--openslo", metavar="FILE", help="OpenSLO SLO documents instead")
    rules.add_argument(
        "--period",
        default="30d",
        help="period of Sloth/OpenSLO SLOs that give none (default: %(default)s)",
    )
    rules.add_argument(
        "--extra-label",
        "-l",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a label added to every SLO's rules (repeatable), as Sloth's --extra-labels",
    )
    rules.add_argument("--out", "-o", metavar="FILE", help="write here (default: stdout)")
    rules.set_defaults(handler=_cmd_rules)

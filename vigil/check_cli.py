"""``vigil check``: a release gate that compares a new dataset with its reference.

    vigil check --reference train.parquet --current batch.csv
    vigil check --reference REF --current CUR --config vigil.yaml --model credit-risk \\
        --ignore customer_name,notes --format json --out report.json
    vigil check --reference REF --current CUR --target default --prediction pred \\
        --score proba --protected sex,age_band --max-drop 0.05 --min-fairness-ratio 0.8

With ``--target`` and labels in the current file, the check also compares performance
(ROC AUC with ``--score`` on a binary target, else accuracy; RMSE for a numeric target) and
fails on a drop beyond ``--max-drop``, and fails when a ``--protected`` attribute's
demographic parity ratio is below ``--min-fairness-ratio`` (see :mod:`detectors.check_labels`).

Exit status: 0 the current data passes, 1 it fails (drift, a quality problem, a missing
column, a repeated ``request_id``, or nothing could be compared), 2 a usage error (a missing
or unreadable file, an unknown model, a bad config). The logic lives in
:mod:`detectors.check`; this module parses arguments, reads files and writes the report.
Detectors are imported when the command runs, so ``vigil --help`` stays light.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

USAGE_ERROR = 2


def add_check_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``check`` to the ``vigil`` command's subparsers; returns its parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check",
        help="release gate: drift and data quality of a dataset against its reference",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--reference", required=True, help="reference dataset (.csv, .parquet)")
    parser.add_argument("--current", required=True, help="dataset to check (.csv, .parquet)")
    parser.add_argument(
        "--config", "-c", help="vigil.yaml: use a model's features and the detectors' settings"
    )
    parser.add_argument("--model", help="the model in --config whose features are checked")
    parser.add_argument("--ignore", default="", help="comma-separated columns not to compare")
    parser.add_argument("--target", help="label column: also check performance and fairness")
    parser.add_argument("--prediction", help="predicted class (or value) column")
    parser.add_argument("--score", help="score column (probability of the positive class)")
    parser.add_argument("--protected", default="", help="comma-separated protected attributes")
    parser.add_argument(
        "--max-drop", type=float, default=0.05, help="largest allowed primary metric drop"
    )
    parser.add_argument(
        "--min-fairness-ratio", type=float, default=0.8, help="smallest demographic parity ratio"
    )
    parser.add_argument(
        "--format", choices=("md", "json", "html"), default="md", help="report format"
    )
    parser.add_argument("--out", help="write the report to this file instead of stdout")
    parser.set_defaults(handler=run_check_command)
    return parser


def _settings(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """(model spec or None, drift config, quality config); raises ValueError on misuse."""
    from detectors.config import DetectorsConfig

    if (args.config is None) != (args.model is None):
        raise ValueError("--config and --model go together")
    if args.config is None:
        defaults = DetectorsConfig()
        return None, defaults.drift, defaults.quality
    from vigil.config import load_config

    config = load_config(args.config)
    spec = config.model(args.model)
    if spec is None:
        known = ", ".join(m.name for m in config.models) or "none"
        raise ValueError(f"model {args.model!r} is not in {args.config} (models: {known})")
    return spec, config.detectors.drift, config.detectors.quality


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _label_checks(args: argparse.Namespace, reference: Any, current: Any) -> Any:
    """The performance and fairness checks, or None without ``--target`` or labels."""
    from detectors.check_labels import Labelled, run_label_checks
    from detectors.config import DetectorsConfig

    if args.target is None:
        return None
    if args.prediction is None and args.score is None:
        raise ValueError("--target needs --prediction or --score")
    if args.target not in current.column_names:
        return None
    files = []
    for role, table in (("reference", reference), ("current", current)):
        wanted = [args.target, args.prediction, args.score, *_names(args.protected)]
        missing = [c for c in wanted if c is not None and c not in table.column_names]
        if missing:
            raise ValueError(f"the {role} file has no column {', '.join(missing)}")
        labelled = table.filter(table[args.target].is_valid())
        score = None
        if args.score is not None:
            score = labelled[args.score].cast("double").fill_null(float("nan")).to_numpy()
        files.append(
            Labelled(
                labelled[args.target].to_pylist(),
                None if args.prediction is None else labelled[args.prediction].to_pylist(),
                score,
                {name: labelled[name].to_pylist() for name in _names(args.protected)},
            )
        )
    if files[1].target == []:
        return None
    min_group = DetectorsConfig().fairness.min_group_size
    return run_label_checks(files[0], files[1], args.max_drop, args.min_fairness_ratio, min_group)


def _report(args: argparse.Namespace) -> tuple[str, bool]:
    from detectors.check import run_check
    from detectors.check_io import read_table
    from detectors.check_plan import REQUEST_ID, plan_columns
    from detectors.check_report import passed, to_html, to_json, to_markdown

    spec, drift, quality = _settings(args)
    reference = read_table(Path(args.reference), "reference")
    current = read_table(Path(args.current), "current")
    ignore = {name.strip() for name in args.ignore.split(",") if name.strip()}
    outputs = {c for c in (args.target, args.prediction, args.score) if c}
    planned = plan_columns(reference, current, spec, ignore, outputs)
    ids = None
    if REQUEST_ID in current.column_names and REQUEST_ID not in ignore:
        ids = current[REQUEST_ID].drop_null().cast("string").to_numpy(zero_copy_only=False)
    report = run_check(planned, drift, quality, ids, workers=min(os.cpu_count() or 1, 8))
    labels = _label_checks(args, reference, current)
    if args.format == "json":
        data = to_json(report, args.reference, args.current, labels)
        text = json.dumps(data, indent=2) + "\n"
    elif args.format == "html":
        text = to_html(report, args.reference, args.current, labels)
    else:
        text = to_markdown(report, args.reference, args.current, labels)
    return text, passed(report, labels)


def run_check_command(args: argparse.Namespace) -> int:
    """Run the check for parsed arguments; the exit status (0 pass, 1 fail, 2 usage)."""
    from detectors.errors import CheckInputError
    from vigil.errors import VigilError

    try:
        text, passed = _report(args)
    except (CheckInputError, VigilError, ValueError) as error:
        print(f"vigil check: {error}", file=sys.stderr)
        return USAGE_ERROR
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"vigil check: {'pass' if passed else 'FAIL'} (report: {args.out})")
    else:
        sys.stdout.write(text)
    return 0 if passed else 1

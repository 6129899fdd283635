"""``vigil backfill``: compute detector signals for past windows of the configured store.

    vigil backfill --config vigil.yaml --start ISO --end ISO [--model M]
                   [--detector drift|prediction_drift|quality|performance|...|slo]

For each chosen detector job of :func:`vigil.jobs.build_jobs`, the same job function runs
with ``now`` set to each window end in ``[start, end]`` (the job's interval, aligned as the
scheduler aligns it), oldest first, so persistence rules see the earlier windows. Signals are
unique per (detector, model, subject, window end): running a backfill twice, or over windows
``vigil serve`` already evaluated, stores nothing twice. Alert rules are not run; the next
``vigil serve`` tick evaluates the newest signals as usual. A progress bar goes to stderr;
the result (windows run, signals in range per detector) to stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

#: Jobs of ``build_jobs`` that write detector signals (each named as its detector).
DETECTOR_JOBS = (
    "drift",
    "prediction_drift",
    "embedding_drift",
    "multivariate_drift",
    "quality",
    "labels",
    "performance",
    "estimated_performance",
    "fairness",
    "slo",
)


def window_ends(start: datetime, end: datetime, interval: timedelta) -> list[datetime]:
    """Every multiple of ``interval`` (since the epoch) in ``[start, end]``, oldest first."""
    from store.durations import align

    first = align(start, interval)
    if first < start:
        first += interval
    ends = []
    moment = first
    while moment <= end:
        ends.append(moment)
        moment += interval
    return ends


def _restrict(config: Any, model: str | None) -> Any:
    """``config`` with only ``model`` (and its SLOs), or unchanged when no model is named."""
    if model is None:
        return config
    spec = config.model(model)
    if spec is None:
        known = ", ".join(m.name for m in config.models) or "none"
        raise ValueError(f"--model {model!r} is not configured (models: {known})")
    slos = tuple(s for s in config.slos if s.model == model)
    return config.model_copy(update={"models": (spec,), "slos": slos})


def backfill(
    config: Any,
    engine: Any,
    start: datetime,
    end: datetime,
    detectors: Sequence[str] = DETECTOR_JOBS,
    progress: bool = True,
) -> dict[str, Any]:
    """Run the chosen detector jobs at every window end in range; report what is stored."""
    from prometheus_client import CollectorRegistry

    from store.signals import signal_history
    from vigil.jobs import build_jobs
    from vigil.replay.progress import progress_bar

    jobs = [j for j in build_jobs(config, engine, CollectorRegistry()) if j.name in detectors]
    plan = [(job, when) for job in jobs for when in window_ends(start, end, job.interval)]
    bar = progress_bar(len(plan), "backfill", "windows", enabled=progress)
    runs: dict[str, int] = {job.name: 0 for job in jobs}
    for job, when in plan:
        bar.set_postfix_str(f"{job.name} {when:%Y-%m-%d %H:%M}")
        job.run(when)
        runs[job.name] += 1
        bar.update(1)
    bar.close()
    stored: dict[str, int] = {}
    for job in jobs:
        stored[job.name] = sum(
            1
            for spec in config.models
            for s in signal_history(engine, spec.name, job.name, since=start)
            if s.signal.window_end <= end
        )
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "windows_run": runs,
        "signals_in_range": stored,
        "skipped": sorted(set(detectors) - {job.name for job in jobs}),
    }


def _cmd_backfill(args: argparse.Namespace) -> int:
    import json

    from vigil.config import load_config
    from vigil.serve import open_store

    if args.end <= args.start:
        print("vigil backfill: --end must be after --start", file=sys.stderr)
        return 2
    try:
        config = _restrict(load_config(args.config), args.model)
    except ValueError as exc:
        print(f"vigil backfill: {exc}", file=sys.stderr)
        return 2
    engine = open_store(config)
    try:
        chosen = [args.detector] if args.detector else list(DETECTOR_JOBS)
        result = backfill(config, engine, args.start, args.end, chosen, progress=not args.quiet)
    finally:
        engine.dispose()
    print(json.dumps(result, indent=2, sort_keys=True))
    if args.detector and result["skipped"]:
        print(
            f"vigil backfill: detector {args.detector} is not enabled in {args.config}",
            file=sys.stderr,
        )
        return 2
    return 0


def add_backfill_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``backfill`` to the ``vigil`` command's subparsers; returns its parser."""
    from vigil.replay_cli import iso_time

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "backfill",
        help="compute detector signals for past windows (idempotent)",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--config", "-c", default="vigil.yaml", help="path to vigil.yaml")
    parser.add_argument("--start", type=iso_time, required=True, help="first window end (ISO-8601)")
    parser.add_argument("--end", type=iso_time, required=True, help="last window end (ISO-8601)")
    parser.add_argument("--model", help="only this model (default: every configured model)")
    parser.add_argument("--detector", choices=DETECTOR_JOBS, help="only this detector")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    parser.set_defaults(handler=_cmd_backfill)
    return parser

"""``GET /v1/reports/drift``: Evidently's HTML drift report of a model's window, over HTTP.

    GET /v1/reports/drift?model=credit-risk&start=2026-03-02T06:00:00Z&end=2026-03-02T07:00:00Z

This is the page drift alerts link as ``report_url`` (``alerting.api_base_url``), so on-call
opens the report of the window that paged them from Slack or PagerDuty. It needs the ``read``
scope. The page is :func:`detectors.evidently_report.drift_report_html` of the window's stored
predictions against the model's reference (a file or a SQL query), as ``vigil report drift``
writes it.

Answers: 200 the page (header ``X-Vigil-Report-Cache``: ``hit``, ``miss`` or ``bypass``);
404 unknown model, a model without a reference, or no prediction in the window; 422 a bad
window (not ISO 8601, ``end <= start``, longer than :data:`MAX_WINDOW`) or nothing comparable;
503 Evidently is not installed (with the install command); 500 an unreadable reference.

Rendering takes seconds, so pages are kept on disk (``alerting.drift_reports.cache_dir``),
one file per model, window and reference version, the least recently read dropped past
``max_files`` or ``max_bytes``. Only closed windows (``end <= now``) are kept: an open one
still gets predictions. One report renders at a time, which bounds the memory Evidently takes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from alerting.config import DriftReportsConfig
from store.specs import ModelSpec
from vigil.config import VigilConfig

#: The longest window a report covers: its rows are loaded in memory.
MAX_WINDOW = timedelta(days=7)
#: Response header saying whether the page came from the disk cache.
CACHE_HEADER = "X-Vigil-Report-Cache"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def parse_time(text: str, name: str) -> datetime:
    """An ISO 8601 query parameter (``Z`` allowed; naive is UTC), or a 422."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(422, f"{name}: not an ISO 8601 time: {text[:64]!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def check_window(start: datetime, end: datetime) -> None:
    """422 unless ``start < end`` and the window is at most :data:`MAX_WINDOW`."""
    if end <= start:
        raise HTTPException(422, "end must be after start")
    if end - start > MAX_WINDOW:
        raise HTTPException(422, f"the window is longer than {MAX_WINDOW.days} days")


@dataclass
class ReportCache:
    """Rendered pages on disk, bounded by count and total size (least recently read go first)."""

    folder: Path
    max_files: int
    max_bytes: int

    def path(self, model: str, start: datetime, end: datetime, version: str) -> Path:
        """The file of one model, window and reference version (a readable name plus a hash)."""
        stamp = "%Y%m%dT%H%M%SZ"
        key = f"{model}\n{start.isoformat()}\n{end.isoformat()}\n{version}"
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        name = _UNSAFE.sub("_", model)[:64]
        return self.folder / (
            f"drift-{name}-{start.astimezone(UTC):{stamp}}-{end.astimezone(UTC):{stamp}}"
            f"-{digest}.html"
        )

    def read(self, path: Path) -> str | None:
        """The cached page, marked as just read; None when absent."""
        try:
            page = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return page

    def write(self, path: Path, page: str) -> None:
        """Keep ``page`` (atomically), then drop the oldest pages past the bounds.

        A page larger than ``max_bytes`` by itself is not kept.
        """
        data = page.encode("utf-8")
        if len(data) > self.max_bytes:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        partial.write_bytes(data)
        os.replace(partial, path)
        self.evict(keep=path)

    def evict(self, keep: Path | None = None) -> None:
        """Remove the least recently read pages until both bounds hold."""
        entries: list[tuple[float, int, Path]] = []
        for item in self.folder.glob("drift-*.html"):
            try:
                stat = item.stat()
            except FileNotFoundError:
                continue
            entries.append((stat.st_mtime, stat.st_size, item))
        entries.sort(key=lambda e: (e[2] == keep, e[0]))
        count, total = len(entries), sum(e[1] for e in entries)
        for _, size, item in entries:
            if count <= self.max_files and total <= self.max_bytes:
                break
            if item == keep:
                continue
            item.unlink(missing_ok=True)
            count, total = count - 1, total - size


def report_cache(config: VigilConfig) -> ReportCache:
    """The cache ``alerting.drift_reports`` describes (its folder relative to vigil.yaml)."""
    settings: DriftReportsConfig = config.alerting.drift_reports
    return ReportCache(
        config.resolve_path(settings.cache_dir), settings.max_files, settings.max_bytes
    )


def _reference_version(config: VigilConfig, spec: ModelSpec) -> str:
    """What identifies the reference's content cheaply: a file's size and mtime, or the query."""
    assert spec.reference is not None
    if spec.reference.is_sql:
        return f"sql:{spec.reference.url}\n{spec.reference.query}"
    try:
        stat = config.resolve_path(spec.reference.path).stat()
    except OSError:
        return "missing"
    return f"file:{stat.st_size}:{stat.st_mtime_ns}"


def render_report(
    engine: Engine, config: VigilConfig, spec: ModelSpec, start: datetime, end: datetime
) -> str:
    """The page, or the HTTP error that says why there is none."""
    from detectors.errors import DetectorError
    from detectors.evidently_report import (
        EmptyWindow,
        EvidentlyMissing,
        ReportInputError,
        drift_report_html,
        reported_columns,
        window_drift_report,
    )

    reference = spec.reference
    assert reference is not None
    try:
        if not reference.is_sql:
            return window_drift_report(
                engine, spec, config.resolve_path(reference.path), start, end
            )
        from detectors.reference_sql import read_query
        from store.predictions import window_features

        columns = reported_columns({f.name: f.type for f in spec.features})
        where = f"reference query of model {spec.name!r}"
        table = read_query(reference.url or "", reference.query or "", where)
        rows = table.select([c for c in columns if c in table.column_names]).to_pylist()
        current = window_features(engine, spec.name, start, end)
        title = (
            f"Data drift of {spec.name}: {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC "
            f"({len(current)} predictions against {len(rows)} reference rows)"
        )
        return drift_report_html(rows, current, columns=columns, title=title)
    except EvidentlyMissing as exc:
        raise HTTPException(503, str(exc)) from None
    except EmptyWindow as exc:
        raise HTTPException(404, f"nothing to report: {exc}") from None
    except ReportInputError as exc:
        raise HTTPException(422, f"cannot report: {exc}") from None
    except DetectorError as exc:
        raise HTTPException(500, f"cannot read the reference: {exc}") from None


def reports_router(
    config: VigilConfig,
    engine: Engine,
    require_scope: Callable[[str], Callable[..., Any]],
    clock: Callable[[], datetime],
    cache: ReportCache | None = None,
) -> APIRouter:
    """The router of ``/v1/reports``; ``cache`` defaults to :func:`report_cache` of ``config``."""
    router = APIRouter(prefix="/v1/reports", tags=["reports"])
    pages = cache if cache is not None else report_cache(config)
    rendering = threading.Lock()

    @router.get(
        "/drift", response_class=HTMLResponse, dependencies=[Depends(require_scope("read"))]
    )
    def drift_report(
        model: Annotated[str, Query(min_length=1, max_length=200)],
        start: Annotated[str, Query(description="window start, ISO 8601")],
        end: Annotated[str, Query(description="window end (excluded), ISO 8601")],
    ) -> HTMLResponse:
        """Evidently's drift report of ``model``'s predictions in ``[start, end)``."""
        begin, finish = parse_time(start, "start"), parse_time(end, "end")
        check_window(begin, finish)
        spec = config.model(model)
        if spec is None:
            raise HTTPException(404, f"unknown model {model!r}")
        if spec.reference is None:
            raise HTTPException(404, f"model {model!r} has no reference dataset")
        if finish > clock():
            with rendering:
                page = render_report(engine, config, spec, begin, finish)
            return HTMLResponse(page, headers={CACHE_HEADER: "bypass"})
        path = pages.path(spec.name, begin, finish, _reference_version(config, spec))
        cached = pages.read(path)
        if cached is not None:
            return HTMLResponse(cached, headers={CACHE_HEADER: "hit"})
        with rendering:
            cached = pages.read(path)  # another request may have rendered it meanwhile
            if cached is not None:
                return HTMLResponse(cached, headers={CACHE_HEADER: "hit"})
            page = render_report(engine, config, spec, begin, finish)
            with contextlib.suppress(OSError):  # a full disk costs the cache, not the answer
                pages.write(path, page)
        return HTMLResponse(page, headers={CACHE_HEADER: "miss"})

    return router

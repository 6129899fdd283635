"""Silences: create, expire and list them, with Alertmanager's rules for what is valid.

A silence needs at least one matcher, and not only matchers that match the empty string (a
silence must not mute every alert); its end must be after its start and not in the past.
Matchers are stored in their canonical text (``name="value"``). The HTTP API
(:mod:`alerting.api`) and the dashboard call these functions, so both check the same rules;
the router reads active silences each tick (:class:`~alerting.mute_stages.SilenceStage`).
Every creation and expiry is logged, and appended to the audit log (:mod:`store.audit`),
with who did it and why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine

from alerting.errors import InvalidSilenceError, SilenceNotFoundError
from alerting.matchers import Matcher, parse_all
from store.audit import AuditEntry, append_audit
from store.silences import (
    SilenceRecord,
    SilenceState,
    create_silence,
    expire_silence,
    get_silence,
    list_silences,
)

log = logging.getLogger(__name__)


def check_matchers(texts: Sequence[str]) -> tuple[Matcher, ...]:
    """The parsed matchers of a silence; InvalidSilenceError if they are not acceptable."""
    try:
        matchers = parse_all(texts)
    except ValueError as exc:
        raise InvalidSilenceError(str(exc)) from None
    if not matchers:
        raise InvalidSilenceError("a silence needs at least one matcher")
    if all(m.matches({}) for m in matchers):
        raise InvalidSilenceError(
            "at least one matcher must not match the empty string (it would silence everything)"
        )
    return matchers


def new_silence(
    engine: Engine,
    matchers: Sequence[str],
    *,
    author: str,
    comment: str,
    starts_at: datetime | None,
    ends_at: datetime,
    created_by: str,
    now: datetime,
) -> SilenceRecord:
    """Check and store a silence; it starts at ``now`` unless ``starts_at`` is given."""
    parsed = check_matchers(matchers)
    start = starts_at or now
    if ends_at <= now:
        raise InvalidSilenceError("ends_at is in the past")
    if ends_at <= start:
        raise InvalidSilenceError("ends_at must be after starts_at")
    if not author.strip() or not comment.strip():
        raise InvalidSilenceError("a silence needs an author and a comment")
    texts = [str(m) for m in parsed]
    record = create_silence(engine, texts, author, comment, start, ends_at, created_by, now)
    data = {"matchers": texts, "author": author, "starts_at": start.isoformat()}
    data["ends_at"] = ends_at.isoformat()
    append_audit(
        engine, AuditEntry(now, created_by, "silence.create", f"silence:{record.id}", comment, data)
    )
    log.info(
        "silence %s created by %s (author %s) for %s until %s: %s",
        record.id,
        created_by,
        author,
        ",".join(texts),
        ends_at.isoformat(),
        comment,
    )
    return record


def expire(engine: Engine, silence_id: str, expired_by: str, now: datetime) -> SilenceRecord:
    """End a silence now; SilenceNotFoundError if there is none with that id."""
    record = expire_silence(engine, silence_id, expired_by, now)
    if record is None:
        raise SilenceNotFoundError(f"no silence {silence_id!r}")
    log.info("silence %s expired by %s", silence_id, expired_by)
    data = {"matchers": list(record.matchers)}
    append_audit(
        engine,
        AuditEntry(now, expired_by, "silence.expire", f"silence:{silence_id}", "expired", data),
    )
    return record


def find(engine: Engine, silence_id: str) -> SilenceRecord:
    """The silence with this id; SilenceNotFoundError if there is none."""
    record = get_silence(engine, silence_id)
    if record is None:
        raise SilenceNotFoundError(f"no silence {silence_id!r}")
    return record


def silences(
    engine: Engine, now: datetime, state: SilenceState | None = None
) -> list[SilenceRecord]:
    """Silences, latest ending first; optionally only those ``pending``/``active``/``expired``."""
    return list_silences(engine, now, state)

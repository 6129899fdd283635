"""Prediction events in, the store's prepared rows out: validated, redacted and prepared.

What the API does with each prediction batch before the spool (or the store) takes it.
The plain events of models without PII features go straight from the decoded JSON to a
prepared row (:meth:`collector.validation_fast.FastPath.prepared`): no row dict is built
only to be taken apart again, and the common time forms are sliced into the store's text
rather than formatted. Every other event takes the dict path: the validator of
:mod:`collector.validation` (which alone reports errors), then :class:`Redactor`, then
:func:`store.predictions.prepare_predictions`. Both paths give the same prepared row for
the same event (``tests/collector/test_prepared_events.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from collector.redaction import Redactor
from collector.validation import Limits, Reject, RowError, prediction_validator
from collector.validation_fast import FastPath
from store.predictions import prepare_predictions
from store.specs import ModelSpec


def prepared_predictions(
    events: Sequence[Any],
    models: Mapping[str, ModelSpec],
    received_at: datetime,
    limits: Limits,
    redactor: Redactor,
) -> tuple[list[tuple[Any, ...]], list[RowError]]:
    """The prepared rows of a batch's valid events (PII features hashed or dropped) and a
    :class:`RowError` for each event refused."""
    fast = FastPath(models, received_at, limits)
    validate_one = prediction_validator(models, received_at, limits)
    redacted = redactor.redacted_models
    rows: list[tuple[Any, ...]] = []
    errors: list[RowError] = []
    for index, event in enumerate(events):
        prepared = None
        model = event.get("model") if redacted and type(event) is dict else None
        if type(model) is not str or model not in redacted:
            try:
                prepared = fast.prepared(event)
            except Reject:
                prepared = None
        if prepared is None:
            try:
                row = validate_one(event)
            except Reject as bad:
                errors.append(RowError(index, bad.field, bad.reason))
                continue
            prepared = prepare_predictions(redactor.redact([row]))[0]
        rows.append(prepared)
    return rows, errors

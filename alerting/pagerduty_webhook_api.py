"""``POST /v1/webhooks/pagerduty``: PagerDuty V3 webhook events, signature first.

PagerDuty cannot send a Vigil API key, so the signature is the authentication: the raw body
is checked against ``X-PagerDuty-Signature`` (:func:`alerting.pagerduty_webhook.verify_signature`)
before it is parsed, and a missing or wrong signature answers 401 and changes nothing.

    200  {"result": "applied" | "unchanged" | "ignored", "detail", "incident_id"}
    400  not a V3 webhook event (PagerDuty does not redeliver a 4xx)
    401  no valid signature
    404  PagerDuty webhooks are not configured (no ``alerting.pagerduty_webhook``)
    413  body larger than ``max_body_bytes``
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy import Engine

from alerting.config.pagerduty_webhook import PagerDutyWebhookConfig
from alerting.pagerduty_webhook import (
    MalformedEventError,
    apply_event,
    parse_event,
    verify_signature,
)

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-PagerDuty-Signature"


def pagerduty_webhook_router(
    engine: Engine, config: PagerDutyWebhookConfig | None, clock: Callable[[], datetime]
) -> APIRouter:
    """The router of PagerDuty's webhook; ``config`` None answers 404."""
    router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

    @router.post("/pagerduty")
    async def receive(request: Request) -> dict[str, Any]:
        """Verify, parse and apply one PagerDuty V3 webhook event."""
        if config is None:
            raise HTTPException(status_code=404, detail="PagerDuty webhooks are not configured")
        body = await request.body()
        if len(body) > config.max_body_bytes:
            raise HTTPException(status_code=413, detail="body too large")
        secrets = [s.get_secret_value() for s in config.secrets]
        if not verify_signature(body, request.headers.get(SIGNATURE_HEADER), secrets):
            log.warning("PagerDuty webhook with a missing or invalid signature rejected")
            raise HTTPException(status_code=401, detail="invalid or missing signature")
        try:
            event = parse_event(json.loads(body))
        except (ValueError, MalformedEventError) as exc:
            raise HTTPException(status_code=400, detail=f"not a PagerDuty event: {exc}") from None
        outcome = apply_event(engine, event, clock())
        log.info("PagerDuty %s %s: %s", event.event_type, event.id, outcome.detail)
        return {
            "result": outcome.result,
            "detail": outcome.detail,
            "incident_id": outcome.incident_id,
        }

    return router

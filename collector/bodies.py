"""Reading a request body into a list of events: JSON array or NDJSON, plain or gzip.

Every limit holds on what is actually decoded: ``max_body_bytes`` bounds the bytes read
from the socket *and* the bytes gzip inflates them to (a 10 kB gzip bomb that inflates to
10 GB stops at the limit, having allocated no more than it), ``max_batch_rows`` bounds the
number of events.

Bodies are parsed with orjson, and again with the standard library when orjson refuses one,
so what is accepted and every error message stay the standard library's (it takes ``NaN``
and ``1e999``, which validation then refuses per row, and it names the failing line). One
difference remains: an integer beyond 64 bits arrives as the nearest float.
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

import orjson
from fastapi import Request

from collector.config import CollectorConfig
from collector.errors import PayloadError, PayloadTooLarge, UnsupportedEncoding

NDJSON_TYPES = frozenset({"application/x-ndjson", "application/ndjson", "application/jsonl"})
_CHUNK = 64 * 1024
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"body of {declared} bytes is over the limit of {limit}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"body is over the limit of {limit} bytes")
    return bytes(body)


def gunzip(data: bytes, limit: int) -> bytes:
    """Inflate gzip ``data`` (one or more members), never producing more than ``limit`` bytes."""
    out = bytearray()
    while data:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while True:
                piece = inflater.decompress(data, _CHUNK)
                out += piece
                if len(out) > limit:
                    raise PayloadTooLarge(f"decompressed body is over the limit of {limit} bytes")
                data = inflater.unconsumed_tail
                if inflater.eof or (not data and not piece):
                    break
        except zlib.error:
            raise PayloadError("body is not valid gzip") from None
        if not inflater.eof:
            raise PayloadError("gzip body is truncated")
        data = inflater.unused_data
    return bytes(out)


def decode_content(data: bytes, encoding: str | None, limit: int) -> bytes:
    """Undo ``Content-Encoding``: gzip or none; anything else is 415."""
    coding = (encoding or "identity").strip().lower()
    if coding in ("", "identity"):
        return data
    if coding in ("gzip", "x-gzip"):
        return gunzip(data, limit)
    raise UnsupportedEncoding(f"Content-Encoding {coding!r} is not supported; use gzip")


def _refuse_lone_surrogates(data: bytes, events: list[Any]) -> None:
    """Refuse a ``\\ud800``-style escape that is not half of a pair: it decodes to a string
    no database encoding can hold. The exact check runs only when the bytes hint at one."""
    if _SURROGATE_ESCAPE.search(data) is None:
        return
    try:
        json.dumps(events, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise PayloadError("body contains an unpaired UTF-16 surrogate escape") from None


def _loads(data: bytes) -> tuple[Any, bool]:
    """The decoded JSON, and whether orjson decoded it (then it has no lone surrogate)."""
    try:
        return orjson.loads(data), True
    except orjson.JSONDecodeError:
        return json.loads(data), False


def parse_events(data: bytes, content_type: str | None) -> list[Any]:
    """A JSON array of events, or one event per line for an NDJSON content type."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    checked = True
    if media in NDJSON_TYPES:
        events = []
        for number, line in enumerate(data.split(b"\n"), start=1):
            if not line.strip():
                continue
            try:
                event, fast = _loads(line)
            except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, huge ints
                raise PayloadError(f"line {number} is not valid JSON: {exc}") from None
            events.append(event)
            checked = checked and fast
    else:
        try:
            events, checked = _loads(data)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, huge ints
            raise PayloadError(f"body is not valid JSON: {exc}") from None
        if not isinstance(events, list):
            raise PayloadError("body must be a JSON array of events (or NDJSON lines)")
    if not checked:
        _refuse_lone_surrogates(data, events)
    return events


async def read_events(request: Request, config: CollectorConfig) -> list[Any]:
    """Read, decompress and parse the body of an ingestion request within every limit."""
    raw = await read_body(request, config.max_body_bytes)
    data = decode_content(raw, request.headers.get("content-encoding"), config.max_body_bytes)
    events = parse_events(data, request.headers.get("content-type"))
    if len(events) > config.max_batch_rows:
        raise PayloadTooLarge(
            f"{len(events)} events is over the batch limit of {config.max_batch_rows}"
        )
    return events

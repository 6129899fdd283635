"""API-key authentication: keys are kept as SHA-256 digests and compared in constant time.

Keys come from two places: ``collector.api_keys`` in ``vigil.yaml`` (fixed until a restart)
and the ``api_keys`` table (created and revoked at run time by ``vigil keys`` and
``/v1/admin/keys``). :class:`StoredKeys` re-reads the table at most every ``ttl`` seconds,
so a revoke takes effect within seconds everywhere and ingestion does not query the
database per request. While the database is unreachable the keys last read stay in force
(revocations made meanwhile cannot be seen anyway), so ingestion into the spool goes on.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from collector.config import ApiKeyConfig, Scope
from collector.errors import AuthError, Forbidden
from store.api_keys import unrevoked_api_keys
from store.errors import StoreUnavailable

log = logging.getLogger(__name__)

#: Prefix of generated keys, so a leaked one is recognisable in a secret scanner.
KEY_PREFIX = "vgl_"


def new_secret() -> str:
    """A fresh API key: 256 random bits, URL-safe. Shown once, stored only as its digest."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's name, its scopes and the models it may touch (None: all)."""

    name: str
    scopes: frozenset[str]
    models: frozenset[str] | None

    def require(self, scope: Scope) -> None:
        if scope not in self.scopes and "admin" not in self.scopes:
            raise Forbidden(f"key {self.name!r} lacks the {scope!r} scope")

    def may_use(self, model: str) -> bool:
        return self.models is None or model in self.models


@dataclass(frozen=True)
class _Key:
    digest: bytes
    principal: Principal
    expires_at: datetime | None = None


class StoredKeys:
    """The unrevoked keys of the ``api_keys`` table, cached for ``ttl`` seconds.

    The first lookup reads the table, unless :meth:`refresh` did already (the app's
    authenticator is built with a first read: :func:`vigil.auth.build_authenticator`).
    Later, a lookup that finds the cache older than ``ttl`` answers from it at once and
    re-reads the table on a background thread, so a slow or unreachable database never
    holds a request (the event loop included). :meth:`refresh` reads synchronously: after
    a create or revoke made by this process, and in tests. ``timer`` is monotonic seconds,
    a parameter so tests need not sleep through the TTL; ``background=False`` refreshes
    inline instead.
    """

    def __init__(
        self,
        engine: Engine,
        ttl: float = 5.0,
        timer: Callable[[], float] = time.monotonic,
        *,
        background: bool = True,
    ) -> None:
        self._engine = engine
        self._ttl = ttl
        self._timer = timer
        self._background = background
        self._lock = threading.Lock()
        self._keys: list[_Key] = []
        self._loaded = False
        self._refreshing = False
        self._fresh_until = float("-inf")
        self._failing = False
        self._started = 0  # refreshes begun; only a newer read may replace the keys
        self._applied = 0

    def invalidate(self) -> None:
        """Re-read the table now (after this process created or revoked a key)."""
        self.refresh()

    def current(self) -> list[_Key]:
        """The keys as last read; a stale cache is refreshed (in the background once loaded)."""
        with self._lock:
            if self._timer() < self._fresh_until:
                return self._keys
            loaded, refreshing = self._loaded, self._refreshing
            if loaded and self._background:
                if not refreshing:
                    self._refreshing = True
                    threading.Thread(
                        target=self.refresh, name="vigil-api-key-refresh", daemon=True
                    ).start()
                return self._keys
        self.refresh()
        with self._lock:
            return self._keys

    def refresh(self) -> None:
        """Read the table. On failure keep the keys last read, and wait ``ttl`` to retry:
        an outage must not put a connection attempt on every request."""
        with self._lock:
            self._started += 1
            sequence = self._started
        try:
            records = unrevoked_api_keys(self._engine)
        except StoreUnavailable as exc:
            with self._lock:
                self._fresh_until = self._timer() + self._ttl
                self._refreshing = False
                self._loaded = True
                if not self._failing:
                    log.warning(
                        "cannot refresh API keys, keeping the %d last read: %s",
                        len(self._keys),
                        exc,
                    )
                    self._failing = True
            return
        keys = [
            _Key(
                bytes.fromhex(r.key_sha256),
                Principal(
                    name=r.name,
                    scopes=frozenset(r.scopes),
                    models=frozenset(r.models) if r.models is not None else None,
                ),
                r.expires_at,
            )
            for r in records
        ]
        with self._lock:
            if sequence > self._applied:  # a slower, older read must not undo a revoke
                self._keys = keys
                self._applied = sequence
            self._fresh_until = self._timer() + self._ttl
            self._refreshing = False
            self._loaded = True
            self._failing = False


class Authenticator:
    """Maps a bearer token to a :class:`Principal`.

    ``stored`` adds the database's keys to the configured ones; ``clock`` (wall time) decides
    whether a stored key has expired.
    """

    def __init__(
        self,
        keys: Iterable[ApiKeyConfig],
        stored: StoredKeys | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if stored is not None and clock is None:
            raise ValueError("stored keys need a clock to check their expiry")
        self._keys = [
            _Key(
                bytes.fromhex(k.digest),
                Principal(
                    name=k.name,
                    scopes=frozenset(k.scopes),
                    models=frozenset(k.models) if k.models is not None else None,
                ),
            )
            for k in keys
        ]
        self._stored = stored
        self._clock = clock

    @property
    def stored(self) -> StoredKeys | None:
        return self._stored

    def authenticate(self, authorization: str | None) -> Principal:
        """Check an ``Authorization`` header value; raise AuthError when it is not a valid key."""
        if not authorization:
            raise AuthError("missing Authorization header: use 'Authorization: Bearer <key>'")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("Authorization must be 'Bearer <key>'")
        digest = hashlib.sha256(token.strip().encode()).digest()
        candidates = self._keys
        if self._stored is not None:
            candidates = candidates + self._stored.current()
        found: _Key | None = None
        for key in candidates:
            # Compare against every key, so timing does not reveal which one nearly matched.
            if hmac.compare_digest(key.digest, digest):
                found = key
        if found is None:
            raise AuthError("invalid API key")
        if found.expires_at is not None:
            assert self._clock is not None
            if found.expires_at <= self._clock():
                raise AuthError(f"API key {found.principal.name!r} has expired")
        return found.principal

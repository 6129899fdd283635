"""API-key authentication: keys are kept as SHA-256 digests and compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from collector.config import ApiKeyConfig, Scope
from collector.errors import AuthError, Forbidden


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


class Authenticator:
    """Maps a bearer token to a :class:`Principal`."""

    def __init__(self, keys: Iterable[ApiKeyConfig]) -> None:
        self._keys = [
            (
                bytes.fromhex(k.digest),
                Principal(
                    name=k.name,
                    scopes=frozenset(k.scopes),
                    models=frozenset(k.models) if k.models is not None else None,
                ),
            )
            for k in keys
        ]

    def authenticate(self, authorization: str | None) -> Principal:
        """Check an ``Authorization`` header value; raise AuthError when it is not a valid key."""
        if not authorization:
            raise AuthError("missing Authorization header: use 'Authorization: Bearer <key>'")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("Authorization must be 'Bearer <key>'")
        digest = hashlib.sha256(token.strip().encode()).digest()
        found: Principal | None = None
        for stored, principal in self._keys:
            # Compare against every key, so timing does not reveal which one nearly matched.
            if hmac.compare_digest(stored, digest):
                found = principal
        if found is None:
            raise AuthError("invalid API key")
        return found

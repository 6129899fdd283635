"""Redaction of features marked ``pii`` in the model spec, applied before the spool.

``pii: hash`` replaces the value with ``hmac-sha256:<hex>`` of its canonical JSON, keyed
by ``collector.pii_key``: equal values still hash equal (counts, drift and joins keep
working) but nobody without the key can test a guess. ``pii: drop`` removes the value.
Redaction runs on validated rows, so neither the spool, the store nor an error message
ever holds the raw value (row errors name fields, never values).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from pydantic import SecretStr

from store.specs import ModelSpec

PREFIX = "hmac-sha256:"


def missing_pii_key(models: Sequence[ModelSpec], pii_key: SecretStr | None) -> list[str]:
    """Config paths of ``pii: hash`` features that cannot be hashed because no key is set."""
    if pii_key is not None and pii_key.get_secret_value():
        return []
    return [
        f"models[{m}].features[{f}].pii"
        for m, model in enumerate(models)
        for f, feature in enumerate(model.features)
        if feature.pii == "hash"
    ]


def pseudonym(key: bytes, value: Any) -> str:
    """The keyed hash that stands for ``value``."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    return PREFIX + hmac.new(key, canonical, hashlib.sha256).hexdigest()


class Redactor:
    """Hashes or drops the PII features of prediction rows, per model."""

    def __init__(self, models: Sequence[ModelSpec], pii_key: SecretStr | None) -> None:
        missing = missing_pii_key(models, pii_key)
        if missing:
            raise ValueError(
                f"collector.pii_key must be set to hash {', '.join(missing)} "
                "(usually pii_key: ${VIGIL_PII_KEY})"
            )
        self._key = pii_key.get_secret_value().encode() if pii_key is not None else b""
        self._rules = {
            model.name: {f.name: f.pii for f in model.features if f.pii is not None}
            for model in models
        }

    @property
    def active(self) -> bool:
        return any(self._rules.values())

    @property
    def redacted_models(self) -> frozenset[str]:
        """Names of the models that have PII features."""
        return frozenset(name for name, rules in self._rules.items() if rules)

    def redact(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows with every PII feature hashed or dropped (rows of other kinds untouched)."""
        if not self.active:
            return rows
        out = []
        for row in rows:
            rules = self._rules.get(row.get("model", ""), {})
            if not rules or "features" not in row:
                out.append(row)
                continue
            features = {}
            for name, value in row["features"].items():
                rule = rules.get(name)
                if rule == "drop":
                    continue
                features[name] = (
                    pseudonym(self._key, value) if rule == "hash" and value is not None else value
                )
            out.append({**row, "features": features})
        return out

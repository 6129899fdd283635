"""Group keys: which alerts a route notifies about together.

As in Alertmanager's dispatcher, a group is identified by the route and the values of the
route's ``group_by`` labels (all labels with ``'...'``); labels an alert does not have are left
out. The key is ``<route id>:{name="value",...}``, readable in the outbox and in logs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from alerting.routing import CompiledRoute

#: Length of ``notifications.group_key``; longer keys keep a readable prefix and a hash.
MAX_GROUP_KEY = 500


def group_labels(route: CompiledRoute, labels: Mapping[str, str]) -> dict[str, str]:
    """The labels that decide the group of an alert on ``route``."""
    if route.opts.group_by_all:
        return dict(sorted(labels.items()))
    return {name: labels[name] for name in sorted(route.opts.group_by) if name in labels}


def group_key(route: CompiledRoute, labels: Mapping[str, str]) -> str:
    """A stable key for the group of an alert on ``route``; at most :data:`MAX_GROUP_KEY` long."""
    values = ",".join(f'{name}="{value}"' for name, value in group_labels(route, labels).items())
    key = f"{route.id}:{{{values}}}"
    if len(key) <= MAX_GROUP_KEY:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{key[: MAX_GROUP_KEY - len(digest) - 1]}#{digest}"

"""``vigil routes test``: which receivers an alert with given labels reaches, like amtool.

``amtool config routes test --config.file=F --verify.receivers=a,b label=value ...`` prints
the matched receivers comma-separated, in the order of the routing tree (a receiver reached
by two routes is printed twice), and fails when ``--verify.receivers`` differs. The same
here, on either file Vigil users have: a plain Alertmanager config (``route`` and
``receivers`` at the top level; ``global``, ``templates`` and integrations Vigil does not
implement are ignored, since only receiver names matter) or a ``vigil.yaml`` (its
``alerting`` section). The route tree is validated as ``vigil serve`` would validate it,
and every mistake is reported with its YAML path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from alerting.config import AlertingConfig
from alerting.config.checks import reference_problems
from alerting.errors import RoutingFileError
from alerting.matchers import parse_matcher
from alerting.routing import compile_route

#: Sections of the routing config that ``routes test`` validates.
ROUTING_KEYS = ("route", "inhibit_rules", "time_intervals", "mute_time_intervals")


@dataclass(frozen=True)
class RoutesTestResult:
    """The receivers reached, in tree order, and whether they were the expected ones."""

    receivers: list[str]
    expected: str | None

    @property
    def slug(self) -> str:
        """The receivers as amtool prints them: ``a,b``."""
        return ",".join(self.receivers)

    @property
    def ok(self) -> bool:
        """False only when an expectation was given and differs."""
        return self.expected is None or self.expected == self.slug


def _loc(prefix: str, loc: Sequence[int | str]) -> str:
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def routing_config(text: str, source: str = "<string>") -> AlertingConfig:
    """The routing part of an Alertmanager file or of a ``vigil.yaml``, validated."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RoutingFileError(source, [("(yaml)", f"not valid YAML: {exc}")]) from None
    if not isinstance(raw, dict):
        raise RoutingFileError(source, [("(top level)", "expected a mapping")])
    prefix = ""
    if "alerting" in raw and "route" not in raw:
        raw, prefix = raw["alerting"] or {}, "alerting"
    if not isinstance(raw, dict) or "route" not in raw:
        raise RoutingFileError(source, [(prefix or "(top level)", "no route to test")])
    section: dict[str, Any] = {key: raw[key] for key in ROUTING_KEYS if key in raw}
    receivers = raw.get("receivers") or []
    section["receivers"] = [
        {"name": r.get("name")} for r in receivers if isinstance(r, dict) and "name" in r
    ]
    try:
        config = AlertingConfig.model_validate(section)
    except ValidationError as exc:
        problems = [(_loc(prefix, err["loc"]), err["msg"]) for err in exc.errors()]
        raise RoutingFileError(source, problems) from None
    problems = reference_problems(config, prefix)
    if config.route.receiver is None:
        problems.insert(0, (_loc(prefix, ["route", "receiver"]), "the root route needs a receiver"))
    if problems:
        raise RoutingFileError(source, sorted(set(problems)))
    return config


def parse_labels(args: Sequence[str]) -> dict[str, str]:
    """``name=value`` arguments as a label set; anything but ``=`` is refused, as in amtool."""
    labels: dict[str, str] = {}
    for arg in args:
        try:
            matcher = parse_matcher(arg)
        except ValueError as exc:
            raise ValueError(f"failed to parse labels: {exc}") from None
        if matcher.op != "=":
            raise ValueError("labels must be specified as key=value pairs")
        labels[matcher.name] = matcher.value
    return labels


def matched_receivers(config: AlertingConfig, labels: Mapping[str, str]) -> list[str]:
    """The receiver of every route the labels match, depth-first in config order."""
    return [route.receiver for route in compile_route(config.route).match(labels)]


def routes_test(
    text: str, label_args: Sequence[str], expected: str | None = None, source: str = "<string>"
) -> RoutesTestResult:
    """Load the config, parse the labels, and match them."""
    config = routing_config(text, source)
    return RoutesTestResult(matched_receivers(config, parse_labels(label_args)), expected)

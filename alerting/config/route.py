"""``alerting.route``: a node of the routing tree, in Alertmanager's syntax.

Every field of Alertmanager's ``route`` is accepted: ``receiver``, ``group_by`` (with
``'...'`` for all labels), ``continue``, ``matchers`` and the legacy ``match`` /
``match_re``, the three timers, ``mute_time_intervals`` / ``active_time_intervals`` (names
of ``time_intervals`` entries) and child ``routes``. Unset fields inherit from the parent
when the tree is compiled (:mod:`alerting.routing`), except the time intervals, which, as in
Alertmanager, apply only to the route that names them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from alerting.config.escalation import RouteEscalation
from alerting.config.labels import check_label_names, check_matchers, check_regexes, label_map
from alerting.matchers import Matcher, parse_all
from store.durations import Duration

GROUP_BY_ALL = "..."


class Route(BaseModel):
    """A node of the routing tree (Alertmanager's ``route``)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    receiver: str | None = None
    matchers: tuple[str, ...] = ()
    match: dict[str, str] = Field(default_factory=dict)
    match_re: dict[str, str] = Field(default_factory=dict)
    continue_: bool = Field(default=False, alias="continue")
    group_by: tuple[str, ...] | None = None
    group_wait: Duration | None = None
    group_interval: Duration | None = None
    repeat_interval: Duration | None = None
    mute_time_intervals: tuple[str, ...] = ()
    active_time_intervals: tuple[str, ...] = ()
    routes: tuple[Route, ...] = ()
    #: Vigil's addition: the escalation policy of incidents of this route (inherited).
    escalation: RouteEscalation | None = None

    @field_validator("match", "match_re", mode="before")
    @classmethod
    def _strings(cls, value: Any) -> Any:
        return label_map(value)

    @field_validator("match")
    @classmethod
    def _names(cls, match: dict[str, str]) -> dict[str, str]:
        check_label_names(match)
        return match

    @field_validator("matchers")
    @classmethod
    def _parse(cls, matchers: tuple[str, ...]) -> tuple[str, ...]:
        return check_matchers(matchers)

    @field_validator("match_re")
    @classmethod
    def _regexes(cls, match_re: dict[str, str]) -> dict[str, str]:
        return check_regexes(match_re)

    @field_validator("group_by")
    @classmethod
    def _group_by(cls, group_by: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if group_by is None:
            return None
        if GROUP_BY_ALL in group_by and len(group_by) > 1:
            raise ValueError("cannot have wildcard group_by ('...') and other labels")
        duplicates = sorted({name for name in group_by if group_by.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicated label {duplicates[0]!r} in group_by")
        check_label_names(name for name in group_by if name != GROUP_BY_ALL)
        return group_by

    @field_validator("group_interval", "repeat_interval")
    @classmethod
    def _positive(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value <= timedelta(0):
            raise ValueError("must be greater than zero")
        return value

    def all_matchers(self) -> tuple[Matcher, ...]:
        """``matchers``, ``match`` and ``match_re`` as one tuple of matchers."""
        parsed = list(parse_all(self.matchers))
        parsed += [Matcher(name, "=", value) for name, value in sorted(self.match.items())]
        parsed += [Matcher(name, "=~", value) for name, value in sorted(self.match_re.items())]
        return tuple(parsed)

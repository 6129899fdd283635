"""How Sloth spells things in PromQL: floats, durations, label filters and ``{{.window}}``.

Sloth is written in Go, so its rules print numbers with Go's ``%g`` (``14.4``, ``6``,
``0.0009999999999999432``, ``1e-05``) and durations with Prometheus's ``model.Duration``
(``5m``, ``1d``, and ``4w`` rather than ``28d``: whole weeks and years are folded). Rules that
must read the same as Sloth's use these functions, never ``repr`` or
:func:`store.durations.format_duration`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

from slo.errors import RulesError

_WINDOW_TEMPLATE = re.compile(r"\{\{\s*\.window\s*\}\}")
_ANY_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def _shortest_digits(value: float) -> tuple[str, int]:
    """The shortest round-trip digits of ``value > 0`` and where the decimal point goes.

    ``0.00125`` is ``("125", -2)``: the value is ``0.125 * 10**-2``. Python's ``repr`` and Go's
    ``strconv`` both print the shortest digits that read back to the same float.
    """
    _, digits, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    point = len(text) + exponent
    stripped = text.lstrip("0")
    point -= len(text) - len(stripped)
    return stripped.rstrip("0") or "0", point


def _special(value: float) -> str | None:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return "0" if value == 0 else None


def go_plain(value: float) -> str:
    """Go's ``strconv.FormatFloat(value, 'f', -1, 64)``: shortest digits, never an exponent."""
    special = _special(value)
    if special is not None:
        return special
    sign = "-" if value < 0 else ""
    digits, point = _shortest_digits(abs(value))
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def go_float(value: float) -> str:
    """Go's ``fmt.Sprintf("%g", value)``: an exponent below 1e-4 and from 1e+06 up."""
    special = _special(value)
    if special is not None:
        return special
    digits, point = _shortest_digits(abs(value))
    exponent = point - 1
    if -4 <= exponent < 6:
        return go_plain(value)
    sign = "-" if value < 0 else ""
    mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
    return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"


def prom_duration(span: timedelta) -> str:
    """Prometheus's ``model.Duration.String()``: ``4w`` for 28 days, ``1h30m`` for 90 minutes."""
    ms = span // timedelta(milliseconds=1)
    if ms <= 0:
        return "0s"
    out = ""
    for unit, size, exact in (
        ("y", 365 * 86_400_000, True),
        ("w", 7 * 86_400_000, True),
        ("d", 86_400_000, False),
        ("h", 3_600_000, False),
        ("m", 60_000, False),
        ("s", 1000, False),
        ("ms", 1, False),
    ):
        if exact and ms % size:
            continue
        count, ms = divmod(ms, size)
        if count:
            out += f"{count}{unit}"
    return out


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + '"'


def label_filter(labels: Mapping[str, str]) -> str:
    """A selector such as ``{sloth_id="a", sloth_slo="b"}``: sorted, as Go's ``LabelSet``."""
    return "{" + ", ".join(f"{k}={_quote(labels[k])}" for k in sorted(labels)) + "}"


def check_label_names(labels: Mapping[str, str], where: str) -> None:
    """Raise :class:`RulesError` for a name Prometheus would refuse (or ``__name__``)."""
    for name in labels:
        if not _LABEL_NAME.match(name) or name == "__name__":
            raise RulesError(f"{where}: invalid Prometheus label name {name!r}")


def render_window(query: str, window: timedelta, where: str) -> str:
    """Put a window into a query's ``{{.window}}``; any other template is an error."""
    rendered = _WINDOW_TEMPLATE.sub(prom_duration(window), query)
    leftover = _ANY_TEMPLATE.search(rendered)
    if leftover:
        raise RulesError(
            f"{where}: unsupported template {leftover.group(0)!r}; only {{{{.window}}}} is known"
        )
    return rendered


def uses_window(query: str) -> bool:
    """Whether a query takes the alert window through ``{{.window}}``."""
    return bool(_WINDOW_TEMPLATE.search(query))

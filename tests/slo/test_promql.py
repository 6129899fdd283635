"""Numbers, durations, selectors and window templates spelled as Sloth (Go) spells them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from slo.errors import RulesError
from slo.promql import (
    check_label_names,
    go_float,
    go_plain,
    label_filter,
    prom_duration,
    render_window,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(14.4, "14.4", id="a burn factor prints as written"),
        pytest.param(6.0, "6", id="a whole number has no decimal point"),
        pytest.param(
            99.9 / 100, "0.9990000000000001", id="an objective ratio keeps its float error"
        ),
        pytest.param((100 - 99.9) / 100, "0.0009999999999999432", id="so does Sloth's budget"),
        pytest.param(0.0001, "0.0001", id="1e-4 is still written out"),
        pytest.param(1e-05, "1e-05", id="below 1e-4 Go switches to an exponent"),
        pytest.param(100000.0, "100000", id="below a million is written out"),
        pytest.param(1234567.0, "1.234567e+06", id="from a million on, an exponent"),
        pytest.param(-2.5, "-2.5", id="negative numbers keep their sign"),
        pytest.param(0.0, "0", id="zero is 0"),
        pytest.param(float("inf"), "+Inf", id="infinity is PromQL's +Inf"),
    ],
)
def test_floats_print_as_gos_percent_g(value: float, expected: str) -> None:
    assert go_float(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(99.9, "99.9", id="an objective prints as written"),
        pytest.param(99.0, "99", id="a whole objective has no decimal point"),
        pytest.param(1e-05, "0.00001", id="a tiny value is written out, never an exponent"),
    ],
)
def test_plain_floats_print_as_gos_f_format(value: float, expected: str) -> None:
    assert go_plain(value) == expected


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        pytest.param(timedelta(minutes=5), "5m", id="minutes"),
        pytest.param(timedelta(minutes=90), "1h30m", id="mixed hours and minutes"),
        pytest.param(timedelta(days=3), "3d", id="days"),
        pytest.param(timedelta(days=30), "30d", id="30 days are not whole weeks"),
        pytest.param(timedelta(days=28), "4w", id="28 days are 4 weeks, as Prometheus prints"),
        pytest.param(timedelta(days=14), "2w", id="14 days are 2 weeks"),
        pytest.param(timedelta(days=365), "1y", id="365 days are a year"),
        pytest.param(timedelta(0), "0s", id="nothing is 0s"),
    ],
)
def test_durations_print_as_prometheus_model_duration(span: timedelta, expected: str) -> None:
    assert prom_duration(span) == expected


def test_selectors_sort_their_labels_and_escape_values() -> None:
    labels = {"sloth_slo": 'say "hi"', "sloth_id": "a\\b"}
    assert label_filter(labels) == '{sloth_id="a\\\\b", sloth_slo="say \\"hi\\""}'


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("rate(x[{{.window}}])", id="Sloth's spelling"),
        pytest.param("rate(x[{{ .window }}])", id="with spaces inside the braces"),
    ],
)
def test_the_window_template_is_filled_in(query: str) -> None:
    assert render_window(query, timedelta(hours=6), "SLO 'a'") == "rate(x[6h])"


def test_any_other_template_is_refused() -> None:
    with pytest.raises(RulesError, match=r"SLO 'a': unsupported template '\{\{.service\}\}'"):
        render_window("rate(x{s='{{.service}}'}[{{.window}}])", timedelta(hours=1), "SLO 'a'")


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("1team", id="a name starting with a digit"),
        pytest.param("team-name", id="a name with a dash"),
        pytest.param("__name__", id="the metric name label"),
    ],
)
def test_label_names_prometheus_refuses_are_refused(name: str) -> None:
    with pytest.raises(RulesError, match="invalid Prometheus label name"):
        check_label_names({name: "x"}, "SLO 'a'")

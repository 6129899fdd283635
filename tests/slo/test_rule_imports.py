"""Sloth and OpenSLO documents read as rule specs, and the mistakes they can hold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rule_cases import GOLDEN, SLOTH

from slo.errors import RulesError, SpecImportError
from slo.openslo_import import load_openslo
from slo.promspec import DISABLED, AlertMeta, EventsSLI, RawSLI, RuleIntervals
from slo.sloth_import import load_sloth

GETTING_STARTED = (SLOTH / "getting-started.input.yml").read_text()
OPENSLO_ALPHA = (SLOTH / "openslo-getting-started.input.yml").read_text()
OPENSLO_V1 = (GOLDEN / "openslo-v1.input.yml").read_text()


def test_a_sloth_slo_maps_field_for_field() -> None:
    [slo] = load_sloth(GETTING_STARTED, "gs.yml", period=timedelta(days=28))

    assert (slo.id, slo.service, slo.name) == (
        "myservice-requests-availability",
        "myservice",
        "requests-availability",
    )
    assert (slo.objective, slo.period, slo.spec) == (99.9, timedelta(days=28), "prometheus/v1")
    assert isinstance(slo.sli, EventsSLI)
    assert slo.labels == {"owner": "myteam", "repo": "myorg/myservice", "tier": "2"}
    assert slo.page_alert == AlertMeta(
        name="MyServiceHighErrorRate",
        labels={"category": "availability", "severity": "pageteam", "routing_key": "myteam"},
        annotations={"summary": "High error rate on 'myservice' requests responses"},
    )
    assert slo.ticket_alert.labels["slack_channel"] == "#alerts-myteam"


def test_raw_slis_intervals_and_disabled_alerts_are_read() -> None:
    text = """
version: prometheus/v1
service: svc
slos:
  - name: raw
    objective: 99
    labels: {tier: "1"}
    infoLabels: {owner: me}
    sli: {raw: {error_ratio_query: "job:errors:ratio_rate{{.window}}"}}
    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}
    interval: {all: 2m, alert: 30s}
"""
    [slo] = load_sloth(text)
    assert slo.sli == RawSLI("job:errors:ratio_rate{{.window}}")
    assert (slo.page_alert, slo.ticket_alert) == (DISABLED, DISABLED)
    assert slo.intervals == RuleIntervals(all=timedelta(minutes=2), alert=timedelta(seconds=30))
    assert slo.info_labels == {"owner": "me"}


def _sloth(replace: str, by: str) -> str:
    assert replace in GETTING_STARTED
    return GETTING_STARTED.replace(replace, by)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            _sloth('"prometheus/v1"', '"prometheus/v2"'),
            "version: unknown spec version 'prometheus/v2'",
            id="another spec version names the supported one",
        ),
        pytest.param(
            _sloth("objective: 99.9", "objective: 100.5"),
            "slos[0].objective: Input should be less than or equal to 100",
            id="an objective above 100 is refused",
        ),
        pytest.param(
            _sloth("name: MyServiceHighErrorRate", "labels2: {}"),
            "slos[0].alerting.labels2: unknown field",
            id="an unknown field is refused with its path",
        ),
        pytest.param(
            _sloth("      name: MyServiceHighErrorRate\n", ""),
            "slos[0].alerting: name is required unless page_alert and ticket_alert are disabled",
            id="enabled alerts need a name",
        ),
        pytest.param(
            _sloth("    sli:\n", "    sli:\n      raw: {error_ratio_query: x}\n"),
            "slos[0].sli: give exactly one of raw or events",
            id="two kinds of SLI are refused",
        ),
        pytest.param(
            _sloth("    sli:\n", "    sli:\n      plugin: {id: sloth-common/availability}\n"),
            "slos[0].sli.plugin: plugins run Go code inside Sloth",
            id="SLI plugins are refused rather than ignored",
        ),
        pytest.param(
            "version: prometheus/v1\nservice: s\nslos: []\n",
            "slos: List should have at least 1 item",
            id="a spec without SLOs is refused",
        ),
        pytest.param("slos: [", "line 1, column 8", id="broken YAML names where"),
    ],
)
def test_sloth_mistakes_name_the_file_and_the_path(text: str, message: str) -> None:
    with pytest.raises(SpecImportError) as raised:
        load_sloth(text, "team.yml")
    assert str(raised.value).startswith("team.yml: invalid ")
    assert message in str(raised.value)


def test_a_label_name_prometheus_refuses_is_refused() -> None:
    with pytest.raises(RulesError, match="invalid Prometheus label name 'bad-label'"):
        load_sloth(_sloth('tier: "2"', 'bad-label: "2"'))


def test_an_openslo_v1alpha_objective_is_one_recordings_only_slo() -> None:
    [slo] = load_openslo(OPENSLO_ALPHA, "o.yml")
    assert (slo.id, slo.name, slo.objective) == (
        "my-service-sloth-slo-my-service-0",
        "sloth-slo-my-service-0",
        99.9,
    )
    assert (slo.period, slo.spec, slo.page_alert, slo.ticket_alert) == (
        timedelta(days=30),
        "openslo/v1alpha",
        DISABLED,
        DISABLED,
    )
    assert isinstance(slo.sli, RawSLI)
    assert slo.sli.error_ratio_query.strip().startswith("1 - (")


def test_openslo_v1_resolves_references_and_maps_bad_events_to_sloths_events() -> None:
    search, checkout = load_openslo(OPENSLO_V1, "v1.yml")

    assert (search.name, search.objective, search.period) == (
        "search-availability-0",
        99.5,
        timedelta(days=28),
    )
    assert isinstance(search.sli, RawSLI)
    assert 'code!~"5.."' in search.sli.error_ratio_query
    assert (checkout.period, checkout.spec) == (timedelta(weeks=1), "openslo/v1")
    assert checkout.sli == EventsSLI(
        'sum(rate(checkout_requests_total{outcome="error"}[{{.window}}]))',
        "sum(rate(checkout_requests_total[{{.window}}]))",
    )


def _v1(replace: str, by: str) -> str:
    assert replace in OPENSLO_V1
    return OPENSLO_V1.replace(replace, by, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            OPENSLO_ALPHA.replace("openslo/v1alpha", "openslo/v2"),
            "apiVersion: unknown OpenSLO version 'openslo/v2'",
            id="an unknown OpenSLO version is refused",
        ),
        pytest.param(
            OPENSLO_ALPHA.replace("unit: Day", "unit: Week"),
            "spec.timeWindows[0].unit: only Day is supported",
            id="v1alpha windows are counted in days, as in Sloth",
        ),
        pytest.param(
            OPENSLO_ALPHA.replace("source: prometheus", "source: datadog", 1),
            "spec.objectives[0].ratioMetrics.good: needs source prometheus",
            id="a v1alpha query from another source is refused",
        ),
        pytest.param(
            OPENSLO_ALPHA.replace("[{{.window}}]", "[5m]", 1),
            "spec.objectives[0].ratioMetrics.good.query: the query must take the window",
            id="a query without the window template is refused",
        ),
        pytest.param(
            _v1("budgetingMethod: Occurrences", "budgetingMethod: Timeslices"),
            "[document 2].spec.budgetingMethod: only Occurrences is supported",
            id="timeslice budgeting is refused",
        ),
        pytest.param(
            _v1("isRolling: true", "isRolling: false"),
            "[document 2].spec.timeWindow[0]: only one rolling window",
            id="a calendar window is refused for Prometheus rules",
        ),
        pytest.param(
            _v1("duration: 28d", "duration: 1M"),
            "[document 2].spec.timeWindow[0]: only one rolling window",
            id="a month has no fixed length for burn-rate windows",
        ),
        pytest.param(
            _v1("indicatorRef: search-success", "indicatorRef: nowhere"),
            "[document 2].spec.indicatorRef: no inline indicator and no SLI document named",
            id="a reference to a missing SLI is refused",
        ),
        pytest.param(
            _v1("type: Prometheus", "type: Datadog"),
            "SLI search-success.spec.ratioMetric.good.metricSource: only Prometheus sources",
            id="a DataSource of another type is refused",
        ),
        pytest.param(
            _v1("  ratioMetric:\n", "  thresholdMetric:\n"),
            "[document 1].spec.ratioMetric: Field required",
            id="a threshold metric is refused",
        ),
        pytest.param(
            "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: s}\n",
            "(top level): no document of kind SLO",
            id="a file without SLOs is refused",
        ),
    ],
)
def test_openslo_mistakes_name_the_file_and_the_path(text: str, message: str) -> None:
    with pytest.raises(SpecImportError) as raised:
        load_openslo(text, "slo.yml")
    assert str(raised.value).startswith("slo.yml: invalid ")
    assert message in str(raised.value)

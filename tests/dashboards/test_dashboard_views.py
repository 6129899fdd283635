"""Shaping signals and alerts into the dashboard's rows, without Streamlit or a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from dashboards.views import (
    BREACH_BACKGROUND,
    AlertRow,
    DriftRow,
    alert_rows,
    drift_rows,
    drifting_count,
    format_time,
    row_style,
    runbook_page,
    safe_link,
)
from store.alerts import AlertRecord
from store.records import Signal, StoredSignal

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _stored(
    subject: str,
    status: str,
    *,
    detector: str = "drift",
    value: float | None = 0.1,
    details: dict[str, Any] | None = None,
) -> StoredSignal:
    signal = Signal(
        detector=detector,
        model="credit",
        subject=subject,
        metric="psi",
        window_start=T0,
        window_end=T0 + timedelta(hours=1),
        value=value,
        threshold=0.2,
        status=status,  # type: ignore[arg-type]
        sample_size=100,
        details=details or {},
    )
    return StoredSignal(id=1, signal=signal, created_at=T0)


def _alert(labels: dict[str, str], annotations: dict[str, Any]) -> AlertRecord:
    return AlertRecord(
        id=7,
        fingerprint="fp",
        alertname=labels.get("alertname", "FeatureDrift"),
        labels=labels,
        annotations=annotations,
        status="firing",
        starts_at=T0,
        ends_at=None,
        updated_at=T0,
    )


def test_drift_rows_put_breaches_first_then_unknowns_then_ok_by_feature() -> None:
    rows = drift_rows(
        [
            _stored("b_ok", "ok"),
            _stored("z_breach", "breach", value=0.5),
            _stored("a_ok", "ok"),
            _stored("m_unknown", "not_computable", value=None),
            _stored("c_breach", "breach", value=0.3),
        ]
    )
    assert [r.feature for r in rows] == ["c_breach", "z_breach", "m_unknown", "a_ok", "b_ok"]
    assert drifting_count(rows) == 2


def test_a_drift_row_carries_what_a_reader_needs_with_the_time_in_utc() -> None:
    (row,) = drift_rows([_stored("income", "breach", value=0.31)])
    assert row == DriftRow(
        feature="income",
        method="psi",
        value=0.31,
        threshold=0.2,
        status="breach",
        window_end="2026-03-02 10:00 UTC",
        reason="",
    )


@pytest.mark.parametrize(
    ("status", "details", "reason"),
    [
        pytest.param(
            "not_computable",
            {"reason": "too few rows"},
            "too few rows",
            id="reason shown when not computable",
        ),
        pytest.param("not_computable", {}, "", id="no reason given stays empty"),
        pytest.param("ok", {"reason": "left over"}, "", id="reason hidden when computed"),
    ],
)
def test_the_reason_is_shown_only_for_results_that_could_not_be_computed(
    status: str, details: dict[str, Any], reason: str
) -> None:
    (row,) = drift_rows([_stored("zip", status, details=details)])
    assert row.reason == reason


def test_signals_of_other_detectors_are_left_out_of_the_drift_table() -> None:
    rows = drift_rows([_stored("income", "breach"), _stored("model", "breach", detector="quality")])
    assert [r.feature for r in rows] == ["income"]


def test_only_breaching_rows_are_highlighted_on_every_cell() -> None:
    assert row_style("breach", 3) == [BREACH_BACKGROUND] * 3
    assert row_style("ok", 3) == ["", "", ""]
    assert row_style("not_computable", 2) == ["", ""]


def test_times_are_converted_to_utc_before_formatting() -> None:
    at = datetime(2026, 3, 2, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    assert format_time(at) == "2026-03-02 09:30 UTC"


@pytest.mark.parametrize(
    ("url", "link"),
    [
        pytest.param("https://r.example/a.md", "https://r.example/a.md", id="https is a link"),
        pytest.param("http://wiki/drift", "http://wiki/drift", id="http is a link"),
        pytest.param("file:///srv/runbooks/a.md", "file:///srv/runbooks/a.md", id="file is a link"),
        pytest.param("  https://x.org/a  ", "https://x.org/a", id="surrounding spaces are trimmed"),
        pytest.param("javascript:alert(1)", None, id="javascript is never a link"),
        pytest.param("JavaScript:alert(1)", None, id="scheme check ignores case"),
        pytest.param("data:text/html,hi", None, id="data is never a link"),
        pytest.param("drift.md", None, id="a bare name is not a link"),
        pytest.param("", None, id="empty is no link"),
        pytest.param(None, None, id="missing is no link"),
        pytest.param(42, None, id="a number is no link"),
    ],
)
def test_only_safe_runbook_urls_become_links(url: object, link: str | None) -> None:
    assert safe_link(url) == link


def test_an_alert_row_takes_severity_from_labels_and_summary_and_runbook_from_annotations() -> None:
    rows = alert_rows(
        [
            _alert(
                {"alertname": "FeatureDrift", "severity": "page", "model": "credit"},
                {"summary": "income drifted", "runbook_url": "https://r.example/drift.md"},
            )
        ]
    )
    assert rows == [
        AlertRow(
            alertname="FeatureDrift",
            severity="page",
            summary="income drifted",
            since="2026-03-02 09:00 UTC",
            runbook="https://r.example/drift.md",
            runbook_page="runbooks?runbook=drift",
        )
    ]


def test_an_alert_without_severity_summary_or_runbook_still_gets_a_row() -> None:
    (row,) = alert_rows([_alert({"alertname": "Bare"}, {})])
    assert (row.alertname, row.severity, row.summary, row.runbook) == ("Bare", "", "", None)


def test_a_runbook_url_in_the_labels_is_used_when_the_annotations_have_none() -> None:
    (row,) = alert_rows([_alert({"alertname": "A", "runbook_url": "https://r/a.md"}, {})])
    assert row.runbook == "https://r/a.md"


@pytest.mark.parametrize(
    ("url", "page"),
    [
        pytest.param(
            "file:///srv/vigil/runbooks/feature-drift.md",
            "runbooks?runbook=feature-drift",
            id="a file runbook links to its page",
        ),
        pytest.param(
            "https://git.example/runbooks/slo-burn.md?plain=1",
            "runbooks?runbook=slo-burn",
            id="the query of the url is ignored",
        ),
        pytest.param("https://wiki.example/FeatureDrift", None, id="not a markdown file"),
        pytest.param("https://x.example/a%22b.md", None, id="an odd name gets no link"),
        pytest.param(None, None, id="no runbook url"),
    ],
)
def test_a_runbook_url_deep_links_to_the_runbooks_page_by_file_name(
    url: str | None, page: str | None
) -> None:
    assert runbook_page(url) == page

"""The Incidents page (AppTest on the seeded store) and its pure view and auth functions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from dashboard_seed import ACTION_VERSION, ALERT_SUMMARY, INCIDENT_TITLE, MODEL, RUNBOOK_URL
from streamlit.testing.v1 import AppTest

from alerting.incidents import Durations
from collector.config import hash_key
from dashboards.auth import allowed_operators, check_oidc, oidc_enabled
from dashboards.incident_view import allowed_verbs, duration_texts, silences_link
from dashboards.launch import (
    APP_PATH,
    DATABASE_URL_ENV,
    OIDC_ENV,
    OPERATOR_KEYS_ENV,
    OPERATORS_ENV,
)
from store.actions import get_action
from store.audit import audit_entries
from store.db import create_store_engine
from store.incidents import get_incident, timeline
from store.silences import list_silences

OPERATE_KEY = "operate-key-0123456789"
KEYS = json.dumps([{"name": "oncall", "sha256": hash_key(OPERATE_KEY), "scopes": ["operate"]}])
PAGE = "ui/incidents.py"


def _page(monkeypatch: pytest.MonkeyPatch, url: str, oidc: bool = False) -> AppTest:
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    monkeypatch.setenv(OPERATOR_KEYS_ENV, KEYS)
    if oidc:
        monkeypatch.setenv(OIDC_ENV, "1")
        monkeypatch.setenv(OPERATORS_ENV, json.dumps(["ana@example.org"]))
    else:
        monkeypatch.delenv(OIDC_ENV, raising=False)
    app = AppTest.from_file(str(APP_PATH), default_timeout=30)
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _button(app: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in app.button if b.label == label)


def test_everyone_sees_the_incident_its_timeline_alerts_and_actions_but_may_not_act(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _page(monkeypatch, seeded_url)
    incidents, events, alerts, actions = app.dataframe
    row = incidents.value.iloc[0]
    assert (row["id"], row["status"], row["model"], row["title"]) == (
        1, "triggered", MODEL, INCIDENT_TITLE,
    )  # fmt: skip
    assert list(events.value["event"]) == ["alert_fired", "action_requested"]
    assert len(app.get("vega_lite_chart")) == 1  # the same events on a time axis
    alert = alerts.value.iloc[0]
    assert (alert["summary"], alert["runbook"], alert["runbook_page"]) == (
        ALERT_SUMMARY, RUNBOOK_URL, "runbooks?runbook=feature-drift",
    )  # fmt: skip
    assert '"type": "link"' in alerts.proto.columns
    assert (actions.value.iloc[0]["status"], actions.value.iloc[0]["target_version"]) == (
        "awaiting_approval", ACTION_VERSION,
    )  # fmt: skip
    assert {m.label: m.value for m in app.metric}["Time to acknowledge"] == "not yet"
    for label in ("Acknowledge", "Mitigate", "Resolve", f"Approve rollback of {MODEL} to v2"):
        assert _button(app, label).disabled
    assert [s.value for s in app.subheader] == [f"#1 {INCIDENT_TITLE}"]


def test_an_operator_acknowledges_then_resolves_through_the_api_s_functions(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _page(monkeypatch, seeded_url)
    app.text_input(key="incident_operator_key").input(OPERATE_KEY).run()
    assert "Acting as oncall." in [s.value for s in app.success]
    app.text_input(key="incident_reason").input("looking into it").run()
    _button(app, "Acknowledge").click().run()
    assert not app.exception
    engine = create_store_engine(seeded_url)
    incident = get_incident(engine, 1)
    assert incident is not None and incident.status == "acknowledged"
    ack = timeline(engine, 1)[-1]
    assert (ack.kind, ack.actor, ack.message) == ("acknowledged", "oncall", "looking into it")
    assert [e.action for e in audit_entries(engine)][-1] == "incident.acknowledge"
    assert [b.label for b in app.button if b.label in ("Acknowledge", "Resolve")] == ["Resolve"]
    _button(app, "Resolve").click().run()
    incident = get_incident(engine, 1)
    assert incident is not None and incident.status == "resolved"
    engine.dispose()
    app.toggle[0].set_value(False).run()
    assert app.dataframe[0].value.iloc[0]["status"] == "resolved"


def test_an_operator_approves_the_rollback_and_silences_the_alert(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _page(monkeypatch, seeded_url)
    app.text_input(key="incident_operator_key").input(OPERATE_KEY).run()
    _button(app, f"Approve rollback of {MODEL} to {ACTION_VERSION}").click().run()
    assert not app.exception
    engine = create_store_engine(seeded_url)
    action = get_action(engine, 1)
    assert action is not None and (action.status, action.approved_by) == ("pending", "oncall")
    assert app.get("form")  # the silence form, still on the page after the rerun
    app.text_input[-1].input("retraining")
    _button(app, "Silence").click().run()
    assert not app.exception
    [silence] = list_silences(engine, datetime.now(UTC))
    assert list(silence.matchers) == ['alertname="FeatureDrift"', f'model="{MODEL}"']
    assert (silence.created_by, silence.comment) == ("oncall", "retraining")
    engine.dispose()


def test_with_oidc_the_page_offers_a_login_and_stays_read_only_until_then(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _page(monkeypatch, seeded_url, oidc=True)
    assert _button(app, "Log in") is not None
    assert "Log in to act on incidents, or enter an API key." in [i.value for i in app.info]
    assert _button(app, "Acknowledge").disabled


@pytest.mark.parametrize(
    ("email", "acts"), [("ana@example.org", True), ("bob@example.org", False)],
    ids=["in the allow-list", "not in it"],
)  # fmt: skip
def test_a_logged_in_user_acts_only_when_in_the_allow_list(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str, email: str, acts: bool
) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, seeded_url)
    monkeypatch.setenv(OIDC_ENV, "1")
    monkeypatch.setenv(OPERATORS_ENV, json.dumps(["ana@example.org"]))
    app = AppTest.from_file(str(APP_PATH), default_timeout=30)
    app.user = {"is_logged_in": True, "email": email}
    app.run()
    app.switch_page(PAGE).run()
    assert _button(app, "Log out") is not None
    assert _button(app, "Acknowledge").disabled is not acts
    if not acts:
        return
    _button(app, "Acknowledge").click().run()
    engine = create_store_engine(seeded_url)
    assert timeline(engine, 1)[-1].actor == f"oidc:{email}"
    assert list(audit_entries(engine))[-1].actor == f"oidc:{email}"
    engine.dispose()


def test_a_deep_link_chooses_the_incident_and_an_empty_store_says_so(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str, empty_url: str
) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, empty_url)
    app = AppTest.from_file(str(APP_PATH), default_timeout=30)
    app.run()
    app.switch_page(PAGE).run()
    assert [i.value for i in app.info] == ["No open incidents."]
    monkeypatch.setenv(DATABASE_URL_ENV, seeded_url)
    app = AppTest.from_file(str(APP_PATH), default_timeout=30)
    app.query_params["incident"] = "1"
    app.run()
    app.switch_page(PAGE).run()
    assert app.selectbox[0].value == 1


@pytest.mark.parametrize(
    ("user", "who", "message"),
    [
        ({"is_logged_in": False}, None, "Log in to act on incidents, or enter an API key."),
        ({"is_logged_in": True, "email": "Ana@Example.org"}, "oidc:ana@example.org",
         "Signed in as ana@example.org: acting as an operator."),
        ({"is_logged_in": True, "email": "bob@example.org"}, None,
         "Signed in as bob@example.org: not an operator, so this view is read-only."),
        ({"is_logged_in": True, "sub": "ana@example.org"}, "oidc:ana@example.org",
         "Signed in as ana@example.org: acting as an operator."),
    ],
    ids=["logged out", "allowed e-mail", "not in the list", "subject without e-mail"],
)  # fmt: skip
def test_check_oidc(user: dict[str, object], who: str | None, message: str) -> None:
    check = check_oidc(user, allowed_operators(json.dumps(["ana@example.org"])))
    assert (check.principal.name if check.principal else None, check.message) == (who, message)


def test_pure_helpers() -> None:
    assert oidc_enabled("1") and oidc_enabled("true") and not oidc_enabled(None)
    with pytest.raises(ValueError, match="JSON list"):
        allowed_operators('{"a": 1}')
    assert allowed_verbs("triggered") == ["acknowledge", "mitigate", "resolve"]
    assert allowed_verbs("resolved") == ["close"]
    assert duration_texts(Durations(timedelta(minutes=5), None, None, None)) == {
        "Time to detect": "5m", "Time to acknowledge": "not yet",
        "Time to mitigate": "not yet", "Time to resolve": "not yet",
    }  # fmt: skip
    assert silences_link(['alertname="A"']) == "silences?matchers=alertname%3D%22A%22"

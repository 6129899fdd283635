"""``dashboards.auth`` in vigil.yaml reaches the app: OIDC on, and who may operate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from streamlit.testing.v1 import AppTest

from dashboards.auth import allowed_operators, oidc_enabled
from dashboards.config import DashboardsConfig
from dashboards.launch import (
    APP_PATH,
    DATABASE_URL_ENV,
    OIDC_ENV,
    OPERATORS_ENV,
    streamlit_command,
)


def test_oidc_and_its_operators_are_passed_to_the_app_lower_cased() -> None:
    config = DashboardsConfig.model_validate(
        {"auth": {"oidc": True, "operators": ["Lead@Example.org "]}}
    )
    _, env = streamlit_command(
        Path("app.py"), "sqlite://", "127.0.0.1", 8501, "t",
        oidc=config.auth.oidc, operators=config.auth.operators,
    )  # fmt: skip
    assert oidc_enabled(env[OIDC_ENV])
    assert allowed_operators(env[OPERATORS_ENV]) == {"lead@example.org"}


def test_without_oidc_nothing_is_passed_and_a_bad_operator_is_a_config_error() -> None:
    _, env = streamlit_command(Path("app.py"), "sqlite://", "127.0.0.1", 8501, "t")
    assert OIDC_ENV not in env and OPERATORS_ENV not in env
    assert DashboardsConfig().auth.oidc is False
    with pytest.raises(ValidationError, match="not an e-mail or subject"):
        DashboardsConfig.model_validate({"auth": {"oidc": True, "operators": ["two words"]}})
    with pytest.raises(ValidationError, match="extra"):
        DashboardsConfig.model_validate({"auth": {"oidc": True, "admins": []}})


def test_an_allowed_login_may_create_silences_too(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, seeded_url)
    monkeypatch.setenv(OIDC_ENV, "1")
    monkeypatch.setenv(OPERATORS_ENV, json.dumps(["ana@example.org"]))
    app = AppTest.from_file(str(APP_PATH), default_timeout=30)
    app.user = {"is_logged_in": True, "email": "ana@example.org"}
    app.run()
    app.switch_page("ui/silences.py").run()
    assert not app.exception
    assert "Signed in as ana@example.org: acting as an operator." in [s.value for s in app.success]
    submit = next(b for b in app.button if b.label == "Create silence")
    assert not submit.disabled

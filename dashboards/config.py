"""The ``dashboards`` section of ``vigil.yaml``.

Operator actions (acknowledge, resolve, silence, approve) need an API key with the
``operate`` scope by default. With ``auth.oidc: true`` the dashboard also offers a login
through Streamlit's ``st.login`` (OpenID Connect; needs ``pip install 'vigil[oidc]'``), and a
logged-in user whose e-mail is in ``auth.operators`` may act; everyone else keeps the
read-only view. The identity provider is configured where Streamlit reads it, in
``.streamlit/secrets.toml`` beside where ``vigil dashboard`` runs (never in ``vigil.yaml``)::

    [auth]
    redirect_uri = "https://vigil.example.org/oauth2callback"   # the app's URL + /oauth2callback
    cookie_secret = "a long random string"
    client_id = "vigil-dashboard"
    client_secret = "..."
    server_metadata_url = "https://idp.example.org/.well-known/openid-configuration"
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class DashboardAuthConfig(BaseModel):
    """Who may act from the dashboard besides API-key holders."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    oidc: bool = Field(default=False, description="offer an OIDC login through st.login")
    operators: tuple[str, ...] = Field(
        default=(), description="e-mails of logged-in users who may act as operators"
    )

    @field_validator("operators")
    @classmethod
    def _emails(cls, operators: tuple[str, ...]) -> tuple[str, ...]:
        for who in operators:
            if not who.strip() or any(c.isspace() for c in who.strip()):
                raise ValueError(f"operators: {who!r} is not an e-mail or subject")
        return tuple(who.strip().lower() for who in operators)


class DashboardsConfig(BaseModel):
    """Where `vigil dashboard` serves the Streamlit app, and who may act from it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(default="127.0.0.1")
    port: int = Field(default=8501, ge=0, le=65535)
    title: str = Field(default="Vigil — model health")
    auth: DashboardAuthConfig = Field(default_factory=DashboardAuthConfig)

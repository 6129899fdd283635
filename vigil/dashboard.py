"""``vigil dashboard``: start the Streamlit app on the configured database."""

from __future__ import annotations

import json
import os
import subprocess

from store.db import create_store_engine, upgrade
from vigil.config import VigilConfig


def operator_keys_json(config: VigilConfig) -> str:
    """The API keys' names, SHA-256 digests and scopes as JSON, for the Silences page."""
    keys = [
        {"name": k.name, "sha256": k.digest, "scopes": list(k.scopes)}
        for k in config.collector.api_keys
    ]
    return json.dumps(keys)


def run_dashboard(config: VigilConfig) -> int:
    """Serve the dashboard until interrupted; returns Streamlit's exit code."""
    from dashboards.launch import APP_PATH, streamlit_command

    engine = create_store_engine(config.storage.url)
    upgrade(engine)
    engine.dispose()
    argv, env = streamlit_command(
        APP_PATH,
        config.storage.url,
        config.dashboards.host,
        config.dashboards.port,
        config.dashboards.title,
        runbooks_dir=config.resolve_path(config.alerting.runbooks_dir),
        operator_keys=operator_keys_json(config),
        oidc=config.dashboards.auth.oidc,
        operators=config.dashboards.auth.operators,
    )
    print(f"dashboard on http://{config.dashboards.host}:{config.dashboards.port}")
    return subprocess.call(argv, env={**os.environ, **env})

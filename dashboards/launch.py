"""How `vigil dashboard` starts the Streamlit app: the command line and its environment.

A pure function, so the CLI only runs what this returns and tests check it without
starting anything. The database URL goes through the environment, not the command line,
so a password in it does not show in ``ps``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

#: Environment variable the app reads its database URL from.
DATABASE_URL_ENV = "VIGIL_DATABASE_URL"

#: Environment variable the app reads its page title from (optional).
TITLE_ENV = "VIGIL_DASHBOARD_TITLE"

#: Environment variable the Runbooks page reads its folder from (optional).
RUNBOOKS_DIR_ENV = "VIGIL_RUNBOOKS_DIR"

#: Environment variable holding the operator keys as JSON: ``[{name, sha256, scopes}]``.
OPERATOR_KEYS_ENV = "VIGIL_OPERATOR_KEYS"

#: Environment variable that turns the OIDC login (``st.login``) on: ``1``.
OIDC_ENV = "VIGIL_DASHBOARD_OIDC"

#: Environment variable holding the logged-in users who may operate: a JSON list of e-mails.
OPERATORS_ENV = "VIGIL_DASHBOARD_OPERATORS"

#: The app that `vigil dashboard` serves.
APP_PATH = Path(__file__).with_name("app.py")

#: The runbooks shipped with Vigil, used when no folder is given.
DEFAULT_RUNBOOKS_DIR = Path(__file__).resolve().parents[1] / "runbooks"


def streamlit_command(
    app_path: Path,
    database_url: str,
    host: str,
    port: int,
    title: str,
    *,
    python: str = sys.executable,
    runbooks_dir: Path | None = None,
    operator_keys: str | None = None,
    oidc: bool = False,
    operators: Sequence[str] = (),
) -> tuple[list[str], dict[str, str]]:
    """The argv that serves ``app_path`` headless on ``host:port``, and the variables it needs.

    The returned environment holds only Vigil's variables: the caller merges it over its own
    (``{**os.environ, **env}``). Usage statistics are off, no file watcher runs (a deployed
    dashboard does not reload on edits) and the toolbar shows only what a viewer needs.
    ``runbooks_dir`` (the config's ``alerting.runbooks_dir``) is what the Runbooks page shows;
    ``operator_keys`` (digests and scopes as JSON, never the keys) lets the Silences page check
    an operator's key. ``oidc`` offers Streamlit's login; ``operators`` (e-mails) may then act.
    """
    argv = [
        python,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.headless",
        "true",
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "viewer",
        "--browser.gatherUsageStats",
        "false",
    ]
    env = {DATABASE_URL_ENV: database_url, TITLE_ENV: title}
    if runbooks_dir is not None:
        env[RUNBOOKS_DIR_ENV] = str(runbooks_dir)
    if operator_keys is not None:
        env[OPERATOR_KEYS_ENV] = operator_keys
    if oidc:
        env[OIDC_ENV] = "1"
        env[OPERATORS_ENV] = json.dumps(list(operators))
    return argv, env

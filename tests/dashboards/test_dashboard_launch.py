"""The command `vigil dashboard` runs, and keeping Streamlit out of everything but the page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pydantic import SecretStr

from collector.config import ApiKeyConfig, CollectorConfig, hash_key
from dashboards.launch import (
    APP_PATH,
    DATABASE_URL_ENV,
    DEFAULT_RUNBOOKS_DIR,
    OPERATOR_KEYS_ENV,
    RUNBOOKS_DIR_ENV,
    TITLE_ENV,
    streamlit_command,
)
from dashboards.silence_view import operator_keys
from vigil.config import VigilConfig
from vigil.dashboard import operator_keys_json


def test_the_command_serves_the_app_headless_on_the_configured_address() -> None:
    argv, env = streamlit_command(
        Path("/srv/vigil/dashboards/app.py"),
        "sqlite:////var/lib/vigil/vigil.db",
        "0.0.0.0",
        8502,
        "Clinical models",
        python="/opt/venv/bin/python",
    )
    assert argv == [
        "/opt/venv/bin/python",
        "-m",
        "streamlit",
        "run",
        "/srv/vigil/dashboards/app.py",
        "--server.headless",
        "true",
        "--server.address",
        "0.0.0.0",
        "--server.port",
        "8502",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "viewer",
        "--browser.gatherUsageStats",
        "false",
    ]
    assert env == {
        DATABASE_URL_ENV: "sqlite:////var/lib/vigil/vigil.db",
        TITLE_ENV: "Clinical models",
    }


def test_the_database_url_travels_in_the_environment_never_on_the_command_line() -> None:
    url = "postgresql://vigil:s3cret@db:5432/vigil"
    argv, env = streamlit_command(APP_PATH, url, "127.0.0.1", 8501, "Vigil")
    assert not any("s3cret" in arg for arg in argv)
    assert env[DATABASE_URL_ENV] == url


def test_by_default_the_current_interpreter_runs_the_bundled_app() -> None:
    argv, _ = streamlit_command(APP_PATH, "sqlite://", "127.0.0.1", 8501, "Vigil")
    assert argv[0] == sys.executable
    assert Path(argv[4]).is_file()
    assert Path(argv[4]).name == "app.py"


def test_the_runbooks_folder_travels_in_the_environment_when_given() -> None:
    _, env = streamlit_command(
        APP_PATH, "sqlite://", "127.0.0.1", 8501, "Vigil", runbooks_dir=Path("/srv/runbooks")
    )
    assert env[RUNBOOKS_DIR_ENV] == "/srv/runbooks"
    assert (DEFAULT_RUNBOOKS_DIR / "feature-drift.md").is_file()


def test_every_page_of_the_app_exists() -> None:
    text = APP_PATH.read_text()
    pages = ["ui/fleet.py", "ui/model.py", "ui/slos.py", "ui/runbooks.py", "ui/silences.py"]
    assert all(f'"{page}"' in text and (APP_PATH.parent / page).is_file() for page in pages)


def test_no_dashboards_module_but_the_app_and_its_pages_imports_streamlit() -> None:
    # Listed from the folder of the app: under pytest, ``dashboards`` may resolve to the
    # tests folder of the same name, whose ``__path__`` is not the package's. The pages
    # (``dashboards/ui/``) are Streamlit scripts and are not in this list.
    modules = sorted(
        f"dashboards.{path.stem}"
        for path in APP_PATH.parent.glob("*.py")
        if path.stem not in {"__init__", "app"}
    )
    assert "dashboards.launch" in modules
    assert "dashboards.views" in modules
    assert "dashboards.runbook_catalog" in modules
    script = (
        "import importlib, sys\n"
        f"for name in ['dashboards', *{modules!r}, 'store.health']:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=APP_PATH.parent.parent,
    )
    assert done.stdout.strip() == "[]"


def test_operator_key_digests_travel_in_the_environment_when_given() -> None:
    keys = '[{"name": "oncall", "sha256": "ab", "scopes": ["operate"]}]'
    _, env = streamlit_command(
        APP_PATH, "sqlite://", "127.0.0.1", 8501, "Vigil", operator_keys=keys
    )
    assert env[OPERATOR_KEYS_ENV] == keys


def test_vigil_dashboard_passes_key_digests_and_scopes_never_the_keys() -> None:
    secret = "operate-key-0123456789"
    keys = (
        ApiKeyConfig(name="oncall", key=SecretStr(secret), scopes=("operate",)),
        ApiKeyConfig(name="ingest", key_sha256=hash_key("ingest-key-0123456789")),
    )
    passed = operator_keys_json(VigilConfig(collector=CollectorConfig(api_keys=keys)))
    assert secret not in passed
    rebuilt = operator_keys(passed)
    assert [(k.name, k.digest, k.scopes) for k in rebuilt] == [
        ("oncall", hash_key(secret), ("operate",)),
        ("ingest", hash_key("ingest-key-0123456789"), ("ingest",)),
    ]

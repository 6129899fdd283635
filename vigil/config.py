"""Loading ``vigil.yaml``: each feature owns its section; this module composes and cross-checks.

Errors name the YAML path of the mistake (``alerting.route.routes[2].receiver: unknown
receiver 'pager'``) so that a bad config fails at start, never at 3 a.m.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from alerting.config import AlertingConfig
from alerting.config.actions import action_reference_problems
from alerting.config.checks import reference_problems
from collector.config import CollectorConfig
from collector.redaction import missing_pii_key
from dashboards.config import DashboardsConfig
from detectors.config import DetectorsConfig
from slo.config import SLOSpec
from store.config import StorageConfig
from store.specs import ModelSpec
from vigil.errors import ConfigError
from vigil.telemetry import TelemetryConfig

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class VigilConfig(BaseModel):
    """The whole of ``vigil.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal["vigil/v1"] = "vigil/v1"
    storage: StorageConfig = StorageConfig()
    collector: CollectorConfig = CollectorConfig()
    models: tuple[ModelSpec, ...] = Field(default=(), description="monitored models")
    detectors: DetectorsConfig = DetectorsConfig()
    slos: tuple[SLOSpec, ...] = ()
    alerting: AlertingConfig = AlertingConfig()
    dashboards: DashboardsConfig = DashboardsConfig()
    telemetry: TelemetryConfig | None = Field(
        default=None, description="Vigil's own spans to an OTLP endpoint (none when absent)"
    )

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)

    @property
    def base_dir(self) -> Path:
        """Folder of the YAML file; relative paths in the config are relative to it."""
        return self._base_dir

    def resolve_path(self, path: str) -> Path:
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else (self._base_dir / candidate)

    def model(self, name: str) -> ModelSpec | None:
        for spec in self.models:
            if spec.name == name:
                return spec
        return None

    def runbook_url(self, runbook: str) -> str:
        base = self.alerting.runbook_base_url
        if base is None:
            base = self.resolve_path(self.alerting.runbooks_dir).resolve().as_uri()
        return f"{base.rstrip('/')}/{runbook}.md"


def _substitute_env(node: Any, path: str, problems: list[tuple[str, str]]) -> Any:
    """Replace ``${VAR}`` and ``${VAR:-default}`` in every string of the parsed YAML."""
    if isinstance(node, dict):
        return {k: _substitute_env(v, _join(path, str(k)), problems) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute_env(v, f"{path}[{i}]", problems) for i, v in enumerate(node)]
    if isinstance(node, str):

        def replace(found: re.Match[str]) -> str:
            name, default = found.group(1), found.group(2)
            value = os.environ.get(name)
            if value is None:
                if default is not None:
                    return default
                problems.append((path, f"environment variable {name} is not set"))
                return ""
            return value

        return _ENV_REF.sub(replace, node)
    return node


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = _join(path, part)
    return path or "(top level)"


def _cross_check(config: VigilConfig) -> list[tuple[str, str]]:
    """Mistakes no single section can see: references between sections and to files."""
    problems: list[tuple[str, str]] = []
    model_names = [m.name for m in config.models]
    for i, name in enumerate(model_names):
        if name in model_names[:i]:
            problems.append((f"models[{i}].name", f"duplicate model {name!r}"))
    for i, spec in enumerate(config.models):
        if (
            spec.reference
            and not spec.reference.is_sql
            and not config.resolve_path(spec.reference.path).is_file()
        ):
            problems.append(
                (f"models[{i}].reference.path", f"file not found: {spec.reference.path}")
            )
    for i, key in enumerate(config.collector.api_keys):
        for j, model in enumerate(key.models or ()):
            if model not in model_names:
                problems.append(
                    (f"collector.api_keys[{i}].models[{j}]", f"unknown model {model!r}")
                )
    for path in missing_pii_key(config.models, config.collector.pii_key):
        problems.append(
            (path, "pii: hash needs collector.pii_key (a secret, e.g. ${VIGIL_PII_KEY})")
        )
    problems += _detector_reference_problems(config, model_names)
    for i, slo in enumerate(config.slos):
        if slo.model not in model_names:
            problems.append((f"slos[{i}].model", f"unknown model {slo.model!r}"))

    alerting = config.alerting
    problems += reference_problems(alerting)
    problems += action_reference_problems(alerting.actions)
    runbooks = config.resolve_path(alerting.runbooks_dir)
    rule_names = [r.alert for r in alerting.rules]
    for i, rule in enumerate(alerting.rules):
        if rule.alert in rule_names[:i]:
            problems.append((f"alerting.rules[{i}].alert", f"duplicate alert {rule.alert!r}"))
        if not (runbooks / f"{rule.runbook}.md").is_file():
            problems.append(
                (f"alerting.rules[{i}].runbook", f"no runbook {rule.runbook}.md in {runbooks}")
            )
    return problems


def _detector_reference_problems(
    config: VigilConfig, model_names: list[str]
) -> list[tuple[str, str]]:
    """Models and features named in the multivariate, embedding and pipeline sections."""
    problems: list[tuple[str, str]] = []
    detectors = config.detectors
    for name in detectors.multivariate.models:
        if name not in model_names:
            problems.append((f"detectors.multivariate.models.{name}", f"unknown model {name!r}"))
    embeddings = {f.name for m in config.models for f in m.features if f.type == "embedding"}
    for name in detectors.embedding_drift.features:
        if name not in embeddings:
            where = f"detectors.embedding_drift.features.{name}"
            problems.append((where, "no model has this embedding feature"))
    for i, pipeline in enumerate(detectors.pipelines.pipelines):
        for j, model in enumerate(pipeline.models):
            if model not in model_names:
                problems.append(
                    (f"detectors.pipelines.pipelines[{i}].models[{j}]", f"unknown model {model!r}")
                )
    return problems


def parse_config(
    text: str, *, source: str = "<string>", base_dir: Path | None = None
) -> VigilConfig:
    """Parse and check a config given as YAML text."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(yaml)"
        raise ConfigError(
            source, [(where, f"not valid YAML: {getattr(exc, 'problem', exc)}")]
        ) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(source, [("(top level)", "expected a mapping of sections")])
    problems: list[tuple[str, str]] = []
    raw = _substitute_env(raw, "", problems)
    if problems:
        raise ConfigError(source, problems)
    try:
        config = VigilConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(
            source, [(_loc_to_path(err["loc"]), _reason(err)) for err in exc.errors()]
        ) from None
    config._base_dir = (base_dir or Path.cwd()).resolve()
    problems = _cross_check(config)
    if problems:
        raise ConfigError(source, problems)
    return config


def _reason(err: Any) -> str:
    message = str(err["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if err["type"] == "extra_forbidden":
        return "unknown field"
    return message


def load_config(path: str | Path) -> VigilConfig:
    """Read, substitute environment variables into, validate and cross-check ``vigil.yaml``."""
    file = Path(path)
    try:
        text = file.read_text()
    except OSError as exc:
        raise ConfigError(str(file), [("(file)", f"cannot read: {exc.strerror}")]) from None
    return parse_config(text, source=str(file), base_dir=file.parent)

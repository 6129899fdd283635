"""The runbook catalogue: Markdown files with YAML front matter, parsed and validated.

A runbook is ``<name>.md`` in a runbooks folder::

    ---
    alerts: [FeatureDrift]
    severity: warning          # info | warning | critical
    owner: ml-platform
    summary: One line on what broke.
    ---

    # Title
    ## What it means ... ## When to escalate

Pure code (no Streamlit, no database): the dashboard's Runbooks page renders what
:func:`load_catalog` returns and ``vigil runbooks lint`` reports its :class:`Problem` list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

#: The sections every runbook has, in this order, as ``##`` headings.
REQUIRED_SECTIONS = (
    "What it means",
    "Impact",
    "How to diagnose",
    "How to mitigate",
    "When to escalate",
)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_ALERTNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEADING = re.compile(r"^##[ \t]+(?P<title>.+?)[ \t]*$", re.MULTILINE)


class RunbookMeta(BaseModel):
    """A runbook's front matter."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alerts: tuple[str, ...] = Field(min_length=1, description="alert names it covers")
    severity: Literal["info", "warning", "critical"]
    owner: str = Field(min_length=1, description="team that keeps the runbook true")
    summary: str = Field(min_length=1, description="one line on what broke")

    @field_validator("alerts")
    @classmethod
    def _valid_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        for name in names:
            if not _ALERTNAME.match(name):
                raise ValueError(f"{name!r} is not an alert name (letters, digits, '_')")
        return names


@dataclass(frozen=True, slots=True)
class Runbook:
    """One valid runbook: its name (the file name without ``.md``), metadata and body."""

    name: str
    path: Path
    meta: RunbookMeta
    body: str


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong, with where: a file (or config path) and a field in it."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class Catalog:
    """The valid runbooks of some folders, sorted by name, and the problems found."""

    runbooks: tuple[Runbook, ...]
    problems: tuple[Problem, ...]

    def get(self, name: str) -> Runbook | None:
        """The runbook called ``name`` (file name without ``.md``), if any."""
        return next((r for r in self.runbooks if r.name == name), None)

    def covering(self, alert: str) -> Runbook | None:
        """The runbook whose front matter lists ``alert``, if any."""
        return next((r for r in self.runbooks if alert in r.meta.alerts), None)


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(front matter)"


def parse_runbook(path: Path, text: str) -> Runbook | list[Problem]:
    """The runbook in ``text`` (read from ``path``), or every problem that stops it being one."""
    where = str(path)
    found = _FRONT_MATTER.match(text)
    if found is None:
        return [Problem(where, "(front matter)", "missing: the file must start with '---'")]
    try:
        raw = yaml.safe_load(found.group("yaml"))
    except yaml.YAMLError as exc:
        return [Problem(where, "(front matter)", f"not valid YAML: {exc}")]
    if not isinstance(raw, dict):
        return [Problem(where, "(front matter)", "expected a mapping of fields")]
    body = text[found.end() :]
    problems = _missing_sections(where, body)
    try:
        meta = RunbookMeta.model_validate(raw)
    except ValidationError as exc:
        return [Problem(where, _field(e["loc"]), e["msg"]) for e in exc.errors()] + problems
    return problems or Runbook(name=path.stem, path=path, meta=meta, body=body.lstrip("\n"))


def _missing_sections(where: str, body: str) -> list[Problem]:
    titles = {m.group("title").casefold() for m in _HEADING.finditer(body)}
    return [
        Problem(where, "sections", f"missing section '## {section}'")
        for section in REQUIRED_SECTIONS
        if section.casefold() not in titles
    ]


def _duplicates(runbooks: Iterable[Runbook]) -> list[Problem]:
    """An alert listed by two runbooks, or two runbooks with one name, is ambiguous."""
    problems: list[Problem] = []
    owners: dict[str, Runbook] = {}
    names: dict[str, Runbook] = {}
    for runbook in runbooks:
        if runbook.name in names:
            other = names[runbook.name].path
            problems.append(Problem(str(runbook.path), "(file)", f"same name as {other}"))
        names.setdefault(runbook.name, runbook)
        for alert in runbook.meta.alerts:
            if alert in owners:
                other = owners[alert].path
                problems.append(Problem(str(runbook.path), "alerts", f"{alert} is in {other} too"))
            owners.setdefault(alert, runbook)
    return problems


def load_catalog(folders: Sequence[Path]) -> Catalog:
    """Parse every ``*.md`` in ``folders`` (not recursive); a missing folder is a problem."""
    runbooks: list[Runbook] = []
    problems: list[Problem] = []
    for folder in folders:
        if not folder.is_dir():
            problems.append(Problem(str(folder), "(folder)", "not a folder"))
            continue
        for path in sorted(folder.glob("*.md")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(Problem(str(path), "(file)", f"cannot read: {exc}"))
                continue
            parsed = parse_runbook(path, text)
            if isinstance(parsed, Runbook):
                runbooks.append(parsed)
            else:
                problems += parsed
    problems += _duplicates(runbooks)
    return Catalog(tuple(sorted(runbooks, key=lambda r: r.name)), tuple(problems))

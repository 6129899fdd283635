"""What the Sloth and OpenSLO imports share: reading YAML, mistakes named by YAML path, and
the mapping of OpenSLO objectives to Sloth's model.

A mistake in an imported document is reported as Vigil reports one in ``vigil.yaml``: the file,
then one line per mistake with its YAML path (``slos[0].objective: ...``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from slo.errors import SpecImportError
from slo.promql import uses_window
from slo.promspec import EventsSLI, PromSLO, RawSLI

Model = TypeVar("Model", bound=BaseModel)


def yaml_path(loc: tuple[int | str, ...], prefix: str = "") -> str:
    """``("slos", 0, "sli")`` as ``slos[0].sli``, after ``prefix``."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path or "(top level)"


def _reason(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown field"
    return str(err["msg"]).removeprefix("Value error, ")


def import_error(source: str, what: str, problems: list[tuple[str, str]]) -> SpecImportError:
    """One error listing every (path, reason) of a document."""
    lines = [f"{source}: invalid {what}"] + [f"  {path}: {reason}" for path, reason in problems]
    return SpecImportError("\n".join(lines))


def validate(model: type[Model], raw: Any, source: str, what: str, prefix: str = "") -> Model:
    """Validate ``raw`` as ``model``; :class:`SpecImportError` names each mistake's path."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = [(yaml_path(err["loc"], prefix), _reason(err)) for err in exc.errors()]
        raise import_error(source, what, problems) from None


def read_documents(text: str, source: str) -> list[Any]:
    """Every YAML document of ``text``; a document that is a list counts as its items."""
    try:
        documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(yaml)"
        raise import_error(source, "YAML", [(where, str(getattr(exc, "problem", exc)))]) from None
    flat: list[Any] = []
    for doc in documents:
        flat.extend(doc if isinstance(doc, list) else [doc])
    if not flat:
        raise import_error(source, "document", [("(top level)", "the file is empty")])
    return flat


def at(prefix: str, path: str) -> str:
    """``path`` inside document ``prefix`` (``[document 1].spec``), or alone."""
    return f"{prefix}.{path}" if prefix else path


def require_window(query: str, source: str, what: str, path: str) -> str:
    """``query`` if it takes the alert window as ``{{.window}}``, as Sloth requires."""
    if not uses_window(query):
        raise import_error(source, what, [(path, "the query must take the window as {{.window}}")])
    return query


#: Sloth's mapping of good/total events to an error ratio (OpenSLO counts good events).
_GOOD_TO_ERROR = """
  1 - (
    (
      {good}
    )
    /
    (
      {total}
    )
  )
"""


def good_total_sli(good: str, total: str) -> RawSLI:
    """The error ratio ``1 - good / total``, laid out as Sloth lays it out."""
    return RawSLI(_GOOD_TO_ERROR.format(good=good, total=total))


def openslo_slo(
    meta_name: str,
    service: str,
    index: int,
    target: float,
    period: timedelta,
    sli: EventsSLI | RawSLI,
    spec: str,
) -> PromSLO:
    """One objective of an OpenSLO SLO, named as Sloth names it: ``<name>-<index>``."""
    return PromSLO(
        id=f"{service}-{meta_name}-{index}",
        service=service,
        name=f"{meta_name}-{index}",
        objective=target * 100,  # OpenSLO targets are ratios; objectives are percents
        period=period,
        sli=sli,
        spec=spec,
    )

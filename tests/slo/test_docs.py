"""Every field of every SLO spec, import format and rule model says what it is for.

As Sloth's spec does, each field carries a ``#:`` comment on the line(s) above it; this test
fails when a field is added without one.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from types import ModuleType

import pytest
from pydantic import BaseModel

from slo import (
    config,
    openslo_import,
    openslo_v1,
    promspec,
    sli_config,
    sloth_import,
    windows_spec,
)

MODULES = [config, sli_config, windows_spec, sloth_import, openslo_import, openslo_v1, promspec]


def _spec_classes(module: ModuleType) -> list[type]:
    return [
        cls
        for cls in vars(module).values()
        if inspect.isclass(cls)
        and cls.__module__ == module.__name__
        and (issubclass(cls, BaseModel) or dataclasses.is_dataclass(cls))
    ]


CLASSES = [cls for module in MODULES for cls in _spec_classes(module)]


def _fields(cls: type) -> list[str]:
    if issubclass(cls, BaseModel):
        return list(cls.model_fields)
    return [field.name for field in dataclasses.fields(cls)]  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", CLASSES, ids=[f"{c.__module__}.{c.__name__}" for c in CLASSES])
def test_every_field_has_a_comment(cls: type) -> None:
    source = inspect.getsource(cls)
    declared = [f for f in _fields(cls) if re.search(rf"^\s+{f}\s*:", source, re.M)]
    undocumented = [f for f in declared if not re.search(rf"#:.*\n(?:\s+#.*\n)*\s+{f}\s*:", source)]
    assert not undocumented, f"{cls.__name__}: fields without a #: comment: {undocumented}"

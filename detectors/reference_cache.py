"""Reference datasets loaded once per job and kept, with load errors logged once.

A reference is loaded on the first run that needs it and kept for the life of the cache (a
new ``vigil serve`` or a config reload builds new jobs, and so re-reads them). A reference
that cannot be loaded is retried on the next run; its error is logged once until it changes.
A reference given as a SQL query (:mod:`detectors.reference_sql`) is queried once, like a
file is read once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from detectors.errors import ReferenceDataError
from detectors.reference import Reference, load_reference
from detectors.reference_sql import load_sql_reference
from store.specs import ModelSpec

log = logging.getLogger(__name__)


def load_configured_reference(
    spec: ModelSpec, resolve_path: Callable[[str], Path], extra_columns: Sequence[str] = ()
) -> Reference:
    """The model's reference from its file or its query (raises ReferenceDataError)."""
    if spec.reference is None:
        raise ValueError(f"model {spec.name!r} has no reference dataset")
    source = spec.reference
    if source.query is not None and source.url is not None:
        return load_sql_reference(spec, source.url, source.query, extra_columns)
    return load_reference(spec, resolve_path(source.path), extra_columns)


class ReferenceCache:
    """Loaded references by model name. ``resolve_path`` turns a configured path into a file;
    ``extra_columns`` are read too when the reference has them (score, prediction)."""

    def __init__(
        self, resolve_path: Callable[[str], Path], extra_columns: Sequence[str] = ()
    ) -> None:
        self._resolve_path = resolve_path
        self._extra_columns = tuple(extra_columns)
        self._references: dict[str, Reference] = {}
        self._logged_errors: dict[str, str] = {}
        #: How many times a reference was loaded (read or queried), for tests and logs.
        self.loads = 0

    def get(self, spec: ModelSpec, purpose: str) -> Reference | ReferenceDataError:
        """The model's reference, or the error that prevents loading it (logged once).

        ``purpose`` names what is not computed without it, for the log line.
        """
        cached = self._references.get(spec.name)
        if cached is not None:
            return cached
        if spec.reference is None:
            raise ValueError(f"model {spec.name!r} has no reference dataset")
        self.loads += 1
        try:
            reference = load_configured_reference(spec, self._resolve_path, self._extra_columns)
        except ReferenceDataError as error:
            if self._logged_errors.get(spec.name) != str(error):
                log.error("%s of model %s not computed: %s", purpose, spec.name, error)
                self._logged_errors[spec.name] = str(error)
            return error
        self._references[spec.name] = reference
        self._logged_errors.pop(spec.name, None)
        return reference

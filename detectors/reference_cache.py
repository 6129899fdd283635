"""Reference datasets loaded once per job and kept, with load errors logged once.

A reference is loaded on the first run that needs it and kept for the life of the cache (a
new ``vigil serve`` or a config reload builds new jobs, and so re-reads them). A reference
that cannot be loaded is retried on the next run; its error is logged once until it changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from detectors.errors import ReferenceDataError
from detectors.reference import Reference, load_reference
from store.specs import ModelSpec

log = logging.getLogger(__name__)


class ReferenceCache:
    """Loaded references by model name. ``resolve_path`` turns a configured path into a file."""

    def __init__(self, resolve_path: Callable[[str], Path]) -> None:
        self._resolve_path = resolve_path
        self._references: dict[str, Reference] = {}
        self._logged_errors: dict[str, str] = {}

    def get(self, spec: ModelSpec, purpose: str) -> Reference | ReferenceDataError:
        """The model's reference, or the error that prevents loading it (logged once).

        ``purpose`` names what is not computed without it, for the log line.
        """
        cached = self._references.get(spec.name)
        if cached is not None:
            return cached
        if spec.reference is None:
            raise ValueError(f"model {spec.name!r} has no reference dataset")
        try:
            reference = load_reference(spec, self._resolve_path(spec.reference.path))
        except ReferenceDataError as error:
            if self._logged_errors.get(spec.name) != str(error):
                log.error("%s of model %s not computed: %s", purpose, spec.name, error)
                self._logged_errors[spec.name] = str(error)
            return error
        self._references[spec.name] = reference
        self._logged_errors.pop(spec.name, None)
        return reference

"""Errors raised by the store.

    StoreError
    ├── StoreUnavailable   the database could not be reached or refused the operation
    └── MigrationError     the schema could not be brought to the expected revision

SQLAlchemy's exceptions are translated here, at the boundary, so callers above the store
never import SQLAlchemy to handle an error. Messages never contain the database password.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error the store raises."""


class StoreUnavailable(StoreError):
    """The database could not be reached, or it refused the operation."""


class MigrationError(StoreError):
    """The schema could not be upgraded to the head revision."""

"""Errors raised by the detectors.

    DetectorError
    ├── ReferenceDataError        a model's reference dataset cannot be used
    │   ├── ReferenceNotFound     the file does not exist
    │   ├── ReferenceUnreadable   the file is not valid CSV or Parquet
    │   ├── ReferenceEmpty        the file has no rows
    │   ├── ReferenceColumnMissing  a configured feature is not a column of the file
    │   └── ReferenceColumnType   a column cannot be read as its feature's type
    └── CheckInputError           a file or option given to ``vigil check`` cannot be used

pyarrow's exceptions are translated where a file is read (``detectors/reference.py``,
``detectors/check_io.py``).
Messages name the file, the model and the feature, never a cell value: reference datasets
hold training data, which may contain PHI or PII.

Statistics themselves do not raise for awkward data (too few values, all nulls, constant
columns): the drift detector reports those as ``not_computable`` signals with a reason.
"""

from __future__ import annotations


class DetectorError(Exception):
    """Base class of every error the detectors raise."""


class ReferenceDataError(DetectorError):
    """A model's reference dataset cannot be used."""


class ReferenceNotFound(ReferenceDataError):
    """The reference file does not exist."""


class ReferenceUnreadable(ReferenceDataError):
    """The reference file could not be parsed as CSV or Parquet."""


class ReferenceEmpty(ReferenceDataError):
    """The reference file has no rows."""


class ReferenceColumnMissing(ReferenceDataError):
    """A feature configured for the model is not a column of the reference file."""


class ReferenceColumnType(ReferenceDataError):
    """A reference column cannot be read as its feature's type (e.g. text in a numeric one)."""


class CheckInputError(DetectorError):
    """A file or option given to the release gate (``vigil check``) cannot be used."""

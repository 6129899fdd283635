"""A reference dataset read with a SQL query, on any database SQLAlchemy can reach.

Configured beside (instead of) a file::

    models:
      - name: credit-risk
        reference:
          query: "SELECT income, age, purpose, score FROM training.credit_reference_2026q1"
          url: ${REFERENCE_DB_URL}

The query must return a column per feature (named like the feature; extra columns are
ignored, except the score and prediction columns prediction drift reads). The result goes
through the same conversion as a file (:func:`detectors.reference.reference_from_table`),
so types are checked the same way. The query runs once per ``vigil serve`` (the reference is
cached, :mod:`detectors.reference_cache`) and the engine is disposed right after; give the
URL a user that can only read.

URLs (install the dialect's package beside Vigil; keep credentials in the environment):

- SQLite (built in): ``sqlite:///reference.db``
- PostgreSQL (psycopg, a core dependency): ``postgresql+psycopg://reader@db.internal/warehouse``
- DuckDB (``duckdb``, ``duckdb-engine``): ``duckdb:////data/reference.duckdb``
- Snowflake (``snowflake-sqlalchemy``):
  ``snowflake://reader:${SNOWFLAKE_PASSWORD}@acme-eu1/ANALYTICS/ML?warehouse=REPORTING&role=READER``
  (account ``acme-eu1``, database ``ANALYTICS``, schema ``ML``)
- Redshift (``sqlalchemy-redshift`` with ``redshift_connector``):
  ``redshift+redshift_connector://reader:${REDSHIFT_PASSWORD}@example.abc123.eu-west-1.redshift.amazonaws.com:5439/analytics``

Tested on SQLite, PostgreSQL and DuckDB; the Snowflake and Redshift forms are those their
SQLAlchemy dialects document. Errors name the model and the database's host and name, never
the password or a row: a reference holds training data.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from detectors.errors import ReferenceColumnMissing, ReferenceUnreadable
from detectors.reference import SCALAR_TYPES, Reference, reference_from_table
from store.specs import ModelSpec


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "an unparsable URL"


def _column(values: list[object]) -> pa.Array:
    """One result column; a column pyarrow cannot type as a whole (mixed types) is text."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def read_query(url: str, query: str, where: str) -> pa.Table:
    """Run ``query`` on ``url`` and return its result as a table (all rows)."""
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise ReferenceUnreadable(
            f"{where}: cannot connect ({type(exc).__name__}: is the database's SQLAlchemy "
            "dialect installed?)"
        ) from None
    try:
        with engine.connect() as conn:
            result = conn.execute(text(query))
            names = list(result.keys())
            rows = result.fetchall()
    except SQLAlchemyError as exc:
        reason = type(getattr(exc, "orig", None) or exc).__name__
        raise ReferenceUnreadable(f"{where}: the query failed ({reason})") from None
    finally:
        engine.dispose()
    if len(set(names)) != len(names):
        raise ReferenceUnreadable(f"{where}: the query returns two columns with the same name")
    columns = {name: _column([row[i] for row in rows]) for i, name in enumerate(names)}
    return pa.table(columns) if columns else pa.table({})


def load_sql_reference(
    spec: ModelSpec, url: str, query: str, extra_columns: Sequence[str] = ()
) -> Reference:
    """The model's reference dataset from a query (see the module docstring)."""
    where = f"reference query of model {spec.name!r} on {describe_url(url)}"
    table = read_query(url, query, where)
    for feature in spec.features:
        if feature.type in SCALAR_TYPES and feature.name not in table.column_names:
            raise ReferenceColumnMissing(
                f"{where}: feature {feature.name!r} is not a column of the query's result"
            )
    return reference_from_table(spec, table, where, describe_url(url), extra_columns)

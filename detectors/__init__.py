"""Detectors: the statistics that turn a window of traffic into signals.

Layout, from pure to I/O:

- ``methods/``: one drift statistic per file (a function over numpy arrays, its metadata
  record), collected explicitly in ``methods.METHODS``. No database, no pandas.
- ``values``: how raw feature values (event JSON, reference cells) become the arrays the
  methods take, so both sides of a comparison are normalised by the same code.
- ``reference``: loads a model's reference dataset (CSV or Parquet, through pyarrow).
- ``drift``: ``feature_drift``, a pure function of a spec, a reference, a window's rows
  and the window bounds, returning one :class:`store.records.Signal` per feature.
- ``jobs``: the scheduled job that reads windows from the store, runs ``feature_drift``
  and writes the signals back. The only module here that touches the database.

Detectors return findings; they never page. ``evidently`` is a test dependency only (the
parity tests compare our statistics with it) and must never be imported from this package.
"""

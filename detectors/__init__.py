"""Detectors: the statistics that turn a window of traffic into signals.

Layout, from pure to I/O:

- ``methods/``: one drift statistic per file (a function over numpy arrays returning a
  statistic, an effect size and, for tests, a p-value; and its metadata record), collected
  explicitly in ``methods.METHODS``; ``methods.choice`` picks one per column as Evidently
  does. No database, no pandas; scipy is imported inside the functions that need it.
- ``column_drift``: one column's test (method, threshold, result or the reason there is none).
- ``decision``: when a result is drift -- effect size, Benjamini-Hochberg-corrected p-value
  across a model's features, persistence over windows; ``window_drift`` applies it to all of
  a model's columns at once.
- ``values``: how raw feature values (event JSON, reference cells) become the arrays the
  methods take, so both sides of a comparison are normalised by the same code.
- ``reference`` / ``reference_cache``: load a model's reference dataset (CSV or Parquet,
  through pyarrow), once per job.
- ``drift`` (+ ``drift_details``): ``feature_drift``, a pure function of a spec, a reference,
  a window's rows and earlier verdicts, returning one :class:`store.records.Signal` per feature.
- ``quality_checks`` / ``quality``: missing values, ranges, unseen categories, duplicates,
  volume and freshness, as pure functions and as a window's signals.
- ``check`` (+ ``check_io``, ``check_plan``, ``check_report``): the release gate behind
  ``vigil check``: two files in, one verdict per column, a JSON or Markdown report out.
- ``metrics/``: realized performance metrics, one concept per module (confusion matrix and
  accuracy, precision/recall/F1, Cohen's kappa, ROC AUC, PR AUC, scoring rules,
  calibration, regression), each equal to scikit-learn's; ``intervals``: their confidence
  intervals (Wilson, normal mean, Hanley-McNeil, kappa ASE, seeded bootstrap);
  ``label_encoding``: label and prediction JSON into metric arrays; ``performance``: a
  window's realized metrics, per segment and variant.
- ``cbpe`` / ``cbpe_reference`` / ``estimated_performance``: performance estimated without
  labels from calibrated scores (NannyML's CBPE), with sampling-error bands and the
  reference band as default thresholds; ``dle`` / ``estimated_performance_dle``: the same for
  regression models by direct loss estimation.
- ``fairness/``: group rates and one fairness metric per module, equal to fairlearn's;
  ``fairness/intervals``: per-group Wilson and per-metric stratified-bootstrap intervals;
  ``fairness_window``: a window's comparison of each protected attribute's groups.
- ``performance_config``: the ``performance``, ``estimated_performance``, ``fairness`` and
  ``labels`` config sections.
- ``jobs`` / ``quality_job``: the scheduled jobs that read windows from the store, run the
  pure functions and write the signals back; likewise ``performance_job``,
  ``estimated_performance_job``, ``fairness_job`` and ``performance_labels_job`` (labels
  waiting for their prediction, orphaned after the grace period). The only modules here
  that touch the database.

Detectors return findings; they never page. ``evidently`` is a test dependency only (the
parity tests compare our statistics with it) and must never be imported from this package.
"""

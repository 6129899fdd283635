"""``vigil replay``: recorded traffic through the whole loop on a simulated clock.

The modules, in the order events flow through them:

* :mod:`vigil.replay.events` reads JSON lines (optionally gzip), directories and Parquet
  into timestamped events, and lists the lines it cannot read;
* :mod:`vigil.replay.ordering` sorts events within a bounded window and reports lateness;
* :mod:`vigil.replay.sink` hands events to the collector's own validation, redaction and
  ingestion (the same code as ``POST /v1/...``);
* :mod:`vigil.replay.clock` runs the jobs of :func:`vigil.jobs.build_jobs` at simulated times;
* :mod:`vigil.replay.recording` stands in for receivers and action webhooks (unless ``--live``);
* :mod:`vigil.replay.timeline` reads back what happened; :mod:`vigil.replay.markdown` prints it;
* :mod:`vigil.replay.run` composes them.

This package is composition only: no statistic, rule or routing decision lives here. The
package itself imports nothing, so ``vigil demo`` can use the clock without the rest.
"""

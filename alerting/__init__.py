"""Alerting: rules turn stored signals into alerts; the router groups them and notifies.

The pipeline is a chain of small stages, each a module::

    config.py      the `alerting` section of vigil.yaml; matchers.py its label matchers
    rules.py       signals of one detector ─► one alert per (rule, model), `for:` honoured
    routing.py     labels ─► matching routes of the compiled tree (Alertmanager semantics)
    grouping.py    route + labels ─► group key and group labels
    outbox.py      transitions of one tick ─► one outbox row per (group, receiver integration)
    dispatcher.py  due outbox rows ─► receivers; retries with backoff; dead letters
    receivers/     one integration per file (Slack, log file); they only say ok / retry / fail
    jobs.py        the ScheduledJobs `vigil serve` runs
    errors.py      the exception tree

It imports only ``store`` and third-party libraries: other features reach it through the
store's tables, and ``vigil`` composes it.
"""

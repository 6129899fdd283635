"""Alerting: rules turn stored signals into alerts; the router groups them and notifies.

The router follows Alertmanager: a routing tree, aggregation groups with ``group_wait`` /
``group_interval`` / ``repeat_interval`` timers, and a pipeline of small stages. Its state
(groups and their timers, the notification log, the outbox, silences) lives in the store, so
a restart neither repeats nor forgets a page. Each stage is a module::

    config/          the `alerting` section of vigil.yaml, in Alertmanager's syntax
    matchers.py      label matchers
    rules.py         signals of one detector ─► one alert per (rule, model), `for:` honoured
    routing.py       labels ─► matching routes of the compiled tree
    grouping.py      route + labels ─► group key and group labels
    router.py        the compiled config a tick uses (tree, inhibit rules, time intervals)
    aggregation.py   firing alerts + stored groups ─► groups to write, their timers
    router_tick.py   one tick: reconcile, flush due groups, commit each atomically
    pipeline.py      a flush: inhibit → time active → time mute → silence → self guard ─►
    mute_stages.py     (the muting stages)
    dedup.py           per integration: dedup against the log → outbox row + log entry
    payload.py       the notification body (Alertmanager's webhook payload)
    dispatcher.py    due outbox rows ─► receivers; claims, retries with backoff, dead letters
    receivers/       one integration per file (Slack, PagerDuty, webhook, log file); they
                     only say ok / retry / fail
    selfmon.py       VigilNotificationFailing for receivers whose notifications go dead
    inhibit.py, time_intervals.py, silences.py   the rules the muting stages apply
    api.py           /v1/silences (FastAPI router; authentication passed in)
    routes_test.py   `vigil routes test`, like `amtool config routes test`
    jobs.py          the ScheduledJobs `vigil serve` runs
    errors.py        the exception tree

It imports only ``store`` and third-party libraries: other features reach it through the
store's tables, and ``vigil`` composes it.
"""

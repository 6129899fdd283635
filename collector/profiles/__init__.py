"""Per-minute, mergeable profiles of the predictions the writer stores (DESIGN.md, principle 3).

``numeric``, ``categorical`` and ``histogram`` build many profiles from one batch at once with
numpy; ``reservoir`` keeps a bounded uniform sample of raw rows; ``accumulator`` groups a
batch by (model, version, feature, minute); ``profiler`` is the writer's hook that stores
them with :mod:`store.profiles`. The records and their merge are in
:mod:`store.profile_records`, shared with the detectors that read them back.
"""

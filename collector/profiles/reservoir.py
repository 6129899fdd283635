"""A bounded uniform sample of raw rows: Vitter's Algorithm R with a seeded generator.

Row ``t`` (0-based, counted over everything the reservoir has seen) fills a free slot while
there is one, and otherwise replaces slot ``j`` when a uniform ``j`` in ``[0, t]`` falls
below the capacity, so after ``n`` rows each is in the sample with probability
``capacity / n``. The draws for a whole batch are made at once; only the (few) replacements
are applied one by one, in arrival order, as the algorithm requires. Reservoirs of different
batches and collectors merge in the store (:func:`store.profile_records.merge_reservoirs`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from store.profile_records import Reservoir


def _same(row: Any) -> Mapping[str, Any]:
    return row  # type: ignore[no-any-return]


def offer(
    reservoir: Reservoir,
    rows: Sequence[Any],
    rng: np.random.Generator,
    keep: Callable[[Any], Mapping[str, Any]] = _same,
) -> Reservoir:
    """``reservoir`` after seeing ``rows`` too; ``keep`` turns a row into what is kept, and
    is only called for the rows that enter the sample."""
    sample = list(reservoir.rows)
    capacity, seen = reservoir.capacity, reservoir.seen
    free = max(0, min(capacity - len(sample), len(rows)))
    sample.extend(keep(row) for row in rows[:free])
    rest = len(rows) - free
    if rest > 0 and capacity > 0:
        positions = np.arange(seen + free, seen + len(rows), dtype=np.float64)
        slots = np.floor(rng.random(rest) * (positions + 1)).astype(np.int64)
        for i in np.flatnonzero(slots < capacity).tolist():
            sample[int(slots[i])] = keep(rows[free + i])
    return Reservoir(capacity, seen + len(rows), tuple(sample))

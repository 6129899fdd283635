"""Routing checked against the cases of Alertmanager's own routing tests.

The trees and expectations below restate, as data, the cases of ``TestRouteMatch`` and
``TestRouteMatchers`` in prometheus/alertmanager ``dispatch/route_test.go``: the same trees
(legacy ``match``/``match_re`` and ``matchers`` syntax), the same label sets, and the same
expected receivers and inherited options, in order.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml

from alerting.config import Route
from alerting.routing import (
    DEFAULT_GROUP_INTERVAL,
    DEFAULT_GROUP_WAIT,
    DEFAULT_REPEAT_INTERVAL,
    compile_route,
)

LEGACY_TREE = """
receiver: notify-def
routes:
- match: {owner: team-A}
  receiver: notify-A
  routes:
  - match: {env: testing}
    receiver: notify-testing
    group_by: ['...']
  - match: {env: production}
    receiver: notify-productionA
    group_wait: 1m
    continue: true
  - match_re: {env: "produ.*", job: ".*"}
    receiver: notify-productionB
    group_wait: 30s
    group_interval: 5m
    repeat_interval: 1h
    group_by: [job]
- match_re: {owner: "team-(B|C)"}
  group_by: [foo, bar]
  group_wait: 2m
  receiver: notify-BC
- match: {group_by: role}
  group_by: [role]
  routes:
  - match: {env: testing}
    receiver: notify-testing
    routes:
    - match: {wait: long}
      group_wait: 2m
"""

MATCHERS_TREE = """
receiver: notify-def
routes:
- matchers: ['{owner="team-A"}', '{level!="critical"}']
  receiver: notify-A
  routes:
  - matchers: ['{env="testing"}', '{baz!~".*quux"}']
    receiver: notify-testing
    group_by: ['...']
  - matchers: ['{env="production"}']
    receiver: notify-productionA
    group_wait: 1m
    continue: true
  - matchers: ['env=~"produ.*"', 'job=~".*"']
    receiver: notify-productionB
    group_wait: 30s
    group_interval: 5m
    repeat_interval: 1h
    group_by: [job]
- matchers: ['owner=~"team-(B|C)"']
  group_by: [foo, bar]
  group_wait: 2m
  receiver: notify-BC
- matchers: ['group_by="role"']
  group_by: [role]
  routes:
  - matchers: ['{env="testing"}']
    receiver: notify-testing
    routes:
    - matchers: ['wait="long"']
      group_wait: 2m
"""

DEFAULT = (DEFAULT_GROUP_WAIT, DEFAULT_GROUP_INTERVAL, DEFAULT_REPEAT_INTERVAL)
MIN = timedelta(minutes=1)

#: (labels, [(receiver, group_by, group_by_all, (wait, interval, repeat))])
CASES = [
    pytest.param(
        {"owner": "team-A"},
        [("notify-A", set(), False, DEFAULT)],
        id="a team-A alert stops at notify-A",
    ),
    pytest.param(
        {"owner": "team-A", "env": "unset"},
        [("notify-A", set(), False, DEFAULT)],
        id="an unmatched child leaves the parent as the match",
    ),
    pytest.param(
        {"owner": "team-C"},
        [("notify-BC", {"foo", "bar"}, False, (2 * MIN, *DEFAULT[1:]))],
        id="a regex on owner routes team-C to notify-BC with its own group_by and wait",
    ),
    pytest.param(
        {"owner": "team-A", "env": "testing"},
        [("notify-testing", set(), True, DEFAULT)],
        id="group_by '...' groups by all labels",
    ),
    pytest.param(
        {"owner": "team-A", "env": "production"},
        [
            ("notify-productionA", set(), False, (MIN, *DEFAULT[1:])),
            ("notify-productionB", {"job"}, False, (30 * timedelta(seconds=1), 5 * MIN, 60 * MIN)),
        ],
        id="continue on the first production route also takes the second",
    ),
    pytest.param(
        {"group_by": "role"},
        [("notify-def", {"role"}, False, DEFAULT)],
        id="a route without a receiver inherits the root's",
    ),
    pytest.param(
        {"env": "testing", "group_by": "role"},
        [("notify-testing", {"role"}, False, DEFAULT)],
        id="a child inherits its parent's group_by",
    ),
    pytest.param(
        {"env": "testing", "group_by": "role", "wait": "long"},
        [("notify-testing", {"role"}, False, (2 * MIN, *DEFAULT[1:]))],
        id="a grandchild inherits the receiver and overrides group_wait",
    ),
]


@pytest.mark.parametrize("tree", [LEGACY_TREE, MATCHERS_TREE], ids=["match syntax", "matchers"])
@pytest.mark.parametrize(("labels", "expected"), CASES)
def test_routes_match_as_in_alertmanager(tree: str, labels, expected) -> None:
    root = compile_route(Route.model_validate(yaml.safe_load(tree)))
    got = [
        (
            r.receiver,
            set(r.opts.group_by),
            r.opts.group_by_all,
            (r.opts.group_wait, r.opts.group_interval, r.opts.repeat_interval),
        )
        for r in root.match(labels)
    ]
    assert got == expected


def test_walk_visits_receivers_in_alertmanager_order() -> None:
    root = compile_route(Route.model_validate(yaml.safe_load(LEGACY_TREE)))
    assert [r.receiver for r in root.walk()] == [
        "notify-def",
        "notify-A",
        "notify-testing",
        "notify-productionA",
        "notify-productionB",
        "notify-BC",
        "notify-def",
        "notify-testing",
        "notify-testing",
    ]

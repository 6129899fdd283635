"""Routing behaviour beyond the upstream cases: anchoring, sibling order, timers, route ids and
group keys on a tree with a root ``group_by``.

The cases of Alertmanager's own ``dispatch/route_test.go`` are restated exactly in
``test_alertmanager_route_cases.py``; this file does not repeat them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml

from alerting.config import Route
from alerting.grouping import MAX_GROUP_KEY, group_key, group_labels
from alerting.routing import CompiledRoute, compile_route

TREE = """
receiver: notify-def
group_by: [alertname]
routes:
  - matchers: ['owner="team-A"']
    receiver: notify-A
    routes:
      - matchers: ['env="testing"']
        receiver: notify-testing
        group_by: ['...']
      - matchers: ['env="production"']
        receiver: notify-productionA
        group_wait: 1m
        continue: true
      - matchers: ['env=~"produ.*"', 'job=~".*"']
        receiver: notify-productionB
        group_wait: 30s
        group_interval: 5m
        repeat_interval: 1h
        group_by: [job]
  - match_re: {owner: 'team-(B|C)'}
    group_by: [foo, bar]
    group_wait: 2m
    receiver: notify-BC
  - match: {group_by: role}
    group_by: [role]
    routes:
      - matchers: ['env="testing"']
        receiver: notify-testing
        routes:
          - matchers: ['wait="long"']
            group_wait: 2m
"""


@pytest.fixture(scope="module")
def tree() -> CompiledRoute:
    return compile_route(Route.model_validate(yaml.safe_load(TREE)))


def _summary(route: CompiledRoute) -> tuple[str, tuple[str, ...], str]:
    by = ("...",) if route.opts.group_by_all else route.opts.group_by
    return route.receiver, by, str(route.opts.group_wait)


CASES = [
    pytest.param(
        {"owner": "team-Bxyz"},
        [("notify-def", ("alertname",), "0:00:30")],
        id="regexes are anchored so team-Bxyz is not team-B",
    ),
    pytest.param(
        {"owner": "team-A", "group_by": "role"},
        [("notify-A", ("alertname",), "0:00:30")],
        id="the first matching child without continue stops its later siblings",
    ),
    pytest.param(
        {"owner": "team-X"},
        [("notify-def", ("alertname",), "0:00:30")],
        id="an alert no child matches keeps the root's group_by",
    ),
]


@pytest.mark.parametrize(("labels", "expected"), CASES)
def test_routes_match_like_alertmanager(
    tree: CompiledRoute, labels: dict[str, str], expected: list[tuple[str, tuple[str, ...], str]]
) -> None:
    assert [_summary(route) for route in tree.match(labels)] == expected


def test_timers_are_inherited_then_overridden_and_root_has_alertmanager_defaults(
    tree: CompiledRoute,
) -> None:
    production_b = tree.match({"owner": "team-A", "env": "production"})[1]
    assert production_b.opts.repeat_interval == timedelta(hours=1)
    assert production_b.opts.group_interval == timedelta(minutes=5)
    root = tree.match({})[0]
    assert root is tree
    assert (root.opts.group_wait, root.opts.group_interval, root.opts.repeat_interval) == (
        timedelta(seconds=30),
        timedelta(minutes=5),
        timedelta(hours=4),
    )


def test_route_ids_follow_alertmanager_and_are_unique(tree: CompiledRoute) -> None:
    ids = [route.id for route in tree.walk()]
    assert len(ids) == len(set(ids)) == 9
    assert ids[0] == "{}"
    assert ids[1] == '{}/{owner="team-A"}/0'
    assert ids[3] == '{}/{owner="team-A"}/0/{env="production"}/1'


def test_a_root_without_receiver_is_rejected() -> None:
    with pytest.raises(ValueError, match="root route needs a receiver"):
        compile_route(Route())


def test_group_key_uses_only_the_group_by_labels_an_alert_has(tree: CompiledRoute) -> None:
    route = tree.match({"owner": "team-C"})[0]
    labels = {"owner": "team-C", "foo": "1", "alertname": "X"}
    assert group_labels(route, labels) == {"foo": "1"}
    assert group_key(route, labels) == '{}/{owner=~"team-(B|C)"}/1:{foo="1"}'


def test_group_by_all_keys_on_every_label(tree: CompiledRoute) -> None:
    route = tree.match({"owner": "team-A", "env": "testing"})[0]
    key_one = group_key(route, {"owner": "team-A", "env": "testing", "x": "1"})
    key_two = group_key(route, {"owner": "team-A", "env": "testing", "x": "2"})
    assert key_one != key_two
    assert key_one.endswith('{env="testing",owner="team-A",x="1"}')


def test_very_long_group_keys_are_shortened_with_a_hash(tree: CompiledRoute) -> None:
    route = tree.match({"owner": "team-A", "env": "testing"})[0]
    base = {"owner": "team-A", "env": "testing"}
    long_one = group_key(route, {**base, "x": "a" * 600})
    long_two = group_key(route, {**base, "x": "a" * 599 + "b"})
    assert len(long_one) <= MAX_GROUP_KEY and len(long_two) <= MAX_GROUP_KEY
    assert long_one != long_two


MATCHERS_TREE = """
receiver: notify-def
routes:
  - matchers: ['{owner="team-A"}', '{level!="critical"}']
    receiver: notify-A
    routes:
      - matchers: ['{env="testing"}', '{baz!~".*quux"}']
        receiver: notify-testing
        group_by: [...]
      - matchers: ['{env="production"}']
        receiver: notify-productionA
        group_wait: 1m
        continue: true
      - matchers: [ env=~"produ.*", job=~".*"]
        receiver: notify-productionB
        group_by: [job]
  - matchers: [owner=~"team-(B|C)"]
    group_by: [foo, bar]
    receiver: notify-BC
  - matchers: ['group_by="role", env!="staging"']
    group_by: [role]
"""


@pytest.mark.parametrize(
    ("labels", "receivers"),
    [
        pytest.param({"owner": "team-A"}, ["notify-A"], id="braced matchers match like plain ones"),
        pytest.param(
            {"owner": "team-A", "level": "critical"},
            ["notify-def"],
            id="a != matcher excludes the value it names",
        ),
        pytest.param(
            {"owner": "team-A", "env": "testing", "baz": "aquux"},
            ["notify-A"],
            id="a !~ matcher is anchored and excludes its whole match",
        ),
        pytest.param(
            {"owner": "team-A", "env": "testing", "baz": "quuxa"},
            ["notify-testing"],
            id="a !~ matcher lets through what its anchored regex does not match",
        ),
        pytest.param(
            {"owner": "team-A", "env": "production"},
            ["notify-productionA", "notify-productionB"],
            id="continue with unquoted regex matchers in the next sibling",
        ),
        pytest.param(
            {"group_by": "role"},
            ["notify-def"],
            id="several matchers in one entry, separated by commas, all apply",
        ),
        pytest.param(
            {"group_by": "role", "env": "staging"},
            ["notify-def"],
            id="a failing matcher of a multi-matcher entry rejects the route",
        ),
    ],
)
def test_matchers_in_every_alertmanager_spelling(
    labels: dict[str, str], receivers: list[str]
) -> None:
    tree = compile_route(Route.model_validate(yaml.safe_load(MATCHERS_TREE)))
    assert [route.receiver for route in tree.match(labels)] == receivers


def test_a_child_inherits_group_by_all_unless_it_sets_its_own() -> None:
    tree = compile_route(
        Route.model_validate(
            yaml.safe_load(
                """
receiver: r
routes:
  - match: {env: parent}
    group_by: ['...']
    routes:
      - match: {env: child1}
      - match: {env: child2}
        group_by: [foo]
"""
            )
        )
    )
    parent = tree.routes[0]
    child1, child2 = parent.routes
    assert parent.opts.group_by_all and child1.opts.group_by_all
    assert not child2.opts.group_by_all and child2.opts.group_by == ("foo",)


def test_time_intervals_apply_to_the_route_that_names_them_only() -> None:
    tree = compile_route(
        Route.model_validate(
            {
                "receiver": "r",
                "routes": [
                    {
                        "matchers": ['team="a"'],
                        "mute_time_intervals": ["nights"],
                        "active_time_intervals": ["weekdays"],
                        "routes": [{"matchers": ['env="prod"']}],
                    }
                ],
            }
        )
    )
    parent = tree.routes[0]
    assert parent.opts.mute_time_intervals == ("nights",)
    assert parent.opts.active_time_intervals == ("weekdays",)
    assert parent.routes[0].opts.mute_time_intervals == ()
    assert parent.routes[0].opts.active_time_intervals == ()

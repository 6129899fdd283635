"""Parsing label matchers in Alertmanager's spellings, and what they match."""

from __future__ import annotations

import pytest

from alerting.matchers import Matcher, parse_matcher, parse_matchers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('env="prod"', [("env", "=", "prod")], id="a quoted equality"),
        pytest.param("env=prod", [("env", "=", "prod")], id="an unquoted value"),
        pytest.param(
            '{env="prod", team=~"ml-.*"}',
            [("env", "=", "prod"), ("team", "=~", "ml-.*")],
            id="several in braces, separated by commas",
        ),
        pytest.param(
            'a!="x",b!~"y|z",',
            [("a", "!=", "x"), ("b", "!~", "y|z")],
            id="negations and a trailing comma",
        ),
        pytest.param(
            r'msg="say \"hi\"\\n"',
            [("msg", "=", 'say "hi"\\n')],
            id="escaped quotes and backslashes",
        ),
        pytest.param('city="Zürich"', [("city", "=", "Zürich")], id="non-ASCII values stay intact"),
        pytest.param('env=""', [("env", "=", "")], id="an empty value"),
    ],
)
def test_matchers_parse(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert [(m.name, m.op, m.value) for m in parse_matchers(text)] == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        pytest.param("env", "expected name=", id="no operator"),
        pytest.param('env=~"(unclosed"', "invalid regex", id="a regex that does not compile"),
        pytest.param('env="a" team="b"', "separate matchers with ','", id="no comma between two"),
        pytest.param("{}", "no matcher", id="empty braces"),
        pytest.param('1env="a"', "expected name=", id="a label name starting with a digit"),
    ],
)
def test_bad_matchers_are_rejected_with_the_reason(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_matchers(text)


def test_parse_matcher_wants_exactly_one() -> None:
    with pytest.raises(ValueError, match="expected one matcher, got 2"):
        parse_matcher('a="1",b="2"')


@pytest.mark.parametrize(
    ("matcher", "labels", "matches"),
    [
        pytest.param(Matcher("env", "=~", "prod|staging"), {"env": "prod"}, True, id="=~ matches"),
        pytest.param(Matcher("env", "=~", "prod"), {"env": "production"}, False, id="=~ anchored"),
        pytest.param(Matcher("env", "!=", "prod"), {}, True, id="!= matches a missing label"),
        pytest.param(Matcher("env", "=", ""), {}, True, id='="" matches a missing label'),
        pytest.param(Matcher("env", "!~", ".+"), {}, True, id="!~ .+ matches a missing label"),
    ],
)
def test_a_missing_label_matches_as_the_empty_string(
    matcher: Matcher, labels: dict[str, str], matches: bool
) -> None:
    assert matcher.matches(labels) is matches


def test_a_matcher_prints_back_in_a_form_that_parses_to_itself() -> None:
    original = Matcher("msg", "=", 'say "hi"\\')
    assert parse_matcher(str(original)) == original

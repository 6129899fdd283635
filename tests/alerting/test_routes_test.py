"""``vigil routes test``: the receivers a label set reaches, printed as amtool prints them."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from alerting.errors import RoutingFileError
from alerting.routes_test import routes_test
from vigil.alerting_cli import add_alerting_commands

HERE = Path(__file__).parent / "routes"


@pytest.mark.parametrize(
    ("file", "labels", "receivers"),
    [
        pytest.param("alertmanager.yml", ["test=1"], "test1", id="amtool: test=1 reaches test1"),
        pytest.param(
            "alertmanager.yml", ["test=2"], "test1,test2", id="amtool: continue adds test2"
        ),
        pytest.param(
            "alertmanager-reverted.yml",
            ["test=2"],
            "test2,test1",
            id="amtool: receivers print in tree order",
        ),
        pytest.param(
            "alertmanager.yml", ["test=volovina"], "default", id="amtool: no match is the root"
        ),
        pytest.param(
            "vigil.yaml",
            ["severity=critical", "team=credit-risk"],
            "pagerduty,audit-log",
            id="a vigil.yaml's alerting section",
        ),
        pytest.param(
            "vigil.yaml", ['severity="warning"'], "ml-oncall-slack", id="quoted label values"
        ),
    ],
)
def test_the_matched_receivers_in_tree_order(file: str, labels: list[str], receivers: str) -> None:
    result = routes_test((HERE / file).read_text(), labels)
    assert result.slug == receivers
    assert result.ok


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="vigil")
    add_alerting_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    code = args.handler(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_cli_prints_the_receivers_and_verifies_them(capsys: pytest.CaptureFixture[str]) -> None:
    config = str(HERE / "alertmanager.yml")
    base = ["routes", "test", "--config", config]
    assert run_cli([*base, "--verify-receivers", "test1,test2", "test=2"], capsys) == (
        0,
        "test1,test2\n",
        "",
    )
    code, out, _ = run_cli([*base, "--verify-receivers", "test2,test1", "test=2"], capsys)
    assert code == 1
    assert out == "test1,test2\nWARNING: Expected receivers did not match resolved receivers.\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["--config", str(HERE / "bad-references.yml"), "a=b"],
            "route.routes[0].receiver: unknown receiver 'pager'",
            id="an unknown receiver is reported with its path",
        ),
        pytest.param(
            ["--config", str(HERE / "bad-references.yml"), "a=b"],
            "route.routes[0].mute_time_intervals[0]: undefined time interval 'nights'",
            id="an undefined time interval is reported with its path",
        ),
        pytest.param(
            ["--config", str(HERE / "bad-references.yml"), "a=b"],
            "route: the root route must not have matchers",
            id="root matchers are reported",
        ),
        pytest.param(
            ["--config", str(HERE / "alertmanager.yml"), "test=~1"],
            "labels must be specified as key=value pairs",
            id="a label given as a regex is refused",
        ),
        pytest.param(
            ["--config", str(HERE / "missing.yml"), "a=b"],
            "cannot read",
            id="a missing file",
        ),
    ],
)
def test_the_cli_reports_bad_input_and_exits_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["routes", "test", *argv], capsys)
    assert (code, out) == (2, "")
    assert message in err


def test_an_invalid_regex_is_reported_with_its_path_in_a_vigil_yaml() -> None:
    text = (HERE / "vigil.yaml").read_text().replace("credit-.*", "credit-(.*")
    with pytest.raises(RoutingFileError) as raised:
        routes_test(text, ["a=b"], source="vigil.yaml")
    [(path, reason)] = raised.value.problems
    assert path == "alerting.route.routes[1].matchers"
    assert "invalid regex" in reason
    assert str(raised.value).startswith("vigil.yaml: invalid routing configuration")

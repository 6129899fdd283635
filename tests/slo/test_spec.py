"""SLO specs in ``vigil.yaml``: good ones load, bad ones fail at load with their YAML path.

Each file in ``specs/bad`` starts with ``# expect: <text>``; loading it through Vigil's config
loader must fail with that text. (The folder is not called ``config``: under ``tests/slo`` it
would shadow the ``slo.config`` module.)
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from slo.config import SLOSpec
from slo.sli_config import QualityTarget, SLISpec
from vigil.config import load_config
from vigil.errors import ConfigError

HERE = Path(__file__).parent / "specs"
GOOD = sorted((HERE / "good").glob("*.yaml"))
BAD = sorted((HERE / "bad").glob("*.yaml"))


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_good_specs_load(path: Path) -> None:
    assert load_config(path).slos


@pytest.mark.parametrize("path", BAD, ids=[p.stem.replace("-", " ") for p in BAD])
def test_bad_specs_fail_at_load_with_their_yaml_path(path: Path) -> None:
    expected = path.read_text().splitlines()[0].removeprefix("# expect: ")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert expected in str(raised.value)


def test_a_spec_defaults_to_v1_28_days_and_alerting_on_no_data() -> None:
    slo = SLOSpec(name="a", model="m", sli=SLISpec(kind="availability"), objective=99)
    assert (slo.version, slo.window, slo.calendar, slo.no_data_alert) == (
        "vigil/slo/v1",
        timedelta(days=28),
        None,
        True,
    )
    assert slo.windows().slo_period == timedelta(days=28)


@pytest.mark.parametrize(
    ("target", "value", "met"),
    [
        pytest.param(QualityTarget(at_least=0.8), 0.8, True, id="at least 0.8 is met by 0.8"),
        pytest.param(QualityTarget(at_least=0.8), 0.79, False, id="at least 0.8 is missed by 0.79"),
        pytest.param(QualityTarget(at_most=0.3), 0.3, True, id="at most 0.3 is met by 0.3"),
        pytest.param(QualityTarget(at_most=0.3), 0.31, False, id="at most 0.3 is missed by 0.31"),
        pytest.param(QualityTarget(at_least=0.8), float("nan"), False, id="a NaN never meets"),
    ],
)
def test_quality_targets_are_inclusive_bounds(
    target: QualityTarget, value: float, met: bool
) -> None:
    assert target.met(value) is met

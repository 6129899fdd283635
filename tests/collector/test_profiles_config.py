"""``collector.profiles`` in ``vigil.yaml``: defaults, and mistakes reported with their path."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from collector.profiles.config import ProfilesConfig
from store.profile_records import SketchSettings
from vigil.config import ConfigError, load_config

EXAMPLE = Path(__file__).parents[2] / "examples" / "vigil.yaml"


def test_the_example_config_profiles_with_the_documented_defaults() -> None:
    config = load_config(EXAMPLE)
    assert config.collector.profiles == ProfilesConfig()
    assert config.collector.profiles.sketches == SketchSettings(200, 1000, 11)
    assert config.collector.profiles.reservoir_window == timedelta(hours=1)
    assert config.detectors.drift.source == "raw"


@pytest.mark.parametrize(
    ("line", "replacement", "message"),
    [
        pytest.param(
            "    kll_k: 200", "    kll_k: 4", "collector.profiles.kll_k", id="a sketch too small"
        ),
        pytest.param(
            "    reservoir_window: 1h",
            "    reservoir_window: 90s",
            "collector.profiles.reservoir_window: must be a whole number of minutes",
            id="a window of part of a minute",
        ),
        pytest.param(
            "    source: raw",
            "    source: sketches",
            "detectors.drift.source",
            id="an unknown source",
        ),
    ],
)
def test_mistakes_fail_at_load_with_their_yaml_path(
    tmp_path: Path, line: str, replacement: str, message: str
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert line in text
    shutil.copytree(EXAMPLE.parent / "data", tmp_path / "data")
    bad = tmp_path / "vigil.yaml"
    bad.write_text(text.replace(line, replacement, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_config(bad)

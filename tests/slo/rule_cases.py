"""The rule-generation cases shared by the golden and the promtool tests.

Each case renders one input file to a rules file, as ``vigil slo rules`` would (with the
version fixed to ``dev``, so goldens do not change with releases). Sloth's inputs are rendered
with ``cmd=examplesgen.sh``, the extra label Sloth's own goldens were generated with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from slo.openslo_import import load_openslo
from slo.prometheus import rule_groups
from slo.promspec import PromSLO
from slo.rules_file import render_rules
from slo.sloth_import import load_sloth
from slo.vigil_rules import vigil_prom_slos

HERE = Path(__file__).parent
SLOTH = HERE / "conformance" / "sloth"
GOLDEN = HERE / "golden"
SLOTH_LABELS = {"cmd": "examplesgen.sh"}


def load_vigil(text: str, source: str, period: timedelta) -> list[PromSLO]:
    """The rule specs of a ``vigil.yaml``'s SLOs, through the real config loader."""
    from vigil.config import parse_config

    config = parse_config(text, source=source)
    return vigil_prom_slos(config.slos, {m.name: m.team for m in config.models})


@dataclass(frozen=True)
class RuleCase:
    """An input, how to read it, and the golden file its rules must equal."""

    id: str
    input: Path
    load: Callable[[str, str, timedelta], list[PromSLO]]
    golden: str
    period: timedelta = timedelta(days=30)
    extra_labels: dict[str, str] | None = None

    def render(self) -> str:
        slos = self.load(self.input.read_text(), self.input.name, self.period)
        groups = rule_groups(slos, version="dev", extra_labels=self.extra_labels)
        return render_rules(groups, self.input.name, "dev")


CASES = [
    RuleCase(
        "Sloth's getting-started example",
        SLOTH / "getting-started.input.yml",
        load_sloth,
        "sloth-getting-started.rules.yml",
        extra_labels=SLOTH_LABELS,
    ),
    RuleCase(
        "Sloth's example without alerts",
        SLOTH / "no-alerts.input.yml",
        load_sloth,
        "sloth-no-alerts.rules.yml",
        extra_labels=SLOTH_LABELS,
    ),
    RuleCase(
        "Sloth's OpenSLO v1alpha example",
        SLOTH / "openslo-getting-started.input.yml",
        load_openslo,
        "openslo-getting-started.rules.yml",
        extra_labels=SLOTH_LABELS,
    ),
    RuleCase(
        "Sloth's getting-started example over 28 days names its period 4w",
        SLOTH / "getting-started.input.yml",
        load_sloth,
        "sloth-getting-started-28d.rules.yml",
        period=timedelta(days=28),
    ),
    RuleCase(
        "OpenSLO v1 with an SLI reference, a DataSource and bad/total events",
        GOLDEN / "openslo-v1.input.yml",
        load_openslo,
        "openslo-v1.rules.yml",
    ),
    RuleCase(
        "Vigil's own SLOs of every kind read Vigil's counters",
        GOLDEN / "vigil.input.yaml",
        load_vigil,
        "vigil.rules.yml",
    ),
]

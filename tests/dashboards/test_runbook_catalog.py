"""The runbook catalogue: parsing front matter, validating it, and linting rules against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboards.runbook_catalog import (
    REQUIRED_SECTIONS,
    Problem,
    Runbook,
    load_catalog,
    parse_runbook,
)
from dashboards.runbook_lint import RuleRef, covering_runbook, lint

SECTIONS = "\n".join(f"## {title}\n\nText.\n" for title in REQUIRED_SECTIONS)
GOOD_FRONT = "alerts: [FeatureDrift]\nseverity: warning\nowner: ml-platform\nsummary: Drift."


def _text(front: str, body: str = SECTIONS) -> str:
    return f"---\n{front}\n---\n\n# Title\n\n{body}"


def _problems(text: str) -> list[tuple[str, str]]:
    parsed = parse_runbook(Path("rb/x.md"), text)
    assert not isinstance(parsed, Runbook)
    return [(p.field, p.message) for p in parsed]


def test_a_valid_runbook_has_its_file_name_metadata_and_body() -> None:
    parsed = parse_runbook(Path("rb/feature-drift.md"), _text(GOOD_FRONT))
    assert isinstance(parsed, Runbook)
    assert (parsed.name, parsed.meta.alerts, parsed.meta.severity) == (
        "feature-drift",
        ("FeatureDrift",),
        "warning",
    )
    assert parsed.body.startswith("# Title")


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        pytest.param("# No front matter\n", "(front matter)", "missing", id="no front matter"),
        pytest.param("---\nalerts: [\n---\n", "(front matter)", "not valid YAML", id="bad yaml"),
        pytest.param("---\n- a\n---\n", "(front matter)", "mapping", id="a list is no mapping"),
        pytest.param(
            _text(GOOD_FRONT.replace("warning", "page")), "severity", "'info'", id="bad severity"
        ),
        pytest.param(
            _text(GOOD_FRONT.replace("[FeatureDrift]", "[]")),
            "alerts",
            "at least 1",
            id="no alerts",
        ),
        pytest.param(
            _text(GOOD_FRONT.replace("[FeatureDrift]", "[Feature Drift]")),
            "alerts",
            "not an alert name",
            id="an alert name with a space",
        ),
        pytest.param(
            _text(GOOD_FRONT.replace("owner: ml-platform\n", "")),
            "owner",
            "required",
            id="no owner",
        ),
        pytest.param(_text(GOOD_FRONT + "\nteam: x"), "team", "not permitted", id="unknown field"),
        pytest.param(
            _text(GOOD_FRONT, SECTIONS.replace("## Impact", "## Effects")),
            "sections",
            "'## Impact'",
            id="a required section is missing",
        ),
    ],
)
def test_an_invalid_runbook_is_reported_with_its_field(text: str, field: str, message: str) -> None:
    problems = _problems(text)
    assert any(f == field and message in m for f, m in problems), problems


def test_the_catalogue_reports_missing_folders_and_alerts_listed_twice(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(_text(GOOD_FRONT))
    (tmp_path / "b.md").write_text(_text(GOOD_FRONT))
    catalog = load_catalog([tmp_path, tmp_path / "missing"])
    assert [r.name for r in catalog.runbooks] == ["a", "b"]
    assert [str(p) for p in catalog.problems] == [
        f"{tmp_path / 'missing'}: (folder): not a folder",
        f"{tmp_path / 'b.md'}: alerts: FeatureDrift is in {tmp_path / 'a.md'} too",
    ]


@pytest.mark.parametrize(
    ("rule", "covered_by"),
    [
        pytest.param(RuleRef("r[0]", "FeatureDrift", "a"), "a", id="the rule's runbook file wins"),
        pytest.param(RuleRef("r[0]", "FeatureDrift", "gone"), "a", id="else a runbook listing it"),
        pytest.param(RuleRef("r[0]", "Other", "a"), "a", id="its file covers an unlisted alert"),
        pytest.param(RuleRef("r[0]", "Other", "gone"), None, id="neither is uncovered"),
    ],
)
def test_a_rule_is_covered_by_its_runbook_file_or_by_front_matter(
    tmp_path: Path, rule: RuleRef, covered_by: str | None
) -> None:
    (tmp_path / "a.md").write_text(_text(GOOD_FRONT))
    catalog = load_catalog([tmp_path])
    assert covering_runbook(catalog, rule) == covered_by
    expected = (
        []
        if covered_by
        else [
            Problem(
                "r[0]", "runbook", "no valid runbook gone.md and no runbook lists Other in `alerts`"
            )
        ]
    )
    assert lint(catalog, [rule]) == expected

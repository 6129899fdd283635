"""``vigil check`` from the command line: files in, a report out, 0 / 1 / 2 as exit status."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from vigil.check_cli import add_check_command


def _vigil_check(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="vigil")
    add_check_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["check", *argv])
    return int(args.handler(args))


def _table(seed: int, shift: float = 0.0, n: int = 2000) -> pa.Table:
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "request_id": [f"{seed}-{i}" for i in range(n)],
            "income": rng.normal(50_000 * (1 + shift), 10_000, n),
            "purpose": rng.choice(["car", "home"], n),
        }
    )


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "ref": tmp_path / "ref.parquet",
        "same": tmp_path / "same.csv",
        "shifted": tmp_path / "shifted.parquet",
    }
    pq.write_table(_table(1), paths["ref"])
    pacsv.write_csv(_table(2), paths["same"])
    pq.write_table(_table(3, shift=0.5), paths["shifted"])
    return paths


def test_a_passing_check_exits_0_and_prints_markdown(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _vigil_check("--reference", str(files["ref"]), "--current", str(files["same"])) == 0
    out = capsys.readouterr().out
    assert out.startswith("## vigil check: PASS")
    assert "| `income` | numeric | wasserstein |" in out


def test_a_failing_check_exits_1_and_writes_json_to_out(
    files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    code = _vigil_check(
        "--reference", str(files["ref"]), "--current", str(files["shifted"]),
        "--format", "json", "--out", str(out), "--ignore", "purpose",
    )  # fmt: skip
    assert code == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["verdict"] == "fail"
    assert [(c["name"], c["verdict"]) for c in report["columns"]] == [
        ("request_id", "skipped"), ("income", "fail"), ("purpose", "skipped"),
    ]  # fmt: skip
    assert report["dataset"][0]["check"] == "duplicates"


def test_a_model_from_the_config_chooses_the_features(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "vigil.yaml"
    config.write_text(
        "version: vigil/v1\nmodels:\n  - name: credit\n    features:\n"
        "      - {name: purpose, type: categorical}\n"
        "detectors:\n  drift:\n    methods:\n      purpose: {method: chisquare}\n",
        encoding="utf-8",
    )
    code = _vigil_check(
        "--reference", str(files["ref"]), "--current", str(files["shifted"]),
        "--config", str(config), "--model", "credit", "--format", "json",
    )  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [(c["name"], c["method"]) for c in report["columns"]] == [("purpose", "chisquare")]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["--current", "{same}", "--reference", "{tmp}/absent.csv"],
            "file not found",
            id="a missing file",
        ),
        pytest.param(
            ["--current", "{same}", "--reference", "{tmp}/notes.txt"],
            "use a .csv",
            id="a file of another format",
        ),
        pytest.param(
            ["--current", "{same}", "--reference", "{tmp}/broken.parquet"],
            "not a valid parquet",
            id="a broken parquet file",
        ),
        pytest.param(
            ["--current", "{same}", "--reference", "{ref}", "--model", "credit"],
            "go together",
            id="a model without a config",
        ),
        pytest.param(
            [
                "--current",
                "{same}",
                "--reference",
                "{ref}",
                "--config",
                "{tmp}/vigil.yaml",
                "--model",
                "other",
            ],
            "model 'other' is not in",
            id="an unknown model",
        ),
    ],
)
def test_usage_errors_exit_2_with_a_message(
    files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    (tmp_path / "broken.parquet").write_text("not parquet", encoding="utf-8")
    (tmp_path / "vigil.yaml").write_text(
        "version: vigil/v1\nmodels:\n  - name: credit\n    features: [{name: income, type: numeric}]\n",
        encoding="utf-8",
    )
    values = {"same": str(files["same"]), "ref": str(files["ref"]), "tmp": str(tmp_path)}
    assert _vigil_check(*(a.format(**values) for a in argv)) == 2
    assert message in capsys.readouterr().err


def test_a_missing_required_option_is_an_argparse_usage_error() -> None:
    with pytest.raises(SystemExit) as exited:
        _vigil_check("--reference", "ref.csv")
    assert exited.value.code == 2

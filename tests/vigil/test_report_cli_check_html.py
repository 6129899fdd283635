"""``vigil check --format html``: the release gate's report as one self-contained page."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vigil.cli import main


class _Cells(HTMLParser):
    """The text of every table row, and every tag that would load something."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.loads: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("script", "link", "img", "iframe"):
            self.loads.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _write(path: Path, seed: int, shift: float) -> Path:
    rng = np.random.default_rng(seed)
    n = 1500
    pq.write_table(
        pa.table(
            {
                "income": rng.normal(50_000 * (1 + shift), 10_000, n),
                "purpose": rng.choice(["car", "home", "<b>x</b>"], n),
            }
        ),
        path,
    )
    return path


@pytest.mark.parametrize(
    ("shift", "code", "verdict"), [(0.0, 0, "PASS"), (0.5, 1, "FAIL")], ids=["same", "shifted"]
)
def test_the_html_report_has_the_verdict_and_a_row_per_column_and_loads_nothing(
    tmp_path: Path, shift: float, code: int, verdict: str, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = _write(tmp_path / "ref.parquet", 1, 0.0)
    current = _write(tmp_path / "cur.parquet", 2, shift)
    out = tmp_path / "check.html"
    argv = ["check", "--reference", str(reference), "--current", str(current)]
    assert main([*argv, "--format", "html", "--out", str(out)]) == code
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert f"<title>vigil check: {verdict}</title>" in page
    parser = _Cells()
    parser.feed(page)
    assert parser.loads == []
    by_column = {row[0]: row for row in parser.rows if row and row[0] in ("income", "purpose")}
    assert by_column["income"][1:3] == ["numeric", "wasserstein"]
    assert by_column["income"][8] == ("pass" if shift == 0 else "fail")
    assert by_column["purpose"][1] == "categorical"
    assert "<b>x</b>" not in page  # values and names are escaped, never markup
    assert f"report: {out}" in capsys.readouterr().out

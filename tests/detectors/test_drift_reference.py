"""Loading reference datasets: CSV and Parquet into per-feature arrays, and clear errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from detectors.errors import (
    ReferenceColumnMissing,
    ReferenceColumnType,
    ReferenceDataError,
    ReferenceEmpty,
    ReferenceNotFound,
    ReferenceUnreadable,
)
from detectors.reference import load_reference
from store.specs import ModelSpec

#: A cell value that must never appear in an error message (reference data may be PHI).
SECRET = "Jane-Doe-1970"


def _spec(**types: str) -> ModelSpec:
    features = [{"name": name, "type": kind} for name, kind in types.items()]
    return ModelSpec.model_validate(
        {"name": "credit", "features": features, "reference": {"path": "ref.csv"}}
    )


SPEC = _spec(income="numeric", purpose="categorical", is_new="boolean", note="text")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_reference_becomes_arrays_with_nan_for_numeric_nulls(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "ref.csv",
        "income,purpose,is_new,unused\n1000,car,True,x\n,007,false,x\n2500.5,,1,x\nNA,car,0,x\n",
    )
    reference = load_reference(SPEC, path)
    assert reference.rows == 4
    assert reference.source == str(path)
    income = reference.numeric["income"]
    assert income.dtype == np.float64
    assert income[[0, 2]].tolist() == [1000.0, 2500.5]
    assert np.isnan(income[[1, 3]]).all()
    assert reference.labels["purpose"].tolist() == ["car", "007", "car"]
    assert reference.labels["is_new"].tolist() == ["true", "false", "true", "false"]
    assert "note" not in reference.labels and "note" not in reference.numeric


def test_a_parquet_reference_converts_integers_categories_and_booleans(tmp_path: Path) -> None:
    path = tmp_path / "ref.parquet"
    table = pa.table(
        {
            "income": pa.array([1000, None, 3000], pa.int64()),
            "purpose": pa.array(["car", "house", None]).dictionary_encode(),
            "is_new": pa.array([True, None, False]),
        }
    )
    pq.write_table(table, path)
    reference = load_reference(SPEC, path)
    assert reference.rows == 3
    assert reference.numeric["income"][[0, 2]].tolist() == [1000.0, 3000.0]
    assert np.isnan(reference.numeric["income"][1])
    assert reference.labels["purpose"].tolist() == ["car", "house"]
    assert reference.labels["is_new"].tolist() == ["true", "false"]


def test_loaded_arrays_are_read_only_so_one_load_can_be_shared(tmp_path: Path) -> None:
    reference = load_reference(
        SPEC, _write(tmp_path / "ref.csv", "income,purpose,is_new\n1,a,true\n")
    )
    with pytest.raises(ValueError, match="read-only"):
        reference.numeric["income"][0] = 2.0
    with pytest.raises(TypeError):
        reference.numeric["other"] = np.zeros(1)  # type: ignore[index]


def _parquet(path: Path, columns: dict[str, pa.Array]) -> Path:
    pq.write_table(pa.table(columns), path)
    return path


CASES = [
    pytest.param(
        lambda d: d / "absent.csv", ReferenceNotFound, "file not found", id="a missing file"
    ),
    pytest.param(
        lambda d: _write(d / "ref.csv", ""), ReferenceEmpty, "empty", id="a zero-byte file"
    ),
    pytest.param(
        lambda d: _write(d / "ref.csv", "income,purpose,is_new\n"),
        ReferenceEmpty,
        "no rows",
        id="a CSV with a header and no rows",
    ),
    pytest.param(
        lambda d: _parquet(
            d / "ref.parquet",
            {
                "income": pa.array([], pa.float64()),
                "purpose": pa.array([], pa.string()),
                "is_new": pa.array([], pa.bool_()),
            },
        ),
        ReferenceEmpty,
        "no rows",
        id="a Parquet file with no rows",
    ),
    pytest.param(
        lambda d: _write(d / "ref.csv", "income,is_new\n1,true\n"),
        ReferenceColumnMissing,
        "'purpose' is not a column",
        id="a CSV without a configured feature",
    ),
    pytest.param(
        lambda d: _parquet(d / "ref.parquet", {"income": pa.array([1.0])}),
        ReferenceColumnMissing,
        "'purpose' is not a column",
        id="a Parquet file without a configured feature",
    ),
    pytest.param(
        lambda d: _write(d / "ref.csv", f"income,purpose,is_new\n1,a,true\n{SECRET},b,false\n"),
        ReferenceColumnType,
        "'income' is numeric",
        id="a CSV numeric column holding text",
    ),
    pytest.param(
        lambda d: _parquet(
            d / "ref.parquet",
            {
                "income": pa.array(["1", SECRET]),
                "purpose": pa.array(["a", "b"]),
                "is_new": pa.array([True, False]),
            },
        ),
        ReferenceColumnType,
        "'income' is numeric but its column has type string",
        id="a Parquet numeric column of strings",
    ),
    pytest.param(
        lambda d: _write(d / "ref.csv", f"income,purpose,is_new\n1,a,true\n2,b,{SECRET}\n"),
        ReferenceColumnType,
        "'is_new' is boolean",
        id="a boolean column holding other words",
    ),
    pytest.param(
        lambda d: _write(d / "ref.parquet", f"not parquet {SECRET}"),
        ReferenceUnreadable,
        "not a valid Parquet file",
        id="a Parquet file that is not Parquet",
    ),
    pytest.param(
        lambda d: _write(d / "ref.csv", f"income,purpose,is_new\n1,a,true,{SECRET}\n"),
        ReferenceUnreadable,
        "not a valid CSV file",
        id="a CSV with a ragged row",
    ),
    pytest.param(
        lambda d: _write(d / "ref.json", "{}"),
        ReferenceUnreadable,
        "use a .csv, .parquet or .pq file",
        id="a file of another format",
    ),
]


@pytest.mark.parametrize(("make", "error", "message"), CASES)
def test_an_unusable_reference_raises_a_clear_error_without_cell_values(
    tmp_path: Path, make: Callable[[Path], Path], error: type[ReferenceDataError], message: str
) -> None:
    path = make(tmp_path)
    with pytest.raises(error, match=message) as raised:
        load_reference(SPEC, path)
    assert isinstance(raised.value, ReferenceDataError)
    assert "'credit'" in str(raised.value)
    assert SECRET not in str(raised.value)

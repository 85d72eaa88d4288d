"""trackbase.Table: rows with columns=, a dict of columns, pandas DataFrames and pyarrow Tables to one typed document."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

import trackbase
from trackbase import Table


def doc(table: Table) -> dict:
    return json.loads(table.to_document())


def test_rows_with_columns_infer_types_and_keep_nulls_and_nan() -> None:
    t = Table(columns=["id", "label", "score", "ok"], data=[[1, "cat", 0.5, True], [2, None, math.nan, False]])
    assert doc(t) == {
        "format": "trackbase.table/1",
        "columns": [
            {"name": "id", "type": "number"},
            {"name": "label", "type": "string"},
            {"name": "score", "type": "number"},
            {"name": "ok", "type": "bool"},
        ],
        "rowCount": 2,
        "data": [[1, 2], ["cat", None], [0.5, "NaN"], [True, False]],
    }


def test_a_dict_of_columns_and_numpy_arrays() -> None:
    np = pytest.importorskip("numpy")
    t = Table({"x": np.array([1.5, np.inf]), "n": np.arange(2), "flag": np.array([True, False])})
    assert doc(t)["data"] == [[1.5, "Infinity"], [0, 1], [True, False]]
    assert [c["type"] for c in t.columns] == ["number", "number", "bool"]


def test_a_pandas_dataframe_with_missing_values() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"id": [1, 2, 3], "label": ["a", None, "c"], "p": [0.1, None, 0.3], "ok": [True, False, True]})
    t = Table(dataframe=frame)
    assert t.row_count == 3
    assert [c["type"] for c in t.columns] == ["number", "string", "number", "bool"]
    assert doc(t)["data"] == [[1, 2, 3], ["a", None, "c"], [0.1, "NaN", 0.3], [True, False, True]]
    assert doc(Table(frame)) == doc(t)
    nullable = pd.DataFrame({"n": pd.array([1, None], dtype="Int64")})
    assert doc(Table(nullable))["data"] == [[1, None]]


def test_a_pyarrow_table() -> None:
    pa = pytest.importorskip("pyarrow")
    t = Table(pa.table({"a": [1, None], "b": ["x", "y"]}))
    assert doc(t)["data"] == [[1, None], ["x", "y"]]


def test_mistakes_raise_at_construction() -> None:
    with pytest.raises(ValueError, match="row 1 has 1 cells"):
        Table(columns=["a", "b"], data=[[1, 2], [3]])
    with pytest.raises(TypeError, match="mixes"):
        Table({"a": [1, "two"]})
    with pytest.raises(ValueError, match="different lengths"):
        Table({"a": [1], "b": [1, 2]})
    with pytest.raises(ValueError, match="at most 200000 rows"):
        Table({"a": [0] * 200_001})
    with pytest.raises(TypeError, match="rows need columns"):
        Table([[1, 2]])


def test_importing_trackbase_does_not_import_pandas_or_the_table_module() -> None:
    code = "import sys, trackbase; print('pandas' in sys.modules, 'pyarrow' in sys.modules, 'trackbase._table' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False", "False"]
    assert trackbase.Table is Table

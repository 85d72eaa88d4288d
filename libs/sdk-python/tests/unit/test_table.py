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


def test_images_in_rows_become_media_cells_from_numpy_pil_bytes_and_image_values() -> None:
    np = pytest.importorskip("numpy")
    PIL = pytest.importorskip("PIL.Image")
    from trackbase._media import encode_png, sha256_hex

    pixels = np.zeros((6, 8, 3), dtype=np.uint8)
    pixels[:, :4, 0] = 255
    as_png = encode_png(pixels)
    pil = PIL.fromarray(pixels)
    t = Table(
        columns=["id", "input"],
        data=[[1, pixels], [2, pil], [3, trackbase.Image(as_png)], [4, None], [5, pixels.astype(np.float32) / 255]],
    )
    d = doc(t)
    assert d["columns"] == [{"name": "id", "type": "number"}, {"name": "input", "type": "image"}]
    cells = d["data"][1]
    # numpy pixels, the same pixels as PNG bytes, and float pixels in [0, 1] are one object; PIL writes its own PNG.
    assert cells[0] == sha256_hex(as_png) and cells[2] == cells[0] and cells[4] == cells[0]
    assert cells[3] is None and len(cells[1]) == 64
    assert [m[0] for m in t.media] == [cells[0], cells[1]]
    assert all(content_type == "image/png" for _, _, content_type in t.media)


def test_bytes_cells_need_a_media_column_type_and_audio_cells_are_typed() -> None:
    wav = b"RIFF" + (36).to_bytes(4, "little") + b"WAVEfmt " + bytes(28)
    with pytest.raises(TypeError, match="images or audio"):
        Table({"clip": [wav]})
    t = Table({"clip": [wav, None]}, types={"clip": "audio"})
    assert doc(t)["columns"] == [{"name": "clip", "type": "audio"}]
    assert t.media[0][1] == wav
    t2 = Table({"clip": [trackbase.Audio(wav)]})
    assert doc(t2)["columns"] == [{"name": "clip", "type": "audio"}]
    with pytest.raises(TypeError, match="mixes image and string cells"):
        Table(columns=["img"], data=[[trackbase.Image(b"\x89PNG\r\n\x1a\n")], ["cat.png"]])


def test_a_dataframe_column_of_images_is_an_image_column() -> None:
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    frame = pd.DataFrame({"id": [1, 2], "img": [np.zeros((2, 2), dtype=np.uint8), np.full((2, 2), 9, dtype=np.uint8)]})
    t = Table(frame)
    assert [c["type"] for c in t.columns] == ["number", "image"]
    assert len(t.media) == 2


def test_image_cells_carry_captions_boxes_and_masks_as_annotations() -> None:
    import json

    import numpy as np

    import trackbase

    pixels = np.zeros((2, 4, 3), dtype=np.uint8)
    boxes = {"pred": {"boxes": [{"box": [0, 0, 2, 1], "class_id": 0, "score": 0.5}], "class_names": {0: "cat"}}}
    mask = np.array([[1, 1, 0, 0], [1, 1, 0, 0]], dtype=np.uint8)
    table = trackbase.Table(
        columns=["id", "img"],
        data=[
            [1, trackbase.Image(pixels, caption="boxed", boxes=boxes)],
            [2, trackbase.Image(pixels)],
            [3, trackbase.Image(pixels + 5, masks={"seg": {"mask": mask, "class_names": {1: "road"}}})],
        ],
    )
    doc = json.loads(table.to_document())
    first, plain, third = doc["data"][1]
    assert first == f"{plain}#0"
    assert len(plain) == 64 and "#" not in plain
    assert third.endswith("#1")
    annotation = doc["annotations"]["img"][0]
    assert annotation["caption"] == "boxed"
    assert annotation["boxes"]["pred"]["boxes"][0]["classId"] == 0
    seg = doc["annotations"]["img"][1]["masks"]["seg"]
    assert seg["classNames"] == {"1": "road"}
    # The two images and the mask's PNG, each once.
    assert sorted(m[0] for m in table.media) == sorted([plain, third.split("#")[0], seg["sha256"]])


def test_a_table_without_annotated_cells_has_no_annotations() -> None:
    import json

    import numpy as np

    import trackbase

    doc = json.loads(
        trackbase.Table(columns=["img"], data=[[trackbase.Image(np.zeros((2, 2, 3), dtype=np.uint8))]]).to_document()
    )
    assert "annotations" not in doc

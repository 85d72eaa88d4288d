"""Media values: conversions from numpy, PIL and torch, the PNG encoder, boxes, masks, histograms and evaluation charts."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import trackbase
from trackbase._media import encode_png, media_values, to_pixels
from trackbase._media_store import journal_item


def decode(png: bytes) -> np.ndarray:
    from PIL import Image as PILImage

    return np.asarray(PILImage.open(io.BytesIO(png)))


def test_import_trackbase_loads_neither_numpy_nor_pil_nor_torch() -> None:
    code = "import sys, trackbase; trackbase.Image; print([m for m in ('numpy', 'PIL', 'torch') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_numpy_layouts_and_dtypes_become_the_same_pixels() -> None:
    rng = np.random.default_rng(0)
    hwc = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    assert (to_pixels(hwc) == hwc).all()
    assert (to_pixels(hwc.transpose(2, 0, 1)) == hwc).all()  # CHW
    assert (to_pixels(hwc[:, :, 0]) == hwc[:, :, 0]).all()  # HW
    assert (to_pixels(hwc[:, :, :1]) == hwc[:, :, 0]).all()  # HW1
    floats = hwc.astype(np.float32) / 255.0
    assert np.abs(to_pixels(floats).astype(int) - hwc).max() <= 1
    assert (to_pixels(np.full((2, 2), 7.0)) == 255).all()  # floats clip to [0, 1]
    with pytest.raises(ValueError, match="shape"):
        to_pixels(np.zeros((2, 3, 5, 7)))
    with pytest.raises(ValueError, match="NaN"):
        to_pixels(np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match="0..255"):
        to_pixels(np.full((2, 2), 300, dtype=np.int32))


def test_the_png_encoder_round_trips_through_pil() -> None:
    rng = np.random.default_rng(1)
    for shape in [(4, 6), (4, 6, 3), (4, 6, 4)]:
        pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
        assert (decode(encode_png(pixels)) == pixels).all()
    wide = rng.integers(0, 65536, size=(3, 3), dtype=np.uint16)
    assert (decode(encode_png(wide)).astype(np.uint16) == wide).all()


def test_an_image_copies_its_array_when_logged_so_later_changes_do_not_leak() -> None:
    pixels = np.zeros((4, 4, 3), dtype=np.uint8)
    image = trackbase.Image(pixels, caption="zeros")
    pixels[:] = 255
    item, blobs = image.to_item()
    assert item == {"type": "image", "caption": "zeros"}
    assert (decode(blobs[0][0]) == 0).all() and blobs[0][1] == "image/png"


def test_pil_images_bytes_and_files(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    pil = PILImage.new("RGB", (8, 4), (10, 20, 30))
    _, blobs = trackbase.Image(pil).to_item()
    assert decode(blobs[0][0]).shape == (4, 8, 3) and (decode(blobs[0][0])[0, 0] == [10, 20, 30]).all()
    jpeg = io.BytesIO()
    pil.save(jpeg, format="JPEG")
    _, blobs = trackbase.Image(jpeg.getvalue()).to_item()
    assert blobs[0] == (jpeg.getvalue(), "image/jpeg")
    path = tmp_path / "x.png"
    pil.save(path)
    image = trackbase.Image(str(path))
    path.write_bytes(b"rewritten after logging")
    assert image.to_item()[1][0][1] == "image/png"


def test_torch_tensors_chw_float_and_uint8() -> None:
    torch = pytest.importorskip("torch")
    chw = torch.rand(3, 5, 6)
    _, blobs = trackbase.Image(chw).to_item()
    expected = (np.clip(chw.numpy().transpose(1, 2, 0), 0, 1) * 255 + 0.5).astype(np.uint8)
    assert (decode(blobs[0][0]) == expected).all()
    hw = torch.randint(0, 255, (5, 6), dtype=torch.uint8)
    assert (decode(trackbase.Image(hw).to_item()[1][0][0]) == hw.numpy()).all()


def test_boxes_and_masks_are_declared_in_the_wire_shape() -> None:
    mask = np.zeros((4, 6), dtype=np.int64)
    mask[1:3, 2:5] = 2
    image = trackbase.Image(
        np.zeros((4, 6, 3), dtype=np.uint8),
        boxes={
            "pred": {
                "boxes": [{"box": [1, 1, 3, 3], "class_id": 1, "score": 0.5}],
                "class_names": ["bg", "cat"],
                "coordinates": "pixel",
            }
        },
        masks={"seg": {"mask": mask, "class_names": {2: "road"}}},
    )
    item, blobs = image.to_item()
    assert item["boxes"] == {
        "pred": {
            "coordinates": "pixel",
            "format": "xyxy",
            "classNames": {"0": "bg", "1": "cat"},
            "boxes": [{"box": [1.0, 1.0, 3.0, 3.0], "classId": 1, "score": 0.5}],
        }
    }
    assert item["masks"]["seg"]["classNames"] == {"2": "road"}
    assert (decode(blobs[1][0]) == mask).all()
    with pytest.raises(ValueError, match="four"):
        trackbase.Image(np.zeros((2, 2)), boxes={"p": [[1, 2, 3]]})


def test_a_journalled_item_stores_its_bytes_by_digest_before_naming_them(tmp_path: Path) -> None:
    entry = journal_item(tmp_path, trackbase.Image(np.zeros((2, 2), dtype=np.uint8)), "samples", 3, 1000, 1)
    item = entry["v"]
    assert entry["t"] == "md" and (item["key"], item["step"], item["index"], item["type"]) == ("samples", 3, 1, "image")
    assert (tmp_path / "media" / item["sha256"]).stat().st_size == item["size"]


def test_lists_of_media_are_batches_of_samples() -> None:
    images = [trackbase.Image(np.zeros((2, 2))), trackbase.Image(np.ones((2, 2)))]
    assert media_values(images) == images
    assert media_values([1, 2]) is None and media_values(0.5) is None


def test_histograms_from_values_and_from_bins() -> None:
    item, _ = trackbase.Histogram(np.array([0.0, 1.0, 1.0, 2.0, np.nan]), bins=2).to_item()
    assert item["data"] == {"counts": [1.0, 3.0], "edges": [0.0, 1.0, 2.0]}
    item, _ = trackbase.Histogram(np_histogram=([1, 2], [0, 1, 2])).to_item()
    assert item["data"] == {"counts": [1.0, 2.0], "edges": [0.0, 1.0, 2.0]}


def test_confusion_matrix_roc_and_pr_curves() -> None:
    cm = trackbase.plot.confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], ["a", "b", "c"]).to_item()[0]
    assert cm == {
        "type": "confusion_matrix",
        "data": {"classNames": ["a", "b", "c"], "matrix": [[1, 0, 0], [0, 1, 1], [0, 0, 1]]},
    }
    perfect = trackbase.plot.roc_curve([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]).to_item()[0]["data"]["curves"][0]
    assert perfect["auc"] == pytest.approx(1.0) and perfect["x"][0] == 0 and perfect["y"][-1] == 1
    inverted = trackbase.plot.roc_curve([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]).to_item()[0]["data"]["curves"][0]
    assert inverted["auc"] == pytest.approx(0.0)
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    roc = trackbase.plot.roc_curve([0, 1, 1, 1], probs, ["neg", "pos"]).to_item()[0]["data"]["curves"]
    assert [c["className"] for c in roc] == ["neg", "pos"]
    assert roc[1]["auc"] == pytest.approx(1.0)
    pr = trackbase.plot.pr_curve([0, 1, 1, 1], probs, ["neg", "pos"]).to_item()[0]["data"]["curves"][1]
    assert pr["x"][-1] == pytest.approx(1.0) and pr["auc"] == pytest.approx(1.0)


def test_uploaded_files_declare_their_content_type_by_extension() -> None:
    from trackbase._files import HashedFile

    assert HashedFile("x", "plots/loss.PNG", 1, "a" * 64).declaration()["contentType"] == "image/png"
    assert HashedFile("x", "eval/preds.csv", 1, "a" * 64).declaration()["contentType"] == "text/csv"
    assert "contentType" not in HashedFile("x", "weights.bin", 1, "a" * 64).declaration()
    assert "contentType" not in HashedFile("x", "v1.0/README", 1, "a" * 64).declaration()

"""wandb.Image, wandb.Histogram and wandb.Table logged with run.log, read back as Trackbase media items and tables."""

from __future__ import annotations

import hashlib
import json
import struct
import time
import urllib.parse
import urllib.request
import zlib
from typing import Any, Dict, List

from conftest import WandbEnv, marker

MEDIA_SCRIPT = """
import numpy as np
import wandb

run = wandb.init()
print(f"RUN_ID={run.id}")
rng = np.random.default_rng(0)
for step in range(3):
    pixels = np.zeros((12, 16, 3), dtype=np.uint8)
    pixels[:, :, step] = 200 + step  # a different colour at each step
    run.log(
        {
            "loss": 1.0 / (step + 1),
            "sample": wandb.Image(pixels, caption=f"step {step}"),
            "grads": wandb.Histogram(np_histogram=([1, 2 + step, 3], [0.0, 0.5, 1.0, 1.5])),
            "eval": {"weights": wandb.Histogram(rng.normal(size=100), num_bins=8)},
        },
        step=step,
    )
run.log({"batch": [wandb.Image(np.full((8, 8, 3), v, dtype=np.uint8), caption=f"v{v}") for v in (10, 20, 30)]}, step=3)
table = wandb.Table(columns=["id", "label", "score", "ok"], data=[[1, "cat", 0.9, True], [2, "dog", float("nan"), False], [3, None, 0.25, True]])
run.log({"predictions": table}, step=4)
run.finish()
"""


def png_pixel(data: bytes) -> tuple:
    """The first pixel (RGB) of an 8-bit RGB or RGBA PNG, decoded with the standard library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    channels = {2: 3, 6: 4}[header[9]]
    raw = zlib.decompress(idat)
    # Whatever the first scanline's filter, its first pixel is stored as is (nothing lies left of or above it).
    return tuple(raw[1 : 1 + channels][:3])


def media(wb: WandbEnv, run_id: str, key: str) -> List[Dict[str, Any]]:
    query = urllib.parse.urlencode({"key": key})
    return list(wb.tenant.owner.api.get(f"{wb.run_path(run_id)}/media?{query}")["items"])


def fetch(wb: WandbEnv, url: str) -> bytes:
    with urllib.request.urlopen(url if url.startswith("http") else wb.server_url + url, timeout=30) as response:
        return bytes(response.read())


def test_images_histograms_and_tables_become_trackbase_media_and_tables(wb: WandbEnv) -> None:
    run_id = marker(wb.python(MEDIA_SCRIPT).stdout, "RUN_ID")
    run = wb.run(run_id)
    assert run["state"] == "finished"

    keys = {k["key"]: k for k in wb.tenant.owner.api.get(f"{wb.run_path(run['id'])}/media/keys")["keys"]}
    assert keys["sample"]["type"] == "image" and keys["sample"]["steps"] == [0, 1, 2]
    assert keys["grads"]["type"] == "histogram" and keys["grads"]["steps"] == [0, 1, 2]
    assert keys["eval.weights"]["type"] == "histogram"
    assert keys["batch"]["type"] == "image" and keys["batch"]["count"] == 3

    # Images: the bytes the client uploaded, at their step, with caption and size, thumbnails made by Trackbase.
    samples = media(wb, run["id"], "sample")
    # Thumbnails are made by a background job shortly after the batch: wait for them.
    deadline = time.monotonic() + 30
    while not all(i["thumbnailUrl"] for i in samples) and time.monotonic() < deadline:
        time.sleep(0.2)
        samples = media(wb, run["id"], "sample")
    assert [(i["step"], i["caption"], i["width"], i["height"]) for i in samples] == [(s, f"step {s}", 16, 12) for s in range(3)]
    for item in samples:
        content = fetch(wb, item["url"])
        assert hashlib.sha256(content).hexdigest() == item["sha256"]
        pixel = png_pixel(content)
        assert pixel[item["step"]] == 200 + item["step"] and sum(pixel) == 200 + item["step"], pixel
        assert item["thumbnailUrl"]
    assert all(t > 1.7e12 for t in (i["time"] for i in samples))
    batch = media(wb, run["id"], "batch")
    assert [(i["step"], i["index"], i["caption"]) for i in batch] == [(3, 0, "v10"), (3, 1, "v20"), (3, 2, "v30")]
    assert [png_pixel(fetch(wb, i["url"]))[0] for i in batch] == [10, 20, 30]

    # Histograms: W&B's values are the counts, its bins the edges.
    grads = media(wb, run["id"], "grads")
    assert [i["data"] for i in grads] == [{"counts": [1, 2 + s, 3], "edges": [0.0, 0.5, 1.0, 1.5]} for s in range(3)]
    weights = media(wb, run["id"], "eval.weights")
    assert len(weights[0]["data"]["counts"]) == 8 and sum(weights[0]["data"]["counts"]) == 100
    assert len(weights[0]["data"]["edges"]) == 9

    # The loss beside them is still a metric series; the media keys are not.
    metrics = wb.series(run["id"])
    assert metrics["loss"]["steps"] == [0, 1, 2]
    assert not any(name.startswith(("sample", "grads", "batch", "predictions")) for name in metrics)

    # The table: typed columns, its rows readable and filterable through Trackbase's table API.
    tables = wb.tenant.owner.api.get(f"{wb.run_path(run['id'])}/tables")["tables"]
    assert [(t["key"], t["step"], t["rowCount"]) for t in tables] == [("predictions", 4, 3)]
    assert tables[0]["columns"] == [
        {"name": "id", "type": "number"},
        {"name": "label", "type": "string"},
        {"name": "score", "type": "number"},
        {"name": "ok", "type": "bool"},
    ]
    rows = wb.tenant.owner.api.get(f"{wb.run_path(run['id'])}/tables/rows?key=predictions&sort=id")["rows"]
    assert rows[0] == [1, "cat", 0.9, True] and rows[2] == [3, None, 0.25, True]
    assert rows[1][:2] == [2, "dog"] and rows[1][3] is False
    assert rows[1][2] == "NaN"  # W&B writes NaN bare; Trackbase answers it as on the wire
    query = urllib.parse.urlencode({"key": "predictions", "filter": "ok = true"})
    matched = wb.tenant.owner.api.get(f"{wb.run_path(run['id'])}/tables/rows?{query}")
    assert matched["matchedRows"] == 2


MORE_MEDIA_SCRIPT = """
import struct
import wave

import numpy as np
import plotly.graph_objects as go
from PIL import Image as PILImage
import wandb

# A 0.1 s, 8 kHz mono WAV (standard library) and a 3-frame 8x8 GIF (Pillow): tiny files made here.
with wave.open("tone.wav", "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(8000)
    w.writeframes(b"".join(struct.pack("<h", (i % 40) * 500) for i in range(800)))
frames = [PILImage.new("RGB", (8, 8), (c, 0, 0)) for c in (50, 150, 250)]
frames[0].save("clip.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)

run = wandb.init()
print(f"RUN_ID={run.id}")
pixels = np.zeros((20, 40, 3), dtype=np.uint8)
mask = np.zeros((20, 40), dtype=np.uint8)
mask[5:15, 10:30] = 1
boxes = {
    "predictions": {
        "box_data": [
            {"position": {"minX": 0.1, "maxX": 0.5, "minY": 0.2, "maxY": 0.6}, "class_id": 1, "box_caption": "cat", "scores": {"score": 0.9}},
            {"position": {"middle": [0.7, 0.5], "width": 0.2, "height": 0.4}, "class_id": 2, "box_caption": "dog"},
        ],
        "class_labels": {1: "cat", 2: "dog"},
    },
    "truth": {"box_data": [{"position": {"minX": 2, "maxX": 12, "minY": 3, "maxY": 9}, "domain": "pixel", "class_id": 1}], "class_labels": {1: "cat"}},
}
if wandb.__version__.startswith("0.22."):
    # wandb 0.22 encodes a mask array with Pillow's removed `mode=` argument (it fails with Pillow 13):
    # the PNG class map is written here and given by path, which that client uploads as it is.
    PILImage.fromarray(mask).save("mask.png")
    masks = {"segmentation": {"path": "mask.png"}}
else:
    masks = {"segmentation": {"mask_data": mask, "class_labels": {0: "background", 1: "cat"}}}
for step in range(2):
    run.log(
        {
            "detect": wandb.Image(pixels, boxes=boxes, masks=masks, caption="boxes"),
            "sound": wandb.Audio("tone.wav", caption=f"tone {step}"),
            "clip": wandb.Video("clip.gif", caption="clip"),
            "page": wandb.Html(f"<h1>step {step}</h1>", inject=False),
            "chart": go.Figure(data=[go.Scatter(x=[0, 1, 2], y=[step, step + 1, step + 4])]),
            "bars": wandb.Plotly(go.Figure(data=[go.Bar(x=["a", "b"], y=[1, step])])),
        },
        step=step,
    )
run.log({"pages": [wandb.Html("<p>first</p>", inject=False), wandb.Html("<p>second</p>", inject=False)]}, step=2)
run.finish()
"""


def test_boxes_masks_audio_video_html_and_plotly_become_trackbase_media(wb: WandbEnv) -> None:
    run_id = marker(wb.python(MORE_MEDIA_SCRIPT).stdout, "RUN_ID")
    run = wb.run(run_id)
    assert run["state"] == "finished"
    keys = {k["key"]: k for k in wb.tenant.owner.api.get(f"{wb.run_path(run['id'])}/media/keys")["keys"]}
    assert {k: (v["type"], v["steps"]) for k, v in keys.items()} == {
        "detect": ("image", [0, 1]),
        "sound": ("audio", [0, 1]),
        "clip": ("video", [0, 1]),
        "page": ("html", [0, 1]),
        "chart": ("figure", [0, 1]),
        "bars": ("figure", [0, 1]),
        "pages": ("html", [2]),
    }

    # Boxes: both of W&B's position forms as corners, the domain kept, class labels and scores carried over.
    detect = media(wb, run["id"], "detect")
    assert [(i["step"], i["caption"], i["width"], i["height"]) for i in detect] == [(0, "boxes", 40, 20), (1, "boxes", 40, 20)]
    predictions = detect[0]["boxes"]["predictions"]
    assert predictions["coordinates"] == "fraction" and predictions["format"] == "xyxy"
    assert predictions["classNames"] == {"1": "cat", "2": "dog"}
    first, second = predictions["boxes"]
    assert first == {"box": [0.1, 0.2, 0.5, 0.6], "classId": 1, "label": "cat", "score": 0.9}
    assert second["classId"] == 2 and second["label"] == "dog"
    assert [round(v, 6) for v in second["box"]] == [0.6, 0.3, 0.8, 0.7]
    truth = detect[0]["boxes"]["truth"]
    assert truth["coordinates"] == "pixel" and truth["boxes"] == [{"box": [2, 3, 12, 9], "classId": 1}]
    # The mask: the client's PNG class map, of the image's size, served back as uploaded.
    segmentation = detect[0]["masks"]["segmentation"]
    png = fetch(wb, segmentation["url"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (40, 20)
    # Mask class labels live in the client's config (`_wandb`), which may reach Trackbase after the row.
    assert segmentation.get("classNames") in (None, {"0": "background", "1": "cat"})

    # Audio: the WAV as uploaded, with the sample rate and duration Trackbase reads from it.
    sound = media(wb, run["id"], "sound")
    assert [(i["step"], i["caption"], i["contentType"], i["sampleRate"]) for i in sound] == [
        (s, f"tone {s}", "audio/wav", 8000) for s in range(2)
    ]
    assert abs(sound[0]["duration"] - 0.1) < 1e-6
    wav = fetch(wb, sound[0]["url"])
    assert wav[:4] == b"RIFF" and hashlib.sha256(wav).hexdigest() == sound[0]["sha256"]

    # Video: the GIF as uploaded.
    clip = media(wb, run["id"], "clip")
    assert [(i["step"], i["caption"], i["contentType"]) for i in clip] == [(0, "clip", "image/gif"), (1, "clip", "image/gif")]
    assert fetch(wb, clip[0]["url"])[:6] == b"GIF89a"

    # HTML, one and a list: the documents' text read back through the media document route.
    def document(key: str, step: int, index: int = 0) -> str:
        query = urllib.parse.urlencode({"key": key, "step": step, "index": index})
        return str(wb.tenant.owner.api.get(f"{wb.run_path(run['id'])}/media/document?{query}")["text"])

    assert [i["type"] for i in media(wb, run["id"], "page")] == ["html", "html"]
    assert "<h1>step 1</h1>" in document("page", 1)
    assert [(i["index"], i["step"]) for i in media(wb, run["id"], "pages")] == [(0, 2), (1, 2)]
    assert "second" in document("pages", 2, 1)

    # Plotly: a figure logged as is and one wrapped in wandb.Plotly, both Trackbase figures of format plotly.
    chart = media(wb, run["id"], "chart")
    assert [(i["type"], i["format"]) for i in chart] == [("figure", "plotly"), ("figure", "plotly")]
    spec = json.loads(document("chart", 1))
    assert spec["data"][0]["type"] == "scatter" and spec["data"][0]["y"] == [1, 2, 5]
    bars = json.loads(document("bars", 1))
    assert bars["data"][0]["type"] == "bar" and bars["data"][0]["y"] == [1, 1]

    # None of them is a metric series.
    assert not any(name.startswith(("detect", "sound", "clip", "page", "chart", "bars")) for name in wb.series(run["id"]))

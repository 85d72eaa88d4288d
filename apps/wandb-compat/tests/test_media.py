"""wandb.Image, wandb.Histogram and wandb.Table logged with run.log, read back as Trackbase media items and tables."""

from __future__ import annotations

import hashlib
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

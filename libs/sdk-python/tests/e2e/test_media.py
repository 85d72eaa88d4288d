"""Media logged from a training process reach the server, in the background, and survive a SIGKILL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
from processes import env_for, popen, python_cli, script
from trackbase_testing import Tenant

import trackbase

from helpers import api, eventually


def media(tenant: Tenant, run: str, key: str) -> List[Dict[str, Any]]:
    return api(tenant).get(f"/orgs/{tenant.org}/projects/{tenant.project}/runs/{run}/media?key={key}")["items"]  # type: ignore[no-any-return]


def test_images_histograms_and_charts_logged_with_a_step_reach_the_server(tenant: Tenant) -> None:
    run = trackbase.init(
        project=tenant.ref,
        url=tenant.url,
        api_key=tenant.key,
        context=False,
        save_code=False,
        capture_console=False,
        system_metrics_interval=0,
        say=lambda m: None,
    )
    rng = np.random.default_rng(0)
    for step in range(3):
        samples = [trackbase.Image(rng.random((16, 24, 3)), caption=f"s{i}") for i in range(4)]
        run.log({"loss": 1.0 / (step + 1), "samples": samples, "weights": trackbase.Histogram(rng.normal(size=1000))}, step=step)
    run.log(
        {"cm": trackbase.plot.confusion_matrix([0, 1, 1], [0, 1, 0], ["a", "b"]), "bad": trackbase.Image(np.zeros((2, 3, 5, 7)))},
        step=3,
    )
    assert run.finish(timeout=60) is True
    items = media(tenant, run.key, "samples")
    assert [(i["step"], i["index"]) for i in items] == [(s, i) for s in range(3) for i in range(4)]
    # Thumbnails are made by the server in the background, shortly after the items are stored.
    deadline = time.monotonic() + 30
    while any(i["thumbnailState"] == "pending" for i in items) and time.monotonic() < deadline:
        time.sleep(0.2)
        items = media(tenant, run.key, "samples")
    assert all(i["width"] == 24 and i["height"] == 16 and i["thumbnailState"] == "ready" and i["thumbnailUrl"] for i in items)
    assert [i["caption"] for i in items[:4]] == ["s0", "s1", "s2", "s3"]
    assert len(media(tenant, run.key, "weights")) == 3
    assert media(tenant, run.key, "cm")[0]["data"]["matrix"] == [[1, 0], [1, 1]]
    assert media(tenant, run.key, "bad") == []


def test_a_journalled_image_survives_a_sigkill_before_upload_and_sync_sends_it(tenant: Tenant, tmp_path: Path) -> None:
    body = """
    import numpy as np
    run = start(flush_interval=3600)
    run.log({"samples": [trackbase.Image(np.full((8, 8, 3), 0.5), caption="kept"), trackbase.Image(np.zeros((4, 4)))]}, step=7)
    time.sleep(0.5)  # journalled by the writer within 50 ms; nothing is sent before the hour is up
    print("KEY=" + run.key, flush=True)
    while True:
        time.sleep(1)
    """
    child = popen(script(tmp_path, body), env_for(tmp_path, tenant))
    assert child.stdout is not None
    key = child.stdout.readline().strip().split("=", 1)[1]
    child.kill()
    child.wait(30)
    assert media(tenant, key, "samples") == []
    synced = python_cli(env_for(tmp_path, tenant), "sync")
    assert synced.returncode == 0, synced.stderr
    items = eventually(lambda: media(tenant, key, "samples"))
    assert [(i["step"], i["index"], i["caption"], i["width"]) for i in items] == [(7, 0, "kept", 8), (7, 1, None, 4)]

"""Tables logged with run.log against the real server; a SIGKILLed process's table delivered by `trackbase sync`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict
from urllib.parse import quote

import pytest
from processes import env_for, popen, python_cli, script
from trackbase_testing import Tenant

import trackbase

from helpers import api


def rows(tenant: Tenant, run: str, key: str, **query: Any) -> Dict[str, Any]:
    extra = "".join(f"&{k}={quote(str(v), safe='')}" for k, v in query.items())
    path = f"/orgs/{tenant.org}/projects/{tenant.project}/runs/{run}/tables/rows?key={quote(key, safe='')}{extra}"
    return api(tenant).get(path)  # type: ignore[no-any-return]


def test_a_dataframe_logged_with_metrics_is_queryable_on_the_server(tenant: Tenant) -> None:
    pd = pytest.importorskip("pandas")
    run = trackbase.init(
        project=tenant.ref,
        url=tenant.url,
        api_key=tenant.key,
        context=False,
        save_code=False,
        capture_console=False,
        system_metrics_interval=0,
    )
    frame = pd.DataFrame({"id": range(100), "label": ["cat", "dog"] * 50, "p": [i / 100 for i in range(100)]})
    run.log({"loss": 0.1, "eval/preds": trackbase.Table(frame)}, step=4)
    run.log({"rows": trackbase.Table(columns=["a", "b"], data=[[1, "x"], [2, None]])}, step=5)
    assert run.finish(timeout=60) is True
    page = rows(tenant, run.key, "eval/preds", filter='label = "dog" AND p > 0.9', sort="-p", limit=2)
    assert page["table"]["step"] == 4 and page["table"]["rowCount"] == 100
    assert page["matchedRows"] == 5
    assert page["rows"] == [[99, "dog", 0.99], [97, "dog", 0.97]]
    assert rows(tenant, run.key, "rows", sort="a")["rows"] == [[1, "x"], [2, None]]


def test_a_process_killed_with_sigkill_after_logging_a_table_loses_nothing(tenant: Tenant, tmp_path: Path) -> None:
    pytest.importorskip("numpy")
    body = """
    run = start(mode="offline")
    run.log({"preds": trackbase.Table({"id": list(range(3000)), "even": [i % 2 == 0 for i in range(3000)]})}, step=2)
    import numpy as np
    run.log({"dots": trackbase.Table(columns=["id", "img"], data=[[1, np.full((4, 6), 200, dtype=np.uint8)], [2, None]])}, step=2)
    print("LOGGED", flush=True)
    while True:
        time.sleep(1)
    """
    child = popen(script(tmp_path, body), env_for(tmp_path, tenant))
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "LOGGED"
    child.kill()
    child.wait(30)
    synced = python_cli(env_for(tmp_path, tenant), "sync", "--json")
    assert synced.returncode == 0, synced.stderr
    (result,) = json.loads(synced.stdout)["runs"]
    assert result["tables"] == 2
    page = rows(tenant, result["runKey"], "preds", filter="even = false", sort="-id", limit=1)
    assert page["matchedRows"] == 1500 and page["rows"] == [[2999, False]]
    dots = rows(tenant, result["runKey"], "dots", sort="id")
    image = dots["media"][dots["rows"][0][1]]
    assert (image["type"], image["width"], image["height"]) == ("image", 6, 4)


def test_images_in_table_rows_are_uploaded_and_pages_name_them_with_thumbnails(tenant: Tenant) -> None:
    np = pytest.importorskip("numpy")
    PIL = pytest.importorskip("PIL.Image")
    import urllib.request

    run = trackbase.init(
        project=tenant.ref,
        url=tenant.url,
        api_key=tenant.key,
        context=False,
        save_code=False,
        capture_console=False,
        system_metrics_interval=0,
    )
    pixels = np.zeros((100, 300, 3), dtype=np.uint8)
    pixels[:, 150:, 2] = 255
    table = trackbase.Table(
        columns=["id", "input", "label"],
        data=[[1, pixels, "blue"], [2, PIL.fromarray(pixels[:10, :20]), "small"], [3, None, "none"]],
    )
    run.log({"samples": table}, step=1)
    assert run.finish(timeout=60) is True
    page = rows(tenant, run.key, "samples", sort="id")
    assert page["table"]["columns"][1] == {"name": "input", "type": "image"}
    first, second, third = page["rows"]
    assert third[1] is None
    big, small = page["media"][first[1]], page["media"][second[1]]
    assert (big["type"], big["width"], big["height"]) == ("image", 300, 100)
    assert (small["width"], small["height"]) == (20, 10)
    with urllib.request.urlopen(big["thumbnailUrl"]) as response:  # noqa: S310 (the test server's URL)
        thumb = response.read()
    assert thumb[:4] == b"RIFF" and thumb[8:12] == b"WEBP"
    with urllib.request.urlopen(big["url"]) as response:  # noqa: S310
        original = PIL.open(__import__("io").BytesIO(response.read()))
        assert (original.size, np.asarray(original).tolist() == pixels.tolist()) == ((300, 100), True)

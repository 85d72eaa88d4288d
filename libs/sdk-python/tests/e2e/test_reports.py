"""A training script creates, publishes and shares its own report through the REST API (real built server)."""

from __future__ import annotations

import pytest
from trackbase_testing import Tenant

import trackbase
from trackbase._api import TrackbaseApi
from trackbase._errors import TrackbaseApiError
from trackbase._http import HttpClient


def test_a_script_publishes_a_report_of_its_run_and_shares_it_read_only(tenant: Tenant) -> None:
    run = trackbase.init(
        project=tenant.ref,
        url=tenant.url,
        api_key=tenant.key,
        context=False,
        save_code=False,
        capture_console=False,
        system_metrics_interval=0,
    )
    for step in range(3):
        run.log({"loss": 1.0 / (step + 1)}, step=step)
    key = run.key
    assert run.finish(timeout=60) is True

    sdk = TrackbaseApi(HttpClient(tenant.url, tenant.key))
    other = sdk.create_run(tenant.org, tenant.project, {"name": "not in the report"})
    report = sdk.create_report(
        tenant.org,
        {
            "title": "Nightly training",
            "blocks": [
                {"id": "intro", "type": "text", "markdown": "Loss of last night's run."},
                {"id": "loss", "type": "line", "runSet": {"project": tenant.project, "runs": [key]}, "metrics": ["loss"]},
            ],
        },
    )
    assert report["projects"] == [tenant.project]
    version = sdk.publish_report(tenant.org, report["id"])
    assert version["version"] == 1 and version["title"] == "Nightly training"

    link = sdk.create_share_link(tenant.org, report["id"])
    anonymous = TrackbaseApi(HttpClient(tenant.url))
    assert anonymous.shared_report(link["token"])["title"] == "Nightly training"
    data = anonymous.shared_report_data(link["token"], {"block": "loss"})
    assert [r["key"] for r in data["runs"]] == [key]
    assert data["series"][0]["steps"] == [0, 1, 2]
    with pytest.raises(TrackbaseApiError) as refused:
        anonymous.shared_report_data(link["token"], {"block": "loss", "runs": [other["id"]]})
    assert refused.value.status == 404

    # The published version as one self-contained HTML file, for a member and through the link.
    html = sdk.export_report(tenant.org, report["id"], version=1)
    assert html.startswith("<!doctype html>") and "default-src 'none'" in html and "<script" not in html
    assert "Nightly training" in anonymous.shared_report_export(link["token"])


def test_a_script_comments_on_its_report_and_a_block_and_a_share_token_reads_no_comments(tenant: Tenant) -> None:
    sdk = TrackbaseApi(HttpClient(tenant.url, tenant.key))
    report = sdk.create_report(
        tenant.org,
        {"title": "Comments", "blocks": [{"id": "intro", "type": "text", "markdown": "Hello"}]},
    )
    top = sdk.create_report_comment(tenant.org, report["id"], "Overall **fine**")
    assert top["reportId"] == report["id"] and top["blockId"] is None
    on_block = sdk.create_report_comment(tenant.org, report["id"], "This paragraph?", block="intro")
    reply = sdk.create_report_comment(tenant.org, report["id"], "Yes", parent_id=on_block["id"])
    assert reply["blockId"] == "intro"
    threads = sdk.report_comments(tenant.org, report["id"], block="intro")
    assert [t["id"] for t in threads] == [on_block["id"]]
    assert [r["body"] for r in threads[0]["replies"]] == ["Yes"]
    assert sdk.update_report_comment(tenant.org, report["id"], top["id"], "Edited")["body"] == "Edited"
    sdk.delete_report_comment(tenant.org, report["id"], top["id"])
    assert all(t["id"] != top["id"] for t in sdk.report_comments(tenant.org, report["id"]))
    with pytest.raises(TrackbaseApiError) as unknown_block:
        sdk.create_report_comment(tenant.org, report["id"], "x", block="nope")
    assert unknown_block.value.status == 404

    sdk.publish_report(tenant.org, report["id"])
    link = sdk.create_share_link(tenant.org, report["id"])
    with pytest.raises(TrackbaseApiError) as refused:
        TrackbaseApi(HttpClient(tenant.url, link["token"])).report_comments(tenant.org, report["id"])
    assert refused.value.status == 401

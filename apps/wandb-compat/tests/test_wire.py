"""The wire protocol without the client: retries, overwrites, unknown operations and bad input."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import Any, Optional, Tuple

from conftest import WandbEnv

UPSERT = "mutation U($name: String, $project: String, $entity: String) { upsertBucket(input: {name: $name, modelName: $project, entityName: $entity}) { bucket { id name } inserted } }"


def call(wb: WandbEnv, path: str, body: Any, key: Optional[str] = None, method: str = "POST") -> Tuple[int, Any]:
    auth = "Basic " + base64.b64encode(f"api:{key or wb.tenant.key}".encode()).decode()
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"{wb.base_url}{path}", data=data, method=method, headers={"content-type": "application/json", "authorization": auth})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def new_run(wb: WandbEnv, name: str) -> str:
    status, body = call(wb, "/graphql", {"query": UPSERT, "variables": {"name": name, "project": wb.tenant.project, "entity": wb.tenant.org}})
    assert status == 200 and body["data"]["upsertBucket"]["inserted"] is True, body
    return str(body["data"]["upsertBucket"]["bucket"]["id"])


def test_a_retried_file_stream_request_does_not_duplicate_points_or_lines(wb: WandbEnv) -> None:
    run_id = new_run(wb, "retry001")
    path = f"/files/{wb.tenant.org}/{wb.tenant.project}/retry001/file_stream"
    body = {
        "files": {
            "wandb-history.jsonl": {"offset": 0, "content": [json.dumps({"loss": i, "_step": i}) for i in range(3)]},
            "output.log": {"offset": 0, "content": ["2026-12-01T10:00:00.000000 one", "ERROR 2026-12-01T10:00:01.000000 two"]},
        }
    }
    for _ in range(3):
        assert call(wb, path, body) == (200, {"stopped": False})
    # A later request overlapping the first (offset 2) applies only the new line.
    overlap = {"files": {"wandb-history.jsonl": {"offset": 2, "content": [json.dumps({"loss": 2, "_step": 2}), json.dumps({"loss": 3, "_step": 3})]}}}
    assert call(wb, path, overlap)[0] == 200
    assert wb.series(run_id)["loss"]["steps"] == [0, 1, 2, 3]
    text = wb.series(run_id, kind="text")
    assert text["stdout"]["lines"] == ["one"] and text["stderr"]["lines"] == ["two"]


def test_a_console_line_sent_again_at_its_offset_replaces_the_stored_line(wb: WandbEnv) -> None:
    run_id = new_run(wb, "bar00001")
    path = f"/files/{wb.tenant.org}/{wb.tenant.project}/bar00001/file_stream"
    call(wb, path, {"files": {"output.log": {"offset": 0, "content": ["2026-12-01T10:00:00.0 start", "2026-12-01T10:00:00.1 10%"]}}})
    call(wb, path, {"files": {"output.log": {"offset": 1, "content": ["2026-12-01T10:00:00.2 50%"]}}})
    call(wb, path, {"files": {"output.log": {"offset": 1, "content": ["2026-12-01T10:00:00.3 100%", "2026-12-01T10:00:00.4 done"]}}})
    stdout = wb.series(run_id, kind="text")["stdout"]
    assert stdout["lines"] == ["start", "100%", "done"]
    assert stdout["steps"] == [0, 1, 2]


def test_complete_with_an_exit_code_sets_the_final_state(wb: WandbEnv) -> None:
    run_id = new_run(wb, "exit0001")
    call(wb, f"/files/{wb.tenant.org}/{wb.tenant.project}/exit0001/file_stream", {"complete": True, "exitcode": 2})
    assert wb.tenant.owner.api.get(wb.run_path(run_id))["state"] == "failed"


def test_unknown_operations_and_bad_input_are_graphql_errors_never_500(wb: WandbEnv) -> None:
    status, body = call(wb, "/graphql", {"query": "query Nope { launchAgents { id } }"})
    assert status == 200 and body["errors"] and "launchAgents" in body["errors"][0]["message"]
    status, body = call(wb, "/graphql", {"query": "{ viewer { id } "})
    assert status == 200 and body["errors"]
    assert call(wb, "/graphql", {"query": "{" * 200_000})[0] == 400
    assert call(wb, "/graphql", {"variables": {}})[0] == 400
    assert call(wb, "/graphql", b"not json")[0] == 400
    status, body = call(wb, "/graphql", {"query": "{ viewer { id } }"}, key="tbk_000000000000_" + "0" * 64)
    assert status == 401 and body["errors"][0]["message"]
    path = f"/files/{wb.tenant.org}/{wb.tenant.project}/missing1/file_stream"
    assert call(wb, path, {})[0] == 404
    new_run(wb, "badbody1")
    path = f"/files/{wb.tenant.org}/{wb.tenant.project}/badbody1/file_stream"
    assert call(wb, path, [1, 2])[0] == 400
    assert call(wb, path, {"files": {"wandb-history.jsonl": {"offset": -1, "content": []}}})[0] == 400
    assert call(wb, path, {"files": {"wandb-history.jsonl": {"offset": 0, "content": [1]}}})[0] == 400
    assert call(wb, "/uploads/not-a-token", b"x", method="PUT")[0] == 403


def test_another_organizations_run_answers_as_missing(wb: WandbEnv) -> None:
    from trackbase_testing import new_tenant

    other = new_tenant(wb.tenant.url)
    status, body = call(wb, "/graphql", {"query": UPSERT, "variables": {"name": "theirs01", "project": other.project, "entity": other.org}})
    assert status == 200 and body["errors"][0]["message"] == f"entity {other.org} not found"
    status, body = call(wb, "/graphql", {"query": UPSERT, "variables": {"name": "mine0001", "project": wb.tenant.project, "entity": "no-such-org"}})
    assert body["errors"][0]["message"] == "entity no-such-org not found"
    assert call(wb, f"/files/{other.org}/{other.project}/theirs01/file_stream", {})[0] == 404


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def link_target(wb: WandbEnv, path: str, key: Optional[str] = None) -> str:
    headers = {"authorization": "Basic " + base64.b64encode(f"api:{key}".encode()).decode()} if key else {}
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(urllib.request.Request(f"{wb.base_url}{path}", headers=headers), timeout=30)
    except urllib.error.HTTPError as error:
        assert error.code == 302
        return str(error.headers["location"])
    raise AssertionError("no redirect")


def test_a_run_link_tells_nothing_of_the_run_without_a_key_that_may_read_it(wb: WandbEnv) -> None:
    from trackbase_testing import new_tenant

    run_id = new_run(wb, "link0001")
    key = wb.tenant.owner.api.get(wb.run_path(run_id))["key"]
    project_page = f"/{wb.tenant.org}/{wb.tenant.project}"
    # With a key that may read the run: its page.
    assert link_target(wb, f"{project_page}/runs/link0001", key=wb.tenant.key) == f"{project_page}/runs/{key}"
    # Without a key, or with another organization's: exactly the answer for a run that does not exist.
    missing = link_target(wb, f"{project_page}/runs/nosuchrn")
    assert missing == project_page
    assert link_target(wb, f"{project_page}/runs/link0001") == missing
    assert link_target(wb, f"{project_page}/runs/link0001", key=new_tenant(wb.tenant.url).key) == missing

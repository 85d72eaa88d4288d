"""Large artifact files: single PUTs streamed (no size refused below W&B's multipart threshold) and W&B's multipart upload.

The client asks for multipart for files of 2 GiB or more, a fixed threshold. wandb 0.31.0 uploads from
its Go core (`S3MinMultiUploadSize = 2 << 30`, a constant: nothing in a test can lower it). wandb
0.22.3's `wandb sync` uploads from Python (`WandbStoragePolicy.store_file`), which reads the threshold
and the part size from module globals: the sync here runs in a process that lowers both (monkeypatched
before the client's CLI starts), so a 12 MiB file goes up as three 5 MiB parts through the same
CreateArtifactFiles(uploadPartsInput) / part PUTs / CompleteMultipartUploadArtifact calls a 2 GiB file does.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest
import wandb
from conftest import WandbEnv, marker
from test_wire import call

MiB = 1024 * 1024

LOG_OFFLINE = """
import hashlib, random, sys, wandb
size = int(sys.argv[1])
blob = random.Random(7).randbytes(size)
with open("big.bin", "wb") as f:
    f.write(blob)
run = wandb.init(mode="offline")
art = wandb.Artifact("weights", type="model")
art.add_file("big.bin", name="model/big.bin")
# An offline run's new_file() is gone from disk by the time `wandb sync` runs: a file on disk it is.
with open("notes.txt", "w") as f:
    f.write("small beside it\\n")
art.add_file("notes.txt")
run.log_artifact(art)
print(f"SHA={hashlib.sha256(blob).hexdigest()}")
print(f"RUN_ID={run.id}")
print(f"RUN_DIR={run.dir}")
run.finish()
"""

# `wandb sync` with the multipart threshold and part size lowered in this process (see the module docstring).
SYNC_MULTIPART = """
import sys
import wandb.sdk.artifacts.storage_policies.wandb_storage_policy as policy
from wandb.cli.cli import cli

policy.MIN_MULTI_UPLOAD_SIZE = 5 * 1024 * 1024
policy.calc_part_size = lambda size, min_part_size=0: 5 * 1024 * 1024
upload_parts = policy.WandbStoragePolicy.s3_multipart_file_upload


def counting_upload(self, file_path, chunk_size, hex_digests, multipart_urls, extra_headers):
    print(f"PARTS={len(multipart_urls)}", flush=True)
    etags = upload_parts(self, file_path, chunk_size, hex_digests, multipart_urls, extra_headers)
    print(f"ETAGS={len(etags)}", flush=True)
    return etags


policy.WandbStoragePolicy.s3_multipart_file_upload = counting_upload
cli(["sync", sys.argv[1]], standalone_mode=False)
"""

DOWNLOAD = """
import hashlib, os, sys, wandb
art = wandb.Api().artifact(sys.argv[1])
root = art.download()
for dirpath, _, names in sorted(os.walk(root)):
    for n in sorted(names):
        p = os.path.join(dirpath, n)
        print(f"FILE={os.path.relpath(p, root)}:{hashlib.sha256(open(p, 'rb').read()).hexdigest()}")
"""


def files_of(out: str) -> dict:
    return dict(line[len("FILE=") :].rsplit(":", 1) for line in out.splitlines() if line.startswith("FILE="))


@pytest.mark.skipif(
    not wandb.__version__.startswith("0.22."),
    reason="only wandb 0.22's Python uploader can be given a lower multipart threshold",
)
def test_a_multipart_artifact_file_round_trips(wb: WandbEnv) -> None:
    size = 12 * MiB + 12345
    out = wb.python(LOG_OFFLINE, str(size)).stdout
    run_dir = marker(out, "RUN_DIR").rsplit("/files", 1)[0]
    synced = wb.python(SYNC_MULTIPART, run_dir).stdout
    # The client took the multipart path: three part URLs, three ETags, then the completion call.
    # (The client prints "Syncing: …" without a newline before them.)
    assert re.search(r"PARTS=(\d+)", synced)[1] == "3" and re.search(r"ETAGS=(\d+)", synced)[1] == "3", synced

    api = wb.tenant.owner.api
    base = f"/orgs/{wb.tenant.org}/projects/{wb.tenant.project}/artifacts/weights"
    files = {f["path"]: f for f in api.get(f"{base}/versions/v1/files")["files"]}
    assert files["model/big.bin"]["size"] == size and files["model/big.bin"]["state"] == "available"
    assert files["model/big.bin"]["sha256"] == marker(out, "SHA")
    # And back through the client: the bytes downloaded are the bytes logged.
    downloaded = files_of(wb.python(DOWNLOAD, f"{wb.tenant.org}/{wb.tenant.project}/weights:v0").stdout)
    assert downloaded["model/big.bin"] == marker(out, "SHA")
    assert downloaded["notes.txt"] == hashlib.sha256(b"small beside it\n").hexdigest()


LOG_ONLINE = """
import hashlib, random, sys, wandb
size = int(sys.argv[1])
blob = random.Random(11).randbytes(size)
with open("big.bin", "wb") as f:
    f.write(blob)
run = wandb.init()
art = wandb.Artifact("checkpoint", type="model")
art.add_file("big.bin")
run.log_artifact(art)
art.wait()
print(f"SHA={hashlib.sha256(blob).hexdigest()}")
run.finish()
"""


def test_a_large_single_put_is_streamed_and_round_trips(wb: WandbEnv) -> None:
    # Below W&B's multipart threshold every file is one PUT: the server streams it to a staging key of the
    # store, hashing it on the way, and moves it to its content key.
    size = 40 * MiB + 7
    out = wb.python(LOG_ONLINE, str(size)).stdout
    api = wb.tenant.owner.api
    files = {
        f["path"]: f
        for f in api.get(f"/orgs/{wb.tenant.org}/projects/{wb.tenant.project}/artifacts/checkpoint/versions/v1/files")["files"]
    }
    assert files["big.bin"]["size"] == size and files["big.bin"]["sha256"] == marker(out, "SHA")
    downloaded = files_of(wb.python(DOWNLOAD, f"{wb.tenant.org}/{wb.tenant.project}/checkpoint:v0").stdout)
    assert downloaded["big.bin"] == marker(out, "SHA")


COMPLETE = """mutation C($parts: [UploadPartsInput!]!, $id: ID!, $path: String!, $upload: String!) {
  completeMultipartUploadArtifact(input: {completeMultipartAction: Complete, completedParts: $parts, artifactID: $id, storagePath: $path, uploadID: $upload}) { digest }
}"""


def test_a_forged_multipart_completion_is_refused_without_a_server_error(
    wb: WandbEnv,
) -> None:
    variables = {
        "parts": [{"partNumber": 1, "hexMD5": "0" * 32}],
        "id": "00000000-0000-0000-0000-000000000000",
        "path": "x.bin",
        "upload": "forged",
    }
    status, body = call(wb, "/graphql", {"query": COMPLETE, "variables": variables})
    assert status == 200 and body["data"]["completeMultipartUploadArtifact"] is None, body
    assert "not found" in json.dumps(body["errors"])
    variables["parts"] = [{"partNumber": 0, "hexMD5": "zz"}]
    status, body = call(wb, "/graphql", {"query": COMPLETE, "variables": variables})
    assert status == 200 and body["errors"], body

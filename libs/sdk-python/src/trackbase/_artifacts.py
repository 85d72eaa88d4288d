"""
Artifact versions (as `libs/sdk/src/artifacts`): logging from local files, and using a version through
the same verified content cache as the TypeScript SDK (`objects/sha256/ab/abcd…`, read-only, hard-linked
into `versions/<org>/<project>/<name>/<v3>`), so both SDKs share one cache on a machine.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ._api import TrackbaseApi
from ._config import resolve_config
from ._errors import TrackbaseError
from ._files import DEFAULT_CONCURRENCY, FILES_PER_REQUEST, FilesSpec, HashedFile, Plan, Uploader, collect_files, hash_files
from ._http import HttpClient
from ._limiter import map_limit
from ._transfer import download

REDECLARE_REUSE_S = 60.0
NO_HARD_LINK = {"EXDEV", "EPERM", "EMLINK", "ENOTSUP", "EOPNOTSUPP", "EACCES"}


def parse_artifact_ref(ref: str) -> Dict[str, str]:
    """`name` (latest), `name:production`, `name:v3`, optionally `org/project/` in front."""
    colon = ref.rfind(":")
    path = ref if colon == -1 else ref[:colon]
    version = "latest" if colon == -1 else ref[colon + 1 :]
    segments = path.split("/")
    if not version or any(not s for s in segments) or len(segments) not in (1, 3):
        raise ValueError(f'an artifact is named "name", "name:alias", "name:v3" or "org/project/name:alias", not "{ref}"')
    if len(segments) == 3:
        return {"org": segments[0], "project": segments[1], "name": segments[2], "version": version}
    return {"name": segments[0], "version": version}


def default_cache_dir(env: Optional[Mapping[str, str]] = None) -> Path:
    """TRACKBASE_CACHE_DIR, else $XDG_CACHE_HOME/trackbase/artifacts, else ~/.cache/trackbase/artifacts."""
    env = os.environ if env is None else env
    if env.get("TRACKBASE_CACHE_DIR"):
        return Path(env["TRACKBASE_CACHE_DIR"]).resolve()
    return Path(env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")) / "trackbase" / "artifacts"


def inside_dir(root: Path, path: str) -> Path:
    """`root/path` for a path the server gave, refusing any that would land outside `root`."""
    base = Path(os.path.abspath(root))
    target = Path(os.path.abspath(os.path.join(base, *path.split("/"))))
    if not str(target).startswith(str(base) + os.sep):
        raise ValueError(f"refusing to write {path!r} outside {base}")
    return target


class ArtifactCache:
    def __init__(self, root: Optional[Path] = None) -> None:
        self.root = Path(os.path.abspath(root or default_cache_dir()))

    def object_path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256: {sha256}")
        return self.root / "objects" / "sha256" / sha256[:2] / sha256

    def version_dir(self, org: str, project: str, name: str, version: str) -> Path:
        return self.root / "versions" / org / project / name / version

    def has(self, sha256: str, size: int) -> bool:
        try:
            info = self.object_path(sha256).stat()
        except OSError:
            return False
        return stat.S_ISREG(info.st_mode) and info.st_size == size

    def ensure(self, sha256: str, size: int, url_for: Any) -> str:
        """'reused' or 'downloaded' (verified by SHA-256 as it arrives, then made read-only)."""
        if self.has(sha256, size):
            return "reused"
        path = self.object_path(sha256)
        download(url_for, str(path), sha256, size)
        os.chmod(path, 0o444)
        return "downloaded"

    def materialise(self, sha256: str, dest: Path) -> str:
        """A hard link to the cached object at `dest` (a writable copy where links are impossible), replaced through a rename."""
        source = self.object_path(sha256)
        obj = source.stat()
        try:
            existing = os.lstat(dest)
            if existing.st_ino == obj.st_ino and existing.st_dev == obj.st_dev:
                return "present"
        except OSError:
            pass
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.parent / f".{dest.name}.{os.urandom(6).hex()}.tmp"
        how = "linked"
        try:
            try:
                os.link(source, tmp)
            except OSError as error:
                import errno

                if errno.errorcode.get(error.errno or 0, "") not in NO_HARD_LINK:
                    raise
                import shutil

                shutil.copyfile(source, tmp)
                os.chmod(tmp, 0o644)
                how = "copied"
            os.replace(tmp, dest)
            return how
        finally:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _version_details(
    aliases: Optional[Sequence[str]], metadata: Optional[Dict[str, Any]], description: Optional[str], run: Optional[str]
) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    if description is not None:
        out["description"] = description
    if metadata:
        out["metadata"] = metadata
    if run:
        out["run"] = run
    if aliases:
        out["aliases"] = list(aliases)
    return out


def log_artifact_files(
    api: TrackbaseApi,
    org: str,
    project: str,
    name: str,
    kind: str,
    files: FilesSpec,
    aliases: Optional[Sequence[str]] = None,
    metadata: Optional[Dict[str, Any]] = None,
    description: Optional[str] = None,
    run: Optional[str] = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> Dict[str, Any]:
    """Hashes, declares the version, uploads what the server lacks, commits. Identical content is never a second version."""
    hashed = hash_files(collect_files(files), concurrency)
    chunks = [hashed[i : i + FILES_PER_REQUEST] for i in range(0, len(hashed), FILES_PER_REQUEST)]
    partial = len(chunks) > 1
    body: Dict[str, Any] = {
        "kind": kind,
        "files": [f.declaration() for f in chunks[0]],
        **_version_details(aliases, metadata, description, run),
    }
    if partial:
        body["partial"] = True
    answer = api.create_artifact_version(org, project, name, body)
    if answer["version"]["state"] == "committed":
        return {**answer["version"], "created": answer["created"]}
    draft = str(answer["version"]["id"])
    uploads = list(answer["uploads"])
    for more in chunks[1:]:
        uploads.extend(api.add_artifact_version_files(org, project, name, draft, [f.declaration() for f in more])["files"])
    recent: Dict[str, Any] = {}

    def redeclare(file: HashedFile, reason: str) -> Optional[Plan]:
        if partial:
            return api.add_artifact_version_files(org, project, name, draft, [file.declaration()])["files"][0].get("upload")  # type: ignore[no-any-return]
        # One fresh answer serves every file that needs a new URL within a minute; a reset always asks anew.
        if reason == "reset" or not recent or time.monotonic() - recent["at"] > REDECLARE_REUSE_S:
            recent.update(at=time.monotonic(), answer=api.create_artifact_version(org, project, name, body))
        for u in recent["answer"]["uploads"]:
            if u["file"]["path"] == file.remote_path:
                return u.get("upload")  # type: ignore[no-any-return]
        return None

    Uploader(api, org, project, concurrency).send_declared(uploads, hashed, redeclare)
    version = api.commit_artifact_version(org, project, name, draft)
    return {**version, "created": version["id"] == draft}


@dataclass
class DownloadedArtifact:
    dir: Path
    version: Dict[str, Any]
    files: List[Dict[str, Any]]
    downloaded: int
    reused: int


def download_artifact(
    api: TrackbaseApi,
    org: str,
    project: str,
    ref: str,
    run: Optional[str] = None,
    root: Optional[str] = None,
    cache_dir: Optional[str] = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> DownloadedArtifact:
    """Resolves `name:alias` to a committed version, brings its files into the cache (only what is missing), materialises them."""
    parsed = parse_artifact_ref(ref)
    org = parsed.get("org", org)
    project = parsed.get("project", project)
    name = parsed["name"]
    version = api.artifact_version(org, project, name, parsed["version"])
    if not version.get("version"):
        raise TrackbaseError(f"{name}:{parsed['version']} is a draft whose files are not all uploaded yet")
    label = str(version["version"])
    cache = ArtifactCache(Path(cache_dir) if cache_dir else None)
    directory = Path(os.path.abspath(root)) if root else cache.version_dir(org, project, name, label)
    directory.mkdir(parents=True, exist_ok=True)
    files = api.artifact_version_files(org, project, name, label)["files"]
    contents = list({f["sha256"]: f for f in files}.values())

    def ensure(f: Dict[str, Any]) -> str:
        return cache.ensure(
            f["sha256"], f["size"], lambda _fresh: api.artifact_version_file_url(org, project, name, label, f["path"])["url"]
        )

    outcomes = map_limit(ensure, contents, concurrency)
    for f in files:
        cache.materialise(f["sha256"], inside_dir(directory, f["path"]))
    if run:
        api.use_artifact_version(org, project, name, label, run)
    return DownloadedArtifact(directory, version, files, outcomes.count("downloaded"), outcomes.count("reused"))


def use_artifact(
    ref: str, project: Optional[str] = None, root: Optional[str] = None, url: Optional[str] = None, api_key: Optional[str] = None
) -> Path:
    """Downloads a version without a run (`"org/project/name:alias"`, or `project=`, or TRACKBASE_PROJECT); returns its directory."""
    parsed = parse_artifact_ref(ref)
    named = f"{parsed['org']}/{parsed['project']}" if "org" in parsed else project
    config = resolve_config(url=url, api_key=api_key, project=named, mode="async")
    if not config.org or not config.project:
        raise TrackbaseError(
            'trackbase: name the project: use_artifact("org/project/name:alias"), project="org/project" or TRACKBASE_PROJECT'
        )
    if not config.api_key:
        raise TrackbaseError("trackbase: set api_key=, TRACKBASE_API_KEY, or run `trackbase login`")
    api = TrackbaseApi(HttpClient(config.url, config.api_key, max_attempts=3))
    return download_artifact(api, config.org, config.project, f"{parsed['name']}:{parsed['version']}", root=root).dir

"""`trackbase.init()`: starts (or joins) a run."""

from __future__ import annotations

import os
import socket
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Optional

from . import _exit
from ._api import TrackbaseApi
from ._config import resolve_config
from ._distributed import detect
from ._engine import EngineOptions
from ._errors import TrackbaseApiError, TrackbaseError
from ._http import HttpClient
from ._journal import Journal, JournalInUse, list_journals
from ._missing_project import create_missing_project
from ._run import Run
from ._sync import sync_journal

current: Optional[Run] = None


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name) or default)
    except ValueError:
        return default


def init(
    project: Optional[str] = None,
    name: Optional[str] = None,
    config: Optional[Dict[str, Any]] = None,
    tags: Optional[Iterable[str]] = None,
    external_id: Optional[str] = None,
    resume: Optional[str] = None,
    mode: Optional[str] = None,
    notes: Optional[str] = None,
    *,
    url: Optional[str] = None,
    api_key: Optional[str] = None,
    dir: Optional[str] = None,
    context: bool = True,
    save_code: bool = True,
    capture_console: bool = True,
    system_metrics_interval: Optional[float] = None,
    exit_handlers: bool = True,
    log_all_ranks: bool = False,
    flush_interval: float = 1.0,
    memory_limit_points: int = 200_000,
    finish_timeout: Optional[float] = None,
    exit_timeout: Optional[float] = None,
    say: Optional[Callable[[str], None]] = None,
    create_project: bool = True,
    fork_from: Optional[str] = None,
    fork_step: Optional[int] = None,
) -> Run:
    """
    Starts a run in `project` ("org/project", default TRACKBASE_PROJECT), or joins the run of
    `external_id` (every process passing the same id joins one run; torchrun ranks derive one from
    the launcher's environment), or resumes the run with id `resume`. Modes: async (default), sync,
    offline, disabled (TRACKBASE_MODE). In async mode `init` returns once the run exists on the
    server, or at once when the server is unreachable (the run is created later). A project that
    does not exist is created when the key's owner may create projects in the organization (and
    `init` says so); `create_project=False` makes that an error.

    `fork_from` (a run id or key of the same project) with `fork_step=N` starts a fork: a run that
    inherits the parent's params and, in every series read, the parent's points through step N
    (nothing is copied); logging without a step continues at N + 1.
    """
    global current
    settings = resolve_config(url=url, api_key=api_key, project=project, mode=mode, directory=dir)
    tell = say or (lambda message: print(message, file=sys.stderr, flush=True))
    if settings.mode != "disabled" and (not settings.org or not settings.project):
        raise TrackbaseError('trackbase: set project="org/project" or TRACKBASE_PROJECT')
    online = settings.mode in ("async", "sync")
    if online and not settings.api_key:
        raise TrackbaseError("trackbase: set api_key=, TRACKBASE_API_KEY, or run `trackbase login`")
    if (fork_from is None) != (fork_step is None):
        raise TrackbaseError("trackbase: fork_from and fork_step go together")
    if fork_step is not None and (isinstance(fork_step, bool) or not isinstance(fork_step, int) or fork_step < 0):
        raise TrackbaseError("trackbase: fork_step must be a non-negative integer")
    launch = detect()
    external_id = external_id or launch.external_id
    api = (
        TrackbaseApi(
            HttpClient(settings.url, settings.api_key, max_attempts=3, timeout_s=_env_float("TRACKBASE_HTTP_TIMEOUT", 30.0))
        )
        if online
        else None
    )
    if api is not None and external_id:
        _resume_leftovers(api, settings.data_dir, settings.org or "", settings.project or "", external_id, tell)
    run = Run(
        api=api,
        mode=settings.mode,
        data_dir=settings.data_dir,
        org=settings.org or "",
        project=settings.project or "",
        name=name,
        external_id=external_id,
        run_id=resume,
        fork=(fork_from, fork_step) if fork_from is not None and fork_step is not None else None,
        options=EngineOptions(flush_interval_s=flush_interval, max_queued_points=memory_limit_points),
        say=tell,
        rank=launch.rank,
        world_size=launch.world_size,
        log_all_ranks=log_all_ranks,
        finish_timeout_s=finish_timeout if finish_timeout is not None else _env_float("TRACKBASE_FINISH_TIMEOUT", 120.0),
        exit_timeout_s=exit_timeout if exit_timeout is not None else _env_float("TRACKBASE_EXIT_TIMEOUT", 30.0),
    )
    current = run
    if settings.mode == "disabled":
        if config:
            run.config.update(config)
        return run
    if api is not None:
        try:
            try:
                run.connect()
            except TrackbaseApiError as error:
                if error.status != 404 or not create_project or resume:
                    raise
                create_missing_project(api, settings.org or "", settings.project or "", tell)
                run.connect()
            if resume:
                _continue_steps(run)
        except TrackbaseApiError:
            # A wrong key or project: say so now rather than log into the void.
            run.finish("failed", timeout=0)
            raise
        except TrackbaseError as error:
            tell(f"trackbase: server unreachable ({error}); logging to {run.dir} and retrying in the background")
    if config:
        run.config.update(config)
    if tags:
        run.tags = list(tags)
    if notes:
        run.notes = notes
    if exit_handlers:
        _exit.install()
    if context or save_code:
        _start_context(run, context, save_code)
    interval = system_metrics_interval if system_metrics_interval is not None else _env_float("TRACKBASE_SYSTEM_INTERVAL", 10.0)
    if interval > 0:
        from ._monitor import start_system_monitor

        prefix = f"{socket.gethostname()}/rank{launch.rank}/" if launch.world_size > 1 else ""
        run.on_finish(start_system_monitor(interval, run.log_system, prefix))
    if capture_console and launch.rank == 0 or capture_console and log_all_ranks:
        from ._console import capture_console as capture

        run.on_finish(capture(run.log_text))
    if run.url and settings.mode != "offline" and launch.rank == 0:
        tell(f"trackbase: run {run.key} at {run.url}")
    return run


def _continue_steps(run: Run) -> None:
    """A resumed run continues after the last step it logged."""
    assert run.api is not None and run.id
    detail = run.api.get_run(run.meta["org"], run.meta["project"], run.id)
    run.meta.update(runKey=detail["key"], runUrl=detail["url"])
    last = [s["lastStep"] for s in detail.get("series", []) if s.get("kind") == "metric" and s.get("lastStep") is not None]
    if last:
        run._step = max(last) + 1
    run._tags = list(detail.get("tags") or [])
    run._notes = detail.get("notes") or ""


def _start_context(run: Run, context: bool, save_code: bool) -> None:
    from ._context import collect_context, save_source, source_file

    # Found now, on the calling thread: at exit, `__main__` may no longer name the script.
    source = source_file() if save_code else None

    def work() -> None:
        try:
            if context:
                run.set_context(collect_context(run.rank == 0))
            if save_code and run.rank == 0 and run.mode in ("async", "sync"):
                save_source(run, source)
        except Exception as error:
            run._say(f"trackbase: could not capture the context: {error}")

    thread = threading.Thread(target=work, name="trackbase-context", daemon=True)
    thread.start()
    run.on_finish(lambda: thread.join(15.0))


def _resume_leftovers(
    api: TrackbaseApi, data_dir: Path, org: str, project: str, external_id: str, tell: Callable[[str], None]
) -> None:
    """A previous process of the same job may have died with data on disk: send it first."""
    for directory in list_journals(data_dir):
        try:
            meta = Journal.replay(directory).meta
        except (OSError, ValueError):
            continue
        if meta.get("org") != org or meta.get("project") != project or meta.get("externalId") != external_id:
            continue
        try:
            result = sync_journal(api, directory)
            if result.batches:
                tell(f"trackbase: resumed {result.batches} batches left by an earlier process")
        except JournalInUse:
            continue  # another process of the same job, alive
        except Exception as error:
            tell(f"trackbase: could not upload leftovers in {directory}: {error}")

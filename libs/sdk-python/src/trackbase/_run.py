"""A run being logged: the object behind `trackbase.init()`."""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import traceback as tb_module
import uuid
import weakref
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Type

from ._api import TrackbaseApi
from ._backoff import backoff_delay
from ._config_obj import Config, Summary, param_value
from ._engine import Engine, EngineOptions
from ._errors import TrackbaseApiError, TrackbaseOfflineError, TrackbaseUnavailableError
from ._journal import Journal, runs_dir
from ._media_store import store_blob
from ._sync import ensure_run
from ._tables import pending_tables, save_table, send_pending_table

FINAL_STATES = ("finished", "failed", "aborted")

#: Runs of this process that have not finished, for exit handling and fork safety.
live_runs: weakref.WeakSet[Run] = weakref.WeakSet()


def _stream_id(local_id: str) -> str:
    host = "".join(c if c.isalnum() or c in "._-" else "-" for c in socket.gethostname())[:30]
    return f"{host}.{os.getpid()}.{local_id[:8]}"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class Run:
    """
    Logs to the journal first; a writer thread converts and journals values, a sender thread delivers
    batches. `log` returns at once in async mode; in sync mode it returns once the server acknowledged.
    """

    def __init__(
        self,
        *,
        api: Optional[TrackbaseApi],
        mode: str,
        data_dir: Path,
        org: str,
        project: str,
        name: Optional[str] = None,
        external_id: Optional[str] = None,
        run_id: Optional[str] = None,
        fork: Optional[Tuple[str, int]] = None,
        options: Optional[EngineOptions] = None,
        say: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
        rank: int = 0,
        world_size: int = 1,
        log_all_ranks: bool = False,
        finish_timeout_s: float = 120.0,
        exit_timeout_s: float = 30.0,
    ) -> None:
        self.mode = mode
        self.api = api
        self._say = say
        self._pid = os.getpid()
        self._forked = False
        self._finished = False
        self._finishing = False
        self._finish_lock = threading.Lock()
        self._cleanups: List[Callable[[], None]] = []
        self._step = 0
        self._text_steps: Dict[str, int] = {}
        self._tags: List[str] = []
        self._notes = ""
        self.rank = rank
        self.world_size = world_size
        self._metrics_here = rank == 0 or log_all_ranks
        self.finish_timeout_s = finish_timeout_s
        self.exit_timeout_s = exit_timeout_s
        self.final_state: Optional[str] = None
        local_id = str(uuid.uuid4())
        self.meta: Dict[str, Any] = {
            "localId": local_id,
            "org": org,
            "project": project,
            "streamId": _stream_id(local_id),
            "externalId": external_id or f"local-{local_id}",
            "createdAt": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "mode": mode,
        }
        if run_id:
            self.meta["runId"] = run_id
        if name:
            self.meta["name"] = name
        if fork is not None:
            # A fork continues after the step it inherits through.
            self.meta["fork"] = {"from": fork[0], "step": fork[1]}
            self._step = fork[1] + 1
        self.config = Config(self._log_params)
        self.summary = Summary(self._last_values, self._log_params)
        self._engine: Optional[Engine] = None
        self._table_lock = threading.Lock()
        self._tables_wanted = threading.Event()
        self._table_thread: Optional[threading.Thread] = None
        self.journal: Optional[Journal] = None
        if mode != "disabled":
            self.journal = Journal.create(runs_dir(data_dir) / local_id, self.meta)
            self._engine = Engine(
                self.meta,
                self.journal,
                api,
                self.connect,
                options or EngineOptions(),
                say,
                threaded=mode in ("async", "offline"),
                sending=mode == "async" and api is not None,
            )
            live_runs.add(self)

    # ---- identity -----------------------------------------------------------------------------
    @property
    def id(self) -> Optional[str]:
        return self.meta.get("runId")

    @property
    def key(self) -> Optional[str]:
        return self.meta.get("runKey")

    @property
    def url(self) -> Optional[str]:
        return self.meta.get("runUrl")

    @property
    def name(self) -> Optional[str]:
        return self.meta.get("name")

    @property
    def external_id(self) -> str:
        return str(self.meta["externalId"])

    @property
    def dir(self) -> Optional[Path]:
        return self.journal.dir if self.journal else None

    @property
    def project(self) -> str:
        return f"{self.meta['org']}/{self.meta['project']}"

    @property
    def finished(self) -> bool:
        return self._finished

    def connect(self) -> None:
        """Creates the run on the server (or joins it by external id)."""
        if self.api is None or self.mode in ("offline", "disabled"):
            return
        meta = ensure_run(self.api, self.meta)
        if meta is not self.meta:
            self.meta.update(meta)
            if self.journal and not self.journal.closed:
                self.journal.update_meta(self.meta)

    # ---- logging ------------------------------------------------------------------------------
    def _active(self) -> bool:
        if self._finished or self._engine is None:
            return False
        if self._forked or os.getpid() != self._pid:
            # A forked child (a DataLoader worker) shares nothing with the run: it logs nothing.
            self._forked = True
            return False
        return True

    def log(self, data: Dict[str, Any], step: Optional[int] = None, commit: bool = True) -> None:
        """
        Logs values at a step (default: one past the last step). Values are converted on the
        background thread; one that cannot be logged is reported once with its name and dropped.
        """
        if not self._metrics_here or not self._active():
            return
        if step is None:
            step = self._step
            if commit:
                self._step = step + 1
        else:
            try:
                if step >= self._step:
                    self._step = step + 1 if commit else step
            except TypeError:
                pass
        tables = _tables_in(data)
        if tables:
            for key, table in tables.items():
                self._log_table(key, table, step)
            data = {k: v for k, v in data.items() if k not in tables}
            if not data:
                return
        self._put(("m", step, _now_ms(), dict(data)))

    # ---- tables -------------------------------------------------------------------------------
    def _log_table(self, key: str, table: Any, step: Any) -> None:
        """Saves the document beside the journal before returning (a crash loses nothing), then sends it in the background."""
        if not isinstance(step, int) or isinstance(step, bool) or step < 0:
            raise TypeError(f"trackbase: log(): a table needs a whole step >= 0, not {step!r}")
        if not key or len(key) > 250:
            raise ValueError("trackbase: log(): a table key must be 1 to 250 characters")
        assert self.journal is not None
        # Media cells' contents first, so the marker never names an object that is not on disk.
        media = []
        for digest, data, content_type in getattr(table, "media", []):
            store_blob(Path(self.journal.dir), data)
            media.append({"sha256": digest, "size": len(data), "contentType": content_type})
        save_table(self.journal.dir, key, step, table.to_document(), media)
        if self.mode == "sync":
            self._send_tables(time.monotonic() + self.finish_timeout_s)
        elif self.mode == "async" and self.api is not None:
            self._tables_wanted.set()
            if self._table_thread is None:
                self._table_thread = threading.Thread(target=self._table_loop, name="trackbase-tables", daemon=True)
                self._table_thread.start()

    def _table_loop(self) -> None:
        while not self._finished:
            self._tables_wanted.wait()
            self._tables_wanted.clear()
            if self._finished:
                return
            self._send_tables(time.monotonic() + 300.0)

    def _send_tables(self, deadline: float) -> bool:
        """Sends pending tables until none is left (True) or the server stays unreachable until `deadline`. Never raises."""
        assert self.journal is not None and self.api is not None
        with self._table_lock:
            attempt = 0
            while True:
                pending = pending_tables(self.journal.dir)
                if not pending:
                    return True
                try:
                    if not self.id:
                        self.connect()
                    result = send_pending_table(
                        self.api, self.meta["org"], self.meta["project"], str(self.id), self.journal.dir, pending[0]
                    )
                    attempt = 0
                    if result["state"] == "rejected":
                        error = result.get("error") or {}
                        self._say(
                            f"trackbase: the server refused table {pending[0]['key']} at step {pending[0]['step']}: {error.get('message')}"
                        )
                except Exception as error:  # contained: nothing here may break the training loop
                    attempt += 1
                    delay = backoff_delay(attempt - 1)
                    if not isinstance(error, (TrackbaseUnavailableError, OSError)) or time.monotonic() + delay > deadline:
                        self._say(f"trackbase: could not upload table {pending[0]['key']} ({error}); `trackbase sync` will")
                        return False
                    time.sleep(delay)

    def log_system(self, values: Dict[str, Any], step: int) -> None:
        """System metrics (cpu, memory, gpu...) in their own namespace."""
        if self._active():
            self._put(("s", step, _now_ms(), dict(values)))

    def log_text(self, name: str, line: str, step: Optional[int] = None) -> None:
        """A line of text in the text series `name` (console capture writes `stdout` and `stderr`)."""
        if not self._active():
            return
        if step is None:
            step = self._text_steps.get(name, 0)
        self._text_steps[name] = max(self._text_steps.get(name, 0), step + 1)
        self._put(("x", step, _now_ms(), (name, str(line))))

    def _put(self, record: Tuple[str, Any, int, Any]) -> None:
        engine = self._engine
        assert engine is not None
        engine.put(record)
        if self.mode == "sync":
            with engine.work_lock:
                engine.settle_all()
            engine.drain_sync()

    def _entry(self, entry: Dict[str, Any]) -> None:
        if self._active():
            self._put(("e", None, 0, entry))

    def _log_params(self, params: Dict[str, Any]) -> None:
        if self.rank == 0:
            self._entry({"t": "params", "v": params})

    def _last_values(self) -> Dict[str, Any]:
        if self._engine is None:
            return {}
        if self._active():
            self._engine.process()
        return dict(self._engine.last_values)

    def log_params(self, params: Dict[str, Any]) -> None:
        """Same as `run.config.update(params)`."""
        self.config.update(params)

    @property
    def tags(self) -> Tuple[str, ...]:
        return tuple(self._tags)

    @tags.setter
    def tags(self, tags: Iterable[str]) -> None:
        wanted = list(dict.fromkeys(tags))
        add = [t for t in wanted if t not in self._tags]
        remove = [t for t in self._tags if t not in wanted]
        self._tags = wanted
        if add or remove:
            self._entry({"t": "tags", **({"add": add} if add else {}), **({"remove": remove} if remove else {})})

    def add_tags(self, *tags: str) -> None:
        self.tags = [*self._tags, *tags]

    def remove_tags(self, *tags: str) -> None:
        self.tags = [t for t in self._tags if t not in tags]

    @property
    def notes(self) -> str:
        return self._notes

    @notes.setter
    def notes(self, notes: str) -> None:
        """Sets the run's notes on the server (in the background); offline runs keep none."""
        self._notes = notes
        if self.api is None or self.mode in ("offline", "disabled"):
            return
        api = self.api

        def send() -> None:
            try:
                if not self.id:
                    self.connect()
                api.update_run(self.meta["org"], self.meta["project"], str(self.id), {"notes": notes})
            except Exception as error:
                self._say(f"trackbase: could not save the notes: {error}")

        if self.mode == "sync":
            send()
        else:
            thread = threading.Thread(target=send, name="trackbase-notes", daemon=True)
            thread.start()
            self._cleanups.append(lambda: thread.join(10.0))

    def set_context(self, context: Dict[str, Any]) -> None:
        self._entry({"t": "ctx", "v": context})

    def log_input(self, asset: Optional[Dict[str, Any]] = None, **fields: Any) -> None:
        """A dataset or model this run read: kind, name, version, uri, digest, sizeBytes, columns, preview, ..."""
        self._entry({"t": "io", "d": "input", "v": _asset({**(asset or {}), **fields})})

    def log_output(self, asset: Optional[Dict[str, Any]] = None, **fields: Any) -> None:
        """A dataset or model this run produced (same fields as `log_input`)."""
        self._entry({"t": "io", "d": "output", "v": _asset({**(asset or {}), **fields})})

    def on_finish(self, cleanup: Callable[[], None]) -> None:
        self._cleanups.append(cleanup)

    # ---- files and artifacts ------------------------------------------------------------------
    def _scope(self, what: str) -> Optional[Tuple[TrackbaseApi, str, str, str]]:
        if self.mode == "disabled":
            return None
        if self.mode == "offline" or self.api is None:
            raise TrackbaseOfflineError(
                f"trackbase: {what} needs a connection to the server; offline runs do not keep uploads for `trackbase sync`. "
                'Use mode "async" or "sync", or upload later with the CLI (`trackbase files upload`, `trackbase artifacts put`).'
            )
        if not self.id:
            self.connect()
        return self.api, self.meta["org"], self.meta["project"], str(self.id)

    def upload_file(self, local_path: str, remote_path: Optional[str] = None) -> Optional[Dict[str, Any]]:
        """Uploads a file to the run (default name: its base name); content the run holds already is not sent again."""
        from ._files import upload_run_file

        scope = self._scope("upload_file")
        return None if scope is None else upload_run_file(scope, local_path, remote_path)

    def upload_dir(self, local_dir: str, remote_prefix: str = "") -> Optional[List[Dict[str, Any]]]:
        """Uploads every file below `local_dir` under `remote_prefix`, keeping relative paths."""
        from ._files import upload_run_dir

        scope = self._scope("upload_dir")
        return None if scope is None else upload_run_dir(scope, local_dir, remote_prefix)

    def log_artifact(
        self,
        name: str,
        kind: str,
        path: Any,
        aliases: Optional[Sequence[str]] = None,
        metadata: Optional[Dict[str, Any]] = None,
        description: Optional[str] = None,
    ) -> Optional[Dict[str, Any]]:
        """Logs a version of an artifact produced by this run: a path, a list of paths, or `{remote: local}`."""
        from ._artifacts import log_artifact_files

        scope = self._scope("log_artifact")
        if scope is None:
            return None
        api, org, project, run = scope
        return log_artifact_files(
            api, org, project, name, kind, path, aliases=aliases, metadata=metadata, description=description, run=run
        )

    def use_artifact(self, ref: str, root: Optional[str] = None) -> Path:
        """Downloads a version (`"name:alias"`, `"name:v3"`) into the cache, records that this run used it, returns its directory."""
        from ._artifacts import download_artifact, use_artifact

        if self.mode in ("offline", "disabled") or self.api is None:
            return use_artifact(ref, project=self.project if self.meta["org"] else None, root=root)
        scope = self._scope("use_artifact")
        assert scope is not None
        api, org, project, run = scope
        return download_artifact(api, org, project, ref, run=run, root=root).dir

    # ---- finishing ------------------------------------------------------------------------------
    def flush(self, timeout: Optional[float] = None) -> bool:
        """Cuts what was logged into a batch and waits until the server acknowledged everything (True) or `timeout` passed."""
        engine = self._engine
        if engine is None or not self._active():
            return True
        engine.settle_all()
        if self.mode == "offline" or self.api is None:
            return False
        return engine.wait_delivered(timeout)

    def finish(self, state: str = "finished", timeout: Optional[float] = None, traceback: Optional[str] = None) -> bool:
        """
        Flushes, waits for the backlog (printing progress) up to `timeout` seconds, records the final
        state and, once the server has everything, removes the journal. What could not be sent stays
        on disk for `trackbase sync`. True when everything was delivered.
        """
        if state not in FINAL_STATES:
            raise ValueError(f"state must be one of {', '.join(FINAL_STATES)}, not {state!r}")
        with self._finish_lock:
            if self._finished or self._engine is None:
                return True
            if self._forked or os.getpid() != self._pid:
                self._forked = True
                return True
            if self._finishing:
                return True
            self._finishing = True
            if traceback:
                for line in traceback.rstrip("\n").split("\n"):
                    self.log_text("traceback", line)
        # While still active: the context thread may still add the context, the console tee its last line.
        for cleanup in self._cleanups[::-1]:
            try:
                cleanup()
            except Exception:
                pass
        self._cleanups.clear()
        self._finished = True
        self.final_state = state
        live_runs.discard(self)
        engine = self._engine
        journal = self.journal
        assert journal is not None
        engine.stop()
        engine.settle_all()
        journal.append({"t": "finish", "state": state})
        if self.mode == "offline" or self.api is None:
            journal.close()
            self._say(f"trackbase: offline run saved in {journal.dir}; upload it with `trackbase sync`")
            return False
        timeout = self.finish_timeout_s if timeout is None else timeout
        delivered = engine.wait_delivered(
            timeout, lambda done, total: self._say(f"trackbase: uploading {done}/{total} batches...")
        )
        engine.stop_sender()
        if not delivered:
            batches, points = engine.backlog()
            self._say(
                f"trackbase: {batches} batches ({points} points) were not delivered; they are saved in {journal.dir}. "
                "Run `trackbase sync` to upload them."
            )
            journal.close()
            return False
        try:
            if self.id and (self.rank == 0 or state != "finished"):
                assert self.api is not None
                self.api.update_run(self.meta["org"], self.meta["project"], self.id, {"state": state})
        except (TrackbaseApiError, TrackbaseUnavailableError) as error:
            journal.close()
            self._say(f"trackbase: could not record the final state ({error}); `trackbase sync` will.")
            return False
        if pending_tables(journal.dir) and not self._send_tables(time.monotonic() + timeout):
            self._say(
                f"trackbase: tables were not delivered; they are saved in {journal.dir}. Run `trackbase sync` to upload them."
            )
            self._tables_wanted.set()
            journal.close()
            return False
        self._tables_wanted.set()
        journal.remove()
        return True

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        if exc_type is None:
            self.finish("finished")
        else:
            state = "aborted" if issubclass(exc_type, KeyboardInterrupt) else "failed"
            self.finish(state, traceback="".join(tb_module.format_exception(exc_type, exc, tb)))

    def __repr__(self) -> str:
        return f"<trackbase.Run {self.key or self.meta['localId']} {self.mode}>"


ASSET_FIELDS = {
    "size_bytes": "sizeBytes",
    "model_class": "modelClass",
}


def _tables_in(data: Dict[str, Any]) -> Dict[str, Any]:
    """The `Table` values of a log() call; none without looking when no Table was ever made."""
    module = sys.modules.get("trackbase._table")
    if module is None:
        return {}
    table_type = module.Table
    return {k: v for k, v in data.items() if isinstance(v, table_type)}


def _asset(fields: Dict[str, Any]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in fields.items():
        if value is None:
            continue
        name = ASSET_FIELDS.get(key, key)
        out[name] = param_value(value) if name == "hyperparameters" else value
    if out.get("kind") not in ("dataset", "model"):
        raise ValueError('an input or output needs kind="dataset" or kind="model"')
    if not out.get("name"):
        raise ValueError("an input or output needs a name")
    return out

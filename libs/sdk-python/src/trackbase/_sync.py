"""Completing journals: what `trackbase sync` and a restarted job do with what a process left on disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from ._api import TrackbaseApi
from ._errors import TrackbaseApiError
from ._journal import Journal, batch_from_entries, dumps
from ._tables import pending_tables, send_pending_table


def ensure_run(api: TrackbaseApi, meta: Dict[str, Any]) -> Dict[str, Any]:
    """Creates the run unless it exists (idempotently, by external id), so every process of one job lands in one run."""
    if meta.get("runId"):
        return meta
    body: Dict[str, Any] = {"externalId": meta["externalId"]}
    if meta.get("name"):
        body["name"] = meta["name"]
    if meta.get("fork"):
        body["forkFrom"] = meta["fork"]["from"]
        body["forkStep"] = meta["fork"]["step"]
    run = api.create_run(meta["org"], meta["project"], body)
    return {**meta, "runId": run["id"], "runKey": run["key"], "runUrl": run["url"]}


@dataclass
class SyncResult:
    dir: str
    run_key: Optional[str]
    run_url: Optional[str]
    batches: int
    points: int
    rejected: int
    finished: Optional[str]
    removed: bool
    #: Tables delivered (or refused) from the journal's pending tables.
    tables: int = 0

    def to_json(self) -> Dict[str, Any]:
        """The TypeScript CLI's field names and order."""
        out: Dict[str, Any] = {"dir": self.dir}
        if self.run_key is not None:
            out["runKey"] = self.run_key
        if self.run_url is not None:
            out["runUrl"] = self.run_url
        out.update(
            batches=self.batches,
            tables=self.tables,
            points=self.points,
            rejected=self.rejected,
            finished=self.finished,
            removed=self.removed,
        )
        return out


def sync_journal(api: TrackbaseApi, directory: Path, on_progress: Optional[Callable[[int, int], None]] = None) -> SyncResult:
    """
    Uploads what a journal holds that the server has not acknowledged, with the original stream id and
    sequence numbers so nothing is applied twice, then applies a recorded finish. A fully delivered,
    finished journal is removed.
    """
    journal = Journal(Path(directory))  # raises JournalInUse while a live process writes it
    state = Journal.replay(directory)
    try:
        meta = ensure_run(api, state.meta)
        if meta is not state.meta:
            journal.update_meta(meta)
        if state.tail:
            journal.append({"t": "b", "seq": state.next_seq})
            state = Journal.replay(directory)
        points = sent = 0
        rejected = state.rejected
        for pending in state.pending:
            batch, n = batch_from_entries(meta["streamId"], pending.seq, pending.entries)
            try:
                if batch.get("media"):
                    from ._media_store import upload_batch_media

                    try:
                        upload_batch_media(api, meta, Path(directory), batch)
                    except TrackbaseApiError:
                        pass  # the server refuses the items whose objects are missing, one by one, and keeps the rest
                api.send_batch(meta["org"], meta["project"], meta["runId"], dumps(batch).encode(), attempts=8)
                journal.append({"t": "a", "seq": pending.seq})
                points += n
            except TrackbaseApiError as error:
                journal.append({"t": "r", "seq": pending.seq, "code": error.code})
                rejected += 1
            sent += 1
            if on_progress:
                on_progress(sent, len(state.pending))
        tables = 0
        for entry in pending_tables(Path(directory)):
            result = send_pending_table(api, meta["org"], meta["project"], meta["runId"], Path(directory), entry)
            if result["state"] == "rejected":
                rejected += 1
            tables += 1
        if state.finish_state:
            api.update_run(meta["org"], meta["project"], meta["runId"], {"state": state.finish_state})
        removed = bool(state.finish_state) and not pending_tables(Path(directory))
        if removed:
            journal.remove()
        else:
            journal.close()
        return SyncResult(
            str(directory), meta.get("runKey"), meta.get("runUrl"), sent, points, rejected, state.finish_state, removed, tables
        )
    except BaseException:
        journal.close()
        raise

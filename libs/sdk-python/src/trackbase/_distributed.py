"""The launcher's view of a distributed job: which rank this process is and which job it belongs to."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional


@dataclass(frozen=True)
class Launch:
    rank: int
    world_size: int
    #: An id every process of the job derives alike, so they all join one run.
    external_id: Optional[str]


def detect(env: Optional[Mapping[str, str]] = None) -> Launch:
    """
    torchrun (and torch.distributed.launch) set RANK and WORLD_SIZE, and TORCHELASTIC_RUN_ID (the
    `--rdzv-id`, a fresh uuid with `--standalone`). Without a run id, the rendezvous address names the
    job. Slurm: SLURM_PROCID, SLURM_NTASKS, SLURM_JOB_ID and SLURM_STEP_ID.
    """
    env = os.environ if env is None else env
    if "RANK" in env and "WORLD_SIZE" in env:
        rank, world = int(env["RANK"]), int(env["WORLD_SIZE"])
        run_id = env.get("TORCHELASTIC_RUN_ID")
        if run_id and run_id != "none":
            job: Optional[str] = f"torchrun-{run_id}"
        elif env.get("MASTER_ADDR") and env.get("MASTER_PORT"):
            job = f"torchrun-{env['MASTER_ADDR']}-{env['MASTER_PORT']}"
        else:
            job = None
        return Launch(rank, world, job if world > 1 else None)
    if "SLURM_PROCID" in env and int(env.get("SLURM_NTASKS", "1")) > 1:
        job = f"slurm-{env.get('SLURM_JOB_ID', '?')}-{env.get('SLURM_STEP_ID', '0')}"
        return Launch(int(env["SLURM_PROCID"]), int(env["SLURM_NTASKS"]), job)
    return Launch(0, 1, None)

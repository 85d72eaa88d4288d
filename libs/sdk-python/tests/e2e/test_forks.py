"""Forks from the Python SDK against the real built server."""

from __future__ import annotations

import pytest
from trackbase_testing import Tenant

import trackbase
from trackbase import TrackbaseError

from helpers import run_detail, series


def start(tenant: Tenant, **kw: object) -> trackbase.Run:
    options = dict(
        url=tenant.url, api_key=tenant.key, system_metrics_interval=0, capture_console=False, context=False, save_code=False
    )
    options.update(kw)
    return trackbase.init(project=tenant.ref, **options)  # type: ignore[arg-type]


def test_a_fork_inherits_params_and_points_through_the_fork_step_and_continues_after_it(tenant: Tenant) -> None:
    parent = start(tenant, name="parent", config={"lr": 0.1, "depth": 4})
    for step in range(10):
        parent.log({"loss": 10.0 - step}, step=step)
    assert parent.finish() is True

    child = start(tenant, name="child", fork_from=parent.key, fork_step=4, config={"lr": 0.01})
    child.log({"loss": 100.0})  # no step: continues at fork_step + 1
    child.log({"loss": 101.0})
    assert child.finish() is True

    detail = run_detail(tenant, child.key)
    assert detail["fork"] == {"runId": parent.id, "key": parent.key, "step": 4}
    assert detail["params"]["lr"] == 0.01 and detail["params"]["depth"] == 4
    loss = series(tenant, child.key, "loss")
    assert loss["steps"] == [0, 1, 2, 3, 4, 5, 6]
    assert loss["values"] == [10.0, 9.0, 8.0, 7.0, 6.0, 100.0, 101.0]
    assert loss["inheritedThrough"] == 4
    # Forks of forks: a grandchild sees the grandparent through 4, the child at 5, then its own.
    grandchild = start(tenant, fork_from=child.id, fork_step=5)
    grandchild.log({"loss": 7.5})
    assert grandchild.finish() is True
    assert series(tenant, grandchild.key, "loss")["values"] == [10.0, 9.0, 8.0, 7.0, 6.0, 100.0, 7.5]


def test_fork_arguments_are_checked_before_anything_is_created(tenant: Tenant) -> None:
    with pytest.raises(TrackbaseError, match="go together"):
        start(tenant, fork_from="X-1")
    with pytest.raises(TrackbaseError, match="non-negative integer"):
        start(tenant, fork_from="X-1", fork_step=-1)

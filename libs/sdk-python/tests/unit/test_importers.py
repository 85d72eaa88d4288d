"""Pure parts of the importers: step scales, stream ids, fork order."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from trackbase.importers._writer import external_id, stream_id
from trackbase.importers.neptune import SourceRun, _scale, _step_text, topological


def test_step_scale_is_the_smallest_power_of_ten_that_makes_every_step_an_integer() -> None:
    assert _scale([0.5, 1.0, 2.0]) == 10
    assert _scale([0.25, 1.5]) == 100
    assert _scale([0.000001]) == 10**6
    assert _scale([1.0, 2.0]) == 1
    assert _scale([1 / 3]) == 10**6  # finer than the exporter's quantum: the quantum itself


def test_stream_ids_are_stable_per_source_run_and_match_the_api_pattern() -> None:
    import re

    a = stream_id("neptune", "ws/proj", "RUN-1")
    assert a == stream_id("neptune", "ws/proj", "RUN-1")
    assert a != stream_id("neptune", "ws/proj", "RUN-2")
    assert a != stream_id("neptune", "ws/pro", "jRUN-1")
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,64}", a)
    assert external_id("neptune", "ws/proj", "RUN-1") == "neptune:ws/proj/RUN-1"
    assert len(external_id("neptune", "p", "x" * 400)) <= 250


def test_fork_parents_come_before_their_children_whatever_the_creation_times() -> None:
    def run(run_id: str, day: int, parent: str = "") -> SourceRun:
        r = SourceRun(Path("."), Path("."), [], project_id="p", run_id=run_id)
        r.params["sys/creation_time"] = ("datetime", datetime(2025, 1, day, tzinfo=timezone.utc))
        if parent:
            r.params["sys/forking/parent"] = ("string", parent)
        return r

    ordered = topological([run("child", 1, parent="mid"), run("mid", 2, parent="root"), run("root", 3), run("other", 1)])
    names = [r.run_id for r in ordered]
    assert names.index("root") < names.index("mid") < names.index("child")
    assert set(names) == {"root", "mid", "child", "other"}


def test_step_text_names_fractional_steps_exactly() -> None:
    assert _step_text(3.0) == "3"
    assert _step_text(0.25) == "0.25"
    assert _step_text(None) == "none"

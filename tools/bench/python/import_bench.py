"""
Neptune import vs a straight SDK upload of the same points, and export speed (docs/benchmarks.md).

    BENCH_RUNS=20 BENCH_SERIES=50 BENCH_POINTS=2000 BENCH_FILES=2 python tools/bench/python/import_bench.py

Starts the built API (embedded PostgreSQL) through trackbase-testing, writes a synthetic export in
neptune-exporter's schema (RUNS x SERIES float series x POINTS points, plus FILES files of 1 MB per
run), times `trackbase import neptune` into one project, `trackbase.init` + `run.log` of the same
points into another (skipped with BENCH_SDK=0), `trackbase export` of the imported project (records only, from the
server's stream and built client-side), the whole export as the API's archive (records, files), and
`trackbase import trackbase` of that export into another organization. Prints the figures.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "libs" / "sdk-python" / "tests"))

from trackbase_testing import ServerProcess, new_tenant  # noqa: E402

import trackbase  # noqa: E402
from trackbase._api import TrackbaseApi  # noqa: E402
from trackbase._http import HttpClient  # noqa: E402
from trackbase.exporter import Exporter, size_of  # noqa: E402
from trackbase.importers.neptune import NeptuneImporter  # noqa: E402
from trackbase.importers.trackbase import TrackbaseImporter  # noqa: E402

from neptune_export import RunExport  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "20"))
SERIES = int(os.environ.get("BENCH_SERIES", "50"))
POINTS = int(os.environ.get("BENCH_POINTS", "2000"))
FILES = int(os.environ.get("BENCH_FILES", "2"))
SDK = os.environ.get("BENCH_SDK", "1") != "0"


def write_export(root: Path) -> int:
    rng = random.Random(7)
    for r in range(RUNS):
        run = RunExport(root, "bench/neptune", f"run-{r}")
        run.param("sys/custom_run_id", "string", f"run-{r}")
        run.param("parameters/lr", "float", 0.001 * (r + 1))
        for s in range(SERIES):
            run.series(
                f"metrics/s{s}",
                "float_series",
                [(p, rng.random()) for p in range(POINTS)],
            )
        for f in range(FILES):
            run.file(f"files/f{f}", "file", f"run-{r}/f{f}.bin", os.urandom(1024 * 1024))
        run.write(parts=max(1, SERIES * POINTS // 500_000))
    return RUNS * SERIES * POINTS


def main() -> None:
    # SIGTERM ends the benchmark through `finally`, so the server and its PostgreSQL stop with it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server = ServerProcess().start()
    try:
        tenant = new_tenant(server.url)
        api = TrackbaseApi(HttpClient(tenant.url, tenant.key))
        with tempfile.TemporaryDirectory(prefix="trackbase-import-bench-") as tmp:
            export = Path(tmp) / "exports"
            t = time.perf_counter()
            points = write_export(export)
            print(
                f"export written: {RUNS} runs x {SERIES} series x {POINTS} points = {points:,} points, "
                f"{size_of(export) / 1e6:.1f} MB on disk, in {time.perf_counter() - t:.1f} s",
                flush=True,
            )

            t = time.perf_counter()
            summary = NeptuneImporter(api, tenant.org, tenant.project).run(export)
            took = time.perf_counter() - t
            print(
                f"import neptune: {summary.points:,} points + {summary.files} files in {took:.1f} s = "
                f"{summary.points / took:,.0f} points/s",
                flush=True,
            )

            t = time.perf_counter()
            again = NeptuneImporter(api, tenant.org, tenant.project).run(export)
            print(
                f"second import (all skipped: {again.runs_skipped}): {time.perf_counter() - t:.1f} s",
                flush=True,
            )

            sdk_project = tenant.create_project()
            rng = random.Random(7)
            if not SDK:
                print("SDK upload: skipped (BENCH_SDK=0)", flush=True)
            t = time.perf_counter()
            for r in range(RUNS if SDK else 0):
                run = trackbase.init(
                    project=f"{tenant.org}/{sdk_project}",
                    url=tenant.url,
                    api_key=tenant.key,
                    name=f"run-{r}",
                    context=False,
                    save_code=False,
                    capture_console=False,
                    system_metrics_interval=0,
                    dir=str(Path(tmp) / "journal"),
                )
                for p in range(POINTS):
                    run.log({f"metrics/s{s}": rng.random() for s in range(SERIES)}, step=p)
                run.finish()
            sdk = time.perf_counter() - t
            if SDK:
                print(
                    f"SDK upload (init + log + finish): {points:,} points in {sdk:.1f} s = {points / sdk:,.0f} points/s; "
                    f"import / SDK time = {took / sdk:.2f}x",
                    flush=True,
                )

            for records in ("server", "client"):
                # server: GET .../export/records.parquet streamed to one part; client: built from the run and
                # series endpoints (`trackbase export --client-records`).
                out = Path(tmp) / f"out-{records}"
                t = time.perf_counter()
                manifest = Exporter(api, tenant.org, tenant.project, out).run(files=False, artifacts=False, records=records)
                took = time.perf_counter() - t
                parquet = size_of(out / "data")
                print(
                    f"export ({records} records, Parquet only): {manifest['counts']['points']:,} points, "
                    f"{parquet / 1e6:.1f} MB in {took:.1f} s = {parquet / 1e6 / took:.2f} MB/s, "
                    f"{manifest['counts']['points'] / took:,.0f} points/s",
                    flush=True,
                )

            # The whole export as one tar stream (GET .../export/archive.tar), then into another organization.
            out = Path(tmp) / "out-archive"
            t = time.perf_counter()
            manifest = Exporter(api, tenant.org, tenant.project, out).run()
            took = time.perf_counter() - t
            counts, size = manifest["counts"], size_of(out)
            print(
                f"export archive (records + {counts['files']} files): {counts['points']:,} points, {size / 1e6:.1f} MB "
                f"in {took:.1f} s = {size / 1e6 / took:.2f} MB/s, {counts['points'] / took:,.0f} points/s",
                flush=True,
            )
            elsewhere = new_tenant(server.url)
            t = time.perf_counter()
            copied = TrackbaseImporter(
                TrackbaseApi(HttpClient(elsewhere.url, elsewhere.key)), elsewhere.org, elsewhere.project
            ).run(out)
            took = time.perf_counter() - t
            print(
                f"import trackbase (the archive's export, into another org): {copied.points:,} points + "
                f"{copied.files} files in {took:.1f} s = {copied.points / took:,.0f} points/s",
                flush=True,
            )
    finally:
        server.close()


if __name__ == "__main__":
    main()

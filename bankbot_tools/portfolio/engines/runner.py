"""One driver for every distributed engine: plan, dedupe, rejects, datasets, manifest.

An engine only knows how to start, find the duplicate rows, collect the rejects and write
a dataset with the core functions of :mod:`~bankbot_tools.portfolio.engines.core`; the
order of the steps, the atomic publishing and the counts live here once.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any, Protocol

from bankbot_tools.fileio import atomic_write_text
from bankbot_tools.money import IntArray
from bankbot_tools.portfolio.engines.core import Output
from bankbot_tools.portfolio.engines.plan import (
    Plan,
    dataset_rows,
    manifest,
    plan,
    publish_dataset,
    temp_dataset,
)
from bankbot_tools.portfolio.job import BatchJob, Reject, TooManyRejects
from bankbot_tools.portfolio.write import write_rejects_file


class Engine(Protocol):
    """What a distributed engine provides to the driver."""

    name: str

    def start(self) -> None:
        """Connect to (or start) the cluster."""

    def duplicate_rows(self, plan: Plan) -> IntArray:
        """The rows whose loan_id an earlier row claimed (sorted)."""

    def rejects(self, plan: Plan, duplicates: IntArray) -> list[Reject]:
        """Every rejected row, in any order."""

    def write(self, plan: Plan, duplicates: IntArray, output: Output, folder: Path) -> None:
        """Write the ``output`` dataset into ``folder``, one file per partition."""

    def stop(self) -> None:
        """Release what :meth:`start` took."""


class MissingExtra(ValueError):
    """An optional engine's libraries are not installed."""


def run_distributed(job: BatchJob, engine: Engine) -> dict[str, Any]:
    """Run ``job`` on ``engine``; publish datasets, rejects and manifest; return the manifest."""
    if job.schedules is not None and job.schedules.resolve() == job.summary.resolve():
        raise ValueError("summary and schedules must be different directories")
    the_plan = plan(job)
    clock = time.perf_counter()
    engine.start()
    started = time.perf_counter()
    temps: dict[str, Path] = {}
    try:
        duplicates = engine.duplicate_rows(the_plan)
        rejects = sorted(engine.rejects(the_plan, duplicates), key=lambda r: r.row)
        if job.max_rejects is not None and len(rejects) > job.max_rejects:
            write_rejects_file(rejects, job.rejects_path)
            raise TooManyRejects(
                f"{len(rejects)} rows rejected, more than --max-rejects"
                f" {job.max_rejects}; see {job.rejects_path}"
            )
        targets: dict[str, Path] = {"summary": job.summary}
        if job.schedules is not None:
            targets["schedules"] = job.schedules
        files: dict[str, int] = {}
        rows: dict[str, int] = {}
        for kind, target in targets.items():
            temps[kind] = temp_dataset(target)
            engine.write(the_plan, duplicates, _output(kind, job, the_plan), temps[kind])
            rows[kind], files[kind] = dataset_rows(temps[kind])
    except BaseException:
        for temp in temps.values():
            shutil.rmtree(temp, ignore_errors=True)
        raise
    finally:
        engine.stop()
    counts = {"read": the_plan.rows, "processed": rows["summary"], "rejected": len(rejects)}
    outputs = {**targets, "rejects": job.rejects_path}
    document = manifest(
        engine.name,
        the_plan,
        outputs,
        counts,
        startup_s=started - clock,
        work_s=time.perf_counter() - started,
        duration_s=time.perf_counter() - clock,
    )
    document["files"] = files
    if "schedules" in rows:
        document["counts"]["schedule_rows"] = rows["schedules"]
    for kind, target in targets.items():
        publish_dataset(temps[kind], target)
    write_rejects_file(rejects, job.rejects_path)
    atomic_write_text(job.manifest_path, json.dumps(document, indent=2) + "\n")
    return document


def _output(name: str, job: BatchJob, the_plan: Plan) -> Output:
    """The dataset ``name`` with the run's options: APRs in the summary, dates in the schedules."""
    if name == "summary":
        return Output("summary", apr=job.apr)
    return Output("schedules", dated=the_plan.dated)

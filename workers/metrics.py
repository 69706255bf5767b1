"""Task metrics of a Celery worker, by outcome and duration, for Prometheus.

Tasks run in prefork children, separate processes: each child writes its counts to files in
PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode) and the worker's main process
serves the sum of them all on BABELWIRE_WORKER_METRICS_PORT. The directory is the launcher's if it
sets the variable (emptied here at start: counts from an earlier run must not add up), else a
temporary one made at start and removed at shutdown. A child that ends leaves its file behind, so
its counts stay in the sums (only live gauges would need cleaning up, and there are none). With the
port at 0 nothing is counted.

prometheus_client chooses its multiprocess storage when a metric is made, from the environment:
so this module makes its metrics lazily, in the children, after the main process has set the
variable before forking them."""

import logging
import os
import shutil
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from celery.signals import (
    task_postrun,
    task_prerun,
    worker_init,
    worker_ready,
    worker_shutdown,
)

from babelwire.settings import get_settings
from workers.app import PROCESS_FILE

log = logging.getLogger(__name__)

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
DURATION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
# A file's result as the file tasks name it, as counted; "already processed" is a redelivery that
# changed nothing.
FILE_OUTCOMES = {
    "created": "created", "duplicate": "duplicate", "rejected": "rejected", "failed": "failed",
    "already processed": "skipped", "retried": "retried",
}
_started: dict[str, float] = {}  # task id -> start, in the child running it
_made_dir: Path | None = None  # the temporary directory this worker made, removed at shutdown


class TaskMetrics(NamedTuple):
    tasks: Any
    duration: Any
    files: Any


def enabled() -> bool:
    return get_settings().worker_metrics_port > 0


@lru_cache
def task_metrics() -> TaskMetrics:
    from prometheus_client import Counter, Histogram

    return TaskMetrics(
        Counter(
            "babelwire_worker_tasks", "Tasks run by the workers, by task and outcome (created, duplicate, rejected, "
            "failed, skipped, retried for files; succeeded or error for the others).", ["task", "outcome"],
        ),
        Histogram(
            "babelwire_worker_task_duration_seconds", "Time one task run took, retried runs included, by task.",
            ["task"], buckets=DURATION_BUCKETS,
        ),
        Counter(
            "babelwire_worker_files", "File attempts by outcome (created, duplicate, rejected, failed, skipped, "
            "retried), whether the file came alone or in a batch task.", ["outcome"],
        ),
    )


def count_file(result: str) -> None:
    """One file's attempt, as the file tasks name its result (see FILE_OUTCOMES)."""
    if enabled():
        task_metrics().files.labels(FILE_OUTCOMES.get(result, result)).inc()


def outcome_of(task_name: str, state: str | None, retval: object) -> str:
    if state == "RETRY":
        return "retried"
    if state != "SUCCESS":
        return "error"  # an exception escaped the task (or it was rejected or ignored)
    if task_name == PROCESS_FILE:
        return FILE_OUTCOMES.get(str(retval), "other")
    return "succeeded"


@worker_init.connect
def prepare_metrics_directory(**_: object) -> None:
    """In the main process, before the children are forked: they inherit the variable."""
    global _made_dir
    if not enabled():
        return
    path = os.environ.get(MULTIPROC_DIR)
    if path:
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
    else:
        directory = _made_dir = Path(tempfile.mkdtemp(prefix="babelwire-worker-metrics-"))
        os.environ[MULTIPROC_DIR] = str(directory)
    import prometheus_client.values as values

    # Should anything have imported prometheus_client before the variable was set, its storage
    # choice is made again here (no metric of ours exists yet in this process).
    values.ValueClass = values.get_value_class()


@worker_ready.connect
def serve_metrics(**_: object) -> None:
    """The main process serves the children's files; it runs no task itself."""
    if not enabled():
        return
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    settings = get_settings()
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    start_http_server(settings.worker_metrics_port, addr=settings.worker_metrics_host, registry=registry)
    log.info("worker metrics on http://%s:%d/metrics", settings.worker_metrics_host, settings.worker_metrics_port)


@task_prerun.connect
def start_timing(task_id: str, **_: object) -> None:
    if enabled():
        _started[task_id] = time.perf_counter()


@task_postrun.connect
def count_task(task_id: str, task: Any, retval: object = None, state: str | None = None, **_: object) -> None:
    started = _started.pop(task_id, None)
    if not enabled() or started is None:
        return
    metrics = task_metrics()
    metrics.tasks.labels(task.name, outcome_of(task.name, state, retval)).inc()
    metrics.duration.labels(task.name).observe(time.perf_counter() - started)


@worker_shutdown.connect
def remove_metrics_directory(**_: object) -> None:
    if _made_dir is not None:
        shutil.rmtree(_made_dir, ignore_errors=True)

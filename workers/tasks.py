"""The Celery tasks: thin shells that load, call the pure pipeline, and store."""

import logging
from collections.abc import Callable
from typing import NoReturn

import kombu.exceptions
import psycopg
import redis
from celery import Task
from celery.signals import worker_init

from babelwire.broker import queue_depth
from babelwire.db import database_unavailable, transaction
from babelwire import periodic_runs
from babelwire.logs import bind, log_context
from babelwire.outages import OutageLog
from babelwire.settings import get_settings
from workers import neardup_index, store, translation_index
from workers.app import PROCESS_FILE, PROCESS_FILES, RECONCILE_LINKS, REQUEUE_WAITING_FILES, celery_app
from workers.backoff import retry_delay
from workers.logs import describe_decision
from workers.metrics import count_file
from workers.pipeline import language
from workers.pipeline.decoding import RejectedFile
from workers.pipeline.process import process_file as run_pipeline
from workers.queueing import dispatch

log = logging.getLogger(__name__)
settings = get_settings()


def retry_countdown(retries: int, maximum: float) -> int:
    """Whole seconds before a failing file's next attempt (1, 2, 4 … capped, jittered): never 0 s,
    so a file that keeps failing always steps aside for the files behind it."""
    return max(1, round(retry_delay(retries + 1, base=1, cap=maximum)))


@worker_init.connect
def refuse_a_foreign_near_duplicate_index(**_: object) -> None:
    """A worker whose band keys differ from the stored ones would miss every stored article:
    better not to start. (Celery logs and swallows exceptions from signal handlers, so exit.)"""
    try:
        with transaction() as conn:
            neardup_index.check_key_scheme(conn)
    except neardup_index.KeySchemeMismatch as mismatch:
        log.critical("%s", mismatch)
        raise SystemExit(f"babelwire worker: {mismatch}") from None


@worker_init.connect
def load_language_models(**_: object) -> None:
    language.load_models()


def infrastructure_down(error: BaseException) -> bool:
    """The database or the broker could not be reached: the file is not at fault."""
    return database_unavailable(error) or isinstance(error, kombu.exceptions.OperationalError)


# No limit on Celery's own retry count: an outage is waited out however long it lasts. The retry
# budget is `failed_attempts`, the attempts that failed for the file's own sake.
@celery_app.task(name=PROCESS_FILE, bind=True, max_retries=None)
def process_file(self: Task, file_id: int, failed_attempts: int = 0) -> str:
    """Idempotent in the stored file: a second run, or a run for a file already done, changes nothing.
    The task of a file's retries; uploads arrive as process_files."""
    try:
        outcome = _load_and_process(file_id)
    except Exception as error:
        if infrastructure_down(error):
            _retry_later(self, error, [file_id], args=[file_id])
        return _after_failure(
            file_id, error, failed_attempts,  # self.retry raises Retry: the task ends there
            send_retry=lambda countdown, attempts: self.retry(
                exc=error, countdown=countdown, kwargs={"failed_attempts": attempts}
            ),
        )
    return _report(file_id, outcome)


@celery_app.task(name=PROCESS_FILES, bind=True, max_retries=None)
def process_files(self: Task, file_ids: list[int]) -> list[str]:
    """Many files in one task, for less broker and task overhead per file; each is still loaded,
    processed and stored on its own (one file's content in memory at a time, one transaction per
    file, so the lock order of one file and its freedom from deadlock hold unchanged). A file
    that fails for its own sake goes on alone as a process_file task, with the retry budget and
    backoff of that task; when the database or broker is down, the files not yet done are retried
    together. Idempotent like process_file: a file already done is skipped."""
    try:
        with transaction() as conn:
            queued = store.queued_files(conn, file_ids)
    except Exception as error:
        if infrastructure_down(error):
            _retry_later(self, error, file_ids, args=[file_ids])
        raise
    if len(jobs := {job_id for _, job_id in queued}) == 1:
        bind(job_id=jobs.pop())  # an upload's batch: Celery's "succeeded" line names its job
    results: list[str] = []
    for position, (file_id, _) in enumerate(queued):
        with log_context(file_id=file_id):
            try:
                results.append(_one_of_batch(file_id))
            except Exception as error:
                if not infrastructure_down(error):
                    raise
                remaining = [queued_id for queued_id, _ in queued[position:]]
                _retry_later(self, error, remaining, args=[remaining])
    return results


def _one_of_batch(file_id: int) -> str:
    """Its result; raises only when the database or broker is down (or the unforeseen)."""
    try:
        return _report(file_id, _load_and_process(file_id))
    except Exception as error:
        if infrastructure_down(error):
            raise
        # Its next attempts are a process_file task of its own (raises if that cannot be sent).
        return _after_failure(
            file_id, error, 0,
            send_retry=lambda countdown, attempts: process_file.apply_async(
                args=[file_id], kwargs={"failed_attempts": attempts}, countdown=countdown
            ),
        )


def _load_and_process(file_id: int) -> store.Outcome | None:
    """None when the file is no longer queued (another run got there first)."""
    with transaction() as conn:
        pending = store.load_pending_file(conn, file_id)
    return _process(pending) if pending is not None else None


def _process(pending: store.PendingFile) -> store.Outcome | None:
    bind(job_id=pending.job_id)  # every later line about this file names its job too
    try:
        draft = run_pipeline(pending.content, pending.name)
    except RejectedFile as rejection:
        with transaction() as conn:
            return store.record_rejection(conn, pending.id, str(rejection))
    sketch = neardup_index.sketch(draft.text)  # the MinHash work, outside the transaction
    links = translation_index.prepare(draft)  # the story signals and link keys, likewise
    with transaction() as conn:
        return store.record_article(conn, pending.id, draft, sketch, links)


def _report(file_id: int, outcome: store.Outcome | None) -> str:
    """Logs the file's outcome and names it as workers/metrics.py counts it."""
    if outcome is None:
        result = "already processed"
    else:
        _log_decision(file_id, outcome)
        # A file the pipeline refused (_give_up answers "failed").
        result = "rejected" if outcome.status == "failed" else outcome.status
    count_file(result)
    return result


def _log_decision(file_id: int, outcome: store.Outcome) -> None:
    message, fields = describe_decision(file_id, outcome)
    log.info(message, extra=fields)


def _retry_later(task: Task, error: Exception, file_ids: list[int], args: list) -> NoReturn:
    """Never counted, never failed: the files stay queued and the task is run again with `args`
    (and the periodic re-enqueue sends them anyway should this retry be lost with the broker)."""
    countdown = retry_countdown(task.request.retries, settings.task_retry_backoff_max_seconds)
    log.warning("file(s) %s: database or broker unavailable (%r); retrying in %ss", _ids(file_ids), error, countdown)
    raise task.retry(args=args, exc=error, countdown=countdown)


def _after_failure(
    file_id: int, error: Exception, failed_attempts: int, send_retry: Callable[[int, int], object]
) -> str:
    """A file's attempt failed for its own sake: gives up once the retry budget is spent, else
    sends its next attempt (countdown, attempts failed so far) after a growing backoff."""
    if failed_attempts >= settings.task_max_retries:
        return _give_up(file_id, error, failed_attempts + 1)
    countdown = retry_countdown(failed_attempts, settings.task_retry_backoff_max_seconds)
    log.warning("file %s: attempt %d failed (%r); retrying in %ss", file_id, failed_attempts + 1, error, countdown)
    count_file("retried")
    send_retry(countdown, failed_attempts + 1)
    return "retried"


def _ids(file_ids: list[int]) -> str:
    return ", ".join(map(str, file_ids[:10])) + (f" and {len(file_ids) - 10} more" if len(file_ids) > 10 else "")


def _give_up(file_id: int, error: Exception, attempts: int) -> str:
    log.error("file %s: giving up after %d attempts: %r", file_id, attempts, error)
    with transaction() as conn:
        outcome = store.record_rejection(conn, file_id, f"processing failed after {attempts} attempts: {error!r}")
    if outcome is not None:
        _log_decision(file_id, outcome)
    count_file("failed")
    return "failed"


# Made at import, in the worker's main process before it forks: one outage for all its children.
_requeue_database = OutageLog(log, "re-enqueue: database")
_requeue_broker = OutageLog(log, "re-enqueue: broker")


@celery_app.task(name=REQUEUE_WAITING_FILES)
def requeue_waiting_files() -> int:
    """Sends again every file still queued whose last send is older than the re-enqueue delay, and
    records the heartbeat that /readyz and /metrics read (this run proves beat and a worker live)."""
    try:
        with transaction() as conn:
            periodic_runs.record_run(conn, periodic_runs.REQUEUE)
            file_ids = store.waiting_file_ids(conn, settings.requeue_after_seconds, settings.requeue_batch)
    except Exception as error:
        if not database_unavailable(error):
            raise
        _requeue_database.failed(error)  # nothing re-enqueued this round; the next round will
        return 0
    _requeue_database.succeeded()
    if file_ids and (backlog := _broker_backlog()) >= settings.requeue_batch:
        # Files waiting behind a long queue are not lost: sending them again would only pile up
        # copies. Stranded ones (held by a worker that died) go out once the queue drains.
        log.info("re-enqueue skipped: %d message(s) already waiting in the broker queue", backlog)
        return 0
    sent = dispatch(file_ids)
    if file_ids:
        log.info("re-enqueued %d of %d waiting file(s)", len(sent), len(file_ids))
    return len(sent)


def _broker_backlog() -> int:
    """Messages waiting in the broker queue; 0 when Redis cannot be asked (dispatch will find out)."""
    try:
        backlog = queue_depth(settings, settings.broker_timeout_seconds)
    except redis.RedisError as error:
        _requeue_broker.failed(error)
        return 0
    _requeue_broker.succeeded()
    return backlog


_reconcile_database = OutageLog(log, "reconcile links: database")
RECONCILE_ATTEMPTS = 3


@celery_app.task(name=RECONCILE_LINKS)
def reconcile_links() -> int:
    """Takes the articles due for reconciliation and gives each its second look
    (translation_index.reconcile_article), one transaction each in the storing lock order.
    Returns how many changed a group."""
    try:
        with transaction() as conn:
            due = translation_index.claim_due(conn, settings.relink_batch, lease_seconds=settings.relink_delay_seconds)
    except Exception as error:
        if not database_unavailable(error):
            raise
        _reconcile_database.failed(error)
        return 0
    _reconcile_database.succeeded()
    changed = 0
    for article_id in due:
        for attempt in range(1, RECONCILE_ATTEMPTS + 1):
            try:
                with transaction() as conn:
                    changed += translation_index.reconcile_article(conn, article_id) is not None
                    translation_index.reschedule(conn, article_id, settings.relink_rounds)
                break
            except (psycopg.errors.DeadlockDetected, translation_index.LinkStateUnstable) as error:
                # A version stored meanwhile took the same locks; the claim's lease makes it due
                # again should every attempt lose.
                log.info("reconcile article %s: attempt %d lost a lock race (%r)", article_id, attempt, error)
            except Exception as error:
                if not database_unavailable(error):
                    raise
                _reconcile_database.failed(error)
                return changed
    if changed:
        log.info("reconciliation changed the groups of %d of %d article(s)", changed, len(due))
    return changed

"""The Celery tasks: thin shells that load, call the pure pipeline, and store."""

import logging

import kombu.exceptions
import redis
from celery import Task
from celery.signals import worker_init

from babelwire.broker import queue_depth
from babelwire.db import database_unavailable, transaction
from babelwire.logs import bind
from babelwire.settings import get_settings
from workers import neardup_index, store, translation_index
from workers.app import PROCESS_FILE, REQUEUE_WAITING_FILES, celery_app
from workers.backoff import retry_delay
from workers.logs import describe_decision
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


def infrastructure_down(error: BaseException) -> bool:
    """The database or the broker could not be reached: the file is not at fault."""
    return database_unavailable(error) or isinstance(error, kombu.exceptions.OperationalError)


# No limit on Celery's own retry count: an outage is waited out however long it lasts. The retry
# budget is `failed_attempts`, the attempts that failed for the file's own sake.
@celery_app.task(name=PROCESS_FILE, bind=True, max_retries=None)
def process_file(self: Task, file_id: int, failed_attempts: int = 0) -> str:
    """Idempotent in the stored file: a second run, or a run for a file already done, changes nothing."""
    try:
        outcome = _process(file_id)
    except Exception as error:
        if infrastructure_down(error):
            # Never counted, never failed: the file stays queued and is tried again (and the
            # periodic re-enqueue sends it anyway should this retry be lost with the broker).
            countdown = retry_countdown(self.request.retries, settings.task_retry_backoff_max_seconds)
            log.warning("file %s: database or broker unavailable (%r); retrying in %ss", file_id, error, countdown)
            raise self.retry(exc=error, countdown=countdown)
        if failed_attempts >= settings.task_max_retries:
            return _give_up(file_id, error, failed_attempts + 1)
        countdown = retry_countdown(failed_attempts, settings.task_retry_backoff_max_seconds)
        log.warning("file %s: attempt %d failed (%r); retrying in %ss", file_id, failed_attempts + 1, error, countdown)
        raise self.retry(exc=error, countdown=countdown, kwargs={"failed_attempts": failed_attempts + 1})
    if outcome is None:
        return "already processed"
    message, fields = describe_decision(file_id, outcome)
    log.info(message, extra=fields)
    # A file the pipeline refused (_give_up answers "failed"): workers/metrics.py counts by this.
    return "rejected" if outcome.status == "failed" else outcome.status


def _process(file_id: int) -> store.Outcome | None:
    with transaction() as conn:
        pending = store.load_pending_file(conn, file_id)
    if pending is None:
        return None
    bind(job_id=pending.job_id)  # every later line of this task names the file's job too
    try:
        draft = run_pipeline(pending.content, pending.name)
    except RejectedFile as rejection:
        with transaction() as conn:
            return store.record_rejection(conn, file_id, str(rejection))
    sketch = neardup_index.sketch(draft.text)  # the MinHash work, outside the transaction
    links = translation_index.prepare(draft)  # the story signals and link keys, likewise
    with transaction() as conn:
        return store.record_article(conn, file_id, draft, sketch, links)


def _give_up(file_id: int, error: Exception, attempts: int) -> str:
    log.error("file %s: giving up after %d attempts: %r", file_id, attempts, error)
    with transaction() as conn:
        outcome = store.record_rejection(conn, file_id, f"processing failed after {attempts} attempts: {error!r}")
    if outcome is not None:
        message, fields = describe_decision(file_id, outcome)
        log.info(message, extra=fields)
    return "failed"


@celery_app.task(name=REQUEUE_WAITING_FILES)
def requeue_waiting_files() -> int:
    """Sends again every file still queued whose last send is older than the re-enqueue delay."""
    try:
        with transaction() as conn:
            file_ids = store.waiting_file_ids(conn, settings.requeue_after_seconds, settings.requeue_batch)
    except Exception as error:
        if not database_unavailable(error):
            raise
        log.warning("database unavailable, nothing re-enqueued this round: %r", error)  # the next round will
        return 0
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
        return queue_depth(settings, settings.broker_timeout_seconds)
    except redis.RedisError as error:
        log.warning("broker queue depth unknown: %r", error)
        return 0

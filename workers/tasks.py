"""The Celery tasks: thin shells that load, call the pure pipeline, and store."""

import logging

from celery import Task
from celery.signals import worker_init

from babelwire.db import transaction
from babelwire.settings import get_settings
from workers import neardup_index, store, translation_index
from workers.app import PROCESS_FILE, REQUEUE_WAITING_FILES, celery_app
from workers.backoff import retry_delay
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


@celery_app.task(name=PROCESS_FILE, bind=True, max_retries=settings.task_max_retries)
def process_file(self: Task, file_id: int) -> str:
    """Idempotent in the stored file: a second run, or a run for a file already done, changes nothing."""
    try:
        outcome = _process(file_id)
    except Exception as error:
        if self.request.retries >= settings.task_max_retries:
            return _give_up(file_id, error, self.request.retries + 1)
        countdown = retry_countdown(self.request.retries, settings.task_retry_backoff_max_seconds)
        log.warning("file %s: attempt %d failed (%r); retrying in %ss", file_id, self.request.retries + 1, error, countdown)
        raise self.retry(exc=error, countdown=countdown)
    if outcome is None:
        return "already processed"
    log.info(
        "file %s: %s article=%s duplicate_of=%s group=%s error=%s",
        file_id, outcome.status, outcome.article_id, outcome.duplicate_of, outcome.group_id, outcome.error,
    )
    return outcome.status


def _process(file_id: int) -> store.Outcome | None:
    with transaction() as conn:
        pending = store.load_pending_file(conn, file_id)
    if pending is None:
        return None
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
        store.record_rejection(conn, file_id, f"processing failed after {attempts} attempts: {error!r}")
    return "failed"


@celery_app.task(name=REQUEUE_WAITING_FILES)
def requeue_waiting_files() -> int:
    """Sends again every file still queued whose last send is older than the re-enqueue delay."""
    with transaction() as conn:
        file_ids = store.waiting_file_ids(conn, settings.requeue_after_seconds, settings.requeue_batch)
    sent = dispatch(file_ids)
    if file_ids:
        log.info("re-enqueued %d of %d waiting file(s)", len(sent), len(file_ids))
    return len(sent)

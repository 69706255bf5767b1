"""Sending accepted files to the broker, and remembering when each was sent."""

import logging

from babelwire.db import database_unavailable, transaction
from babelwire.settings import get_settings
from workers.app import PROCESS_FILES, celery_app

log = logging.getLogger(__name__)


def dispatch(file_ids: list[int]) -> list[int]:
    """Publishes the files in tasks of up to `task_batch_files` each and records the send time of
    those that went out. Stops at the first broker failure: what was not sent stays queued in
    PostgreSQL for the periodic re-enqueue."""
    size = get_settings().task_batch_files
    sent: list[int] = []
    for chunk in (file_ids[start : start + size] for start in range(0, len(file_ids), size)):
        try:
            celery_app.send_task(PROCESS_FILES, args=[chunk], retry=True)
        except Exception as error:  # kombu and redis raise several unrelated types for "broker down"
            log.warning(
                "broker unavailable, %d file(s) left for re-enqueue: %s",
                len(file_ids) - len(sent),
                error,
            )
            break
        sent.extend(chunk)
    if sent:
        try:
            with transaction() as conn:
                conn.execute("UPDATE job_files SET enqueued_at = now() WHERE id = ANY(%s)", (sent,))
        except Exception as error:
            if not database_unavailable(error):
                raise
            # The files are stored and their tasks sent: an upload must not fail over a send
            # time. Unrecorded, it only means the re-enqueue sends them once more (harmless).
            log.warning("database unavailable, send time of %d file(s) not recorded: %r", len(sent), error)
    return sent


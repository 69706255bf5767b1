"""The Celery application: broker, queue and delivery guarantees. Importing it is cheap, so the
ingest API uses it to publish without loading the pipeline."""

from celery import Celery

from babelwire.settings import get_settings
from workers.broker import transport_for

PROCESS_FILE = "babelwire.process_file"
PROCESS_FILES = "babelwire.process_files"
REQUEUE_WAITING_FILES = "babelwire.requeue_waiting_files"

settings = get_settings()

celery_app = Celery("babelwire", broker=settings.redis_url, include=["workers.tasks", "workers.webhooks", "workers.metrics"])
celery_app.conf.update(
    broker_transport=transport_for(settings.redis_url),
    task_default_queue=settings.queue,
    # A file's message is acknowledged only once its outcome is committed; a worker that dies
    # mid-task leaves the message to be delivered again, and the task is idempotent.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    broker_connection_timeout=settings.broker_timeout_seconds,
    broker_transport_options={
        "socket_connect_timeout": settings.broker_timeout_seconds,
        "socket_timeout": settings.broker_timeout_seconds * 2,
        "visibility_timeout": 3600,
    },
    # Publishing must not hang an upload when Redis is down: the file is already stored and the
    # periodic re-enqueue will send it later.
    task_publish_retry_policy={
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    },
    beat_schedule={
        "requeue-waiting-files": {
            "task": REQUEUE_WAITING_FILES,
            "schedule": settings.requeue_interval_seconds,
        },
        # Turns new changes into webhook deliveries (workers/webhooks.py).
        "dispatch-webhooks": {
            "task": "babelwire.dispatch_webhooks",
            "schedule": settings.webhook_dispatch_interval_seconds,
        },
    },
    worker_redirect_stdouts=False,
)

# Celery's logging setup goes through babelwire.logs (JSON lines, ids as fields); imported last
# because it names the tasks above.
import workers.logs  # noqa: E402, F401

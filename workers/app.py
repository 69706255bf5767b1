"""The Celery application: broker, queue and delivery guarantees. Importing it is cheap, so the
ingest API uses it to publish without loading the pipeline."""

from celery import Celery
from kombu import Exchange, Queue

from babelwire.settings import get_settings
from workers.broker import transport_for

PROCESS_FILE = "babelwire.process_file"
PROCESS_FILES = "babelwire.process_files"
REQUEUE_WAITING_FILES = "babelwire.requeue_waiting_files"
RECONCILE_LINKS = "babelwire.reconcile_links"

DISPATCH_WEBHOOKS = "babelwire.dispatch_webhooks"  # defined in workers/webhooks.py

settings = get_settings()
# The periodic tasks have a queue of their own, which every worker consumes besides the files'
# queue: a backlog of thousands of files must not hold back the re-enqueue and its heartbeat
# (babelwire/periodic_runs.py) until readiness calls beat dead. A worker run with `-Q` must name both.
PERIODIC_QUEUE = f"{settings.queue}.periodic"

celery_app = Celery("babelwire", broker=settings.redis_url, include=["workers.tasks", "workers.webhooks", "workers.metrics"])
celery_app.conf.update(
    broker_transport=transport_for(settings.redis_url),
    task_default_queue=settings.queue,
    task_queues=[Queue(name, Exchange(name), routing_key=name) for name in (settings.queue, PERIODIC_QUEUE)],
    task_routes={name: {"queue": PERIODIC_QUEUE} for name in (REQUEUE_WAITING_FILES, DISPATCH_WEBHOOKS, RECONCILE_LINKS)},
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
    # Beat keeps its schedule in memory (workers/beat.py): no file, so it starts wherever the
    # worker can (a schedule file under .data/ killed it wherever the embedded servers had not made
    # that directory, and nothing noticed). Both tasks run every few seconds; a restarted beat
    # simply waits one interval, and the heartbeat's staleness allows for that.
    beat_scheduler="workers.beat:Scheduler",
    beat_schedule={
        "requeue-waiting-files": {
            "task": REQUEUE_WAITING_FILES,
            "schedule": settings.requeue_interval_seconds,
        },
        # Second looks at articles left ungrouped or in small translation groups.
        "reconcile-links": {
            "task": RECONCILE_LINKS,
            "schedule": settings.relink_interval_seconds,
        },
        # Turns new changes into webhook deliveries (workers/webhooks.py).
        "dispatch-webhooks": {
            "task": DISPATCH_WEBHOOKS,
            "schedule": settings.webhook_dispatch_interval_seconds,
        },
    },
    worker_redirect_stdouts=False,
)

# Celery's logging setup goes through babelwire.logs (JSON lines, ids as fields); imported last
# because it names the tasks above.
import workers.logs  # noqa: E402, F401

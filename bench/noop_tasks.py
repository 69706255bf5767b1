"""The broker ceiling of bench/end_to_end.py: a task that does nothing, on the project's own Celery
configuration (workers/app.py: acks late, prefetch 1, the same Redis transport), so that tasks/s
through a worker of the configured concurrency bounds what one-task-per-file can reach.

    # a worker for it (BABELWIRE_QUEUE names a queue of its own; DATABASE_URL as the worker's):
    celery -A bench.noop_tasks worker --concurrency 2
    # publish COUNT tasks one by one, as the ingest API does, and wait until all have run:
    python -m bench.noop_tasks COUNT

The task does one Redis INCR so that the publisher can tell when all of them have run (a result
backend would cost more); that round trip is part of the measured cost."""

import json
import sys
import time
import uuid

import redis

from workers.app import celery_app

NOOP = "babelwire.bench.noop"
_counter: redis.Redis | None = None


@celery_app.task(name=NOOP)
def noop(counter_key: str) -> None:
    global _counter
    if _counter is None:
        _counter = redis.Redis.from_url(celery_app.conf.broker_url)
    _counter.incr(counter_key)


def publish_and_wait(count: int, timeout: float) -> dict[str, float]:
    client = redis.Redis.from_url(celery_app.conf.broker_url)
    key = f"babelwire-bench-noop-{uuid.uuid4().hex}"
    started = time.perf_counter()
    for _ in range(count):
        celery_app.send_task(NOOP, args=[key])
    published = time.perf_counter()
    deadline = published + timeout
    done = 0
    while time.perf_counter() < deadline:
        done = int(client.get(key) or 0)
        if done >= count:
            break
        time.sleep(0.01)
    finished = time.perf_counter()
    client.delete(key)
    return {"tasks": count, "done": done, "publish_s": published - started, "total_s": finished - started}


if __name__ == "__main__":
    print(json.dumps(publish_and_wait(int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 300)))

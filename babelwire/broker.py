"""The Celery queue read straight from Redis, for what needs its length: the read API's metrics
and the workers' periodic re-enqueue."""

from functools import lru_cache

import redis

from babelwire.settings import Settings


@lru_cache
def _client(url: str, timeout: float) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def queue_depth(settings: Settings, timeout: float) -> int:
    """Messages waiting in the Celery queue (a Redis list); those a worker holds unacknowledged are
    not in it. Raises redis.RedisError when Redis cannot be asked."""
    return int(_client(settings.redis_url, timeout).llen(settings.queue))

"""The Redis transport the workers use: kombu's own, except that a consumer whose connection has
dropped does not try to use that connection again.

kombu 5.7, when a worker loses Redis, (1) hands its unacknowledged messages back while closing
the lost connection, and (2) acknowledges tasks that finish afterwards on the closed channel.
Both reach for a client that is already gone and raise AttributeError, which Celery treats as
unrecoverable: the worker exits instead of reconnecting (tests/integration/test_outages.py saw
it in about half the Redis restarts). Nothing here depends on either step: a message left
unacknowledged comes back after the visibility timeout, a file still queued in PostgreSQL is
sent again by the periodic re-enqueue (workers/tasks.py), and a second delivery of a finished
file changes nothing."""

from urllib.parse import urlsplit

from kombu.transport import redis, virtual


class QoS(redis.QoS):
    def ack(self, delivery_tag: str) -> None:
        if self._channel_gone():
            virtual.QoS.ack(self, delivery_tag)  # forget it here; Redis keeps it as unacknowledged
            return
        super().ack(delivery_tag)

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        if self._channel_gone():
            virtual.QoS.ack(self, delivery_tag)
            return
        super().reject(delivery_tag, requeue=requeue)

    def _channel_gone(self) -> bool:
        return self.channel.closed or self.channel.connection is None


class Channel(redis.Channel):
    QoS = QoS
    do_restore = False


class Transport(redis.Transport):
    Channel = Channel


def transport_for(broker_url: str) -> str | None:
    """This transport for plain `redis://` URLs; any other scheme (rediss, sentinel) keeps kombu's."""
    return f"{__name__}:Transport" if urlsplit(broker_url).scheme == "redis" else None

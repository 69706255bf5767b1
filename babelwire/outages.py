"""One log line per outage: periodic tasks that find the database or the broker down log the first
failure and the recovery, not every tick in between (an operator needs the log most exactly when a
dependency is down, and a traceback every 2 s buries everything else).

The state is shared by a process and the processes it forks afterwards: an OutageLog made at import
in a Celery worker's main process (the task modules are imported before the pool forks its
children) is one outage for all of the worker's children, whichever child runs the next tick.
Separate workers (other hosts, other `celery worker` processes) each log their own line."""

import logging
import multiprocessing
import time

# "fork": the shared value must be anonymous memory inherited by children, not a named semaphore
# that a spawn/forkserver context would register with a resource tracker process.
_FORK = multiprocessing.get_context("fork")
_UP = 0.0


class OutageLog:
    """Tracks one dependency as seen by one periodic task. `failed` logs only the first failure of
    an outage (ERROR, without a traceback: the error's repr says what was refused) and `succeeded`
    logs one line when a failing dependency works again, with how long it was down."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self.logger = logger
        self.what = what
        # Wall-clock time the outage began, 0.0 while the dependency works; its lock makes the
        # check-and-set atomic across processes, so two children failing at once log one line.
        self._down_since = _FORK.Value("d", _UP)

    @property
    def down(self) -> bool:
        return self._down_since.value != _UP

    def failed(self, reason: BaseException | str) -> bool:
        """Records a failure (an exception, or a sentence for what is not one); returns whether
        this call logged it (the first of its outage)."""
        with self._down_since.get_lock():
            first = self._down_since.value == _UP
            if first:
                self._down_since.value = time.time()
        if first:
            self.logger.error(
                "%s: unavailable (%s); no further line until it recovers", self.what,
                reason if isinstance(reason, str) else repr(reason),
                extra={"outage": "started"},
            )
        return first

    def succeeded(self) -> bool:
        """Records a success; returns whether this call ended an outage (and logged so)."""
        if not self.down:  # the common case: no lock taken on every healthy tick
            return False
        with self._down_since.get_lock():
            since = self._down_since.value
            self._down_since.value = _UP
        if since == _UP:
            return False  # another process logged the recovery between our check and the lock
        self.logger.warning(
            "%s: available again after %.1fs", self.what, time.time() - since, extra={"outage": "ended"},
        )
        return True

"""Beat's scheduler: Celery's own, in memory (no schedule file, so beat starts wherever the worker
does), except that a broker outage is one log line when it starts and one when it ends. Celery's
logs an ERROR with two tracebacks for every task on every tick it cannot send (hundreds of lines a
second with ticks of 1-2 s), burying the log exactly when an operator reads it."""

import logging
from typing import Any

from celery import beat

from babelwire.outages import OutageLog

log = logging.getLogger(__name__)


class Scheduler(beat.Scheduler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.broker_outage = OutageLog(log, "beat: broker")

    def apply_entry(self, entry: beat.ScheduleEntry, producer: Any = None) -> None:
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except Exception as error:  # noqa: BLE001 — what Celery's own apply_entry catches; the next tick tries again
            self.broker_outage.failed(error)
        else:
            self.broker_outage.succeeded()
            log.debug("Scheduler: sent due task %s (%s)", entry.name, entry.task)

"""The outage log: one line when a dependency's outage starts, one when it ends, none in between,
also when the failures come from several forked processes (a worker's children)."""

import logging
import multiprocessing

import pytest

from babelwire.outages import OutageLog

LOGGER = "tests.outages"


def lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == LOGGER]


def test_an_outage_of_many_failures_logs_one_line_and_one_on_recovery(caplog: pytest.LogCaptureFixture) -> None:
    outage = OutageLog(logging.getLogger(LOGGER), "dispatch: database")
    caplog.set_level(logging.INFO, logger=LOGGER)

    assert not outage.succeeded()  # healthy ticks say nothing
    logged = [outage.failed(ConnectionRefusedError(111, "refused")) for _ in range(10)]
    assert outage.down
    assert outage.succeeded()
    assert not outage.succeeded()

    assert logged == [True] + [False] * 9
    (first_level, first), (second_level, second) = lines(caplog)
    assert first_level == logging.ERROR and first.startswith("dispatch: database: unavailable (ConnectionRefusedError(111")
    assert second_level == logging.WARNING and second.startswith("dispatch: database: available again after ")
    assert caplog.records[0].exc_info is None  # no traceback for a refused connection


def test_each_outage_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    outage = OutageLog(logging.getLogger(LOGGER), "re-enqueue: database")
    caplog.set_level(logging.INFO, logger=LOGGER)
    for _ in range(3):
        outage.failed("down")
        outage.failed("still down")
        outage.succeeded()
    messages = [message for _, message in lines(caplog)]
    assert len(messages) == 6
    assert messages[0::2] == ["re-enqueue: database: unavailable (down); no further line until it recovers"] * 3


def _fail_in_child(outage: OutageLog, logged: "multiprocessing.Queue[bool]") -> None:
    logged.put(outage.failed(TimeoutError("pool timeout")))


def test_forked_children_share_one_outage() -> None:
    """Made before the fork, as a worker's task modules are: children failing at once log one line."""
    fork = multiprocessing.get_context("fork")
    outage = OutageLog(logging.getLogger(LOGGER), "webhook dispatch: database")
    logged: multiprocessing.Queue[bool] = fork.Queue()
    children = [fork.Process(target=_fail_in_child, args=(outage, logged)) for _ in range(8)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=30)
    results = [logged.get(timeout=5) for _ in children]

    assert sorted(results) == [False] * 7 + [True]
    assert outage.down  # the children's outage is the parent's too
    assert outage.succeeded() and not outage.down

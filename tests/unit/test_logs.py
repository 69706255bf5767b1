"""The one logging setup: JSON lines with the ids as fields, and the worker's decision line."""

import json
import logging

import pytest

from babelwire.logs import ContextFilter, log_context, make_formatter
from workers.logs import FileOfReceivedTask, describe_decision
from workers.store import Outcome


def render(record: logging.LogRecord, log_format: str = "json") -> str:
    for added in (ContextFilter(), FileOfReceivedTask()):
        added.filter(record)
    return make_formatter(log_format).format(record)


def record(message: str, logger: str = "workers.tasks", args: tuple = (), **extra: object) -> logging.LogRecord:
    made = logging.LogRecord(logger, logging.INFO, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_a_line_is_one_json_object_with_the_context_ids_and_readable_text() -> None:
    with log_context(job_id="j-1", file_id=7):
        line = render(record("file 7: créé", article_id=3))

    parsed = json.loads(line)
    assert "\n" not in line and "créé" in line
    assert parsed["message"] == "file 7: créé" and parsed["level"] == "INFO" and parsed["logger"] == "workers.tasks"
    assert (parsed["job_id"], parsed["file_id"], parsed["article_id"]) == ("j-1", 7, 3)
    assert parsed["time"].endswith("+00:00")
    assert "job_id" not in json.loads(render(record("outside the context")))


def test_an_explicit_id_wins_over_the_context() -> None:
    with log_context(file_id=1):
        assert json.loads(render(record("x", file_id=2)))["file_id"] == 2


def test_access_lines_name_the_job_or_article_of_their_path() -> None:
    job = "5b0c1f2e-8f0a-4d2b-9c61-0e4b8f6b2a10"
    access = '%s - "%s %s HTTP/%s" %d'
    line = json.loads(render(record(access, "uvicorn.access", ("127.0.0.1:5", "GET", f"/v1/jobs/{job}", "1.1", 200))))
    assert line["job_id"] == job
    line = json.loads(render(record(access, "uvicorn.access", ("127.0.0.1:5", "GET", "/v1/articles/42?x=1", "1.1", 200))))
    assert line["article_id"] == 42


def test_a_received_file_task_gets_its_file_id() -> None:
    received = record("Task %(name)s[%(id)s] received", "celery.worker.strategy", data={"name": "babelwire.process_file", "args": "[12]"})
    assert json.loads(render(received))["file_id"] == 12


def test_a_received_batch_task_gets_its_file_ids() -> None:
    data = {"name": "babelwire.process_files", "args": "[[12, 13, 40]]"}
    received = record("Task %(name)s[%(id)s] received", "celery.worker.strategy", data=data)
    parsed = json.loads(render(received))
    assert parsed["file_ids"] == [12, 13, 40] and "file_id" not in parsed


def test_the_plain_format_is_celerys_line_format() -> None:
    assert render(record("hello"), "plain").endswith("/MainProcess] hello")


@pytest.mark.parametrize(
    ("outcome", "decision", "message"),
    [
        (Outcome("created", article_id=5, language="bn"), "new", "file 9: created article 5: new, in no translation group"),
        (
            Outcome("created", article_id=5, group_id=2, link_score=0.8125, linked_to=3),
            "linked", "file 9: created article 5: linked to group 2 with score 0.812 (via article 3)",
        ),
        (Outcome("duplicate", duplicate_of=4, similarity=1.0), "duplicate", "file 9: duplicate of article 4 (exact, similarity 1.000)"),
        (
            Outcome("duplicate", article_id=6, duplicate_of=4, similarity=0.91),
            "duplicate", "file 9: duplicate of article 4 (near, similarity 0.910)",
        ),
        (Outcome("failed", error="binary data"), "rejected", "file 9: failed: rejected (binary data)"),
    ],
)
def test_each_finished_file_gets_one_sentence_and_fields(outcome: Outcome, decision: str, message: str) -> None:
    said, fields = describe_decision(9, outcome)
    assert said == message and fields["decision"] == decision and fields["file_id"] == 9

"""The worker's logging: Celery hands its setup to babelwire.logs (the one setup of every process),
and each file task's lines carry the file's id, and its job's once the file is loaded."""

import logging
import re
from typing import Any

from celery.signals import setup_logging, task_postrun, task_prerun

from babelwire.logs import bind, clear_context
from babelwire.logs import setup_logging as setup_babelwire_logging
from workers.app import PROCESS_FILE, PROCESS_FILES


@setup_logging.connect
def use_babelwire_logging(loglevel: int | str | None = None, **_: Any) -> None:
    """Connected, this replaces Celery's own logging setup in the worker and in each child process.
    The level given on the command line (`--loglevel`) wins over BABELWIRE_LOG_LEVEL."""
    setup_babelwire_logging(level=loglevel or None, filters=[FileOfReceivedTask()])


class FileOfReceivedTask(logging.Filter):
    """The worker's main process logs each task it receives before any task context exists: give a
    file task's line its file id (a batch task's line its `file_ids`), read from the task's
    arguments Celery logs with it."""

    def filter(self, record: logging.LogRecord) -> bool:
        data = getattr(record, "data", None)
        if not isinstance(data, dict):
            return True
        if data.get("name") == PROCESS_FILE and not hasattr(record, "file_id"):
            if match := re.fullmatch(r"\[(\d+)\]", str(data.get("args", ""))):
                record.file_id = int(match[1])
        elif data.get("name") == PROCESS_FILES and not hasattr(record, "file_ids"):
            if match := re.fullmatch(r"\[\[([\d, ]*)\]\]", str(data.get("args", ""))):
                record.file_ids = [int(n) for n in match[1].split(",") if n.strip()]
        return True


@task_prerun.connect
def bind_file(task: Any = None, args: tuple | None = None, kwargs: dict | None = None, **_: Any) -> None:
    clear_context()
    if getattr(task, "name", None) == PROCESS_FILE:
        bind(file_id=args[0] if args else (kwargs or {}).get("file_id"))
    elif getattr(task, "name", None) == PROCESS_FILES:
        file_ids = args[0] if args else (kwargs or {}).get("file_ids")
        bind(file_ids=list(file_ids) if file_ids else None)


@task_postrun.connect
def unbind_file(**_: Any) -> None:
    clear_context()


def describe_decision(file_id: int, outcome: Any) -> tuple[str, dict[str, Any]]:
    """The one line a finished file gets: what was decided, as a sentence and as fields.
    `outcome` is a workers.store.Outcome (not imported: this module loads with the cheap app)."""
    fields: dict[str, Any] = {"file_id": file_id, "status": outcome.status, "language": outcome.language}
    if outcome.status == "failed":
        fields.update(decision="rejected", reason=outcome.error)
        return f"file {file_id}: failed: rejected ({outcome.error})", fields
    if outcome.status == "duplicate":
        # An exact copy has no article of its own; a near one keeps its (different) text.
        kind = "near" if outcome.article_id is not None else "exact"
        fields.update(
            decision="duplicate", article_id=outcome.article_id, duplicate_of=outcome.duplicate_of,
            match=kind, similarity=outcome.similarity,
        )
        similarity = f"{outcome.similarity:.3f}" if outcome.similarity is not None else "?"
        return f"file {file_id}: duplicate of article {outcome.duplicate_of} ({kind}, similarity {similarity})", fields
    fields.update(article_id=outcome.article_id, group_id=outcome.group_id)
    if outcome.group_id is None:
        fields["decision"] = "new"
        return f"file {file_id}: created article {outcome.article_id}: new, in no translation group", fields
    fields.update(decision="linked", score=outcome.link_score, linked_to=outcome.linked_to)
    score = f"{outcome.link_score:.3f}" if outcome.link_score is not None else "?"
    return (
        f"file {file_id}: created article {outcome.article_id}: linked to group {outcome.group_id} "
        f"with score {score} (via article {outcome.linked_to})",
        fields,
    )

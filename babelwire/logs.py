"""One logging setup for every Babelwire process: the two APIs (under uvicorn), the Celery worker
and the command line. Lines go to stderr, as JSON objects (BABELWIRE_LOG_FORMAT=json, the default)
or as plain text (`plain`).

The ids a line concerns (job_id, file_id, article_id) become fields of their own, so a log
collector can follow one job or one file: pass them as `extra=` on a call, or set them for a stretch
of code with `log_context` (the worker does, around each task) and every line in it carries them."""

import logging
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

CONTEXT_FIELDS = ("job_id", "file_id", "file_ids", "article_id")
PLAIN_FORMAT = "[%(asctime)s: %(levelname)s/%(processName)s] %(message)s"
"""Celery's own worker format, so plain worker logs read as they always did."""
JSON_FIELDS = ["levelname", "name", "processName", "message"]
QUIET_LOGGERS = ("pgserver", "yoyo", "httpx", "httpcore")
"""Libraries whose INFO lines are noise in our logs."""
OUTAGE_NOISY_LOGGERS = ("psycopg.pool",)
"""Libraries that warn on every failed connection attempt while a server is down (two lines per
attempt, several attempts a second across processes): only their errors are kept. Every caller
reports the outage itself: the APIs' 503s, the file tasks' retries, the periodic tasks' one line
per outage (babelwire/outages.py)."""

_context: ContextVar[dict[str, Any]] = ContextVar("babelwire_log_context", default={})


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Every line logged inside the block carries these fields (None values are left out)."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**fields: Any) -> None:
    """Adds fields to the current context, for ids learnt part-way (a file's job once it is loaded).
    Inside `log_context` they end with the block; `clear_context` ends them otherwise."""
    _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})


def clear_context() -> None:
    _context.set({})


ID_IN_PATH = re.compile(r"/v1/(?:(jobs)/([0-9a-f-]{36})|(articles)/(\d+))(?:[/?]|$)")


class ContextFilter(logging.Filter):
    """Copies the context's ids onto each record, unless the call gave its own with `extra=`; an
    access line for one job or one article gets that id from its path."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) >= 3:
            if match := ID_IN_PATH.search(str(record.args[2])):
                if match[1]:
                    record.job_id = match[2]
                else:
                    record.article_id = int(match[4])
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the moment (as logging's last-resort handler does), so a
    test runner that swaps stderr never leaves the handler holding a closed stream."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):  # noqa: ANN201 (a text stream)
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def make_formatter(log_format: Literal["json", "plain"]) -> logging.Formatter:
    if log_format == "plain":
        return logging.Formatter(PLAIN_FORMAT)
    # Non-ASCII text (article names, errors quoting Bengali) stays readable; the time is ISO 8601
    # in UTC with microseconds, so lines from several processes sort.
    return JsonFormatter(
        JSON_FIELDS,
        rename_fields={"levelname": "level", "name": "logger", "processName": "process"},
        timestamp="time",
        json_ensure_ascii=False,
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],  # uvicorn's copy of the message with ANSI colours
    )


def setup_logging(
    log_format: Literal["json", "plain"] | None = None,
    level: str | int | None = None,
    filters: Sequence[logging.Filter] = (),
) -> None:
    """Sends every logger's lines (ours, uvicorn's, Celery's) through one stderr handler on the root
    logger. Safe to call again: the handler is replaced, never doubled, and handlers that others put
    on the root logger (a test runner's) are left alone."""
    from babelwire.settings import get_settings

    settings = get_settings()
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "babelwire", False)]:
        root.removeHandler(old)
    handler = _StderrHandler()
    handler.babelwire = True  # type: ignore[attr-defined]
    handler.setFormatter(make_formatter(log_format or settings.log_format))
    for added in (ContextFilter(), *filters):
        handler.addFilter(added)
    root.addHandler(handler)
    root.setLevel(level or settings.log_level.upper())
    # uvicorn configures its own handlers before it imports the app: hand its lines to ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in OUTAGE_NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)

"""JSON articles: one object per file (NDJSON files are split at ingest, see formats.split_records)."""

import json

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from workers.pipeline.article import SourceDocument
from workers.pipeline.decoding import RejectedFile
from workers.pipeline.fields import (
    is_http_url,
    language_code,
    parse_iso_datetime,
    single_line,
)
from workers.pipeline.hygiene import is_blank, tidy

JSON_TYPE_NAMES = {
    "str": "a string", "int": "a number", "float": "a number", "bool": "true or false",
    "dict": "an object", "list": "an array", "NoneType": "null",
}  # fmt: skip
NESTED_TOO_DEEPLY = "arrays or objects nested too deeply to read"


class JsonArticle(BaseModel):
    """One article sent as JSON. Unknown fields are ignored; known ones must have their type."""

    model_config = ConfigDict(strict=True, extra="ignore")

    text: str
    url: str | None = None
    title: str | None = None
    lead: str | None = None
    language: str | None = None
    published_at: str | None = None

    @field_validator("url", "title", "lead", "language", "published_at", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: object) -> object:
        return None if isinstance(value, str) and is_blank(value) else value

    @field_validator("text")
    @classmethod
    def _text_is_not_empty(cls, value: str) -> str:
        if is_blank(value):
            raise ValueError("is empty")
        return value

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, value: str | None) -> str | None:
        if value is not None and not is_http_url(value.strip()):
            raise ValueError(f"is not an http(s) URL: {_quote(value)}")
        return value

    @field_validator("language")
    @classmethod
    def _language_is_a_tag(cls, value: str | None) -> str | None:
        if value is not None and language_code(value) is None:
            raise ValueError(f"is not a language code such as \"bn\" or \"vi-VN\": {_quote(value)}")
        return value

    @field_validator("published_at")
    @classmethod
    def _published_at_is_iso(cls, value: str | None) -> str | None:
        if value is not None and parse_iso_datetime(value) is None:
            raise ValueError(
                'is not an ISO 8601 date-time such as "2025-10-26T18:30:00+07:00": '
                f"{_quote(value)}"
            )
        return value


def read_json(raw: str) -> SourceDocument:
    """A JSON article: one object {"text", "url"?, "title"?, "lead"?, "language"?,
    "published_at"?}. `text` keeps its paragraphs; title and lead become single lines."""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data" and _several_json_lines(raw):
            raise RejectedFile(
                "NDJSON (one JSON object per line) must be sent as a .ndjson or .jsonl file: "
                "NDJSON files are split into one article per line at ingest"
            ) from None
        raise RejectedFile(
            f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        # The parser recurses once per nesting level: a deep enough "[[[[…" must be a refusal,
        # not an exception that takes the task through its retries.
        raise RejectedFile(f"not valid JSON: {NESTED_TOO_DEEPLY}") from None
    if isinstance(value, list):
        raise RejectedFile(
            "a JSON array: send one article object per file; NDJSON (one object per line, "
            ".ndjson or .jsonl) is split into one article per line at ingest"
        )
    if not isinstance(value, dict):
        raise RejectedFile(f"JSON must be an object with a \"text\" field, not {_json_type(value)}")
    try:
        article = JsonArticle.model_validate(value)
    except ValidationError as error:
        raise RejectedFile(_validation_message(error)) from None
    published = parse_iso_datetime(article.published_at) if article.published_at else None
    return SourceDocument(
        text=tidy(article.text),
        format="json",
        url=article.url.strip() if article.url else None,
        title=single_line(article.title),
        lead=single_line(article.lead),
        language=language_code(article.language) if article.language else None,
        published_at=published,
    )


def _validation_message(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "the object"
    kind = first["type"]
    if kind == "missing":
        return f"JSON: field \"{field}\" is missing"
    if kind.endswith("_type"):
        return f"JSON: field \"{field}\" must be a string, not {_json_type(first['input'])}"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"JSON: field \"{field}\" {message}"


def _several_json_lines(raw: str) -> bool:
    lines = [line.strip() for line in raw.split("\n") if line.strip()]
    return len(lines) > 1 and all(line.startswith("{") for line in lines)


def parses_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _json_type(value: object) -> str:
    return JSON_TYPE_NAMES.get(type(value).__name__, type(value).__name__)


def _quote(value: str, limit: int = 60) -> str:
    return json.dumps(value if len(value) <= limit else value[:limit] + "…", ensure_ascii=False)

"""Article metadata fields as senders write them, parsed the same way for JSON and HTML."""

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from workers.pipeline.hygiene import tidy

LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")


def parse_iso_datetime(value: str) -> datetime | None:
    """An ISO 8601 date or date-time; a value without a UTC offset is taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def language_code(tag: str) -> str | None:
    """The primary language subtag of a BCP 47 / locale tag, lower case: "vi-VN", "bn_BD",
    "EN" -> "vi", "bn", "en"; None when `tag` is not one."""
    found = LANGUAGE_TAG.match(tag.strip())
    return found.group(1).lower() if found else None


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def single_line(value: str | None) -> str | None:
    if value is None:
        return None
    # Lines joined; spaces as tidy leaves them (a U+3000 in a Japanese headline stays).
    return " ".join(line for line in tidy(value).split("\n") if line) or None

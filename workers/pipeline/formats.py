"""File formats: plain text, HTML article pages and JSON articles all become one SourceDocument
whose `text` has the shape of the plain-text seeds, so that one cleaner serves every format:

  - one paragraph (or heading, or list item) per line, blocks separated by one blank line;
  - headings as plain lines, without markup;
  - each image as a line holding only its file name ("z7157588517514_1471cc05.jpg"), directly
    followed by a line with its caption when it has one, else by the blank line.

NDJSON / JSON Lines files hold many articles: the ingest API splits them with `split_records`
before anything is stored, so that each line succeeds or fails on its own.
"""

import json
import posixpath
import re

from workers.pipeline.article import DocumentFormat, SourceDocument
from workers.pipeline.decoding import (
    BYTE_ORDER_MARKS,
    UTF8_BOM,
    RejectedFile,
    decode_raw,
)
from workers.pipeline.html_pages import image_file_name, read_html
from workers.pipeline.hygiene import tidy
from workers.pipeline.json_records import parses_as_json, read_json

__all__ = ["image_file_name", "read_document", "split_records", "sniff_format"]

NDJSON_EXTENSIONS = frozenset({".ndjson", ".jsonl"})
JSON_EXTENSIONS = frozenset({".json"}) | NDJSON_EXTENSIONS
HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml", ".shtml"})
RECORD_SUFFIX = re.compile(r"#\d+$")  # "feed.ndjson#3": line 3 of feed.ndjson, see split_records

# Enough of the start of a file to find a doctype, an <html> tag or a meta charset.
SNIFF_CHARS = 4096
HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
HTML_FRAGMENT_START = re.compile(
    r"<(?:p|div|article|section|main|h[1-6]|br|meta|title|figure|img|span|a)\b", re.IGNORECASE
)
META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)


def read_document(content: bytes, name: str) -> SourceDocument:
    """One file as a SourceDocument. The format is sniffed from the content; the name's
    extension only settles what the content leaves open. Raises RejectedFile."""
    raw = decode_raw(content, declared_encoding=declared_charset(content))
    document_format = sniff_format(raw, name)
    if document_format == "html":
        return read_html(raw)
    if document_format == "json":
        return read_json(raw)
    return SourceDocument(text=tidy(raw), format="text")


def sniff_format(text: str, name: str) -> DocumentFormat:
    extension = file_extension(name)
    head = text[:SNIFF_CHARS].lstrip("\ufeff \t\r\n")
    if extension in JSON_EXTENSIONS or RECORD_SUFFIX.search(name):
        return "json"  # the sender says JSON (or it is a line of an NDJSON file): hold them to it
    if head.startswith("{"):
        return "json"  # no article opens with a brace; a broken JSON file often does
    if head.startswith("["):
        # Headlines do open with a bracket: "[Ảnh] Thủ tướng ...", "[Video] ...".
        return "json" if parses_as_json(text) else "text"
    if head.startswith("<?xml") and not HTML_START.search(head):
        raise RejectedFile(
            "unsupported format: an XML document; send the article as plain text, HTML or JSON"
        )
    if HTML_START.search(head) and head.startswith("<"):
        return "html"
    if head.startswith("<") and (extension in HTML_EXTENSIONS or HTML_FRAGMENT_START.match(head)):
        return "html"
    return "text"


def file_extension(name: str) -> str:
    """".ndjson" for "feed.ndjson" and for a record "feed.ndjson#3"; lower case."""
    return posixpath.splitext(RECORD_SUFFIX.sub("", name))[1].lower()


def declared_charset(content: bytes) -> str | None:
    """The charset an HTML page declares in a meta tag near its start, if any."""
    found = META_CHARSET.search(content[:SNIFF_CHARS])
    return found.group(1).decode("ascii") if found else None


# --- NDJSON ------------------------------------------------------------------------------------


def split_records(name: str, content: bytes) -> list[tuple[str, bytes]]:
    """An NDJSON / JSON Lines file as one (f"{name}#{line_number}", line bytes) per non-blank
    line, line numbers 1-based as in the file; any other file as [(name, content)].

    A file is NDJSON when its extension is .ndjson or .jsonl, or when its first non-blank line
    is a JSON object on its own and another non-blank line starts with "{" (a pretty-printed
    JSON object does not: its first line is a lone "{"). Only that first line is parsed: a
    malformed later line becomes its own file, rejected with its own error."""
    named_ndjson = file_extension(name) in NDJSON_EXTENSIONS
    utf8 = _as_utf8_if_wide(content).removeprefix(UTF8_BOM)
    if not named_ndjson and not utf8.lstrip().startswith(b"{"):
        return [(name, content)]  # the common case, decided without splitting anything
    lines = [line.rstrip(b"\r") for line in utf8.split(b"\n")]
    records = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not records or not (named_ndjson or _looks_like_ndjson(records)):
        return [(name, content)]
    return [(f"{name}#{number}", line) for number, line in records]


def _looks_like_ndjson(records: list[tuple[int, bytes]]) -> bool:
    first = records[0][1].strip()
    if not any(line.lstrip().startswith(b"{") for _, line in records[1:]):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return False


def _as_utf8_if_wide(content: bytes) -> bytes:
    """UTF-16/32 content (with a BOM) re-encoded as UTF-8, so that lines split on b"\\n"."""
    for mark, codec, _label in BYTE_ORDER_MARKS:
        if content.startswith(mark) and codec != "utf-8":
            try:
                return content[len(mark) :].decode(codec).encode("utf-8")
            except UnicodeDecodeError:
                return content  # left whole: decoding it later says what is wrong
    return content

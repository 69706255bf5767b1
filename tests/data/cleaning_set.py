"""The labelled cleaning set (tests/data/cleaning) and how a pipeline result is held against it.

Shared by tests/unit/test_cleaning_set.py (which asserts) and bench/cleaning_eval.py (which
counts), so both judge a file the same way.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any

SET_DIR = Path(__file__).resolve().parent / "cleaning"
# A caption may be kept with or without its trailing photo credit, "(Photo: VNA)", "（写真：共同）".
TRAILING_CREDIT = re.compile(r"\s*[(（][^()（）]{1,60}[)）]\s*$")
# Boilerplate this long is also looked for inside kept text, not only as a whole paragraph.
SUBSTRING_MIN = 12


@lru_cache(maxsize=1)
def load_expected() -> dict[str, dict]:
    return json.loads((SET_DIR / "expected.json").read_text(encoding="utf-8"))


def file_bytes(name: str) -> bytes:
    return (SET_DIR / name).read_bytes()


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


# ------------------------------------------------------------------------------- the pipeline


@dataclass(frozen=True)
class Outcome:
    """What the pipeline made of one file, in the fields the set checks."""

    title: str | None
    lead: str | None
    paragraphs: tuple[tuple[str, str], ...]  # (kind, text)
    captions: tuple[str, ...]
    images: tuple[str, ...]
    source_url: str | None
    language: str | None
    script: str | None
    languages_mixed: bool | None
    published_at: datetime | None
    removed: tuple[str, ...]


def run_pipeline(content: bytes, name: str) -> Outcome:
    """The worker's pure pipeline on one file. Raises RejectedFile for a refused file."""
    from workers.pipeline.process import process_file

    return outcome_of(process_file(content, name))


def outcome_of(record: Any) -> Outcome:
    """The checked fields of an ArticleDraft, or of a read-API record turned into a namespace."""
    return Outcome(
        title=record.title,
        lead=record.lead,
        paragraphs=tuple((p.kind, p.text) for p in record.paragraphs),
        captions=tuple(record.captions),
        images=tuple(record.images),
        source_url=record.source_url,
        language=record.language,
        script=record.script,
        languages_mixed=record.languages_mixed,
        published_at=record.published_at,
        removed=tuple(getattr(record, "removed", ())),
    )


def split(name: str, content: bytes) -> list[tuple[str, bytes]]:
    from workers.pipeline.formats import split_records

    return [(record_name, record) for record_name, record in split_records(name, content)]


# ------------------------------------------------------------------------------- judging


@dataclass
class Verdict:
    """Field -> (ok, expected, actual) for one file (or one NDJSON record), plus line counts."""

    fields: dict[str, tuple[bool, Any, Any]] = field(default_factory=dict)
    body_exact: int = 0
    body_damaged: list[str] = field(default_factory=list)
    body_lost: list[str] = field(default_factory=list)
    extra_paragraphs: list[str] = field(default_factory=list)
    boilerplate_removed: int = 0
    boilerplate_left: list[str] = field(default_factory=list)
    boilerplate_reported: int = 0

    def failures(self) -> dict[str, tuple[Any, Any]]:
        return {name: (exp, act) for name, (ok, exp, act) in self.fields.items() if not ok}


def caption_matches(expected: str, actual: str) -> bool:
    actual = norm(actual)
    return actual == expected or actual == TRAILING_CREDIT.sub("", expected)


def _body_line_state(line: str, texts: list[str]) -> str:
    if line in texts:
        return "exact"
    for text in texts:
        if norm(text) == line or (line in text) or (len(text) >= 0.3 * len(line) and text in line):
            return "damaged"  # whitespace changed, merged with another line, or split
        matcher = SequenceMatcher(None, line, text, autojunk=False)
        if matcher.real_quick_ratio() >= 0.8 and matcher.quick_ratio() >= 0.8 and matcher.ratio() >= 0.8:
            return "damaged"
    return "lost"


def _left_in(junk: str, kept: list[str]) -> bool:
    return any(norm(text) == junk or (len(junk) >= SUBSTRING_MIN and junk in norm(text)) for text in kept)


def _instant(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def judge(exp: dict, out: Outcome) -> Verdict:
    verdict = Verdict()
    texts = [text for _, text in out.paragraphs]

    def record(name: str, ok: bool, expected: Any, actual: Any) -> None:
        verdict.fields[name] = (ok, expected, actual)

    if "language" in exp:
        record("language", out.language == exp["language"], exp["language"], out.language)
    if "script" in exp:
        accepted = exp["script"] if isinstance(exp["script"], list) else [exp["script"]]
        record("script", out.script in accepted, exp["script"], out.script)
    if "languages_mixed" in exp:
        record("languages_mixed", out.languages_mixed is exp["languages_mixed"], exp["languages_mixed"], out.languages_mixed)
    for name in ("title", "lead", "source_url"):
        if name in exp:
            actual = getattr(out, name)
            record(name, actual == exp[name], exp[name], actual)
    if "images" in exp:
        record("images", list(out.images) == exp["images"], exp["images"], list(out.images))
    if "captions" in exp:
        ok = len(out.captions) == len(exp["captions"]) and all(
            caption_matches(e, a) for e, a in zip(exp["captions"], out.captions)
        )
        record("captions", ok, exp["captions"], list(out.captions))
    if "published_at" in exp:
        want, got = _instant(exp["published_at"]), out.published_at
        ok = got is not None and got.tzinfo is not None and got == want
        record("published_at", ok, exp["published_at"], got.isoformat() if got else None)
    if "body" in exp:
        record("body", texts == exp["body"], exp["body"], texts)
        for line in exp["body"]:
            state = _body_line_state(line, texts)
            if state == "exact":
                verdict.body_exact += 1
            elif state == "damaged":
                verdict.body_damaged.append(line)
            else:
                verdict.body_lost.append(line)
        verdict.extra_paragraphs = [t for t in texts if t not in exp["body"]]
        headings = set(exp.get("headings", []))
        want_kinds = [(("heading" if text in headings else "body"), text) for text in texts if text in exp["body"]]
        got_kinds = [(kind, text) for kind, text in out.paragraphs if text in exp["body"]]
        record("paragraph kinds", got_kinds == want_kinds,
               sorted(headings), [text for kind, text in out.paragraphs if kind == "heading"])
    if "boilerplate" in exp:
        kept = texts + list(out.captions) + [out.title or "", out.lead or ""]
        left = [junk for junk in exp["boilerplate"] if _left_in(junk, kept)]
        removed_norm = {norm(line) for line in out.removed}
        verdict.boilerplate_left = left
        verdict.boilerplate_removed = len(exp["boilerplate"]) - len(left)
        verdict.boilerplate_reported = sum(
            1 for junk in exp["boilerplate"] if junk in removed_norm or any(junk in r for r in removed_norm)
        )
        record("boilerplate left", not left, [], left)
    if exp.get("nothing_removed"):
        record("nothing removed", not out.removed, [], list(out.removed))
    return verdict


def rejection_matches(exp: dict, message: str) -> bool:
    return any(alternative.lower() in message.lower() for alternative in exp["error"])


def describe(failures: dict[str, tuple[Any, Any]], width: int = 160) -> str:
    """Readable lines for a failure report: field, expected, actual (shortened)."""

    def short(value: Any) -> str:
        text = repr(value)
        return text if len(text) <= width else text[: width - 3] + "..."

    lines = []
    for name, (exp, act) in failures.items():
        if isinstance(exp, list) and isinstance(act, list) and len(exp) > 3:
            missing = [item for item in exp if item not in act]
            unexpected = [item for item in act if item not in exp]
            order = "" if missing or unexpected else " (same items, other order)"
            lines.append(f"  {name}{order}: missing {short(missing)}\n  {' ' * len(name)}  unexpected {short(unexpected)}")
        else:
            lines.append(f"  {name}: expected {short(exp)}\n  {' ' * len(name)}  actual   {short(act)}")
    return "\n".join(lines)

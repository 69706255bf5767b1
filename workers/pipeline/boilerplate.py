"""The boilerplate vocabulary, one TOML file per language under `boilerplate/`.

Supporting a new language is a data change: add `<code>.toml` with the labels its sites use."""

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

VOCABULARY_DIR = Path(__file__).with_name("boilerplate")


@dataclass(frozen=True)
class Vocabulary:
    source_labels: frozenset[str]
    comment_counters: frozenset[str]


@lru_cache
def vocabulary() -> Vocabulary:
    """The union over all languages: a file's language is not known before it is cleaned."""
    sources: set[str] = set()
    counters: set[str] = set()
    for path in sorted(VOCABULARY_DIR.glob("*.toml")):
        entry = tomllib.loads(path.read_text(encoding="utf-8"))
        sources.update(entry.get("source_labels", []))
        counters.update(entry.get("comment_counters", []))
    return Vocabulary(frozenset(sources), frozenset(counters))


def _alternation(words: frozenset[str]) -> str:
    # Longest first, so that "Comments" wins over "Comment".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache
def source_line_pattern() -> re.Pattern[str]:
    """`সূত্র: https://…` — a source label, a colon and one URL, alone on a line."""
    labels = _alternation(vocabulary().source_labels)
    return re.compile(rf"^(?:{labels})\s*[:：]\s*(?P<url>https?://\S+)$", re.IGNORECASE)


@lru_cache
def comment_counter_pattern() -> re.Pattern[str]:
    """`মন্তব্য (0)` — a comment label and a count in any script's digits, alone on a line."""
    labels = _alternation(vocabulary().comment_counters)
    return re.compile(rf"^(?:{labels})\s*\(\s*\d+\s*\)$", re.IGNORECASE)

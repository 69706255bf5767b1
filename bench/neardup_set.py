"""A labelled set of article pairs for near-duplicate detection, built deterministically from real
text: the five seeds, the original articles under tests/data/articles and the few written for this
benchmark under bench/data/articles.

Every text is a cleaned body as the service compares it (paragraphs joined by blank lines, without
image-name lines, captions, source lines or comment counters). Positives are one article and a
realistic edit of it; negatives are two different articles, many of them hard (shared footer,
caption or quote, the same story in another language, the same event written separately).

    .venv/bin/python bench/neardup_set.py --out /tmp/neardup_pairs.jsonl   # counts, and the set as JSON lines
"""

import argparse
import json
import random
import re
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS_DIR = REPO.parent / "shared" / "data" / "seeds"
TEST_ARTICLES_DIR = REPO / "tests" / "data" / "articles"
BENCH_DATA_DIR = REPO / "bench" / "data"
RANDOM_SEED = 20251123

IMAGE_LINE = re.compile(r"^[^\s/\\]+\.(?:jpe?g|png|gif|webp)$", re.IGNORECASE)
SOURCE_LINE = re.compile(r"^\S{1,20}\s*:\s*https?://\S+$")
COMMENT_COUNTER = re.compile(r"^\S{1,20}\s*\(\s*\d+\s*\)$")

# Pairs of different source articles that tell the same story in two languages, or report the same
# event separately (different writers, different words, the same names and figures).
TRANSLATIONS = [("seed_000", "seed_001"), ("seed_002", "seed_004"), ("en_event_a", "fr_event_a")]
SAME_EVENT = [
    ("seed_000", "seed_003"),  # the same ministry's meetings, written separately
    ("en_event_a", "en_event_b"),
    ("vi_event_a", "vi_event_b"),
    ("zh_event_a", "zh_event_b"),
    ("fr_event_a", "en_event_b"),
]

NATIVE_DIGITS = {"bn": "০১২৩৪৫৬৭৮৯", "hi": "०१२३४५६७८९", "ar": "٠١٢٣٤٥٦٧٨٩", "th": "๐๑๒๓๔๕๖๗๘๙"}
FULLWIDTH_DIGITS = "０１２３４５６７８９"
UNSPACED_LANGUAGES = {"zh", "ja", "th"}


@dataclass(frozen=True)
class Source:
    key: str
    language: str
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...] = ()

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class LabelledPair:
    pair_id: int
    kind: str  # "pos:<edit>" or "neg:<relation>"
    duplicate: bool
    left: str  # the article stored first
    right: str  # the article that arrives later
    left_source: str
    right_source: str
    language: str


@dataclass(frozen=True)
class Boilerplate:
    footers: dict[str, list[str]]
    captions: dict[str, list[str]]
    quotes: dict[str, str]


def _seed_language(text: str) -> str:
    bengali = sum(1 for char in text if "\u0980" <= char <= "\u09ff")
    devanagari = sum(1 for char in text if "\u0900" <= char <= "\u097f")
    return "bn" if bengali > devanagari else "hi"


def load_seed(path: Path) -> Source:
    """Approximates the cleaner: a line after an image-name line is its caption; source lines and
    comment counters are dropped; every other non-empty line is a paragraph."""
    text = path.read_text(encoding="utf-8")
    paragraphs: list[str] = []
    captions: list[str] = []
    after_image = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if IMAGE_LINE.match(line):
            after_image = True
            continue
        if after_image:
            captions.append(line)
            after_image = False
            continue
        if SOURCE_LINE.match(line) or COMMENT_COUNTER.match(line):
            continue
        paragraphs.append(line)
    return Source(key=f"seed_{path.name[:3]}", language=_seed_language(text), paragraphs=tuple(paragraphs),
                  captions=tuple(captions))


def load_plain(path: Path, language: str) -> Source:
    paragraphs = tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return Source(key=path.stem, language=language, paragraphs=paragraphs)


def load_sources() -> list[Source]:
    sources = [load_seed(path) for path in sorted(SEEDS_DIR.glob("*.txt"))]
    for directory in (TEST_ARTICLES_DIR, BENCH_DATA_DIR / "articles"):
        for path in sorted(directory.glob("*.txt")):
            sources.append(load_plain(path, path.stem.split("_")[0]))
    return sources


def load_boilerplate() -> Boilerplate:
    data = tomllib.loads((BENCH_DATA_DIR / "boilerplate.toml").read_text(encoding="utf-8"))
    return Boilerplate(footers=data["footers"], captions=data["captions"], quotes=data["quotes"])


# --- edits that keep an article a near duplicate -------------------------------------------------


def join(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def add_footer(paragraphs: list[str], footer: str) -> list[str]:
    return paragraphs + footer.split("\n\n")


def insert_at(rng: random.Random, paragraphs: list[str], extra: str) -> list[str]:
    position = rng.randint(1, max(1, len(paragraphs) - 1))
    return paragraphs[:position] + [extra] + paragraphs[position:]


def typos(rng: random.Random, text: str, count: int) -> str:
    """Swaps, drops, doubles or replaces a letter at `count` random places."""
    chars = list(text)
    for _ in range(count):
        letters = [index for index, char in enumerate(chars) if char.isalpha()]
        if len(letters) < 2:
            break
        index = rng.choice(letters[:-1])
        operation = rng.choice(["swap", "drop", "double", "replace"])
        if operation == "swap":
            chars[index], chars[index + 1] = chars[index + 1], chars[index]
        elif operation == "drop":
            del chars[index]
        elif operation == "double":
            chars.insert(index, chars[index])
        else:
            chars[index] = chars[rng.choice(letters)]
    return "".join(chars)


def reflow(rng: random.Random, paragraphs: list[str]) -> str:
    """The same words laid out differently: single line breaks, doubled or non-breaking spaces,
    trailing blanks and a line broken in the middle."""
    lines: list[str] = []
    for paragraph in paragraphs:
        words = paragraph.split(" ")
        if len(words) > 8 and rng.random() < 0.5:
            cut = rng.randint(2, len(words) - 2)
            paragraph = " ".join(words[:cut]) + "\n" + " ".join(words[cut:])
        paragraph = "".join(
            rng.choice(["  ", "\u00a0", " \t"]) if char == " " and rng.random() < 0.15 else char
            for char in paragraph
        )
        lines.append(paragraph + rng.choice(["", " ", "\t"]))
    return rng.choice(["\n", "\n\n", "\n \n", "\r\n\r\n"]).join(lines)


def convert_digits(text: str, language: str) -> str:
    """ASCII digits to the language's own digits (or full-width ones), and native digits to ASCII:
    the Bengali seeds write ১১০ where a re-publisher writes 110."""
    native = NATIVE_DIGITS.get(language, FULLWIDTH_DIGITS)
    if any(char in native for char in text):
        return text.translate({ord(char): str(value) for value, char in enumerate(native)})
    return text.translate({ord(str(value)): char for value, char in enumerate(native)})


def truncate(rng: random.Random, text: str, language: str) -> str:
    """Cuts to 70-90% of the characters, at a word boundary in spaced scripts."""
    cut = int(len(text) * rng.uniform(0.70, 0.90))
    if language not in UNSPACED_LANGUAGES:
        space = text.rfind(" ", 0, cut)
        if space > cut - 40:
            cut = space
    return text[:cut].rstrip()


Edit = Callable[[random.Random, Source, list[Source], Boilerplate], tuple[str, str]]


def edit_footer_change(rng: random.Random, source: Source, _: list[Source], boiler: Boilerplate) -> tuple[str, str]:
    first, second = boiler.footers[source.language][:2]
    return join(add_footer(list(source.paragraphs), first)), join(add_footer(list(source.paragraphs), second))


def edit_caption_change(rng: random.Random, source: Source, _: list[Source], boiler: Boilerplate) -> tuple[str, str]:
    own = list(source.captions) + boiler.captions[source.language]
    first, second = rng.sample(own, 2)
    position = rng.randint(1, max(1, len(source.paragraphs) - 1))
    paragraphs = list(source.paragraphs)
    return (join(paragraphs[:position] + [first] + paragraphs[position:]),
            join(paragraphs[:position] + [second] + paragraphs[position:]))


def edit_paragraph_dropped(rng: random.Random, source: Source, _: list[Source], __: Boilerplate) -> tuple[str, str]:
    paragraphs = list(source.paragraphs)
    del paragraphs[rng.randrange(len(paragraphs))]
    return source.body, join(paragraphs)


def edit_paragraph_added(rng: random.Random, source: Source, others: list[Source], _: Boilerplate) -> tuple[str, str]:
    # An update paragraph in the same language: borrowed from another article of that language.
    donors = [other for other in others if other.language == source.language and other.key != source.key]
    donor = rng.choice(donors) if donors else source
    extra = max(donor.paragraphs, key=len) if donor is not source else source.paragraphs[0]
    return source.body, join(insert_at(rng, list(source.paragraphs), extra))


def edit_typos(rng: random.Random, source: Source, _: list[Source], __: Boilerplate) -> tuple[str, str]:
    return source.body, typos(rng, source.body, rng.randint(3, 8))


def edit_whitespace(rng: random.Random, source: Source, _: list[Source], __: Boilerplate) -> tuple[str, str]:
    return source.body, reflow(rng, list(source.paragraphs))


def edit_digits(rng: random.Random, source: Source, _: list[Source], __: Boilerplate) -> tuple[str, str]:
    return source.body, convert_digits(source.body, source.language)


def edit_truncation(rng: random.Random, source: Source, _: list[Source], __: Boilerplate) -> tuple[str, str]:
    return source.body, truncate(rng, source.body, source.language)


def edit_combination(rng: random.Random, source: Source, others: list[Source], boiler: Boilerplate) -> tuple[str, str]:
    """Two or three edits on one copy: e.g. a new footer, a few typos and a cut at 80%."""
    paragraphs = list(source.paragraphs)
    steps = rng.sample(["footer", "caption", "drop", "add", "typos", "digits", "whitespace", "truncate"], rng.randint(2, 3))
    left = source.body
    if "footer" in steps:
        left = join(add_footer(list(source.paragraphs), boiler.footers[source.language][0]))
        paragraphs = add_footer(paragraphs, boiler.footers[source.language][1])
    if "caption" in steps:
        paragraphs = insert_at(rng, paragraphs, rng.choice(boiler.captions[source.language]))
    if "drop" in steps and len(paragraphs) > 2:
        del paragraphs[rng.randrange(len(paragraphs))]
    if "add" in steps:
        paragraphs = insert_at(rng, paragraphs, edit_paragraph_added(rng, source, others, boiler)[1].split("\n\n")[0])
    text = reflow(rng, paragraphs) if "whitespace" in steps else join(paragraphs)
    if "typos" in steps:
        text = typos(rng, text, rng.randint(2, 5))
    if "digits" in steps:
        text = convert_digits(text, source.language)
    if "truncate" in steps:
        text = truncate(rng, text, source.language)
    return left, text


POSITIVE_EDITS: dict[str, Edit] = {
    "footer_change": edit_footer_change,
    "caption_change": edit_caption_change,
    "paragraph_dropped": edit_paragraph_dropped,
    "paragraph_added": edit_paragraph_added,
    "typos": edit_typos,
    "whitespace": edit_whitespace,
    "digits": edit_digits,
    "truncation": edit_truncation,
    "combination": edit_combination,
}
COMBINATIONS_PER_SOURCE = 3


# --- pairs that must stay apart ------------------------------------------------------------------


def _same_language_partner(rng: random.Random, source: Source, sources: list[Source]) -> Source:
    same = [other for other in sources if other.language == source.language and other.key != source.key]
    return rng.choice(same or [other for other in sources if other.key != source.key])


def build_pairs(seed: int = RANDOM_SEED) -> list[LabelledPair]:
    rng = random.Random(seed)
    sources = load_sources()
    by_key = {source.key: source for source in sources}
    boiler = load_boilerplate()
    pairs: list[LabelledPair] = []

    def add(kind: str, duplicate: bool, left: str, right: str, left_source: Source, right_source: Source) -> None:
        pairs.append(LabelledPair(len(pairs), kind, duplicate, left, right, left_source.key, right_source.key,
                                  left_source.language if left_source.language == right_source.language
                                  else f"{left_source.language}/{right_source.language}"))

    for source in sources:
        for name, edit in POSITIVE_EDITS.items():
            for _ in range(COMBINATIONS_PER_SOURCE if name == "combination" else 1):
                left, right = edit(rng, source, sources, boiler)
                add(f"pos:{name}", True, left, right, source, source)

    for source in sources:
        # Two different stories from one site: the same long footer under each.
        other = _same_language_partner(rng, source, sources)
        footer = boiler.footers[source.language][0]
        add("neg:shared_footer", False, join(add_footer(list(source.paragraphs), footer)),
            join(add_footer(list(other.paragraphs), footer)), source, other)
        # The same photo caption and the same paragraph-long agency quote in two different stories.
        caption = rng.choice(boiler.captions[source.language])
        quote = boiler.quotes[source.language]
        left = insert_at(rng, insert_at(rng, list(source.paragraphs), quote), caption)
        right = insert_at(rng, insert_at(rng, list(other.paragraphs), quote), caption)
        add("neg:shared_caption_quote", False, join(left), join(right), source, other)
        # Different stories, one of them edited: an edit must not push unrelated texts together.
        stranger = rng.choice([candidate for candidate in sources if candidate.key != source.key])
        _, edited = rng.choice(list(POSITIVE_EDITS.values()))(rng, stranger, sources, boiler)
        add("neg:different", False, source.body, edited, source, stranger)

    # Every two different stories in one language, as they are and both under the same footer.
    for index, first in enumerate(sources):
        for second in sources[index + 1 :]:
            if first.language != second.language:
                continue
            add("neg:same_language", False, first.body, second.body, first, second)
            footer = boiler.footers[first.language][1]
            add("neg:shared_footer", False, join(add_footer(list(second.paragraphs), footer)),
                join(add_footer(list(first.paragraphs), footer)), second, first)

    for first_key, second_key in TRANSLATIONS + SAME_EVENT:
        first, second = by_key[first_key], by_key[second_key]
        kind = "neg:translation" if (first_key, second_key) in TRANSLATIONS else "neg:same_event"
        for left, right in ((first, second), (second, first)):
            add(kind, False, left.body, right.body, left, right)
        # Published by one site: the same footer (in the left article's language) under both.
        footer = boiler.footers[first.language][0]
        add(kind, False, join(add_footer(list(first.paragraphs), footer)),
            join(add_footer(list(second.paragraphs), footer)), first, second)
        # Both trimmed, as syndicated copies often are.
        add(kind, False, truncate(rng, first.body, first.language), truncate(rng, second.body, second.language),
            first, second)
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the pairs as JSON lines here")
    args = parser.parse_args()
    pairs = build_pairs()
    kinds: dict[str, int] = {}
    for pair in pairs:
        kinds[pair.kind] = kinds.get(pair.kind, 0) + 1
    print(f"{len(pairs)} pairs: {sum(pair.duplicate for pair in pairs)} duplicates")
    for kind, count in sorted(kinds.items()):
        print(f"  {kind:28} {count}")
    if args.out:
        with args.out.open("w", encoding="utf-8") as out:
            for pair in pairs:
                out.write(json.dumps(asdict(pair), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

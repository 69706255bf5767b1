"""Articles of realistic size for bench/end_to_end.py: 8-15 KB of UTF-8 text in real scripts, built
from the seeds under ../shared/data/seeds (Bengali, Hindi news), the articles under
tests/data/articles and bench/data/articles, and the translations under bench/data/translations.

    distinct (80%): sentences drawn from one language's text, numbers changed (a digit permutation
        of the article's own), a quarter of the words (of spaced scripts; an eighth of the
        characters of Chinese, Japanese, Thai) swapped for other words of the same language, so
        that no two articles are near duplicates while the words, scripts and lengths stay real;
        half of them carry the seeds' furniture (image-name line and caption, source line, comment
        counter) for the cleaner to strip;
    near duplicates (10%): an earlier article of the same set with typos and, half the time, a
        paragraph dropped or a footer line added: the service must find it as a duplicate;
    translation pairs (10%): two language versions of one parallel source (seeds 000/001 and
        002/004, en_1 and zh_1 with their translations, en_event_a/fr_event_a), lightly varied,
        with the same number changes and the same source URL, each padded to size in its language.

Deterministic for a given seed; every seed gives texts of their own (runs against one store must
not upload copies of what an earlier run stored)."""

import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.neardup_set import (  # noqa: E402
    BENCH_DATA_DIR,
    NATIVE_DIGITS,
    TEST_ARTICLES_DIR,
    UNSPACED_LANGUAGES,
    Source,
    load_plain,
    load_sources,
    typos,
)

MIN_BYTES, MAX_BYTES = 8_000, 15_000
NEAR_DUPLICATE_SHARE = 0.10
TRANSLATION_SHARE = 0.10  # of articles, in pairs
WORD_SWAP = 0.35  # distinct articles: share of words replaced
CHAR_SWAP = 0.2  # distinct articles in unspaced scripts: share of characters replaced
PAIR_SWAP = 0.2  # translation pairs: lighter, so that names and numbers partly survive
LANGUAGE_WEIGHTS = {
    "bn": 30, "hi": 20, "en": 10, "vi": 8, "zh": 6, "ru": 5, "ar": 5, "fr": 4, "es": 4, "ja": 3, "ko": 3, "th": 2,
}
SOURCE_LABEL = {"bn": "সূত্র", "hi": "स्रोत"}
COMMENTS_LABEL = {"bn": "মন্তব্য", "hi": "टिप्पणी"}
PHOTO_CREDIT = {"bn": "(ছবি: ভিএনএ)", "hi": "(फोटो: वीएनए)"}
PARALLEL = [("seed_000", "seed_001"), ("seed_002", "seed_004"), ("en_event_a", "fr_event_a")]
SENTENCE_END = re.compile(r"(?<=[.!?।॥؟])\s+|(?<=[。！？])")
DIGITS = "0123456789"


@dataclass(frozen=True)
class CorpusFile:
    name: str
    content: bytes
    kind: str  # "distinct", "near_duplicate", "translation"
    language: str


def _is_word(token: str) -> bool:
    """Letters only (with the vowel signs of Indic scripts, which are not `isalpha`), no digits."""
    return token[:1].isalpha() and not any(c.isdigit() or c in ".,;:!?()\"'«»“”" for c in token)


def _sources() -> dict[str, Source]:
    sources = {source.key: source for source in load_sources()}
    for path in sorted((BENCH_DATA_DIR / "translations").glob("*.txt")):
        original, language = path.stem.split(".")  # en_1.ar -> a translation of en_1 into ar
        sources[path.stem] = load_plain(path, language)
    return sources


def _parallel_sets(sources: dict[str, Source]) -> list[list[Source]]:
    sets = [[sources[a], sources[b]] for a, b in PARALLEL]
    for original in ("en_1", "zh_1"):
        translations = [s for key, s in sources.items() if key.startswith(original + ".")]
        head = sources.get(original) or load_plain(TEST_ARTICLES_DIR / f"{original}.txt", original.split("_")[0])
        sets.append([head, *translations])
    return sets


class Corpus:
    """Loads the text once; `files(count, seed)` then builds any number of article sets."""

    def __init__(self) -> None:
        sources = _sources()
        self.sentences: dict[str, list[str]] = {}
        self.vocabulary: dict[str, list[str]] = {}
        for source in sources.values():
            for paragraph in source.paragraphs:
                self.sentences.setdefault(source.language, []).extend(
                    s.strip() for s in SENTENCE_END.split(paragraph) if len(s.strip()) > 10
                )
        for language, sentences in self.sentences.items():
            if language in UNSPACED_LANGUAGES:
                units = {c for s in sentences for c in s if c.isalpha()}
            else:
                units = {w for s in sentences for w in s.split() if _is_word(w) and len(w) > 1}
            self.vocabulary[language] = sorted(units)
        self.languages = [lang for lang in LANGUAGE_WEIGHTS if lang in self.sentences]
        self.weights = [LANGUAGE_WEIGHTS[lang] for lang in self.languages]
        self.parallel = _parallel_sets(sources)

    # --- pieces -----------------------------------------------------------------------------

    def _vary(self, rng: random.Random, sentence: str, language: str, digits: dict[int, str], swap: float) -> str:
        """Numbers changed by the article's digit permutation; some words (characters) swapped."""
        sentence = sentence.translate(digits)
        vocabulary = self.vocabulary[language]
        if language in UNSPACED_LANGUAGES:
            return "".join(rng.choice(vocabulary) if c.isalpha() and rng.random() < swap else c for c in sentence)
        return " ".join(rng.choice(vocabulary) if _is_word(w) and rng.random() < swap else w for w in sentence.split())

    @staticmethod
    def _digit_permutation(rng: random.Random) -> dict[int, str]:
        order = list(range(10))
        rng.shuffle(order)
        table = {ord(DIGITS[i]): DIGITS[order[i]] for i in range(10)}
        for native in NATIVE_DIGITS.values():
            table.update({ord(native[i]): native[order[i]] for i in range(10)})
        return table

    def _paragraphs(self, rng: random.Random, language: str, budget: int, digits: dict[int, str], swap: float) -> list[str]:
        pool = self.sentences[language]
        paragraphs: list[str] = []
        used = 0
        while used < budget:
            paragraph = " ".join(self._vary(rng, rng.choice(pool), language, digits, swap)
                                 for _ in range(rng.randint(2, 5)))
            if language in UNSPACED_LANGUAGES:
                paragraph = paragraph.replace(" ", "")
            paragraphs.append(paragraph)
            used += len(paragraph.encode()) + 2
        return paragraphs

    def _furnish(self, rng: random.Random, language: str, paragraphs: list[str], url: str | None) -> str:
        """The seeds' furniture: an image-name line and its caption, a source line, a comment counter."""
        lines = list(paragraphs)
        if language in SOURCE_LABEL and rng.random() < 0.5:
            caption = paragraphs[rng.randrange(len(paragraphs))][:200] + " " + PHOTO_CREDIT[language]
            lines.insert(rng.randint(1, max(1, len(lines) - 1)), f"photo_{rng.getrandbits(40):010x}.jpg\n{caption}")
            lines.append(f"{SOURCE_LABEL[language]}: {url or self._url(rng, language)}")
            lines.append(f"{COMMENTS_LABEL[language]} ({rng.randint(0, 40)})")
        elif url is not None:
            lines.append(f"{SOURCE_LABEL.get(language, 'Source')}: {url}")
        return "\n\n".join(lines) + "\n"

    @staticmethod
    def _url(rng: random.Random, language: str) -> str:
        return f"https://news.example.org/{language}/story-{rng.getrandbits(48):012x}.html"

    @staticmethod
    def _fit(text: str, target: int) -> str:
        """At most MAX_BYTES of UTF-8, cut at a paragraph end when the padding overshot."""
        data = text.encode()
        if len(data) <= MAX_BYTES:
            return text
        cut = data[:target].decode("utf-8", "ignore")
        return cut[: cut.rfind("\n\n")] + "\n" if "\n\n" in cut[MIN_BYTES // 3:] else cut

    def distinct(self, rng: random.Random) -> tuple[str, str]:
        language = rng.choices(self.languages, self.weights)[0]
        target = rng.randint(MIN_BYTES + 300, MAX_BYTES - 500)
        digits = self._digit_permutation(rng)
        paragraphs = self._paragraphs(rng, language, target - 300, digits, WORD_SWAP if language not in UNSPACED_LANGUAGES else CHAR_SWAP)
        title = paragraphs[0][:120].rsplit(" ", 1)[0] if language not in UNSPACED_LANGUAGES else paragraphs[0][:40]
        text = self._furnish(rng, language, [title, *paragraphs], self._url(rng, language) if rng.random() < 0.5 else None)
        return language, self._fit(text, MAX_BYTES - 200)

    def near_duplicate(self, rng: random.Random, original: str) -> str:
        paragraphs = original.split("\n\n")
        if rng.random() < 0.5 and len(paragraphs) > 8:
            del paragraphs[rng.randrange(2, len(paragraphs) - 3)]
        elif rng.random() < 0.5:
            paragraphs.insert(len(paragraphs) - 1, f"© {rng.randint(2019, 2026)} news.example.org")
        return typos(rng, "\n\n".join(paragraphs), rng.randint(3, 8))

    def translation_pair(self, rng: random.Random) -> list[tuple[str, str]]:
        versions = rng.sample(rng.choice(self.parallel), 2)
        digits = self._digit_permutation(rng)  # the same numbers in both versions
        url = self._url(rng, "story")
        pair = []
        for source in versions:
            language = source.language
            swap = PAIR_SWAP if language not in UNSPACED_LANGUAGES else PAIR_SWAP / 2
            keep = [p for p in source.paragraphs if rng.random() < 0.7] or list(source.paragraphs)
            body = [" ".join(self._vary(rng, s, language, digits, swap) for s in SENTENCE_END.split(p) if s.strip())
                    for p in keep]
            target = rng.randint(MIN_BYTES + 300, MAX_BYTES - 500)
            used = sum(len(p.encode()) + 2 for p in body)
            padding = self._paragraphs(rng, language, target - used - 300, self._digit_permutation(rng), WORD_SWAP) if used < target - 300 else []
            text = self._furnish(rng, language, body + padding, url)
            pair.append((language, self._fit(text, MAX_BYTES - 200)))
        return pair

    # --- a set --------------------------------------------------------------------------------

    def files(self, count: int, seed: int) -> list[CorpusFile]:
        """`count` files in upload order: near duplicates come after their originals, the two
        versions of a translation pair close together."""
        rng = random.Random(seed)
        files: list[CorpusFile] = []
        originals: list[tuple[str, str]] = []  # (language, text) of distinct articles so far
        while len(files) < count:
            roll = rng.random()
            number = len(files)
            if roll < NEAR_DUPLICATE_SHARE and originals:
                language, text = rng.choice(originals[-200:])
                files.append(CorpusFile(f"near-{number:06d}-{language}.txt",
                                        self.near_duplicate(rng, text).encode(), "near_duplicate", language))
            elif roll < NEAR_DUPLICATE_SHARE + TRANSLATION_SHARE / 2 and count - len(files) >= 2:
                for language, text in self.translation_pair(rng):
                    files.append(CorpusFile(f"pair-{len(files):06d}-{language}.txt", text.encode(), "translation", language))
            else:
                language, text = self.distinct(rng)
                originals.append((language, text))
                files.append(CorpusFile(f"article-{number:06d}-{language}.txt", text.encode(), "distinct", language))
        return files[:count]


if __name__ == "__main__":
    import collections
    import statistics

    corpus = Corpus()
    sample = corpus.files(int(sys.argv[1]) if len(sys.argv) > 1 else 500, seed=1)
    sizes = [len(f.content) for f in sample]
    print(f"{len(sample)} files, {min(sizes)}-{max(sizes)} bytes, mean {statistics.fmean(sizes):.0f}")
    print("kinds:", dict(collections.Counter(f.kind for f in sample)))
    print("languages:", dict(collections.Counter(f.language for f in sample)))

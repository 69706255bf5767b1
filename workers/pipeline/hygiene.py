"""Text hygiene: the invisible differences between two copies of one article, taken out.

Files of one story arrive from many editors and tools: CRLF or LF, no-break spaces, zero-width
spaces, soft hyphens, bidi marks, NFD Vietnamese. `tidy` makes them one text, line by line, and
never joins or splits paragraphs: the cleaner relies on the line structure.
"""

import re
import unicodedata
from functools import lru_cache

# Line boundaries other than "\n". VT and FF are the manual line and page breaks of word
# processors: dropping them would glue two words or two paragraphs together.
_LINE_BREAKS = {
    "\u2028": "\n",  # LINE SEPARATOR
    "\u2029": "\n",  # PARAGRAPH SEPARATOR
    "\x85": "\n",  # NEXT LINE (NEL)
    "\x0b": "\n",
    "\x0c": "\n",
}

# Format characters (category Cf) that are part of how a script is written, so they stay:
# ZWNJ and ZWJ choose between conjunct and separate forms in Bengali, Devanagari and Persian
# (Persian "می‌خواهم" needs its ZWNJ), Arabic number signs and end-of-ayah carry digits, tag
# characters spell emoji flag sequences; the others are scripts' own structural controls.
_MEANINGFUL_FORMAT_CHARACTERS = (
    (0x200C, 0x200D),  # ZWNJ, ZWJ
    (0x0600, 0x0605),  # Arabic number signs
    (0x06DD, 0x06DD),  # Arabic end of ayah
    (0x070F, 0x070F),  # Syriac abbreviation mark
    (0x0890, 0x0891),  # Arabic pound / piastre mark above
    (0x08E2, 0x08E2),  # Arabic disputed end of ayah
    (0x110BD, 0x110BD),  # Kaithi number sign
    (0x110CD, 0x110CD),  # Kaithi number sign above
    (0x13430, 0x1345F),  # Egyptian hieroglyph format controls
    (0x1BCA0, 0x1BCA3),  # shorthand format controls
    (0x1D173, 0x1D17A),  # musical symbol format controls
    (0xE0020, 0xE007F),  # tags (emoji subdivision flags)
)

# The full-width space of CJK typography is a visible character ("和紙の里に若い担い手　移住者が"
# separates a headline's two phrases), not a variant of the space: it stays inside a line and is
# only trimmed, with the other spaces, from line ends (where it indents Chinese paragraphs).
IDEOGRAPHIC_SPACE = "\u3000"
_LINE_END_SPACES = " " + IDEOGRAPHIC_SPACE

_SPACE_RUNS = re.compile(" {2,}")


def tidy(text: str) -> str:
    """NFC; every line break as "\\n"; tabs and every kind of space as one plain space (except
    the ideographic space U+3000 inside a line), runs collapsed, none at either end of a line;
    invisible format and control characters dropped, except ZWJ and ZWNJ. Lines, blank ones
    included, stay as they are: nothing is joined."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if table := _translation_for(frozenset(text)):
        text = text.translate(table)
    # After the invisible characters are gone, so that "e", ZWSP, U+0301 compose into "é".
    text = unicodedata.normalize("NFC", text)
    return "\n".join(
        _SPACE_RUNS.sub(" ", line).strip(_LINE_END_SPACES) for line in text.split("\n")
    )


def is_blank(text: str) -> bool:
    """True when `text` holds nothing tidy would keep but spaces and line breaks: empty, white
    space, BOMs, zero-width and control characters. Cheaper than tidying a large text."""
    for character in frozenset(text):
        replacement = _replacement(character)
        if replacement is not None and not replacement.isspace():
            return False
    return True


def _translation_for(characters: frozenset[str]) -> dict[int, str | None]:
    """A str.translate table for just the characters this text uses: an article uses a few
    hundred distinct characters, so classifying them beats a table over all of Unicode."""
    table: dict[int, str | None] = {}
    for character in characters:
        replacement = _replacement(character)
        if replacement != character:
            table[ord(character)] = replacement
    return table


@lru_cache(maxsize=4096)
def _replacement(character: str) -> str | None:
    """What `character` becomes: itself, a space, a line break, or None (dropped)."""
    if character == "\n":
        return character
    if character in _LINE_BREAKS:
        return _LINE_BREAKS[character]
    if character == "\t":
        return " "
    if character == IDEOGRAPHIC_SPACE:
        return character
    category = unicodedata.category(character)
    if category == "Zs":  # every other space separator: U+00A0, U+202F, U+2007, U+2009, ...
        return " "
    if category == "Cc":  # C0 and C1 controls; "\n" and "\t" were handled above
        return None
    if category == "Cs":  # a lone surrogate (JSON "\ud800") cannot be stored as UTF-8
        return None
    if category == "Cf" and not _is_meaningful_format_character(ord(character)):
        # U+200B, U+2060, U+FEFF, soft hyphen, LRM/RLM/ALM, bidi embeddings and isolates, ...
        return None
    return character


def _is_meaningful_format_character(code_point: int) -> bool:
    return any(low <= code_point <= high for low, high in _MEANINGFUL_FORMAT_CHARACTERS)

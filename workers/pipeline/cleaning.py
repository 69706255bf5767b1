"""Cleaning: turn a document's tidy text into an article's structure and take the boilerplate out.

The text arrives one paragraph per line or per blank-line-separated block (plain files as the
seeds are; HTML and JSON converted to that shape). Each line is, in this order of precedence:
blank; an image file name (kept in `images`; the line right after it is that image's caption);
a source line (`সূত্র: https://…`, its URL kept); boilerplate (comment counters, "read more" and
share lines, bare URLs; kept in `removed`); or content. Content becomes title, captions and
paragraphs by the rules in `clean`."""

import re
import unicodedata
from dataclasses import dataclass

from workers.pipeline.article import (
    IMAGE_FILE_NAME,
    CleanedArticle,
    Paragraph,
    SourceDocument,
)
from workers.pipeline.boilerplate import (
    boilerplate_kind,
    photo_credit_pattern,
    share_button_lines,
    source_line_pattern,
)
from workers.pipeline.matching import match_key
from workers.pipeline.urls import canonical_url


# A line ending in one of these finishes a sentence or leads into more text, so it is no title
# or heading and no hard-wrapped fragment.
SENTENCE_END = ".!?…;:,،؛؟۔।॥。！？；：，、-–—"
CLOSERS = "\"'”’»›」』）)]"

HEADING_MAX_CHARS = 120
HEADING_MAX_WORDS = 15
UNSPACED_HEADING_MAX_CHARS = 40  # Chinese, Japanese, Thai: no spaces to count words by
TITLE_MAX_CHARS = 200
TITLE_MIN_WORDS = 3
UNSPACED_TITLE_MIN_CHARS = 6

# Hard-wrapped text (a line broken at a fixed width, not at a paragraph end) is rejoined only
# when the block looks like greedy wrapping at a plausible width.
WRAP_MIN_WIDTH = 20
WRAP_MAX_WIDTH = 100
HYPHENATED_END = re.compile(r"\w-$")  # "well-" + "known": no space


@dataclass
class _Line:
    text: str
    block: int  # lines of one block have no blank line, image or boilerplate between them
    after_image: bool


def clean(document: SourceDocument) -> CleanedArticle:
    """The article in `document`: title, lead, paragraphs (heading or body), captions, images,
    canonical source URL, and the boilerplate lines it dropped.

    - title: `document.title`, else the first line when it clearly is one (short, at least three
      words, no sentence punctuation, followed by a longer paragraph, not a caption); a first
      paragraph equal to the title is dropped.
    - lead: `document.lead`, else None; when the text has it too it stays there as a body
      paragraph (never a heading or the title), when not the body is left as it is.
    - captions: the line right after an image file name, and any paragraph ending in a photo
      credit such as `(ছবি: ভিএনএ)`; captions are not body.
    - headings: short paragraphs without sentence punctuation that come before a longer one;
      everything else is body. Hard-wrapped lines are rejoined first (see `_unwrap`).
    - source_url: the first source line's URL, else `document.url`, in canonical form."""
    images: list[str] = []
    removed: list[str] = []
    source_urls: list[str] = []
    content = _content_lines(document.text, images, removed, source_urls)

    captions: list[str] = []
    units: list[str] = []  # title and paragraphs, in order
    credit = photo_credit_pattern()
    for lines, is_image_caption in _blocks(content):
        if is_image_caption:
            captions.extend(lines)
            continue
        for text in _unwrap(lines):
            (captions if credit.search(text) else units).append(text)

    lead = _clean_field(document.lead)
    lead_key = match_key(lead) if lead is not None else None
    first_line = content[0].text if content else None
    title = _take_title(units, _clean_field(document.title), first_line, lead_key)
    paragraphs = tuple(
        Paragraph(
            kind="heading" if match_key(text) != lead_key and _is_heading(units, index) else "body",
            text=text,
        )
        for index, text in enumerate(units)
    )
    source = source_urls[0] if source_urls else canonical_url(document.url or "")
    return CleanedArticle(
        title=title,
        lead=lead,
        paragraphs=paragraphs,
        captions=tuple(captions),
        images=tuple(images),
        source_url=source,
        removed=tuple(removed),
    )


def _content_lines(
    text: str, images: list[str], removed: list[str], source_urls: list[str]
) -> list[_Line]:
    """Sorts every line into images, source URLs, removed boilerplate or content."""
    content: list[_Line] = []
    block = 0
    after_image = False
    lines = [unicodedata.normalize("NFC", line.strip()) for line in text.splitlines()]
    share_lines = share_button_lines(lines)
    for index, line in enumerate(lines):
        if not line:
            block += 1
            after_image = False
            continue
        if IMAGE_FILE_NAME.match(line):
            images.append(line)
            block += 1
            after_image = True
            continue
        if source := source_line_pattern().match(line):
            if url := canonical_url(source.group("url")):
                source_urls.append(url)
            removed.append(line)
            block += 1
            after_image = False
            continue
        if index in share_lines or boilerplate_kind(line):
            removed.append(line)
            block += 1
            after_image = False
            continue
        content.append(_Line(line, block, after_image))
        if after_image:
            block += 1  # the caption is a block of its own: body may follow without a blank line
        after_image = False
    return content


def _blocks(lines: list[_Line]) -> list[tuple[list[str], bool]]:
    """Content lines grouped by block, in order; an image's caption is a block of its own,
    flagged True."""
    blocks: list[tuple[list[str], bool]] = []
    current: int | None = None
    for line in lines:
        if line.after_image:
            blocks.append(([line.text], True))
            current = None
        elif line.block != current:
            blocks.append(([line.text], False))
            current = line.block
        else:
            blocks[-1][0].append(line.text)
    return blocks


def _clean_field(value: str | None) -> str | None:
    if value is None:
        return None
    flat = " ".join(unicodedata.normalize("NFC", value).split())
    return flat or None


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


def _mid_sentence(line: str) -> bool:
    return not _ends_sentence(line) or HYPHENATED_END.search(line) is not None


def _is_unspaced(text: str) -> bool:
    """Chinese, Japanese or Thai text, which separates words without spaces."""
    letters = [char for char in text if char.isalpha()]
    unspaced = sum(1 for char in letters if _unspaced_char(char))
    return bool(letters) and unspaced * 2 > len(letters)


def _unspaced_char(char: str) -> bool:
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3FFFF
        or 0x0E00 <= code <= 0x0EFF  # Thai, Lao
    )


def _heading_like(text: str) -> bool:
    """Short, with letters, and not ending like a sentence or a sentence fragment."""
    if _ends_sentence(text) or sum(char.isalpha() for char in text) < 2:
        return False
    if not (text[0].isalnum() or text[0] in "\"'“‘«「『"):
        return False
    if _is_unspaced(text):
        return len(text) <= UNSPACED_HEADING_MAX_CHARS
    return len(text) <= HEADING_MAX_CHARS and len(text.split()) <= HEADING_MAX_WORDS


def _take_title(
    units: list[str], declared: str | None, first_line: str | None, lead_key: str | None
) -> str | None:
    """The title, taken off the front of `units` when the text repeats or carries it there."""
    if declared is not None:
        if units and match_key(units[0]) == match_key(declared):
            units.pop(0)
        return declared
    # Only the file's first content line may be a title, never an image's caption or the lead.
    if units and units[0] == first_line and match_key(units[0]) != lead_key and _is_title(units):
        return units.pop(0)
    return None


def _is_title(units: list[str]) -> bool:
    first = units[0]
    if len(units) < 2 or len(first) > TITLE_MAX_CHARS or not _heading_like(first):
        return False
    long_enough = (
        len(first) >= UNSPACED_TITLE_MIN_CHARS if _is_unspaced(first)
        else len(first.split()) >= TITLE_MIN_WORDS
    )
    return long_enough and len(units[1]) > len(first)


def _is_heading(units: list[str], index: int) -> bool:
    """A heading introduces a longer paragraph; a short last line (a byline, a credit) is body."""
    text = units[index]
    return index + 1 < len(units) and _heading_like(text) and len(units[index + 1]) > len(text)


def _unwrap(block: list[str]) -> list[str]:
    """A hard-wrapped paragraph rejoined into one line; any other block as it is.

    Greedy wrapping ends a line only when the next word would not fit, so every line but the
    last is nearly as long as the widest, most of them end mid-sentence, and in cased scripts the
    line after one that ends mid-sentence starts in lower case."""
    if len(block) < 2:
        return block
    width = max(len(line) for line in block)
    if not WRAP_MIN_WIDTH <= width <= WRAP_MAX_WIDTH:
        return block
    inner = block[:-1]
    for line, following in zip(block, block[1:]):
        # Chinese, Japanese and Thai wrap at any character, other scripts at spaces
        next_word = following[0] if _unspaced_char(following[0]) else following.split()[0]
        if len(line) + 1 + len(next_word) <= width:
            return block  # the next word would have fitted: a deliberate line break
        if _mid_sentence(line) and following[0].isupper():
            return block
    unterminated = sum(1 for line in inner if _mid_sentence(line))
    if unterminated * 3 < len(inner) * 2:
        return block
    joined = block[0]
    for line in block[1:]:
        hyphenated = HYPHENATED_END.search(joined) is not None
        unspaced = _unspaced_char(joined[-1]) and _unspaced_char(line[0])
        joined += ("" if hyphenated or unspaced else " ") + line
    return [joined]

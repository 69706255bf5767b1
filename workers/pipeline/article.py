"""The plain data the pipeline stages hand each other, from a file's bytes to an article draft.

read_document (formats)  ->  SourceDocument
clean (cleaning)         ->  CleanedArticle
identify (language)      ->  LanguageGuess
process_file (process)   ->  ArticleDraft, which the worker stores
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

DocumentFormat = Literal["text", "html", "json"]

# An image line in a document's text holds only this: formats write figures so, the cleaner reads them.
IMAGE_FILE_NAME = re.compile(r"^[^\s/\\]+\.(?:jpe?g|png|gif|webp|bmp|tiff?|avif|heic|svg)$", re.IGNORECASE)
ParagraphKind = Literal["heading", "body"]


@dataclass(frozen=True)
class SourceDocument:
    """What a file says, whatever its format, before boilerplate is removed. `text` is plain text:
    one paragraph per line or per blank-line-separated block, as the plain-text seeds are; HTML
    and JSON are turned into that shape so one cleaner serves every format."""

    text: str
    format: DocumentFormat = "text"
    url: str | None = None
    title: str | None = None
    lead: str | None = None
    language: str | None = None  # as declared by the sender (JSON "language", HTML lang)
    published_at: datetime | None = None


@dataclass(frozen=True)
class Paragraph:
    kind: ParagraphKind
    text: str


@dataclass(frozen=True)
class CleanedArticle:
    title: str | None
    lead: str | None
    paragraphs: tuple[Paragraph, ...]  # the body in order; the title is not among them
    captions: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    source_url: str | None = None  # canonical form
    removed: tuple[str, ...] = field(default=(), compare=False)  # boilerplate lines dropped

    @property
    def text(self) -> str:
        """The body as consumers read it: paragraphs separated by one blank line."""
        return "\n\n".join(paragraph.text for paragraph in self.paragraphs)


@dataclass(frozen=True)
class ParagraphLanguage:
    """A paragraph in another language than its article's: an English quote in a Bengali report."""

    index: int  # among the text's non-empty lines
    code: str  # BCP 47
    confidence: float


@dataclass(frozen=True)
class LanguageGuess:
    code: str  # BCP 47: "bn", "zh-Hant", "sr-Latn"; "und-Ethi" / "und" when the models cannot tell
    script: str | None  # ISO 15924, e.g. "Beng", "Deva", "Latn", "Hans", "Arab"
    confidence: float | None  # None when the language was declared, not detected
    mixed: bool = False  # a large part of the text is in another language
    paragraphs: tuple[ParagraphLanguage, ...] = ()  # those in another language, in order


@dataclass(frozen=True)
class ArticleDraft:
    """One article as the pipeline made it, ready to store. `text` is the body without title or
    captions; it is what exact and near-duplicate detection compare."""

    title: str | None
    lead: str | None
    paragraphs: tuple[Paragraph, ...]
    captions: tuple[str, ...]
    images: tuple[str, ...]
    source_url: str | None
    language: str | None
    script: str | None
    language_confidence: float | None
    languages_mixed: bool
    published_at: datetime | None
    content_hash: bytes
    paragraph_languages: tuple[ParagraphLanguage, ...] = ()  # indexes into `paragraphs`
    removed: tuple[str, ...] = field(default=(), compare=False)

    @property
    def text(self) -> str:
        return "\n\n".join(paragraph.text for paragraph in self.paragraphs)

"""One accepted file in, one article (or a reason for rejecting the file) out."""

from dataclasses import dataclass

from workers.pipeline.cleaning import clean
from workers.pipeline.decoding import RejectedFile, decode
from workers.pipeline.fingerprint import content_hash
from workers.pipeline.language import detect_language


@dataclass(frozen=True)
class ArticleDraft:
    text: str
    source_url: str | None
    images: list[str]
    language: str | None
    language_confidence: float | None
    content_hash: bytes


def process_file(content: bytes) -> ArticleDraft:
    """Raises RejectedFile when the file cannot become an article."""
    cleaned = clean(decode(content))
    if not cleaned.text:
        raise RejectedFile("no article text left after removing boilerplate")
    language = detect_language(cleaned.text)
    return ArticleDraft(
        text=cleaned.text,
        source_url=cleaned.source_url,
        images=cleaned.images,
        language=language.code if language else None,
        language_confidence=language.confidence if language else None,
        content_hash=content_hash(cleaned.text),
    )

"""One accepted file in, one article draft (or a reason for rejecting the file) out."""

from workers.pipeline.article import ArticleDraft
from workers.pipeline.cleaning import clean
from workers.pipeline.decoding import RejectedFile
from workers.pipeline.fingerprint import content_hash
from workers.pipeline.formats import read_document
from workers.pipeline.language import identify

__all__ = ["ArticleDraft", "RejectedFile", "process_file"]


def process_file(content: bytes, name: str = "") -> ArticleDraft:
    """Raises RejectedFile when the file cannot become an article. `name` hints at the format
    (`.html`, `.json`, an NDJSON record's `name#N`); the content decides."""
    document = read_document(content, name)
    article = clean(document)
    if not article.paragraphs:
        raise RejectedFile("no article text left after removing boilerplate")
    language = identify(article.text, document.language)
    return ArticleDraft(
        title=article.title,
        lead=article.lead,
        paragraphs=article.paragraphs,
        captions=article.captions,
        images=article.images,
        source_url=article.source_url,
        language=language.code,
        script=language.script,
        language_confidence=language.confidence,
        languages_mixed=language.mixed,
        paragraph_languages=language.paragraphs,
        published_at=document.published_at,
        content_hash=content_hash(article.text),
        removed=article.removed,
    )

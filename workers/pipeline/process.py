"""One accepted file in, one article draft (or a reason for rejecting the file) out."""

from workers.pipeline.article import ArticleDraft
from workers.pipeline.cleaning import clean
from workers.pipeline.decoding import RejectedFile
from workers.pipeline.fingerprint import content_hash
from workers.pipeline.formats import read_document
from workers.pipeline.language import identify, letter_count

__all__ = ["MIN_ARTICLE_LETTERS", "ArticleDraft", "RejectedFile", "process_file"]

MIN_ARTICLE_LETTERS = 20
"""Letters (Unicode category L, any script) an article's cleaned body needs. Counted in letters,
not bytes or words, so the rule holds for scripts without spaces and with multi-byte characters:
a file `a` (1 letter) or `hello world` (10) is no article and used to be stored as English with
a guessed language. The shortest real article in ../shared/data (seeds, 6,800 NTREX files,
tests/data/articles) has 119 letters (Cantonese, the densest script there): printed by
bench/article_letters.py."""


def process_file(content: bytes, name: str = "") -> ArticleDraft:
    """Raises RejectedFile when the file cannot become an article. `name` hints at the format
    (`.html`, `.json`, an NDJSON record's `name#N`); the content decides."""
    document = read_document(content, name)
    article = clean(document)
    if not article.paragraphs:
        raise RejectedFile("no article text left after removing boilerplate")
    if (found := letter_count(article.text)) < MIN_ARTICLE_LETTERS:
        raise RejectedFile(
            f"too little text for an article: {found} letter{'s' if found != 1 else ''} after cleaning; "
            f"at least {MIN_ARTICLE_LETTERS} are needed"
        )
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

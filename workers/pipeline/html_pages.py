"""Saved HTML article pages: the main text, extracted with trafilatura, re-rendered in the shape
of the plain-text seeds (see formats), and what the page says of itself."""

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import unquote, urlsplit

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from workers.pipeline.article import IMAGE_FILE_NAME, SourceDocument
from workers.pipeline.decoding import RejectedFile
from workers.pipeline.fields import (
    is_http_url,
    language_code,
    parse_iso_datetime,
    single_line,
)
from workers.pipeline.hygiene import tidy

XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# trafilatura's output elements: those that only hold blocks, and those that start a new block.
CONTAINER_TAGS = frozenset({"body", "main", "list", "table"})
BLOCK_TAGS = frozenset({"p", "ab", "div", "head", "list", "table", "row", "quote", "code"})
MAX_CAPTION_TABLE_CHARS = 400  # a one-picture table with more text is content, not a caption

BlockKind = Literal["heading", "paragraph", "image"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str  # the text of a heading or paragraph; the file name of an image
    caption: str | None = None  # images only
    level: str | None = None  # headings: "h1", "h2", ... as the page had it


def read_html(raw: str) -> SourceDocument:
    """A saved article page: its main text (trafilatura) in the plain-text shape, and what the
    page says of itself: title, description as lead, canonical URL, language, publication time.
    Navigation, share buttons, related links, comments and footers do not come through."""
    page = _parse_html(raw)
    extracted = trafilatura.bare_extraction(
        raw,
        include_comments=False,
        include_tables=True,
        include_images=True,
        include_links=False,
        with_metadata=True,
        # Lead paragraphs in a bare <div class="sapo"> are lost without it; boilerplate is
        # still left out (tests/unit/test_formats.py wraps a seed in a busy news page).
        favor_recall=True,
        # A date only from the page's markup, not guessed from image paths or body text.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if extracted is None or extracted.body is None:
        raise RejectedFile("HTML: no article text found on the page")
    lead = single_line(extracted.description)
    blocks = list(_blocks(extracted.body, _captions_by_image(page), extracted.title))
    # The article's own <h1> is its headline; og:title or <title> may be worded for sharing.
    title = _opening_h1(blocks) or single_line(extracted.title) or _first_heading(page)
    blocks = _without_leading_repeats(blocks, title, lead)
    text = tidy(_render(blocks))
    if not text.strip():
        raise RejectedFile("HTML: no article text found on the page")
    return SourceDocument(
        text=text,
        format="html",
        url=_canonical_link(page) or _http_url_or_none(extracted.url),
        title=title,
        lead=lead,
        language=_declared_language(page),
        published_at=_published_at(page, extracted.date),
    )


def _parse_html(raw: str) -> lxml_html.HtmlElement:
    # lxml refuses a str that still carries an XML declaration with an encoding.
    markup = XML_DECLARATION.sub("", raw, count=1)
    try:
        return lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as error:
        raise RejectedFile(f"HTML that cannot be parsed: {error}") from None


def _blocks(body: etree._Element, captions: dict[str, str], title: str | None) -> Iterator[Block]:
    """trafilatura's extracted tree (head, p, list/item, quote, table/row/cell, graphic, lb, hi,
    ref) as blocks in reading order, each image with its caption: the page's figcaption, else
    its alt text unless that only repeats the title or a file name. trafilatura also keeps a
    figcaption as paragraphs after its image: those are skipped, the caption line has them."""
    unspent_caption = ""
    for block in _element_blocks(body):
        if block.kind == "image":
            caption = captions.get(block.text) or _useful_alt(block.caption, title)
            block = Block("image", block.text, single_line(caption))
            unspent_caption = _comparable(block.caption or "")
            yield block
            continue
        text = _comparable(block.text)
        if block.kind == "paragraph" and text and text in unspent_caption:
            unspent_caption = unspent_caption.replace(text, "", 1)
            continue
        unspent_caption = ""
        yield block


def _useful_alt(alt: str | None, title: str | None) -> str | None:
    if not alt or IMAGE_FILE_NAME.match(alt.strip()):
        return None
    if title and _comparable(alt) == _comparable(title):
        return None  # an alt that repeats the headline says nothing about the picture
    return alt


def _element_blocks(element: etree._Element) -> Iterator[Block]:
    for child in element:
        yield from _node_blocks(child)
        if tail := (child.tail or "").strip():
            yield Block("paragraph", tail)


def _node_blocks(node: etree._Element) -> Iterator[Block]:
    """One element of the extracted tree, without its tail."""
    if node.tag == "graphic":
        if image := _image_block(node):
            yield image
    elif node.tag == "head":
        for block in _inline_blocks(node, "heading"):
            yield Block(block.kind, block.text, block.caption, node.get("rend"))
    elif node.tag == "row":
        yield from _row_blocks(node)
    elif node.tag in CONTAINER_TAGS:
        yield from _element_blocks(node)
    elif node.tag != "lb":
        yield from _inline_blocks(node, "paragraph")


def _inline_blocks(element: etree._Element, kind: BlockKind) -> Iterator[Block]:
    """A paragraph-like element's text, with its line breaks kept and any image or nested
    block inside it emitted as its own block at its place."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if child.tag == "graphic" or child.tag in BLOCK_TAGS:
            if text := "".join(parts).strip():
                yield Block(kind, text)
            parts = []
            yield from _node_blocks(child)
        elif child.tag == "lb":
            parts.append("\n")
        else:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    if text := "".join(parts).strip():
        yield Block(kind, text)


def _row_blocks(row: etree._Element) -> Iterator[Block]:
    """A table row: pictures as image blocks; the cells' texts joined into one line."""
    texts: list[str] = []
    for cell in row:
        for block in _inline_blocks(cell, "paragraph"):
            if block.kind == "image":
                if texts:
                    yield Block("paragraph", " | ".join(texts))
                    texts = []
                yield block
            else:
                texts.append(" ".join(line.strip() for line in block.text.split("\n")))
    if texts:
        yield Block("paragraph", " | ".join(texts))


def _image_block(graphic: etree._Element) -> Block | None:
    name = image_file_name(graphic.get("src") or "")
    if name is None:
        return None
    return Block("image", name, graphic.get("alt") or graphic.get("title"))


def image_file_name(src: str) -> str | None:
    """The file name of an image URL ("https://cdn.vn/2025/10/a%20b.jpg?w=760" -> "a%20b.jpg",
    "…/z715.jpg" -> "z715.jpg"), or None when it has no image file name the cleaner would
    recognise (no extension, a data: URI)."""
    if not src or src.startswith("data:"):
        return None
    base = posixpath.basename(urlsplit(src.strip()).path)
    name = unquote(base)
    if any(character.isspace() for character in name):
        name = base  # keep the escapes: the cleaner takes a line with a space for text
    return name if IMAGE_FILE_NAME.match(name) else None


def _captions_by_image(page: lxml_html.HtmlElement) -> dict[str, str]:
    """Captions the page gives its pictures, by image file name: a <figure>'s <figcaption>, or
    the text of a small table holding one picture (the figure markup of many Vietnamese CMSs)."""
    captions: dict[str, str] = {}
    for figure in page.iter("figure"):
        caption = next(figure.iter("figcaption"), None)
        if caption is None:
            continue
        text = " ".join(" ".join(caption.itertext()).split())
        for image in figure.iter("img"):
            if text and (name := image_file_name(_image_src(image))):
                captions.setdefault(name, text)
    for table in page.iter("table"):
        images = list(table.iter("img"))
        if len(images) != 1:
            continue
        text = " ".join(" ".join(table.itertext()).split())
        if text and len(text) <= MAX_CAPTION_TABLE_CHARS:
            if name := image_file_name(_image_src(images[0])):
                captions.setdefault(name, text)
    return captions


def _image_src(image: lxml_html.HtmlElement) -> str:
    """The picture's URL, lazy-loading attributes first, as trafilatura chooses it."""
    for attribute in ("data-src", "src", "data-original", "data-lazy-src"):
        if value := image.get(attribute):
            if image_file_name(value):
                return value
    return image.get("src") or ""


def _opening_h1(blocks: list[Block]) -> str | None:
    first = blocks[0] if blocks else None
    if first is not None and first.kind == "heading" and first.level == "h1":
        return single_line(first.text)
    return None


def _without_leading_repeats(
    blocks: list[Block], title: str | None, lead: str | None
) -> list[Block]:
    """The page's title (its <h1>) and lead often open the extracted text too; they are fields
    of the document, so they must not also be its first lines."""
    repeats = {_comparable(value) for value in (title, lead) if value}
    while blocks and blocks[0].kind != "image" and _comparable(blocks[0].text) in repeats:
        repeats.discard(_comparable(blocks[0].text))
        blocks = blocks[1:]
    return blocks


def _render(blocks: list[Block]) -> str:
    rendered: list[str] = []
    for block in blocks:
        if block.kind == "image":
            rendered.append(f"{block.text}\n{block.caption}" if block.caption else block.text)
        else:
            rendered.append(block.text)
    return "\n\n".join(rendered)


def _comparable(text: str) -> str:
    return " ".join(text.split()).casefold()


def _first_heading(page: lxml_html.HtmlElement) -> str | None:
    heading = next(page.iter("h1"), None)
    return single_line(heading.text_content()) if heading is not None else None


def _meta(page: lxml_html.HtmlElement, *keys: str) -> str | None:
    """The content of the first <meta> whose property, name or itemprop is one of `keys`."""
    wanted = {key.lower() for key in keys}
    for meta in page.iter("meta"):
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            if (meta.get(attribute) or "").strip().lower() in wanted:
                if content := (meta.get("content") or "").strip():
                    return content
    return None


def _canonical_link(page: lxml_html.HtmlElement) -> str | None:
    for link in page.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            if url := _http_url_or_none(link.get("href")):
                return url
    return _http_url_or_none(_meta(page, "og:url"))


def _http_url_or_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if value and is_http_url(value) else None


def _declared_language(page: lxml_html.HtmlElement) -> str | None:
    candidates = (
        page.get("lang"),
        page.get("{http://www.w3.org/XML/1998/namespace}lang"),
        page.get("xml:lang"),
        _meta(page, "og:locale"),
        _meta(page, "content-language", "language", "dc.language"),
    )
    for candidate in candidates:
        if candidate and (code := language_code(candidate.split(",")[0])):
            return code
    return None


def _published_at(page: lxml_html.HtmlElement, extracted_date: str | None) -> datetime | None:
    """The page's own machine-readable publication time (meta tags, JSON-LD, <time>), which
    carries the hour and offset; else trafilatura's date (a day, taken as 00:00 UTC)."""
    declared = _meta(
        page, "article:published_time", "datePublished", "pubdate", "publishdate",
        "publish-date", "dc.date.issued", "dc.date", "date", "sailthru.date", "parsely-pub-date",
    )  # fmt: skip
    for value in (declared, _json_ld_date(page), _time_element_date(page), extracted_date):
        if value and (parsed := parse_iso_datetime(value)):
            return parsed
    return None


def _json_ld_date(page: lxml_html.HtmlElement) -> str | None:
    for script in page.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        found = re.search(r'"datePublished"\s*:\s*"([^"]+)"', script.text)
        if found:
            return found.group(1)
    return None


def _time_element_date(page: lxml_html.HtmlElement) -> str | None:
    for scope in (*page.iter("article"), page):
        for time in scope.iter("time"):
            if value := (time.get("datetime") or "").strip():
                return value
    return None

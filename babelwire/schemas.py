"""The records both APIs serve. One definition each, so the ingest and read sides never disagree."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from babelwire.changes import ChangeKind

JobState = Literal["queued", "running", "succeeded", "partially_failed", "failed"]
FileState = Literal["queued", "created", "duplicate", "failed"]


class JobAccepted(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"job_id": "5b0c1f2e-8f0a-4d2b-9c61-0e4b8f6b2a10", "status_url": "http://127.0.0.1:8000/v1/jobs/5b0c1f2e-8f0a-4d2b-9c61-0e4b8f6b2a10", "files": 5}]})

    job_id: UUID
    status_url: str
    files: int = Field(description="How many files the job accepted.")


class JobCounts(BaseModel):
    total: int
    processed: int
    created: int
    duplicates: int
    failed: int


class JobFile(BaseModel):
    id: int
    name: str
    status: FileState
    article_id: int | None = Field(None, description="The article this file created.")
    duplicate_of: int | None = Field(None, description="The canonical article this file repeats.")
    language: str | None = Field(
        None, description="The language of the file's article, or of the article it duplicates; null until processed or when failed."
    )
    error: str | None = None


class Job(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"job_id": "5b0c1f2e-8f0a-4d2b-9c61-0e4b8f6b2a10", "status": "partially_failed", "counts": {"total": 3, "processed": 3, "created": 1, "duplicates": 1, "failed": 1}, "files": [{"id": 10, "name": "000.txt", "status": "created", "article_id": 42, "duplicate_of": None, "language": "bn", "error": None}, {"id": 11, "name": "000-again.txt", "status": "duplicate", "article_id": None, "duplicate_of": 42, "language": "bn", "error": None}, {"id": 12, "name": "scan.png", "status": "failed", "article_id": None, "duplicate_of": None, "language": None, "error": "binary data: looks like a PNG image"}], "created_at": "2026-11-23T09:30:00Z", "finished_at": "2026-11-23T09:30:02Z"}]})

    job_id: UUID
    status: JobState
    counts: JobCounts
    files: list[JobFile]
    files_next: str | None = Field(
        None,
        description="Read API: cursor for the job's next page of files (pass as `files_after`), null on the last page.",
    )
    created_at: datetime
    finished_at: datetime | None


class JobSummary(BaseModel):
    """A job without its files: a line of the review page's list of recent jobs."""

    job_id: UUID
    status: JobState
    counts: JobCounts
    created_at: datetime
    finished_at: datetime | None


class Translation(BaseModel):
    id: int
    language: str | None


class DuplicateSighting(BaseModel):
    """A later file whose cleaned text repeats this article's, exactly or nearly."""

    file_id: int
    job_id: UUID
    name: str
    received_at: datetime
    kind: Literal["exact", "near"] = Field(description="`exact`: the same cleaned text; `near`: an edited copy.")
    similarity: float = Field(description="Similarity to this article, 1 for an exact copy.")
    article_id: int | None = Field(
        description="The near duplicate's own article (its text differs); null for an exact copy."
    )


class Origin(BaseModel):
    file_id: int
    job_id: UUID
    name: str


class ArticleParagraph(BaseModel):
    kind: Literal["heading", "body"]
    text: str


class ParagraphLanguage(BaseModel):
    paragraph: int = Field(description="Index into `paragraphs`.", examples=[2])
    language: str = Field(description="BCP 47 tag of that paragraph.", examples=["en"])
    confidence: float = Field(examples=[0.98])


class Article(BaseModel):
    id: int
    title: str | None = Field(
        description="Null when the file has no title; a caption never becomes one.",
        examples=["Tidal barrier closes for the first time after a decade of delays"],
    )
    lead: str | None = Field(description="The standfirst, when the file marks one; also the first body paragraph.")
    text: str = Field(description="The clean body: paragraphs separated by one blank line, headings kept.")
    paragraphs: list[ArticleParagraph]
    captions: list[str] = Field(description="Photo captions, taken out of the body.")
    images: list[str] = Field(description="Image file names, in order.")
    source_url: str | None = Field(description="Canonical: lower-case host, no fragment, no tracking parameters.")
    language: str | None = Field(
        description="BCP 47 tag: `bn`, `zh-Hant`, `sr-Latn` (a script subtag where the language is written in "
        "more than one script); `und-Ethi` / `und` when the language could not be told.",
        examples=["bn"],
    )
    script: str | None = Field(description="ISO 15924 code of the dominant script, e.g. Beng, Deva, Latn.")
    language_confidence: float | None = Field(
        description="How sure the detection is, in [0, 1]; for `und`, how close the best guess came; null when "
        "the language was declared by the file (JSON `language`, HTML `lang`) rather than detected.",
    )
    languages_mixed: bool = Field(description="A large part of the text is in another language.")
    paragraph_languages: list[ParagraphLanguage] = Field(
        default_factory=list, description="Paragraphs reliably in another language than the article's, in order."
    )
    published_at: datetime | None
    duplicate_of: int | None = Field(description="The canonical article, when this one is a near duplicate of it.")
    duplicate_similarity: float | None = Field(description="This near duplicate's similarity to `duplicate_of`.")
    duplicates: list[DuplicateSighting] = Field(description="Later files repeating this article, exactly or nearly.")
    group_id: int | None
    translations: list[Translation]
    origin: Origin
    created_at: datetime
    updated_at: datetime | None = Field(None, description="When the article's group or duplicate status last changed; `created_at` until then.")


class ArticleSummary(BaseModel):
    id: int
    language: str | None
    source_url: str | None
    group_id: int | None
    duplicate_of: int | None
    created_at: datetime
    updated_at: datetime | None = Field(None, description="When the article's group or duplicate status last changed.")


PAGE_CURSOR_PATTERN = r"^[0-9]{1,18}$"
"""A page's `next` (a record id), as the `after` parameters take it back: declared so that the OpenAPI
documents say which strings are refused (18 digits stay inside PostgreSQL's bigint)."""


class ArticlePage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [{"id": 42, "language": "bn", "source_url": "https://nhandan.vn/mo-ra-nhieu-co-hoi-hop-tac-quoc-te-post918263.html", "group_id": 7, "duplicate_of": None, "created_at": "2026-11-23T09:30:01Z", "updated_at": "2026-11-23T09:30:01Z"}], "next": "42"}]})

    items: list[ArticleSummary]
    next: str | None = Field(description="Cursor for the next page (pass as `after`), null on the last page.")


class GroupMember(BaseModel):
    id: int
    language: str | None
    source_url: str | None


class GroupLink(BaseModel):
    """Why two articles are in one group: the link an article made when it joined, founded or
    merged the group."""

    article_id: int = Field(description="The article that made the link when it was stored.")
    partner_id: int = Field(description="The group member it was linked to.")
    score: float = Field(description="The link's score in [0, 1]; 1 for a shared source URL.")
    evidence: dict[str, Any] = Field(
        description="The signals that matched and their values: source URL, image names, shared figures, "
        "names (transliterated skeletons), length ratio, and the score."
    )
    created_at: datetime


class Group(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 7, "articles": [{"id": 42, "language": "bn", "source_url": "https://nhandan.vn/mo-ra-nhieu-co-hoi-hop-tac-quoc-te-post918263.html"}, {"id": 43, "language": "hi", "source_url": "https://nhandan.vn/mo-ra-nhieu-co-hoi-hop-tac-quoc-te-post918263.html"}], "links": [{"article_id": 43, "partner_id": 42, "score": 0.87, "evidence": {"numbers": {"shared": ["110", "150", "72"]}, "names": {"shared": ["lntnkn"]}, "length": {"ratio": 0.97, "factor": 1.0}, "score": 0.87}, "created_at": "2026-11-23T09:30:01Z"}], "merged_from": [], "created_at": "2026-11-23T09:30:01Z"}]})

    id: int = Field(description="The group's id; when the group asked for was merged, the surviving group's.")
    articles: list[GroupMember]
    links: list[GroupLink] = Field(description="The links that hold the group together, oldest first.")
    merged_from: list[int] = Field(description="Groups merged into this one; asking for any of them answers with this one.")
    created_at: datetime


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class ApiKeyRequest(BaseModel):
    # PostgreSQL text cannot hold NUL: refused here (422) rather than failing in the INSERT (500).
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$", examples=["newsroom-monitor"])
    scopes: list[Literal["ingest", "read", "admin"]] = Field(min_length=1, examples=[["read"]])


class ApiKeyInfo(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 3, "name": "newsroom-monitor", "scopes": ["read"], "created_at": "2026-11-23T09:00:00Z", "revoked_at": None}]})

    id: int
    name: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyInfo):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 3, "name": "newsroom-monitor", "scopes": ["read"], "created_at": "2026-11-23T09:00:00Z", "revoked_at": None, "key": "bw_3q2Vx0cK9yJ4mT1rZ8pL6wN5bD7fH2sA0eG4uY1iO9k"}]})

    key: str = Field(description="The key itself, shown this once: send it as `Authorization: Bearer <key>`.")


class Change(BaseModel):
    """One committed change. Its `cursor` is a position in the feed: pass it as `after` to read
    what came after it."""

    cursor: str = Field(description="Opaque position of this change in the feed.", examples=["7391-52"])
    kind: ChangeKind = Field(
        description="`article.created`: a new canonical article (`data.language`, `data.file_id`); "
        "`article.duplicate`: a file repeats a canonical article (`data.duplicate_of`, `data.similarity`, "
        "`data.match` `exact` — then `article_id` is null — or `near`, with the near duplicate's own "
        "`article_id`); `group.created` (`data.members`); `group.changed`: articles joined "
        "(`data.joined`); `group.merged`: `data.merged` groups moved into `group_id`; `job.finished` "
        "(`data.status`, `data.counts`).",
        examples=["article.created"],
    )
    article_id: int | None = Field(None, examples=[42])
    group_id: int | None = Field(None, examples=[7])
    job_id: UUID | None = Field(None, examples=["5b0c1f2e-8f0a-4d2b-9c61-0e4b8f6b2a10"])
    data: dict[str, Any] = Field(description="Details of the change, by kind.", examples=[{"file_id": 91, "language": "bn"}])
    created_at: datetime


class ChangePage(BaseModel):
    items: list[Change] = Field(description="Changes after the cursor given, in feed order.")
    next: str = Field(
        description="Where to resume: the last item's cursor, or the `after` given (`0-0` for the start) "
        "when there is nothing new. Always pass it back as `after`.",
        examples=["7391-52"],
    )

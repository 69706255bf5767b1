"""The records both APIs serve. One definition each, so the ingest and read sides never disagree."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

JobState = Literal["queued", "running", "succeeded", "partially_failed", "failed"]
FileState = Literal["queued", "created", "duplicate", "failed"]


class JobAccepted(BaseModel):
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
    error: str | None = None


class Job(BaseModel):
    job_id: UUID
    status: JobState
    counts: JobCounts
    files: list[JobFile]
    created_at: datetime
    finished_at: datetime | None


class Translation(BaseModel):
    id: int
    language: str | None


class DuplicateSighting(BaseModel):
    """A later file whose cleaned text was exactly this article's."""

    file_id: int
    job_id: UUID
    name: str
    received_at: datetime


class Origin(BaseModel):
    file_id: int
    job_id: UUID
    name: str


class Article(BaseModel):
    id: int
    language: str | None
    language_confidence: float | None
    text: str
    source_url: str | None
    images: list[str]
    duplicate_of: int | None
    duplicates: list[DuplicateSighting]
    group_id: int | None
    translations: list[Translation]
    origin: Origin
    created_at: datetime


class ArticleSummary(BaseModel):
    id: int
    language: str | None
    source_url: str | None
    group_id: int | None
    duplicate_of: int | None
    created_at: datetime


class ArticlePage(BaseModel):
    items: list[ArticleSummary]
    next: str | None = Field(description="Cursor for the next page (pass as `after`), null on the last page.")


class GroupMember(BaseModel):
    id: int
    language: str | None
    source_url: str | None


class Group(BaseModel):
    id: int
    articles: list[GroupMember]
    created_at: datetime


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None

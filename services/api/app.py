"""Read API: jobs, articles (with their duplicates and translations) and translation groups."""

from typing import Annotated
from uuid import UUID

from fastapi import HTTPException, Path, Query

from babelwire import jobs
from babelwire.problems import problem_responses
from babelwire.schemas import Article, ArticlePage, Group, Job
from babelwire.web import Connection, create_app
from services.api import queries

app = create_app(
    "Babelwire read API",
    "Clean, deduplicated articles and the translation groups that link one story's language versions.",
)

NOT_FOUND = problem_responses(404)
MAX_ID = 2**63 - 1  # PostgreSQL bigint
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]


@app.get("/v1/jobs/{job_id}", response_model=Job, tags=["jobs"], summary="A job and its files", responses=NOT_FOUND)
def get_job(job_id: UUID, conn: Connection) -> Job:
    job = jobs.get_job(conn, job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return job


@app.get("/v1/articles", response_model=ArticlePage, tags=["articles"], summary="Articles, oldest first")
def list_articles(
    conn: Connection,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.")] = 100,
    after: Annotated[str | None, Query(description="The `next` cursor of the previous page.")] = None,
    lang: Annotated[str | None, Query(min_length=2, max_length=8, description="Language code, e.g. `bn`.")] = None,
    group_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this translation group's articles.")] = None,
) -> ArticlePage:
    return queries.list_articles(conn, limit=limit, after=_cursor(after), language=lang, group_id=group_id)


@app.get("/v1/articles/{article_id}", response_model=Article, tags=["articles"], summary="One article", responses=NOT_FOUND)
def get_article(article_id: RecordId, conn: Connection) -> Article:
    article = queries.get_article(conn, article_id)
    if article is None:
        raise HTTPException(404, f"no article {article_id}")
    return article


@app.get("/v1/groups/{group_id}", response_model=Group, tags=["groups"], summary="A translation group", responses=NOT_FOUND)
def get_group(group_id: RecordId, conn: Connection) -> Group:
    group = queries.get_group(conn, group_id)
    if group is None:
        raise HTTPException(404, f"no translation group {group_id}")
    return group


def _cursor(after: str | None) -> int | None:
    if after is None:
        return None
    if not after.isascii() or not after.isdigit() or int(after) > MAX_ID:
        raise HTTPException(422, f"invalid cursor {after!r}: pass the `next` value of a previous page")
    return int(after)

"""The read API: keyset pages, filters, single records and problems."""

import uuid

import pytest

from tests.integration.helpers import upload, wait_for_job
from tests.texts import EN_WORDS, VI_WORDS, prose

PROBLEM_JSON = "application/problem+json"


@pytest.fixture(scope="module")
def stored(ingest) -> list[dict]:
    """Twelve new articles: six English, six Vietnamese, each pair sharing a source URL."""
    files = []
    for i in range(6):
        token = uuid.uuid4().hex
        source = f"\n\nSource: https://example.org/story-{token}\n".encode()
        files.append((f"en-{i}.txt", prose(EN_WORDS).encode() + source))
        files.append((f"vi-{i}.txt", prose(VI_WORDS).encode() + source.replace(b"Source", "Nguồn".encode())))
    job = wait_for_job(ingest, upload(ingest, files)["job_id"])
    assert job["status"] == "succeeded", job
    return job["files"]


def test_pages_follow_the_cursor_without_gaps_or_repeats(api, stored):
    ids, after, pages = [], None, 0
    while True:
        params = {"limit": 5, **({"after": after} if after else {})}
        page = api.get("/v1/articles", params=params).json()
        ids += [item["id"] for item in page["items"]]
        pages += 1
        after = page["next"]
        if after is None:
            break
        assert len(page["items"]) == 5

    assert ids == sorted(set(ids))
    assert {f["article_id"] for f in stored} <= set(ids)
    assert pages == -(-len(ids) // 5)


def test_language_and_group_filters(api, stored):
    english_ids = {f["article_id"] for f in stored if f["name"].startswith("en-")}
    listed = api.get("/v1/articles", params={"lang": "en", "limit": 1000}).json()["items"]
    assert english_ids <= {a["id"] for a in listed}
    assert {a["language"] for a in listed} == {"en"}

    article = api.get(f"/v1/articles/{stored[0]['article_id']}").json()
    group = api.get("/v1/articles", params={"group_id": article["group_id"]}).json()["items"]
    assert sorted(a["id"] for a in group) == sorted([stored[0]["article_id"], stored[1]["article_id"]])
    assert article["translations"] == [{"id": stored[1]["article_id"], "language": "vi"}]
    assert article["origin"]["name"] == "en-0.txt"


def test_a_group_lists_its_language_versions(api, stored):
    article = api.get(f"/v1/articles/{stored[2]['article_id']}").json()
    group = api.get(f"/v1/groups/{article['group_id']}").json()

    # Members in id order; which of the two was stored first is up to the racing workers.
    assert [(m["id"], m["language"]) for m in group["articles"]] == sorted(
        [(stored[2]["article_id"], "en"), (stored[3]["article_id"], "vi")]
    )
    assert {m["source_url"] for m in group["articles"]} == {article["source_url"]}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/articles/999999999", 404),
        ("/v1/groups/999999999", 404),
        ("/v1/articles/0", 422),
        ("/v1/articles/abc", 422),
        ("/v1/articles/99999999999999999999999", 422),
        ("/v1/articles?after=12abc", 422),
        ("/v1/articles?limit=0", 422),
        ("/v1/articles?limit=100000", 422),
        ("/v1/nothing-here", 404),
    ],
)
def test_bad_requests_are_problems(api, path, status):
    response = api.get(path)

    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["status"] == status


def test_the_read_app_serves_health_and_its_openapi_document(api):
    assert api.get("/healthz").json() == {"status": "ok"}
    paths = api.get("/openapi.json").json()["paths"]
    assert {"/v1/articles", "/v1/articles/{article_id}", "/v1/groups/{group_id}", "/v1/jobs/{job_id}"} <= set(paths)

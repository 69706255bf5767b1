"""Issue #2's acceptance: the five seed files through upload → Celery → PostgreSQL → read API."""

import re

from tests.integration.helpers import upload, wait_for_job
from tests.seeds import seed_paths

EXPECTED_LANGUAGES = ["bn", "hi", "bn", "bn", "hi"]
BOILERPLATE_LINE = re.compile(
    r"^(?:মন্তব্য|टिप्पणी)\s*\(\d+\)$|^(?:সূত্র|स्रोत)\s*:|^\S+\.(?:jpe?g|png|gif|webp)$", re.MULTILINE
)


def test_seed_files_become_clean_grouped_articles_and_resending_them_only_adds_duplicates(ingest, api):
    seeds = [(path.name, path.read_bytes()) for path in seed_paths()]

    accepted = upload(ingest, seeds)
    assert accepted["files"] == 5
    assert accepted["status_url"].endswith(f"/v1/jobs/{accepted['job_id']}")
    job = wait_for_job(ingest, accepted["job_id"])

    assert job["status"] == "succeeded"
    assert job["counts"] == {"total": 5, "processed": 5, "created": 5, "duplicates": 0, "failed": 0}
    assert job["finished_at"] is not None
    assert [f["name"] for f in job["files"]] == [name for name, _ in seeds]
    article_ids = [f["article_id"] for f in job["files"]]
    articles = [api.get(f"/v1/articles/{article_id}").json() for article_id in article_ids]

    assert [a["language"] for a in articles] == EXPECTED_LANGUAGES
    for article in articles:
        assert not BOILERPLATE_LINE.search(article["text"]), article["text"][-300:]
        assert article["source_url"].startswith("https://")
        assert article["duplicates"] == [] and article["duplicate_of"] is None
    assert articles[2]["images"][0] == "z7157588517514_1471cc05946c11fe4159fc679254b7e4.jpg"
    assert len(articles[2]["images"]) == 5 and articles[2]["images"] == articles[4]["images"]

    groups = {a["group_id"] for a in articles if a["group_id"] is not None}
    members = {
        group_id: sorted(m["id"] for m in api.get(f"/v1/groups/{group_id}").json()["articles"])
        for group_id in groups
    }
    by_index = {article_id: index for index, article_id in enumerate(article_ids)}
    assert sorted(sorted(by_index[i] for i in ids) for ids in members.values()) == [[0, 1], [2, 4]]
    assert articles[3]["group_id"] is None and articles[3]["translations"] == []
    assert articles[0]["translations"] == [{"id": article_ids[1], "language": "hi"}]

    again = wait_for_job(ingest, upload(ingest, seeds)["job_id"])

    assert again["status"] == "succeeded"
    assert again["counts"] == {"total": 5, "processed": 5, "created": 0, "duplicates": 5, "failed": 0}
    assert [f["duplicate_of"] for f in again["files"]] == article_ids
    assert all(f["article_id"] is None for f in again["files"])
    listed = api.get("/v1/articles", params={"limit": 1000}).json()["items"]
    assert {a["id"] for a in listed} >= set(article_ids)
    assert not {a["id"] for a in listed} & {f["article_id"] for f in again["files"]}
    first = api.get(f"/v1/articles/{article_ids[0]}").json()
    assert [d["job_id"] for d in first["duplicates"]] == [again["job_id"]]

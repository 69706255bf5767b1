"""Archive uploads through the ingest API: good members become articles, every hostile member and
every refused archive fails on its own with its reason, in the same job."""

import json

from tests.hostile_archives import Member, tar_of, zip_bomb, zip_of
from tests.integration.helpers import upload, wait_for_job
from tests.texts import EN_WORDS, VI_WORDS, prose

PROBLEM_JSON = "application/problem+json"


def test_good_members_become_articles_and_each_hostile_one_fails_with_its_reason(ingest, api):
    english, vietnamese = prose(EN_WORDS, 8), prose(VI_WORDS, 8)
    feed = "\n".join(json.dumps({"title": f"Record {i}", "text": prose(EN_WORDS, 8)}) for i in range(2))
    archive = zip_of(
        [
            Member("news/en.txt", english.encode()),
            Member("news/vi.txt", vietnamese.encode()),
            Member("feed.ndjson", feed.encode()),
            Member("../escape.txt", prose(EN_WORDS).encode()),
            Member("passwd.txt", kind="symlink", target="/etc/passwd"),
        ]
    )
    tarball = tar_of([Member("/etc/cron.d/job", b"* * * * * root true"), Member("inner.zip", zip_of([]))])

    accepted = upload(ingest, [("batch.zip", archive), ("more.tar.gz", tarball), ("bomb.zip", zip_bomb())])
    job = wait_for_job(ingest, accepted["job_id"])

    files = {f["name"]: f for f in job["files"]}
    assert accepted["files"] == len(files) == 9
    for name in ("batch.zip/news/en.txt", "batch.zip/news/vi.txt", "batch.zip/feed.ndjson#1", "batch.zip/feed.ndjson#2"):
        assert files[name]["status"] == "created" and files[name]["error"] is None, files[name]
    article = api.get(f"/v1/articles/{files['batch.zip/news/vi.txt']['article_id']}").json()
    assert article["language"] == "vi"
    errors = {name: f["error"] for name, f in files.items() if f["status"] == "failed"}
    assert errors == {
        "batch.zip/../escape.txt": "unsafe member path: path traversal '../escape.txt'",
        "batch.zip/passwd.txt": "symbolic link in archive: not followed",
        "more.tar.gz//etc/cron.d/job": "unsafe member path: absolute path '/etc/cron.d/job'",
        "more.tar.gz/inner.zip": "nested archive: archives inside an archive are not expanded; upload it on its own",
        "bomb.zip": errors["bomb.zip"],
    }
    assert errors["bomb.zip"].startswith("compression bomb: ")
    assert job["status"] == "partially_failed"
    assert job["counts"] == {"total": 9, "processed": 9, "created": 4, "duplicates": 0, "failed": 5}


def test_archive_members_over_the_request_limit_are_413_problem_counted_across_archives(ingest, monkeypatch):
    from babelwire.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_archive_members", 3)
    pair = [Member(f"{i}.txt", prose(EN_WORDS).encode()) for i in range(2)]

    # Each archive alone fits; the two together have four members.
    response = ingest.post(
        "/v1/jobs",
        files=[("files", ("a.zip", zip_of(pair), "application/zip")), ("files", ("b.tar.gz", tar_of(pair), "application/gzip"))],
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["detail"] == "the archives in this request have more than 3 members; that is the limit"


def test_expanded_bytes_over_the_request_limit_are_413_problem_counted_across_archives(ingest, monkeypatch):
    from babelwire.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_archive_expanded_bytes", 3000)
    first, second = (zip_of([Member("a.txt", bytes([65 + i]) * 2000)]) for i in range(2))

    response = ingest.post(
        "/v1/jobs",
        files=[("files", ("one.zip", first, "application/zip")), ("files", ("two.zip", second, "application/zip"))],
    )
    alone = ingest.post("/v1/jobs", files=[("files", ("one.zip", first, "application/zip"))])

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == 413
    assert problem["detail"] == "the archives in this request expand to more than 3000 bytes; that is the limit"
    assert alone.status_code == 202


def test_the_request_record_limit_counts_archive_members_and_answers_413_problem(ingest, monkeypatch):
    from babelwire.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_records_per_request", 3)
    archive = zip_of([Member(f"{i}.txt", b"short text") for i in range(4)])

    response = ingest.post("/v1/jobs", files=[("files", ("four.zip", archive, "application/zip"))])

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["detail"] == "4 articles in one request; the limit is 3"

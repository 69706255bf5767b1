"""Reading at volume: the article filters with keyset pages, conditional GETs on single records,
job files in pages and the streaming NDJSON export. The session database is shared, so every
assertion is about this module's own articles (their source domain is this module's own)."""

import hashlib
import json
import time
import uuid
from dataclasses import dataclass

import psycopg
import pytest

from tests.integration.helpers import upload, wait_for_job
from tests.texts import EN_WORDS, VI_WORDS, prose

PAIRS = 3


@dataclass
class Corpus:
    domain: str
    other_domain: str
    en: list[int]
    vi: list[int]
    solo: int
    other: int
    copy: int
    job_id: str
    file_names: list[str]
    solo_etag_before_copy: str
    before_copy: str


@pytest.fixture(scope="module")
def corpus(ingest, api, database) -> Corpus:
    """Job 1: three English/Vietnamese pairs sharing a source URL (three two-language groups), an
    English article alone, and one on another domain. Job 2: a near duplicate of the lone one."""
    token = uuid.uuid4().hex[:12]
    domain, other_domain = f"news-{token}.example.org", f"other-{token}.example.net"
    files = []
    for i in range(PAIRS):
        url = f"https://{domain}/story-{i}"
        files.append((f"en-{i}.txt", f"{prose(EN_WORDS)}\n\nSource: {url}\n".encode()))
        files.append((f"vi-{i}.txt", f"{prose(VI_WORDS)}\n\nNguồn: {url}\n".encode()))
    solo_text = prose(EN_WORDS, sentences=12)
    files.append(("solo.txt", f"{solo_text}\n\nSource: https://{domain}/solo\n".encode()))
    files.append(("other.txt", f"{prose(EN_WORDS)}\n\nSource: https://{other_domain}/x\n".encode()))
    job = wait_for_job(ingest, upload(ingest, files)["job_id"])
    assert job["status"] == "succeeded", job
    ids = {f["name"]: f["article_id"] for f in job["files"]}

    solo_etag = api.get(f"/v1/articles/{ids['solo.txt']}").headers["etag"]
    with psycopg.connect(database, autocommit=True) as conn:  # the database's clock, not ours
        (now,) = conn.execute("SELECT clock_timestamp()").fetchone()
    before_copy = now.isoformat()
    time.sleep(0.05)
    words = solo_text.split(" ")
    words[5] = "tariff"  # one word edited: a near duplicate, stored as an article of its own
    copy = f"{' '.join(words)}\n\nSource: https://{domain}/solo-copy\n".encode()
    copy_job = wait_for_job(ingest, upload(ingest, [("copy.txt", copy)])["job_id"])
    assert copy_job["status"] == "succeeded", copy_job
    copy_id = copy_job["files"][0]["article_id"]
    assert copy_id is not None, copy_job

    return Corpus(
        domain=domain,
        other_domain=other_domain,
        en=[ids[f"en-{i}.txt"] for i in range(PAIRS)],
        vi=[ids[f"vi-{i}.txt"] for i in range(PAIRS)],
        solo=ids["solo.txt"],
        other=ids["other.txt"],
        copy=copy_id,
        job_id=job["job_id"],
        file_names=[name for name, _ in files],
        solo_etag_before_copy=solo_etag,
        before_copy=before_copy,
    )


def _all_ids(api, **params) -> list[int]:
    """Every id the filter lists, following the cursor page by page."""
    ids, after = [], None
    while True:
        response = api.get("/v1/articles", params={**params, **({"after": after} if after else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        ids += [item["id"] for item in page["items"]]
        after = page["next"]
        if after is None:
            return ids


def test_the_source_domain_filter_lists_that_host_only(api, corpus):
    listed = _all_ids(api, source_domain=corpus.domain, limit=1000)
    assert sorted(listed) == sorted([*corpus.en, *corpus.vi, corpus.solo, corpus.copy])
    assert _all_ids(api, source_domain=corpus.other_domain.upper()) == [corpus.other]


def test_canonical_and_duplicate_filters(api, corpus):
    canonical = _all_ids(api, source_domain=corpus.domain, canonical="true")
    duplicates = _all_ids(api, source_domain=corpus.domain, canonical="false")
    assert sorted(canonical) == sorted([*corpus.en, *corpus.vi, corpus.solo])
    assert duplicates == [corpus.copy]
    items = api.get("/v1/articles", params={"canonical": "false", "limit": 1000}).json()["items"]
    assert all(item["duplicate_of"] is not None for item in items)
    assert {"id": corpus.copy, "duplicate_of": corpus.solo} in [{"id": i["id"], "duplicate_of": i["duplicate_of"]} for i in items]


def test_filters_combine_with_keyset_pages(api, corpus):
    expected = sorted([*corpus.en, corpus.solo])
    pages, ids, after = 0, [], None
    while True:
        params = {"source_domain": corpus.domain, "lang": "en", "canonical": "true", "limit": 2}
        page = api.get("/v1/articles", params={**params, **({"after": after} if after else {})}).json()
        pages += 1
        assert len(page["items"]) <= 2
        assert {item["language"] for item in page["items"]} <= {"en"}
        ids += [item["id"] for item in page["items"]]
        after = page["next"]
        if after is None:
            break
    assert ids == expected
    assert pages == -(-len(expected) // 2)


def test_the_group_filter_follows_a_merged_group(api, db, corpus):
    group_id = api.get(f"/v1/articles/{corpus.en[0]}").json()["group_id"]
    assert group_id is not None
    assert sorted(_all_ids(api, group_id=group_id)) == sorted([corpus.en[0], corpus.vi[0]])
    # A group merged into this one keeps its id; asking for it answers with the survivor's
    # articles, as GET /v1/groups/{id} does.
    merged = db.execute(
        "INSERT INTO translation_groups (merged_into, merged_at) VALUES (%s, now()) RETURNING id", (group_id,)
    ).fetchone()["id"]
    assert sorted(_all_ids(api, group_id=merged)) == sorted([corpus.en[0], corpus.vi[0]])
    assert api.get(f"/v1/groups/{merged}").json()["id"] == group_id
    assert _all_ids(api, group_id=merged, lang="vi") == [corpus.vi[0]]


def test_updated_since_lists_articles_created_or_regrouped_since(api, corpus):
    since_copy = _all_ids(api, source_domain=corpus.domain, updated_since=corpus.before_copy)
    assert since_copy == [corpus.copy]

    # The pair's first article was stored ungrouped; the second one's link moved it into a group,
    # which moved its updated_at past both creation times.
    pair = [api.get(f"/v1/articles/{i}").json() for i in (corpus.en[1], corpus.vi[1])]
    later = max(article["created_at"] for article in pair)
    listed = api.get(
        "/v1/articles", params={"source_domain": corpus.domain, "updated_since": later, "limit": 1000}
    ).json()["items"]
    assert {corpus.en[1], corpus.vi[1]} <= {item["id"] for item in listed}
    assert all(item["updated_at"] >= item["created_at"] for item in listed)
    assert any(a["updated_at"] > a["created_at"] for a in pair)

    assert _all_ids(api, source_domain=corpus.domain, updated_since="2999-01-01T00:00:00Z") == []
    assert _all_ids(api, source_domain=corpus.domain, updated_since="2000-01-01T00:00:00") != []


@pytest.mark.parametrize(
    "params",
    [{"canonical": "maybe"}, {"updated_since": "yesterday"}, {"source_domain": ""}, {"group_id": "0"}],
)
def test_bad_filters_are_problems(api, params):
    response = api.get("/v1/articles", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def _record_paths(corpus: Corpus, api) -> list[str]:
    group_id = api.get(f"/v1/articles/{corpus.en[0]}").json()["group_id"]
    return [f"/v1/articles/{corpus.en[0]}", f"/v1/groups/{group_id}", f"/v1/jobs/{corpus.job_id}"]


def test_single_records_answer_304_to_their_etag(api, corpus):
    for path in _record_paths(corpus, api):
        first = api.get(path)
        etag = first.headers["etag"]
        assert first.status_code == 200
        assert etag == f'"{hashlib.sha256(first.content).hexdigest()[:32]}"'
        assert first.headers["cache-control"] == "no-cache"

        for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            again = api.get(path, headers={"If-None-Match": header})
            assert again.status_code == 304, (path, header)
            assert again.content == b""
            assert again.headers["etag"] == etag
            assert again.headers["cache-control"] == "no-cache"

        stale = api.get(path, headers={"If-None-Match": '"0123456789abcdef0123456789abcdef"'})
        assert stale.status_code == 200 and stale.json() == first.json()


def test_the_etag_changes_with_the_record(api, corpus):
    """The near duplicate stored after the first ETag was taken is in the record now."""
    response = api.get(f"/v1/articles/{corpus.solo}", headers={"If-None-Match": corpus.solo_etag_before_copy})
    assert response.status_code == 200
    assert response.headers["etag"] != corpus.solo_etag_before_copy
    assert [d["article_id"] for d in response.json()["duplicates"]] == [corpus.copy]


def test_job_files_come_in_keyset_pages(api, corpus):
    names, after, pages = [], None, 0
    while True:
        params = {"files_limit": 3, **({"files_after": after} if after else {})}
        job = api.get(f"/v1/jobs/{corpus.job_id}", params=params).json()
        names += [f["name"] for f in job["files"]]
        pages += 1
        after = job["files_next"]
        if after is None:
            break
    assert names == corpus.file_names
    assert pages == -(-len(corpus.file_names) // 3)
    assert job["counts"]["total"] == len(corpus.file_names)
    assert api.get(f"/v1/jobs/{corpus.job_id}", params={"files_after": "x1"}).status_code == 422
    assert api.get(f"/v1/jobs/{corpus.job_id}", params={"files_limit": 0}).status_code == 422


def _export(api, **params) -> list[dict]:
    """The export read as a stream, line by line: every line one complete JSON object."""
    with api.stream("GET", "/v1/export/articles.ndjson", params=params) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        body = b"".join(response.iter_bytes())
    assert body == b"" or body.endswith(b"\n")
    lines = body.split(b"\n")[:-1]
    assert all(line for line in lines)
    return [json.loads(line) for line in lines]


def test_the_export_streams_every_canonical_article(api, db, corpus):
    records = _export(api)
    ids = [r["id"] for r in records]
    canonical = db.execute("SELECT count(*) AS n FROM articles WHERE duplicate_of IS NULL").fetchone()["n"]

    assert ids == sorted(set(ids))
    assert len(ids) == canonical
    assert {*corpus.en, *corpus.vi, corpus.solo, corpus.other} <= set(ids)
    assert corpus.copy not in ids
    assert all(r["duplicate_of"] is None for r in records)

    exported = next(r for r in records if r["id"] == corpus.en[2])
    record = api.get(f"/v1/articles/{corpus.en[2]}").json()
    assert "duplicates" not in exported
    assert exported == {k: v for k, v in record.items() if k != "duplicates"}


def test_the_export_of_one_language(api, corpus):
    records = _export(api, lang="vi")
    ids = {r["id"] for r in records}
    assert {r["language"] for r in records} == {"vi"}
    assert set(corpus.vi) <= ids
    assert not ids & {*corpus.en, corpus.solo}


def test_the_export_of_groups_with_enough_languages(api, corpus):
    records = _export(api, min_languages=2)
    ids = {r["id"] for r in records}
    assert {*corpus.en, *corpus.vi} <= ids
    assert not ids & {corpus.solo, corpus.other, corpus.copy}
    for r in records:
        assert len({r["language"], *(t["language"] for t in r["translations"])}) >= 2

    assert {r["id"] for r in _export(api, min_languages=1)} >= {corpus.solo}
    assert not {r["id"] for r in _export(api, min_languages=3)} & {*corpus.en, *corpus.vi}
    assert {r["id"] for r in _export(api, lang="en", min_languages=2)} & set(corpus.vi) == set()
    assert api.get("/v1/export/articles.ndjson", params={"min_languages": 0}).status_code == 422


def test_the_openapi_document_describes_the_new_parameters(api):
    document = api.get("/openapi.json").json()
    paths = document["paths"]
    listed = {p["name"]: p for p in paths["/v1/articles"]["get"]["parameters"]}
    assert {"lang", "source_domain", "group_id", "canonical", "updated_since", "after", "limit"} <= set(listed)
    for name in ("source_domain", "canonical", "updated_since", "group_id"):
        assert listed[name].get("description") and listed[name]["schema"].get("examples"), name
    export = paths["/v1/export/articles.ndjson"]["get"]
    assert "application/x-ndjson" in export["responses"]["200"]["content"]
    assert {"lang", "min_languages"} <= {p["name"] for p in export["parameters"]}
    for path in ("/v1/articles/{article_id}", "/v1/groups/{group_id}", "/v1/jobs/{job_id}"):
        responses = paths[path]["get"]["responses"]
        assert "304" in responses and "ETag" in responses["200"]["headers"]

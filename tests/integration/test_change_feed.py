"""The change feed: every committed change once, in an order a consumer can resume from, however
out of order the writers commit; the real pipeline's changes; long-polling; bad cursors."""

import random
import threading
import time
import uuid

import psycopg
import pytest
from psycopg.rows import dict_row

from babelwire.changes import record_change
from tests.integration.helpers import upload, wait_for_job
from tests.texts import EN_WORDS, RU_WORDS, VI_WORDS, prose

PROBLEM_JSON = "application/problem+json"
WRITERS = 6
TRANSACTIONS_PER_WRITER = 25


def _follow(api, after: str | None, *, limit: int = 100, wait: float = 0) -> dict:
    params = {"limit": limit, "wait": wait, **({"after": after} if after is not None else {})}
    response = api.get("/v1/changes", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _head(api) -> str:
    """The cursor after every change readable now."""
    after = None
    while True:
        page = _follow(api, after, limit=1000)
        after = page["next"]
        if not page["items"]:
            return after


def _writer(url: str, number: int, run: str, committed: list, rolled_back: list, rng: random.Random) -> None:
    """Transactions of one to three changes each, held open a random while before they commit
    (or, one in five, roll back), so commits land in another order than ids and xids were given."""
    with psycopg.connect(url, row_factory=dict_row) as conn:
        for sequence in range(TRANSACTIONS_PER_WRITER):
            keys = [(number, sequence, part) for part in range(rng.randint(1, 3))]
            for key in keys:
                record_change(conn, "article.created", article_id=None, data={"run": run, "key": list(key)})
            time.sleep(rng.uniform(0, 0.04))
            if rng.random() < 0.2:
                conn.rollback()
                rolled_back.extend(keys)
            else:
                conn.commit()
                committed.extend(keys)


def _ours(items: list[dict], run: str) -> list[tuple]:
    return [tuple(item["data"]["key"]) for item in items if item["data"].get("run") == run]


def test_a_reader_sees_every_committed_change_once_while_writers_commit_out_of_order(api, database, db):
    run = uuid.uuid4().hex
    start = _head(api)
    naive_start = db.execute("SELECT coalesce(max(id), 0) AS id FROM changes").fetchone()["id"]
    committed: list[tuple] = []
    rolled_back: list[tuple] = []
    rng = random.Random()
    writers = [
        threading.Thread(target=_writer, args=(database, n, run, committed, rolled_back, random.Random(rng.random())))
        for n in range(WRITERS)
    ]
    for writer in writers:
        writer.start()

    seen: list[tuple] = []
    cursors: list[str] = []
    after = start
    # The contrast: a reader that resumes after the highest id it saw.
    naive_seen: list[tuple] = []
    naive_after = naive_start

    def read_once(wait: float) -> int:
        nonlocal after, naive_after
        page = _follow(api, after, limit=7, wait=wait)
        seen.extend(_ours(page["items"], run))
        cursors.extend(item["cursor"] for item in page["items"])
        after = page["next"]
        rows = db.execute("SELECT id, data FROM changes WHERE id > %s ORDER BY id", (naive_after,)).fetchall()
        naive_seen.extend(tuple(r["data"]["key"]) for r in rows if r["data"].get("run") == run)
        naive_after = max([naive_after, *(r["id"] for r in rows)])
        return len(page["items"])

    while any(writer.is_alive() for writer in writers):
        read_once(wait=0.2)
    for writer in writers:
        writer.join()
    deadline = time.monotonic() + 120  # a long transaction elsewhere on the server holds the feed back
    while len(seen) < len(committed) and time.monotonic() < deadline:
        read_once(wait=2)
    read_once(wait=0)  # and nothing more after that

    assert len(committed) > 0 and len(rolled_back) > 0
    assert len(seen) == len(set(seen)), "a change was served twice"
    assert set(seen) == set(committed), (
        f"missed {sorted(set(committed) - set(seen))[:10]}, never committed {sorted(set(seen) - set(committed))[:10]}"
    )
    assert not set(seen) & set(rolled_back)
    positions = [tuple(int(part) for part in cursor.split("-")) for cursor in cursors]
    assert positions == sorted(set(positions)), "cursors must only grow"
    # What the naive reader missed: changes that committed after a larger id had been read.
    naive_missed = set(committed) - set(naive_seen)
    print(f"naive reader missed {len(naive_missed)} of {len(committed)} committed changes")
    assert naive_missed, "the writers should have committed out of order: this test would not catch a naive feed"


def test_a_naive_id_reader_skips_a_late_commit_that_the_feed_serves(api, database, db):
    """Deterministic contrast: A inserts first (smaller id and xid), B inserts and commits, a reader
    reads, then A commits. `WHERE id > last` has moved past A for good; the feed held B back until A
    ended, then served A before B."""
    run = uuid.uuid4().hex
    start = _head(api)
    naive_after = db.execute("SELECT coalesce(max(id), 0) AS id FROM changes").fetchone()["id"]
    with psycopg.connect(database) as first, psycopg.connect(database) as second:
        record_change(first, "group.changed", data={"run": run, "key": ["A"]})
        record_change(second, "group.changed", data={"run": run, "key": ["B"]})
        second.commit()

        rows = db.execute("SELECT id, data FROM changes WHERE id > %s ORDER BY id", (naive_after,)).fetchall()
        naive_seen = [r["data"]["key"][0] for r in rows if r["data"].get("run") == run]
        naive_after = max([naive_after, *(r["id"] for r in rows)])
        feed_while_open = _ours(_follow(api, start, limit=1000)["items"], run)

        first.commit()
    rows = db.execute("SELECT id, data FROM changes WHERE id > %s ORDER BY id", (naive_after,)).fetchall()
    naive_seen += [r["data"]["key"][0] for r in rows if r["data"].get("run") == run]

    feed_seen: list[tuple] = []
    after, deadline = start, time.monotonic() + 60
    while len(feed_seen) < 2 and time.monotonic() < deadline:
        page = _follow(api, after, wait=2)
        feed_seen += _ours(page["items"], run)
        after = page["next"]

    assert naive_seen == ["B"], "the naive reader skips A for good"
    assert feed_while_open == [], "B must wait for A, whose xid is smaller"
    assert feed_seen == [("A",), ("B",)]


def _file(paragraphs: list[str], source: str | None = None) -> bytes:
    return ("\n\n".join(paragraphs) + (f"\n\nSource: {source}\n" if source else "\n")).encode()


def test_the_pipeline_records_articles_duplicates_groups_and_finished_jobs_once(ingest, api):
    start = _head(api)
    source = f"https://example.org/feed-{uuid.uuid4().hex}"
    story_b = [prose(EN_WORDS) for _ in range(6)]
    first = wait_for_job(ingest, upload(ingest, [
        ("en-a.txt", _file([prose(EN_WORDS) for _ in range(3)], source)),
        ("vi-a.txt", _file([prose(VI_WORDS) for _ in range(3)], source)),
        ("en-b.txt", _file(story_b)),
    ])["job_id"])
    assert first["status"] == "succeeded", first
    files = {f["name"]: f for f in first["files"]}
    second = wait_for_job(ingest, upload(ingest, [
        ("near-b.txt", _file(story_b[:-1])),
        ("ru-a.txt", _file([prose(RU_WORDS) for _ in range(3)], source)),
    ])["job_id"])
    assert second["status"] == "succeeded", second
    later = {f["name"]: f for f in second["files"]}

    changes, after, deadline = [], start, time.monotonic() + 120
    jobs = {first["job_id"], second["job_id"]}
    while time.monotonic() < deadline:
        page = _follow(api, after, limit=1000, wait=2)
        changes += page["items"]
        after = page["next"]
        if sum(c["kind"] == "job.finished" and c["job_id"] in jobs for c in changes) == 2:
            break

    def of(kind: str) -> list[dict]:
        return [c for c in changes if c["kind"] == kind]

    assert len({c["cursor"] for c in changes}) == len(changes)
    created = {c["article_id"]: c for c in of("article.created") if c["job_id"] == first["job_id"]}
    assert set(created) == {f["article_id"] for f in first["files"]}
    assert [c["article_id"] for c in of("article.created") if c["job_id"] == second["job_id"]] == [
        later["ru-a.txt"]["article_id"]
    ]
    group_id = created[files["en-a.txt"]["article_id"]]["group_id"] or created[files["vi-a.txt"]["article_id"]]["group_id"]
    assert group_id is not None
    founded = [c for c in of("group.created") if c["group_id"] == group_id]
    assert len(founded) == 1
    assert set(founded[0]["data"]["members"]) == {files["en-a.txt"]["article_id"], files["vi-a.txt"]["article_id"]}
    joined = [c for c in of("group.changed") if c["group_id"] == group_id]
    assert [c["data"]["joined"] for c in joined] == [[later["ru-a.txt"]["article_id"]]]
    near = [c for c in of("article.duplicate") if c["job_id"] == second["job_id"]]
    assert len(near) == 1 and near[0]["article_id"] == later["near-b.txt"]["article_id"]
    assert near[0]["data"]["duplicate_of"] == files["en-b.txt"]["article_id"]
    assert near[0]["data"]["match"] == "near" and 0.7 <= near[0]["data"]["similarity"] <= 1
    finished = {c["job_id"]: c for c in of("job.finished") if c["job_id"] in jobs}
    assert len([c for c in of("job.finished") if c["job_id"] in jobs]) == 2
    assert finished[first["job_id"]]["data"] == {"status": "succeeded", "counts": first["counts"]}
    assert finished[second["job_id"]]["data"] == {"status": "succeeded", "counts": second["counts"]}


def test_an_exact_copy_is_recorded_as_a_duplicate_without_an_article_of_its_own(ingest, api):
    start = _head(api)
    text = _file([prose(EN_WORDS) for _ in range(3)])
    original = wait_for_job(ingest, upload(ingest, [("original.txt", text)])["job_id"])
    copy = wait_for_job(ingest, upload(ingest, [("copy.txt", text)])["job_id"])
    changes, after, deadline = [], start, time.monotonic() + 60
    while time.monotonic() < deadline and not any(c["kind"] == "job.finished" and c["job_id"] == copy["job_id"] for c in changes):
        page = _follow(api, after, limit=1000, wait=2)
        changes += page["items"]
        after = page["next"]

    duplicates = [c for c in changes if c["kind"] == "article.duplicate" and c["job_id"] == copy["job_id"]]
    assert len(duplicates) == 1
    assert duplicates[0]["article_id"] is None
    assert duplicates[0]["data"] == {
        "file_id": copy["files"][0]["id"], "duplicate_of": original["files"][0]["article_id"],
        "similarity": 1.0, "match": "exact",
    }


def test_a_long_poll_returns_when_a_change_arrives_and_empty_after_the_wait(api, database):
    after = _head(api)
    started = time.monotonic()
    page = _follow(api, after, wait=1.5)
    assert page["items"] == [] and page["next"] == after
    assert time.monotonic() - started >= 1.4

    run = uuid.uuid4().hex

    def write_later() -> None:
        time.sleep(1.0)
        with psycopg.connect(database) as conn:
            record_change(conn, "group.merged", group_id=1, data={"run": run, "merged": [2]})

    writer = threading.Thread(target=write_later)
    writer.start()
    started = time.monotonic()
    page = _follow(api, after, wait=20)
    elapsed = time.monotonic() - started
    writer.join()
    assert [item["data"].get("run") for item in page["items"]] == [run]
    assert 0.9 <= elapsed < 15, elapsed
    assert page["next"] == page["items"][-1]["cursor"] != after


@pytest.mark.parametrize(
    "params",
    [
        {"after": "abc"},
        {"after": "12"},
        {"after": "1-"},
        {"after": "-1-2"},
        {"after": "1-2-3"},
        {"after": "١-٢"},
        {"after": "99999999999999999999-1"},
        {"limit": 0},
        {"limit": 1001},
        {"wait": 31},
        {"wait": -1},
    ],
)
def test_bad_parameters_are_problems(api, params):
    response = api.get("/v1/changes", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.json()["status"] == 422

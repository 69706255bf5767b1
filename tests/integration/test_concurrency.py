"""Several worker processes on one story at the same moment: one article per text, one group per
story, and a task delivered many times counts once."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import redis

from tests.integration.helpers import upload, wait_for_job
from tests.texts import EN_WORDS, RU_WORDS, VI_WORDS, prose

EN, VI, RU = EN_WORDS, VI_WORDS, RU_WORDS


def story(words: list[str], key: str, label: str) -> bytes:
    return f"{prose(words)}\n\n{prose(words)}\n\n{label}: https://news.example/{key}\n".encode()


def test_translations_stored_at_the_same_moment_end_in_one_group_per_story(ingest, api):
    keys = [uuid.uuid4().hex for _ in range(40)]
    # Each story's two versions sit next to each other in the queue, so that two worker
    # processes take them at the same moment.
    files = [(f"{k}-{lang}.txt", story(template, k, label)) for k in keys
             for lang, template, label in (("en", EN, "Source"), ("vi", VI, "Nguồn"))]

    job = wait_for_job(ingest, upload(ingest, files)["job_id"], timeout=120)

    assert job["counts"]["created"] == 80, job["counts"]
    groups = {}
    for f in job["files"]:
        article = api.get(f"/v1/articles/{f['article_id']}").json()
        groups.setdefault(article["source_url"], set()).add((article["group_id"], article["language"]))
    assert len(groups) == 40
    for members in groups.values():
        (group_a, lang_a), (group_b, lang_b) = sorted(members, key=lambda m: m[1])
        assert group_a == group_b is not None and (lang_a, lang_b) == ("en", "vi")

    late = wait_for_job(ingest, upload(ingest, [(f"{k}-ru.txt", story(RU, k, "Source")) for k in keys[:5]])["job_id"])

    for f, key in zip(late["files"], keys[:5]):
        article = api.get(f"/v1/articles/{f['article_id']}").json()
        assert article["language"] == "ru"
        group = api.get(f"/v1/groups/{article['group_id']}").json()
        assert sorted(m["language"] for m in group["articles"]) == ["en", "ru", "vi"]
        assert {m["source_url"] for m in group["articles"]} == {f"https://news.example/{key}"}


def test_the_same_file_in_many_concurrent_uploads_makes_one_article(ingest, api):
    text = story(EN, uuid.uuid4().hex, "Source")  # one text, uploaded twelve times
    with ThreadPoolExecutor(max_workers=12) as pool:
        accepted = list(pool.map(lambda i: upload(ingest, [(f"copy-{i}.txt", text)]), range(12)))
    jobs = [wait_for_job(ingest, a["job_id"]) for a in accepted]

    files = [job["files"][0] for job in jobs]
    created = [f for f in files if f["status"] == "created"]
    assert len(created) == 1
    canonical = created[0]["article_id"]
    assert sorted(f["duplicate_of"] for f in files if f["status"] == "duplicate") == [canonical] * 11
    assert len(api.get(f"/v1/articles/{canonical}").json()["duplicates"]) == 11


def test_a_task_delivered_many_times_at_once_counts_once(worker, db, api):
    from babelwire.db import transaction
    from babelwire.jobs import IncomingFile, create_job
    from babelwire.settings import get_settings
    from workers.queueing import dispatch

    text = story(VI, uuid.uuid4().hex, "Nguồn")
    with transaction() as conn:
        job_id, (file_id,) = create_job(conn, [IncomingFile("once.txt", text, len(text))])

    assert [dispatch([file_id]) for _ in range(20)] == [[file_id]] * 20  # 20 tasks, not one of 20
    job = wait_for_job(api, str(job_id))
    _wait_for_empty_queue(get_settings().queue)

    job = api.get(f"/v1/jobs/{job_id}").json()
    assert job["counts"] == {"total": 1, "processed": 1, "created": 1, "duplicates": 0, "failed": 0}
    assert db.execute("SELECT count(*) AS n FROM articles WHERE file_id = %s", (file_id,)).fetchone()["n"] == 1


def _wait_for_empty_queue(queue: str, timeout: float = 30) -> None:
    """Until the broker holds no message of ours; then a moment for the last ones in flight."""
    from babelwire.settings import get_settings

    broker = redis.Redis.from_url(get_settings().redis_url)
    deadline = time.monotonic() + timeout
    while broker.llen(queue) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert broker.llen(queue) == 0
    time.sleep(2)

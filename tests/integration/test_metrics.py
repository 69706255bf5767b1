"""Metrics and health, scraped and parsed as Prometheus would: request counts by route template and
status, upload bytes, stored data matching the database, a real worker's task outcomes and
durations summed over its children, and /readyz answering 503 quickly when a dependency is down."""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.helpers import (
    POISON_FILE,
    REPO,
    bearer,
    free_port,
    poison_trigger,
    start_worker,
    stop_process,
    wait_for_http,
    wait_for_job,
)
from tests.texts import EN_WORDS, RU_WORDS, VI_WORDS, prose

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # refused by the pipeline as binary data

Samples = dict[tuple[str, frozenset], float]


def parse(exposition: str) -> Samples:
    """Every sample of a scrape by (sample name, its labels)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def labelled(samples: Samples, name: str, label: str) -> dict[str, float]:
    return {dict(labels)[label]: v for (sample, labels), v in samples.items() if sample == name}


def scrape(client) -> Samples:
    response = client.get("/metrics", headers={"Authorization": ""})  # open: no key
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def story(words: list[str], key: str) -> bytes:
    return f"{prose(words)}\n\n{prose(words)}\n\nSource: https://metrics.example/{key}\n".encode()


def test_api_metrics_count_requests_by_route_template_and_upload_bytes(ingest, api):
    before = scrape(ingest)
    files = [("files", (f"{lang}.txt", story(words, f"{lang}-{uuid.uuid4().hex}"), "text/plain"))
             for lang, words in (("en", EN_WORDS), ("vi", VI_WORDS), ("ru", RU_WORDS))]
    files.append(("files", ("image.png", PNG, "application/octet-stream")))
    request = ingest.build_request("POST", "/v1/jobs", files=files)
    body_bytes = len(request.read())
    response = ingest.send(request)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    wait_for_job(api, job_id)  # the polling goes to the read API: the ingest counts stay known
    token = uuid.uuid4().hex
    for _ in range(2):
        assert ingest.get(f"/v1/jobs/{job_id}").status_code == 200
    assert ingest.get(f"/v1/jobs/{uuid.uuid4()}").status_code == 404
    assert ingest.get(f"/v1/jobs/{job_id}", headers={"Authorization": ""}).status_code == 401
    assert ingest.get(f"/no/such/{token}").status_code == 404
    after = scrape(ingest)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    job_route = {"method": "GET", "route": "/v1/jobs/{job_id}"}
    assert moved("babelwire_http_requests_total", method="POST", route="/v1/jobs", status="202") == 1
    assert moved("babelwire_http_requests_total", **job_route, status="200") == 2
    assert moved("babelwire_http_requests_total", **job_route, status="404") == 1
    assert moved("babelwire_http_requests_total", **job_route, status="401") == 1
    assert moved("babelwire_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert moved("babelwire_http_request_body_bytes_total", method="POST", route="/v1/jobs") == body_bytes
    assert moved("babelwire_http_request_duration_seconds_count", **job_route) == 4
    assert moved("babelwire_http_request_duration_seconds_sum", **job_route) > 0
    # Routes are templates, never raw paths: no id or token reaches a label.
    routes = set(labelled(after, "babelwire_http_requests_total", "route"))
    assert not {r for r in routes if job_id in r or token in r}, routes
    assert value(after, "process_resident_memory_bytes") > 0  # the process collector is there too

    # The ingest API serves no stored-data gauges (the read API does, once for every process).
    assert not labelled(after, "babelwire_articles", "language")
    # Nor does the read API count the ingest API's requests: each app has its own registry.
    read_side = scrape(api)
    assert value(read_side, "babelwire_http_requests_total", method="POST", route="/v1/jobs", status="202") == 0
    assert value(read_side, "babelwire_http_requests_total", **job_route, status="200") > 0


def _stored_in_database(db: psycopg.Connection) -> dict:
    """The same figures as the read API's gauges, counted another way (files one by one)."""
    files = {row["status"]: row["n"] for row in db.execute("SELECT status, count(*) AS n FROM job_files GROUP BY status")}
    return {
        "files": {status: files.get(status, 0) for status in ("queued", "created", "duplicate", "failed")},
        "languages": {
            row["language"]: row["n"]
            for row in db.execute("SELECT coalesce(language, 'und') AS language, count(*) AS n FROM articles GROUP BY 1")
        },
        "duplicates": {
            "exact": db.execute("SELECT count(*) AS n FROM job_files WHERE status = 'duplicate' AND article_id IS NULL").fetchone()["n"],
            "near": db.execute("SELECT count(*) AS n FROM job_files WHERE status = 'duplicate' AND article_id IS NOT NULL").fetchone()["n"],
        },
        "groups": {
            "live": db.execute("SELECT count(*) AS n FROM translation_groups WHERE merged_into IS NULL").fetchone()["n"],
            "merged": db.execute("SELECT count(*) AS n FROM translation_groups WHERE merged_into IS NOT NULL").fetchone()["n"],
        },
        "links": db.execute("SELECT count(*) AS n FROM translation_links").fetchone()["n"],
    }


def _stored_in_scrape(samples: Samples) -> dict:
    return {
        "files": {k: int(v) for k, v in labelled(samples, "babelwire_files", "status").items()},
        "languages": {k: int(v) for k, v in labelled(samples, "babelwire_articles", "language").items()},
        "duplicates": {k: int(v) for k, v in labelled(samples, "babelwire_duplicates", "kind").items()},
        "groups": {k: int(v) for k, v in labelled(samples, "babelwire_translation_groups", "state").items()},
        "links": int(value(samples, "babelwire_translation_links")),
    }


def test_read_api_metrics_match_the_stored_data(ingest, api, db):
    text = story(EN_WORDS, uuid.uuid4().hex)
    job = ingest.post("/v1/jobs", files=[("files", ("a.txt", text)), ("files", ("copy.txt", text)),
                                         ("files", ("b.txt", story(VI_WORDS, uuid.uuid4().hex)))]).json()
    assert wait_for_job(api, job["job_id"])["counts"]["duplicates"] == 1
    # Other files of the session may still be in flight: a scrape between two equal readings of
    # the database must agree with them.
    for _ in range(20):
        first = _stored_in_database(db)
        samples = scrape(api)
        if first == _stored_in_database(db):
            break
        time.sleep(0.5)
    assert _stored_in_scrape(samples) == first
    assert first["languages"].get("en", 0) >= 1 and first["duplicates"]["exact"] >= 1
    assert value(samples, "babelwire_metrics_source_up", source="database") == 1
    assert value(samples, "babelwire_metrics_source_up", source="broker") == 1
    assert ("babelwire_queue_depth", frozenset({("queue", os.environ["BABELWIRE_QUEUE"])})) in samples


def test_probes_and_metrics_need_no_key(ingest, api):
    # The session's worker runs beat: its first re-enqueue is recorded a second after it starts.
    deadline = time.monotonic() + 30
    while api.get("/readyz").json()["checks"]["periodic"] != "ok" and time.monotonic() < deadline:
        time.sleep(0.25)
    for client in (ingest, api):
        for path in ("/healthz", "/readyz", "/metrics"):
            assert client.get(path, headers={"Authorization": ""}).status_code == 200, path
        assert client.get("/readyz").json() == {
            "status": "ready", "checks": {"database": "ok", "broker": "ok", "periodic": "ok"}
        }


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections (into its backlog) and never answers: a hung dependency."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def _serve(app: str, env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/healthz", process)
    except BaseException:
        stop_process(process)
        raise
    return process, base


def _timed_readyz(base: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.get(f"{base}/readyz", timeout=10)
    return response, time.monotonic() - started


def test_readyz_is_503_within_two_seconds_when_the_broker_is_down(database: str, tmp_path: Path):
    closed = free_port()  # nothing listens there
    process, base = _serve(
        "services.api.app:app",
        {"REDIS_URL": f"redis://127.0.0.1:{closed}/0", "BABELWIRE_METRICS_REQUIRE_KEY": "true"},
        tmp_path / "api.log",
    )
    try:
        response, elapsed = _timed_readyz(base)
        metrics_without_key = httpx.get(f"{base}/metrics", timeout=10)
        metrics = httpx.get(f"{base}/metrics", headers=bearer("read"), timeout=10)
    finally:
        stop_process(process)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    problem = response.json()
    # The heartbeat is read with the database check: whatever the session's worker has recorded.
    assert {name: problem["checks"][name] for name in ("database", "broker")} == {"database": "ok", "broker": "failed"}
    assert problem["checks"]["periodic"] in {"ok", "stale", "never"}
    assert "broker" in problem["detail"] and str(closed) not in response.text  # no host or port disclosed
    assert elapsed < 2.0, f"answered after {elapsed:.2f}s"
    # BABELWIRE_METRICS_REQUIRE_KEY puts /metrics behind the app's scope; the broker being down
    # shows in the scrape instead of failing it.
    assert metrics_without_key.status_code == 401
    assert metrics.status_code == 200, metrics.text
    samples = parse(metrics.text)
    assert value(samples, "babelwire_metrics_source_up", source="broker") == 0
    assert value(samples, "babelwire_metrics_source_up", source="database") == 1


def test_readyz_gives_up_on_hung_dependencies_within_two_seconds(silent_server: int, tmp_path: Path):
    process, base = _serve(
        "services.ingest.app:app",
        {
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{silent_server}/babelwire",
            "REDIS_URL": f"redis://127.0.0.1:{silent_server}/0",
        },
        tmp_path / "ingest.log",
    )
    try:
        response, elapsed = _timed_readyz(base)
    finally:
        stop_process(process)
    assert response.status_code == 503, response.text
    checks = response.json()["checks"]
    assert {checks["database"], checks["broker"]} <= {"timeout", "failed"}
    assert set(checks) == {"database", "broker", "periodic"} and checks["periodic"] == "unknown"
    assert elapsed < 2.0, f"answered after {elapsed:.2f}s"


POISON = POISON_FILE
POISON_TRIGGER = poison_trigger("poison file refused by the metrics test")


def test_worker_metrics_sum_task_outcomes_and_durations_over_its_children(scratch_database: str, tmp_path: Path):
    from babelwire.jobs import IncomingFile, create_job
    from workers.app import PROCESS_FILE, celery_app

    queue = f"babelwire-metrics-{uuid.uuid4().hex[:8]}"
    port = free_port()
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"left over from an earlier run")
    with psycopg.connect(scratch_database, autocommit=True, row_factory=psycopg.rows.dict_row) as db:
        db.execute(POISON_TRIGGER)
        worker = start_worker(
            f"metrics-{uuid.uuid4().hex[:6]}", concurrency=2, log_path=tmp_path / "worker.log",
            extra_env={
                "DATABASE_URL": scratch_database,
                "BABELWIRE_QUEUE": queue,
                "BABELWIRE_WORKER_METRICS_PORT": str(port),
                "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
                "BABELWIRE_TASK_MAX_RETRIES": "1",
                "BABELWIRE_TASK_RETRY_BACKOFF_MAX_SECONDS": "1",
                "BABELWIRE_REQUEUE_AFTER_SECONDS": "3600",
            },
        )
        try:
            assert not (metrics_dir / "counter_999999.db").exists()  # the launcher's directory is emptied at start
            text = story(EN_WORDS, uuid.uuid4().hex)
            files = [
                IncomingFile("en.txt", text, 0), IncomingFile("copy.txt", text, 0),
                IncomingFile("vi.txt", story(VI_WORDS, uuid.uuid4().hex), 0),
                IncomingFile("image.png", PNG, 0), IncomingFile(POISON, story(RU_WORDS, uuid.uuid4().hex), 0),
            ]
            with db.transaction():
                job_id, file_ids = create_job(db, files)
            for file_id in file_ids:
                celery_app.send_task(PROCESS_FILE, args=[file_id], queue=queue)
            _wait_for_final_job(db, job_id, timeout=60)
            expected = {"created": 2, "duplicate": 1, "rejected": 1, "retried": 1, "failed": 1}
            deadline = time.monotonic() + 10
            while True:  # the counts follow each task's commit by a moment
                samples = parse(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text)
                outcomes = {
                    dict(labels)["outcome"]: int(v)
                    for (name, labels), v in samples.items()
                    if name == "babelwire_worker_tasks_total" and dict(labels)["task"] == PROCESS_FILE
                }
                file_outcomes = {
                    dict(labels)["outcome"]: int(v)
                    for (name, labels), v in samples.items() if name == "babelwire_worker_files_total"
                }
                if (outcomes == expected and file_outcomes == expected) or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
        finally:
            stop_process(worker)
    assert outcomes == expected
    assert file_outcomes == expected  # the same attempts, counted per file
    runs = value(samples, "babelwire_worker_task_duration_seconds_count", task=PROCESS_FILE)
    assert runs == sum(expected.values())  # every run timed, the retried one included
    assert value(samples, "babelwire_worker_task_duration_seconds_sum", task=PROCESS_FILE) > 0
    buckets = sorted(
        (float(dict(labels)["le"]), v) for (name, labels), v in samples.items()
        if name == "babelwire_worker_task_duration_seconds_bucket" and dict(labels)["task"] == PROCESS_FILE
    )
    assert buckets[-1] == (float("inf"), runs) and all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:]))
    # The children wrote the counts; the main process, which runs no task, served their sum.
    assert list(metrics_dir.glob("counter_*.db")) and list(metrics_dir.glob("histogram_*.db"))


def _wait_for_final_job(db: psycopg.Connection, job_id, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = db.execute("SELECT * FROM jobs WHERE id = %s", (job_id,)).fetchone()
        if job["status"] in {"succeeded", "partially_failed", "failed"}:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} not finished after {timeout}s: {job}")
        time.sleep(0.2)

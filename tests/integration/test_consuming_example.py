"""The README's worked example: examples/follow_changes.py follows the feed of a real read API
process, keeps its place in a cursor file, and a second run sees only what is new."""

import os
import time
import subprocess
import sys

from tests.integration.helpers import API_KEYS, REPO, free_port, stop_process, upload, wait_for_http, wait_for_job
from tests.texts import EN_WORDS, prose


def follow_once(api_url: str, cursor_file) -> list[str]:
    run = subprocess.run(
        [sys.executable, "examples/follow_changes.py", api_url, "--once"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
        env={**os.environ, "BABELWIRE_KEY": API_KEYS["read"], "BABELWIRE_CURSOR_FILE": str(cursor_file)},
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


def test_the_follower_resumes_where_it_stopped(ingest, tmp_path):
    port = free_port()
    with (tmp_path / "api.log").open("wb") as log:
        api = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "services.api.app:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", api)
        url, cursor = f"http://127.0.0.1:{port}", tmp_path / "cursor"
        first_job = wait_for_job(ingest, upload(ingest, [("one.txt", prose(EN_WORDS).encode())])["job_id"])
        first = follow_once(url, cursor)
        second_job = wait_for_job(ingest, upload(ingest, [("two.txt", prose(EN_WORDS).encode())])["job_id"])
        second = follow_once(url, cursor)
        third = follow_once(url, cursor)
    finally:
        stop_process(api)

    assert f"job.finished None None {first_job['job_id']}" in first
    assert f"job.finished None None {second_job['job_id']}" not in first
    assert f"job.finished None None {second_job['job_id']}" in second
    assert f"article.created {second_job['files'][0]['article_id']} None {second_job['job_id']}" in second
    assert not set(first) & set(second)  # every line names a different subject: nothing seen twice
    assert third == []


def test_the_webhook_receiver_verifies_what_babelwire_sends(ingest, api, tmp_path):
    from tests.integration.helpers import bearer

    port = free_port()
    registered = api.post("/v1/webhooks", json={"url": f"http://127.0.0.1:{port}/", "kinds": ["article.created"]},
                          headers=bearer("admin"))
    assert registered.status_code == 201, registered.text
    log_path = tmp_path / "receiver.log"
    with log_path.open("wb") as log:
        receiver = subprocess.Popen(
            [sys.executable, "examples/receive_webhooks.py", str(port)], cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "BABELWIRE_WEBHOOK_SECRET": registered.json()["secret"]},
        )
    try:
        job = wait_for_job(ingest, upload(ingest, [("hooked.txt", prose(EN_WORDS).encode())])["job_id"])
        expected = f"verified article.created {job['files'][0]['article_id']} {job['job_id']}"
        deadline = time.monotonic() + 60
        while expected not in log_path.read_text() and time.monotonic() < deadline:
            assert receiver.poll() is None, log_path.read_text()
            time.sleep(0.3)
    finally:
        stop_process(receiver)
        api.delete(f"/v1/webhooks/{registered.json()['id']}", headers=bearer("admin"))
    assert expected in log_path.read_text()
    assert "rejected" not in log_path.read_text()

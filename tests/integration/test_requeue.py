"""An accepted file is never lost: when the broker cannot take it, the job is still accepted and
the periodic re-enqueue sends the file once the broker answers."""

import os
import subprocess
import sys
import time

import httpx

from tests.integration.helpers import REPO, bearer, free_port, stop_process, wait_for_http, wait_for_job


def test_files_accepted_while_the_broker_is_down_are_processed_by_the_periodic_requeue(worker, db, api, tmp_path):
    port = free_port()
    dead_broker = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    log = (tmp_path / "ingest.log").open("wb")
    ingest = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "services.ingest.app:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        env={**os.environ, "REDIS_URL": dead_broker},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", ingest)
        text = "Một bài báo tiếng Việt về hội nghị an ninh mạng tại Hà Nội, được gửi khi hàng đợi ngừng hoạt động.".encode()
        started = time.monotonic()
        response = httpx.post(
            f"http://127.0.0.1:{port}/v1/jobs",
            files=[("files", ("while-redis-down.txt", text + os.urandom(4).hex().encode(), "text/plain"))],
            headers=bearer("ingest"),
            timeout=30,
        )
        answered_in = time.monotonic() - started
    finally:
        stop_process(ingest)

    assert response.status_code == 202, response.text
    assert answered_in < 10, f"the upload waited {answered_in:.1f}s on a dead broker"
    job_id = response.json()["job_id"]
    stored = db.execute("SELECT status, enqueued_at, content FROM job_files WHERE job_id = %s", (job_id,)).fetchone()
    assert stored["enqueued_at"] is None and stored["content"]
    assert "broker unavailable" in (tmp_path / "ingest.log").read_text()

    job = wait_for_job(api, job_id, timeout=60)

    assert job["status"] == "succeeded" and job["counts"]["created"] == 1
    # Only a successful publish records a send time, and the ingest process never managed one.
    resent = db.execute("SELECT enqueued_at FROM job_files WHERE job_id = %s", (job_id,)).fetchone()
    assert resent["enqueued_at"] is not None

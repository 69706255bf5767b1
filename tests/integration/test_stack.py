"""`babelwire up` (what `make run` starts): the real processes over real HTTP, stopped by Ctrl-C."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.integration.helpers import REPO, bearer, free_port, wait_for_http
from tests.seeds import seed_bytes


def start_stack(env: dict[str, str], data_dir: Path, log: Path) -> tuple[subprocess.Popen, str, str]:
    ingest_port, api_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "babelwire.cli", "--data-dir", str(data_dir), "up"],
        cwd=REPO,
        env={**env, "BABELWIRE_INGEST_PORT": str(ingest_port), "BABELWIRE_API_PORT": str(api_port)},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    ingest, api = f"http://127.0.0.1:{ingest_port}", f"http://127.0.0.1:{api_port}"
    wait_for_http(f"{ingest}/healthz", process, timeout=90)
    wait_for_http(f"{api}/healthz", process, timeout=30)
    return process, ingest, api


def interrupt(process: subprocess.Popen) -> tuple[int, list[psutil.Process]]:
    """Ctrl-C as a terminal sends it; returns the exit status and any process left behind."""
    family = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGINT)
    status = process.wait(timeout=90)
    _, alive = psutil.wait_procs(family, timeout=10)
    return status, alive


def ingest_and_wait(ingest: str, name: str, content: bytes, headers: dict[str, str] | None = None) -> dict:
    accepted = httpx.post(f"{ingest}/v1/jobs", files=[("files", (name, content, "text/plain"))], headers=headers, timeout=30)
    assert accepted.status_code == 202, accepted.text
    deadline = time.monotonic() + 60
    while (job := httpx.get(accepted.json()["status_url"], headers=headers).json())["status"] not in {"succeeded", "failed", "partially_failed"}:
        assert time.monotonic() < deadline, job
        time.sleep(0.3)
    return job


def test_up_serves_both_apis_and_a_worker_and_ctrl_c_stops_every_process(database, tmp_path):
    # A queue of its own, so that the session's worker cannot take this stack's file: the stack's
    # own worker must do the work, and must still be running when Ctrl-C arrives.
    env = {**os.environ, "BABELWIRE_QUEUE": f"{os.environ['BABELWIRE_QUEUE']}-stack"}
    process, ingest, api = start_stack(env, tmp_path / "data", tmp_path / "up.log")
    try:
        # Text of this test's own: in the session's database a seed variant is a near duplicate.
        content = (
            "दिल्ली में आज सुबह से तेज़ बारिश हो रही है और मौसम विभाग ने अगले तीन दिनों तक और बारिश का अनुमान जताया है।\n\n"
            "शहर की कई सड़कों पर पानी भर जाने से दफ़्तर जाने वाले लोगों को काफ़ी परेशानी हुई, स्थानीय प्रशासन ने बताया।\n"
        ).encode()
        # Configured servers: keys are required, as in any real deployment.
        anonymous = httpx.post(f"{ingest}/v1/jobs", files=[("files", ("x.txt", content, "text/plain"))])
        read_key_on_ingest = httpx.post(f"{ingest}/v1/jobs", files=[("files", ("x.txt", content, "text/plain"))], headers=bearer("read"))
        job = ingest_and_wait(ingest, "variant.txt", content, headers=bearer("admin"))
        article = httpx.get(f"{api}/v1/articles/{job['files'][0]['article_id']}", headers=bearer("read")).json()
    finally:
        status, left_behind = interrupt(process)

    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    assert read_key_on_ingest.status_code == 403
    assert "ANONYMOUS ACCESS IS ON" not in (tmp_path / "up.log").read_text()
    assert job["status"] == "succeeded" and article["language"] == "hi"
    assert status == 0, (tmp_path / "up.log").read_text()[-3000:]
    assert left_behind == []
    assert "Warm shutdown" in (tmp_path / "up.log").read_text()


@pytest.mark.timeout(600)
def test_embedded_servers_keep_the_records_across_a_restart(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "BABELWIRE_QUEUE")}
    data_dir, log = tmp_path / "data", tmp_path / "up.log"

    process, ingest, api = start_stack(env, data_dir, log)
    try:
        job = ingest_and_wait(ingest, "bn.txt", seed_bytes(0))
    finally:
        first_status, first_left = interrupt(process)
    postgres_stopped = not (data_dir / "postgres" / "postmaster.pid").exists()
    process, ingest, api = start_stack(env, data_dir, log)
    try:
        article = httpx.get(f"{api}/v1/articles/{job['files'][0]['article_id']}")
        again = ingest_and_wait(ingest, "bn-again.txt", seed_bytes(0))
    finally:
        second_status, second_left = interrupt(process)

    assert job["status"] == "succeeded" and article.status_code == 200
    assert "ANONYMOUS ACCESS IS ON" in log.read_text()  # embedded trial mode: no key, said loudly
    assert article.json()["language"] == "bn"
    assert again["files"][0]["duplicate_of"] == article.json()["id"]
    assert (first_status, second_status) == (0, 0), log.read_text()[-3000:]
    assert first_left == second_left == []
    assert postgres_stopped and not (data_dir / "postgres" / "postmaster.pid").exists()

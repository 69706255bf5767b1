"""Helpers for the integration tests: processes, uploads and waiting on jobs."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

FINAL_JOB_STATES = {"succeeded", "partially_failed", "failed"}
REPO = Path(__file__).resolve().parents[2]


def database_url(server_url: str, database: str) -> str:
    """The same server's URL for another database."""
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{database}"))


API_KEYS: dict[str, str] = {}
"""This session's API keys by scope ("ingest", "read", "admin"), made by conftest: tests run with keys in use."""


def bearer(scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {API_KEYS[scope]}"}


def start_worker(
    name: str, concurrency: int, log_path: Path, extra_env: dict[str, str] | None = None, beat: bool = True
) -> subprocess.Popen:
    """A Celery worker process, once it is ready; `beat` embeds the periodic tasks in it."""
    command = [
        sys.executable, "-m", "celery", "-A", "workers.app", "worker",
        *(["--beat"] if beat else []),  # beat's schedule lives in memory (workers/app.py)
        "--hostname", f"{name}@%h", "--concurrency", str(concurrency), "--loglevel", "INFO",
    ]
    # Plain log lines unless extra_env says otherwise: tests such as test_faults read them in
    # Celery's line format (test_cli checks the JSON format, the default).
    env = {**os.environ, "BABELWIRE_LOG_FORMAT": "plain", **(extra_env or {})}
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while b"ready." not in log_path.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"worker {name} did not start:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.2)
    return process


def stop_process(process: subprocess.Popen, timeout: float = 30) -> int:
    process.terminate()
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def upload(client, files: list[tuple[str, bytes]]) -> dict:
    response = client.post("/v1/jobs", files=[("files", (name, content, "text/plain")) for name, content in files])
    assert response.status_code == 202, response.text
    return response.json()


def wait_for_job(client, job_id: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in FINAL_JOB_STATES:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} not finished after {timeout}s: {job}")
        time.sleep(0.2)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout}s")
        time.sleep(0.2)


POISON_FILE = "poison.txt"


def poison_trigger(message: str, name: str = POISON_FILE) -> str:
    """SQL for a trigger that refuses to store an outcome other than "failed" for the file `name`,
    so every attempt of the real pipeline fails at its last write (and rolls back its article)
    while the worker's give-up write goes through. Only the step from queued to done is refused."""
    return f"""
CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{message}';
END $$;
CREATE TRIGGER refuse_poison BEFORE UPDATE ON job_files FOR EACH ROW
    WHEN (NEW.name = '{name}' AND OLD.status = 'queued' AND NEW.status IN ('created', 'duplicate'))
    EXECUTE FUNCTION refuse_poison();
"""

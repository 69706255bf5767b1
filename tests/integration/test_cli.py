"""The `babelwire` command as a user runs it: the installed console script, as a process, against
real processes of its own stack (an ingest API and a read API under uvicorn, a worker started with
`babelwire worker` on a queue of this module's own, so its JSON log holds this module's files only),
on the session's test database; and Flower watching that worker."""

import json
import os
import pty
import select
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.integration.helpers import (
    API_KEYS,
    REPO,
    free_port,
    stop_process,
    wait_for_http,
)
from tests.texts import EN_WORDS, RU_WORDS, VI_WORDS, prose

BABELWIRE = Path(sys.executable).parent / "babelwire"
"""The console script pip installed beside this interpreter."""
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@dataclass(frozen=True)
class Stack:
    ingest_url: str
    read_url: str
    env: dict[str, str]
    worker_name: str
    worker_log: Path
    ingest_log: Path


@pytest.fixture(scope="module")
def stack(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("cli-stack")
    queue = f"babelwire-cli-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "BABELWIRE_QUEUE": queue, "BABELWIRE_LOG_FORMAT": "json"}
    worker_name = f"cli-{uuid.uuid4().hex[:6]}@127.0.0.1"
    ingest_port, read_port = free_port(), free_port()
    processes: list[subprocess.Popen] = []
    try:
        worker = _spawn(
            [BABELWIRE, "worker", "--concurrency", "1", "--hostname", worker_name], env, logs / "worker.log", processes
        )
        deadline = time.monotonic() + 60
        while b"ready." not in (logs / "worker.log").read_bytes():
            assert worker.poll() is None and time.monotonic() < deadline, (logs / "worker.log").read_text()
            time.sleep(0.2)
        for app, port, log in (("services.ingest.app", ingest_port, "ingest.log"), ("services.api.app", read_port, "api.log")):
            server = _spawn(
                [sys.executable, "-m", "uvicorn", f"{app}:app", "--host", "127.0.0.1", "--port", str(port)],
                env, logs / log, processes,
            )
            wait_for_http(f"http://127.0.0.1:{port}/healthz", server)
        yield Stack(
            f"http://127.0.0.1:{ingest_port}", f"http://127.0.0.1:{read_port}", env, worker_name,
            logs / "worker.log", logs / "ingest.log",
        )
    finally:
        for process in reversed(processes):
            stop_process(process)
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).delete(queue, f"{queue}.periodic")


def _spawn(command: list, env: dict[str, str], log: Path, processes: list[subprocess.Popen]) -> subprocess.Popen:
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    processes.append(process)
    return process


def babelwire(stack: Stack, *args: str, key: str | None = "admin", timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**stack.env, "BABELWIRE_INGEST_URL": stack.ingest_url, "BABELWIRE_API_URL": stack.read_url}
    env.pop("BABELWIRE_API_KEY", None)
    if key:
        env["BABELWIRE_API_KEY"] = API_KEYS[key]
    return subprocess.run(
        [BABELWIRE, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def table(stdout: str) -> dict[str, list[int]]:
    """The summary table: language -> [created, duplicates, failed]."""
    lines = stdout.splitlines()
    header = lines.index(next(line for line in lines if line.split()[:4] == ["language", "created", "duplicates", "failed"]))
    rows = {}
    for line in lines[header + 1:]:
        cells = line.split()
        rows[cells[0]] = [int(cell) for cell in cells[1:]]
        if cells[0] == "total":
            return rows
    raise AssertionError(f"no total row in {stdout!r}")


def test_ingest_uploads_folders_and_archives_in_batches_and_summarises_per_language(stack: Stack, tmp_path: Path) -> None:
    english, vietnamese, russian = prose(EN_WORDS), prose(VI_WORDS), prose(RU_WORDS)
    (tmp_path / "more").mkdir()
    (tmp_path / "en.txt").write_text(english)
    (tmp_path / "vi.txt").write_text(vietnamese)
    (tmp_path / "more" / "vi-again.txt").write_text(vietnamese)  # an exact copy: a duplicate
    (tmp_path / "more" / "ru.txt").write_text(russian)
    (tmp_path / ".hidden.txt").write_text(prose(EN_WORDS))  # skipped: hidden
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as bundle:  # sent as is, expanded by the API
        bundle.writestr("a.txt", prose(EN_WORDS))
        bundle.writestr("b.txt", prose(RU_WORDS))

    run = babelwire(stack, "ingest", "--batch-size", "2", str(tmp_path), key="ingest")

    assert run.returncode == 0, (run.stdout, run.stderr)
    # Five files in three uploads of at most two; the zip became two files of its job.
    uploads = [line for line in run.stderr.splitlines() if line.startswith("uploaded ")]
    assert [line.split(":")[0] for line in uploads] == ["uploaded 1/3", "uploaded 2/3", "uploaded 3/3"], run.stderr
    assert sum(int(line.rsplit(", ", 1)[1].split()[0]) for line in uploads) == 6, run.stderr
    progress = [line for line in run.stderr.splitlines() if line.startswith("processing: ")]
    assert progress[0] == "processing: 0/6 files" and progress[-1] == "processing: 6/6 files", run.stderr
    assert table(run.stdout) == {"en": [2, 0, 0], "ru": [2, 0, 0], "vi": [1, 1, 0], "total": [5, 1, 0]}, run.stdout
    assert "failed:" not in run.stdout

    # What it uploaded is there to read, under the names the job recorded.
    exported = tmp_path / "ru.ndjson"
    export = babelwire(stack, "export", "--output", str(exported), "--lang", "ru", key="read")
    assert export.returncode == 0, export.stderr
    records = [json.loads(line) for line in exported.read_text().splitlines()]
    assert f"exported {len(records)} article(s) to {exported}" in export.stderr
    assert {record["language"] for record in records} == {"ru"}
    by_name = {record["origin"]["name"]: record for record in records}
    assert by_name["more/ru.txt"]["text"] == russian
    assert "bundle.zip/b.txt" in by_name
    assert not (tmp_path / "ru.ndjson.part").exists()


def test_ingest_exits_1_and_names_the_files_that_failed(stack: Stack, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(prose(EN_WORDS))
    (tmp_path / "scan.png").write_bytes(PNG)

    run = babelwire(stack, "ingest", str(tmp_path / "good.txt"), str(tmp_path / "scan.png"), key="ingest")

    assert run.returncode == 1, (run.stdout, run.stderr)
    assert table(run.stdout) == {"en": [1, 0, 0], "-": [0, 0, 1], "total": [1, 0, 1]}, run.stdout
    assert "failed: scan.png: binary data: looks like a PNG image" in run.stdout


def test_ingest_exits_2_on_usage_and_connection_errors(stack: Stack, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(prose(EN_WORDS))

    missing = babelwire(stack, "ingest", str(tmp_path / "nowhere"), key="ingest")
    assert missing.returncode == 2 and "does not exist" in missing.stderr, missing.stderr

    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = babelwire(stack, "ingest", str(empty), key="ingest")
    assert nothing.returncode == 2 and "no files to upload" in nothing.stderr, nothing.stderr

    closed_port = free_port()
    unreachable = babelwire(stack, "ingest", "--url", f"http://127.0.0.1:{closed_port}", str(article), key="ingest")
    assert unreachable.returncode == 2, unreachable.stderr
    assert f"cannot reach http://127.0.0.1:{closed_port}" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr

    no_key = babelwire(stack, "ingest", str(article), key=None)
    assert no_key.returncode == 2 and "401" in no_key.stderr and "BABELWIRE_API_KEY" in no_key.stderr, no_key.stderr
    wrong_scope = babelwire(stack, "ingest", str(article), key="read")
    assert wrong_scope.returncode == 2 and "403" in wrong_scope.stderr, wrong_scope.stderr

    bad_option = babelwire(stack, "ingest", "--batch-size", "0", str(article), key="ingest")
    assert bad_option.returncode == 2, bad_option.stderr


def test_ingest_draws_a_progress_bar_on_a_terminal(stack: Stack, tmp_path: Path) -> None:
    for number in range(3):
        (tmp_path / f"{number}.txt").write_text(prose(EN_WORDS))
    env = {**stack.env, "BABELWIRE_INGEST_URL": stack.ingest_url, "BABELWIRE_API_KEY": API_KEYS["ingest"], "COLUMNS": "100"}
    controller, terminal = pty.openpty()
    try:
        run = subprocess.Popen(
            [BABELWIRE, "ingest", str(tmp_path)], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=terminal,
            stdin=subprocess.DEVNULL, text=True,
        )
        os.close(terminal)
        seen = b""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 1)
            if ready:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # the terminal closed: the command has exited
                    break
                if not chunk:
                    break
                seen += chunk
            elif run.poll() is not None:
                break
        stdout, _ = run.communicate(timeout=30)
    finally:
        os.close(controller)
    screen = seen.decode(errors="replace")
    assert run.returncode == 0, (screen, stdout)
    assert "processing  [" in screen and "3/3" in screen, screen
    assert "#" * 36 in screen, screen  # the bar filled
    assert "processing:" not in screen  # no line-per-update fallback on a terminal
    assert table(stdout)["total"] == [3, 0, 0], stdout


def test_keys_are_made_listed_and_revoked_and_a_revoked_key_is_refused(stack: Stack, tmp_path: Path) -> None:
    made = babelwire(stack, "keys", "create", "--name", "cli-test", "--scope", "ingest", key=None)
    assert made.returncode == 0, made.stderr
    key_id, secret = made.stdout.split()[1], made.stdout.split()[-1]
    assert secret.startswith("bw_")
    listing = babelwire(stack, "keys", "list", key=None)
    assert f"{key_id}\tcli-test\tingest\tlive" in listing.stdout, listing.stdout

    article = tmp_path / "a.txt"
    article.write_text(prose(EN_WORDS))
    env_key = {**stack.env, "BABELWIRE_INGEST_URL": stack.ingest_url}
    accepted = subprocess.run([BABELWIRE, "ingest", "--key", secret, str(article)], env=env_key, capture_output=True, text=True, timeout=120)
    assert accepted.returncode == 0, accepted.stderr

    revoked = babelwire(stack, "keys", "revoke", key_id, key=None)
    assert revoked.returncode == 0 and f"key {key_id} (cli-test) revoked" in revoked.stdout, revoked.stderr
    assert "revoked 20" in babelwire(stack, "keys", "list", key=None).stdout
    refused = subprocess.run([BABELWIRE, "ingest", "--key", secret, str(article)], env=env_key, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "401" in refused.stderr, refused.stderr
    assert babelwire(stack, "keys", "revoke", "999999", key=None).returncode == 1


def test_export_streams_every_canonical_article_to_a_file_or_stdout(stack: Stack, tmp_path: Path) -> None:
    text = prose(VI_WORDS)
    (tmp_path / "vi.txt").write_text(text)
    assert babelwire(stack, "ingest", str(tmp_path / "vi.txt"), key="ingest").returncode == 0

    to_file = babelwire(stack, "export", "-o", str(tmp_path / "all.ndjson"), key="read")
    assert to_file.returncode == 0, to_file.stderr
    records = [json.loads(line) for line in (tmp_path / "all.ndjson").read_text().splitlines()]
    assert any(record["text"] == text for record in records)
    assert all(record["duplicate_of"] is None for record in records)  # canonical articles only

    to_stdout = babelwire(stack, "export", "--output", "-", "--lang", "vi", key="read")
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert any(json.loads(line)["text"] == text for line in to_stdout.stdout.splitlines())

    refused = babelwire(stack, "export", "-o", str(tmp_path / "no.ndjson"), key="ingest")
    assert refused.returncode == 2 and "403" in refused.stderr, refused.stderr
    assert not (tmp_path / "no.ndjson").exists()


def test_worker_logs_json_lines_with_ids_and_one_decision_per_file(stack: Stack, tmp_path: Path) -> None:
    url = f"https://news.example/{uuid.uuid4().hex}"
    english = prose(EN_WORDS)
    (tmp_path / "1-en.txt").write_text(f"{english}\nSource: {url}\n")
    (tmp_path / "2-vi.txt").write_text(f"{prose(VI_WORDS)}\nSource: {url}\n")  # the same URL: linked
    (tmp_path / "3-en-again.txt").write_text(f"{english}\nSource: {url}\n")  # exact copy of 1
    (tmp_path / "4-scan.png").write_bytes(PNG)
    mark = stack.worker_log.stat().st_size

    run = babelwire(stack, "ingest", "--batch-size", "10", str(tmp_path), key="ingest")
    assert run.returncode == 1, (run.stdout, run.stderr)  # the PNG
    job_id = next(line.split("job ")[1].split(",")[0] for line in run.stderr.splitlines() if line.startswith("uploaded"))
    job = httpx.get(f"{stack.ingest_url}/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {API_KEYS['ingest']}"}).json()
    files = {file["name"]: file for file in job["files"]}

    lines = _log_lines(stack.worker_log, mark, until=lambda records: sum("decision" in r for r in records) >= 4)
    decisions = {record["file_id"]: record for record in lines if "decision" in record}
    assert set(decisions) == {file["id"] for file in files.values()}, decisions
    assert len([record for record in lines if "decision" in record]) == 4  # one line per file, no more

    new, linked = decisions[files["1-en.txt"]["id"]], decisions[files["2-vi.txt"]["id"]]
    duplicate, rejected = decisions[files["3-en-again.txt"]["id"]], decisions[files["4-scan.png"]["id"]]
    assert new["decision"] == "new" and new["article_id"] == files["1-en.txt"]["article_id"], new
    assert linked["decision"] == "linked" and linked["score"] == 1.0 and linked["linked_to"] == new["article_id"], linked
    assert linked["group_id"] is not None and f"linked to group {linked['group_id']} with score 1.000" in linked["message"]
    assert duplicate["decision"] == "duplicate" and duplicate["duplicate_of"] == new["article_id"], duplicate
    assert duplicate["match"] == "exact" and duplicate["similarity"] == 1.0
    assert f"duplicate of article {new['article_id']} (exact" in duplicate["message"]
    assert rejected["decision"] == "rejected" and "PNG" in rejected["reason"], rejected
    for record in decisions.values():
        assert record["job_id"] == job_id and record["level"] == "INFO" and record["logger"] == "workers.tasks"

    # Celery's own lines about these tasks carry the ids too: received (main process), succeeded
    # (child). The upload's four files went out as one batch task, whose lines name them all.
    for file in files.values():
        about = [r for r in lines if r.get("file_id") == file["id"] or file["id"] in r.get("file_ids", [])]
        assert any(r["message"].endswith(" received") for r in about), about
        assert any(" succeeded in " in r["message"] and r.get("job_id") == job_id for r in about), about

    ingest_lines = [json.loads(line) for line in stack.ingest_log.read_text().splitlines() if line.startswith("{")]
    assert any(r.get("job_id") == job_id and "accepted: 4 file(s)" in r["message"] for r in ingest_lines)
    assert any(r.get("job_id") == job_id and r["logger"] == "uvicorn.access" and "GET /v1/jobs/" in r["message"] for r in ingest_lines)


def _log_lines(log: Path, start: int, until, timeout: float = 30) -> list[dict]:
    """The JSON lines the log gained after byte `start`, once `until` holds (or the timeout passes).
    Every log line must be JSON: only Celery's start-up banner, printed before logging, is not."""
    deadline = time.monotonic() + timeout
    while True:
        with log.open("rb") as handle:
            handle.seek(start)
            text = handle.read().decode()
        complete = text[: text.rfind("\n") + 1]
        records = [json.loads(line) for line in complete.splitlines() if line.strip()]
        if until(records) or time.monotonic() > deadline:
            return records
        time.sleep(0.2)


def test_flower_shows_the_running_worker(stack: Stack, tmp_path: Path) -> None:
    port = free_port()
    with (tmp_path / "flower.log").open("wb") as log:
        flower = subprocess.Popen(
            [BABELWIRE, "flower", "--port", str(port), "--address", "127.0.0.1"],
            cwd=REPO, env={**stack.env, "FLOWER_UNAUTHENTICATED_API": "true"}, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthcheck", flower, timeout=60)
        deadline = time.monotonic() + 60
        workers: dict = {}
        while stack.worker_name not in workers:
            assert time.monotonic() < deadline, (workers, (tmp_path / "flower.log").read_text())
            # Flower asks every worker on the broker (ping, stats, active queues) and answers with what it heard.
            response = httpx.get(f"http://127.0.0.1:{port}/api/workers", params={"refresh": "1"}, timeout=30)
            assert response.status_code == 200, response.text
            workers = response.json()
            time.sleep(0.5)
        queues = [queue["name"] for queue in workers[stack.worker_name]["active_queues"]]
        # The files' queue and the periodic tasks' own (workers/app.py).
        assert queues == [stack.env["BABELWIRE_QUEUE"], f"{stack.env['BABELWIRE_QUEUE']}.periodic"], queues
    finally:
        stop_process(flower)

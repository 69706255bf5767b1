"""The upload form's limits are the service's (issue 16): the file count follows
BABELWIRE_MAX_FILES_PER_REQUEST past the form parser's 1,000, a file name too long is the
service's 413 (not the parser's "Invalid multipart data."), a part with another name than `files`
is named in a 422, and a name with bidirectional controls is shown escaped on the review page."""

import re

import pytest

from services.ingest.uploads import MAX_NAME_CHARS
from tests.integration.helpers import bearer, upload, wait_for_job
from tests.texts import EN_WORDS, prose

PROBLEM_JSON = "application/problem+json"


def _files(count: int, content: bytes = b"ab") -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (f"{i}.txt", content, "text/plain")) for i in range(count)]


@pytest.fixture
def refused_at_the_door(monkeypatch):
    """Every two-byte file is over the file limit, so a big upload is recorded without work for the worker."""
    from babelwire.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_file_bytes", 1)


def test_a_file_limit_above_a_thousand_is_honoured(ingest, monkeypatch, refused_at_the_door):
    from babelwire.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_files_per_request", 1500)
    response = ingest.post("/v1/jobs", files=_files(1200))

    assert response.status_code == 202, response.text
    job = wait_for_job(ingest, response.json()["job_id"])
    assert job["counts"]["total"] == 1200 and job["status"] == "failed"
    assert job["files"][0]["error"] == "file is 2 bytes; the limit is 1"


def test_more_files_than_the_default_limit_is_the_services_413(ingest, refused_at_the_door):
    response = ingest.post("/v1/jobs", files=_files(1001))

    assert response.status_code == 413 and response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["detail"] == "more than 1000 files in one request; the limit is 1000 (BABELWIRE_MAX_FILES_PER_REQUEST)"


@pytest.mark.parametrize("length", [MAX_NAME_CHARS + 1, 5000, 20000])
def test_a_file_name_over_the_limit_is_the_services_413(ingest, length):
    name = "n" * (length - 4) + ".txt"
    response = ingest.post("/v1/jobs", files=[("files", ("good.txt", prose(EN_WORDS).encode(), "text/plain")),
                                              ("files", (name, prose(EN_WORDS).encode(), "text/plain"))])

    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    detail = response.json()["detail"]
    assert f"at most {MAX_NAME_CHARS} characters" in detail or f"the limit is {MAX_NAME_CHARS}" in detail, detail
    assert "Invalid multipart data" not in detail


def test_a_file_name_at_the_limit_is_kept_whole(ingest):
    name = "n" * (MAX_NAME_CHARS - 4) + ".txt"
    accepted = upload(ingest, [(name, prose(EN_WORDS).encode())])
    job = wait_for_job(ingest, accepted["job_id"])
    assert [f["name"] for f in job["files"]] == [name]


def test_a_part_with_another_name_is_named_in_a_422(ingest, db):
    jobs_before = db.execute("SELECT count(*) AS n FROM jobs").fetchone()["n"]
    response = ingest.post("/v1/jobs", files=[("files", ("good.txt", prose(EN_WORDS).encode(), "text/plain")),
                                              ("file", ("dropped.txt", prose(EN_WORDS).encode(), "text/plain"))])

    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["detail"].startswith("unknown form part(s) 'file': send each file as a part named 'files'")
    assert db.execute("SELECT count(*) AS n FROM jobs").fetchone()["n"] == jobs_before, "nothing stored"


def test_a_name_with_bidi_controls_is_shown_escaped_on_the_review_page(ingest, api):
    name = "invoice\u202etxt.exe"
    accepted = upload(ingest, [(name, prose(EN_WORDS).encode())])
    job = wait_for_job(ingest, accepted["job_id"])
    assert [f["name"] for f in job["files"]] == [name], "JSON keeps the exact name"

    page = api.get(f"/review/jobs/{accepted['job_id']}", headers=bearer("read"))
    assert page.status_code == 200, page.text
    assert "\u202e" not in page.text
    assert re.search(r"<td>invoice\\u202etxt\.exe</td>", page.text), page.text
    article = api.get(f"/review/articles/{job['files'][0]['article_id']}", headers=bearer("read"))
    assert article.status_code == 200 and "\u202e" not in article.text and "invoice\\u202etxt.exe" in article.text

"""The ingest API's contract: what it accepts, what it refuses, and how each file's outcome shows."""

from tests.integration.helpers import upload, wait_for_job

PROBLEM_JSON = "application/problem+json"


def test_a_bad_file_fails_alone_with_its_reason_and_the_good_files_are_processed(ingest, api):
    # Text of this test's own: a seed or a copy of one would be a (near) duplicate of the
    # end-to-end test's articles in this session's database.
    good = (
        "ঢাকায় আজ সকাল থেকে ভারী বৃষ্টি হচ্ছে এবং আবহাওয়া অফিস আগামী তিন দিন আরও বৃষ্টির পূর্বাভাস দিয়েছে।\n\n"
        "শহরের অনেক সড়কে পানি জমে যাওয়ায় অফিসগামী মানুষ দুর্ভোগে পড়েছেন বলে জানিয়েছে স্থানীয় প্রশাসন।\n"
    ).encode()
    damaged = "Nguồn tin: hội nghị ở Hà Nội đã kết thúc".encode() + b"\xff" + "tốt đẹp".encode()
    job = wait_for_job(
        ingest,
        upload(
            ingest,
            [
                ("good.txt", good),
                ("damaged.txt", damaged),
                ("empty.txt", b""),
                ("only-boilerplate.txt", "মন্তব্য (0)\nz1.jpg\n".encode()),
            ],
        )["job_id"],
    )

    assert job["status"] == "partially_failed"
    assert job["counts"] == {"total": 4, "processed": 4, "created": 1, "duplicates": 0, "failed": 3}
    good_file, damaged_file, empty, boilerplate = job["files"]
    assert good_file["status"] == "created" and good_file["error"] is None
    assert api.get(f"/v1/articles/{good_file['article_id']}").json()["language"] == "bn"
    assert damaged_file["status"] == "failed"
    bad_byte_at = damaged.index(b"\xff")
    assert damaged_file["error"].startswith(f"not valid UTF-8: byte 0xff at offset {bad_byte_at}")
    assert empty == {**empty, "status": "failed", "error": "empty file", "article_id": None}
    assert boilerplate["error"] == "no article text left after removing boilerplate"


def test_a_file_over_the_size_limit_is_refused_at_the_door_and_the_rest_still_run(ingest, monkeypatch):
    from babelwire.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_file_bytes", 1000)
    small = "বৈঠকে মন্ত্রী একটি নতুন চুক্তি নিয়ে কথা বলেন এবং দুই দেশের সহযোগিতা নিয়ে আলোচনা করেন।".encode()
    accepted = upload(ingest, [("big.txt", b"x" * 1001), ("small.txt", small)])
    job = wait_for_job(ingest, accepted["job_id"])

    assert accepted["files"] == 2
    assert [f["status"] for f in job["files"]] == ["failed", "created"]
    assert job["files"][0]["error"] == "file is 1001 bytes; the limit is 1000"
    assert job["status"] == "partially_failed"


def test_a_job_whose_every_file_is_refused_at_the_door_is_failed_at_once(ingest, monkeypatch):
    from babelwire.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_file_bytes", 10)
    accepted = upload(ingest, [("a.txt", b"x" * 11), ("b.txt", b"y" * 12)])
    job = ingest.get(f"/v1/jobs/{accepted['job_id']}").json()

    assert job["status"] == "failed" and job["finished_at"] is not None
    assert job["counts"]["failed"] == 2


def test_too_many_files_in_one_request_is_413_problem(ingest, monkeypatch):
    from babelwire.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_files_per_request", 2)
    response = ingest.post("/v1/jobs", files=[("files", (f"{i}.txt", b"text", "text/plain")) for i in range(3)])

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["detail"] == "more than 2 files in one request; the limit is 2 (BABELWIRE_MAX_FILES_PER_REQUEST)"


def test_an_upload_without_files_is_422_problem(ingest):
    response = ingest.post("/v1/jobs", data={"note": "no files"})

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "Unprocessable Entity"
    assert "files" in problem["detail"]


def test_unknown_and_malformed_job_ids_are_problems(ingest, api):
    for client in (ingest, api):
        missing = client.get("/v1/jobs/00000000-0000-4000-8000-000000000000")
        malformed = client.get("/v1/jobs/not-a-uuid")

        assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM_JSON
        assert missing.json()["detail"] == "no job 00000000-0000-4000-8000-000000000000"
        assert malformed.status_code == 422 and malformed.headers["content-type"] == PROBLEM_JSON


def test_the_ingest_app_serves_health_openapi_and_a_location_header(ingest):
    assert ingest.get("/healthz").json() == {"status": "ok"}
    paths = ingest.get("/openapi.json").json()["paths"]
    assert {"/v1/jobs", "/v1/jobs/{job_id}", "/healthz"} <= set(paths)
    response = ingest.post("/v1/jobs", files=[("files", ("x.txt", "Hello there, a short English note.".encode(), "text/plain"))])
    assert response.headers["location"] == response.json()["status_url"]
    assert ingest.get("/nowhere").headers["content-type"] == PROBLEM_JSON


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(ingest, monkeypatch):
    from babelwire.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_request_bytes", 10_000)
    too_big = ingest.post("/v1/jobs", files=[("files", ("big.txt", b"a" * 20_000, "text/plain"))])
    fits = ingest.post("/v1/jobs", files=[("files", ("small.txt", "Một bài báo ngắn về thời tiết ở Huế hôm nay.".encode(), "text/plain"))])

    assert too_big.status_code == 413 and too_big.headers["content-type"] == PROBLEM_JSON
    assert "the limit is 10000" in too_big.json()["detail"]
    assert fits.status_code == 202


def test_a_chunked_body_that_declares_no_length_is_refused_once_it_passes_the_limit(ingest, monkeypatch):
    from babelwire.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_request_bytes", 10_000)

    def body(chunks: int):  # an iterator: httpx sends it chunked, without a Content-Length
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n\r\n'
        for _ in range(chunks):
            yield b"a" * 1000
        yield b"\r\n--b--\r\n"

    headers = {"content-type": "multipart/form-data; boundary=b"}
    too_big = ingest.post("/v1/jobs", content=body(1000), headers=headers)
    fits = ingest.post("/v1/jobs", content=body(5), headers=headers)

    assert too_big.status_code == 413 and too_big.headers["content-type"] == PROBLEM_JSON
    assert too_big.json()["detail"] == "the request body is over 10000 bytes; that is the limit"
    assert fits.status_code == 202

"""Webhooks against a real HTTP receiver on 127.0.0.1: signed deliveries of the kinds asked for,
retries with backoff after failures, every attempt visible, and the admin routes' errors."""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from babelwire.webhook_signatures import verify
from tests.integration.helpers import bearer, upload, wait_for_job
from tests.texts import EN_WORDS, VI_WORDS, prose

PROBLEM_JSON = "application/problem+json"


def _admin() -> dict[str, str]:
    return bearer("admin")


class Receiver:
    """Records every POST by path; answers each path with its scripted statuses in turn, then 200."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.scripts: dict[str, list[int]] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    script = receiver.scripts.get(self.path, [])
                    status = script.pop(0) if script else 200
                    receiver.requests.append({
                        "path": self.path, "headers": dict(self.headers.items()), "body": body,
                        "at": time.monotonic(), "answered": status,
                    })
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def got(self, path: str, job_id: str | None = None) -> list[dict]:
        with self.lock:
            hits = [r for r in self.requests if r["path"] == path]
        if job_id is not None:
            hits = [r for r in hits if json.loads(r["body"])["change"]["job_id"] == job_id]
        return hits

    def wait_for(self, path: str, job_id: str, count: int, timeout: float = 60) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(hits := self.got(path, job_id)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{path}: {len(hits)} of {count} requests after {timeout}s: {self.got(path)}")
            time.sleep(0.1)
        return hits


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    thread = threading.Thread(target=made.server.serve_forever, daemon=True)
    thread.start()
    yield made
    made.server.shutdown()
    made.server.server_close()


@pytest.fixture
def register(api) -> Iterator:
    """Registers webhooks for a test and disables them afterwards, so no later test feeds them."""
    made: list[int] = []

    def register(url: str, kinds: list[str]) -> dict:
        response = api.post("/v1/webhooks", json={"url": url, "kinds": kinds}, headers=_admin())
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
        return response.json()

    yield register
    for webhook_id in made:
        api.delete(f"/v1/webhooks/{webhook_id}", headers=_admin())


def _deliveries(api, webhook_id: int, **params) -> dict:
    response = api.get(f"/v1/webhooks/{webhook_id}/deliveries", params=params, headers=_admin())
    assert response.status_code == 200, response.text
    return response.json()


def _wait_for_status(api, webhook_id: int, count: int, status: str, timeout: float = 30) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        items = _deliveries(api, webhook_id, limit=1000)["items"]
        if len(items) >= count and all(d["status"] == status for d in items):
            return items
        if time.monotonic() > deadline:
            raise AssertionError(f"deliveries of webhook {webhook_id} not all {status} after {timeout}s: {items}")
        time.sleep(0.2)


def test_a_webhook_gets_signed_deliveries_of_its_kinds_only(ingest, api, receiver, register):
    created = register(f"{receiver.url}/created", ["article.created"])
    others = register(f"{receiver.url}/others", ["article.duplicate", "group.merged"])
    disabled = register(f"{receiver.url}/disabled", ["article.created"])
    assert created["secret"].startswith("whsec_") and created["kinds"] == ["article.created"]
    assert api.delete(f"/v1/webhooks/{disabled['id']}", headers=_admin()).json()["disabled_at"] is not None

    job = wait_for_job(ingest, upload(ingest, [
        ("en.txt", (prose(EN_WORDS) + "\n\n" + prose(EN_WORDS)).encode()),
        ("vi.txt", (prose(VI_WORDS) + "\n\n" + prose(VI_WORDS)).encode()),
    ])["job_id"])
    assert job["status"] == "succeeded", job
    article_ids = {f["article_id"] for f in job["files"]}

    hits = receiver.wait_for("/created", job["job_id"], count=2)
    bodies = [json.loads(hit["body"]) for hit in hits]
    assert {b["change"]["article_id"] for b in bodies} == article_ids
    assert all(b["change"]["kind"] == "article.created" and b["webhook_id"] == created["id"] for b in bodies)
    for hit, body in zip(hits, bodies, strict=True):
        assert verify(created["secret"], hit["headers"], hit["body"]), hit["headers"]
        assert not verify(others["secret"], hit["headers"], hit["body"])
        assert hit["headers"]["Babelwire-Delivery"] == str(body["delivery_id"])
        assert hit["headers"]["Content-Type"] == "application/json"
    # The change as the feed serves it.
    feed = api.get("/v1/changes", params={"limit": 1000}).json()["items"]
    while len(page := api.get("/v1/changes", params={"limit": 1000, "after": feed[-1]["cursor"]}).json()["items"]):
        feed += page
    served = {c["cursor"]: c for c in feed}
    assert all(served[b["change"]["cursor"]] == b["change"] for b in bodies)

    delivered = _wait_for_status(api, created["id"], 2, "delivered")
    assert [len(d["attempts"]) for d in delivered] == [1, 1]
    assert all(d["attempts"][0]["status_code"] == 200 and d["attempts"][0]["error"] is None for d in delivered)
    assert sorted(d["id"] for d in delivered) == sorted(b["delivery_id"] for b in bodies)
    first = _deliveries(api, created["id"], limit=1)
    second = _deliveries(api, created["id"], limit=1, after=first["next"])
    assert [first["items"][0]["id"], second["items"][0]["id"]] == sorted(d["id"] for d in delivered)
    assert second["next"] is None

    # The job's other changes (job.finished, group.created) have been dispatched by now, too.
    time.sleep(3)
    assert receiver.got("/others") == [] and receiver.got("/disabled") == []
    assert _deliveries(api, others["id"])["items"] == [] and _deliveries(api, disabled["id"])["items"] == []


def test_a_failing_receiver_gets_the_delivery_again_with_backoff(ingest, api, receiver, register):
    receiver.scripts["/flaky"] = [500, 500]
    hook = register(f"{receiver.url}/flaky", ["job.finished"])

    job = wait_for_job(ingest, upload(ingest, [("en.txt", prose(EN_WORDS).encode())])["job_id"])
    hits = receiver.wait_for("/flaky", job["job_id"], count=3)

    assert [hit["answered"] for hit in hits] == [500, 500, 200]
    assert len({hit["headers"]["Babelwire-Delivery"] for hit in hits}) == 1, "one delivery, tried three times"
    assert all(verify(hook["secret"], hit["headers"], hit["body"]) for hit in hits)
    # Base 0.6 s in conftest: the first retry waits at least 0.3 s, the second at least 0.6 s.
    gaps = [later["at"] - earlier["at"] for earlier, later in zip(hits, hits[1:])]
    assert gaps[0] >= 0.3 and gaps[1] >= 0.6, gaps

    [delivery] = _wait_for_status(api, hook["id"], 1, "delivered")
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 500, 200]
    assert [a["attempt"] for a in delivery["attempts"]] == [1, 2, 3]
    assert [a["error"] for a in delivery["attempts"]] == ["HTTP 500", "HTTP 500", None]
    assert delivery["change"]["kind"] == "job.finished" and delivery["change"]["job_id"] == job["job_id"]
    assert delivery["delivered_at"] is not None and delivery["last_error"] is None
    time.sleep(2)
    assert len(receiver.got("/flaky")) == 3, "a delivered delivery is not sent again"


def test_listing_shows_webhooks_without_their_secrets(api, register):
    hook = register("https://consumer.example.org/hook", ["group.created", "group.changed"])
    listed = api.get("/v1/webhooks", headers=_admin()).json()
    [mine] = [w for w in listed if w["id"] == hook["id"]]
    assert mine == {"id": hook["id"], "url": hook["url"], "kinds": ["group.changed", "group.created"],
                    "created_at": hook["created_at"], "disabled_at": None}
    assert all("secret" not in w for w in listed)


def test_no_key_is_401_and_a_read_key_403(api):
    body = {"url": f"https://consumer.example.org/{uuid.uuid4().hex}", "kinds": ["article.created"]}
    anonymous = api.post("/v1/webhooks", json=body, headers={"Authorization": ""})
    assert anonymous.status_code == 401 and anonymous.headers["content-type"] == PROBLEM_JSON
    wrong = api.post("/v1/webhooks", json=body, headers={"Authorization": "Bearer bw_not-a-key"})
    assert wrong.status_code == 401
    for response in (api.post("/v1/webhooks", json=body), api.get("/v1/webhooks"), api.get("/v1/webhooks/1/deliveries"),
                     api.delete("/v1/webhooks/1")):
        assert response.status_code == 403, response.text  # the fixture's read key
        assert response.headers["content-type"] == PROBLEM_JSON
    assert all(body["url"] != w["url"] for w in api.get("/v1/webhooks", headers=_admin()).json())


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://consumer.example.org/hook", "kinds": ["article.created"]},
        {"url": "consumer.example.org/hook", "kinds": ["article.created"]},
        {"url": "https://", "kinds": ["article.created"]},
        {"url": "https://consumer.example.org/hook", "kinds": ["article.deleted"]},
        {"url": "https://consumer.example.org/hook", "kinds": []},
        {"url": "https://consumer.example.org/hook"},
    ],
)
def test_a_bad_url_or_kind_is_a_422_problem(api, body):
    response = api.post("/v1/webhooks", json=body, headers=_admin())
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON and response.json()["status"] == 422


def test_unknown_webhooks_and_bad_cursors(api):
    assert api.delete(f"/v1/webhooks/{2**62}", headers=_admin()).status_code == 404
    assert api.get(f"/v1/webhooks/{2**62}/deliveries", headers=_admin()).status_code == 404
    assert api.get("/v1/webhooks/0/deliveries", headers=_admin()).status_code == 422
    response = api.get("/v1/webhooks/1/deliveries", params={"after": "x"}, headers=_admin())
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM_JSON


def test_an_attempt_is_claimed_once_and_a_finished_delivery_never_again(db, register):
    """The delivery task's idempotence, on the real tables: a second claim of the same due attempt,
    or any claim of a delivered one, gets nothing; a delivery retried past its time is failed."""
    from workers.webhooks import body_of, claim, deliver_webhook, record_attempt

    hook = register("http://127.0.0.1:9/never-sent", ["group.merged"])
    ids = [
        db.execute(
            """INSERT INTO webhook_deliveries (webhook_id, change_id, kind, payload)
               VALUES (%s, %s, 'group.merged', %s) RETURNING id""",
            (hook["id"], -(n + 1), json.dumps({"kind": "group.merged", "n": n})),
        ).fetchone()["id"]
        for n in range(2)
    ]
    first = claim(db, ids[0], lease_seconds=60)
    assert first is not None and first.attempt == 1 and first.url.endswith("/never-sent")
    assert json.loads(body_of(first)) == {"delivery_id": ids[0], "webhook_id": hook["id"], "change": {"kind": "group.merged", "n": 0}}
    assert claim(db, ids[0], lease_seconds=60) is None, "the same attempt claimed twice"
    at = db.execute("SELECT now() AS at").fetchone()["at"]
    assert record_attempt(db, first, at, 204, None, 5, retry_in=1, retry_for_seconds=86400) == "delivered"
    assert deliver_webhook.run(ids[0]) == "nothing due"
    assert claim(db, ids[0], lease_seconds=0) is None

    given_up = claim(db, ids[1], lease_seconds=0)
    assert record_attempt(db, given_up, at, 503, "HTTP 503", 5, retry_in=0, retry_for_seconds=0) == "failed"
    assert claim(db, ids[1], lease_seconds=0) is None
    assert db.execute("SELECT count(*) AS n FROM webhook_attempts WHERE delivery_id = ANY(%s)", (ids,)).fetchone()["n"] == 2

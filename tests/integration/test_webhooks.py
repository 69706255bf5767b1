"""Webhooks against a real HTTP receiver on 127.0.0.1: signed deliveries of the kinds asked for,
retries with backoff after failures, every attempt visible, and the admin routes' errors.

The test stack allows http and 127.0.0.1 (conftest) as an operator would allow a receiver on
premises; the tests of refused targets take that allowance away. Nothing is sent beyond loopback:
every target is 127.0.0.1 in one spelling or another, or a literal public address that is refused
before any connection for being http."""

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
                if 300 <= status < 400:  # somewhere a delivery must not be led to
                    self.send_header("Location", "/redirected")
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
    hook = register("http://127.0.0.1:9/hook", ["group.created", "group.changed"])
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


LOOPBACK_SPELLINGS = [
    "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1", "[::ffff:127.0.0.1]", "[::1]",
    "localhost", "127.8.9.10",
]
"""127.0.0.1 (or loopback) as dotted, short, decimal, hex, octal, mixed, IPv4-mapped IPv6, IPv6 and a
name /etc/hosts resolves to it."""


@pytest.fixture
def no_internal_targets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The defaults for internal targets (none allowed), read afresh by the API and by delivery."""
    from babelwire.settings import get_settings

    monkeypatch.setenv("BABELWIRE_WEBHOOK_ALLOWED_HOSTS", "")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_an_internal_target_in_any_spelling_is_refused_at_registration(api, no_internal_targets, host):
    for url in (f"https://{host}/hook", f"http://{host}:8001/v1/keys"):
        response = api.post("/v1/webhooks", json={"url": url, "kinds": ["article.created"]}, headers=_admin())
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == PROBLEM_JSON
        detail = response.json()["detail"]
        assert "loopback address" in detail and "BABELWIRE_WEBHOOK_ALLOWED_HOSTS" in detail, detail
    assert all(host not in w["url"] for w in api.get("/v1/webhooks", headers=_admin()).json() if w["disabled_at"] is None)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("https://10.0.0.1/", "a private address"),
        ("https://192.168.1.1/", "a private address"),
        ("https://100.64.0.1/", "a non-public address"),
        ("https://224.0.0.1/", "a multicast address"),
        ("https://0.0.0.0/", "an unspecified address"),
        ("https://[fe80::1]/", "a link-local address"),
        ("https://[fd00::1]/", "a private address"),
        ("https://[::ffff:169.254.169.254]/", "a link-local address"),
    ],
)
def test_other_internal_addresses_are_refused(api, no_internal_targets, url, reason):
    response = api.post("/v1/webhooks", json={"url": url, "kinds": ["article.created"]}, headers=_admin())
    assert response.status_code == 422 and reason in response.json()["detail"], response.text


def test_http_needs_the_operators_allowance(api, monkeypatch):
    """A literal public address, so nothing is looked up: refused for its scheme before anything else."""
    from babelwire.settings import get_settings

    monkeypatch.setenv("BABELWIRE_WEBHOOK_ALLOW_HTTP", "false")
    get_settings.cache_clear()
    try:
        response = api.post("/v1/webhooks", json={"url": "http://192.0.2.1/hook", "kinds": ["article.created"]}, headers=_admin())
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert response.status_code == 422 and "must be an https:// URL" in response.json()["detail"], response.text


def _pending_delivery(db, webhook_id: int) -> int:
    """A delivery due now, of a change that is not in the feed (so the dispatcher makes no other)."""
    return db.execute(
        """INSERT INTO webhook_deliveries (webhook_id, change_id, kind, payload)
           VALUES (%s, %s, 'group.merged', %s) RETURNING id""",
        (webhook_id, -int(time.time() * 1000) % 2**40 - 1, json.dumps({"kind": "group.merged"})),
    ).fetchone()["id"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "2130706433"])
def test_a_target_no_longer_allowed_is_refused_at_delivery_and_nothing_sent(api, db, receiver, register, host, monkeypatch):
    """Registered while the operator allowed 127.0.0.1, then the allowance removed: the attempt is
    refused before any connection, recorded with the reason, and the delivery failed."""
    from babelwire.settings import get_settings
    from workers.webhooks import deliver_webhook

    port = receiver.url.rsplit(":", 1)[1]
    hook = register(f"http://{host}:{port}/late", ["group.merged"])
    delivery_id = _pending_delivery(db, hook["id"])
    monkeypatch.setenv("BABELWIRE_WEBHOOK_ALLOWED_HOSTS", "")
    get_settings.cache_clear()
    try:
        assert deliver_webhook.run(delivery_id) == "refused"
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    assert receiver.got("/late") == []
    [delivery] = [d for d in _deliveries(api, hook["id"])["items"] if d["id"] == delivery_id]
    assert delivery["status"] == "failed" and delivery["next_attempt_at"] is None
    assert delivery["last_error"].startswith("refused, not sent: ") and "loopback address" in delivery["last_error"]
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] is None and attempt["error"] == delivery["last_error"]
    time.sleep(1)
    assert receiver.got("/late") == [], "a refused delivery is not tried again"


def test_an_attempt_goes_to_the_checked_address_with_the_urls_host_and_no_redirect(db, receiver, register):
    """A name is resolved and checked, then the connection goes to that address (pinned) with the
    URL's own Host header; a 3xx is a failed attempt, and its Location is not followed."""
    from workers.webhooks import deliver_webhook

    port = receiver.url.rsplit(":", 1)[1]
    named = register(f"http://localhost:{port}/named", ["group.merged"])
    assert deliver_webhook.run(_pending_delivery(db, named["id"])) == "delivered"
    [hit] = receiver.got("/named")
    assert hit["headers"]["Host"] == f"localhost:{port}"

    receiver.scripts["/moved"] = [302]
    moved = register(f"{receiver.url}/moved", ["group.merged"])
    delivery_id = _pending_delivery(db, moved["id"])
    # The retry goes to the session's worker; this attempt's outcome is what is checked.
    assert deliver_webhook.run(delivery_id) == "pending"
    attempt = db.execute("SELECT status_code, error FROM webhook_attempts WHERE delivery_id = %s", (delivery_id,)).fetchone()
    assert attempt == {"status_code": 302, "error": "HTTP 302"}
    assert receiver.got("/redirected") == []

"""API keys: Bearer keys with scopes on both APIs, made, listed and revoked over HTTP and from the
command line; only hashes stored; 401 without a valid key, 403 without the scope."""

import hashlib
import os
import subprocess
import sys

from tests.integration.helpers import REPO, bearer

PROBLEM_JSON = "application/problem+json"


def test_keys_are_checked_by_scope_on_both_apis(ingest, api):
    no_key = api.get("/v1/articles", headers={"Authorization": ""})
    wrong_key = api.get("/v1/articles", headers={"Authorization": "Bearer bw_not-a-key"})
    ingest_key_on_read = api.get("/v1/articles", headers=bearer("ingest"))
    read_key_on_ingest = ingest.post("/v1/jobs", files=[("files", ("a.txt", b"x", "text/plain"))], headers=bearer("read"))
    admin_key = api.get("/v1/articles", headers=bearer("admin"))

    assert no_key.status_code == wrong_key.status_code == 401
    assert no_key.headers["content-type"] == PROBLEM_JSON and no_key.headers["www-authenticate"] == "Bearer"
    assert ingest_key_on_read.status_code == read_key_on_ingest.status_code == 403
    assert admin_key.status_code == 200  # admin holds every scope
    assert api.get("/healthz", headers={"Authorization": ""}).status_code == 200
    assert api.get("/openapi.json", headers={"Authorization": ""}).status_code == 200


def test_admin_makes_lists_and_revokes_keys_and_only_hashes_are_stored(api, db):
    admin = bearer("admin")
    assert api.post("/v1/keys", json={"name": "x", "scopes": ["read"]}, headers=bearer("read")).status_code == 403
    assert api.post("/v1/keys", json={"name": "x", "scopes": ["write"]}, headers=admin).status_code == 422

    made = api.post("/v1/keys", json={"name": "monitor", "scopes": ["read"]}, headers=admin)
    assert made.status_code == 201
    key = made.json()
    secret = key.pop("key")
    assert api.get("/v1/articles", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = api.get("/v1/keys", headers=admin).json()
    assert key in listed and all("key" not in k for k in listed)
    stored = db.execute("SELECT key_hash FROM api_keys WHERE id = %s", (key["id"],)).fetchone()["key_hash"]
    assert bytes(stored) == hashlib.sha256(secret.encode()).digest()
    assert secret.encode() not in b"".join(bytes(r["key_hash"]) for r in db.execute("SELECT key_hash FROM api_keys"))

    revoked = api.delete(f"/v1/keys/{key['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert api.get("/v1/articles", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert api.delete("/v1/keys/999999999", headers=admin).status_code == 404


def test_the_command_line_makes_and_revokes_keys(api):
    def babelwire(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "babelwire.cli", "keys", *args], cwd=REPO,
                              env=dict(os.environ), capture_output=True, text=True, timeout=60)

    made = babelwire("create", "--name", "cli-made", "--scope", "read", "--scope", "ingest")
    assert made.returncode == 0, made.stderr
    key_id, secret = made.stdout.split()[1], made.stdout.split()[-1]
    assert api.get("/v1/articles", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert f"{key_id}\tcli-made\tingest,read\tlive" in babelwire("list").stdout
    assert babelwire("revoke", key_id).returncode == 0
    assert api.get("/v1/articles", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert babelwire("create", "--name", "bad", "--scope", "everything").returncode != 0

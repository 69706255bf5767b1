"""Fuzz both APIs from their own OpenAPI documents with schemathesis: every operation, valid and
invalid inputs, against the real stack (PostgreSQL, Redis, a Celery worker). No request may end in
a 5xx, and every response must match what the document declares for it: status code, content
type, headers and body schema. Valid input must be accepted and invalid input refused.

Each case is sent with the admin key (every route is reachable with it), then once more as an
outsider (no key, an unknown key or a key of the wrong scope, chosen by the case), which must be
refused with a documented problem. schemathesis' ignored_auth check also probes each operation once without a
key and with a made-up one.

The generator's alphabet is every code point, NUL and the other control characters included
(`allow-x00`, codec utf-8); since 50 random cases seldom put one in a given parameter,
test_every_parameter_refuses_control_characters also sends each query and path parameter of
both documents a valid value spoilt by one control character.

Bounded for CI: derandomized generation (the same cases on every run), at most MAX_EXAMPLES
fuzzed cases per operation (besides schemathesis' examples and boundary values), and no Hypothesis
files written into the tree."""

import json
import os
import re
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit
from uuid import UUID

import psycopg
import pytest
import schemathesis
from psycopg.rows import dict_row
from pydantic import TypeAdapter, ValidationError
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from babelwire.api_keys import revoke_key
from babelwire.auth import METRICS_PATH, OPEN_PATHS
from babelwire.webhooks import disable_webhook
from services.api.app import app as api_app
from services.api.changes import MAX_WAIT_SECONDS
from services.api.webhooks import WEBHOOK_URL_PATTERN
from services.ingest.app import app as ingest_app
from tests.integration.helpers import bearer, free_port, wait_for_job

# Hypothesis keeps caches (and, unless told otherwise, its example database) in .hypothesis/ under
# the working directory: here they go to a temporary directory, removed when the session ends.
_HYPOTHESIS_HOME = tempfile.TemporaryDirectory(prefix="babelwire-hypothesis-")
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", _HYPOTHESIS_HOME.name)

MAX_EXAMPLES = int(os.environ.get("BABELWIRE_FUZZ_MAX_EXAMPLES", "50"))
"""Per operation; raise it locally for a deeper run."""
SEED = os.environ.get("BABELWIRE_FUZZ_SEED")
"""Unset (CI): derandomized, the same cases every run. Set locally to explore other cases."""

CONFIG = schemathesis.Config.from_dict(
    {
        **({"seed": int(SEED)} if SEED else {}),
        # A loaded CI machine must not turn slow generation into a failure.
        "suppress-health-check": ["too_slow", "filter_too_much"],
        # The key is ours (see _fuzz): no generated Authorization headers.
        "generation": {
            "max-examples": MAX_EXAMPLES, "deterministic": not SEED, "database": "none", "with-security-parameters": False,
            # Stated, not left to defaults: PostgreSQL text cannot hold a NUL, so it must be generated.
            "allow-x00": True, "codec": "utf-8",
        },
    }
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    ignored_auth,
]
OUTSIDER_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ANY_BYTES_ARE_VALID = {"POST /v1/jobs"}
"""Operations whose body parts are files: every byte string is a valid article file, so what the
generator calls an invalid part (an object where a string belongs) is a valid file once sent, and
accepting it is right. negative_data_rejection is left out for them."""

ingest_schema = schemathesis.openapi.from_asgi("/openapi.json", ingest_app, config=CONFIG)
api_schema = schemathesis.openapi.from_asgi("/openapi.json", api_app, config=CONFIG)

# A port nothing listens on: registered webhooks point there, so the worker's deliveries to them
# are refused at once and never leave the machine.
CLOSED_PORT = free_port()
BRIEF_WAIT = 0.25
AN_ID = TypeAdapter(int)
"""How FastAPI reads an int path parameter (pydantic in lax mode)."""
CASES: Counter[str] = Counter()


@pytest.fixture(scope="module")
def records(database: str, ingest, request: pytest.FixtureRequest) -> Iterator["Records"]:
    with psycopg.connect(database, autocommit=True, row_factory=dict_row) as conn:
        records = Records(conn)
        yield records
        records.clean_up()
    # The worker took every fuzzed upload too: each job must reach a final state, whatever its
    # files held, and no backlog is left to slow the tests after this module.
    for job_id in records.jobs:
        wait_for_job(ingest, job_id, timeout=60)
    # Shown with the test results: how much the fuzzing did (the admin-key cases; each protected
    # operation's case is also sent once as an outsider).
    with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        print(f"\nfuzz: {sum(CASES.values())} cases over {len(CASES)} operations of the two APIs")
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in records.webhook_urls), records.webhook_urls


class Records:
    """The keys and webhooks that were there before the fuzzing began (the session's own admin,
    read and ingest keys among them) are never revoked or disabled by a fuzzed DELETE; whatever the
    fuzzing makes is revoked or disabled at once, so that no webhook collects deliveries."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.keys = {row["id"] for row in conn.execute("SELECT id FROM api_keys")}
        self.webhooks = {row["id"] for row in conn.execute("SELECT id FROM webhooks")}
        self.webhook_urls: list[str] = []
        self.jobs: list[str] = []

    def spare_existing(self, case: schemathesis.Case) -> None:
        """A fuzzed id of a key or webhook that existed before is swapped for one that cannot exist.
        The id is read as the API will read it: "3", "03" or 3.0 are the admin key's 3 too."""
        for parameter, existing in (("key_id", self.keys), ("webhook_id", self.webhooks)):
            if parameter in (case.path_parameters or {}):
                value = case.path_parameters[parameter]
                if any(_as_id(wire) in existing for wire in (str(value), json.dumps(value, default=str))):
                    case.path_parameters[parameter] = 2**62 + len(existing)

    def use_made_job(self, case: schemathesis.Case, chance: int) -> None:
        """Half the well-formed job ids become one of the jobs the fuzzing made, whose pages and
        files then get checked too; a random one only ever finds no job."""
        value = (case.path_parameters or {}).get("job_id")
        if not self.jobs or chance % 2 or not isinstance(value, str):
            return
        try:
            UUID(value)
        except ValueError:
            return
        case.path_parameters["job_id"] = self.jobs[chance % len(self.jobs)]

    def retire_made(self, case: schemathesis.Case, response: schemathesis.Response) -> None:
        if case.operation.label == "POST /v1/jobs" and response.status_code == 202:
            self.jobs.append(response.json()["job_id"])
        if response.status_code != 201:
            return
        made = response.json()
        if case.operation.label == "POST /v1/webhooks":
            self.webhook_urls.append(made["url"])
            disable_webhook(self.conn, made["id"])
        elif case.operation.label == "POST /v1/keys":
            revoke_key(self.conn, made["id"])

    def clean_up(self) -> None:
        """Whatever a retire_made missed (a failed case): revoked and disabled all the same."""
        for row in self.conn.execute("SELECT id FROM api_keys WHERE revoked_at IS NULL").fetchall():
            if row["id"] not in self.keys:
                revoke_key(self.conn, row["id"])
        for row in self.conn.execute("SELECT id, url FROM webhooks").fetchall():
            if row["id"] not in self.webhooks:
                self.webhook_urls.append(row["url"])
                disable_webhook(self.conn, row["id"])


def _as_id(wire: str) -> int | None:
    try:
        return AN_ID.validate_python(wire)
    except ValidationError:
        return None


def _end_as_json_schema_means(case: schemathesis.Case) -> None:
    """The patterned inputs (cursors, webhook URLs) end in `$`, which in JSON Schema (ECMA-262), and
    for the API, is the end of the string; the generator uses Python's re, where it also matches
    before one final newline, and so sends "123\\n" as a valid cursor. That newline is dropped: the
    case then is valid for both, and an invalid one stays invalid."""
    for values, name in ((case.query, "after"), (case.query, "files_after"), (case.body, "url")):
        if isinstance(values, dict) and isinstance(value := values.get(name), str):
            if value.endswith("\n") and not value.endswith("\n\n"):
                values[name] = value[:-1]


def _integers_as_digits(case: schemathesis.Case) -> None:
    """JSON Schema counts 86400.0 as an integer, and the generator sends it so; the API reads an id
    or count as ASCII digits only (babelwire/parameters.py), as every client writes an integer.
    An integral float in the query or path is sent as its digits: the case stays valid, and an
    invalid one (1.5, a string) stays invalid."""
    for values in (case.query, case.path_parameters):
        if isinstance(values, dict):
            for name, value in values.items():
                if isinstance(value, float) and value.is_integer():
                    values[name] = int(value)


def _keep_on_this_machine(case: schemathesis.Case) -> None:
    """Every webhook URL that the API could accept is swapped for one on 127.0.0.1 (the worker
    delivers to every registered webhook), keeping whatever made it invalid: a URL off the
    documented pattern stays off it (a space), and an overlong one stays as long."""
    body = case.body
    if not (isinstance(body, dict) and isinstance(body.get("url"), str)):
        return
    url = body["url"]
    local = f"http://127.0.0.1:{CLOSED_PORT}/fuzzed-webhook"
    if re.fullmatch(WEBHOOK_URL_PATTERN, url):
        body["url"] = local + "x" * (len(url) - len(local))
    elif _splits_as_http(url):
        body["url"] = local + " off-pattern"


def _splits_as_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _wait_briefly(case: schemathesis.Case) -> None:
    """GET /v1/changes long-polls for up to `wait` seconds when nothing is new: a valid wait is
    cut to a quarter second, or the fuzzing would spend minutes waiting (an invalid one stays)."""
    value = (case.query or {}).get("wait")
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return
    if BRIEF_WAIT < seconds <= MAX_WAIT_SECONDS:
        case.query["wait"] = BRIEF_WAIT


def _chance(case: schemathesis.Case) -> int:
    """A number drawn from the case itself, so that Hypothesis replaying a case makes the same choices."""
    return zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode())


def _outsider(case: schemathesis.Case, scope: str) -> dict[str, str]:
    """No key, an unknown key or a key without the operation's scope."""
    kind = _chance(case) % 3
    if kind == 0:
        return {}
    if kind == 1:
        return {"Authorization": "Bearer bw_not-a-key-of-this-deployment"}
    needs_admin = case.path.startswith(("/v1/keys", "/v1/webhooks"))
    return bearer("read" if needs_admin or scope == "ingest" else "ingest")


def _fuzz(case: schemathesis.Case, records: Records, scope: str) -> None:
    _end_as_json_schema_means(case)
    _integers_as_digits(case)
    if case.operation.label == "POST /v1/webhooks":
        _keep_on_this_machine(case)
    records.spare_existing(case)
    records.use_made_job(case, _chance(case))
    _wait_briefly(case)
    CASES[f"{scope}: {case.operation.label}"] += 1

    excluded = [negative_data_rejection] if case.operation.label in ANY_BYTES_ARE_VALID else []
    response = case.call_and_validate(headers=bearer("admin"), checks=CHECKS, excluded_checks=excluded)
    records.retire_made(case, response)
    # 401 and 403 are documented answers, so the checks pass them: but the admin key opens every
    # route, and a refusal here means the fuzzing lost its key and would test nothing more.
    assert response.status_code not in (401, 403), f"the admin key was refused: {response.text}"

    if case.path in OPEN_PATHS or case.path == METRICS_PATH:
        return
    headers = _outsider(case, scope)
    refused = case.call(headers=headers)
    case.validate_response(refused, checks=OUTSIDER_CHECKS, headers=headers)
    # A body that cannot be parsed is refused before the key is looked at: 400, 413 or 422 then.
    assert refused.status_code >= 400, f"{case.operation.label} let an outsider in: {refused.status_code}"
    if refused.status_code == 401:
        assert refused.headers.get("www-authenticate") == ["Bearer"], refused.headers


@ingest_schema.parametrize()
def test_ingest_api_answers_as_documented(case: schemathesis.Case, ingest, records: Records) -> None:
    _fuzz(case, records, "ingest")


@api_schema.parametrize()
def test_read_api_answers_as_documented(case: schemathesis.Case, api, records: Records) -> None:
    _fuzz(case, records, "read")


CONTROL_CHARACTERS = ["\x00", "\x01", "\t", "\n", "\x1b", "\x7f", "\x85", "\x9f"]
"""NUL (which PostgreSQL text cannot hold), other C0 controls, DEL and C1 controls."""


def _parameters(app) -> Iterator[tuple[str, str, dict, dict]]:
    """(method, path, parameter, operation) for every query and path parameter of an app's document."""
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("query", "path"):
                    yield method.upper(), path, parameter, operation


def _example(parameter: dict) -> str:
    schema = parameter["schema"]
    examples = schema.get("examples") or parameter.get("examples") or [schema.get("default")]
    value = examples[0]
    assert value is not None, f"{parameter['name']} documents no example"
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _spoilt_requests(app) -> Iterator[tuple[str, str, str, str, dict[str, str]]]:
    from urllib.parse import quote

    for method, path, parameter, operation in _parameters(app):
        example = _example(parameter)
        for control in CONTROL_CHARACTERS:
            spoilt = example + control
            url, query = path, {}
            for other in operation.get("parameters", []):
                if other["in"] == "path":
                    value = spoilt if other is parameter else _example(other)
                    url = url.replace("{" + other["name"] + "}", quote(value, safe=""))
            if parameter["in"] == "query":
                query[parameter["name"]] = spoilt
            yield method, url, parameter["name"], control, query


def test_every_parameter_refuses_control_characters(ingest, api) -> None:
    """Each query and path parameter of both documents, given its own documented example with one
    control character added, is refused with a 422 problem naming that parameter: never a 500 (a
    NUL used to reach PostgreSQL as `lang` or `source_domain`), never a silent match."""
    checked = Counter()
    for client, app in ((ingest, ingest_app), (api, api_app)):
        for method, url, name, control, query in _spoilt_requests(app):
            response = client.request(method, url, params=query, headers=bearer("admin"))
            assert response.status_code == 422, (method, url, name, repr(control), response.status_code, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert any(error["loc"][-1] == name for error in response.json()["errors"]), response.text
            checked[name] += 1
    # The ones the issue found answering 500, and every id: all among those checked.
    assert {"lang", "source_domain", "article_id", "key_id", "webhook_id", "job_id", "after"} <= set(checked), checked

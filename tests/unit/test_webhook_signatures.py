import hashlib
import hmac
import json
import time

from babelwire.webhook_signatures import sign, verify

SECRET = "whsec_test-secret"
BODY = json.dumps({"delivery_id": 7, "change": {"kind": "article.created", "data": {"language": "bn"}}}, ensure_ascii=False).encode()


def _headers(signature: str, timestamp: int) -> dict[str, str]:
    return {"Babelwire-Signature": signature, "Babelwire-Timestamp": str(timestamp), "Babelwire-Delivery": "7"}


def test_signature_is_hmac_sha256_of_timestamp_dot_body_in_hex():
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, 1700000000, BODY) == f"v1={expected}"
    assert sign(SECRET, 1700000000, BODY.decode()) == sign(SECRET, 1700000000, BODY)


def test_a_fresh_signed_request_verifies():
    now = int(time.time())
    assert verify(SECRET, _headers(sign(SECRET, now, BODY), now), BODY)


def test_header_names_are_case_insensitive():
    now = int(time.time())
    headers = {k.lower(): v for k, v in _headers(sign(SECRET, now, BODY), now).items()}
    assert verify(SECRET, headers, BODY)


def test_another_secret_a_changed_body_or_a_moved_timestamp_fail():
    now = int(time.time())
    signature = sign(SECRET, now, BODY)
    assert not verify("whsec_other", _headers(signature, now), BODY)
    assert not verify(SECRET, _headers(signature, now), BODY.replace(b"bn", b"hi"))
    assert not verify(SECRET, _headers(signature, now + 1), BODY)


def test_an_old_or_future_timestamp_is_refused_beyond_the_tolerance():
    signed_at = 1_700_000_000
    headers = _headers(sign(SECRET, signed_at, BODY), signed_at)
    assert verify(SECRET, headers, BODY, tolerance_seconds=300, now=signed_at + 300)
    assert not verify(SECRET, headers, BODY, tolerance_seconds=300, now=signed_at + 301)
    assert not verify(SECRET, headers, BODY, tolerance_seconds=300, now=signed_at - 301)


def test_missing_or_malformed_headers_fail():
    now = int(time.time())
    signature = sign(SECRET, now, BODY)
    assert not verify(SECRET, {"Babelwire-Timestamp": str(now)}, BODY)
    assert not verify(SECRET, {"Babelwire-Signature": signature}, BODY)
    assert not verify(SECRET, _headers(signature, now) | {"Babelwire-Timestamp": "soon"}, BODY)
    assert not verify(SECRET, _headers("v1=" + "0" * 64, now), BODY)


def test_any_of_several_signatures_may_match():
    now = int(time.time())
    both = f"{sign('whsec_old', now, BODY)}, {sign(SECRET, now, BODY)}"
    assert verify(SECRET, _headers(both, now), BODY)

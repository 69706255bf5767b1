"""How a webhook delivery is signed, and how a receiver checks it. Pure: no I/O, so a receiver can
copy it as is.

Every delivery is a POST whose body is UTF-8 JSON, with these headers:

    Babelwire-Delivery:  the delivery's id (the same on every retry of that delivery)
    Babelwire-Timestamp: when this attempt was signed, in Unix seconds
    Babelwire-Signature: v1=<hex HMAC-SHA256(key=secret, message=f"{timestamp}.{body}")>

where `secret` is the webhook's secret (UTF-8, as shown when the webhook was registered, `whsec_`
prefix included) and `body` the exact bytes received. The timestamp is inside the signed message
so that a captured request cannot be replayed later than the receiver's tolerance."""

import hashlib
import hmac
import time
from collections.abc import Mapping

SIGNATURE_HEADER = "Babelwire-Signature"
TIMESTAMP_HEADER = "Babelwire-Timestamp"
DELIVERY_HEADER = "Babelwire-Delivery"
SCHEME = "v1"


def _bytes(body: bytes | str) -> bytes:
    return body.encode() if isinstance(body, str) else body


def sign(secret: str, timestamp: int, body: bytes | str) -> str:
    """The `Babelwire-Signature` header value for this body at this time: `v1=<hex>`."""
    message = f"{timestamp}.".encode() + _bytes(body)
    return f"{SCHEME}={hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()}"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # Header names are case-insensitive; a plain dict is not.
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    tolerance_seconds: float = 300,
    now: float | None = None,
) -> bool:
    """True when the request's signature is the secret's over this body and its timestamp is
    within `tolerance_seconds` of `now` (default: the clock). Compares in constant time."""
    timestamp_text = _header(headers, TIMESTAMP_HEADER)
    signature = _header(headers, SIGNATURE_HEADER)
    if not timestamp_text or not signature or not timestamp_text.strip().isdigit():
        return False
    timestamp = int(timestamp_text.strip())
    if abs((time.time() if now is None else now) - timestamp) > tolerance_seconds:
        return False
    expected = sign(secret, timestamp, body)
    # Several comma-separated signatures may come (say, while a secret is rotated): any one will do.
    return any(hmac.compare_digest(expected, candidate.strip()) for candidate in signature.split(","))

"""The pure parts of babelwire/rate_limits.py, and its fallback when Redis cannot be reached
(a closed port on 127.0.0.1: nothing to mock, nothing to start)."""

import logging
import socket
import time

import pytest

from babelwire.rate_limits import (
    Limiter,
    Refusal,
    address_identity,
    key_identity,
    parse_limits,
    retry_after_seconds,
)


def test_limit_strings_parse_and_zero_or_empty_mean_none() -> None:
    assert parse_limits("0") == [] and parse_limits("") == [] and parse_limits("  ") == []
    [one] = parse_limits("600/minute")
    assert (one.amount, one.get_expiry()) == (600, 60)
    assert [item.amount for item in parse_limits("5/second;600/minute")] == [5, 600]


@pytest.mark.parametrize("text", ["lots", "600 per fortnight", "-1/minute"])
def test_a_misspelt_limit_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a rate limit"):
        parse_limits(text)


def test_settings_refuse_a_misspelt_limit_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from babelwire.settings import Settings

    monkeypatch.setenv("BABELWIRE_RATE_LIMIT_READ", "ten/minute")
    with pytest.raises(ValueError, match="not a rate limit"):
        Settings()


def test_retry_after_is_whole_seconds_and_never_zero() -> None:
    assert retry_after_seconds(100.2, 100.0) == 1
    assert retry_after_seconds(100.0, 100.0) == 1
    assert retry_after_seconds(130.01, 100.0) == 31


def test_refusal_headers() -> None:
    [item] = parse_limits("3/minute")
    headers = Refusal(item, remaining=0, reset_at=1042.5).headers(now=1000.0)
    assert headers == {"Retry-After": "43", "RateLimit-Limit": "3", "RateLimit-Remaining": "0", "RateLimit-Reset": "43"}


def test_keys_are_counted_by_hash_never_by_the_key_itself() -> None:
    identity = key_identity("bw_secret")
    assert "bw_secret" not in identity and identity == key_identity("bw_secret") != key_identity("bw_other")
    assert address_identity("10.0.0.7") == "address:10.0.0.7" and address_identity(None) == "address:unknown"


def test_without_redis_the_limit_is_counted_in_memory_and_warned_once(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    limiter = Limiter(f"redis://127.0.0.1:{closed_port}/0")
    items = parse_limits("3/minute")
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="babelwire.rate_limits"):
        outcomes = [limiter.hit(items, "read", "key:a") for _ in range(4)]
        other = limiter.hit(items, "read", "key:b")
    assert outcomes[:3] == [None, None, None]
    assert isinstance(outcomes[3], Refusal) and outcomes[3].limit.amount == 3
    assert other is None  # another key has its own count
    assert time.monotonic() - started < 2  # Redis is not retried on every request
    warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(warnings) == 1

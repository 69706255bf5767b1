import random

from workers.webhooks import retry_delay


def test_the_delay_doubles_from_the_base_within_its_jitter_band():
    rng = random.Random()
    for failed in range(1, 8):
        ceiling = 30 * 2 ** (failed - 1)
        delays = [retry_delay(failed, base=30, cap=10**6, rng=rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling / 10, "jittered, not fixed"


def test_the_delay_is_capped_at_an_hour():
    assert all(1800 <= retry_delay(failed, base=30, cap=3600) <= 3600 for failed in (8, 20, 200))


def test_at_default_settings_a_day_of_retries_is_a_few_dozen_attempts():
    elapsed, attempts = 0.0, 0
    while elapsed < 86400:
        attempts += 1
        elapsed += retry_delay(attempts, base=30, cap=3600, rng=random.Random(attempts))
    assert 20 <= attempts <= 60, attempts

"""How long to wait before trying again, for every retry in the workers (files, webhook deliveries)."""

import random


def retry_delay(failed_attempts: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds before the next attempt: base·2^(n-1) capped, then jittered into its upper half, so
    that attempts that failed together spread out while each still waits at least half its step."""
    ceiling = min(cap, base * 2 ** max(0, failed_attempts - 1))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)

import pytest

from workers.tasks import retry_countdown


@pytest.mark.parametrize("retries", range(8))
def test_the_countdown_grows_is_capped_and_never_zero(retries):
    step = min(30, 2**retries)
    countdowns = {retry_countdown(retries, 30) for _ in range(300)}
    assert min(countdowns) >= max(1, step - step // 2)
    assert max(countdowns) <= step


def test_a_cap_below_one_second_still_waits_a_second():
    assert {retry_countdown(5, 0.5) for _ in range(50)} == {1}

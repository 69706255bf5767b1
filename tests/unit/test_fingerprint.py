import pytest

from workers.pipeline.fingerprint import content_hash

TEXT = "জননিরাপত্তা মন্ত্রী বক্তব্য রাখছেন।\n\nHanoi, 26 October."


@pytest.mark.parametrize(
    "variant",
    [
        "জননিরাপত্তা  মন্ত্রী বক্তব্য রাখছেন।\nHanoi, 26 October.",
        "  জননিরাপত্তা মন্ত্রী\tবক্তব্য রাখছেন। \r\n\r\n\r\nHanoi,\n26 October.\n",
        "জননিরাপত্তা\u00a0মন্ত্রী বক্তব্য রাখছেন। Hanoi, 26 October.",
    ],
)
def test_whitespace_only_differences_hash_alike(variant):
    assert content_hash(variant) == content_hash(TEXT)


@pytest.mark.parametrize(
    "variant",
    [
        "জননিরাপত্তা মন্ত্রী বক্তব্য রাখছেন।\n\nHanoi, 27 October.",  # one digit
        "জননিরাপত্তা মন্ত্রী বক্তব্য রাখছেন\n\nHanoi, 26 October.",  # dropped দাঁড়ি
        "জননিরাপত্তা মন্ত্রী বক্তব্য রাখছেন।\n\nhanoi, 26 October.",  # case
        "জননিরাপত্তামন্ত্রী বক্তব্য রাখছেন।\n\nHanoi, 26 October.",  # a space removed
    ],
)
def test_a_one_character_change_changes_the_hash(variant):
    assert content_hash(variant) != content_hash(TEXT)


def test_digest_is_32_bytes():
    digest = content_hash(TEXT)
    assert isinstance(digest, bytes)
    assert len(digest) == 32


def test_known_value():
    # SHA-256 of "abc", the FIPS 180-2 test vector; "  abc\n" folds to "abc".
    assert content_hash("  abc\n").hex() == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )

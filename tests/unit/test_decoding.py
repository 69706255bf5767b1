import pytest

from workers.pipeline.decoding import RejectedFile, decode

BOM = b"\xef\xbb\xbf"


def test_utf8_with_and_without_bom_decode_alike():
    raw = "সূত্র: হ্যানয়\nline two".encode("utf-8")
    assert decode(BOM + raw) == decode(raw) == "সূত্র: হ্যানয়\nline two"


def test_bom_is_not_left_in_the_text():
    assert not decode(BOM + b"abc").startswith("\ufeff")


@pytest.mark.parametrize(
    ("decomposed", "composed"),
    [
        ("Cafe\u0301", "Caf\u00e9"),  # e + combining acute -> é
        ("\u0995\u09c7\u09be", "\u0995\u09cb"),  # Bengali ক + ে + া -> ক + ো
        ("\u0928\u093c", "\u0929"),  # Devanagari न + nukta -> ऩ
    ],
)
def test_text_is_normalised_to_nfc(decomposed, composed):
    assert decode(decomposed.encode("utf-8")) == composed


def test_invalid_utf8_is_rejected_with_the_offset():
    # "ab" then a lone continuation byte at offset 2
    with pytest.raises(RejectedFile) as error:
        decode(b"ab\x80cd")
    assert "offset 2" in str(error.value)
    assert "0x80" in str(error.value)


def test_invalid_utf8_after_a_bom_reports_the_offset_in_the_file():
    # The offset counts the BOM: the sender looks for the byte in the file they sent.
    with pytest.raises(RejectedFile) as error:
        decode(BOM + b"ab\x80cd")
    assert "offset 5" in str(error.value)
    assert "0x80" in str(error.value)


def test_truncated_multibyte_sequence_reports_where_it_starts():
    # "আ" is e0 a6 86; cut after two bytes, following "xyz"
    with pytest.raises(RejectedFile, match="offset 3"):
        decode(b"xyz\xe0\xa6")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_rejected(encoding):
    with pytest.raises(RejectedFile):
        decode("Hello, world".encode(encoding))


def test_utf16_bengali_is_rejected():
    with pytest.raises(RejectedFile):
        decode("মন্ত্রী লুওং তাম কোয়াং".encode("utf-16"))


def test_empty_file_is_rejected():
    with pytest.raises(RejectedFile, match="empty"):
        decode(b"")


def test_nul_bytes_are_rejected():
    with pytest.raises(RejectedFile, match="NUL"):
        decode(b"text\x00more text")


def test_rejected_file_is_a_value_error():
    assert issubclass(RejectedFile, ValueError)


def test_a_file_holding_only_a_bom_is_empty():
    with pytest.raises(RejectedFile, match="empty file"):
        decode(BOM)

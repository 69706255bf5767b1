"""Bytes to text. A file that cannot be decoded is rejected with a reason its sender can act on."""

import unicodedata


class RejectedFile(ValueError):
    """The file cannot become an article; the message says why, for the job's file list."""


def decode(content: bytes) -> str:
    """UTF-8, with or without a byte-order mark, normalised to NFC."""
    if not content:
        raise RejectedFile("empty file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RejectedFile(
            f"not valid UTF-8: byte 0x{content[error.start]:02x} at offset {error.start}"
        ) from None
    if "\x00" in text:
        raise RejectedFile("binary data: the file contains NUL characters")
    return unicodedata.normalize("NFC", text)

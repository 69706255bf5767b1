"""Bytes to text. A file that cannot be decoded is rejected with a reason its sender can act on."""

import unicodedata


class RejectedFile(ValueError):
    """The file cannot become an article; the message says why, for the job's file list."""


UTF8_BOM = b"\xef\xbb\xbf"


def decode(content: bytes) -> str:
    """UTF-8, with or without a byte-order mark, normalised to NFC."""
    body = content.removeprefix(UTF8_BOM)
    if not body:
        raise RejectedFile("empty file")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        # Report the offset in the file as sent, BOM included, so the sender can find the byte.
        offset = error.start + len(content) - len(body)
        raise RejectedFile(f"not valid UTF-8: byte 0x{body[error.start]:02x} at offset {offset}") from None
    if "\x00" in text:
        raise RejectedFile("binary data: the file contains NUL characters")
    return unicodedata.normalize("NFC", text)

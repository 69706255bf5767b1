"""Fingerprints that say when two articles are the same text."""

import hashlib


def content_hash(text: str) -> bytes:
    """SHA-256 of the text with every run of white space folded to one space, so that copies
    differing only in spacing or line breaks hash alike."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).digest()

"""Names chosen by senders, made safe to show to a person.

A file name is the sender's text: bidirectional controls in it (U+202E RIGHT-TO-LEFT OVERRIDE and
the rest) reorder what a reader sees, so `invoice\\u202etxt.exe` reads as `invoiceexe.txt`. Where a
name is shown to a person (the review pages, the command line's output) each such control is
written as its escape instead. JSON keeps the exact name: a program reads it as it was sent."""

import re

BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""ALM, LRM, RLM, the embeddings and overrides (LRE RLE PDF LRO RLO) and the isolates (LRI RLI FSI PDI)."""


def visible(text: str) -> str:
    """`text` with every bidirectional control written as \\uXXXX."""
    return BIDI_CONTROLS.sub(lambda found: f"\\u{ord(found.group()):04x}", text)

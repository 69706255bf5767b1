"""Cleaning: take the boilerplate out of an article's text and turn what is worth keeping into fields."""

import re
from dataclasses import dataclass, field

from workers.pipeline.boilerplate import comment_counter_pattern, source_line_pattern

IMAGE_FILE_LINE = re.compile(
    r"^[^\s/\\]+\.(?:jpe?g|png|gif|webp|bmp|tiff?|avif|heic|svg)$", re.IGNORECASE
)


@dataclass(frozen=True)
class CleanedText:
    text: str
    source_url: str | None = None
    images: list[str] = field(default_factory=list)


def clean(text: str) -> CleanedText:
    """Drops comment counters and image file-name lines (keeping the names in `images`), takes the
    source line out into `source_url`, and folds runs of blank lines into one."""
    source_url: str | None = None
    images: list[str] = []
    kept: list[str] = []
    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw_line.strip()
        if comment_counter_pattern().match(line):
            continue
        if IMAGE_FILE_LINE.match(line):
            images.append(line)
            continue
        if source := source_line_pattern().match(line):
            source_url = source_url or source.group("url")
            continue
        kept.append(line)
    return CleanedText(text=_fold_blank_lines(kept), source_url=source_url, images=images)


def _fold_blank_lines(lines: list[str]) -> str:
    folded: list[str] = []
    for line in lines:
        if line or (folded and folded[-1]):
            folded.append(line)
    while folded and not folded[-1]:
        folded.pop()
    return "\n".join(folded)

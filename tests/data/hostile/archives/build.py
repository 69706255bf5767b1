"""Builds the hostile archive fixtures next to this script, deterministically (fixed dates, gzip
mtime 0), and `expected.json`: for each archive, the files the ingest API makes of it, each with
the start of its error (null for a member that is kept). Rebuild from the repository root:
`.venv/bin/python tests/data/hostile/archives/build.py`."""

import gzip
import json
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[3]))

from tests.hostile_archives import (  # noqa: E402
    Member, tar_gz_bomb, tar_of, zip_bomb, zip_cut_after_a_stored_zip, zip_of, zip_with_lying_header,
)

GOOD = "A short note about the harbour, the railway and the new bridge.\n".encode()
TRAVERSAL = "unsafe member path: path traversal"
ABSOLUTE = "unsafe member path: absolute path"
NESTED = "nested archive"
BOMB = "compression bomb: "


def both(stem: str, members: list[Member], expected: list[tuple[str, str | None]]) -> dict[str, tuple[Callable[[], bytes], list]]:
    """The same members as a .zip and a .tar.gz."""
    return {
        f"{stem}.zip": (lambda: zip_of(members), [(f"{stem}.zip/{n}", e) for n, e in expected]),
        f"{stem}.tar.gz": (lambda: tar_of(members), [(f"{stem}.tar.gz/{n}", e) for n, e in expected]),
    }


FIXTURES: dict[str, tuple[Callable[[], bytes], list[tuple[str, str | None]]]] = {
    **both("traversal", [Member("../../etc/evil.txt", b"x"), Member("good.txt", GOOD)],
           [("../../etc/evil.txt", TRAVERSAL), ("good.txt", None)]),
    **both("absolute", [Member("/etc/passwd", b"x"), Member("good.txt", GOOD)],
           [("/etc/passwd", ABSOLUTE), ("good.txt", None)]),
    **both("symlink", [Member("link.txt", kind="symlink", target="/etc/shadow"), Member("good.txt", GOOD)],
           [("link.txt", "symbolic link in archive"), ("good.txt", None)]),
    **both("nested", [Member("inner.zip", zip_of([Member("a.txt", GOOD)])), Member("good.txt", GOOD)],
           [("inner.zip", NESTED), ("good.txt", None)]),
    "hardlink.tar.gz": (lambda: tar_of([Member("good.txt", GOOD), Member("copy.txt", kind="hardlink", target="good.txt")]),
                        [("hardlink.tar.gz/good.txt", None), ("hardlink.tar.gz/copy.txt", "hard link in archive")]),
    "device.tar": (lambda: tar_of([Member("null", kind="device"), Member("good.txt", GOOD)], gz=False),
                   [("device.tar/null", "special file in archive"), ("device.tar/good.txt", None)]),
    "bomb.zip": (zip_bomb, [("bomb.zip", BOMB)]),
    "bomb.tar.gz": (tar_gz_bomb, [("bomb.tar.gz", BOMB)]),
    "lying-header.zip": (lambda: zip_with_lying_header(GOOD * 100, declared_size=10),
                         [("lying-header.zip/liar.txt", "damaged archive member: ")]),
    "corrupt.zip": (lambda: b"PK\x03\x04" + b"\x00broken" * 40, [("corrupt.zip", "not a valid zip archive: ")]),
    "truncated.tar.gz": (lambda: tar_of([Member("good.txt", GOOD * 40)])[:60], [("truncated.tar.gz", "not a valid tar archive: ")]),
    # A gzip of one file is that file; of an archive, a nested archive.
    "not-a-tar.gz": (lambda: gzip.compress(GOOD, mtime=0), [("not-a-tar.gz/not-a-tar", None)]),
    "note.txt.gz": (lambda: gzip.compress(GOOD, mtime=0), [("note.txt.gz/note.txt", None)]),
    "zip-in.gz": (lambda: gzip.compress(zip_of([Member("a.txt", GOOD)]), mtime=0), [("zip-in.gz/zip-in", NESTED)]),
    "cut-gzip.txt.gz": (lambda: gzip.compress(GOOD * 40, mtime=0)[:40], [("cut-gzip.txt.gz", "not a valid gzip file: ")]),
    # Cut in half: the stored inner zip's directory is all that is left, and must not be read.
    "cut-in-half.zip": (lambda: zip_cut_after_a_stored_zip(zip_of([Member("a.txt", GOOD)]), GOOD * 40),
                        [("cut-in-half.zip", "not a valid zip archive: damaged")]),
}


def main() -> None:
    expected = {}
    for name, (build, outcome) in FIXTURES.items():
        (HERE / name).write_bytes(build())
        expected[name] = [{"name": n, "error": e} for n, e in outcome]
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")


if __name__ == "__main__":
    main()

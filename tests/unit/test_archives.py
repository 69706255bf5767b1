import io
import json
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from services.ingest.archives import (
    NESTED_ARCHIVE,
    ArchiveLimits,
    ExpansionBudget,
    RequestOverLimit,
    archive_kind,
    expand,
)
from tests.hostile_archives import (
    zip_cut_after_a_stored_zip,
    BOMB_BYTES,
    Member,
    tar_gz_bomb,
    tar_of,
    zip_bomb,
    zip_of,
    zip_with_lying_header,
)

LIMITS = ArchiveLimits(
    max_file_bytes=10 * 1024 * 1024,
    max_archive_members=10000,
    max_archive_expanded_bytes=200 * 1024 * 1024,
    max_compression_ratio=100,
)
REPO = Path(__file__).resolve().parents[2]
ONE = "Một bài báo ngắn về hội nghị ở Hà Nội.".encode()
TWO = "A short note about the harbour and the railway.".encode()


def build(kind: str, members: list[Member]) -> tuple[str, bytes]:
    if kind == "zip":
        return "upload.zip", zip_of(members)
    return "upload.tar.gz", tar_of(members)


def by_name(files) -> dict:
    return {f.name: f for f in files}


BOTH = pytest.mark.parametrize("kind", ["zip", "tar.gz"])


@BOTH
def test_regular_members_become_files_named_after_the_archive(kind):
    name, content = build(kind, [Member("a.txt", ONE), Member("news/", kind="dir"), Member("news/b.txt", TWO)])

    files = expand(name, content, LIMITS)

    assert [(f.name, f.content, f.size, f.error) for f in files] == [
        (f"{name}/a.txt", ONE, len(ONE), None),
        (f"{name}/news/b.txt", TWO, len(TWO), None),
    ]


def test_a_plain_tar_is_expanded_and_detected_by_its_bytes_not_its_name():
    tar = tar_of([Member("a.txt", ONE)], gz=False)
    zipped = zip_of([Member("b.txt", TWO)])

    assert archive_kind(tar) == "tar" and archive_kind(zipped) == "zip"
    assert [(f.name, f.content) for f in expand("notes.txt", tar, LIMITS)] == [("notes.txt/a.txt", ONE)]
    assert [(f.name, f.content) for f in expand("notes.txt", zipped, LIMITS)] == [("notes.txt/b.txt", TWO)]


def test_content_that_is_no_archive_comes_back_unchanged():
    assert [(f.name, f.content, f.error) for f in expand("a.txt", ONE, LIMITS)] == [("a.txt", ONE, None)]


@BOTH
@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../escape.txt", "path traversal"),
        ("news/../../escape.txt", "path traversal"),
        ("..\\windows.txt", "path traversal"),
        ("/etc/passwd", "absolute path"),
        ("C:/boot.ini", "absolute path"),
    ],
)
def test_unsafe_paths_fail_alone_and_the_good_member_is_kept(kind, path, reason):
    name, content = build(kind, [Member(path, b"owned"), Member("good.txt", ONE)])

    files = expand(name, content, LIMITS)

    assert len(files) == 2
    bad, good = files
    assert bad.content is None and bad.error.startswith("unsafe member path: " + reason)
    assert (good.name, good.content, good.error) == (f"{name}/good.txt", ONE, None)


@BOTH
def test_a_symbolic_link_is_not_followed(kind):
    name, content = build(kind, [Member("link.txt", kind="symlink", target="/etc/passwd"), Member("good.txt", ONE)])

    link, good = expand(name, content, LIMITS)

    assert link.name == f"{name}/link.txt" and link.content is None
    assert link.error.startswith("symbolic link in archive")
    assert good.content == ONE


@pytest.mark.parametrize(("kind", "reason"), [("hardlink", "hard link in archive"), ("device", "special file in archive")])
def test_hard_links_and_devices_in_a_tar_are_not_read(kind, reason):
    content = tar_of([Member("good.txt", ONE), Member("odd", kind=kind, target="good.txt")])

    good, odd = expand("up.tgz", content, LIMITS)

    assert good.content == ONE
    assert odd.content is None and odd.error.startswith(reason)


@BOTH
def test_a_nested_archive_is_refused_by_its_name_or_its_bytes(kind):
    inner = zip_of([Member("inner.txt", ONE)])
    name, content = build(
        kind,
        [Member("inner.zip", inner), Member("disguised.txt", tar_of([Member("x.txt", TWO)])), Member("good.txt", ONE)],
    )

    files = by_name(expand(name, content, LIMITS))

    assert files[f"{name}/inner.zip"].error == NESTED_ARCHIVE
    assert files[f"{name}/disguised.txt"].error == NESTED_ARCHIVE
    assert files[f"{name}/good.txt"].content == ONE and len(files) == 3


@BOTH
def test_a_member_over_the_file_limit_fails_alone(kind):
    limits = ArchiveLimits(100, 10, 10_000, 100)
    name, content = build(kind, [Member("big.txt", b"x" * 101), Member("fits.txt", b"y" * 100)])

    big, fits = expand(name, content, limits)

    assert big.error == "member is 101 bytes; the limit is 100" and big.content is None
    assert fits.content == b"y" * 100


@BOTH
def test_too_many_members_refuses_the_request(kind):
    limits = ArchiveLimits(1000, 3, 10_000, 100)
    name, content = build(kind, [Member(f"{i}.txt", ONE) for i in range(4)])

    with pytest.raises(RequestOverLimit, match="^the archives in this request have more than 3 members; that is the limit$"):
        expand(name, content, limits)
    assert len(expand(name, build(kind, [Member(f"{i}.txt", ONE) for i in range(3)])[1], limits)) == 3


@BOTH
def test_more_expanded_bytes_than_the_limit_refuses_the_request(kind):
    limits = ArchiveLimits(1000, 100, 250, 100)
    name, content = build(kind, [Member(f"{i}.txt", bytes([65 + i]) * 100) for i in range(3)])

    with pytest.raises(RequestOverLimit, match="^the archives in this request expand to more than 250 bytes; that is the limit$"):
        expand(name, content, limits)


@BOTH
@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (ArchiveLimits(1000, 3, 10_000, 100), "have more than 3 members"),
        (ArchiveLimits(1000, 100, 250, 100), "expand to more than 250 bytes"),
    ],
)
def test_the_budgets_are_shared_by_every_archive_of_a_request(kind, limits, reason):
    """Two archives each within the limits, together over them: splitting an upload into small
    archives does not multiply what one request may cost."""
    name, first = build(kind, [Member("a.txt", b"a" * 100), Member("b.txt", b"b" * 100)])
    _, second = build(kind, [Member("c.txt", b"c" * 100), Member("d.txt", b"d" * 100)])
    assert len(expand(name, first, limits)) == len(expand(name, second, limits)) == 2  # each alone fits

    budget = ExpansionBudget(limits)
    assert len(expand("first", first, limits, budget)) == 2
    with pytest.raises(RequestOverLimit, match=reason):
        expand("second", second, limits, budget)


def test_plain_files_cost_nothing_from_the_archive_budget():
    limits = ArchiveLimits(1000, 1, 10, 100)
    budget = ExpansionBudget(limits)

    for i in range(5):
        assert [f.content for f in expand(f"{i}.txt", TWO, limits, budget)] == [TWO]
    assert (budget.members, budget.used) == (0, 0)


@pytest.mark.parametrize(("name", "make_bomb"), [("bomb.zip", zip_bomb), ("bomb.tar.gz", tar_gz_bomb)])
def test_a_compression_bomb_is_refused_quickly_with_bounded_memory(name, make_bomb):
    bomb = make_bomb()
    assert len(bomb) < BOMB_BYTES / 500  # it really is a bomb: tens of kilobytes for 50 MB

    tracemalloc.start()
    started = time.perf_counter()
    try:
        files = expand(name, bomb, LIMITS)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert [(f.name, f.content) for f in files] == [(name, None)]
    assert files[0].error.startswith("compression bomb: ")
    assert elapsed < 2
    assert peak < BOMB_BYTES / 10, f"peak {peak} bytes"


RSS_PROBE = """
import sys
from pathlib import Path
from services.ingest.archives import ArchiveLimits, expand

def peak_rss() -> int:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) * 1024

limits = ArchiveLimits(10 * 1024 * 1024, 10000, 200 * 1024 * 1024, 100)
content = Path(sys.argv[1]).read_bytes()
Path("/proc/self/clear_refs").write_text("5")  # Linux: the peak resident size restarts from now
before = peak_rss()
files = expand(sys.argv[2], content, limits)
print(peak_rss() - before, files[0].error or "")
"""


@pytest.mark.parametrize(("name", "make_bomb"), [("bomb.zip", zip_bomb), ("bomb.tar.gz", tar_gz_bomb)])
def test_a_bomb_raises_the_resident_memory_peak_by_a_few_megabytes_at_most(name, make_bomb, tmp_path):
    """tracemalloc sees Python's allocations; the peak resident size sees everything, zlib's own
    buffers included. Measured in a fresh interpreter, so that no earlier test's peak hides it."""
    bomb_path = tmp_path / name
    bomb_path.write_bytes(make_bomb())

    probe = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, str(bomb_path), name],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )

    assert probe.returncode == 0, probe.stderr
    growth, error = probe.stdout.split(" ", 1)
    assert error.startswith("compression bomb: ")
    assert int(growth) < 8 * 1024 * 1024, f"peak RSS grew by {growth} bytes for a {BOMB_BYTES}-byte bomb"


@pytest.mark.parametrize(("name", "make_bomb"), [("bomb.zip", zip_bomb), ("bomb.tar.gz", tar_gz_bomb)])
def test_a_bomb_bigger_than_the_request_budget_is_still_the_bomb_s_own_failure(name, make_bomb):
    """A bomb is the archive's fault: it fails as that one file, and the good files of the same
    request go on, even when what it claims to expand to is over the request's whole budget."""
    limits = ArchiveLimits(10 * 1024 * 1024, 100, BOMB_BYTES // 5, 100)
    budget = ExpansionBudget(limits)

    (bomb,) = expand(name, make_bomb(), limits, budget)
    good = expand("good.zip", zip_of([Member("a.txt", ONE)]), limits, budget)

    assert bomb.content is None and bomb.error.startswith("compression bomb: ")
    assert [(f.name, f.content) for f in good] == [("good.zip/a.txt", ONE)]


def test_a_zip_whose_header_understates_its_size_is_not_believed():
    liar = zip_with_lying_header(b"a" * 5000, declared_size=10)

    (member,) = expand("liar.zip", liar, LIMITS)

    assert member.content is None and member.error.startswith("damaged archive member: ")


@pytest.mark.parametrize(
    ("name", "content", "label"),
    [
        ("bad.zip", b"PK\x03\x04" + b"\x00garbage" * 20, "zip"),
        ("bad.tar.gz", b"\x1f\x8b" + b"not gzip at all" * 20, "tar"),
        ("cut.zip", zip_of([Member("a.txt", ONE * 50)])[:-30], "zip"),
        ("cut.tar.gz", tar_of([Member("a.txt", ONE * 50)])[:40], "tar"),
        ("cut.txt.gz", __import__("gzip").compress(ONE * 50, mtime=0)[:30], "gzip"),
    ],
)
def test_a_corrupt_archive_is_one_failed_file_that_says_so(name, content, label):
    (broken,) = expand(name, content, LIMITS)

    assert broken.name == name and broken.content is None
    assert broken.error.startswith(f"not a valid {label} {'file' if label == 'gzip' else 'archive'}: ")


def test_a_zip_cut_in_half_is_refused_as_damaged_not_read_as_the_stored_zip_inside():
    inner = zip_of([Member("a.txt", ONE)])
    cut = zip_cut_after_a_stored_zip(inner, ONE * 400)
    assert zipfile.ZipFile(io.BytesIO(cut)).namelist() == ["a.txt"], "zipfile alone reads the inner zip"

    (broken,) = expand("cut.zip", cut, LIMITS)

    assert broken.content is None and broken.error.startswith("not a valid zip archive: damaged")


def test_a_zip_with_a_comment_still_reads():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", ONE)
        archive.comment = b"a comment after the directory, as zip tools write them"
    (member,) = expand("commented.zip", buffer.getvalue(), LIMITS)
    assert member.error is None and member.content == ONE


@pytest.mark.parametrize(("name", "inner"), [("story.txt.gz", "story.txt"), ("feed.GZ", "feed"), ("x.gzip", "x"), (".gz", "content"), ("plain", "plain")])
def test_a_gzip_of_one_file_is_that_file(name, inner):
    (member,) = expand(name, __import__("gzip").compress(ONE, mtime=0), LIMITS)
    assert (member.name, member.content, member.error) == (f"{name}/{inner}", ONE, None)


def test_a_gzip_of_one_file_keeps_the_limits():
    import gzip
    import random

    noise = random.Random(16).randbytes(LIMITS.max_file_bytes + 10)  # incompressible: no bomb, just big
    (member,) = expand("big.txt.gz", gzip.compress(noise, compresslevel=1, mtime=0), LIMITS)
    assert member.content is None and member.error.startswith(f"member is {LIMITS.max_file_bytes + 1} bytes")

    (bomb,) = expand("zeros.txt.gz", gzip.compress(bytes(LIMITS.max_file_bytes), mtime=0), LIMITS)
    assert bomb.content is None and bomb.error.startswith("compression bomb: ")


def test_an_encrypted_zip_member_is_not_read():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("secret.txt", ONE)
    data = bytearray(buffer.getvalue())
    # Set the "encrypted" flag bit in both headers: zipfile then refuses to read without a password.
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + flag_offset
        data[at] |= 0x1

    (secret,) = expand("secret.zip", bytes(data), LIMITS)

    assert secret.error == "encrypted member: not read"


HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile" / "archives"
HOSTILE_EXPECTED = json.loads((HOSTILE / "expected.json").read_text())


@pytest.mark.parametrize("fixture", sorted(HOSTILE_EXPECTED))
def test_each_kept_hostile_archive_gives_its_own_reasons(fixture):
    files = expand(fixture, (HOSTILE / fixture).read_bytes(), LIMITS)

    assert [f.name for f in files] == [e["name"] for e in HOSTILE_EXPECTED[fixture]]
    for file, expected in zip(files, HOSTILE_EXPECTED[fixture], strict=True):
        if expected["error"] is None:
            assert file.error is None and file.content
        else:
            assert file.content is None and file.error.startswith(expected["error"]), file.error

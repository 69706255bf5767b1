"""Zip and tar uploads: each regular member becomes a file of its own, and what could harm the
service is refused with a clear reason instead of being extracted.

Nothing is written to disk: members are read into memory, so traversal and links cannot escape
anything, but they are still refused because a sender who mixes them in is not sending articles.
Sizes in headers are only a first, cheap check; every read is bounded and counted, because a
forged header costs the sender nothing. Archives inside archives are refused, not expanded: one
level of expansion keeps the limits below simple to state and to enforce.

Two budgets belong to the whole request, not to one archive: the number of archive members and
the bytes they expand to, summed over every archive of the upload (an `ExpansionBudget` shared by
the calls to `expand`). Going over either refuses the request (`RequestOverLimit`, answered 413),
since splitting a large upload into many small archives must not multiply what one request may
cost. What is wrong with one archive (a bomb, a broken file) or one member (traversal, links, a
member over the file limit) fails that archive or member alone.
"""

import posixpath
import re
import stat
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Literal, Protocol

from babelwire.jobs import IncomingFile

__all__ = ["ArchiveLimits", "ExpansionBudget", "RequestOverLimit", "archive_kind", "expand"]

ArchiveKind = Literal["zip", "tar", "tar.gz", "gz"]

CHUNK_BYTES = 64 * 1024
# A compression ratio only means something once the output is big: a small tar's padding alone
# compresses hundreds of times.
RATIO_FLOOR_BYTES = 1024 * 1024
# Tar headers and padding are expanded bytes that are not member content: 512 bytes of header and
# at most 511 of padding per member, plus the end-of-archive blocks and record padding.
TAR_BYTES_PER_MEMBER = 1024
TAR_TRAILER_BYTES = 20 * 512
ARCHIVE_EXTENSIONS = (".zip", ".tar", ".tgz", ".tar.gz", ".gz", ".tbz2", ".bz2", ".xz", ".7z", ".rar")
NESTED_ARCHIVE = "nested archive: archives inside an archive are not expanded; upload it on its own"
WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")
ZIP_END = b"PK\x05\x06"
ZIP_END_BYTES = 22  # the end of central directory record without its comment
TAR_MAGIC = slice(257, 262)
GZIP_SUFFIXES = (".gz", ".gzip")
TAR_GZ_SUFFIXES = (".tar.gz", ".tgz")


class _Limits(Protocol):
    max_file_bytes: int
    max_archive_members: int
    max_archive_expanded_bytes: int
    max_compression_ratio: float


@dataclass(frozen=True)
class ArchiveLimits:
    max_file_bytes: int
    max_archive_members: int
    max_archive_expanded_bytes: int
    max_compression_ratio: float

    @classmethod
    def of(cls, settings: _Limits) -> "ArchiveLimits":
        return cls(
            settings.max_file_bytes,
            settings.max_archive_members,
            settings.max_archive_expanded_bytes,
            settings.max_compression_ratio,
        )


class ArchiveRefused(Exception):
    """The whole archive is refused: one failed file stands for it."""


class _MemberFailed(Exception):
    """One member is refused; the rest of the archive goes on."""


class RequestOverLimit(Exception):
    """The archives of one request together go over a request limit: the request is refused."""


class ExpansionBudget:
    """Archive members and expanded bytes of all the archives of one request, counted as they are
    read: every inflated byte counts, kept or not, so that many small bombs in one request still
    cost a bounded amount of work."""

    def __init__(self, limits: _Limits) -> None:
        self.max_members = limits.max_archive_members
        self.max_bytes = limits.max_archive_expanded_bytes
        self.members = 0
        self.used = 0

    def remaining(self) -> int:
        return self.max_bytes - self.used

    def remaining_members(self) -> int:
        return self.max_members - self.members

    def add_members(self, n: int = 1) -> None:
        if self.members + n > self.max_members:
            raise RequestOverLimit(
                f"the archives in this request have more than {self.max_members} members; that is the limit"
            )
        self.members += n

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > self.max_bytes:
            raise self.over()

    def check_declared(self, n: int) -> None:
        """Sizes an archive declares, checked before a byte is inflated: cheap, and enough to
        refuse an honest oversized upload without the work."""
        if n > self.remaining():
            raise self.over()

    def over(self) -> RequestOverLimit:
        return RequestOverLimit(
            f"the archives in this request expand to more than {self.max_bytes} bytes; that is the limit"
        )


def archive_kind(content: bytes) -> ArchiveKind | None:
    """What the bytes are, whatever the name says: a .txt that is a zip is a zip. A gzip stream
    is a tar.gz when what it inflates to starts as a tar, else one gzipped file ("gz")."""
    if content.startswith((b"PK\x03\x04", ZIP_END)):
        return "zip"
    if content.startswith(b"\x1f\x8b"):
        return "tar.gz" if _is_tar(_gunzip_head(content)) else "gz"
    if _is_tar(content):
        return "tar"
    return None


def _is_tar(head: bytes) -> bool:
    return len(head) >= TAR_MAGIC.stop and head[TAR_MAGIC] == b"ustar"


def _gunzip_head(content: bytes) -> bytes:
    """The first 512 inflated bytes (a tar header's worth), or none when the stream is broken:
    bounded, so a bomb costs nothing here."""
    try:
        return zlib.decompressobj(wbits=31).decompress(content, 512)
    except zlib.error:
        return b""


def expand(
    name: str, content: bytes, limits: _Limits, budget: ExpansionBudget | None = None
) -> list[IncomingFile]:
    """The archive's regular members as files named f"{name}/{member path}", unsafe members as
    failed files with their reason; or one failed file named `name` when the whole archive is
    refused (a compression bomb, not an archive). Content that is not an archive comes back
    unchanged as the one file.

    `budget` is the request's: pass the same one for every file of an upload. Raises
    RequestOverLimit when this archive takes the request over its members or expanded bytes.
    Without a budget, the archive has one of its own."""
    kind = archive_kind(content)
    if kind == "gz" and name.lower().endswith(TAR_GZ_SUFFIXES):
        kind = "tar.gz"  # a broken or cut tarball: said so in the name's own terms
    if kind is None:
        return [IncomingFile(name, content, len(content))]
    bounds = ArchiveLimits.of(limits)
    budget = budget or ExpansionBudget(bounds)
    label = {"zip": "zip archive", "gz": "gzip file"}.get(kind, "tar archive")
    try:
        if kind == "zip":
            return _expand_zip(name, content, bounds, budget)
        if kind == "gz":
            return [_gunzip_file(name, content, bounds, budget)]
        return _expand_tar(name, content, bounds, budget, compressed=kind == "tar.gz")
    except ArchiveRefused as refused:
        return [IncomingFile(name, None, len(content), error=str(refused))]
    except (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, ValueError, OSError) as broken:
        reason = str(broken) or type(broken).__name__
        return [IncomingFile(name, None, len(content), error=f"not a valid {label}: {reason}")]


# --- member checks -----------------------------------------------------------------------------


def _unsafe_path(path: str) -> str | None:
    """Why a member path may not be used, or None when it is a plain relative path."""
    if "\x00" in path:
        return "unsafe member path: contains a NUL byte"
    unified = path.replace("\\", "/")
    if unified.startswith("/") or WINDOWS_DRIVE.match(unified):
        return f"unsafe member path: absolute path {path!r}"
    if ".." in unified.split("/"):
        return f"unsafe member path: path traversal {path!r}"
    return None


def _clean_path(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/")).lstrip("/")


def _looks_like_archive(path: str, head: bytes) -> bool:
    return archive_kind(head) is not None or path.lower().endswith(ARCHIVE_EXTENSIONS)


def _member_over_size(size: int, limits: ArchiveLimits) -> str:
    return f"member is {size} bytes; the limit is {limits.max_file_bytes}"


def _read_bounded(stream: IO[bytes], limit: int) -> bytes:
    """At most limit + 1 bytes, read in chunks: one byte over says "too big" without reading on."""
    parts: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(CHUNK_BYTES, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def _bomb(expanded: int, compressed: int, limits: ArchiveLimits) -> ArchiveRefused:
    return ArchiveRefused(
        f"compression bomb: {compressed} compressed bytes expand to at least {expanded} "
        f"(over {limits.max_compression_ratio:g} times); the archive is refused"
    )


def _check_ratio(expanded: int, compressed: int, limits: ArchiveLimits) -> None:
    if expanded > RATIO_FLOOR_BYTES and expanded > limits.max_compression_ratio * max(compressed, 1):
        raise _bomb(expanded, compressed, limits)


# --- zip ---------------------------------------------------------------------------------------


def _expand_zip(name: str, content: bytes, limits: ArchiveLimits, budget: ExpansionBudget) -> list[IncomingFile]:
    _check_zip_whole(content)
    with zipfile.ZipFile(BytesIO(content)) as archive:
        members = archive.infolist()
        if members and min(m.header_offset for m in members) != 0:
            # The directory found describes an archive that starts further in: a stored inner zip.
            raise ArchiveRefused(DAMAGED_ZIP)
        budget.add_members(len(members))
        # Declared sizes first: cheap, and enough to refuse an honest bomb without inflating a
        # byte. The ratio before the budget: a bomb is this archive's fault, not the request's.
        for member in members:
            _check_ratio(member.file_size, member.compress_size, limits)
        budget.check_declared(sum(m.file_size for m in members))
        return [_zip_member(name, archive, m, limits, budget) for m in members if not m.is_dir()]


DAMAGED_ZIP = (
    "not a valid zip archive: damaged, it does not end with its own central directory (cut short?); "
    "nothing in it is read"
)


def _check_zip_whole(content: bytes) -> None:
    """A zip's directory is at its very end. zipfile looks for the last directory signature in the
    final 64 KiB, so a zip cut short whose remaining bytes hold a stored inner zip was read as
    that inner zip, and a nested archive expanded after all. The end record must end the bytes
    (after its own comment), or the archive is damaged."""
    start = len(content)
    while (start := content.rfind(ZIP_END, max(0, len(content) - ZIP_END_BYTES - 0xFFFF), start)) >= 0:
        comment_length = int.from_bytes(content[start + 20 : start + 22], "little")
        if start + ZIP_END_BYTES + comment_length == len(content):
            return
    raise ArchiveRefused(DAMAGED_ZIP)


def _zip_member(
    name: str, archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: ArchiveLimits, budget: ExpansionBudget
) -> IncomingFile:
    path = member.filename
    unsafe = _unsafe_path(path)
    if unsafe:
        return IncomingFile(f"{name}/{path}", None, member.file_size, error=unsafe)
    file_name = f"{name}/{_clean_path(path)}"
    mode = member.external_attr >> 16
    if stat.S_ISLNK(mode):
        return IncomingFile(file_name, None, member.file_size, error="symbolic link in archive: not followed")
    if mode and not stat.S_ISREG(mode) and stat.S_IFMT(mode):
        return IncomingFile(file_name, None, member.file_size, error="special file in archive (device or pipe): not read")
    if member.flag_bits & 0x1:
        return IncomingFile(file_name, None, member.file_size, error="encrypted member: not read")
    if member.file_size > limits.max_file_bytes:
        return IncomingFile(file_name, None, member.file_size, error=_member_over_size(member.file_size, limits))
    try:
        with archive.open(member) as stream:
            data = _read_counted(stream, member.compress_size, limits, budget)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as broken:
        return IncomingFile(file_name, None, member.file_size, error=f"damaged archive member: {broken}")
    except _MemberFailed as failed:
        return IncomingFile(file_name, None, member.file_size, error=str(failed))
    return _checked_member(file_name, path, data)


def _read_counted(stream: IO[bytes], compressed: int, limits: ArchiveLimits, budget: ExpansionBudget) -> bytes:
    """The member's bytes, read in chunks; the header's sizes are not trusted here: a member that
    turns out bigger than the file limit fails, the archive is refused when it turns out a bomb,
    and the request when it goes over the expansion budget."""
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(CHUNK_BYTES)
        if not chunk:
            return b"".join(parts)
        total += len(chunk)
        budget.spend(len(chunk))
        _check_ratio(total, compressed, limits)
        if total > limits.max_file_bytes:
            raise _MemberFailed(_member_over_size(total, limits) + " (larger than its header said)")
        parts.append(chunk)


def _checked_member(file_name: str, path: str, data: bytes) -> IncomingFile:
    if _looks_like_archive(path, data[:512]):
        return IncomingFile(file_name, None, len(data), error=NESTED_ARCHIVE)
    return IncomingFile(file_name, data, len(data))


# --- a single gzip file ------------------------------------------------------------------------


def _gunzip_file(name: str, content: bytes, limits: ArchiveLimits, budget: ExpansionBudget) -> IncomingFile:
    """A .gz of one file (not a tar) is that file, inflated in bounded steps under the same
    limits as an archive member, named f"{name}/{name without .gz}"."""
    inner = posixpath.basename(name.replace("\\", "/"))
    for suffix in GZIP_SUFFIXES:
        if inner.lower().endswith(suffix):
            inner = inner[: -len(suffix)] or "content"
            break
    file_name = f"{name}/{inner}"
    budget.add_members()
    stream = _BoundedGunzip(content, limits, budget, ceiling=budget.remaining())
    data = _read_bounded(stream, limits.max_file_bytes)  # type: ignore[arg-type]
    budget.spend(len(data))
    if len(data) > limits.max_file_bytes:
        return IncomingFile(file_name, None, len(data), error=_member_over_size(len(data), limits) + " inflated")
    return _checked_member(file_name, inner, data)


# --- tar ---------------------------------------------------------------------------------------


class _BoundedGunzip:
    """A gzip stream as a read-only file for tarfile's stream mode, inflated in bounded steps and
    counted: decompression stops as soon as the output passes the archive's budget or the
    compression ratio, so a bomb costs a few megabytes of work and memory, never its full size."""

    def __init__(self, content: bytes, limits: ArchiveLimits, budget: ExpansionBudget, ceiling: int) -> None:
        self._input = content
        self._limits = limits
        self._budget = budget
        self._ceiling = ceiling
        self._inflater = zlib.decompressobj(wbits=31)
        self._pending = content
        self.expanded = 0

    def read(self, size: int = -1) -> bytes:
        size = CHUNK_BYTES if size is None or size < 0 else size
        out = bytearray()
        while len(out) < size:
            if self._inflater.eof:
                rest = self._inflater.unused_data
                if not rest.strip(b"\x00"):
                    break
                self._inflater = zlib.decompressobj(wbits=31)  # concatenated gzip members
                self._pending = rest
            piece = self._inflater.decompress(self._pending, size - len(out))
            self._pending = self._inflater.unconsumed_tail
            if not piece and not self._pending and not self._inflater.eof:
                raise EOFError("gzip stream ends early")
            out += piece
            self.expanded += len(piece)
            _check_ratio(self.expanded, len(self._input), self._limits)
            if self.expanded > self._ceiling:
                raise self._budget.over()
        return bytes(out)


def _expand_tar(
    name: str, content: bytes, limits: ArchiveLimits, budget: ExpansionBudget, *, compressed: bool
) -> list[IncomingFile]:
    # Headers and padding are inflated too, but are not member content: the inflater may go past
    # what is left of the budget by their allowance for the members the request may still add.
    ceiling = (
        budget.remaining()
        + TAR_BYTES_PER_MEMBER * (budget.remaining_members() + 1)
        + TAR_TRAILER_BYTES
    )
    source: IO[bytes] = _BoundedGunzip(content, limits, budget, ceiling) if compressed else BytesIO(content)  # type: ignore[assignment]
    files: list[IncomingFile] = []
    # Stream mode: members are read in order, once, and never all held as TarInfo up front.
    with tarfile.open(fileobj=source, mode="r|") as archive:
        for member in archive:
            budget.add_members()
            if member.isdir():
                continue
            files.append(_tar_member(name, archive, member, limits, budget))
    return files


def _tar_member(
    name: str, archive: tarfile.TarFile, member: tarfile.TarInfo, limits: ArchiveLimits, budget: ExpansionBudget
) -> IncomingFile:
    path = member.name
    unsafe = _unsafe_path(path)
    if unsafe:
        return IncomingFile(f"{name}/{path}", None, member.size, error=unsafe)
    file_name = f"{name}/{_clean_path(path)}"
    if member.issym():
        return IncomingFile(file_name, None, 0, error=f"symbolic link in archive (to {member.linkname!r}): not followed")
    if member.islnk():
        return IncomingFile(file_name, None, 0, error=f"hard link in archive (to {member.linkname!r}): not followed")
    if not member.isreg():
        return IncomingFile(file_name, None, 0, error="special file in archive (device or pipe): not read")
    if member.size > limits.max_file_bytes:
        return IncomingFile(file_name, None, member.size, error=_member_over_size(member.size, limits))
    budget.check_declared(member.size)
    stream = archive.extractfile(member)
    assert stream is not None  # a regular member always has a stream
    data = _read_bounded(stream, member.size)
    budget.spend(len(data))
    return _checked_member(file_name, path, data)

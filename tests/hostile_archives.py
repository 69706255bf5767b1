"""Hostile and broken archives built in memory, deterministically (fixed dates, gzip mtime 0), for
the archive tests and for tests/data/hostile/build.py."""

import gzip
import io
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from typing import Literal

FIXED_DATE = (2026, 1, 1, 0, 0, 0)
MEMBER_KINDS = Literal["file", "symlink", "hardlink", "device", "dir"]
BOMB_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Member:
    path: str
    content: bytes = b""
    kind: MEMBER_KINDS = "file"
    target: str = ""


def zip_of(members: list[Member]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.path, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            if member.kind == "symlink":
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                archive.writestr(info, member.target.encode())
            elif member.kind == "dir":
                info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
                archive.writestr(info, b"")
            else:
                info.external_attr = (stat.S_IFREG | 0o644) << 16
                archive.writestr(info, member.content)
    return buffer.getvalue()


def tar_of(members: list[Member], *, gz: bool = True) -> bytes:
    buffer = io.BytesIO()
    target = gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) if gz else buffer
    with tarfile.open(fileobj=target, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for member in members:
            info = tarfile.TarInfo(member.path)
            info.mtime = 0
            if member.kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, member.target
                archive.addfile(info)
            elif member.kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, member.target
                archive.addfile(info)
            elif member.kind == "device":
                info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
                archive.addfile(info)
            elif member.kind == "dir":
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            else:
                info.size = len(member.content)
                archive.addfile(info, io.BytesIO(member.content))
    if gz:
        target.close()
    return buffer.getvalue()


class _Zeros(io.RawIOBase):
    """`size` zero bytes as a stream, so that building a bomb never holds its expansion."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def zip_bomb(size: int = BOMB_BYTES) -> bytes:
    """One member of `size` zeros: about 50 KB for 50 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        info = zipfile.ZipInfo("zeros.txt", date_time=FIXED_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as stream:
            zeros = _Zeros(size)
            while chunk := zeros.read(1024 * 1024):
                stream.write(chunk)
    return buffer.getvalue()


def tar_gz_bomb(size: int = BOMB_BYTES) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as compressed:
        with tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as archive:
            info = tarfile.TarInfo("zeros.txt")
            info.size, info.mtime = size, 0
            archive.addfile(info, _Zeros(size))
    return buffer.getvalue()


def zip_with_lying_header(content: bytes, declared_size: int) -> bytes:
    """A zip whose headers say its one member is `declared_size` bytes while it inflates to
    len(content): the sizes of the local and the central header are both forged."""
    honest = zip_of([Member("liar.txt", content)])
    real = len(content).to_bytes(4, "little")
    forged = declared_size.to_bytes(4, "little")
    local = honest.index(b"PK\x03\x04")
    central = honest.index(b"PK\x01\x02")
    data = bytearray(honest)
    # Uncompressed size: offset 22 in the local header, 24 in the central directory header.
    for offset in (local + 22, central + 24):
        assert data[offset : offset + 4] == real
        data[offset : offset + 4] = forged
    return bytes(data)


def zip_cut_after_a_stored_zip(inner: bytes, filler: bytes) -> bytes:
    """A zip holding, uncompressed, a whole inner zip and then a larger member, cut in half: the
    outer directory is gone while the inner zip's directory, whole, lies in what is left (the
    upload that used to be read as the inner zip, so a nested archive got expanded)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(zipfile.ZipInfo("inner.zip", date_time=FIXED_DATE), inner)
        archive.writestr(zipfile.ZipInfo("filler.txt", date_time=FIXED_DATE), filler)
    whole = buffer.getvalue()
    return whole[: len(whole) // 2]

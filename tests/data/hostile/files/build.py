"""Builds the hostile and broken single files next to this script, deterministically (seeded
texts, no dates), and `expected.json`: for each file its category, why its outcome is the right
one, and the files the ingest API makes of it (an NDJSON file is one per line), each with

  - "stage": "ingest" (refused before it is stored: failed at once) or "worker" (processed);
  - "status": "failed" or "created";
  - "error": the start of its error message for a failed file, null for a created one.

The corpus is meant to run with `BABELWIRE_MAX_FILE_BYTES` = CORPUS_MAX_FILE_BYTES (the tests set
it), so that the file over the size limit need not be ten megabytes. Rebuild from the repository
root: `.venv/bin/python tests/data/hostile/files/build.py`."""

import codecs
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[3]))

from tests.texts import EN_WORDS, RU_WORDS, VI_WORDS  # noqa: E402

# Above the 1 MiB single line (which is processed), below what the over-limit file weighs.
CORPUS_MAX_FILE_BYTES = 1_200_000
GIANT_LINE_BYTES = 1024 * 1024

FR_WORDS = (
    "ministère élève école hôpital marché fête musée élection tribunal météo pont usine village "
    "préfecture ingénieur étudiant infirmière médecin bibliothèque aéroport énergie électricité "
    "blé café tourisme patrimoine église inondation sécheresse vaccin recherche université théâtre"
).split()
JA_SENTENCES = (
    "東京で新しい橋の工事が始まりました。",
    "市役所は来年の予算について説明会を開きました。",
    "台風の影響で多くの電車が運転を見合わせています。",
    "地元の農家は今年の米の収穫が順調だと話しています。",
    "大学の研究者が新しいワクチンの試験結果を発表しました。",
    "港では漁業の再開に向けた準備が進められています。",
)

RNG = random.Random(20261123)


def prose(words: list[str], sentences: int = 6) -> str:
    """Seeded: the same corpus on every build, and no two texts near each other."""
    return " ".join(
        " ".join(RNG.choice(words) for _ in range(12)).replace("_", " ").capitalize() + "."
        for _ in range(sentences)
    )


def article(words: list[str], paragraphs: int = 3) -> str:
    return "\n\n".join(prose(words, 4) for _ in range(paragraphs)) + "\n"


@dataclass(frozen=True)
class Outcome:
    stage: str  # "ingest" | "worker"
    status: str  # "failed" | "created"
    error: str | None = None
    record: str = ""  # "#2" for an NDJSON line


def created(record: str = "") -> Outcome:
    return Outcome("worker", "created", None, record)


def rejected(error: str, record: str = "") -> Outcome:
    return Outcome("worker", "failed", error, record)


def refused(error: str) -> Outcome:
    return Outcome("ingest", "failed", error)


@dataclass(frozen=True)
class Hostile:
    category: str
    build: Callable[[], bytes]
    why: str
    outcomes: list[Outcome] = field(default_factory=list)


def with_bad_byte(text: str, bad: bytes) -> bytes:
    encoded = text.encode()
    middle = encoded.index(b" ", len(encoded) // 2)
    return encoded[:middle] + bad + encoded[middle:]


def sprinkle(text: str, extra: bytes, every: int) -> bytes:
    encoded = text.encode()
    return b"".join(encoded[i : i + every] + extra for i in range(0, len(encoded), every))


def minimal_png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(RNG.randrange(256) for _ in range(300))


def giant_line() -> bytes:
    line = b""
    while len(line) < GIANT_LINE_BYTES:
        line += prose(EN_WORDS, 200).encode() + b" "
    return line[:GIANT_LINE_BYTES].rstrip() + b"."


def deep_json(depth: int) -> bytes:
    return b'{"text": ' + b"[" * depth + b"]" * depth + b"}"


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    return f'<?xml version="1.0"?>\n<!DOCTYPE lolz [{entities}]>\n<lolz>&lol9;</lolz>\n'.encode()


ONLY_BOILERPLATE = "\n".join(
    [
        "Bình luận (0)",
        "Chia sẻ Facebook",
        "Xem thêm:",
        "https://example.com/tin-tuc/123",
        "z7157588517514_1471cc05.jpg",
        "Đọc thêm",
        "মন্তব্য (0)",
    ]
).encode()

NDJSON_GOOD_1 = json.dumps({"title": "Harbour record one", "text": prose(EN_WORDS, 5)})
NDJSON_GOOD_2 = json.dumps({"title": "Harbour record three", "text": prose(EN_WORDS, 5)})

FILES: dict[str, Hostile] = {
    # --- invalid UTF-8 -------------------------------------------------------------------------
    "utf8-stray-byte.txt": Hostile(
        "invalid UTF-8",
        lambda: with_bad_byte(article(VI_WORDS), b"\xff"),
        "Vietnamese UTF-8 with one 0xff: mostly UTF-8, so the file is damaged; guessing a legacy "
        "encoding would garble every correct character.",
        [rejected("not valid UTF-8: byte 0xff at offset")],
    ),
    "utf8-truncated-sequence.txt": Hostile(
        "invalid UTF-8",
        lambda: article(VI_WORDS).rstrip().encode()[:-1].rstrip(b"\x80\xbf") + "ố".encode()[:2],
        "Cut in the middle of a multi-byte character (an upload cut short): damaged UTF-8.",
        [rejected("not valid UTF-8: byte 0xe1")],
    ),
    "utf8-encoded-surrogates.txt": Hostile(
        "invalid UTF-8",
        lambda: with_bad_byte(article(VI_WORDS), b"\xed\xa0\xbd\xed\xb8\x80"),
        "Lone surrogates written as UTF-8 bytes (CESU-8 / WTF-8): not UTF-8, the strict decoder "
        "refuses them, and a mostly-UTF-8 file is not re-read as a legacy encoding.",
        [rejected("not valid UTF-8: byte 0xed")],
    ),
    "utf8-overlong.txt": Hostile(
        "invalid UTF-8",
        lambda: with_bad_byte(article(VI_WORDS), b"\xc0\xaf..\xc0\xaf"),
        "Overlong encodings of '/' (the classic path-traversal trick): invalid UTF-8.",
        [rejected("not valid UTF-8: byte 0xc0")],
    ),
    "utf8-mixed-with-cp1252.txt": Hostile(
        "invalid UTF-8",
        lambda: article(VI_WORDS).encode() + "\n" .encode() + prose(FR_WORDS, 1).encode("cp1252"),
        "A UTF-8 file with a cp1252 line appended (two editors): most non-ASCII text is UTF-8, "
        "so it is refused as mixed rather than half garbled.",
        [rejected("not valid UTF-8: ")],
    ),
    "cp1252-french.txt": Hostile(
        "legacy encoding (processable)",
        lambda: article(FR_WORDS).encode("cp1252"),
        "Invalid UTF-8 that is valid cp1252 French: a legacy encoding is detected and the "
        "article is created.",
        [created()],
    ),
    "cp1251-russian.txt": Hostile(
        "legacy encoding (processable)",
        lambda: article(RU_WORDS).encode("cp1251"),
        "Russian in cp1251: detected and created.",
        [created()],
    ),
    "shift-jis-japanese.txt": Hostile(
        "legacy encoding (processable)",
        lambda: "\n\n".join("".join(RNG.sample(JA_SENTENCES, 4)) for _ in range(3)).encode("cp932"),
        "Japanese in Shift_JIS (cp932): detected and created.",
        [created()],
    ),
    "mojibake-utf8-read-as-cp1252.txt": Hostile(
        "legacy encoding (processable)",
        lambda: article(FR_WORDS).encode().decode("cp1252", errors="replace").encode(),
        "Valid UTF-8 whose text is mojibake (UTF-8 once read as cp1252): repaired and created.",
        [created()],
    ),
    # --- UTF-16 / UTF-32 -----------------------------------------------------------------------
    "utf16le-no-bom.txt": Hostile(
        "UTF-16 without BOM (processable)",
        lambda: article(EN_WORDS).encode("utf-16-le"),
        "English UTF-16LE without a BOM: the NULs of its ASCII give it away; created.",
        [created()],
    ),
    "utf16be-no-bom.txt": Hostile(
        "UTF-16 without BOM (processable)",
        lambda: article(VI_WORDS).encode("utf-16-be"),
        "Vietnamese UTF-16BE without a BOM: its spaces are ASCII, NULs on the even side; created.",
        [created()],
    ),
    "utf32le-no-bom.txt": Hostile(
        "UTF-16 without BOM (processable)",
        lambda: article(RU_WORDS).encode("utf-32-le"),
        "Russian UTF-32LE without a BOM: one NUL byte in every four; created.",
        [created()],
    ),
    "utf16le-no-bom-odd-length.txt": Hostile(
        "UTF-16 without BOM",
        lambda: article(EN_WORDS).encode("utf-16-le")[:-1],
        "UTF-16 without a BOM cut to an odd length: no longer provably UTF-16, so its NULs make "
        "it binary.",
        [rejected("binary data: NUL byte at offset 1")],
    ),
    "utf16le-bom-truncated.txt": Hostile(
        "UTF-16 with a broken body",
        lambda: codecs.BOM_UTF16_LE + article(EN_WORDS).encode("utf-16-le")[:-1],
        "A UTF-16LE BOM, then a body that ends in the middle of a code unit.",
        [rejected("not valid UTF-16LE: the file ends in the middle of a character")],
    ),
    "utf16le-lone-surrogate.txt": Hostile(
        "UTF-16 with a broken body",
        lambda: codecs.BOM_UTF16_LE + "A short text ".encode("utf-16-le") + b"\x00\xdc" + " and more words here.".encode("utf-16-le"),
        "A UTF-16 low surrogate with no high surrogate before it: not valid UTF-16.",
        [rejected("not valid UTF-16LE: bad code unit 00dc")],
    ),
    # --- binary and NUL bytes ------------------------------------------------------------------
    "nul-bytes.txt": Hostile(
        "NUL bytes",
        lambda: sprinkle(article(EN_WORDS), b"\x00", 97),
        "ASCII text with a NUL every 97 bytes: too few to be UTF-16, so binary, with the offset.",
        [rejected("binary data: NUL byte at offset 97")],
    ),
    "single-nul.txt": Hostile(
        "NUL bytes",
        lambda: with_bad_byte(article(EN_WORDS), b"\x00"),
        "One NUL in English text: refused (PostgreSQL text cannot hold NUL, and no text file has one).",
        [rejected("binary data: NUL byte at offset")],
    ),
    "random-bytes.bin": Hostile(
        "binary",
        lambda: bytes(RNG.randrange(256) for _ in range(4096)),
        "4 KiB of random bytes: binary (NULs in no UTF-16 pattern).",
        [rejected("binary data: ")],
    ),
    "image.png.txt": Hostile(
        "binary",
        minimal_png,
        "A PNG named .txt: recognised by its magic number, whatever the name says.",
        [rejected("binary data: looks like a PNG image")],
    ),
    "document.pdf": Hostile(
        "binary",
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "A PDF: the sender must extract the text first.",
        [rejected("binary data: looks like a PDF document")],
    ),
    "program.elf": Hostile(
        "binary",
        lambda: b"\x7fELF\x02\x01\x01" + bytes(120),
        "An executable.",
        [rejected("binary data: looks like an executable (ELF)")],
    ),
    "notes.txt.bz2": Hostile(
        "binary",
        lambda: __import__("bz2").compress(article(EN_WORDS).encode()),
        "A bzip2 file: not one of the archive formats that are expanded, so refused as binary.",
        [rejected("binary data: looks like a bzip2 archive")],
    ),
    "database.sqlite": Hostile(
        "binary",
        lambda: b"SQLite format 3\x00" + bytes(RNG.randrange(1, 256) for _ in range(200)),
        "An SQLite database.",
        [rejected("binary data: looks like an SQLite database")],
    ),
    "control-characters.txt": Hostile(
        "control characters",
        lambda: sprinkle(article(EN_WORDS), b"\x01\x02\x1b\x7f", 20),
        "Text full of C0 control bytes: binary, not text with a stray byte.",
        [rejected("binary data: ")],
    ),
    "stray-control-character.txt": Hostile(
        "control characters (processable)",
        lambda: with_bad_byte(article(EN_WORDS), b"\x07"),
        "One BEL in an article: a stray byte, tidied away; the article is created.",
        [created()],
    ),
    # --- empty, blank, boilerplate -------------------------------------------------------------
    "empty.txt": Hostile("empty", lambda: b"", "Zero bytes.", [rejected("empty file")]),
    "bom-only.txt": Hostile("empty", lambda: codecs.BOM_UTF8, "A UTF-8 BOM and nothing else.", [rejected("empty file")]),
    "utf16-bom-only.txt": Hostile("empty", lambda: codecs.BOM_UTF16_LE, "A UTF-16 BOM and nothing else.", [rejected("empty file")]),
    "whitespace-only.txt": Hostile(
        "empty",
        lambda: " \t\r\n\u00a0\u200b\u3000\ufeff\n\n  \n".encode() * 50,
        "Spaces, tabs, no-break, zero-width and ideographic spaces only: blank, so empty.",
        [rejected("empty file")],
    ),
    "only-blank-lines.txt": Hostile(
        "empty",
        lambda: b"\n" * 500_000,
        "Half a million newlines.",
        [rejected("empty file")],
    ),
    # Too little text: a minimum of letters (workers/pipeline/process.py MIN_ARTICLE_LETTERS).
    "one-letter.txt": Hostile(
        "too little text", lambda: b"a", "One byte, `a`: once stored as an English article (confidence 0.12).",
        [rejected("too little text for an article: 1 letter after cleaning; at least 20 are needed")],
    ),
    "a-few-words.txt": Hostile(
        "too little text", lambda: "hello world 2026 ১২৩".encode(),
        "Ten letters and some digits (digits are not letters, in any script).",
        [rejected("too little text for an article: 10 letters after cleaning; at least 20 are needed")],
    ),
    "short-chinese-article.txt": Hostile(
        "too little text (processable)", lambda: "北京今天召开会议，讨论城市交通和空气质量的新计划。".encode(),
        "Twenty-three Han characters: a one-sentence article in a dense script has letters enough.",
        [created()],
    ),
    "many-blank-lines-around-an-article.txt": Hostile(
        "many blank lines (processable)",
        lambda: b"\r\n" * 100_000 + article(VI_WORDS).encode() + b"\n" * 100_000,
        "A real article between 200,000 blank lines: the blank lines go, the article is created.",
        [created()],
    ),
    "only-boilerplate.txt": Hostile(
        "only boilerplate",
        lambda: ONLY_BOILERPLATE,
        "Comment counters, share and read-more lines, a bare URL and an image name: no article.",
        [rejected("no article text left after removing boilerplate")],
    ),
    "only-images.txt": Hostile(
        "only boilerplate",
        lambda: b"z7157588517514_1471cc05.jpg\n\nIMG_2024.JPG\n\nphoto-1.webp\n",
        "Image file names only: no article.",
        [rejected("no article text left after removing boilerplate")],
    ),
    # --- size ----------------------------------------------------------------------------------
    "giant-single-line.txt": Hostile(
        "1 MiB single line (processable)",
        giant_line,
        "1 MiB of prose on one line, no newline: under the file limit and handled in well under "
        "a second (measured), so it is processed as a one-paragraph article; a second, "
        "per-line limit would refuse feeds that send text without line breaks.",
        [created()],
    ),
    "over-the-size-limit.txt": Hostile(
        "over the size limit",
        lambda: ((prose(EN_WORDS, 20) + "\n").encode() * (CORPUS_MAX_FILE_BYTES // 1000))[: CORPUS_MAX_FILE_BYTES + 1],
        "One byte over BABELWIRE_MAX_FILE_BYTES (CORPUS_MAX_FILE_BYTES here): refused at the "
        "door, never stored; the rest of the upload goes on.",
        [refused(f"file is {CORPUS_MAX_FILE_BYTES + 1} bytes; the limit is {CORPUS_MAX_FILE_BYTES}")],
    ),
    # --- HTML and XML --------------------------------------------------------------------------
    "html-only-scripts.html": Hostile(
        "HTML without content",
        lambda: (
            "<!doctype html><html><head><title></title><script>var a = 'Lorem ipsum dolor sit amet, "
            "a long enough text in a script';</script><style>body { color: red }</style></head>"
            "<body><script>document.write('Breaking news that only a script writes')</script>"
            "<noscript>Please enable JavaScript.</noscript></body></html>"
        ).encode(),
        "A page whose only text is in scripts, styles and a noscript notice: no article text.",
        [rejected("HTML: no article text found on the page")],
    ),
    "html-unclosed-tags.html": Hostile(
        "broken HTML (processable)",
        lambda: (
            "<html><body><article><h1>" + prose(EN_WORDS, 1) + "<p>" + prose(EN_WORDS, 4)
            + "<p>" + prose(EN_WORDS, 4) + "<div><span>"
        ).encode(),
        "Unclosed tags everywhere: the HTML5 parser repairs them as browsers do; created.",
        [created()],
    ),
    "deeply-nested.html": Hostile(
        "broken HTML (processable)",
        lambda: ("<html><body>" + "<div>" * 20_000 + "<p>" + prose(EN_WORDS, 5) + "</p>" + "</div>" * 20_000 + "</body></html>").encode(),
        "20,000 nested divs around one paragraph: libxml2 stops nesting at its depth limit and "
        "drops what lies deeper, so the page is refused as having no text, in bounded time and "
        "without a crash. No real page nests this deep; a clear refusal is the right outcome.",
        [rejected("HTML: no article text found on the page")],
    ),
    "billion-laughs.xml": Hostile(
        "XML",
        billion_laughs,
        "The billion-laughs entity bomb: XML is refused by format, so its entities are never expanded.",
        [rejected("unsupported format: an XML document")],
    ),
    # --- JSON and NDJSON -----------------------------------------------------------------------
    "json-wrong-types.json": Hostile(
        "JSON",
        lambda: json.dumps({"title": 42, "text": ["not", "a", "string"], "url": True}).encode(),
        "Known fields with the wrong JSON types: refused, naming the fields.",
        [rejected('JSON: field "text" must be a string, not an array')],
    ),
    "json-truncated.json": Hostile(
        "JSON",
        lambda: json.dumps({"title": "Cut short", "text": prose(EN_WORDS, 3)}).encode()[:-20],
        "A JSON object cut short: refused with the line and column.",
        [rejected("not valid JSON: Unterminated string starting at at line 1 column")],
    ),
    "json-array-of-numbers.json": Hostile(
        "JSON",
        lambda: b"[1, 2, 3, 4]",
        "Valid JSON that is not an article object.",
        [rejected("a JSON array: send one article object per file")],
    ),
    "json-deeply-nested.json": Hostile(
        "JSON",
        lambda: deep_json(100_000),
        "100,000 nested arrays in 'text': the parser's recursion error is a clear refusal, not an "
        "exception that sends the task through its retries (a bug this corpus found).",
        [rejected("not valid JSON: arrays or objects nested too deeply to read")],
    ),
    "deep-first-line.txt": Hostile(
        "JSON",
        lambda: deep_json(100_000) + b'\n{"text": "a second line that makes it look like NDJSON"}\n',
        "Opens like NDJSON with a first line nested 100,000 deep: deciding whether to split it at "
        "ingest must not raise (it did: a 500 for the whole upload); it stays one file, refused "
        "by the worker.",
        [rejected("not valid JSON: arrays or objects nested too deeply to read")],
    ),
    "json-null-text.json": Hostile(
        "JSON",
        lambda: b'{"title": "Nothing to say", "text": null}',
        "A null where the text should be.",
        [rejected('JSON: field "text" must be a string, not null')],
    ),
    "json-nul-escape.json": Hostile(
        "JSON",
        lambda: json.dumps({"title": "An escaped NUL", "text": prose(EN_WORDS, 3) + "\u0000" + prose(EN_WORDS, 3)}).encode(),
        "A \\u0000 escape inside the text: PostgreSQL text cannot hold NUL, and tidying drops it "
        "with the other control characters; the article is created.",
        [created()],
    ),
    "json-lone-surrogate-escape.json": Hostile(
        "JSON",
        lambda: (json.dumps({"title": "A lone surrogate", "text": prose(EN_WORDS, 3)})[:-1] + ', "lead": "\\ud800 orphan"}').encode(),
        "A \\ud800 escape with no low surrogate in the lead: a string Python accepts and UTF-8 "
        "cannot encode; tidying drops it, the article is created.",
        [created()],
    ),
    "feed-with-a-bad-line.ndjson": Hostile(
        "NDJSON",
        lambda: "\n".join([NDJSON_GOOD_1, '{"title": "broken", "text": ', "", NDJSON_GOOD_2]).encode() + b"\n",
        "Split at ingest, one file per line: the broken line 2 fails alone, lines 1 and 4 are created.",
        [created("#1"), rejected("not valid JSON: Expecting value at line 1 column", "#2"), created("#4")],
    ),
    # --- Unicode tricks ------------------------------------------------------------------------
    "rtl-override.txt": Hostile(
        "Unicode tricks (processable)",
        lambda: ("\u202e" + prose(EN_WORDS, 2) + "\u202c\n\n" + prose(EN_WORDS, 4) + " \u2066gpj.exe\u2069\n").encode(),
        "Bidi overrides and isolates (the 'gpj.exe' trick): the controls are tidied away, the text kept.",
        [created()],
    ),
    "zalgo-combining-marks.txt": Hostile(
        "Unicode tricks (processable)",
        lambda: "".join(c + "\u0301\u0316\u0334" * 3 if c.isalpha() else c for c in prose(EN_WORDS, 4)).encode(),
        "Every letter buried under combining marks: odd, but text; created.",
        [created()],
    ),
    "old-mac-line-endings.txt": Hostile(
        "line endings (processable)",
        lambda: article(EN_WORDS).replace("\n", "\r").encode(),
        "Lone CR line endings (classic Mac OS): read as line breaks; created.",
        [created()],
    ),
}


def main() -> None:
    expected: dict[str, dict] = {}
    for name, hostile in FILES.items():
        content = hostile.build()
        (HERE / name).write_bytes(content)
        expected[name] = {
            "category": hostile.category,
            "why": hostile.why,
            "bytes": len(content),
            "files": [
                {"name": name + outcome.record, "stage": outcome.stage, "status": outcome.status, "error": outcome.error}
                for outcome in hostile.outcomes
            ],
        }
    document = {"max_file_bytes": CORPUS_MAX_FILE_BYTES, "files": expected}
    (HERE / "expected.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

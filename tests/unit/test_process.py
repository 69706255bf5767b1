import unicodedata

import pytest

from tests.seeds import seed_bytes
from workers.pipeline.decoding import RejectedFile
from workers.pipeline.process import process_file

DAIBIEU = (
    "https://daibieunhandan.vn/mo-rong-khong-giant-hop-tac-giua-bo-cong-an-viet-nam-va-hoi-dong-an-ninh-belarus-10398051.html"
)


def test_seed_becomes_a_bengali_draft():
    draft = process_file(seed_bytes(3))
    assert draft.language == "bn"
    assert 0.5 < draft.language_confidence <= 1.0
    assert draft.source_url == DAIBIEU
    assert draft.images == ()
    assert draft.script == "Beng"
    assert draft.title is None and draft.lead is None
    assert draft.text == "\n\n".join(p.text for p in draft.paragraphs)
    assert draft.text.startswith("আলোচনায় আরও উপস্থিত ছিলেন পার্টির কেন্দ্রীয় কমিটির সদস্য")
    assert len(draft.content_hash) == 32


@pytest.mark.parametrize(
    "content",
    [
        "মন্তব্য (0)\nz7157588517514_1471cc05946c11fe4159fc679254b7e4.jpg\n".encode(),
        "\n\nসূত্র: https://example.com/a\n\n\nटिप्पणी (3)\n  \n".encode(),
        b"   \n\n\t\n",
    ],
)
def test_boilerplate_only_file_is_rejected(content):
    with pytest.raises(RejectedFile):
        process_file(content)


def test_binary_file_is_rejected():
    with pytest.raises(RejectedFile, match="PNG"):
        process_file(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def test_footer_and_spacing_changes_keep_the_hash():
    original = seed_bytes(0)
    text = original.decode("utf-8")
    assert text.endswith("মন্তব্য (0)")
    edited = text.replace("মন্তব্য (0)", "মন্তব্য (5)").replace("\n", "  \n\n\n") + "\n\n"
    assert edited != text
    draft, copy = process_file(original), process_file(edited.encode("utf-8"))
    assert copy.content_hash == draft.content_hash
    assert copy.source_url == draft.source_url


def test_changed_body_changes_the_hash():
    text = seed_bytes(0).decode("utf-8")
    # A body paragraph (the file's first paragraph is a photo caption, not body).
    edited = text.replace("বৈঠকে মন্ত্রী", "বৈঠকে উপমন্ত্রী", 1)
    assert edited != text
    assert process_file(edited.encode()).content_hash != process_file(seed_bytes(0)).content_hash


def test_bom_and_crlf_copy_is_the_same_article():
    original = seed_bytes(2)
    copy = b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n")
    assert process_file(copy) == process_file(original)


def test_name_selects_json_records():
    draft = process_file(
        b'{"text": "Le Conseil municipal a vote le budget mardi soir apres un long debat.", '
        b'"url": "HTTPS://Example.FR/a?utm_source=x#top", "published_at": "2025-12-02T10:00:00+07:00"}',
        "batch.ndjson#3",
    )
    assert draft.language == "fr"
    assert draft.source_url == "https://example.fr/a"
    assert draft.published_at is not None and draft.published_at.utcoffset() is not None


def test_translations_share_a_source_url_and_differ_in_language():
    bn, hi = process_file(seed_bytes(0)), process_file(seed_bytes(1))
    assert (bn.language, hi.language) == ("bn", "hi")
    assert bn.source_url == hi.source_url
    assert bn.content_hash != hi.content_hash


def test_decomposed_vietnamese_boilerplate_is_recognised_after_nfc():
    # Typed in NFD: "Nguồn" and "Bình luận" with combining marks, as some Vietnamese editors save them.
    text = "Bộ trưởng Bộ Công an đã tiếp đoàn đại biểu tại Hà Nội.\nNguồn: https://example.vn/a\nBình luận (2)"
    draft = process_file(unicodedata.normalize("NFD", text).encode("utf-8"))
    assert draft.text == "Bộ trưởng Bộ Công an đã tiếp đoàn đại biểu tại Hà Nội."
    assert draft.source_url == "https://example.vn/a"
    assert draft.language == "vi"

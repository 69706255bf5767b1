import unicodedata

import pytest

from tests.seeds import seed_bytes
from workers.pipeline.hygiene import tidy

ZWJ, ZWNJ = "\u200d", "\u200c"


@pytest.mark.parametrize("index", range(5))
def test_seeds_are_already_tidy(index):
    text = seed_bytes(index).decode("utf-8")
    assert tidy(text) == text


def test_nfd_vietnamese_becomes_nfc():
    nfc = "Bộ trưởng Bộ Công an đã tiếp đoàn đại biểu tại Hà Nội."
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    assert tidy(nfd) == nfc


@pytest.mark.parametrize("line_break", ["\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"])
def test_every_line_break_becomes_a_newline(line_break):
    text = f"Hai bên ký thỏa thuận hợp tác.{line_break}Lễ ký diễn ra tại Hà Nội."
    assert tidy(text) == "Hai bên ký thỏa thuận hợp tác.\nLễ ký diễn ra tại Hà Nội."


def test_crlf_is_one_line_break_not_two():
    assert tidy("প্রথম লাইন\r\n\r\nদ্বিতীয় অনুচ্ছেদ\r\n") == "প্রথম লাইন\n\nদ্বিতীয় অনুচ্ছেদ\n"


@pytest.mark.parametrize(
    "space",
    ["\u00a0", "\u202f", "\u2007", "\u2002", "\u2003", "\u2009", "\u200a", "\u205f", "\u1680", "\t"],
)
def test_unicode_spaces_and_tabs_become_a_plain_space(space):
    assert tidy(f"১৫০{space}টিরও বেশি দেশ") == "১৫০ টিরও বেশি দেশ"


def test_runs_of_spaces_collapse_and_line_ends_are_stripped():
    text = "  Le ministre a  déclaré\u00a0 :\t« Nous  signerons. »  \n\t suite  "
    assert tidy(text) == "Le ministre a déclaré : « Nous signerons. »\nsuite"


def test_ideographic_space_stays_inside_a_line_but_not_at_its_ends():
    headline = "和紙の里に若い担い手\u3000移住者が伝統を継ぐ"
    assert tidy(headline) == headline
    assert tidy("\u3000\u3000本市新修订的生活垃圾分类管理办法于下月一日起正式施行。") == (
        "本市新修订的生活垃圾分类管理办法于下月一日起正式施行。"
    )


def test_blank_lines_are_kept_and_lines_never_joined():
    text = "\nপ্রথম অনুচ্ছেদ।\n\n\n\nদ্বিতীয় অনুচ্ছেদ।\n \nমন্তব্য (0)"
    assert tidy(text) == "\nপ্রথম অনুচ্ছেদ।\n\n\n\nদ্বিতীয় অনুচ্ছেদ।\n\nমন্তব্য (0)"


@pytest.mark.parametrize(
    "invisible",
    [
        "\u200b",  # zero width space
        "\u2060",  # word joiner
        "\ufeff",  # BOM inside the text
        "\u00ad",  # soft hyphen
        "\u200e",  # left-to-right mark
        "\u200f",  # right-to-left mark
        "\u061c",  # Arabic letter mark
        "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # bidi embeddings and overrides
        "\u2066", "\u2067", "\u2068", "\u2069",  # bidi isolates
        "\x00", "\x07", "\x1b", "\x7f",  # C0 controls and DEL
        "\x80", "\x92", "\x9f",  # C1 controls
        "\ud800",  # a lone surrogate, as JSON "\ud800" gives
    ],
)  # fmt: skip
def test_invisible_characters_are_dropped(invisible):
    assert tidy(f"Bundes{invisible}regierung beschließt") == "Bundesregierung beschließt"


def test_soft_hyphens_in_a_german_word_vanish():
    assert tidy("Wärme\u00adpumpen\u00adförderung") == "Wärmepumpenförderung"


def test_dropping_an_invisible_character_lets_the_text_compose():
    # "e", ZWSP, combining acute: once the ZWSP is gone NFC composes "é".
    assert tidy("Caf" + "e\u200b\u0301") == "Café"


@pytest.mark.parametrize(
    "word",
    [
        "র\u200d\u09cd\u09af\u09be\u09ac",  # Bengali "র‍্যাব" (RAB): ZWJ gives the ra-phala form
        "ক্\u200cষ",  # Bengali: ZWNJ shows the virama instead of the conjunct "ক্ষ"
        "क्\u200dष",  # Devanagari half form with ZWJ (Unicode Standard, chapter 12)
        "क्\u200cष",  # Devanagari explicit virama with ZWNJ
        "می\u200cخواهم",  # Persian "I want": ZWNJ keeps the prefix unjoined
        "نمی\u200cدانم",  # Persian "I do not know"
        "👩\u200d💻",  # emoji ZWJ sequence
    ],
)
def test_zwj_and_zwnj_are_kept(word):
    sentence = f"{word} শব্দ"
    assert tidy(sentence) == sentence
    assert (ZWJ in tidy(sentence)) == (ZWJ in word)
    assert (ZWNJ in tidy(sentence)) == (ZWNJ in word)


@pytest.mark.parametrize(
    "text",
    [
        "التقى وزير الأمن العام الفيتنامي في هانوي بمدير جهاز الأمن الوطني، ووقّع الجانبان اتفاقية في 26 أكتوبر 2025.",
        "وَقَّعَ الجانبانِ اتفاقيةً للتعاونِ الأمنيِّ (٢٠٢٥).",
        "ראש הממשלה נפגש היום בירושלים עם שר החוץ של וייטנאם, ודן איתו ב-3 נושאים.",
        "وزیر امنیت عمومی ویتنام می\u200cگوید همکاری\u200cهای امنیتی دو کشور گسترش خواهد یافت.",
    ],
)
def test_right_to_left_text_passes_intact(text):
    assert tidy(text) == text


def test_bidi_marks_around_right_to_left_text_are_dropped_but_the_text_is_not():
    arabic = "وزير الأمن العام"
    assert tidy(f"Minister \u202b{arabic}\u202c said\u200f.") == f"Minister {arabic} said."


def test_arabic_number_sign_is_kept():
    # U+0600 is a format character that spans the digits after it: it is part of the text.
    text = "الصفحة \u0600١٢٣"
    assert tidy(text) == text


def test_tidy_is_idempotent():
    messy = "  Hà\u00a0Nội\u200b,\r\n\r\n\u202bسلام\u202c\t\tNội  dung \x07\n"
    once = tidy(messy)
    assert tidy(once) == once
    assert once == "Hà Nội,\n\nسلام Nội dung\n"

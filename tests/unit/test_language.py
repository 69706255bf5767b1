import pytest

from tests.seeds import ntrex_text, seed_paths
from workers.pipeline.article import SourceDocument
from workers.pipeline.cleaning import clean
from workers.pipeline.language import _detector, cld2_verdict, dominant_script, identify, link_language
from workers.pipeline.language_tags import language_of, tag_for

SAMPLES = {
    ("vi", "Latn"): "Bộ trưởng Bộ Công an đã tiếp đoàn đại biểu Hội đồng An ninh Belarus tại Hà Nội vào chiều nay.",
    ("en", "Latn"): "The minister received the delegation in Hanoi and the two sides signed a cooperation agreement.",
    ("fr", "Latn"): "Le ministre a reçu la délégation à Hanoï et les deux parties ont signé un accord de coopération.",
    ("es", "Latn"): "El ministro recibió a la delegación en Hanói y ambas partes firmaron un acuerdo de cooperación.",
    ("zh-Hans", "Hans"): "部长今天下午在河内会见了代表团，双方签署了一项合作协议，这个协议对两国关系很重要。",
    ("zh-Hant", "Hant"): "部長今天下午在河內會見了代表團，雙方簽署了一項合作協議，這個協議對兩國關係很重要。",
    ("ru", "Cyrl"): "Министр принял делегацию в Ханое, и стороны подписали соглашение о сотрудничестве.",
    ("ar", "Arab"): "استقبل الوزير الوفد في هانوي ووقع الجانبان اتفاقية للتعاون الأمني.",
    ("ja", "Jpan"): "大臣は本日午後ハノイで代表団と会談し、両国は協力協定に署名しました。",
    ("ko", "Kore"): "장관은 오늘 오후 하노이에서 대표단을 만났고 양측은 협력 협정에 서명했다.",
    ("th", "Thai"): "รัฐมนตรีได้ต้อนรับคณะผู้แทนที่กรุงฮานอยเมื่อบ่ายวันนี้ และทั้งสองฝ่ายได้ลงนามในข้อตกลงความร่วมมือ",
    ("bn", "Beng"): "মন্ত্রী আজ বিকেলে হ্যানয়ে প্রতিনিধিদলকে স্বাগত জানান এবং দুই পক্ষ একটি সহযোগিতা চুক্তি স্বাক্ষর করে।",
    ("hi", "Deva"): "मंत्री ने आज दोपहर हनोई में प्रतिनिधिमंडल का स्वागत किया और दोनों पक्षों ने एक सहयोग समझौते पर हस्ताक्षर किए।",
    ("he", "Hebr"): "השר קיבל את המשלחת בהאנוי והצדדים חתמו על הסכם שיתוף פעולה.",
    ("ta", "Taml"): "அமைச்சர் இன்று மதியம் ஹனோயில் தூதுக்குழுவை வரவேற்றார், இரு தரப்பும் ஒப்பந்தத்தில் கையெழுத்திட்டன.",
    ("ur", "Arab"): "وزیر نے آج سہ پہر ہنوئی میں وفد کا استقبال کیا اور دونوں فریقوں نے تعاون کے معاہدے پر دستخط کیے۔",
}

# A Vietnamese report that quotes a long English statement in full.
VI_WITH_ENGLISH_QUOTE = """Chiều 25/10, tại Hà Nội, Bộ trưởng Bộ Công an Lương Tam Quang đã tiếp Tổng Thư ký Liên hợp quốc nhân dịp lễ mở ký Công ước Hà Nội về chống tội phạm mạng.

Phát biểu tại buổi tiếp, Tổng Thư ký nhấn mạnh ý nghĩa lịch sử của sự kiện. Ông nói:

The Hanoi Convention is a powerful, legally binding instrument to strengthen our collective defences against cybercrime. It is a testament to the enduring power of multilateralism to deliver solutions, and it shows that when countries work together, they can overcome even the most complex challenges of the digital age.

Bộ trưởng Lương Tam Quang cảm ơn Tổng Thư ký và khẳng định Việt Nam sẽ tiếp tục phối hợp chặt chẽ với Liên hợp quốc.

Công ước Hà Nội được Đại hội đồng Liên hợp quốc thông qua vào cuối năm ngoái, là văn kiện pháp lý toàn cầu đầu tiên về phòng, chống tội phạm mạng, tạo cơ sở cho các quốc gia trao đổi thông tin, chứng cứ điện tử và hỗ trợ tư pháp lẫn nhau."""

LONG_QUOTE = VI_WITH_ENGLISH_QUOTE.split("\n\n")[2]


@pytest.mark.parametrize(("index", "code"), list(zip(range(5), ["bn", "hi", "bn", "bn", "hi"])))
def test_seed_languages(index, code):
    text = clean(SourceDocument(text=seed_paths()[index].read_text(encoding="utf-8"))).text
    guess = identify(text)
    assert (guess.code, guess.mixed) == (code, False)
    assert guess.confidence > 0.9


@pytest.mark.parametrize(("expected", "sentence"), list(SAMPLES.items()))
def test_language_and_script_of_hand_written_sentences(expected, sentence):
    guess = identify(sentence)
    assert (guess.code, guess.script) == expected
    assert 0.5 < guess.confidence <= 1.0
    assert guess.mixed is False


def test_vietnamese_with_a_long_english_quote_is_mixed():
    guess = identify(VI_WITH_ENGLISH_QUOTE)
    assert (guess.code, guess.script, guess.mixed) == ("vi", "Latn", True)


def test_vietnamese_with_a_short_english_quote_is_not_mixed():
    text = VI_WITH_ENGLISH_QUOTE.replace(LONG_QUOTE, "We welcome the Hanoi Convention.")
    guess = identify(text)
    assert (guess.code, guess.mixed) == ("vi", False)


def test_bengali_and_english_halves_are_mixed():
    bengali = "\n".join(SAMPLES[("bn", "Beng")] for _ in range(3))
    english = "\n".join(SAMPLES[("en", "Latn")] for _ in range(2))
    assert identify(f"{bengali}\n{english}").mixed is True


def test_names_in_another_script_do_not_make_a_text_mixed():
    text = "Bộ trưởng Lương Tam Quang đã gặp ông John Brandolino (UNODC) và bà Rita Mokbel (Ericsson) tại Hà Nội để thảo luận về hợp tác."
    assert identify(text).mixed is False


@pytest.mark.parametrize("text", ["", " ", "\n\n\t  \n", "12345", "?!", "২০২৫ - 110"])
def test_no_letters_is_und_without_confidence(text):
    guess = identify(text)
    assert (guess.code, guess.confidence, guess.mixed) == ("und", None, False)


def test_no_letters_with_a_declared_language_takes_it():
    assert identify("12345", declared="vi").code == "vi"


def test_declared_language_decides_a_very_short_text():
    assert identify("ok", declared="vi-VN").code == "vi"


def test_detection_wins_over_a_wrong_declared_language():
    guess = identify(SAMPLES[("bn", "Beng")], declared="en")
    assert guess.code == "bn" and guess.confidence > 0.9


def test_without_a_declared_language_a_very_short_text_is_und_with_its_script():
    guess = identify("ok")
    assert guess.code == "und-Latn" and 0.0 <= guess.confidence <= 1.0


@pytest.mark.parametrize(
    ("declared", "code"),
    [("en-US", "en"), ("EN", "en"), ("zh_Hant", "zh"), ("zh-Hans-CN", "zh"), ("vie", "vi"),
     ("ben", "bn"), ("hin", "hi"), ("", None), (None, None), ("12", None), ("english", None)],
)
def test_declared_codes_are_normalised(declared, code):
    assert language_of(declared) == code


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Hà Nội", "Latn"),
        ("ঢাকা ও হ্যানয় (Hanoi)", "Beng"),  # the script of most letters
        ("ＡＢＣ", "Latn"),  # full-width Latin is still Latin
        ("ハノイ", "Jpan"),  # katakana alone
        ("東京都は日本の首都です", "Jpan"),  # Han with some kana
        ("한국어 漢字", "Kore"),
        ("中文", "Hani"),  # too few characters to tell simplified from traditional
        ("河内会议这个国家", "Hans"),
        ("河內會議這個國家", "Hant"),
        ("שלום", "Hebr"),
        ("123 !?", None),
    ],
)
def test_dominant_script(text, script):
    assert dominant_script(text) == script


def test_line_breaks_do_not_change_the_answer():
    one_line = SAMPLES[("vi", "Latn")]
    assert identify(one_line.replace(" ", "\n", 3)).code == identify(one_line).code == "vi"


def test_the_model_is_loaded_once():
    assert _detector() is _detector()


# An English report quoting a French statement at length; the French holds fewer letters.
EN_WITH_FRENCH_QUOTE = """The new tidal barrier closed for the first time on Tuesday morning, as a spring tide pushed the water to within half a metre of the quay walls along the estuary.
Engineers watched from the control room on the western bank while residents gathered on the footbridge, many of them shopkeepers who have sandbagged their doors every winter for twenty years.
The project was approved a decade ago but stalled twice, and its final cost is almost double the first estimate, which opposition councillors call a warning for future schemes.
The agency says the gates will protect thousands of homes and businesses for at least fifty years, and it will publish monitoring data every quarter.
The French contractor said in a statement:
« Notre groupe est fier d'avoir contribué à un ouvrage qui protégera durablement les habitants de l'estuaire, malgré des sols plus difficiles que prévu.
Nous avons conçu les portes pour résister à des marées bien plus fortes que celles observées aujourd'hui, et nos techniciens en assureront l'entretien. »"""


def test_english_with_a_long_french_quote_stays_english_and_is_mixed():
    guess = identify(EN_WITH_FRENCH_QUOTE)
    assert (guess.code, guess.mixed) == ("en", True)
    assert guess.confidence > 0.8


# Real news (NTREX), one story per script family and the scripts a language is written in.
STORIES = ("bbc.381647", "reuters.218861", "scotsman.133765")
NTREX_TAGS = {
    "eng": "en", "vie": "vi", "tur": "tr", "fin": "fi", "swa": "sw", "xho": "xh", "zul": "zu",
    "rus": "ru", "ukr": "uk", "mon": "mn-Cyrl", "srp-Cyrl": "sr-Cyrl", "variants/srp-Latn": "sr-Latn",
    "ell": "el", "heb": "he", "arb": "ar", "urd": "ur", "fas": "fa", "div": "dv",
    "hin": "hi", "mar": "mr", "nep": "ne", "ben": "bn", "pan": "pa-Guru", "guj": "gu", "tam": "ta",
    "kan": "kn", "mal": "ml", "tha": "th", "lao": "lo", "bod": "bo-Tibt", "tir": "ti",
    "jpn": "ja", "kor": "ko", "zho-CN": "zh-Hans", "variants/zho-TW": "zh-Hant",
}


@pytest.mark.parametrize(("folder", "tag"), list(NTREX_TAGS.items()))
def test_real_news_in_every_script_family(folder, tag):
    for story in STORIES:
        guess = identify(ntrex_text(folder, story))
        assert guess.code == tag, f"{folder}/{story}"
        assert guess.confidence > 0.5 and guess.paragraphs == (), f"{folder}/{story}"


@pytest.mark.parametrize("folder", ["bem", "fuc"])
def test_a_language_no_model_knows_is_und_with_its_script(folder):
    """Bemba and Pulaar: outside CLD2, fastText's lid.176 and CLD3; the nearest known language
    would be a wrong label."""
    for story in STORIES:
        guess = identify(ntrex_text(folder, story))
        assert guess.code == "und-Latn", f"{folder}/{story}"
        assert guess.confidence is not None and guess.confidence < 0.9


def test_noise_is_und():
    noise = "xq zvbk wpqj kdfz qwerty asdf ghjk zxcv mnbv lkjh poiu ytre vcxz " * 3
    assert identify(noise).code.startswith("und")


def test_ethiopic_noise_keeps_its_script():
    assert identify("ሀሁሂሃ ሄህሆ ለሉሊላ ሌልሎ መሙሚማ").code == "und-Ethi"


def _mixed(main: str, quoted: str, story: str, at: tuple[int, ...]) -> tuple[str, set[int]]:
    """The story in `main`, with its lines at `at` taken from the `quoted` translation."""
    lines = ntrex_text(main, story).splitlines()
    other = ntrex_text(quoted, story).splitlines()
    for index in at:
        lines[index] = other[index]
    return "\n".join(lines), set(at)


@pytest.mark.parametrize(("main", "quoted", "tag"), [("ben", "eng", "en"), ("eng", "fra", "fr"), ("rus", "deu", "de"), ("vie", "eng", "en")])
def test_paragraphs_in_another_language_are_kept(main, quoted, tag):
    text, inserted = _mixed(main, quoted, "reuters.218861", (3, 7))
    guess = identify(text)
    assert guess.code == identify(ntrex_text(main, "reuters.218861")).code
    reported = {p.index for p in guess.paragraphs}
    assert reported == inserted and {p.code for p in guess.paragraphs} == {tag}


@pytest.mark.parametrize(
    ("language", "script", "tag"),
    [("sr", "Cyrl", "sr-Cyrl"), ("sr", "Latn", "sr-Latn"), ("zh", "Hans", "zh-Hans"), ("zh", "Hant", "zh-Hant"),
     ("pa", "Guru", "pa-Guru"), ("pa", "Arab", "pa-Arab"), ("en", "Latn", "en"), ("hi", "Latn", "hi-Latn"),
     ("ja", "Jpan", "ja"), ("zh", "Hani", "zh"), (None, "Ethi", "und-Ethi"), (None, None, "und")],
)
def test_tags_carry_a_script_where_the_language_has_several(language, script, tag):
    assert tag_for(language, script) == tag


def test_und_holds_no_translation_slot_and_scripts_share_one():
    assert link_language("und-Ethi") is None and link_language("und") is None
    assert link_language("zh-Hant") == link_language("zh-Hans") == "zh"


def test_a_stray_control_character_does_not_hide_the_language():
    """Real Bosnian news with U+0084 in it: CLD2 refuses any text holding a C1 control."""
    text = ntrex_text("bos", "abcnews.306755")
    assert "\x84" in text
    verdict, reliable = cld2_verdict(text)
    assert reliable and verdict.language is not None


def test_a_quote_in_another_script_does_not_change_the_tag():
    """Han writes a word in a character or two, Latin in many letters: one English line in a
    short Chinese report can outnumber its Han letters, yet the article stays zh-Hans."""
    text, _ = _mixed("zho-CN", "eng", "reuters.218921", (0, 2))
    assert dominant_script(text) == "Latn"
    guess = identify(text)
    assert guess.code == "zh-Hans" and any(p.code == "en" for p in guess.paragraphs)

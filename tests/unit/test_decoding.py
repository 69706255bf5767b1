import unicodedata

import pytest

from tests.seeds import seed_bytes
from workers.pipeline.decoding import RejectedFile, decode, decode_raw, repair_mojibake

BOM = b"\xef\xbb\xbf"

# Real sentences in the scripts the pipeline must never alter.
CORRECT_TEXTS = {
    "vi": "Bộ trưởng Bộ Công an Lương Tam Quang đã tiếp Giám đốc Cơ quan An ninh Quốc gia "
    "Azerbaijan tại Hà Nội. Hai bên ký thỏa thuận hợp tác về an ninh.",
    "zh": "越南公安部部长梁三光大将在河内会见了阿塞拜疆国家安全局局长，双方签署了安全领域合作协议。",
    "ru": "Министр общественной безопасности Вьетнама Лыонг Там Куанг встретился в Ханое "
    "с главой Службы государственной безопасности Азербайджана.",
    "ar": "التقى وزير الأمن العام الفيتنامي لونغ تام كوانغ في هانوي بمدير جهاز الأمن الوطني "
    "الأذربيجاني، ووقّع الجانبان اتفاقية للتعاون الأمني.",
    "ja": "ベトナムのルオン・タム・クアン公安相は、ハノイでアゼルバイジャン国家安全保障局長と会談し、"
    "安全保障協力協定に署名した。",
    "th": "รัฐมนตรีว่าการกระทรวงความมั่นคงสาธารณะของเวียดนามได้พบกับผู้อำนวยการหน่วยงานความมั่นคง"
    "แห่งชาติของอาเซอร์ไบจานที่กรุงฮานอย",
    "hi": "जन सुरक्षा मंत्री जनरल लुओंग टैम क्वांग और अज़रबैजान के राष्ट्रीय सुरक्षा निदेशक अली "
    "नागियेव ने एक सुरक्षा सहयोग समझौते पर हस्ताक्षर किए।",
    "bn": "জননিরাপত্তা মন্ত্রী জেনারেল লুওং তাম কোয়াং এবং আজারবাইজানের জাতীয় নিরাপত্তা পরিচালক "
    "আলী নাগিয়েভ একটি চুক্তি স্বাক্ষর করেছেন।",
    "ko": "베트남 공안부 장관은 하노이에서 아제르바이잔 국가안보국장과 회담하고 안보 협력 협정에 서명했다.",
    "he": "ראש הממשלה נפגש היום בירושלים עם שר החוץ של וייטנאם ודן איתו בהרחבת שיתוף הפעולה.",
    "fa": "وزیر امنیت عمومی ویتنام می\u200cگوید همکاری\u200cهای امنیتی دو کشور گسترش خواهد یافت.",
    "pt": "NÃO HÁ ACORDO: o ministro disse que a reunião em São Paulo terminou sem decisão.",
    "fr": "À Paris, l’État a annoncé « une réforme » — coût : 3 € par mois ; ça commence déjà.",
}


# --- text that is already right ---------------------------------------------------------------


@pytest.mark.parametrize("index", range(5))
def test_seeds_decode_unchanged(index):
    raw = seed_bytes(index)
    assert decode(raw) == raw.decode("utf-8")


@pytest.mark.parametrize("language", sorted(CORRECT_TEXTS))
def test_correct_text_in_any_script_decodes_unchanged(language):
    text = CORRECT_TEXTS[language]
    assert decode(text.encode("utf-8")) == text


@pytest.mark.parametrize("language", sorted(CORRECT_TEXTS))
def test_mojibake_repair_leaves_correct_text_alone(language):
    text = CORRECT_TEXTS[language]
    assert repair_mojibake(text) == text


def test_utf8_with_and_without_bom_decode_alike():
    raw = "সূত্র: হ্যানয়\nline two".encode("utf-8")
    assert decode(BOM + raw) == decode(raw) == "সূত্র: হ্যানয়\nline two"


def test_bom_is_not_left_in_the_text():
    assert not decode(BOM + b"abc").startswith("\ufeff")


@pytest.mark.parametrize(
    ("decomposed", "composed"),
    [
        ("Cafe\u0301", "Caf\u00e9"),  # e + combining acute -> é
        ("\u0995\u09c7\u09be", "\u0995\u09cb"),  # Bengali ক + ে + া -> ক + ো
        ("\u0928\u093c", "\u0929"),  # Devanagari न + nukta -> ऩ
    ],
)
def test_text_is_normalised_to_nfc(decomposed, composed):
    assert decode(decomposed.encode("utf-8")) == composed


def test_decode_tidies_the_text():
    raw = "Hà\u00a0Nội,\u200b  ngày 2/12\r\n\r\nHai bên ký thỏa thuận.\t\r\n".encode("utf-8")
    assert decode(raw) == "Hà Nội, ngày 2/12\n\nHai bên ký thỏa thuận.\n"


def test_decode_raw_repairs_but_does_not_tidy():
    raw = "Hà\u00a0Nội  \r\n".encode("utf-8")
    assert decode_raw(raw) == "Hà\u00a0Nội  \r\n"


# --- UTF-16 and UTF-32 ---------------------------------------------------------------------------

WIDE_TEXT = "মন্ত্রী লুওং তাম কোয়াং হ্যানয়ে বক্তব্য রাখেন।\r\nBộ trưởng Lương Tam Quang phát biểu."
WIDE_TIDY = "মন্ত্রী লুওং তাম কোয়াং হ্যানয়ে বক্তব্য রাখেন।\nBộ trưởng Lương Tam Quang phát biểu."


@pytest.mark.parametrize(
    ("encoding", "mark"),
    [
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-32-le", b"\xff\xfe\x00\x00"),
        ("utf-32-be", b"\x00\x00\xfe\xff"),
    ],
)
def test_utf16_and_utf32_with_a_bom_are_decoded(encoding, mark):
    assert decode(mark + WIDE_TEXT.encode(encoding)) == WIDE_TIDY


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_python_s_own_bom_encodings_are_decoded(encoding):
    assert decode(WIDE_TEXT.encode(encoding)) == WIDE_TIDY


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_a_bom_are_recognised_by_their_nuls(encoding):
    text = "Министр общественной безопасности Вьетнама встретился в Ханое с коллегой."
    assert decode(text.encode(encoding)) == text


def test_utf16_seed_with_bom_and_crlf_is_the_seed():
    raw = seed_bytes(4)
    assert decode(b"\xff\xfe" + raw.decode("utf-8").replace("\n", "\r\n").encode("utf-16-le")) == (
        raw.decode("utf-8")
    )


def test_truncated_utf16_is_rejected():
    with pytest.raises(RejectedFile, match=r"not valid UTF-16LE: the file ends in the middle"):
        decode("Hello, world".encode("utf-16")[:-1])


def test_utf16_with_a_lone_surrogate_is_rejected_with_its_offset():
    # BOM, "H", then a high surrogate followed by "i" instead of a low surrogate
    with pytest.raises(RejectedFile) as error:
        decode(b"\xff\xfe" + b"H\x00" + b"\x00\xd8" + b"i\x00")
    assert "not valid UTF-16LE" in str(error.value)
    assert "offset 4" in str(error.value)


# --- legacy encodings ----------------------------------------------------------------------------

LEGACY_TEXTS = [
    ("cp1252", "Le gouvernement français a annoncé mercredi une série de mesures destinées à "
     "soutenir les agriculteurs touchés par la sécheresse de l’été dernier."),
    ("latin-1", "Die Bundesregierung hat am Mittwoch beschlossen, die Förderung für Wärmepumpen "
     "zu erhöhen, um den Ausstieg aus Öl- und Gasheizungen zu beschleunigen."),
    ("cp1251", "Правительство России в среду объявило о новых мерах поддержки малого бизнеса в "
     "регионах, пострадавших от наводнений."),
    ("koi8-r", "Правительство России в среду объявило о новых мерах поддержки малого бизнеса в "
     "регионах, пострадавших от наводнений."),
    ("koi8-u", "Уряд України в середу оголосив про нові заходи підтримки малого бізнесу в "
     "регіонах, що постраждали від повені."),
    ("iso-8859-5", "Министр общественной безопасности Вьетнама встретился в Ханое с главой "
     "Службы государственной безопасности Азербайджана."),
    ("cp866", "Министр общественной безопасности Вьетнама встретился в Ханое с главой Службы "
     "государственной безопасности Азербайджана."),
    ("gb18030", "越南公安部部长梁三光大将在河内会见了阿塞拜疆国家安全局局长，双方签署了安全合作协议。"),
    ("gbk", "本市新修订的生活垃圾分类管理办法于下月一日起正式施行，居民小区将全面推行定时定点投放。"),
    ("big5", "越南公安部部長梁三光大將在河內會見了亞塞拜然國家安全局局長，雙方簽署了安全合作協議。"),
    ("shift_jis", "ベトナム公安省の大臣は水曜日、ハノイでアゼルバイジャンの国家安全保障局長と会談し、"
     "安全保障協力協定に署名した。"),
    ("euc-jp", "伝統的な和紙づくりを続ける山あいの集落で、都会から移り住んだ若者たちが新たな担い手として"
     "注目を集めている。"),
    ("euc-kr", "베트남 공안부 장관은 수요일 하노이에서 아제르바이잔 국가안보국장과 회담하고 안보 협력 "
     "협정에 서명했다."),
    ("tis-620", "รัฐมนตรีว่าการกระทรวงความมั่นคงสาธารณะของเวียดนามได้พบกับผู้อำนวยการหน่วยงาน"
     "ความมั่นคงแห่งชาติของอาเซอร์ไบจานที่กรุงฮานอย"),
    ("cp874", "นายกรัฐมนตรีเดินทางไปตรวจเยี่ยมพื้นที่ประสบอุทกภัยในภาคเหนือเมื่อวันพุธ"
     "และสั่งการให้หน่วยงานเร่งช่วยเหลือประชาชน"),
    ("cp1256", "التقى وزير الأمن العام الفيتنامي في هانوي بمدير جهاز الأمن الوطني الأذربيجاني "
     "ووقع الجانبان اتفاقية للتعاون الأمني."),
    ("iso-8859-6", "التقى وزير الأمن العام الفيتنامي في هانوي بمدير جهاز الأمن الوطني الأذربيجاني "
     "ووقع الجانبان اتفاقية للتعاون الأمني."),
    ("iso-8859-2", "Rząd Polski ogłosił w środę nowe środki wsparcia dla rolników dotkniętych suszą "
     "w południowych województwach."),
    ("cp1250", "Vláda České republiky ve středu schválila nová opatření na podporu zemědělců "
     "postižených suchem."),
    ("iso-8859-7", "Η ελληνική κυβέρνηση ανακοίνωσε την Τετάρτη νέα μέτρα στήριξης για τους αγρότες "
     "που επλήγησαν από την ξηρασία."),
    ("cp1255", "ממשלת ישראל הודיעה ביום רביעי על צעדים חדשים לתמיכה בחקלאים שנפגעו מהבצורת."),
    ("cp1254", "Türkiye hükümeti çarşamba günü kuraklıktan etkilenen çiftçiler için yeni destek "
     "önlemleri açıkladı."),
]  # fmt: skip


@pytest.mark.parametrize(("encoding", "text"), LEGACY_TEXTS, ids=[enc for enc, _ in LEGACY_TEXTS])
def test_legacy_encodings_are_detected(encoding, text):
    raw = text.encode(encoding)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the test is only worth something if UTF-8 fails
    assert decode(raw) == text


def test_iso_2022_jp_is_recognised_by_its_escape_sequences():
    text = "伝統的な和紙づくりを続ける山あいの集落で、都会から移り住んだ若者たちが新たな担い手となった。"
    raw = text.encode("iso2022_jp")
    assert raw.isascii()  # valid UTF-8 too: only the escapes tell
    assert decode(raw) == text


def test_iso_2022_kr_with_its_shift_bytes_is_text_not_binary():
    text = "베트남 공안부 장관은 수요일 하노이에서 아제르바이잔 국가안보국장과 회담하고 안보 협력 협정에 서명했다."
    raw = text.encode("iso2022_kr")
    assert b"\x0e" in raw and b"\x0f" in raw  # SO and SI switch between ASCII and Korean
    assert decode(raw) == text


def test_a_legacy_paragraph_keeps_its_line_structure():
    text = "Правительство России объявило о новых мерах.\r\n\r\nОни вступят в силу в январе."
    assert decode(text.encode("cp1251")) == "Правительство России объявило о новых мерах.\n\nОни вступят в силу в январе."


def test_a_declared_encoding_settles_what_a_few_words_leave_open():
    text = "Уряд України"  # too short for statistics
    assert decode(text.encode("koi8-u"), declared_encoding="koi8-u") == text


def test_a_web_label_means_what_browsers_take_it_to_mean():
    # "iso-8859-1" on the web is cp1252: 0x92 is a right single quotation mark.
    assert decode(b"l\x92\xe9t\xe9 dernier", declared_encoding="ISO-8859-1") == "l’été dernier"


def test_a_wrong_declared_encoding_falls_back_to_detection():
    text = "Правительство России в среду объявило о новых мерах поддержки малого бизнеса."
    assert decode(text.encode("cp1251"), declared_encoding="utf-8") == text


def test_valid_utf8_wins_over_a_declared_encoding():
    text = "Bộ trưởng Bộ Công an đã tiếp đoàn đại biểu tại Hà Nội."
    assert decode(text.encode("utf-8"), declared_encoding="windows-1251") == text


# --- mojibake --------------------------------------------------------------------------------------


def _as_cp1252_mojibake(text: str) -> bytes:
    """`text` as a UTF-8 file that was once opened as Windows-1252 and saved again as UTF-8.
    The five bytes cp1252 leaves undefined come through as C1 controls, as Windows tools do."""
    characters = []
    for byte in text.encode("utf-8"):
        try:
            characters.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            characters.append(chr(byte))
    return "".join(characters).encode("utf-8")


@pytest.mark.parametrize(
    "text",
    [
        "Le président a déclaré l’état d’urgence à Montréal.",
        "Bộ trưởng Bộ Công an đã tiếp đoàn đại biểu tại Hà Nội.",
        CORRECT_TEXTS["bn"],
        CORRECT_TEXTS["hi"],
    ],
)
def test_utf8_read_as_cp1252_is_repaired(text):
    broken = _as_cp1252_mojibake(text)
    assert broken.decode("utf-8") != text
    assert decode(broken) == text


def test_bengali_mojibake_looks_like_the_brief_says():
    assert _as_cp1252_mojibake("স").decode("utf-8") == "à¦¸"
    assert decode("à¦¸à¦‚à¦¬à¦¾à¦¦".encode("utf-8")) == "সংবাদ"


def test_utf8_read_as_cp1251_is_repaired():
    text = "Министр встретился с коллегой в Ханое."
    broken = text.encode("utf-8").decode("cp1251").encode("utf-8")
    assert decode(broken) == text


def test_only_the_mojibake_line_is_repaired():
    correct = CORRECT_TEXTS["pt"]
    broken = "Le prÃ©sident a dÃ©clarÃ© lâ€™Ã©tat dâ€™urgence."
    assert decode(f"{correct}\n{broken}".encode("utf-8")) == (
        f"{correct}\nLe président a déclaré l’état d’urgence."
    )


# --- rejected files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", BOM, b"\xff\xfe", b"\xfe\xff", b"   \n\n\t\r\n", " \n".encode("utf-16"), "\u00a0\u200b\n".encode()],
    ids=["empty", "utf8-bom", "utf16le-bom", "utf16be-bom", "whitespace", "utf16-whitespace", "invisible"],
)
def test_empty_files_are_rejected(content):
    with pytest.raises(RejectedFile, match="^empty file$"):
        decode(content)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "a ZIP archive"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "a gzip archive"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "a JPEG image"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "a GIF image"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "a WebP image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "an old Microsoft Office document"),
        (b"{\\rtf1\\ansi\\deff0 {\\fonttbl}", "an RTF document"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "an MP4/MOV/HEIC media file"),
        (b"BZh91AY&SY", "a bzip2 archive"),
        (b"\x7fELF\x02\x01\x01\x00", "an executable"),
    ],
)
def test_known_binary_formats_are_named(content, kind):
    with pytest.raises(RejectedFile) as error:
        decode(content + bytes(range(256)))
    assert str(error.value).startswith(f"binary data: looks like {kind}")


@pytest.mark.parametrize(
    "text",
    ["BZh is not always bzip2.", "ID3 tags describe MP3 files.", "OggS and fLaC are file signatures."],
)
def test_text_that_starts_like_a_signature_is_still_text(text):
    assert decode(text.encode()) == text


def test_nul_bytes_in_a_byte_oriented_file_are_rejected_with_the_offset():
    with pytest.raises(RejectedFile, match=r"^binary data: NUL byte at offset 4$"):
        decode(b"text\x00more text")


def test_nul_bytes_after_a_bom_report_the_offset_in_the_file():
    with pytest.raises(RejectedFile, match=r"NUL byte at offset 7$"):
        decode(BOM + b"text\x00more text")


def test_control_bytes_in_bulk_are_binary_data():
    content = bytes(range(1, 9)) * 10 + b"some text" * 5
    with pytest.raises(RejectedFile, match=r"^binary data: 80 control bytes in 125 \(the first at offset 0\)$"):
        decode(content)


def test_a_stray_control_byte_is_dropped_not_rejected():
    assert decode(b"Word processors leave \x07 bells and \x1a end markers.") == (
        "Word processors leave bells and end markers."
    )


def test_damaged_utf8_is_rejected_with_the_offset_of_the_bad_byte():
    bengali = CORRECT_TEXTS["bn"].encode("utf-8")
    with pytest.raises(RejectedFile) as error:
        decode(bengali + b"\x92" + bengali)
    assert str(error.value).startswith(f"not valid UTF-8: byte 0x92 at offset {len(bengali)} ")


def test_invalid_utf8_after_a_bom_reports_the_offset_in_the_file():
    # The offset counts the BOM: the sender looks for the byte in the file they sent.
    with pytest.raises(RejectedFile) as error:
        decode(BOM + b"ab\x80cd")
    assert "offset 5" in str(error.value)
    assert "0x80" in str(error.value)


def test_truncated_multibyte_sequence_reports_where_it_starts():
    bengali = CORRECT_TEXTS["bn"].encode("utf-8")
    cut = bengali + "আ".encode("utf-8")[:2]  # আ is e0 a6 86; cut after two bytes
    with pytest.raises(RejectedFile, match=f"byte 0xe0 at offset {len(bengali)} "):
        decode(cut)


def test_bytes_no_encoding_explains_are_rejected():
    with pytest.raises(RejectedFile) as error:
        decode(bytes(range(0x80, 0x100)) * 4)
    assert str(error.value) == (
        "not UTF-8 (byte 0x80 at offset 0) and no known text encoding fits the bytes"
    )


def test_rejected_file_is_a_value_error():
    assert issubclass(RejectedFile, ValueError)


def test_decoded_text_is_nfc_whatever_the_encoding():
    nfd = unicodedata.normalize("NFD", "Bộ trưởng Bộ Công an")
    assert decode(b"\xff\xfe" + nfd.encode("utf-16-le")) == "Bộ trưởng Bộ Công an"

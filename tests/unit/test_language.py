import pytest

from tests.seeds import seed_paths
from workers.pipeline.cleaning import clean
from workers.pipeline.language import detect_language

SAMPLES = {
    "vi": "Bộ trưởng Bộ Công an đã tiếp đoàn đại biểu Hội đồng An ninh Belarus tại Hà Nội vào chiều nay.",
    "en": "The minister received the delegation in Hanoi and the two sides signed a cooperation agreement.",
    "zh": "部长今天下午在河内会见了代表团，双方签署了一项合作协议。",
    "ru": "Министр принял делегацию в Ханое, и стороны подписали соглашение о сотрудничестве.",
    "ar": "استقبل الوزير الوفد في هانوي ووقع الجانبان اتفاقية للتعاون الأمني.",
    "ja": "大臣は本日午後ハノイで代表団と会談し、両国は協力協定に署名しました。",
    "ta": "அமைச்சர் இன்று மதியம் ஹனோயில் தூதுக்குழுவை வரவேற்றார், இரு தரப்பும் ஒப்பந்தத்தில் கையெழுத்திட்டன.",
    "ur": "وزیر نے آج سہ پہر ہنوئی میں وفد کا استقبال کیا اور دونوں فریقوں نے تعاون کے معاہدے پر دستخط کیے۔",
}


@pytest.mark.parametrize(("index", "code"), list(zip(range(5), ["bn", "hi", "bn", "bn", "hi"])))
def test_seed_languages(index, code):
    text = clean(seed_paths()[index].read_text(encoding="utf-8")).text
    assert detect_language(text).code == code


@pytest.mark.parametrize(("code", "sentence"), list(SAMPLES.items()))
def test_hand_written_sentences(code, sentence):
    assert detect_language(sentence).code == code


@pytest.mark.parametrize("text", ["", " ", "\n\n\t  \r\n"])
def test_no_text_gives_none(text):
    assert detect_language(text) is None


@pytest.mark.parametrize("text", [*SAMPLES.values(), "12345", "?!", "ok"])
def test_confidence_is_a_probability(text):
    language = detect_language(text)
    assert 0.0 <= language.confidence <= 1.0


def test_line_breaks_do_not_change_the_answer():
    one_line = SAMPLES["vi"]
    broken = one_line.replace(" ", "\n", 3)
    assert detect_language(broken) == detect_language(one_line)

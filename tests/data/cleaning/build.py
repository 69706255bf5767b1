"""Build the labelled cleaning set: input files plus expected.json, from the seeds and ../articles.

Run from anywhere: `.venv/bin/python tests/data/cleaning/build.py`. Deterministic: the same inputs
always give byte-identical files, so the committed output can be diffed after a rebuild.

Every expectation is written from what the file *should* give, never from the pipeline's output:
the builder knows which lines it added as boilerplate, captions or images, which text is the
article, and what the URL looks like once canonical; the seed labels below were made by reading
the seeds line by line.

Expectation keys (a missing key means "not checked"):
  category         what the file exercises (the benchmark groups by it)
  format           text | html | json | ndjson | binary
  language, script expected BCP 47 tag (`zh-Hans`, `en`) and ISO 15924 script (script may be a list of accepted
                   codes: Chinese "Hans"/"Hani", Korean "Kore"/"Hang")
  languages_mixed  bool
  title, lead      exact string or null (plain text and JSON without a lead have neither)
  source_url       canonical form, or null
  images           image file names (the last path segment of an <img src>) in order
  captions         caption texts in order; a caption may also be given without its trailing
                   photo credit in parentheses ("(Photo: VNA)")
  body             the exact body paragraphs in order (title, lead, captions and image names are
                   not body paragraphs)
  headings         the body paragraphs that must have kind "heading"
  boilerplate      strings that must not survive anywhere in the record
  nothing_removed  true where the file has no boilerplate at all: `removed` must be empty
  published_at     ISO 8601 instant
  error            for files that must be rejected: any of these substrings (case-insensitive)
                   must be in the RejectedFile message
  records          for NDJSON: the expectations of each record in order (split_records)
"""

from __future__ import annotations

import hashlib
import html
import json
import struct
import unicodedata
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = HERE.parent / "articles"
SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "seeds"
INDEX = json.loads((ARTICLES / "index.json").read_text(encoding="utf-8"))

NBSP, NNBSP, ZWSP, ZWNJ, ZWJ, WJ, BOM = "\u00a0", "\u202f", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"

expected: dict[str, dict] = {}
outputs: dict[str, bytes] = {}


# ---------------------------------------------------------------- helpers


def norm(text: str) -> str:
    """The display form hygiene must produce: NFC, runs of spaces collapsed, no edge spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def article(name: str) -> list[str]:
    text = (ARTICLES / f"{name}.txt").read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line.strip()]


def meta(name: str) -> dict:
    return INDEX[f"{name}.txt"]


def tag_of(language: str) -> str:
    """The stored BCP 47 tag: Chinese carries its script (the test articles are Simplified)."""
    return {"zh": "zh-Hans"}.get(language, language)


def script_of(language: str, declared: str) -> str | list[str]:
    return {"zh": ["Hans", "Hani"], "ko": ["Kore", "Hang"]}.get(language, declared)


def add(name: str, content: bytes, **fields) -> None:
    assert name not in outputs, name
    # Titles and leads get the same space normalisation as body text (an ideographic space
    # between two halves of a Japanese headline becomes an ordinary one).
    for exp in fields.get("records", [fields]):
        for key in ("title", "lead"):
            if isinstance(exp.get(key), str):
                exp[key] = norm(exp[key])
    outputs[name] = content
    expected[name] = fields


def plain_expectation(name: str, paragraphs: list[str] | None = None, **extra) -> dict:
    """What an article from ../articles gives as plain text without boilerplate."""
    m = meta(name)
    fields = dict(
        language=tag_of(m["language"]),
        script=script_of(m["language"], m["script"]),
        languages_mixed=False,
        title=None,
        lead=None,
        source_url=None,
        images=[],
        captions=[],
        body=[norm(p) for p in (paragraphs or article(name))],
        headings=m["headings"],
        boilerplate=[],
    )
    fields.update(extra)
    return fields


def sloppy_cp1252(data: bytes) -> str:
    """Decode as a browser decodes "windows-1252": the five undefined bytes become C1 controls."""
    out = []
    for byte in data:
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


def blob(seed: str, size: int) -> bytes:
    """Deterministic pseudo-random bytes (compressed-looking payload for the binary rejects)."""
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return out[:size]


# ---------------------------------------------------------------- seeds, labelled by hand

# For each seed: which (0-based, split on "\n") lines are captions, image file names, or
# boilerplate; every other non-blank line is a body paragraph. Read off the files by hand.
SEED_FILES = {
    "000": "000_9bdc0f77f760928b.txt",
    "001": "001_a8bb42d94386d8cf.txt",
    "002": "002_1f031f074e2bc8f3.txt",
    "003": "003_d08521bc23a7afcc.txt",
    "004": "004_669854c548bb48ca.txt",
}
NHANDAN = "https://nhandan.vn/mo-ra-nhieu-co-hoi-hop-tac-quoc-te-post918263.html"
VIETNAMNET = "https://vietnamnet.vn/cong-uoc-ha-noi-ngon-hai-dang-soi-duong-cho-hop-tac-toan-cau-ve-an-ninh-mang-2456536.html"
DAIBIEU = "https://daibieunhandan.vn/mo-rong-khong-giant-hop-tac-giua-bo-cong-an-viet-nam-va-hoi-dong-an-ninh-belarus-10398051.html"
SEED_LABELS = {
    # line 1 ends in the photo credit "(ছবি: ভিএনএ)": a caption; 8 source line; 15 comment counter
    "000": dict(language="bn", script="Beng", captions=[1], images=[], boilerplate=[8, 15], headings=[], url=NHANDAN),
    "001": dict(language="hi", script="Deva", captions=[1], images=[], boilerplate=[8, 15], headings=[], url=NHANDAN),
    # image file name lines, each followed by its caption; 11 and 28 are subheadings; 59 source
    "002": dict(language="bn", script="Beng", captions=[7, 20, 35, 42, 53], images=[6, 19, 34, 41, 52],
                boilerplate=[59], headings=[11, 28], url=VIETNAMNET),
    "003": dict(language="bn", script="Beng", captions=[], images=[], boilerplate=[17, 24], headings=[], url=DAIBIEU),
    "004": dict(language="hi", script="Deva", captions=[7, 20, 35, 42, 53], images=[6, 19, 34, 41, 52],
                boilerplate=[59], headings=[11, 28], url=VIETNAMNET),
}


def seed_lines(key: str) -> list[str]:
    return (SEEDS / SEED_FILES[key]).read_text(encoding="utf-8").split("\n")


def seed_parts(key: str) -> dict:
    lines, labels = seed_lines(key), SEED_LABELS[key]
    taken = set(labels["captions"]) | set(labels["images"]) | set(labels["boilerplate"])
    body_index = [i for i, line in enumerate(lines) if line.strip() and i not in taken]
    assert set(labels["headings"]) <= set(body_index)
    return dict(
        body_index=body_index,
        body=[norm(lines[i]) for i in body_index],
        captions=[norm(lines[i]) for i in labels["captions"]],
        images=[lines[i].strip() for i in labels["images"]],
        boilerplate=[norm(lines[i]) for i in labels["boilerplate"]],
        headings=[norm(lines[i]) for i in labels["headings"]],
    )


def seed_expectation(key: str, **extra) -> dict:
    labels, parts = SEED_LABELS[key], seed_parts(key)
    fields = dict(
        language=labels["language"],
        script=labels["script"],
        languages_mixed=False,
        title=None,
        lead=None,
        source_url=labels["url"],
        images=parts["images"],
        captions=parts["captions"],
        body=parts["body"],
        headings=parts["headings"],
        boilerplate=parts["boilerplate"],
    )
    fields.update(extra)
    return fields


def build_seeds() -> None:
    for key in SEED_FILES:
        raw = (SEEDS / SEED_FILES[key]).read_bytes()
        add(f"seed_{key}.txt", raw, category="seed", format="text", **seed_expectation(key))

    def text(key: str) -> str:
        return (SEEDS / SEED_FILES[key]).read_bytes().decode("utf-8")

    reencoded = {
        "seed_000_utf16le_bom.txt": b"\xff\xfe" + text("000").encode("utf-16-le"),
        "seed_001_utf16be_bom.txt": b"\xfe\xff" + text("001").encode("utf-16-be"),
        "seed_002_utf8_bom_crlf.txt": b"\xef\xbb\xbf" + text("002").replace("\n", "\r\n").encode("utf-8"),
        "seed_003_crlf.txt": text("003").replace("\n", "\r\n").encode("utf-8"),
        "seed_004_utf16le_bom_crlf.txt": b"\xff\xfe" + text("004").replace("\n", "\r\n").encode("utf-16-le"),
    }
    for name, content in reencoded.items():
        key = name[5:8]
        add(name, content, category="seed re-encoded", format="text", **seed_expectation(key))

    # UTF-8 bytes read as windows-1252 and saved again as UTF-8: the classic "à¦¬à§ˆ" mojibake.
    add("mojibake_seed_003.txt", sloppy_cp1252(text("003").encode("utf-8")).encode("utf-8"),
        category="mojibake", format="text", **seed_expectation("003"))

    # Devanagari digits instead of ASCII ones: displayed as written (matching folds them later).
    devanagari = str.maketrans("0123456789", "०१२३४५६७८९")
    converted = text("004").split("\n")
    keep_ascii = set(SEED_LABELS["004"]["images"]) | set(SEED_LABELS["004"]["boilerplate"])
    converted = [line if i in keep_ascii else line.translate(devanagari) for i, line in enumerate(converted)]
    exp = seed_expectation("004")
    parts = seed_parts("004")
    exp["body"] = [norm(converted[i]) for i in parts["body_index"]]
    exp["captions"] = [norm(converted[i]) for i in SEED_LABELS["004"]["captions"]]
    exp["headings"] = [norm(converted[i]) for i in SEED_LABELS["004"]["headings"]]
    assert exp["body"] != parts["body"]
    add("digits_hi_004_devanagari.txt", "\n".join(converted).encode("utf-8"),
        category="digits in other scripts", format="text", **exp)


# ---------------------------------------------------------------- legacy encodings, mojibake

def build_encodings() -> None:
    legacy = [("ru_1", "cp1251"), ("zh_1", "gb18030"), ("ja_1", "shift_jis"), ("ar_1", "cp1256"),
              ("fr_1", "cp1252"), ("es_1", "cp1252"), ("ko_1", "euc_kr"), ("th_1", "tis_620"),
              ("ja_2", "euc_jp")]
    for name, codec in legacy:
        text = (ARTICLES / f"{name}.txt").read_text(encoding="utf-8")
        add(f"legacy_{name}_{codec}.txt", text.encode(codec), category="legacy encoding", format="text",
            **plain_expectation(name))

    for name in ("fr_2", "vi_2", "ru_2"):
        text = (ARTICLES / f"{name}.txt").read_text(encoding="utf-8")
        add(f"mojibake_{name}.txt", sloppy_cp1252(text.encode("utf-8")).encode("utf-8"),
            category="mojibake", format="text", **plain_expectation(name))


def build_clean() -> None:
    # Untouched UTF-8 articles: nothing to remove. ar_2 is RTL with Arabic-Indic digits, th_2 has
    # Thai digits.
    for name in ("en_2", "zh_2", "ar_2", "th_2", "ko_2", "es_2"):
        raw = (ARTICLES / f"{name}.txt").read_bytes()
        category = "no boilerplate"
        add(f"clean_{name}.txt", raw, category=category, format="text", nothing_removed=True,
            **plain_expectation(name))


# ---------------------------------------------------------------- added boilerplate, plain text

# Per language: what a copy-paste from a news page drags along. `url` has tracking parameters
# and a fragment; `canonical` is the form the record must carry.
BOILERPLATE = {
    "en_1": dict(
        share_top=["Share this article", "Facebook", "Twitter", "Email"],
        read_more="Read more: Coastal councils warn of a funding gap for sea defences",
        image="tidal-barrier-west-gate-0311.jpg",
        caption="The western gate swings shut as the spring tide peaks. (Photo: Harbour Authority)",
        comments="Comments (14)",
        source="Source: https://News.Example.com/uk/2025/03/tidal-barrier-first-closure?utm_source=twitter&utm_medium=social&fbclid=IwAR0xYz#comments",
        canonical="https://news.example.com/uk/2025/03/tidal-barrier-first-closure",
    ),
    "vi_1": dict(
        share_bottom=["Chia sẻ", "Zalo", "Facebook"],
        read_more="Xem thêm: Đề xuất điều chỉnh giá vé tàu điện từ năm sau",
        image="z7160233114520_8c1e0d4b2f7a9e3c5d6b1a0f9e8d7c6b.jpg",
        caption="Đoàn tàu rời ga trung tâm trong chuyến chạy thử đầu tiên. (Ảnh: TTXVN)",
        comments="Bình luận (5)",
        source="Nguồn: https://TinTuc.Example.vn/giao-thong/duong-sat-do-thi-so-2-chay-thu-post10231.html?utm_campaign=zalo&utm_source=share#binh-luan",
        canonical="https://tintuc.example.vn/giao-thong/duong-sat-do-thi-so-2-chay-thu-post10231.html",
    ),
    "zh_1": dict(
        share_top=["分享到：微信 微博 QQ空间"],
        read_more="相关阅读：本市将新增五百个垃圾分类督导岗位",
        image="20250401_garbage_sorting_01.jpg",
        caption="居民在小区定点投放垃圾。（图片来源：新华社）",
        comments="评论（23）",
        source="来源：https://News.Example.cn/city/2025/0401/garbage-sorting.html?id=88231&utm_source=wechat",
        canonical="https://news.example.cn/city/2025/0401/garbage-sorting.html?id=88231",
    ),
    "ru_1": dict(
        share_bottom=["Поделиться", "ВКонтакте", "Телеграм"],
        read_more="Читайте также: В городе продлят ремонт Южной переправы",
        image="severnyj-most-avtobusy.jpg",
        caption="Первые автобусы на обновлённом Северном мосту. (Фото: пресс-служба мэрии)",
        comments="Комментарии (7)",
        source="Источник: https://novosti.example.ru/gorod/2025/10/13/severnyj-most-otkryt?utm_source=vk&utm_medium=social",
        canonical="https://novosti.example.ru/gorod/2025/10/13/severnyj-most-otkryt",
    ),
    "ar_1": dict(
        share_top=["شارك الخبر", "فيسبوك", "واتساب"],
        read_more="اقرأ أيضاً: ارتفاع أسعار الورق يضغط على دور النشر",
        image="book-fair-opening-day.jpg",
        caption="زوار في أحد أجنحة المعرض يوم الافتتاح. (تصوير: سامي حداد)",
        comments="التعليقات (9)",
        source="المصدر: https://akhbar.example.com/culture/2025/02/book-fair-opens?utm_source=facebook&fbclid=IwAR2abc",
        canonical="https://akhbar.example.com/culture/2025/02/book-fair-opens",
    ),
    "fr_1": dict(
        share_bottom=["Partager", "Facebook", "Imprimer"],
        read_more="Lire aussi : La sécheresse menace les récoltes d’automne",
        image="vendanges-nuit-beziers.jpg",
        caption="Vendanges de nuit dans une parcelle de l’Hérault. (Photo : Claire Fabre)",
        comments="Commentaires (4)",
        source="Source : https://actu.example.fr/regions/2025/08/29/vendanges-precoces?utm_source=rss&utm_medium=flux#commentaires",
        canonical="https://actu.example.fr/regions/2025/08/29/vendanges-precoces",
    ),
    "es_1": dict(
        share_top=["Compartir", "Facebook", "Twitter"],
        read_more="Lee también: Los regantes piden un plan de emergencia hídrica",
        image="embalse-nivel-minimo.jpg",
        caption="El embalse, con apenas un 27 % de su capacidad. (Foto: EFE)",
        comments="Comentarios (11)",
        source="Fuente: https://noticias.example.es/sociedad/2025/09/embalses-nivel-minimo?utm_source=twitter&utm_medium=social&utm_campaign=agua",
        canonical="https://noticias.example.es/sociedad/2025/09/embalses-nivel-minimo",
    ),
    "ja_1": dict(
        share_bottom=["シェア", "ツイート", "LINEで送る"],
        read_more="関連記事：ローカル線の観光列車、秋から運行へ",
        image="local-line-agreement.jpg",
        caption="協定書に署名する沿線自治体の首長ら（写真：共同通信）",
        comments="コメント（2）",
        source="出典：https://news.example.jp/local/2025/06/10/rail-line-agreement?utm_source=line&utm_medium=share",
        canonical="https://news.example.jp/local/2025/06/10/rail-line-agreement",
    ),
    "th_1": dict(
        share_top=["แชร์", "Facebook", "LINE"],
        read_more="อ่านเพิ่มเติม: กทม. เตรียมมาตรการลดฝุ่นระยะยาว",
        image="bangkok-haze-pm25.jpg",
        caption="ท้องฟ้าที่ปกคลุมด้วยฝุ่นควันในย่านใจกลางเมือง (ภาพ: สำนักข่าวไทย)",
        comments="ความคิดเห็น (6)",
        source="ที่มา: https://khao.example.co.th/news/2025/01/pm25-schools-closed?fbclid=IwAR3def&utm_source=facebook",
        canonical="https://khao.example.co.th/news/2025/01/pm25-schools-closed",
    ),
    "ko_1": dict(
        share_bottom=["공유하기", "카카오톡", "페이스북"],
        read_more="관련기사: 전통시장 주차장 확충 예산 확정",
        image="traditional-market-youth-cafe.jpg",
        caption="청년 상인이 운영하는 디저트 카페 앞에 손님들이 줄을 서 있다. (사진: 연합뉴스)",
        comments="댓글 (8)",
        source="출처: https://news.example.kr/society/2025/05/traditional-market-youth?utm_source=kakao&utm_medium=talk",
        canonical="https://news.example.kr/society/2025/05/traditional-market-youth",
    ),
}


def with_boilerplate(paragraphs: list[str], spec: dict) -> tuple[str, list[str]]:
    """The article with its page furniture: share row (top or bottom), an image with caption after
    the first paragraph, a "read more" line after the second, then source line and comments."""
    lines: list[str] = list(spec.get("share_top", []))
    lines += [paragraphs[0], spec["image"], spec["caption"], paragraphs[1], spec["read_more"]]
    lines += paragraphs[2:]
    lines += spec.get("share_bottom", []) + [spec["source"], spec["comments"]]
    junk = spec.get("share_top", []) + spec.get("share_bottom", []) + [spec["read_more"], spec["source"], spec["comments"]]
    # blank line between blocks, except image + caption which sit on adjacent lines
    text = ""
    for i, line in enumerate(lines):
        glue = "\n" if i and lines[i - 1] == spec["image"] else "\n\n"
        text += (glue if i else "") + line
    return text + "\n", junk


def build_boilerplate() -> None:
    for name, spec in BOILERPLATE.items():
        text, junk = with_boilerplate(article(name), spec)
        add(f"boilerplate_{name}.txt", text.encode("utf-8"), category="added boilerplate", format="text",
            **plain_expectation(name, source_url=spec["canonical"], images=[spec["image"]],
                                captions=[norm(spec["caption"])], boilerplate=[norm(j) for j in junk]))

    # The seeds with more furniture of the kind their portals print.
    lines = seed_lines("003")
    extra_bn = ["শেয়ার করুন", "আরও পড়ুন: বেলারুশের সঙ্গে নিরাপত্তা সহযোগিতা নিয়ে নতুন সমঝোতা"]
    edited = [extra_bn[0]] + lines[:5] + [extra_bn[1]] + lines[5:]
    edited[-1] = "মন্তব্য (12)"
    exp = seed_expectation("003")
    exp["boilerplate"] = [norm(x) for x in extra_bn] + [norm(lines[17]), "মন্তব্য (12)"]
    add("boilerplate_bn_003.txt", "\n".join(edited).encode("utf-8"), category="added boilerplate",
        format="text", **exp)

    lines = seed_lines("001")
    extra_hi = ["यह भी पढ़ें: साइबर अपराध के खिलाफ हनोई कन्वेंशन पर 72 देशों के हस्ताक्षर", "शेयर करें"]
    edited = lines[:4] + [extra_hi[0]] + lines[4:9] + [extra_hi[1]] + lines[9:]
    exp = seed_expectation("001")
    exp["boilerplate"] = exp["boilerplate"] + [norm(x) for x in extra_hi]
    add("boilerplate_hi_001.txt", "\n".join(edited).encode("utf-8"), category="added boilerplate",
        format="text", **exp)


# ---------------------------------------------------------------- HTML pages

LEADS = {
    "en_1": "The £212 million gates, delayed for years, will shield thousands of homes from tidal flooding.",
    "vi_1": "Sau hơn tám năm thi công, tuyến đường sắt đô thị số 2 bắt đầu đón khách đi thử miễn phí trong 15 ngày.",
    "fr_2": "Rénovée pour 6,2 millions d’euros, la médiathèque ouvre désormais sept jours sur sept.",
    "ru_1": "Мост, связывающий правый берег с центром, закрывали на два года; ремонт обошёлся в 3,4 млрд рублей.",
    "ar_1": "أكثر من ستمئة دار نشر من عشرين دولة تشارك في الدورة الجديدة التي تحتفي بالترجمة.",
    "zh_1": "新办法要求居民小区定时定点投放垃圾，违规者最高可被罚款二百元。",
    "ja_2": "職人の高齢化で存続が危ぶまれた和紙の産地に、都会から九人の若者が移り住んだ。",
}

# Page furniture per language: site name, menu, share row, related links, comment counter, footer.
SITES = {
    "en": dict(site="The Example Herald", nav=["Home", "UK", "World", "Business", "Sport", "Weather"],
               share=["Share", "Facebook", "Twitter", "Email"], related_label="Related stories",
               related=["Flood warnings issued for three coastal counties", "Council approves new harbour car park",
                        "Opinion: why sea defences need a national plan"],
               comments="Comments (31)", footer="© 2025 The Example Herald. All rights reserved.",
               author="By Tom Hargreaves", dir="ltr"),
    "vi": dict(site="Báo Tin Tức Mẫu", nav=["Trang chủ", "Thời sự", "Kinh tế", "Giao thông", "Thể thao"],
               share=["Chia sẻ", "Facebook", "Zalo"], related_label="Tin liên quan",
               related=["Đề xuất miễn phí vé tàu điện cho học sinh, sinh viên",
                        "Hoàn thành lắp đặt hệ thống bán vé tự động tại 10 nhà ga",
                        "Hà Nội mở thêm tuyến xe buýt kết nối ga đường sắt đô thị"],
               comments="Bình luận (18)", footer="© 2025 Báo Tin Tức Mẫu. Giấy phép số 123/GP-BTTTT.",
               author="Minh Anh", dir="ltr"),
    "fr": dict(site="Actu Exemple", nav=["Accueil", "Régions", "Culture", "Économie", "Sports"],
               share=["Partager", "Facebook", "Imprimer"], related_label="Sur le même sujet",
               related=["Les bibliothèques rurales face au manque de personnel",
                        "Un festival de la bande dessinée s’installe au centre-ville",
                        "Le budget culturel de la ville en hausse de 4 %"],
               comments="Commentaires (6)", footer="© 2025 Actu Exemple – Tous droits réservés. Mentions légales.",
               author="Par Sophie Lemaire", dir="ltr"),
    "ru": dict(site="Новости Пример", nav=["Главная", "Город", "Экономика", "Происшествия", "Спорт"],
               share=["Поделиться", "ВКонтакте", "Одноклассники", "Телеграм"], related_label="Читайте также",
               related=["На Южной переправе ограничат движение грузовиков",
                        "Мэрия объявила конкурс на ремонт набережной",
                        "Новый трамвайный маршрут запустят до конца года"],
               comments="Комментарии (12)", footer="© 2025 Новости Пример. Все права защищены. 18+",
               author="Автор: Игорь Смирнов", dir="ltr"),
    "ar": dict(site="أخبار المثال", nav=["الرئيسية", "سياسة", "اقتصاد", "ثقافة", "رياضة"],
               share=["شارك", "فيسبوك", "تويتر", "واتساب"], related_label="أخبار ذات صلة",
               related=["دور النشر تطالب بدعم أسعار الورق", "إطلاق جائزة جديدة لأدب الأطفال",
                        "المكتبات العامة تمدد ساعات عملها خلال الصيف"],
               comments="التعليقات (27)", footer="جميع الحقوق محفوظة © 2025 أخبار المثال",
               author="كتبت: ليلى منصور", dir="rtl"),
    "zh": dict(site="示例新闻网", nav=["首页", "国内", "国际", "城市", "财经"],
               share=["分享到", "微信", "微博", "QQ空间"], related_label="相关新闻",
               related=["本市将新增五百个垃圾分类督导岗位", "厨余垃圾处理厂明年投入使用", "专家解读垃圾分类新规"],
               comments="评论（45）", footer="版权所有 © 2025 示例新闻网 京ICP备00000000号",
               author="记者 陈晓", dir="ltr"),
    "ja": dict(site="サンプル新聞", nav=["トップ", "社会", "経済", "文化", "スポーツ"],
               share=["シェア", "ツイート", "はてブ"], related_label="関連記事",
               related=["伝統工芸の後継者育成に補助金", "和紙を使った照明が海外で人気", "地域おこし協力隊、過去最多に"],
               comments="コメント（4）", footer="Copyright (C) 2025 サンプル新聞社 All rights reserved.",
               author="文化部 佐藤", dir="ltr"),
    "bn": dict(site="উদাহরণ সংবাদ", nav=["প্রচ্ছদ", "বাংলাদেশ", "আন্তর্জাতিক", "খেলা", "বিনোদন"],
               share=["শেয়ার করুন", "Facebook", "WhatsApp"], related_label="আরও পড়ুন",
               related=["সাইবার নিরাপত্তায় আঞ্চলিক সহযোগিতা বাড়ানোর আহ্বান",
                        "হ্যানয় কনভেনশন নিয়ে বিশেষজ্ঞদের মতামত", "ডিজিটাল অপরাধ দমনে নতুন আইনের খসড়া"],
               comments="মন্তব্য (3)", footer="স্বত্ব © ২০২৫ উদাহরণ সংবাদ। সর্বস্বত্ব সংরক্ষিত।",
               author="আন্তর্জাতিক ডেস্ক", dir="ltr"),
}


def html_page(*, lang: str, title: str | None, lead: str | None, canonical_raw: str | None, og_url: str | None,
              published: str | None, blocks: list[tuple[str, ...]], charset: str = "utf-8") -> str:
    """A realistic article page. blocks: ("p", text) | ("h2", text) | ("figure", src, caption)."""
    s = SITES[lang]
    e = html.escape
    head = [f'<meta charset="{charset}">', '<meta name="viewport" content="width=device-width, initial-scale=1">']
    if title:
        head.append(f"<title>{e(title)} | {e(s['site'])}</title>")
        head.append(f'<meta property="og:title" content="{e(title)}">')
    else:
        head.append(f"<title>{e(s['site'])}</title>")
    if lead:
        head.append(f'<meta name="description" content="{e(lead)}">')
        head.append(f'<meta property="og:description" content="{e(lead)}">')
    if og_url:
        head.append(f'<meta property="og:url" content="{e(og_url)}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    if canonical_raw:
        head.append(f'<link rel="canonical" href="{e(canonical_raw)}">')
    head.append('<link rel="stylesheet" href="/static/css/main.css">')
    head.append("<script>window.dataLayer = window.dataLayer || []; dataLayer.push({'pageType': 'article'});</script>")
    nav = "".join(f'<li><a href="/{i}">{e(item)}</a></li>' for i, item in enumerate(s["nav"]))
    share = "".join(f'<a class="share-btn" href="#">{e(item)}</a>' for item in s["share"])
    body = []
    for block in blocks:
        if block[0] == "p":
            body.append(f"<p>{e(block[1])}</p>")
        elif block[0] == "h2":
            body.append(f"<h2>{e(block[1])}</h2>")
        else:
            _, src, caption = block
            body.append(f'<figure class="image"><img src="{e(src)}" alt="" loading="lazy">'
                        f"<figcaption>{e(caption)}</figcaption></figure>")
    related = "".join(f'<li><a href="/related/{i}">{e(item)}</a></li>' for i, item in enumerate(s["related"]))
    h1 = f'<h1 class="article-title">{e(title)}</h1>' if title else ""
    time = f'<time datetime="{published}">{published[:10]}</time>' if published else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{s['dir']}">
<head>
{chr(10).join(head)}
</head>
<body>
<header class="site-header">
<a class="logo" href="/">{e(s['site'])}</a>
<nav class="main-menu"><ul>{nav}</ul></nav>
</header>
<main>
<article class="article">
{h1}
<div class="article-meta"><span class="author">{e(s['author'])}</span> {time}</div>
<div class="share-top">{share}</div>
<div class="article-body">
{chr(10).join(body)}
</div>
<div class="share-bottom">{share}</div>
<div class="comment-count"><a href="#comments">{e(s['comments'])}</a></div>
</article>
<aside class="related"><h3>{e(s['related_label'])}</h3><ul>{related}</ul></aside>
</main>
<footer class="site-footer"><p>{e(s['footer'])}</p></footer>
</body>
</html>
"""


def page_furniture(lang: str) -> list[str]:
    s = SITES[lang]
    return ([s["site"]] + s["nav"] + s["share"] + [s["related_label"]] + s["related"] + [s["comments"], s["footer"], s["author"]])


def build_html() -> None:
    pages = [  # name, extension, charset, tracking junk added to the canonical link
        ("en_1", "html", "utf-8", "?utm_source=homepage&utm_medium=referral#comments"),
        ("vi_1", "htm", "utf-8", "?utm_source=zalo&utm_campaign=share"),
        ("fr_2", "html", "utf-8", "#xtor=RSS-3"),
        ("ru_1", "html", "windows-1251", "?utm_source=yandex&utm_medium=organic"),
        ("ar_1", "html", "utf-8", "?fbclid=IwAR1ghi"),
        ("zh_1", "html", "utf-8", "?utm_source=weibo"),
        ("ja_2", "html", "shift_jis", "?utm_source=twitter&utm_medium=social"),
    ]
    for name, ext, charset, junk in pages:
        m, paragraphs, lead = meta(name), article(name), LEADS[name]
        lang = m["language"]
        image = f"https://cdn.example.net/images/2025/{name.replace('_', '-')}-photo-1.jpg"
        caption = {
            "en_1": "Residents watch from the footbridge as the gates close. (Photo: Harbour Authority)",
            "vi_1": "Hành khách trên chuyến tàu chạy thử đầu tiên. (Ảnh: Minh Anh)",
            "fr_2": "La nouvelle salle de lecture de la médiathèque. (Photo : Sophie Lemaire)",
            "ru_1": "Движение по Северному мосту открыто. (Фото: Игорь Смирнов)",
            "ar_1": "جانب من جناح الكتب المترجمة في المعرض. (تصوير: ليلى منصور)",
            "zh_1": "社区志愿者指导居民分类投放垃圾。（图片来源：示例新闻网）",
            "ja_2": "和紙をすく研修生の山本さくらさん（写真：佐藤撮影）",
        }[name]
        blocks: list[tuple[str, ...]] = []
        for i, p in enumerate(paragraphs):
            blocks.append(("h2", p) if p in m["headings"] else ("p", p))
            if i == 1:
                blocks.append(("figure", image, caption))
        page = html_page(lang=lang, title=m["title"], lead=lead, canonical_raw=m["url"] + junk, og_url=m["url"],
                         published=m["published_at"], blocks=blocks, charset=charset)
        if name == "fr_2":
            page = page.replace("’", "&rsquo;")  # named entities, as many CMSs write apostrophes
        add(f"html_{name}.{ext}", page.encode(charset), category="html", format="html",
            **plain_expectation(name, title=m["title"], lead=norm(lead), source_url=m["url"],
                                images=[image.rsplit("/", 1)[1]], captions=[norm(caption)],
                                boilerplate=[norm(x) for x in page_furniture(lang) + [m["published_at"][:10]]],
                                published_at=m["published_at"]))

    # Seed 002 as the portal page it came from: headings as <h2>, images as <figure>, no
    # description (so no lead), og:title as the title.
    lines, parts = seed_lines("002"), seed_parts("002")
    labels = SEED_LABELS["002"]
    blocks = []
    for i, line in enumerate(lines):
        if i in parts["body_index"]:
            blocks.append(("h2", line) if i in labels["headings"] else ("p", line))
        elif i in labels["images"]:
            blocks.append(("figure", f"https://static.example.vn/images/2025/10/26/{line.strip()}", lines[i + 1]))
    title = "হ্যানয় কনভেনশন: বৈশ্বিক সাইবার নিরাপত্তা সহযোগিতার আলোকবর্তিকা"
    page = html_page(lang="bn", title=title, lead=None, canonical_raw=VIETNAMNET + "?utm_source=facebook#box-comment",
                     og_url=None, published=None, blocks=blocks)
    add("html_seed_002.html", page.encode("utf-8"), category="html", format="html",
        **seed_expectation("002", title=title, boilerplate=[norm(x) for x in page_furniture("bn")]))


# ---------------------------------------------------------------- JSON records, NDJSON

def record(name: str, **fields) -> dict:
    return {"text": "\n\n".join(article(name)), **fields}


def build_json() -> None:
    m = meta("en_2")
    add("json_en_2.json", json.dumps(record("en_2", url=m["url"] + "?utm_source=newsletter&utm_medium=email&gclid=Cj0abc",
                                            language="en", published_at=m["published_at"], title=m["title"]),
                                     ensure_ascii=False, indent=2).encode("utf-8"),
        category="json", format="json",
        **plain_expectation("en_2", title=m["title"], source_url=m["url"], published_at=m["published_at"]))

    m = meta("vi_2")
    add("json_vi_2.json", json.dumps(record("vi_2", url="https://TINTUC.example.vn/kinh-te/gia-lua-tang-manh-post10388.html#top",
                                            title=m["title"]), ensure_ascii=True).encode("ascii"),
        category="json", format="json",
        **plain_expectation("vi_2", title=m["title"], source_url="https://tintuc.example.vn/kinh-te/gia-lua-tang-manh-post10388.html"))

    m = meta("es_1")
    add("json_es_1.json", json.dumps(record("es_1", url=m["url"], language="es", published_at=m["published_at"]),
                                     ensure_ascii=False).encode("utf-8"),
        category="json", format="json",
        **plain_expectation("es_1", source_url=m["url"], published_at=m["published_at"]))

    m = meta("th_2")
    add("json_th_2.json", json.dumps({"title": m["title"], "text": "\n".join(article("th_2")), "url": m["url"],
                                      "language": "th"}, ensure_ascii=False, indent=1).encode("utf-8"),
        category="json", format="json", **plain_expectation("th_2", title=m["title"], source_url=m["url"]))

    add("json_ko_1_text_only.json", json.dumps(record("ko_1"), ensure_ascii=False).encode("utf-8"),
        category="json", format="json", nothing_removed=True, **plain_expectation("ko_1"))

    # A seed sent as a JSON record: the text still carries its boilerplate, images and captions;
    # no url field, so the source line gives the URL.
    raw = (SEEDS / SEED_FILES["004"]).read_text(encoding="utf-8")
    add("json_seed_004.json", json.dumps({"text": raw, "language": "hi", "published_at": "2025-10-26T17:00:00+07:00"},
                                         ensure_ascii=False).encode("utf-8"),
        category="json", format="json", **seed_expectation("004", published_at="2025-10-26T17:00:00+07:00"))

    records, record_expectations = [], []
    for name, junk in (("fr_1", "?utm_source=rss"), ("ru_2", "#comments"), ("ko_2", "?utm_medium=social&fbclid=x1")):
        m = meta(name)
        records.append(record(name, url=m["url"] + junk, title=m["title"], language=m["language"],
                              published_at=m["published_at"]))
        record_expectations.append(plain_expectation(name, title=m["title"], source_url=m["url"],
                                                     published_at=m["published_at"]))
    content = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    add("ndjson_three_records.ndjson", content, category="ndjson", format="ndjson", records=record_expectations)


# ---------------------------------------------------------------- mixed languages, hygiene

VI_QUOTE_EN = [
    "“Global rice markets remain tight. Export restrictions introduced by several producers over the past two years, combined with erratic monsoon rains, have left importing countries with thinner stocks than at any time in the last decade.",
    "Prices for fragrant and high-quality varieties have risen faster than for ordinary grades, as buyers in Asia and Africa compete for reliable supplies. Traders expect this premium to persist at least until the next main harvest in the region.",
    "Producers who can guarantee consistent quality through contracts with exporters are best placed to benefit, while those selling into the spot market carry most of the risk if prices turn.”",
]
EN_QUOTE_FR = [
    "« Notre groupe est fier d’avoir contribué à un ouvrage qui protégera durablement les habitants de l’estuaire. Les difficultés rencontrées lors des travaux, notamment la nature imprévue des sols, ont été surmontées grâce à l’engagement de nos équipes et de nos partenaires locaux.",
    "Nous avons conçu les portes pour résister à des marées bien plus fortes que celles observées aujourd’hui, en tenant compte des projections les plus prudentes sur l’élévation du niveau de la mer. Leur entretien sera assuré pendant dix ans par nos techniciens, en lien étroit avec l’agence de l’environnement.",
    "Au plus fort du chantier, plus de trois cents personnes travaillaient chaque jour sur le site, dont une majorité recrutée dans les communes voisines. Plusieurs apprentis formés pendant ces années rejoindront l’équipe chargée de la maintenance des portes.",
    "Nous restons à la disposition des pêcheurs et des associations de protection de la nature pour partager toutes les données recueillies pendant la construction. »",
]


def build_mixed() -> None:
    vi = article("vi_2")
    paragraphs = vi[:4] + ["Trong báo cáo mới công bố, một tổ chức nghiên cứu quốc tế nhận định:"] + VI_QUOTE_EN + vi[4:5]
    add("mixed_vi_2_english_quote.txt", "\n\n".join(paragraphs).encode("utf-8"), category="mixed languages",
        format="text", nothing_removed=True, **plain_expectation("vi_2", paragraphs, languages_mixed=True))

    en = article("en_1")
    paragraphs = en[:5] + ["The French engineering group that built the gates issued a statement in French on Tuesday morning:"] + EN_QUOTE_FR + en[6:]
    add("mixed_en_1_french_quote.txt", "\n\n".join(paragraphs).encode("utf-8"), category="mixed languages",
        format="text", nothing_removed=True, **plain_expectation("en_1", paragraphs, languages_mixed=True))


def build_hygiene() -> None:
    # Bengali: invisible junk sprinkled in (ZWSP inside words, word joiner, stray BOM, C0
    # controls, NBSP, tabs, doubled and trailing spaces), plus a sentence whose words need ZWJ
    # (র‍্যাব, র‍্যালি: ra + ZWJ + virama + ya), which must survive untouched.
    lines = seed_lines("003")
    zwj_sentence = f"ঢাকায় র{ZWJ}্যাবের সদস্যরা শনিবার একটি সচেতনতামূলক র{ZWJ}্যালিতে অংশ নেন।"
    dirty = list(lines)
    dirty[0] = dirty[0].replace("উপস্থিত", f"উপ{ZWSP}স্থিত", 1).replace(" ", NBSP, 3)
    dirty[2] = "  \t" + dirty[2].replace("নিরাপত্তা", f"নিরা{WJ}পত্তা", 1) + "   "
    dirty[3] = dirty[3].replace(", ", ",\x01 ", 1).replace(" ", "  ", 2)
    dirty[4] = dirty[4].replace("বিকেলে", f"বিকেলে{BOM}", 1).replace("এবং", "\x1bএবং", 1)
    dirty[6] = dirty[6].replace(" ", "\t", 2) + "\x7f"
    dirty.insert(5, zwj_sentence)
    assert all(dirty[i] != lines[i] for i in (0, 2, 3, 4)) and dirty[7] != lines[6]
    exp = seed_expectation("003")
    body = list(exp["body"])
    body.insert(4, zwj_sentence)  # after the paragraph at line 4, the fourth body paragraph
    exp["body"] = body
    add("hygiene_bn_003_invisibles_zwj.txt", "\n".join(dirty).encode("utf-8"), category="hygiene", format="text", **exp)

    # Hindi: ZWNJ after a virama (explicit half form) must stay; NBSP, ZWSP and controls go.
    lines = seed_lines("001")
    word = "द्वारा"
    target = next(i for i, line in enumerate(lines) if word in line and i not in (1, 8, 15))
    zwnj_word = f"द्{ZWNJ}वारा"
    dirty = list(lines)
    dirty[target] = dirty[target].replace(word, zwnj_word, 1)
    clean_target = dirty[target]
    dirty[target] = dirty[target].replace(" ", NBSP, 4).replace("।", f"।{ZWSP}", 1)
    dirty[2] = dirty[2].replace(" ", "\x02 ", 1)
    exp = seed_expectation("001")
    parts = seed_parts("001")
    exp["body"] = [norm(clean_target) if i == target else norm(lines[i]) for i in parts["body_index"]]
    add("hygiene_hi_001_zwnj_nbsp.txt", "\n".join(dirty).encode("utf-8"), category="hygiene", format="text", **exp)

    # French typography: NBSP / narrow NBSP around « » : ? ! become ordinary spaces.
    text = (ARTICLES / "fr_2.txt").read_text(encoding="utf-8")
    dirty = text.replace("« ", f"«{NBSP}").replace(" »", f"{NNBSP}»").replace(" :", f"{NBSP}:")
    dirty = dirty.replace("6,2 millions", f"6,2{NBSP}millions").replace("20 heures", f"20{NNBSP}heures")
    assert dirty != text
    add("hygiene_fr_2_nbsp.txt", dirty.encode("utf-8"), category="hygiene", format="text", **plain_expectation("fr_2"))

    # Vietnamese typed in NFD (combining tone marks), as some editors save it.
    text = (ARTICLES / "vi_1.txt").read_text(encoding="utf-8")
    assert unicodedata.normalize("NFD", text) != text
    add("hygiene_vi_1_nfd.txt", unicodedata.normalize("NFD", text).encode("utf-8"), category="hygiene",
        format="text", **plain_expectation("vi_1"))

    # Old Mac line endings (CR only) mixed with CRLF: still one paragraph per line.
    text = (ARTICLES / "en_2.txt").read_text(encoding="utf-8").replace("\n\n", "\r\r")
    text = text.replace("\r\r", "\r\n\r\n", 2)
    add("hygiene_en_2_cr_line_endings.txt", text.encode("utf-8"), category="hygiene", format="text",
        nothing_removed=True, **plain_expectation("en_2"))

    # A caption at the very top must not become the title.
    m = meta("ko_2")
    image, caption = "small-satellite-first-image.jpg", "첫 관측 사진에 담긴 서해안 갯벌. (사진: 연구진 제공)"
    text = f"{image}\n{caption}\n\n" + "\n\n".join(article("ko_2")) + "\n"
    add("caption_first_ko_2.txt", text.encode("utf-8"), category="caption first", format="text",
        **plain_expectation("ko_2", images=[image], captions=[norm(caption)]))
    del m


# ---------------------------------------------------------------- rejects

def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + blob(f"row{y}", 3 * 32) for y in range(32))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 32, 32, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def pdf_bytes() -> bytes:
    stream = zlib.compress(b"BT /F1 12 Tf 72 712 Td (Quarterly report) Tj ET" + blob("pdf", 600))
    return (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"4 0 obj\n<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n"
            + stream + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def build_rejects() -> None:
    add("reject_image.png", png_bytes(), category="reject", format="binary", error=["binary", "png", "image"])
    add("reject_document.pdf", pdf_bytes(), category="reject", format="binary", error=["binary", "pdf"])
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + blob("jpeg", 2000) + b"\xff\xd9"
    add("reject_jpeg_named_txt.txt", jpeg, category="reject", format="binary", error=["binary", "jpeg", "image"])
    add("reject_empty.txt", b"", category="reject", format="text", error=["empty"])
    add("reject_json_without_text.json",
        json.dumps({"url": "https://tintuc.example.vn/a-post1.html", "title": "Tiêu đề", "language": "vi"},
                   ensure_ascii=False).encode("utf-8"),
        category="reject", format="json", error=["text"])
    add("reject_boilerplate_only.txt",
        "Chia sẻ\n\nNguồn: https://tintuc.example.vn/a-post1.html\n\nBình luận (0)\n".encode("utf-8"),
        category="reject", format="text", error=["no article text", "boilerplate", "empty", "no text"])


# ---------------------------------------------------------------- checks and output

def check_construction() -> None:
    """Guard the labels themselves: boilerplate never appears inside an expected output string,
    and every expected body/caption string is really in the source material."""
    for name, fields in expected.items():
        for exp in fields.get("records", [fields]):
            kept = exp.get("body", []) + exp.get("captions", []) + [exp.get("title") or "", exp.get("lead") or ""]
            for junk in exp.get("boilerplate", []):
                for text in kept:
                    assert junk != text, (name, junk)
                    assert len(junk) < 12 or junk not in text, (name, junk, text[:40])
            assert set(exp.get("headings", [])) <= set(exp.get("body", [])), name


def main() -> None:
    for old in HERE.iterdir():
        if old.name not in ("build.py", "__pycache__"):
            old.unlink()
    build_seeds()
    build_encodings()
    build_clean()
    build_boilerplate()
    build_html()
    build_json()
    build_mixed()
    build_hygiene()
    build_rejects()
    check_construction()
    for name, content in outputs.items():
        (HERE / name).write_bytes(content)
    ordered = {name: expected[name] for name in sorted(expected)}
    (HERE / "expected.json").write_text(json.dumps(ordered, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for fields in expected.values():
        counts[fields["category"]] = counts.get(fields["category"], 0) + 1
    print(f"{len(outputs)} files:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()

"""The cleaner's rules one by one, in several languages. The seeds' whole records are checked
against hand-written expectations in test_golden_seeds.py."""

import tomllib

import pytest

from tests.seeds import seed_paths
from workers.pipeline import boilerplate
from workers.pipeline.article import CleanedArticle, Paragraph, SourceDocument
from workers.pipeline.cleaning import clean

NHANDAN = "https://nhandan.vn/mo-ra-nhieu-co-hoi-hop-tac-quoc-te-post918263.html"

EN_BODY = [
    "The minister received the delegation in Hanoi on Tuesday, and the two sides signed an agreement.",
    "Both ministries will share information on cross-border crime and train officers together.",
    "The agreement takes effect next month, the ministry said in a statement.",
]
VI_BODY = [
    "Chiều 25/10, tại Hà Nội, Bộ trưởng Bộ Công an đã tiếp Tổng Thư ký Hội đồng An ninh Belarus.",
    "Hai bên nhất trí tăng cường trao đổi thông tin và phối hợp phòng, chống tội phạm xuyên quốc gia.",
]
AR_BODY = [
    "استقبل وزير الأمن العام الفيتنامي يوم الثلاثاء في هانوي وفدا من مجلس الأمن البيلاروسي برئاسة أمين المجلس.",
    "وأكد الوزير أن التعاون الأمني بين البلدين يشهد تطورا قويا منذ رفع العلاقات إلى مستوى الشراكة الاستراتيجية.",
    "واتفق الجانبان على تعزيز تبادل المعلومات والتنسيق في مكافحة الجريمة العابرة للحدود والجرائم الإلكترونية.",
]
ZH_BODY = [
    "越南公安部部长梁三光于周二在河内会见了白俄罗斯安全会议秘书率领的代表团。",
    "部长表示，自两国关系提升为战略伙伴关系以来，双方安全合作取得了积极进展。",
    "双方同意加强信息交流，协调打击跨国犯罪和网络犯罪。",
]


def cleaned(text: str, **fields) -> CleanedArticle:
    return clean(SourceDocument(text=text, **fields))


def body_texts(article: CleanedArticle) -> list[str]:
    return [paragraph.text for paragraph in article.paragraphs]


def seed_text(index: int) -> str:
    return seed_paths()[index].read_text(encoding="utf-8")


# --- nothing to remove ------------------------------------------------------------------------

@pytest.mark.parametrize("lines", [EN_BODY, VI_BODY, AR_BODY, ZH_BODY])
@pytest.mark.parametrize("separator", ["\n", "\n\n"])
def test_text_without_boilerplate_keeps_every_line(lines, separator):
    article = cleaned(separator.join(lines))
    assert article.removed == ()
    assert article.paragraphs == tuple(Paragraph("body", line) for line in lines)
    assert (article.title, article.lead, article.captions, article.images, article.source_url) == (
        None, None, (), (), None,
    )
    assert article.text == "\n\n".join(lines)


def test_blank_runs_and_edges_do_not_make_paragraphs():
    article = cleaned("\n\n  \n" + EN_BODY[0] + "\n\n\n\n" + EN_BODY[1] + "  \n \n\n")
    assert body_texts(article) == EN_BODY[:2]


def test_crlf_gives_the_same_article_as_lf():
    text = seed_text(2)
    assert cleaned(text.replace("\n", "\r\n")) == cleaned(text)


def test_empty_text_gives_an_empty_article():
    article = cleaned("")
    assert (article.paragraphs, article.text, article.title) == ((), "", None)


# --- comment counters -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "counter",
    ["মন্তব্য (0)", "মন্তব্য (১২)", "মন্তব্য(0)", "टिप्पणी (0)", "टिप्पणी (४२)", "Comments (12)",
     "Comment (1)", "comments (120)", "12 Comments", "Comments: 4", "Bình luận (0)", "Ý kiến (3)",
     "评论 (3)", "评论（3）", "Комментарии (5)", "التعليقات (0)", "التعليقات (٣)", "Commentaires (2)",
     "Comentarios (7)", "コメント (4)", "댓글 (9)", "ความคิดเห็น (1)"],
)
def test_comment_counters_are_removed(counter):
    article = cleaned(f"{EN_BODY[0]}\n\n{counter}")
    assert body_texts(article) == [EN_BODY[0]]
    assert article.removed == (counter,)


@pytest.mark.parametrize(
    "line",
    ["Likes (3)", "মন্তব্য (0) দেখে পাঠকরা অবাক হয়েছেন।", "Bình luận (0) của bạn đọc rất sôi nổi.",
     "Comments (12) were posted before noon.", "Comments"],
)
def test_comment_words_in_body_text_stay(line):
    article = cleaned(f"{EN_BODY[0]}\n{line}")
    assert body_texts(article) == [EN_BODY[0], line]
    assert article.removed == ()


# --- "read more" and related-article lines ----------------------------------------------------

@pytest.mark.parametrize(
    "line",
    ["Read more: Hanoi Convention signed by 72 countries", "READ MORE", "Related: Vietnam, Belarus talks",
     "See also", "Xem thêm: Công ước Hà Nội", ">> Xem thêm: Công ước Hà Nội", "Tin liên quan",
     "और पढ़ें", "यह भी पढ़ें: हनोई कन्वेंशन", "আরও পড়ুন", "আরও পড়ুন: হ্যানয় কনভেনশন", "相关阅读",
     "延伸閱讀：河內公約", "Читайте также: Ханойская конвенция", "Читайте также",
     "اقرأ أيضا: اتفاقية هانوي", "اقرأ أيضاً", "Lire aussi : la convention de Hanoï", "À lire aussi",
     "Leer más", "Lee también: la Convención de Hanói", "関連記事", "관련기사", "อ่านเพิ่มเติม",
     "» Read more…"],
)
def test_read_more_lines_are_removed(line):
    article = cleaned(f"{VI_BODY[0]}\n{line}\n{VI_BODY[1]}")
    assert body_texts(article) == VI_BODY
    assert article.removed == (line,)


@pytest.mark.parametrize(
    "line",
    ["Read more books and you will understand the convention better, he said.",
     "Related measures were discussed at length by the two delegations.",
     "Xem thêm thông tin trên cổng thông tin của Bộ Công an.",
     "Lire aussi les conclusions du rapport publié mardi."],
)
def test_read_more_words_in_body_text_stay(line):
    assert body_texts(cleaned(f"{EN_BODY[0]}\n{line}")) == [EN_BODY[0], line]


# --- share buttons ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "line",
    ["Share", "Share this article", "Share on Facebook", "Facebook Twitter Email",
     "Facebook | Twitter | WhatsApp | Email", "Tweet", "Chia sẻ", "Chia sẻ Facebook Zalo",
     "शेयर करें", "শেয়ার করুন", "分享", "分享到：微信 微博", "Поделиться", "Поделиться ВКонтакте Телеграм",
     "مشاركة", "شارك فيسبوك تويتر", "Partager", "Partager sur Facebook", "Compartir", "シェア", "공유하기",
     "แชร์"],
)
def test_share_lines_are_removed(line):
    article = cleaned(f"{AR_BODY[0]}\n{line}\n{AR_BODY[1]}")
    assert body_texts(article) == AR_BODY[:2]
    assert article.removed == (line,)


@pytest.mark.parametrize(
    "buttons",
    [["Share", "Facebook", "Twitter", "Email"], ["Facebook", "Twitter"], ["شارك الخبر", "فيسبوك", "واتساب"],
     ["공유하기", "카카오톡", "페이스북"], ["シェア", "ツイート", "LINEで送る"], ["Zalo", "Facebook"],
     ["Поделиться", "ВКонтакте", "Телеграм"], ["फेसबुक", "ट्विटर"]],
)
@pytest.mark.parametrize("separator", ["\n", "\n\n"])
def test_share_buttons_one_per_line_are_removed(buttons, separator):
    text = separator.join([EN_BODY[0], *buttons, EN_BODY[1]])
    article = cleaned(text)
    assert body_texts(article) == EN_BODY[:2]
    assert article.removed == tuple(buttons)


def test_a_lone_button_name_between_paragraphs_stays():
    article = cleaned(f"{EN_BODY[0]}\n\nFacebook\n\n{EN_BODY[1]}\n\nTwitter")
    assert body_texts(article) == [EN_BODY[0], "Facebook", EN_BODY[1], "Twitter"]


@pytest.mark.parametrize(
    "line",
    ["Share prices fell sharply on Monday after the announcement.", "Shared values matter",
     "Email", "Facebook", "Chia sẻ kinh nghiệm là trọng tâm của hợp tác giữa hai bên.",
     "Поделиться опытом стороны договорились на следующей встрече."],
)
def test_share_words_in_body_text_stay(line):
    article = cleaned(f"{EN_BODY[0]}\n\n{line}")
    assert article.removed == ()
    assert body_texts(article) == [EN_BODY[0], line]


# --- source lines and URLs --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "url"),
    [
        (f"সূত্র: {NHANDAN}", NHANDAN),
        (f"स्रोत: {NHANDAN}", NHANDAN),
        ("Source: https://Example.com/A?utm_source=x&id=1#top", "https://example.com/A?id=1"),
        ("Source : https://www.lemonde.fr/international/article.html", "https://www.lemonde.fr/international/article.html"),
        ("Nguồn: https://vnexpress.net/x-1.html", "https://vnexpress.net/x-1.html"),
        ("来源：https://www.xinhuanet.com/world/a.htm", "https://www.xinhuanet.com/world/a.htm"),
        ("Источник: https://ria.ru/20251025/a.html", "https://ria.ru/20251025/a.html"),
        ("المصدر: https://www.aljazeera.net/news/a", "https://www.aljazeera.net/news/a"),
        ("Fuente: https://elpais.com/internacional/a.html.", "https://elpais.com/internacional/a.html"),
        ("উৎস : http://example.org/b?c=1", "http://example.org/b?c=1"),
    ],
)
def test_source_lines_give_a_canonical_source_url(line, url):
    article = cleaned(f"{EN_BODY[0]}\n{line}")
    assert (body_texts(article), article.source_url, article.removed) == ([EN_BODY[0]], url, (line,))


def test_first_source_line_wins_and_beats_the_documents_url():
    text = f"{EN_BODY[0]}\nSource: https://a.example/1\nSource: https://b.example/2"
    article = cleaned(text, url="https://c.example/3")
    assert article.source_url == "https://a.example/1"
    assert len(article.removed) == 2


def test_documents_url_is_used_without_a_source_line():
    article = cleaned(EN_BODY[0], url="HTTPS://WWW.Example.com:443/news/A?fbclid=1#x")
    assert article.source_url == "https://www.example.com/news/A"


def test_source_label_without_url_stays_as_body():
    article = cleaned(f"{EN_BODY[0]}\nসূত্র: ভিএনএ")
    assert body_texts(article) == [EN_BODY[0], "সূত্র: ভিএনএ"]
    assert article.source_url is None


def test_bare_url_line_is_removed_but_not_taken_as_source():
    article = cleaned(f"{EN_BODY[0]}\nhttps://example.com/other-story\n{EN_BODY[1]}")
    assert body_texts(article) == EN_BODY[:2]
    assert (article.removed, article.source_url) == (("https://example.com/other-story",), None)


def test_url_inside_a_sentence_stays():
    line = "The full text is published at https://example.com/convention for anyone to read."
    assert body_texts(cleaned(f"{EN_BODY[0]}\n{line}")) == [EN_BODY[0], line]


# --- images and captions ----------------------------------------------------------------------

def test_image_names_in_order_and_the_line_after_each_is_its_caption():
    text = "\n".join([
        EN_BODY[0], "", "z1_abc.jpg", "The minister speaks at the ceremony", "", EN_BODY[1], "",
        "photo-2.PNG", "Delegates at the closing session.", "", EN_BODY[2],
    ])
    article = cleaned(text)
    assert article.images == ("z1_abc.jpg", "photo-2.PNG")
    assert article.captions == ("The minister speaks at the ceremony", "Delegates at the closing session.")
    assert body_texts(article) == EN_BODY
    assert [p.kind for p in article.paragraphs] == ["body"] * 3


def test_body_right_after_a_caption_stays_body():
    article = cleaned(f"a.jpg\nCaption of the picture\n{EN_BODY[0]}\n{EN_BODY[1]}")
    assert article.captions == ("Caption of the picture",)
    assert body_texts(article) == EN_BODY[:2]


def test_image_followed_by_a_blank_line_has_no_caption():
    article = cleaned(f"{EN_BODY[0]}\n\nimage.webp\n\n{EN_BODY[1]}")
    assert (article.images, article.captions, body_texts(article)) == (("image.webp",), (), EN_BODY[:2])


@pytest.mark.parametrize(
    "line",
    ["The photo z123_abc.jpg was taken by VNA.", "ছবি: z7157588517514_1471cc.jpg", "See photos/a.jpg"],
)
def test_image_name_inside_a_sentence_stays(line):
    article = cleaned(f"{line}\nphoto.PNG")
    assert (body_texts(article), article.images) == ([line], ("photo.PNG",))


@pytest.mark.parametrize(
    "caption",
    ["জননিরাপত্তা মন্ত্রী সহযোগিতা চুক্তি স্বাক্ষর করেছেন। (ছবি: ভিএনএ)",
     "मंत्री ने समझौते पर हस्ताक्षर किए। (फोटो: वीएनए)",
     "The ministers sign the agreement. (Photo: VNA)",
     "Bộ trưởng Lương Tam Quang phát biểu. (Ảnh: TTXVN)",
     "Bộ trưởng Lương Tam Quang phát biểu tại hội nghị. Ảnh: TTXVN",
     "Quang cảnh hội nghị (Ảnh minh họa)",
     "部长在会上讲话。（图：新华社）",
     "الوزير يتحدث في المؤتمر (صورة: وكالة الأنباء الفيتنامية)",
     "Министр выступает на конференции. Фото: ТАСС",
     "Le ministre à Hanoï. Photo : AFP",
     "Ảnh: TTXVN"],
)
def test_paragraph_ending_in_a_photo_credit_is_a_caption(caption):
    article = cleaned(f"{caption}\n{EN_BODY[0]}\n\n{EN_BODY[1]}")
    assert article.captions == (caption,)
    assert body_texts(article) == EN_BODY[:2]
    assert article.title is None


@pytest.mark.parametrize(
    "line",
    ["He looked at the photo: it showed the whole delegation at the ceremony.",
     "Ông cho biết: ảnh hưởng của công ước sẽ rất lớn.",
     "The photo was taken by VNA (the national news agency) in Hanoi."],
)
def test_photo_words_in_body_text_stay(line):
    article = cleaned(f"{EN_BODY[0]}\n{line}")
    assert (article.captions, body_texts(article)) == ((), [EN_BODY[0], line])


def test_captions_keep_text_order_across_both_kinds():
    text = f"First caption (Photo: VNA)\n{EN_BODY[0]}\npic.jpg\nSecond caption\n\n{EN_BODY[1]}"
    assert cleaned(text).captions == ("First caption (Photo: VNA)", "Second caption")


# --- headings ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("heading", "body"),
    [
        ("Technology for people", EN_BODY),
        ("Công nghệ vì con người", VI_BODY),
        ("التكنولوجيا من أجل الإنسان", AR_BODY),
        ("科技为人民", ZH_BODY),
        ("মানুষের জন্য প্রযুক্তি", EN_BODY),
    ],
)
@pytest.mark.parametrize("separator", ["\n", "\n\n"])
def test_short_unpunctuated_line_before_a_longer_one_is_a_heading(heading, body, separator):
    article = cleaned(separator.join([body[0], heading, body[1]]))
    assert [(p.kind, p.text) for p in article.paragraphs] == [
        ("body", body[0]), ("heading", heading), ("body", body[1]),
    ]


@pytest.mark.parametrize(
    "line",
    ["The delegation left on Wednesday.",  # sentence punctuation
     "Bộ trưởng nói:",  # leads into a quote
     "and then the two sides signed,",
     "By Nguyen Van An",  # last line: a byline, not a heading
     "- the first point of the agreement"],
)
def test_sentences_fragments_and_last_lines_are_not_headings(line):
    article = cleaned(f"{EN_BODY[0]}\n\n{line}" + ("" if line.startswith("By") else f"\n\n{EN_BODY[1]}"))
    assert all(p.kind == "body" for p in article.paragraphs)


def test_short_line_before_a_shorter_one_is_not_a_heading():
    article = cleaned(f"{EN_BODY[0]}\n\nTalks continue in Minsk\n\nMore soon.\n\n{EN_BODY[1]}")
    assert [p.kind for p in article.paragraphs] == ["body"] * 4


def test_long_line_without_punctuation_is_not_a_heading():
    line = " ".join(["word"] * 30)
    assert [p.kind for p in cleaned(f"{EN_BODY[0]}\n{line}\n{EN_BODY[1]} {EN_BODY[2]} {line}").paragraphs] == ["body"] * 3


def test_image_caption_is_never_a_heading():
    article = cleaned(f"{EN_BODY[0]}\n\npic.jpg\nThe minister speaks\n\n{EN_BODY[1]}")
    assert [p.kind for p in article.paragraphs] == ["body", "body"]
    assert article.captions == ("The minister speaks",)


# --- title ------------------------------------------------------------------------------------

def test_documents_title_is_kept_and_a_first_paragraph_equal_to_it_is_dropped():
    article = cleaned(f"Hanoi  convention SIGNED\n\n{EN_BODY[0]}", title="Hanoi Convention signed")
    assert article.title == "Hanoi Convention signed"
    assert body_texts(article) == [EN_BODY[0]]


def test_documents_title_does_not_drop_a_different_first_paragraph():
    article = cleaned(f"{EN_BODY[0]}\n{EN_BODY[1]}", title="Another title")
    assert (article.title, body_texts(article)) == ("Another title", EN_BODY[:2])


@pytest.mark.parametrize(
    "title",
    ["Hanoi Convention opens door to global cooperation", "Công ước Hà Nội mở ra cơ hội hợp tác",
     "河内公约开启全球合作新机遇", "اتفاقية هانوي تفتح باب التعاون الدولي"],
)
def test_first_line_that_clearly_is_a_title(title):
    article = cleaned(f"{title}\n\n{AR_BODY[0]}\n\n{AR_BODY[1]}")
    assert article.title == title
    assert body_texts(article) == AR_BODY[:2]


@pytest.mark.parametrize(
    "first",
    ["Hanoi",  # too short to be sure: a dateline or a heading
     "The delegation arrived on Tuesday.",  # a sentence
     "The minister speaks at the ceremony (Photo: VNA)"],  # a credited caption
)
def test_first_line_that_is_not_clearly_a_title(first):
    assert cleaned(f"{first}\n\n{EN_BODY[0]}\n\n{EN_BODY[1]}").title is None


def test_caption_after_a_leading_image_is_never_the_title():
    article = cleaned(f"lead.jpg\nThe minister speaks at the ceremony\n\n{EN_BODY[0]}\n\n{EN_BODY[1]}")
    assert article.title is None
    assert article.captions == ("The minister speaks at the ceremony",)


def test_title_only_line_before_nothing_is_not_a_title():
    assert cleaned("Hanoi Convention opens door").title is None


@pytest.mark.parametrize("index", range(5))
def test_seeds_have_no_title_and_no_lead(index):
    article = cleaned(seed_text(index))
    assert (article.title, article.lead) == (None, None)


# --- lead -------------------------------------------------------------------------------------

def test_documents_lead_stays_the_first_body_paragraph():
    article = cleaned("\n\n".join(EN_BODY), lead=EN_BODY[0])
    assert article.lead == EN_BODY[0]
    assert body_texts(article) == EN_BODY


def test_documents_lead_missing_from_the_text_is_reported_and_the_body_left_alone():
    # An HTML standfirst or a JSON "lead" that the article text does not repeat.
    article = cleaned("\n\n".join(EN_BODY[1:]), lead=f"  {EN_BODY[0]} ")
    assert article.lead == EN_BODY[0]
    assert body_texts(article) == EN_BODY[1:]


def test_no_lead_without_the_document_saying_so():
    assert cleaned("\n\n".join(EN_BODY)).lead is None


# --- hard-wrapped text ------------------------------------------------------------------------

def test_hard_wrapped_paragraphs_are_rejoined():
    text = (
        "The minister received the delegation in Hanoi and the two sides signed\n"
        "a cooperation agreement on security. He said that the convention would\n"
        "be a landmark for the region.\n\n"
        "Both ministries will share information on cross-border crime and\n"
        "train officers together."
    )
    assert body_texts(cleaned(text)) == [
        "The minister received the delegation in Hanoi and the two sides signed a cooperation "
        "agreement on security. He said that the convention would be a landmark for the region.",
        "Both ministries will share information on cross-border crime and train officers together.",
    ]


@pytest.mark.parametrize(
    "lines",
    [
        ["The convention was signed on Saturday by 72 countries.", "It will enter into force after 40 ratifications."],
        ["Hanoi Convention signed by 72 countries", "The convention was signed on Saturday by 72 countries."],
        ["Fresh apples and pears from the market", "Oranges from Spain and lemons from Italy"],
        EN_BODY,
    ],
)
def test_lines_that_are_not_wrapped_stay_apart(lines):
    # After a first paragraph, so that a title-like first line is not taken as the title.
    assert body_texts(cleaned("\n".join([EN_BODY[2], *lines]))) == [EN_BODY[2], *lines]


# --- whole articles ---------------------------------------------------------------------------

def test_arabic_article_right_to_left():
    text = "\n".join([
        AR_BODY[0], "الوزير يتحدث في المؤتمر (صورة: وكالة الأنباء الفيتنامية)", "", "التعاون الأمني",
        "", AR_BODY[1], AR_BODY[2], "اقرأ أيضا: اتفاقية هانوي", "مشاركة فيسبوك تويتر",
        "المصدر: https://www.example.com/ar/news/1?utm_source=fb", "التعليقات (٠)",
    ])
    article = cleaned(text)
    assert [(p.kind, p.text) for p in article.paragraphs] == [
        ("body", AR_BODY[0]), ("heading", "التعاون الأمني"), ("body", AR_BODY[1]), ("body", AR_BODY[2]),
    ]
    assert article.captions == ("الوزير يتحدث في المؤتمر (صورة: وكالة الأنباء الفيتنامية)",)
    assert article.source_url == "https://www.example.com/ar/news/1"
    assert len(article.removed) == 4


def test_chinese_article():
    text = "\n".join([
        ZH_BODY[0], "p1.jpg", "部长在会上讲话", "合作前景", ZH_BODY[1], ZH_BODY[2], "相关阅读：河内公约签署",
        "分享到：微信 微博", "来源：https://www.example.cn/a.html?spm=1.2", "评论（3）",
    ])
    article = cleaned(text)
    assert [(p.kind, p.text) for p in article.paragraphs] == [
        ("body", ZH_BODY[0]), ("heading", "合作前景"), ("body", ZH_BODY[1]), ("body", ZH_BODY[2]),
    ]
    assert (article.images, article.captions) == (("p1.jpg",), ("部长在会上讲话",))
    assert article.source_url == "https://www.example.cn/a.html"
    assert article.removed == ("相关阅读：河内公约签署", "分享到：微信 微博", "来源：https://www.example.cn/a.html?spm=1.2", "评论（3）")


@pytest.mark.parametrize("index", range(5))
def test_added_boilerplate_around_a_seed_changes_nothing_else(index):
    plain = cleaned(seed_text(index))
    added = ["Share", "Facebook Twitter Email", "Xem thêm: Công ước Hà Nội", "আরও পড়ুন", "और पढ़ें",
             "Comments (12)", "Bình luận (3)"]
    text = "\n".join(added[:3]) + "\n" + seed_text(index) + "\n" + "\n".join(added[3:])
    article = cleaned(text)
    assert (article.paragraphs, article.captions, article.images, article.source_url) == (
        plain.paragraphs, plain.captions, plain.images, plain.source_url,
    )
    assert article.removed == (*added[:3], *plain.removed, *added[3:])


# --- the vocabulary ---------------------------------------------------------------------------

KEYS = {"source_labels", "comment_counters", "photo_credit_labels", "read_more", "share_lines", "share_targets"}


@pytest.mark.parametrize("code", ["bn", "hi", "vi", "en", "zh", "ru", "ar", "fr", "es", "ja", "ko", "th"])
def test_every_language_file_has_the_labels(code):
    entry = tomllib.loads((boilerplate.VOCABULARY_DIR / f"{code}.toml").read_text(encoding="utf-8"))
    assert set(entry) == KEYS
    for key in KEYS - {"share_targets"}:
        assert entry[key], f"{code}.toml: {key} is empty"


def clear_vocabulary_caches() -> None:
    for value in vars(boilerplate).values():
        if hasattr(value, "cache_clear"):
            value.cache_clear()


@pytest.fixture
def vocabulary_dir(tmp_path, monkeypatch):
    """A vocabulary directory of the test's own; the module's cached patterns are rebuilt."""
    monkeypatch.setattr(boilerplate, "VOCABULARY_DIR", tmp_path)
    clear_vocabulary_caches()
    yield tmp_path
    monkeypatch.undo()
    clear_vocabulary_caches()


def test_a_new_language_is_a_data_file(vocabulary_dir):
    body = "Der Minister empfing die Delegation am Dienstag in Hanoi."
    text = f"{body}\nQuelle: https://example.de/a\nWeiterlesen: Hanoi-Konvention\nTeilen\nKommentare (4)"
    assert len(cleaned(text).removed) == 0  # German is not known yet
    (vocabulary_dir / "de.toml").write_text(
        'source_labels = ["Quelle"]\ncomment_counters = ["Kommentare"]\nread_more = ["Weiterlesen"]\n'
        'share_lines = ["Teilen"]\n',
        encoding="utf-8",
    )
    clear_vocabulary_caches()
    article = cleaned(text)
    assert body_texts(article) == [body]
    assert article.source_url == "https://example.de/a"
    assert len(article.removed) == 4


def test_an_unknown_key_in_a_language_file_is_an_error(vocabulary_dir):
    (vocabulary_dir / "xx.toml").write_text('comment_counter = ["typo"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="comment_counter"):
        boilerplate.vocabulary()


def test_a_short_lead_is_body_not_a_heading():
    article = cleaned("\n\n".join(["Talks in Hanoi", *EN_BODY]), lead="Talks in Hanoi")
    assert article.paragraphs[0] == Paragraph("body", "Talks in Hanoi")
    assert article.title is None


def test_hyphenated_wrap_joins_without_a_space():
    text = (
        "The agreement builds on a long tradition of security co-\n"
        "operation between the two ministries and their agencies."
    )
    assert body_texts(cleaned(f"{EN_BODY[0]}\n\n{text}"))[1] == (
        "The agreement builds on a long tradition of security co-operation between the two "
        "ministries and their agencies."
    )

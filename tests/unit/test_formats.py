import json
from datetime import UTC, datetime, timedelta, timezone
from html import escape

import pytest

from tests.seeds import seed_bytes
from workers.pipeline.decoding import RejectedFile
from workers.pipeline.formats import image_file_name, read_document, split_records

SEED_002_URL = "https://vietnamnet.vn/bn/cong-uoc-ha-noi-ngon-hai-dang-2456536.html"
SEED_002_TITLE = "হ্যানয় কনভেনশন: বিশ্বব্যাপী সাইবার নিরাপত্তা সহযোগিতার আলোকবর্তিকা"
SEED_002_LEAD = (
    "দুই দিনের স্বাক্ষর অনুষ্ঠানের পর ৭২টি দেশ জাতিসংঘের সাইবার অপরাধ বিরোধী কনভেনশনে স্বাক্ষর করেছে।"
)
ICT = timezone(timedelta(hours=7))

# What a news site puts around an article; none of it may reach the text.
SEED_002_BOILERPLATE = [
    "রাজনীতি", "অর্থনীতি", "অনুসন্ধান করুন", "প্রচ্ছদ", "লিঙ্ক কপি করুন", "শেয়ার করুন",
    "ট্যাগ", "সম্পর্কিত সংবাদ", "ভিয়েতনাম ও আজারবাইজান নিরাপত্তা সহযোগিতা চুক্তি স্বাক্ষর করেছে",
    "আরও পড়ুন", "হ্যানয়ে সাইবার নিরাপত্তা প্রদর্শনী শুরু হয়েছে", "মন্তব্য (2)",
    "খুব ভালো খবর, ধন্যবাদ।", "সর্বাধিক পঠিত", "স্বর্ণের দাম আজ আবার বেড়েছে",
    "সর্বস্বত্ব সংরক্ষিত", "গোপনীয়তা নীতি", "ফাম কং", "এই নিবন্ধটি কি আপনার কাজে লেগেছে?",
]  # fmt: skip


def _seed_002_body() -> str:
    """Seed 002 as the cleaner expects it: the article and its image/caption pairs, without
    the trailing source line (a page carries its URL in its markup instead)."""
    lines = seed_bytes(2).decode("utf-8").split("\n")
    return "\n".join(line for line in lines if not line.startswith("সূত্র:")).strip()


def _seed_002_page() -> str:
    """Seed 002 inside a realistic news page: header, navigation, breadcrumb, share buttons,
    a related-links box inside the article, author box, tags, related news, comments, sidebar
    and footer; figures with lazy-loaded images and figcaptions; headings as <h2>."""
    blocks = _seed_002_body().split("\n\n")
    body = []
    for index, block in enumerate(blocks):
        if "\n" in block:  # an image line and its caption
            name, caption = block.split("\n")
            body.append(
                '<figure class="image">'
                f'<img src="/static/placeholder.gif" data-src="https://vcdn.vietnamnet.vn/2025/10/26/{name}?w=760" '
                f'alt="{escape(caption)}" width="760">'
                f"<figcaption><p>{escape(caption)}</p></figcaption></figure>"
            )
        elif len(block) < 80 and not block.endswith(("।", ".", '"')):
            body.append(f"<h2>{escape(block)}</h2>")
        else:
            body.append(f"<p>{escape(block)}</p>")
        if index == 6:
            body.append(
                '<div class="box-related"><p class="title">আরও পড়ুন:</p><ul>'
                '<li><a href="/r1">ভিয়েতনাম ও আজারবাইজান নিরাপত্তা সহযোগিতা চুক্তি স্বাক্ষর করেছে</a></li>'
                '<li><a href="/r2">হ্যানয়ে সাইবার নিরাপত্তা প্রদর্শনী শুরু হয়েছে</a></li></ul></div>'
            )
    return f"""<!DOCTYPE html>
<html lang="bn">
<head>
<meta charset="utf-8">
<title>{SEED_002_TITLE} | VietNamNet বাংলা</title>
<meta name="description" content="{SEED_002_LEAD}">
<meta property="og:title" content="{SEED_002_TITLE}">
<meta property="og:url" content="{SEED_002_URL}?utm_source=facebook">
<meta property="og:locale" content="bn_BD">
<meta property="article:published_time" content="2025-10-26T18:30:00+07:00">
<link rel="canonical" href="{SEED_002_URL}">
<script>window.dataLayer = window.dataLayer || [];</script>
</head>
<body>
<header class="site-header">
  <a class="logo" href="/"><img src="/static/logo.png" alt="VietNamNet"></a>
  <nav class="main-nav"><ul>
    <li><a href="/bn/thoi-su">রাজনীতি</a></li><li><a href="/bn/kinh-te">অর্থনীতি</a></li>
    <li><a href="/bn/the-gioi">বিশ্ব</a></li><li><a href="/bn/the-thao">খেলাধুলা</a></li>
  </ul></nav>
  <form class="search"><input type="text" placeholder="অনুসন্ধান করুন"></form>
</header>
<div class="breadcrumb"><a href="/">প্রচ্ছদ</a> › <a href="/bn/thoi-su">রাজনীতি</a></div>
<main>
<article class="article-detail">
  <h1 class="content-title">{SEED_002_TITLE}</h1>
  <div class="meta"><span class="author">ফাম কং</span> <time datetime="2025-10-26T18:30:00+07:00">২৬/১০/২০২৫ ১৮:৩০</time></div>
  <div class="share-buttons"><a href="https://facebook.com/sharer">Facebook</a> <a href="#" class="copy">লিঙ্ক কপি করুন</a></div>
  <h2 class="sapo">{SEED_002_LEAD}</h2>
  <div class="maincontent">{"".join(body)}</div>
  <div class="author-box"><p><a href="/author/pham-cong">ফাম কং</a></p><p>সাংবাদিক, রাজনীতি বিভাগ</p></div>
  <div class="rating"><span>এই নিবন্ধটি কি আপনার কাজে লেগেছে?</span><button>হ্যাঁ</button></div>
  <div class="tags">ট্যাগ: <a href="/tag/hanoi">হ্যানয় কনভেনশন</a> <a href="/tag/cyber">সাইবার অপরাধ</a></div>
  <div class="share-buttons bottom"><a href="https://facebook.com/sharer">শেয়ার করুন</a></div>
</article>
<section class="related-news"><h3>সম্পর্কিত সংবাদ</h3><ul>
  <li><a href="/bn/a-1.html">ভিয়েতনাম ও আজারবাইজান নিরাপত্তা সহযোগিতা চুক্তি স্বাক্ষর করেছে</a></li>
  <li><a href="/bn/a-2.html">প্রধানমন্ত্রী জাতিসংঘের মহাসচিবের সাথে সাক্ষাৎ করেছেন</a></li></ul></section>
<section class="comments" id="comments"><h3>মন্তব্য (2)</h3>
  <div class="comment"><p class="comment-author">রহিম</p><p>খুব ভালো খবর, ধন্যবাদ।</p></div></section>
</main>
<aside class="sidebar"><h3>সর্বাধিক পঠিত</h3><ol><li><a href="/x">স্বর্ণের দাম আজ আবার বেড়েছে</a></li></ol></aside>
<footer class="site-footer"><p>© ২০২৫ VietNamNet। সর্বস্বত্ব সংরক্ষিত।</p>
  <ul><li><a href="/about">আমাদের সম্পর্কে</a></li><li><a href="/privacy">গোপনীয়তা নীতি</a></li></ul></footer>
</body>
</html>
"""


ENGLISH_PAGE = """<!doctype html>
<html lang="en-GB">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Hanoi Convention on cybercrime signed by 72 countries - World News Daily</title>
<meta name="description" content="Seventy-two countries signed the UN Convention against Cybercrime in Hanoi on Sunday.">
<meta property="og:title" content="Hanoi Convention on cybercrime signed by 72 countries">
<meta property="og:url" content="https://news.example.com/world/asia/hanoi-convention-cybercrime">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
"datePublished":"2025-10-26T11:30:00Z","dateModified":"2025-10-26T14:02:00Z"}</script>
</head>
<body>
<div id="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a>
<a href="/sport">Sport</a> <a href="/login">Sign in</a></nav></header>
<main id="main-content">
<article>
<header>
<h1>Hanoi Convention on cybercrime signed by 72 countries</h1>
<p class="byline">By Jane Doe, Hanoi correspondent</p>
<ul class="share"><li><a href="#">Share on Facebook</a></li><li><a href="#">Share on X</a></li></ul>
</header>
<div class="article-body">
<p>Seventy-two countries signed the United Nations Convention against Cybercrime in Hanoi on Sunday, making it the first global treaty dedicated to fighting crime committed online.</p>
<p>The two-day ceremony drew more than 2,500 delegates from 110 countries, 150 international, regional and non-governmental organisations, and over 50 research institutes.</p>
<figure>
<img class="lazy" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="https://cdn.example.com/images/2025/10/26/signing-ceremony.jpg?w=1200&amp;q=80" alt="Delegates at the ceremony">
<figcaption>Delegates applaud at the signing ceremony in Hanoi on 25 October. Photo: Reuters</figcaption>
</figure>
<p>Vietnam's Minister of Public Security, General Luong Tam Quang, said the convention reflected "the determination of the international community to build a safe and trustworthy cyberspace".</p>
<h2>What the treaty does</h2>
<p>The convention obliges states to criminalise a range of offences, including:</p>
<ul>
<li>illegal access to computer systems;</li>
<li>the interception of private communications;</li>
<li>online fraud and money laundering.</li>
</ul>
<blockquote><p>"This is the beginning, not the end," said John Brandolino, director of treaty affairs at the UN Office on Drugs and Crime.</p></blockquote>
<p>The treaty will enter into force 90 days after the 40th country ratifies it.<br>Several countries said they expected to ratify it before the end of next year.</p>
<p><img src="/images/2025/10/26/press-conference.png" alt=""> Deputy Foreign Minister Nguyen Minh Vu answered questions at a press conference on Sunday afternoon about the results of the ceremony.</p>
<p>Critics, including several digital rights groups, have warned that some provisions could be used to justify surveillance, and urged signatories to adopt strong safeguards.</p>
</div>
<div class="newsletter">Sign up for our daily newsletter <form><input type="email"><button>Subscribe</button></form></div>
</article>
<section class="related"><h2>More from World</h2><ul><li><a href="/a">Floods hit central Vietnam as typhoon season peaks</a></li>
<li><a href="/b">ASEAN leaders meet in Kuala Lumpur</a></li></ul></section>
<section id="comments"><h2>Comments (14)</h2><div class="comment"><p>Great news for everyone who has been scammed online.</p></div></section>
</main>
<footer><p>&copy; 2025 World News Daily. All rights reserved.</p><a href="/terms">Terms</a> <a href="/privacy">Privacy</a></footer>
</body>
</html>
"""

ENGLISH_TEXT = """Seventy-two countries signed the United Nations Convention against Cybercrime in Hanoi on Sunday, making it the first global treaty dedicated to fighting crime committed online.

The two-day ceremony drew more than 2,500 delegates from 110 countries, 150 international, regional and non-governmental organisations, and over 50 research institutes.

signing-ceremony.jpg
Delegates applaud at the signing ceremony in Hanoi on 25 October. Photo: Reuters

Vietnam's Minister of Public Security, General Luong Tam Quang, said the convention reflected "the determination of the international community to build a safe and trustworthy cyberspace".

What the treaty does

The convention obliges states to criminalise a range of offences, including:

illegal access to computer systems;

the interception of private communications;

online fraud and money laundering.

"This is the beginning, not the end," said John Brandolino, director of treaty affairs at the UN Office on Drugs and Crime.

The treaty will enter into force 90 days after the 40th country ratifies it.
Several countries said they expected to ratify it before the end of next year.

press-conference.png

Deputy Foreign Minister Nguyen Minh Vu answered questions at a press conference on Sunday afternoon about the results of the ceremony.

Critics, including several digital rights groups, have warned that some provisions could be used to justify surveillance, and urged signatories to adopt strong safeguards."""


# --- plain text ------------------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(5))
def test_plain_text_seed_is_a_text_document(index):
    raw = seed_bytes(index)
    document = read_document(raw, f"seed_{index}.txt")
    assert document.format == "text"
    assert document.text == raw.decode("utf-8")
    assert (document.url, document.title, document.lead, document.language, document.published_at) == (
        None, None, None, None, None,
    )  # fmt: skip


def test_plain_text_is_tidied():
    raw = "Hà\u00a0Nội,\u200b ngày 2/12\r\n\r\nHai bên ký thỏa thuận.".encode("utf-16")
    assert read_document(raw, "a.txt").text == "Hà Nội, ngày 2/12\n\nHai bên ký thỏa thuận."


def test_a_headline_in_brackets_is_text_not_json():
    text = "[Ảnh] Thủ tướng tiếp Bộ trưởng Ngoại giao Nhật Bản\nHai bên nhất trí thúc đẩy hợp tác."
    document = read_document(text.encode(), "article.txt")
    assert (document.format, document.text) == ("text", text)


def test_an_rss_feed_is_refused():
    with pytest.raises(RejectedFile, match="^unsupported format: an XML document"):
        read_document(b'<?xml version="1.0"?><rss><channel><item><title>x</title></item></channel></rss>', "feed.xml")


def test_binary_data_is_refused_whatever_its_name():
    with pytest.raises(RejectedFile, match="^binary data: looks like a JPEG image$"):
        read_document(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "article.txt")


# --- HTML ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_002_page() -> str:
    return _seed_002_page()


def test_html_wrapping_of_seed_002_gives_back_the_seed_text(seed_002_page):
    document = read_document(seed_002_page.encode("utf-8"), "cong-uoc-ha-noi.html")
    assert document.format == "html"
    assert document.text == _seed_002_body()


def test_html_metadata_comes_from_the_page(seed_002_page):
    document = read_document(seed_002_page.encode("utf-8"), "page.html")
    assert document.title == SEED_002_TITLE
    assert document.lead == SEED_002_LEAD
    assert document.url == SEED_002_URL  # rel=canonical before og:url
    assert document.language == "bn"
    assert document.published_at == datetime(2025, 10, 26, 18, 30, tzinfo=ICT)


def test_html_title_and_lead_are_not_repeated_in_the_text(seed_002_page):
    lines = read_document(seed_002_page.encode("utf-8"), "page.html").text.split("\n")
    assert SEED_002_TITLE not in lines
    assert SEED_002_LEAD not in lines


@pytest.mark.parametrize("junk", SEED_002_BOILERPLATE)
def test_html_page_furniture_does_not_come_through(seed_002_page, junk):
    assert junk in seed_002_page  # the page does carry it
    assert junk not in read_document(seed_002_page.encode("utf-8"), "page.html").text


def test_html_images_become_file_name_lines_followed_by_their_captions(seed_002_page):
    lines = read_document(seed_002_page.encode("utf-8"), "page.html").text.split("\n")
    index = lines.index("z7157588517514_1471cc05946c11fe4159fc679254b7e4.jpg")
    assert lines[index + 1] == "জননিরাপত্তা মন্ত্রী জেনারেল লুং ট্যাম কোয়াং বক্তব্য রাখছেন"
    assert lines[index + 2] == ""
    images = [line for line in lines if line.endswith(".jpg")]
    assert len(images) == 5
    assert "placeholder.gif" not in lines


def test_english_page_gives_the_article_in_plain_text_shape():
    document = read_document(ENGLISH_PAGE.encode("utf-8"), "hanoi-convention.html")
    assert document.text == ENGLISH_TEXT
    assert "#" not in document.text  # headings are plain lines, not markdown
    assert document.title == "Hanoi Convention on cybercrime signed by 72 countries"
    assert document.lead == "Seventy-two countries signed the UN Convention against Cybercrime in Hanoi on Sunday."
    assert document.url == "https://news.example.com/world/asia/hanoi-convention-cybercrime"  # og:url
    assert document.language == "en"  # from "en-GB"
    assert document.published_at == datetime(2025, 10, 26, 11, 30, tzinfo=UTC)  # JSON-LD


@pytest.mark.parametrize(
    "junk",
    ["cookies", "Sign in", "Jane Doe", "Share on", "newsletter", "More from World", "Floods hit",
     "Comments (14)", "scammed", "All rights reserved", "Privacy"],
)  # fmt: skip
def test_english_page_furniture_does_not_come_through(junk):
    assert junk in ENGLISH_PAGE
    assert junk not in read_document(ENGLISH_PAGE.encode("utf-8"), "page.html").text


VIETNAMESE_PAGE = """<html><head><meta charset="utf-8"><title>Thủ tướng tiếp Bộ trưởng Ngoại giao Nhật Bản</title>
</head><body>
<div class="menu"><a href="/">Trang chủ</a> <a href="/chinh-tri">Chính trị</a> <a href="/kinh-te">Kinh tế</a></div>
<div class="detail">
<h1 class="title">Thủ tướng tiếp Bộ trưởng Ngoại giao Nhật Bản</h1>
<div class="sapo">Chiều 12/11, tại Trụ sở Chính phủ, Thủ tướng Phạm Minh Chính đã tiếp Bộ trưởng Ngoại giao Nhật Bản đang thăm chính thức Việt Nam.</div>
<p>Thủ tướng đánh giá cao chuyến thăm, khẳng định Việt Nam luôn coi Nhật Bản là đối tác hàng đầu, quan trọng và lâu dài.</p>
<table class="picture" align="center"><tbody><tr><td><img src="https://img.example.vn/2025/11/12/thu-tuong-tiep-1.jpg" alt=""></td></tr>
<tr><td class="image_desc">Thủ tướng Phạm Minh Chính tiếp Bộ trưởng Ngoại giao Nhật Bản. Ảnh: VGP</td></tr></tbody></table>
<p>Hai bên nhất trí thúc đẩy hợp tác trong các lĩnh vực kinh tế, thương mại, đầu tư, lao động và chuyển đổi số, đồng thời tăng cường giao lưu nhân dân giữa hai nước.</p>
<p>Bộ trưởng Ngoại giao Nhật Bản cảm ơn Thủ tướng đã dành thời gian tiếp và khẳng định Nhật Bản coi trọng quan hệ với Việt Nam.</p>
</div>
<div class="footer">Bản quyền thuộc Cổng Thông tin điện tử Chính phủ</div>
</body></html>"""


def test_a_picture_table_gives_an_image_and_its_caption_and_a_bare_lead_div_is_kept():
    document = read_document(VIETNAMESE_PAGE.encode("utf-8"), "thu-tuong.htm")
    assert document.text == (
        "Chiều 12/11, tại Trụ sở Chính phủ, Thủ tướng Phạm Minh Chính đã tiếp Bộ trưởng Ngoại giao "
        "Nhật Bản đang thăm chính thức Việt Nam.\n\n"
        "Thủ tướng đánh giá cao chuyến thăm, khẳng định Việt Nam luôn coi Nhật Bản là đối tác hàng "
        "đầu, quan trọng và lâu dài.\n\n"
        "thu-tuong-tiep-1.jpg\n"
        "Thủ tướng Phạm Minh Chính tiếp Bộ trưởng Ngoại giao Nhật Bản. Ảnh: VGP\n\n"
        "Hai bên nhất trí thúc đẩy hợp tác trong các lĩnh vực kinh tế, thương mại, đầu tư, lao động "
        "và chuyển đổi số, đồng thời tăng cường giao lưu nhân dân giữa hai nước.\n\n"
        "Bộ trưởng Ngoại giao Nhật Bản cảm ơn Thủ tướng đã dành thời gian tiếp và khẳng định Nhật "
        "Bản coi trọng quan hệ với Việt Nam."
    )
    assert document.title == "Thủ tướng tiếp Bộ trưởng Ngoại giao Nhật Bản"
    assert (document.lead, document.url, document.language, document.published_at) == (None,) * 4


def test_an_html_page_in_a_declared_legacy_encoding():
    paragraphs = [
        "Министр общественной безопасности Вьетнама встретился в Ханое с директором Службы "
        "государственной безопасности Азербайджана.",
        "Стороны подписали соглашение о сотрудничестве в области безопасности, которое станет "
        "правовой основой для обмена информацией.",
        "Министр подчеркнул, что Ханойская конвенция создаёт новые возможности для международного "
        "сотрудничества в борьбе с киберпреступностью.",
    ]
    page = (
        '<html lang="ru"><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
        "<title>Новости</title></head><body><article><h1>Вьетнам и Азербайджан подписали соглашение</h1>"
        + "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
        + "</article></body></html>"
    )
    document = read_document(page.encode("cp1251"), "novosti.html")
    assert document.text == "\n\n".join(paragraphs)
    assert document.title == "Вьетнам и Азербайджан подписали соглашение"
    assert document.language == "ru"


def test_an_html_fragment_is_html():
    fragment = (
        "<p>Hai bên nhất trí thúc đẩy hợp tác trong các lĩnh vực kinh tế, thương mại và đầu tư, "
        "đồng thời tăng cường giao lưu nhân dân.</p>\n<p>Lễ ký kết diễn ra tại Trụ sở Chính phủ "
        "chiều 12/11 với sự chứng kiến của lãnh đạo hai nước.</p>"
    )
    document = read_document(fragment.encode(), "fragment.txt")
    assert document.format == "html"
    assert document.text.split("\n\n") == [
        "Hai bên nhất trí thúc đẩy hợp tác trong các lĩnh vực kinh tế, thương mại và đầu tư, đồng "
        "thời tăng cường giao lưu nhân dân.",
        "Lễ ký kết diễn ra tại Trụ sở Chính phủ chiều 12/11 với sự chứng kiến của lãnh đạo hai nước.",
    ]


def test_a_page_without_an_article_is_refused():
    page = b"<html><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav></body></html>"
    with pytest.raises(RejectedFile, match="^HTML: no article text found on the page$"):
        read_document(page, "index.html")


@pytest.mark.parametrize(
    ("src", "name"),
    [
        ("https://vcdn.vietnamnet.vn/2025/10/26/z7157588517514_1471cc05946c11fe4159fc679254b7e4.jpg",
         "z7157588517514_1471cc05946c11fe4159fc679254b7e4.jpg"),
        ("https://cdn.example.com/a/photo.JPEG?w=760&h=400#x", "photo.JPEG"),
        ("/images/%E1%BA%A3nh-1.png", "ảnh-1.png"),
        ("https://cdn.example.com/my%20photo.webp", "my%20photo.webp"),
        ("data:image/gif;base64,R0lGODlhAQABAAAAACw=", None),
        ("https://cdn.example.com/image?id=42", None),
        ("", None),
    ],
)  # fmt: skip
def test_image_file_name(src, name):
    assert image_file_name(src) == name


# --- JSON --------------------------------------------------------------------------------------------

JSON_ARTICLE = {
    "text": "Bộ trưởng Bộ Công an đã tiếp đoàn đại biểu tại Hà Nội.\r\n\r\n"
    "Hai bên ký thỏa thuận\u00a0hợp tác về an ninh.\nLễ ký diễn ra chiều 2/12.",
    "url": "https://example.vn/thoi-su/bo-truong-tiep-doan-post1.html",
    "language": "vi-VN",
    "published_at": "2025-12-02T15:00:00+07:00",
    "title": " Bộ trưởng Bộ Công an\ntiếp đoàn đại biểu ",
    "lead": "Chiều 2/12, tại Hà Nội, Bộ trưởng đã tiếp đoàn.",
    "source": "agency feed",  # unknown fields are ignored
}


@pytest.mark.parametrize("indent", [None, 2])
def test_json_article(indent):
    raw = json.dumps(JSON_ARTICLE, ensure_ascii=False, indent=indent).encode("utf-8")
    document = read_document(raw, "article.json")
    assert document.format == "json"
    assert document.text == (
        "Bộ trưởng Bộ Công an đã tiếp đoàn đại biểu tại Hà Nội.\n\n"
        "Hai bên ký thỏa thuận hợp tác về an ninh.\nLễ ký diễn ra chiều 2/12."
    )
    assert document.url == "https://example.vn/thoi-su/bo-truong-tiep-doan-post1.html"
    assert document.language == "vi"
    assert document.published_at == datetime(2025, 12, 2, 15, 0, tzinfo=ICT)
    assert document.title == "Bộ trưởng Bộ Công an tiếp đoàn đại biểu"
    assert document.lead == "Chiều 2/12, tại Hà Nội, Bộ trưởng đã tiếp đoàn."


def test_json_with_only_text():
    document = read_document('{"text": "জননিরাপত্তা মন্ত্রী বক্তব্য রাখেন।"}'.encode(), "a.json")
    assert document.text == "জননিরাপত্তা মন্ত্রী বক্তব্য রাখেন।"
    assert (document.url, document.title, document.lead, document.language, document.published_at) == (None,) * 5


def test_json_blank_optional_fields_count_as_absent():
    raw = b'{"text": "Noi dung.", "url": "", "title": " ", "language": "", "published_at": ""}'
    document = read_document(raw, "a.json")
    assert (document.url, document.title, document.language, document.published_at) == (None,) * 4


def test_json_is_sniffed_whatever_the_name():
    assert read_document(b'{"text": "Hai ben ky thoa thuan."}', "upload.txt").format == "json"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-12-02T08:00:00Z", datetime(2025, 12, 2, 8, 0, tzinfo=UTC)),
        ("2025-12-02T08:00:00", datetime(2025, 12, 2, 8, 0, tzinfo=UTC)),  # no offset: UTC
        ("2025-12-02", datetime(2025, 12, 2, tzinfo=UTC)),
    ],
)
def test_json_published_at_forms(value, expected):
    raw = json.dumps({"text": "Nội dung bài viết.", "published_at": value}).encode()
    assert read_document(raw, "a.json").published_at == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"text": "abc",\n  "url": }', "not valid JSON: Expecting value at line 2 column 10"),
        (b'{"text": "abc"', "not valid JSON: Expecting ',' delimiter at line 1 column 15"),
        (b'"a string"', 'JSON must be an object with a "text" field, not a string'),
        (b"42", 'JSON must be an object with a "text" field, not a number'),
        (b'{"url": "https://example.vn/a"}', 'JSON: field "text" is missing'),
        (b'{"text": 42}', 'JSON: field "text" must be a string, not a number'),
        (b'{"text": null}', 'JSON: field "text" must be a string, not null'),
        (b'{"text": ["a", "b"]}', 'JSON: field "text" must be a string, not an array'),
        (b'{"text": ""}', 'JSON: field "text" is empty'),
        (b'{"text": " \\n\\u200b\\u00a0"}', 'JSON: field "text" is empty'),
        (b'{"text": "abc", "url": 5}', 'JSON: field "url" must be a string, not a number'),
        (b'{"text": "abc", "url": "example.vn/a"}', 'JSON: field "url" is not an http(s) URL: "example.vn/a"'),
        (b'{"text": "abc", "published_at": "02/12/2025"}',
         'JSON: field "published_at" is not an ISO 8601 date-time such as "2025-10-26T18:30:00+07:00": "02/12/2025"'),
        (b'{"text": "abc", "published_at": 1733130000}', 'JSON: field "published_at" must be a string, not a number'),
        (b'{"text": "abc", "language": "Vietnamese"}',
         'JSON: field "language" is not a language code such as "bn" or "vi-VN": "Vietnamese"'),
        (b'{"text": "abc", "title": {"vi": "x"}}', 'JSON: field "title" must be a string, not an object'),
    ],
)  # fmt: skip
def test_json_rejections_say_what_is_wrong(content, message):
    with pytest.raises(RejectedFile) as error:
        read_document(content, "article.json")
    assert str(error.value) == message


def test_a_json_array_is_refused_with_a_pointer_to_ndjson():
    with pytest.raises(RejectedFile) as error:
        read_document(b'[{"text": "a"}, {"text": "b"}]', "articles.json")
    assert str(error.value).startswith("a JSON array: send one article object per file")
    assert "NDJSON" in str(error.value) and "split" in str(error.value)


def test_a_whole_ndjson_file_reaching_read_document_is_refused():
    content = b'{"text": "first article"}\n{"text": "second article"}\n'
    with pytest.raises(RejectedFile) as error:
        read_document(content, "feed.json")
    assert "NDJSON" in str(error.value)
    assert "split into one article per line at ingest" in str(error.value)


# --- NDJSON split at ingest --------------------------------------------------------------------------

NDJSON_LINES = [
    {"text": "Les vendanges ont commencé avec trois semaines d’avance.", "language": "fr"},
    {"text": "Вьетнам и Азербайджан подписали соглашение о сотрудничестве.", "language": "ru"},
    {"text": "소형 위성이 첫 영상을 보내왔다.", "language": "ko"},
]


def _ndjson(separator: bytes = b"\n") -> bytes:
    return separator.join(json.dumps(line, ensure_ascii=False).encode() for line in NDJSON_LINES) + separator


def test_ndjson_is_split_into_one_record_per_line():
    records = split_records("feed.ndjson", _ndjson())
    assert [name for name, _ in records] == ["feed.ndjson#1", "feed.ndjson#2", "feed.ndjson#3"]
    assert [json.loads(record) for _, record in records] == NDJSON_LINES


def test_ndjson_records_are_read_as_json_documents():
    documents = [read_document(record, name) for name, record in split_records("feed.jsonl", _ndjson())]
    assert [document.language for document in documents] == ["fr", "ru", "ko"]
    assert documents[2].text == "소형 위성이 첫 영상을 보내왔다."


def test_record_names_carry_the_line_number_in_the_file_blank_lines_and_crlf_included():
    content = b'\r\n{"text": "one"}\r\n\r\n   \r\n{"text": "two"}\r\n'
    assert split_records("feed.ndjson", content) == [
        ("feed.ndjson#2", b'{"text": "one"}'),
        ("feed.ndjson#5", b'{"text": "two"}'),
    ]


def test_a_malformed_ndjson_line_becomes_its_own_failing_record():
    content = b'{"text": "one"}\n{"text": "two", }\n{"text": "three"}\n'
    records = split_records("feed.ndjson", content)
    assert [name for name, _ in records] == ["feed.ndjson#1", "feed.ndjson#2", "feed.ndjson#3"]
    assert read_document(records[0][1], records[0][0]).text == "one"
    assert read_document(records[2][1], records[2][0]).text == "three"
    with pytest.raises(RejectedFile, match="^not valid JSON: Expecting property name enclosed in double quotes at line 1 column 17$"):
        read_document(records[1][1], records[1][0])


def test_a_non_json_line_of_an_ndjson_file_fails_as_json():
    records = split_records("feed.ndjson", b'{"text": "one"}\nnot json at all\n')
    with pytest.raises(RejectedFile, match="^not valid JSON: Expecting value at line 1 column 1$"):
        read_document(records[1][1], records[1][0])


def test_ndjson_is_recognised_by_its_content_under_another_name():
    records = split_records("export.txt", _ndjson())
    assert [name for name, _ in records] == ["export.txt#1", "export.txt#2", "export.txt#3"]


def test_ndjson_in_utf16_is_split_into_utf8_records():
    records = split_records("feed.ndjson", _ndjson(b"\r\n").decode().encode("utf-16"))
    assert [json.loads(record) for _, record in records] == NDJSON_LINES


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("article.json", json.dumps(JSON_ARTICLE, ensure_ascii=False, indent=2).encode()),
        ("article.json", json.dumps(JSON_ARTICLE, ensure_ascii=False).encode()),
        ("article.txt", "জননিরাপত্তা মন্ত্রী\n{বন্ধনী}\n".encode()),
        ("page.html", b"<html><body><p>One</p>\n<p>Two</p></body></html>"),
        ("empty.ndjson", b"\n  \n"),
    ],
)
def test_other_files_are_not_split(name, content):
    assert split_records(name, content) == [(name, content)]


def test_seed_files_are_not_split():
    raw = seed_bytes(0)
    assert split_records("000.txt", raw) == [("000.txt", raw)]


FRENCH_PAGE = """<html lang="fr"><head><title>Vendanges précoces - Actu Régions</title>
<meta property="og:title" content="Vendanges : trois semaines d'avance">
</head><body><article>
<h1>Des vendanges précoces après un été caniculaire</h1>
<p>Les vendanges ont commencé avec près de trois semaines d’avance cette année dans plusieurs vignobles du sud de la France, conséquence d’un été marqué par des températures exceptionnellement élevées.</p>
<figure><img src="https://img.example.fr/2025/08/vendanges-1.jpg" alt="Vendanges : trois semaines d'avance">
<figcaption><p>Des cueilleurs dans une parcelle près de Béziers, le 28 août.</p><p>Photo : Jean Martin</p></figcaption></figure>
<p>Dès la fin du mois d’août, les premières équipes de cueilleurs se sont mises au travail dans les parcelles les plus précoces, parfois dès cinq heures du matin.</p>
<figure><img src="https://img.example.fr/2025/08/vendanges-2.jpg" alt="Vendanges : trois semaines d'avance"></figure>
<p>Selon la chambre d’agriculture, les volumes devraient être inférieurs de 10 à 15 % à la moyenne des cinq dernières années.</p>
</article></body></html>"""


def test_the_article_h1_is_the_title_even_when_og_title_words_it_otherwise():
    document = read_document(FRENCH_PAGE.encode("utf-8"), "vendanges.html")
    assert document.title == "Des vendanges précoces après un été caniculaire"
    assert document.title not in document.text


def test_a_caption_in_several_paragraphs_is_one_caption_line_and_not_body_text():
    blocks = read_document(FRENCH_PAGE.encode("utf-8"), "vendanges.html").text.split("\n\n")
    assert blocks[1] == "vendanges-1.jpg\nDes cueilleurs dans une parcelle près de Béziers, le 28 août. Photo : Jean Martin"
    assert not any(block.startswith(("Des cueilleurs", "Photo")) for block in blocks)


def test_an_alt_text_that_repeats_the_headline_is_not_a_caption():
    blocks = read_document(FRENCH_PAGE.encode("utf-8"), "vendanges.html").text.split("\n\n")
    assert blocks[3] == "vendanges-2.jpg"
    assert blocks[4].startswith("Selon la chambre d’agriculture")

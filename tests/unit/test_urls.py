import pytest

from workers.pipeline.urls import canonical_url

SEED_URLS = [
    "https://nhandan.vn/mo-ra-nhieu-co-hoi-hop-tac-quoc-te-post918263.html",
    "https://vietnamnet.vn/cong-uoc-ha-noi-ngon-hai-dang-soi-duong-cho-hop-tac-toan-cau-ve-an-ninh-mang-2456536.html",
    "https://daibieunhandan.vn/mo-rong-khong-giant-hop-tac-giua-bo-cong-an-viet-nam-va-hoi-dong-an-ninh-belarus-10398051.html",
]


@pytest.mark.parametrize("url", SEED_URLS)
def test_canonical_urls_stay_as_they_are(url):
    assert canonical_url(url) == url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://NhanDan.VN/Mo-Ra.html", "https://nhandan.vn/Mo-Ra.html"),  # path keeps its case
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com:8080/a", "https://example.com:8080/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?#", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
    ],
)
def test_scheme_host_port_fragment(url, canonical):
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://x.vn/a?utm_source=fb&utm_medium=social&utm_campaign=c", "https://x.vn/a"),
        ("https://x.vn/a?b=2&utm_source=x&a=1", "https://x.vn/a?b=2&a=1"),  # order kept, not sorted
        ("https://x.vn/a?fbclid=IwAR0&id=5", "https://x.vn/a?id=5"),
        ("https://x.vn/a?id=5&GCLID=abc&dclid=1&msclkid=2", "https://x.vn/a?id=5"),
        ("https://x.vn/a?mc_cid=1&mc_eid=2&igshid=3&yclid=4&page=2", "https://x.vn/a?page=2"),
        ("https://x.vn/a?_ga=2.1&_gl=1*abc&ref_src=twsrc%5Etfw&q=hanoi", "https://x.vn/a?q=hanoi"),
        ("https://x.vn/a?source=rss&ref=home&session=9", "https://x.vn/a?source=rss&ref=home&session=9"),
        ("https://x.vn/search?q=a%20b&amp", "https://x.vn/search?q=a%20b&amp"),  # %20 stays %20
        ("https://x.vn/a?&&id=5&", "https://x.vn/a?id=5"),
    ],
)
def test_tracking_parameters_go_and_the_others_keep_their_order(url, canonical):
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("https://x.vn/a.", "https://x.vn/a"),
        ("https://x.vn/a,", "https://x.vn/a"),
        ("https://x.vn/a;", "https://x.vn/a"),
        ("https://x.vn/a।", "https://x.vn/a"),  # Bengali/Devanagari full stop
        ("https://x.cn/a。", "https://x.cn/a"),
        ("(https://x.vn/a)", "https://x.vn/a"),
        ("<https://x.vn/a>", "https://x.vn/a"),
        ("«https://x.fr/a»", "https://x.fr/a"),
        ("“https://x.vn/a”.", "https://x.vn/a"),
        ("https://en.wikipedia.org/wiki/Hanoi_(city)", "https://en.wikipedia.org/wiki/Hanoi_(city)"),
        ("https://en.wikipedia.org/wiki/Hanoi_(city)).", "https://en.wikipedia.org/wiki/Hanoi_(city)"),
        ("  https://x.vn/a  ", "https://x.vn/a"),
    ],
)
def test_punctuation_glued_by_the_text_is_stripped(text, canonical):
    assert canonical_url(text) == canonical


def test_non_ascii_and_encoded_spellings_agree():
    raw = canonical_url("https://ru.wikipedia.org/wiki/Ханой")
    encoded = canonical_url("https://ru.wikipedia.org/wiki/%d0%a5%d0%b0%d0%bd%d0%be%d0%b9")
    assert raw == encoded == "https://ru.wikipedia.org/wiki/%D0%A5%D0%B0%D0%BD%D0%BE%D0%B9"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "nhandan.vn/a", "ftp://example.com/a", "mailto:a@example.com", "javascript:alert(1)",
     "https://", "http:///path", "http://[::1", "https://example.com:99999/a", "https://exa mple.com/a",
     "not a url"],
)
def test_not_an_http_url_gives_none(text):
    assert canonical_url(text) is None


@pytest.mark.parametrize(
    "url",
    [*SEED_URLS, "HTTP://A.example:80/X?utm_source=1&b=%c3%a9#f", "https://x.vn/a?q=Hà Nội".replace(" ", ""),
     "https://[::1]:8443/a?b", "https://en.wikipedia.org/wiki/A_(b)"],
)
def test_canonical_form_is_a_fixed_point(url):
    once = canonical_url(url)
    assert once is not None and canonical_url(once) == once

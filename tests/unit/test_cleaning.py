import re

import pytest

from tests.seeds import seed_bytes, seed_paths
from workers.pipeline.cleaning import clean

NHANDAN = "https://nhandan.vn/mo-ra-nhieu-co-hoi-hop-tac-quoc-te-post918263.html"
VIETNAMNET = (
    "https://vietnamnet.vn/cong-uoc-ha-noi-ngon-hai-dang-soi-duong-cho-hop-tac-toan-cau-ve-an-ninh-mang-2456536.html"
)
DAIBIEU = (
    "https://daibieunhandan.vn/mo-rong-khong-giant-hop-tac-giua-bo-cong-an-viet-nam-va-hoi-dong-an-ninh-belarus-10398051.html"
)
SEED_URLS = [NHANDAN, NHANDAN, VIETNAMNET, DAIBIEU, VIETNAMNET]

SEED_002_IMAGES = [
    "z7157588517514_1471cc05946c11fe4159fc679254b7e4.jpg",
    "z7157588510299_25ae283da9bc7ad55921f16f7884edbe.jpg",
    "z7157588500744_fb2497f82a22f584598a0c5f0e5d0b73.jpg",
    "z7157588517812_d7732e31e1c83f7a51fed8afa52014bb.jpg",
    "z7157745428258_904f185835d265f8f8699f5b454e6685.jpg",
]

# (line number of the first body paragraph, of the last one) in each raw seed file, read off the files.
SEED_BODY_ENDS = [(1, 7), (1, 7), (0, 57), (0, 16), (0, 57)]

ALL_SEEDS = range(5)
IMAGE_NAME = re.compile(r"^\S+\.(jpe?g|png|gif|webp)$", re.IGNORECASE)


def seed_text(index: int) -> str:
    return seed_paths()[index].read_text(encoding="utf-8")


def raw_lines(index: int) -> list[str]:
    return seed_text(index).split("\n")


@pytest.mark.parametrize("index", ALL_SEEDS)
def test_seed_boilerplate_lines_are_gone(index):
    for line in clean(seed_text(index)).text.split("\n"):
        assert not line.startswith(("মন্তব্য (", "टिप्पणी (")), line
        assert not line.startswith(("সূত্র:", "स्रोत:")), line
        assert not IMAGE_NAME.match(line), line
        assert "https://" not in line, line


@pytest.mark.parametrize(("index", "url"), list(zip(ALL_SEEDS, SEED_URLS)))
def test_seed_source_url(index, url):
    assert clean(seed_text(index)).source_url == url


def test_seed_002_images_in_file_order():
    assert clean(seed_text(2)).images == SEED_002_IMAGES


@pytest.mark.parametrize("index", [0, 1, 3])
def test_seeds_without_pictures_have_no_images(index):
    assert clean(seed_text(index)).images == []


def test_seed_002_captions_stay():
    lines = raw_lines(2)
    kept = clean(seed_text(2)).text.split("\n")
    captions = [lines[i + 1] for i, line in enumerate(lines) if line in SEED_002_IMAGES]
    assert len(captions) == 5
    assert "জননিরাপত্তা মন্ত্রী জেনারেল লুং ট্যাম কোয়াং বক্তব্য রাখছেন" in captions
    for caption in captions:
        assert caption in kept


@pytest.mark.parametrize(("index", "ends"), list(zip(ALL_SEEDS, SEED_BODY_ENDS)))
def test_first_and_last_paragraphs_survive(index, ends):
    first, last = ends
    lines = raw_lines(index)
    kept = clean(seed_text(index)).text.split("\n")
    assert kept[0] == lines[first]
    assert kept[-1] == lines[last]


@pytest.mark.parametrize("index", ALL_SEEDS)
def test_seed_blank_lines_are_folded_and_trimmed(index):
    text = clean(seed_text(index)).text
    assert "\n\n\n" not in text
    assert text == text.strip()
    assert text.split("\n")[0] and text.split("\n")[-1]


def test_seed_000_keeps_its_paragraph_structure():
    # Seed 000 has no blank lines inside the body: eight body lines, then the footer.
    lines = raw_lines(0)
    assert clean(seed_text(0)).text == "\n".join(lines[1:8])


@pytest.mark.parametrize("index", ALL_SEEDS)
def test_crlf_gives_the_same_result_as_lf(index):
    lf = seed_bytes(index).decode("utf-8")
    crlf = lf.replace("\n", "\r\n")
    assert "\r\n" in crlf
    assert clean(crlf) == clean(lf)


@pytest.mark.parametrize(
    "counter",
    ["মন্তব্য (0)", "মন্তব্য (5)", "মন্তব্য (১২)", "মন্তব্য(0)", "टिप्पणी (0)", "टिप्पणी (४२)",
     "Comments (3)", "Comment (1)", "comments (120)", "Bình luận (7)"],
)
def test_comment_counters_are_removed(counter):
    assert clean(f"Body text.\n\n{counter}").text == "Body text."


def test_counter_with_an_unknown_label_is_kept():
    assert clean("Body.\nLikes (3)").text == "Body.\nLikes (3)"


def test_comment_label_inside_a_sentence_is_kept():
    line = "মন্তব্য (0) দেখে পাঠকরা অবাক হয়েছেন।"
    assert clean(f"Body.\n{line}").text == f"Body.\n{line}"


def test_english_source_line():
    cleaned = clean("An article.\nSource: https://example.com/a\nComments (3)")
    assert cleaned.text == "An article."
    assert cleaned.source_url == "https://example.com/a"


@pytest.mark.parametrize(
    ("line", "url"),
    [
        ("Nguồn: https://vnexpress.net/x-1.html", "https://vnexpress.net/x-1.html"),
        ("উৎস : http://example.org/b?c=1", "http://example.org/b?c=1"),
        ("स्रोत: https://example.in/d", "https://example.in/d"),
    ],
)
def test_other_source_labels(line, url):
    cleaned = clean(f"Body.\n{line}")
    assert (cleaned.text, cleaned.source_url) == ("Body.", url)


@pytest.mark.parametrize(
    "line",
    ["The photo z123_abc.jpg was taken by VNA.", "ছবি: z7157588517514_1471cc.jpg", "See photos/a.jpg"],
)
def test_image_name_inside_a_sentence_is_kept(line):
    cleaned = clean(f"{line}\nphoto.PNG")
    assert cleaned.text == line
    assert cleaned.images == ["photo.PNG"]


def test_source_label_without_url_is_kept():
    cleaned = clean("Body.\nসূত্র: ভিএনএ")
    assert cleaned.text == "Body.\nসূত্র: ভিএনএ"
    assert cleaned.source_url is None


def test_blank_runs_fold_and_edges_are_trimmed():
    assert clean("\n\n  \nA\n\n\n\nB  \n \n\n").text == "A\n\nB"

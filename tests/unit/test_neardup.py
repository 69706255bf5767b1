"""Near-duplicate core: shingling per script, signatures, band keys, the verified similarity and
the decision."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.seeds import seed_bytes
from workers.pipeline.neardup import (
    CHAR_SHINGLE,
    Candidate,
    Decision,
    NearDupConfig,
    Signature,
    band_keys,
    decide,
    estimated_similarity,
    shingles,
    signature,
    similarity,
)

REPO = Path(__file__).resolve().parents[2]
ARTICLES = REPO / "tests" / "data" / "articles"
CONFIG = NearDupConfig()

IMAGE_LINE = re.compile(r"^\S+\.(?:jpe?g|png)$", re.IGNORECASE)
SOURCE_LINE = re.compile(r"^\S{1,20}\s*:\s*https?://\S+$")
COUNTER_LINE = re.compile(r"^\S{1,20}\s*\(\s*\d+\s*\)$")

FOOTER = (
    "Subscribe to our morning briefing to get the day's most important stories delivered to your "
    "inbox before seven. You can unsubscribe at any time, and we never share your address.\n\n"
    "All content on this site is copyright of the publisher and may not be reproduced, distributed "
    "or broadcast without prior written permission. Follow us for live updates and video reports."
)


def seed_body(index: int) -> str:
    """The seed's paragraphs without image-name, caption, source and counter lines: about what
    the cleaner leaves (kept independent of it, so these tests see only the near-duplicate core)."""
    kept: list[str] = []
    after_image = False
    for line in (line.strip() for line in seed_bytes(index).decode("utf-8").splitlines()):
        if not line:
            continue
        if IMAGE_LINE.match(line):
            after_image = True
        elif after_image:
            after_image = False
        elif not (SOURCE_LINE.match(line) or COUNTER_LINE.match(line)):
            kept.append(line)
    return "\n\n".join(kept)


def article(name: str) -> str:
    return (ARTICLES / name).read_text(encoding="utf-8").strip()


def paragraphs(text: str) -> list[str]:
    return [paragraph for paragraph in text.split("\n") if paragraph.strip()]


# --- shingling -------------------------------------------------------------------------------


def test_chinese_is_shingled_by_characters_whatever_the_spacing() -> None:
    sentence = "本市新修订的生活垃圾分类管理办法于下月一日起正式施行"
    result = shingles(sentence)
    assert result == {sentence[i : i + CHAR_SHINGLE] for i in range(len(sentence) - CHAR_SHINGLE + 1)}
    assert shingles(" ".join(sentence)) == result
    assert shingles(sentence.replace("的", "，的。")) == result  # punctuation only separates


def test_japanese_kana_and_kanji_are_shingled_together() -> None:
    sentence = "赤字ローカル線、上下分離で存続へ"
    result = shingles(sentence)
    assert "ローカル線" in result and "カル線上下" in result  # across the comma, kana into kanji
    assert all(len(shingle) == CHAR_SHINGLE for shingle in result)


def test_thai_ignores_the_spaces_between_phrases() -> None:
    text = "ศูนย์ติดตามคุณภาพอากาศรายงานว่า เมื่อเช้าวันนี้ค่าฝุ่นในหลายเขตสูง"
    assert shingles(text) == shingles(text.replace(" ", "")) == shingles(text.replace(" ", "   "))
    joined = text.replace(" ", "")
    boundary = text.index(" ")
    assert joined[boundary - 2 : boundary + 3] in shingles(text)  # a shingle spans the space


def test_spaced_languages_are_shingled_by_words_ignoring_case_and_punctuation() -> None:
    assert shingles("The barrier, a pair of steel gates!") == {
        "the barrier a", "barrier a pair", "a pair of", "pair of steel", "of steel gates"
    }
    assert shingles("THE BARRIER — a pair of “steel” gates") == shingles("The barrier, a pair of steel gates!")


def test_bengali_words_keep_their_vowel_signs_and_joiners() -> None:
    # Vowel signs and viramas are combining marks, not letters: they must not split words.
    assert shingles("জননিরাপত্তা মন্ত্রী জেনারেল লুওং") == {
        "জননিরাপত্তা মন্ত্রী জেনারেল", "মন্ত্রী জেনারেল লুওং"
    }
    with_joiner = "র\u200d্যাব সদস্যরা আজ সকালে"
    assert shingles(with_joiner) == shingles(with_joiner.replace("\u200d", ""))


def test_digit_scripts_do_not_matter() -> None:
    assert shingles("১১০টি দেশ এবং ২,৫০০ জন") == shingles("110টি দেশ এবং 2,500 জন")
    assert shingles("११० देशों के २५०० प्रतिनिधि") == shingles("110 देशों के 2500 प्रतिनिधि")


def test_mixed_text_gets_word_and_character_shingles() -> None:
    result = shingles("Bộ trưởng Lương Tam Quang 会见了阿塞拜疆国家安全局局长")
    assert "bộ trưởng lương" in result
    assert "会见了阿塞" in result


def test_short_and_empty_texts() -> None:
    assert shingles("two words") == {"two words"}
    assert shingles("  …  ") == set()


# --- signatures and band keys ----------------------------------------------------------------


def test_signature_round_trips_through_bytes_compactly() -> None:
    sig = signature(seed_body(2))
    data = sig.to_bytes()
    assert len(data) == 4 + 4 * CONFIG.num_perm
    assert Signature.from_bytes(data) == sig
    assert band_keys(Signature.from_bytes(data)) == band_keys(sig)


def test_signature_from_bytes_rejects_garbage() -> None:
    data = signature("some text to sign here").to_bytes()
    with pytest.raises(ValueError):
        Signature.from_bytes(data[:-1])
    with pytest.raises(ValueError):
        Signature.from_bytes(b"\x09" + data[1:])


def test_empty_text_has_no_band_keys_and_duplicates_nothing() -> None:
    sig = signature("")
    assert sig.empty and band_keys(sig) == []
    assert Signature.from_bytes(sig.to_bytes()).empty
    assert similarity("", "") == 0.0
    assert estimated_similarity(sig, signature("")) == 0.0


def test_band_keys_are_signed_64_bit_one_per_band_and_differ_between_bands() -> None:
    keys = band_keys(signature(seed_body(0)))
    assert len(keys) == CONFIG.bands
    assert all(-(2**63) <= key < 2**63 for key in keys)
    assert any(key < 0 for key in keys) and any(key >= 0 for key in keys)
    # Equal values in every band must still give a different key per band.
    uniform = Signature(values=(12345,) * CONFIG.num_perm)
    assert len(set(band_keys(uniform))) == CONFIG.bands


def test_band_keys_are_the_same_in_every_process() -> None:
    # Keys are stored in PostgreSQL and compared across workers: nothing may depend on Python's
    # per-process hash randomisation.
    script = (
        "from tests.unit.test_neardup import seed_body\n"
        "from workers.pipeline.neardup import band_keys, signature\n"
        "print(band_keys(signature(seed_body(3))))\n"
    )
    outputs = set()
    for hash_seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        )
        outputs.add(result.stdout.strip())
    assert outputs == {str(band_keys(signature(seed_body(3))))}


def test_band_keys_keep_their_stored_format() -> None:
    # Keys already in the database must stay valid: a change of shingling, hashing, permutations
    # or band layout shows up here and needs a re-index of the stored articles.
    keys = band_keys(signature("Harbour towns along the northern estuary woke on Tuesday to the sound of the barrier."))
    assert keys[:3] == EXPECTED_FIRST_KEYS


EXPECTED_FIRST_KEYS = [1350812275763283197, 6559571834337763967, 5829525324189287153]


def test_identical_texts_share_every_band_and_edited_copies_share_some() -> None:
    body = seed_body(2)
    keys = set(band_keys(signature(body)))
    assert keys == set(band_keys(signature(" ".join(body.split()))))
    trimmed = "\n".join(paragraphs(body)[:-3])
    assert keys & set(band_keys(signature(trimmed)))
    assert not keys & set(band_keys(signature(seed_body(4))))  # its Hindi translation


def test_estimated_similarity_tracks_overlap() -> None:
    body = seed_body(3)
    assert estimated_similarity(signature(body), signature(body)) == 1.0
    half = "\n".join(paragraphs(body)[: len(paragraphs(body)) // 2])
    assert 0.2 < estimated_similarity(signature(body), signature(half)) < 0.8
    assert estimated_similarity(signature(body), signature(seed_body(2))) < 0.1


# --- the verified similarity ------------------------------------------------------------------


@pytest.mark.parametrize("index", range(5))
def test_edited_copies_of_a_seed_are_near_duplicates(index: int) -> None:
    body = seed_body(index)
    parts = paragraphs(body)
    edits = {
        "truncated to 75%": body[: int(len(body) * 0.75)],
        "last paragraph dropped": "\n\n".join(parts[:-1]),
        "paragraph added": "\n\n".join(parts[:2] + [article("en_1.txt").split("\n")[0]] + parts[2:]),
        "footer added": body + "\n\n" + FOOTER,
        "typos": body.replace(parts[1][10:30], parts[1][10:30][::-1], 1).replace(parts[-1][5:15], "", 1),
        "reflowed": "  ".join(body.split()),
    }
    for name, edited in edits.items():
        score = similarity(body, edited)
        assert score >= CONFIG.threshold, f"{name}: {score:.3f}"
        assert score == pytest.approx(similarity(edited, body))


@pytest.mark.parametrize("name", ["zh_1.txt", "ja_2.txt", "th_1.txt", "vi_1.txt", "ko_1.txt"])
def test_edited_copies_are_near_duplicates_in_other_scripts(name: str) -> None:
    body = article(name)
    assert similarity(body, body[: int(len(body) * 0.8)]) >= CONFIG.threshold
    assert similarity(body, "\n\n".join(paragraphs(body)[1:])) >= CONFIG.threshold


def test_translations_are_not_near_duplicates() -> None:
    assert similarity(seed_body(0), seed_body(1)) < 0.3  # bn / hi, one story
    assert similarity(seed_body(2), seed_body(4)) < 0.3


def test_separately_written_stories_on_one_subject_are_not_near_duplicates() -> None:
    assert similarity(seed_body(0), seed_body(3)) < 0.3  # the same ministry's meetings


def test_a_shared_footer_or_caption_does_not_make_different_stories_duplicates() -> None:
    caption = "Officials inspect the site ahead of the opening ceremony. Photo: Press office"
    first, second = article("en_1.txt"), article("en_2.txt")
    assert similarity(first + "\n\n" + FOOTER, second + "\n\n" + FOOTER) < 0.5
    assert similarity(caption + "\n\n" + first, caption + "\n\n" + second) < 0.2
    assert similarity(article("zh_1.txt") + "\n\n" + caption, article("zh_2.txt") + "\n\n" + caption) < 0.2


def test_a_short_excerpt_is_not_a_duplicate_of_the_whole() -> None:
    body = seed_body(2)
    excerpt = "\n\n".join(paragraphs(body)[:5])
    assert similarity(body, excerpt) < CONFIG.threshold


# --- the decision -----------------------------------------------------------------------------


def test_decide_picks_the_most_similar_candidate_above_the_threshold() -> None:
    body = seed_body(3)
    parts = paragraphs(body)
    candidates = [
        Candidate(3, "\n\n".join([seed_body(2).split("\n")[0]] + parts[1:])),  # first paragraph replaced
        Candidate(8, body),  # the same text
        Candidate(1, seed_body(0)),  # another story
    ]
    assert CONFIG.threshold <= similarity(body, candidates[0].text) < 1.0
    assert decide(body, candidates) == Decision(duplicate_of=8, similarity=1.0)
    assert decide(body, [candidates[0], candidates[2]]).duplicate_of == 3


def test_decide_breaks_ties_by_the_lowest_id() -> None:
    body = seed_body(1)
    decision = decide(body, [Candidate(9, body), Candidate(4, body), Candidate(6, body)])
    assert decision.duplicate_of == 4


def test_decide_says_new_when_nothing_reaches_the_threshold() -> None:
    assert decide(seed_body(0), [Candidate(1, seed_body(1)), Candidate(2, seed_body(3))]) == Decision(None, None)
    assert decide(seed_body(0), []) == Decision(None, None)


def test_the_threshold_is_configurable() -> None:
    body = seed_body(2)
    half = "\n\n".join(paragraphs(body)[: len(paragraphs(body)) // 2])
    score = similarity(body, half)
    assert decide(body, [Candidate(1, half)], NearDupConfig(threshold=score)).duplicate_of == 1
    assert decide(body, [Candidate(1, half)], NearDupConfig(threshold=min(1.0, score + 0.01))).duplicate_of is None


def test_config_rejects_impossible_bands() -> None:
    with pytest.raises(ValueError):
        NearDupConfig(num_perm=64, bands=32, rows=3)
    with pytest.raises(ValueError):
        NearDupConfig(threshold=0.0)

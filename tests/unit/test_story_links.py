import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from workers.pipeline.process import process_file
from workers.pipeline.story_links import (
    LINK_THRESHOLD,
    NO_LINKS,
    Candidate,
    LinkPlan,
    StorySignals,
    link_keys,
    numbers_in,
    plan_links,
    score,
    signals,
    signals_of,
    skeleton,
    to_latin,
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "data" / "seeds"


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2,500 delegates", "2.500 delegados", "২,৫০০ জন", "2 500 délégués", "2\u202f500 délégués",
     "2500", "٢٬٥٠٠ مندوب", "２，５００人"],
)
def test_thousands_in_every_script_and_separator_are_one_figure(text):
    assert numbers_in(text) == ["2500"]


def test_decimal_comma_and_point_agree():
    assert numbers_in("3,6 km") == numbers_in("3.6 km") == ["3.6"]


def test_indian_grouping():
    assert numbers_in("१,००,००० लोग") == ["100000"]


def test_separate_figures_stay_separate():
    assert numbers_in("in 2019 100 people, 2026-2028, 3/10") == ["2019", "100", "2026", "2028", "10"]


def test_one_digit_integers_are_dropped_but_years_and_dates_kept():
    assert numbers_in("2 ডিসেম্বর, ২০২৫") == ["2025"]


def test_thai_buddhist_era_year_also_gives_the_common_era_year():
    assert {"2568", "2025"} <= set(signals_of("เมื่อปี 2568 มี 450 คน", "th").numbers)


def test_chinese_numerals():
    assert numbers_in("一千八百米，三点六公里，二〇二一年") == ["1800", "3.6", "2021"]


def test_seed_figures_survive_translation():
    bn = signals_of("১১০টি দেশ, ১৫০টি সংস্থা, ৫০টিরও বেশি, ২,৫০০ জন, ৭২টি দেশ", "bn")
    hi = signals_of("110 देशों, 150 अंतर्राष्ट्रीय, 50 से अधिक, 2,500 से अधिक, 72 देशों", "hi")
    assert bn.numbers == hi.numbers == ("110", "150", "2500", "50", "72")


# --- names -----------------------------------------------------------------------------------


def _skeletons(text: str) -> list[str]:
    return [skeleton(to_latin(word)) for word in text.split()]


def test_bengali_and_devanagari_names_reduce_to_one_skeleton():
    assert _skeletons("লুওং ট্যাম কোয়াং") == _skeletons("लुओंग टैम क्वांग") == ["ln", "tn", "kn"]


def test_vietnamese_name_matches_the_indic_forms():
    assert _skeletons("Lương Tam Quang") == _skeletons("লুওং ট্যাম কোয়াং")


def test_other_scripts_reach_the_same_skeleton():
    assert skeleton(to_latin("لوونگ تام کوانگ")) == skeleton("LuongTamQuang")  # Urdu
    assert skeleton(to_latin("Брандолино")) == skeleton(to_latin("ব্র্যান্ডোলিনো")) == skeleton("Brandolino")


def test_cased_name_is_found_among_caseless_phrases():
    vi = signals_of("Bộ trưởng Lương Tam Quang nhấn mạnh rằng Lương Tam Quang", "vi")
    bn = signals_of("মন্ত্রী লুওং ট্যাম কোয়াং জোর দিয়ে বলেন", "bn")
    assert "lntnkn" in vi.names
    assert "lntnkn" in bn.phrases


def test_sentence_initial_capitals_are_not_names():
    s = signals_of("Yesterday the minister met Ali Nagiyev. Then he left.", "en")
    assert "lnk" in s.names  # Ali Nagiyev, joined
    assert skeleton("Yesterday") not in s.names and skeleton("Then") not in s.names


def test_capitalised_word_also_written_in_lowercase_is_not_a_name():
    s = signals_of("Peace Talks Resume In Bratislava. The minister said the talks resume.", "en")
    assert skeleton("Talks") not in s.names and skeleton("Resume") not in s.names
    assert skeleton("Bratislava") in s.names


def test_lone_capitalised_words_are_weak_names_and_words_of_runs_are_not():
    # German capitalises nouns: "Regierung" is a lone capitalised word, Brandolino is also in a run.
    s = signals_of("Die Regierung traf gestern Olaf Brandolino. Die Regierung und Brandolino "
                   "sprachen lange.", "de")
    assert skeleton("Regierung") in s.weak_names
    assert skeleton("Brandolino") in s.names and skeleton("Brandolino") not in s.weak_names
    assert skeleton("OlafBrandolino") in s.run_names


def test_noun_capitalising_translation_links_despite_its_capitalised_nouns():
    en = signals_of("Yesterday the minister met Olaf Brandolino and Mikhail Kalashnikov in "
                    "Sarajevo. At the meeting Brandolino told Kalashnikov, the press and the deputies "
                    "that Sarajevo, Montenegro and Slovenia agreed to the plan of Valentina Tereshkova.",
                    "en")
    de = signals_of("Gestern traf der Minister Olaf Brandolino und Mikhail Kalashnikov in Sarajevo. "
                    "Bei der Sitzung sagte Brandolino Kalashnikov, der Presse und den Abgeordneten, "
                    "dass Sarajevo, Montenegro und Slowenien dem Plan von Valentina Tereshkova "
                    "zustimmten.", "de")
    linked = score(en, de)
    assert linked.score >= LINK_THRESHOLD, linked.evidence
    assert linked.evidence["names"]["mode"] == "names"


def test_inflected_names_match_by_stem():
    # Lithuanian Kalašnikovas (klsnks) against Kalashnikov (klsnk): all but the last class agree.
    lt = signals_of("Ministras Olafas Brandolinas kalbėjo su Kalašnikovas komanda.", "lt")
    en = signals_of("Minister Olaf Brandolino spoke to the Kalashnikov team.", "en")
    assert skeleton(to_latin("Kalašnikovas")) in score(lt, en).evidence["names"]["shared"]


def test_runs_are_left_out_when_names_meet_names():
    # One language writes the run, the other separates its words: the parts still agree fully.
    a = signals_of("The minister met Olaf Brandolino; Kalashnikov came later.", "en")
    b = signals_of("Le ministre a vu Olaf, puis Brandolino; Kalashnikov est venu.", "fr")
    assert score(a, b).evidence["names"]["agreement"] == pytest.approx(1.0)


def test_cased_names_missing_among_caseless_words_count_for_little():
    # Institutions and titles are translated, not transliterated: missing, they say little.
    en = signals_of("The Supreme Court, the Security Council, the General Assembly and the Human "
                    "Rights Council heard Olaf Brandolino and Mikhail Kalashnikov in 2019 and 2021; "
                    "4500 people came.", "en")
    bn = signals_of("সর্বোচ্চ আদালত, নিরাপত্তা পরিষদ, সাধারণ পরিষদ এবং মানবাধিকার পরিষদ ২০১৯ ও ২০২১ "
                    "সালে ওলাফ ব্র্যান্ডোলিনো এবং মিখাইল কালাশনিকভের বক্তব্য শুনেছে; সাড়ে চার হাজার "
                    "মানুষ এসেছিলেন।", "bn")
    linked = score(en, bn)
    assert linked.evidence["names"]["mode"] == "names-in-words"
    assert linked.score >= LINK_THRESHOLD, linked.evidence


# --- serialisation and keys ------------------------------------------------------------------


def _seed(number: str) -> StorySignals:
    path = next(SEEDS.glob(f"{number}_*.txt"))
    draft = process_file(path.read_bytes(), path.name)
    return replace(signals(draft), source_url=None, images=())


def test_signals_round_trip_through_json():
    s = _seed("002")
    assert StorySignals.from_json(json.loads(json.dumps(s.to_json()))) == s


def test_keys_are_signed_64_bit_and_stable_across_processes():
    s = _seed("000")
    here = link_keys(s)
    code = (
        "import json, sys; from workers.pipeline.story_links import StorySignals, link_keys; "
        "print(json.dumps(link_keys(StorySignals.from_json(json.loads(sys.stdin.read())))))"
    )
    there = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(s.to_json()), capture_output=True,
        text=True, check=True, cwd=ROOT, env={"PYTHONHASHSEED": "123", "PATH": ""},
    )
    assert json.loads(there.stdout) == here
    assert here and all(-(2**63) <= key < 2**63 for key in here)


def test_translations_share_keys_and_unrelated_stories_share_few():
    a, b, c = set(link_keys(_seed("002"))), set(link_keys(_seed("004"))), set(link_keys(_seed("001")))
    assert len(a & b) >= 10
    assert len(a & b) > 3 * len(a & c)


def test_source_url_and_images_give_keys():
    s = signals_of("text", "en", source_url="https://x.example/a", images=["/img/z71.jpg"])
    t = signals_of("texte", "fr", source_url="https://x.example/a", images=["https://cdn/z71.JPG"])
    assert set(link_keys(s)) & set(link_keys(t))


# --- score -----------------------------------------------------------------------------------


def test_seed_translations_link_content_only():
    assert score(_seed("000"), _seed("001")).score >= LINK_THRESHOLD
    assert score(_seed("002"), _seed("004")).score >= LINK_THRESHOLD


@pytest.mark.parametrize("first,second", [("000", "004"), ("002", "001"), ("003", "001"), ("003", "004")])
def test_seed_non_pairs_do_not_link(first, second):
    assert score(_seed(first), _seed(second)).score < LINK_THRESHOLD


def test_same_language_scores_zero():
    assert score(_seed("000"), replace(_seed("000"), images=("x.jpg",))).score == 0.0


def test_shared_source_url_is_certain_and_recorded():
    a = replace(_seed("000"), source_url="https://nhandan.vn/x")
    b = replace(_seed("004"), source_url="https://nhandan.vn/x")
    result = score(a, b)
    assert result.score == 1.0 and result.evidence["source_url"] == "https://nhandan.vn/x"


def test_evidence_names_the_shared_figures_and_the_score():
    result = score(_seed("002"), _seed("004"))
    assert set(result.evidence["numbers"]["shared"]) >= {"110", "150", "2500", "72"}
    assert result.evidence["score"] == result.score
    json.dumps(result.evidence)  # stored as jsonb


def test_length_mismatch_is_penalised():
    long = signals_of("Hanoi 110 150 2500 72 " + "word " * 2000, "en")
    short = signals_of("Hanoi 110 150 2500 72 mot", "fr")
    assert score(long, short).evidence["length"]["factor"] == 0.0


def test_version_similarity_tells_versions_from_another_report_of_the_event():
    from workers.pipeline.story_links import group_versions, version_similarity

    base = StorySignals("en", numbers=("1200", "35.5", "2018"), names=("ktlsn", "plnk", "sntl"))
    version = StorySignals("en", numbers=("1200", "35.5", "2018"), names=("ktlsn", "plnk", "sntlt"))
    other_report = StorySignals("en", numbers=("2018", "77"), names=("ktlsn", "mlnt", "tks"))
    assert version_similarity(base, version) > 0.7 > 0.5 > version_similarity(base, other_report)
    assert version_similarity(StorySignals("en"), base) is None
    signals_of = {10: base, 20: version, 21: base, 30: base, 40: base}
    members = [Candidate(10, "en", 1, 0.9), Candidate(20, "en", 2, 0.9), Candidate(21, "fr", 2, 0.1),
               Candidate(30, None, 3, 0.9), Candidate(40, "en", 4, 0.1)]  # group 4 not linked
    pairs = group_versions(members, signals_of)
    # Group 3 has no determined language; group 4, in English too, holds no link.
    assert list(pairs) == [frozenset((1, 2))] and len(pairs[frozenset((1, 2))]) == 1
    assert group_versions(members[:1], signals_of) == {}  # one linked group: nothing to merge

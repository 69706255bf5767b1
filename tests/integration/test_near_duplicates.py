"""Near duplicates across separate worker processes sharing the index in PostgreSQL: one canonical
per story however the copies race, boilerplate never merges stories, and a near duplicate stays
out of translation groups."""

import random
import re
import uuid
from pathlib import Path

import pytest

from tests.integration.helpers import upload, wait_for_job
from tests.seeds import ntrex_text

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "seeds"
PAIRS = 220

_BENGALI = ("কখগঘচজটডতদধনপবভমরলশসহ", ("", "া", "ি", "ী", "ু", "ে", "ো"))


def _vocabulary(script: tuple[str, tuple[str, ...]], seed_files: str, rng: random.Random) -> list[str]:
    """The seeds' own words of one script plus made-up ones, so random texts look like the language
    but no two of them share more than a stray shingle."""
    consonants, vowel_signs = script
    words = {w.strip("।,.:;()\"'") for path in sorted(SEEDS.glob(seed_files)) for w in path.read_text().split()}
    words = {w for w in words if w and not re.search(r"[A-Za-z0-9/]", w)}
    while len(words) < 8000:
        words.add("".join(rng.choice(consonants) + rng.choice(vowel_signs) for _ in range(rng.randint(2, 4))))
    return sorted(words)


RNG = random.Random(uuid.uuid4().int)  # fresh texts every run, so a session's earlier data never matches
BENGALI_WORDS = _vocabulary(_BENGALI, "00[023]_*.txt", RNG)


def _paragraphs(words: list[str], count: int, length: int = 45) -> list[str]:
    return [" ".join(RNG.choices(words, k=length)) + "।" for _ in range(count)]


def _file(paragraphs: list[str], url: str, label: str = "সূত্র") -> bytes:
    return ("\n\n".join(paragraphs) + f"\n\n{label}: {url}\n").encode()


def _edited(paragraphs: list[str], variant: int) -> list[str]:
    """The kinds of edit a re-published copy shows: a paragraph dropped, one added, typos."""
    edited = list(paragraphs)
    if variant % 3 == 0:
        del edited[RNG.randrange(1, len(edited))]
    elif variant % 3 == 1:
        edited.insert(RNG.randrange(1, len(edited)), _paragraphs(BENGALI_WORDS, 1, 20)[0])
    else:
        for _ in range(3):
            index = RNG.randrange(len(edited))
            words = edited[index].split(" ")
            position = RNG.randrange(len(words) - 1)
            words[position] = words[position][:-1] + "ন"
            edited[index] = " ".join(words)
    return edited






def test_near_duplicate_pairs_racing_on_four_workers_end_with_one_canonical_each(poster, api, db):
    from workers import neardup_index
    from workers.pipeline import neardup
    from workers.pipeline.process import process_file

    threshold = neardup_index.config().threshold
    pairs = []
    for number in range(PAIRS):
        paragraphs = _paragraphs(BENGALI_WORDS, 5)
        url = f"https://news.example/{uuid.uuid4().hex}"
        pairs.append((_file(paragraphs, url), _file(_edited(paragraphs, number), url)))
    # The test data must be what it claims: each copy near its original, stories far apart.
    for (original, copy), (other, _) in zip(pairs, pairs[1:] + pairs[:1]):
        text = process_file(original).text
        assert neardup.similarity(text, process_file(copy).text) >= threshold + 0.05
        assert neardup.similarity(text, process_file(other).text) < 0.2

    # The two files of a pair sit next to each other in the queue, so two worker processes take
    # them at the same moment; which one wins varies from pair to pair.
    files = [(f"{n:03d}-{'ab'[k]}.txt", content) for n, pair in enumerate(pairs) for k, content in enumerate(pair)]
    job = wait_for_job(api, upload(poster, files)["job_id"], timeout=300)

    assert job["counts"] == {"total": 2 * PAIRS, "processed": 2 * PAIRS, "created": PAIRS, "duplicates": PAIRS, "failed": 0}
    for first, second in zip(job["files"][::2], job["files"][1::2]):
        statuses = sorted([first["status"], second["status"]])
        assert statuses == ["created", "duplicate"], (first, second)
        canonical, duplicate = (first, second) if first["status"] == "created" else (second, first)
        assert duplicate["duplicate_of"] == canonical["article_id"]
        assert duplicate["article_id"] not in (None, canonical["article_id"])
    article_ids = [f["article_id"] for f in job["files"]]
    rows = db.execute(
        """SELECT a.id, a.duplicate_of, a.duplicate_similarity, a.group_id,
                  EXISTS (SELECT 1 FROM articles d WHERE d.duplicate_of = a.id) AS has_duplicates,
                  EXISTS (SELECT 1 FROM article_bands b WHERE b.article_id = a.id) AS indexed
           FROM articles a WHERE a.id = ANY(%s)""",
        (article_ids,),
    ).fetchall()
    assert len(rows) == 2 * PAIRS
    canonicals = [r for r in rows if r["duplicate_of"] is None]
    duplicates = [r for r in rows if r["duplicate_of"] is not None]
    assert len(canonicals) == len(duplicates) == PAIRS
    assert all(r["has_duplicates"] and r["indexed"] for r in canonicals)
    assert not any(r["has_duplicates"] or r["indexed"] or r["group_id"] for r in duplicates)
    assert all(threshold <= r["duplicate_similarity"] <= 1 for r in duplicates)

    # The read API tells the same from both sides, for a sample.
    for file in [f for f in job["files"] if f["status"] == "duplicate"][:10]:
        near = api.get(f"/v1/articles/{file['article_id']}").json()
        assert near["duplicate_of"] == file["duplicate_of"] and near["duplicate_similarity"] >= threshold
        canonical = api.get(f"/v1/articles/{file['duplicate_of']}").json()
        assert canonical["duplicate_of"] is None
        assert [(d["file_id"], d["article_id"], d["kind"]) for d in canonical["duplicates"]] == [
            (file["id"], file["article_id"], "near")
        ]
        assert canonical["duplicates"][0]["similarity"] == pytest.approx(near["duplicate_similarity"])


def test_stories_sharing_a_long_footer_stay_apart_and_an_exact_copy_is_listed(poster, api):
    footer = _paragraphs(BENGALI_WORDS, 2, 40)  # a third of each text, word for word the same
    stories = [_paragraphs(BENGALI_WORDS, 4, 40) + footer for _ in range(6)]
    files = [(f"story-{n}.txt", _file(p, f"https://news.example/{uuid.uuid4().hex}")) for n, p in enumerate(stories)]
    job = wait_for_job(api, upload(poster, files)["job_id"], timeout=120)

    assert job["counts"]["created"] == 6 and job["counts"]["duplicates"] == 0, job
    stored = api.get(f"/v1/articles/{job['files'][0]['article_id']}").json()
    assert footer[0] in stored["text"]  # the footer reached the index: it was not cleaned away

    again = wait_for_job(api, upload(poster, files[:1])["job_id"])
    assert again["files"][0]["duplicate_of"] == stored["id"]
    listed = api.get(f"/v1/articles/{stored['id']}").json()["duplicates"]
    assert [(d["kind"], d["similarity"], d["article_id"]) for d in listed] == [("exact", 1.0, None)]


def test_a_near_duplicate_never_founds_or_joins_a_translation_group(poster, api):
    bengali = _paragraphs(BENGALI_WORDS, 5)
    story_url = f"https://news.example/{uuid.uuid4().hex}"
    other_url = f"https://news.example/{uuid.uuid4().hex}"
    first = wait_for_job(api, upload(poster, [
        ("bn.txt", _file(bengali, story_url)),
        # Real Hindi: made-up words in Devanagari are rightly no language (und), and hold no slot.
        ("hi.txt", _file(ntrex_text("hin", "bbc.381694").splitlines(), story_url, "स्रोत")),
        ("hi-alone.txt", _file(ntrex_text("hin", "scotsman.133765").splitlines(), other_url, "स्रोत")),
    ])["job_id"])
    bn_id, hi_id, lone_hi_id = (f["article_id"] for f in first["files"])
    group_id = api.get(f"/v1/articles/{bn_id}").json()["group_id"]
    assert group_id is not None and api.get(f"/v1/articles/{hi_id}").json()["group_id"] == group_id
    assert api.get(f"/v1/articles/{lone_hi_id}").json()["group_id"] is None

    # A copy of the Bengali story under its own URL (joining would put two Bengali versions in the
    # group) and one under the lone Hindi article's URL (a new article there would found a group).
    later = wait_for_job(api, upload(poster, [
        ("bn-copy.txt", _file(_edited(bengali, 2), story_url)),
        ("bn-copy-elsewhere.txt", _file(_edited(bengali, 0), other_url)),
    ])["job_id"])

    for file in later["files"]:
        assert (file["status"], file["duplicate_of"]) == ("duplicate", bn_id)
        assert api.get(f"/v1/articles/{file['article_id']}").json()["group_id"] is None
    members = [m["id"] for m in api.get(f"/v1/groups/{group_id}").json()["articles"]]
    assert sorted(members) == sorted([bn_id, hi_id])
    assert api.get(f"/v1/articles/{lone_hi_id}").json()["group_id"] is None

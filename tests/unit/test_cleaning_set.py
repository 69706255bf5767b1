"""Every file of the labelled cleaning set (tests/data/cleaning, built by its build.py) against
its expectation: language, script, mixed flag, title, lead, source URL, images, captions, body
paragraphs (exact, in order, with their kinds), boilerplate gone, or the rejection it must get.
"""

from dataclasses import replace
from datetime import datetime

import pytest

from tests.data.cleaning_set import (
    Outcome,
    describe,
    file_bytes,
    judge,
    load_expected,
    rejection_matches,
    run_pipeline,
    split,
)
from workers.pipeline.decoding import RejectedFile

EXPECTED = load_expected()
ACCEPTED = sorted(name for name, exp in EXPECTED.items() if "error" not in exp and exp["format"] != "ndjson")
REJECTED = sorted(name for name, exp in EXPECTED.items() if "error" in exp)
NDJSON = sorted(name for name, exp in EXPECTED.items() if exp["format"] == "ndjson")


def test_the_set_is_large_and_varied_enough():
    categories = {exp["category"] for exp in EXPECTED.values()}
    assert len(EXPECTED) >= 40
    assert {"seed", "html", "json", "ndjson", "reject", "mixed languages", "no boilerplate"} <= categories
    languages = {(exp.get("language") or "").split("-")[0] for exp in EXPECTED.values()}
    assert {"bn", "hi", "vi", "en", "zh", "ru", "ar", "fr", "es", "ja", "th", "ko"} <= languages


@pytest.mark.parametrize("name", ACCEPTED)
def test_file_gives_the_expected_record(name):
    verdict = judge(EXPECTED[name], run_pipeline(file_bytes(name), name))
    failures = verdict.failures()
    assert not failures, f"{name} ({EXPECTED[name]['category']}):\n{describe(failures)}"


@pytest.mark.parametrize("name", REJECTED)
def test_file_is_rejected_with_a_clear_reason(name):
    with pytest.raises(RejectedFile) as rejection:
        run_pipeline(file_bytes(name), name)
    message = str(rejection.value)
    assert rejection_matches(EXPECTED[name], message), f"{name}: {message!r} names none of {EXPECTED[name]['error']}"


@pytest.mark.parametrize("name", NDJSON)
def test_ndjson_file_splits_into_records_that_each_give_their_record(name):
    expectations = EXPECTED[name]["records"]
    records = split(name, file_bytes(name))
    # one record per line, named after the file and the (1-based) line it came from
    assert [record_name for record_name, _ in records] == [f"{name}#{n}" for n in range(1, len(expectations) + 1)]
    problems = []
    for (record_name, content), expectation in zip(records, expectations):
        failures = judge(expectation, run_pipeline(content, record_name)).failures()
        if failures:
            problems.append(f"{record_name}:\n{describe(failures)}")
    assert not problems, "\n".join(problems)


# --- the judge itself: a record built from the expectation passes, and each wrong field is caught


def _record_from(expectation: dict) -> Outcome:
    headings = set(expectation.get("headings", []))
    script = expectation["script"]
    return Outcome(
        title=expectation.get("title"),
        lead=expectation.get("lead"),
        paragraphs=tuple(("heading" if text in headings else "body", text) for text in expectation["body"]),
        captions=tuple(expectation["captions"]),
        images=tuple(expectation["images"]),
        source_url=expectation["source_url"],
        language=expectation["language"],
        script=script[0] if isinstance(script, list) else script,
        languages_mixed=expectation["languages_mixed"],
        published_at=datetime.fromisoformat(expectation["published_at"]) if "published_at" in expectation else None,
        removed=tuple(expectation.get("boilerplate", [])),
    )


@pytest.mark.parametrize(
    "name, change, field",
    [
        ("json_seed_004.json", dict(language="bn"), "language"),
        ("json_seed_004.json", dict(script="Beng"), "script"),
        ("json_seed_004.json", dict(languages_mixed=True), "languages_mixed"),
        ("html_seed_002.html", dict(title="z7157588517514_1471cc05946c11fe4159fc679254b7e4.jpg"), "title"),
        ("html_en_1.html", dict(lead=None), "lead"),
        ("json_seed_004.json", dict(source_url=f"{EXPECTED['json_seed_004.json']['source_url']}#top"), "source_url"),
        ("json_seed_004.json", dict(images=tuple(reversed(EXPECTED["json_seed_004.json"]["images"]))), "images"),
        ("json_seed_004.json", dict(captions=tuple(EXPECTED["json_seed_004.json"]["captions"][1:])), "captions"),
        ("json_seed_004.json", dict(published_at=datetime(2025, 10, 26, 17, 0)), "published_at"),
        ("clean_en_2.txt", dict(removed=("Share",)), "nothing removed"),
    ],
)
def test_judge_catches_a_wrong_field(name, change, field):
    expectation = EXPECTED[name]
    right = _record_from(expectation)
    assert judge(expectation, right).failures() == {}
    assert field in judge(expectation, replace(right, **change)).failures()


def test_judge_counts_lost_damaged_and_leftover_lines():
    expectation = EXPECTED["seed_002.txt"]
    right = _record_from(expectation)
    paragraphs = list(right.paragraphs)
    lost = paragraphs.pop(2)[1]
    damaged = paragraphs[3][1]
    paragraphs[3] = ("body", damaged[:-5])
    paragraphs[0] = ("heading", paragraphs[0][1])
    paragraphs.append(("body", expectation["boilerplate"][0]))
    verdict = judge(expectation, replace(right, paragraphs=tuple(paragraphs)))
    assert {"body", "paragraph kinds", "boilerplate left"} <= set(verdict.failures())
    assert verdict.body_lost == [lost] and verdict.body_damaged == [damaged]
    assert verdict.boilerplate_left == expectation["boilerplate"][:1]

"""Issue 3 through the whole service: files of every format posted over HTTP come back from the
read API as the structured records the labelled cleaning set expects (tests/data/cleaning)."""

from datetime import datetime
from types import SimpleNamespace

from tests.data.cleaning_set import file_bytes, judge, load_expected, outcome_of, rejection_matches
from tests.integration.helpers import upload, wait_for_job

# One file per source article (two files of one article would be duplicates of each other), and
# none made from the seeds, which the end-to-end test posts into this session's database.
ARTICLES = [
    "html_en_1.html",
    "html_ar_1.html",
    "json_es_1.json",
    "legacy_ru_1_cp1251.txt",
    "legacy_zh_1_gb18030.txt",
    "clean_th_2.txt",
    "mixed_vi_2_english_quote.txt",
]
NDJSON = "ndjson_three_records.ndjson"  # fr_1, ru_2 and ko_2 as JSON records
REJECTS = ["reject_image.png", "reject_json_without_text.json"]


def as_record(article: dict) -> SimpleNamespace:
    paragraphs = [SimpleNamespace(**p) for p in article["paragraphs"]]
    published_at = datetime.fromisoformat(article["published_at"]) if article["published_at"] else None
    return SimpleNamespace(**{**article, "paragraphs": paragraphs, "published_at": published_at})


def test_every_format_becomes_the_expected_record(ingest, api):
    expected = load_expected()
    bad_record = b'{"url": "https://example.org/no-text"}'
    ndjson = file_bytes(NDJSON).rstrip(b"\n") + b"\n" + bad_record + b"\n"
    files = [(name, file_bytes(name)) for name in ARTICLES + REJECTS] + [(NDJSON, ndjson)]

    accepted = upload(ingest, files)
    job = wait_for_job(ingest, accepted["job_id"], timeout=120)

    records = len(expected[NDJSON]["records"]) + 1
    assert accepted["files"] == len(ARTICLES) + len(REJECTS) + records
    by_name = {f["name"]: f for f in job["files"]}
    assert job["counts"]["failed"] == len(REJECTS) + 1, job["files"]
    assert job["counts"]["created"] == len(ARTICLES) + records - 1, job["files"]

    expectations = {name: expected[name] for name in ARTICLES}
    ndjson_lines = [n for n, _ in _split(ndjson)]
    expectations.update(dict(zip(ndjson_lines, expected[NDJSON]["records"])))
    failures = {}
    for name, exp in expectations.items():
        article = api.get(f"/v1/articles/{by_name[name]['article_id']}").json()
        verdict = judge(exp, outcome_of(as_record(article)))
        wrong = {field: value for field, value in verdict.failures().items() if field != "nothing removed"}
        if wrong:
            failures[name] = wrong
    assert failures == {}

    for name in REJECTS:
        assert rejection_matches(expected[name], by_name[name]["error"]), by_name[name]
    bad = by_name[ndjson_lines[-1]]
    assert bad["status"] == "failed" and '"text" is missing' in bad["error"]


def _split(content: bytes) -> list[tuple[str, bytes]]:
    from workers.pipeline.formats import split_records

    return split_records(NDJSON, content)

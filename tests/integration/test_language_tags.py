"""Issue 17 through the whole service: real NTREX news posted over HTTP comes back from the read
API with BCP 47 tags (a script subtag where the language has several), `und-Latn` for a language
no model knows, per-paragraph languages of a mixed article, and `?lang=` answering for a language
in any script as it did before tags carried scripts."""

from tests.integration.helpers import upload, wait_for_job
from tests.seeds import ntrex_text

STORY = "reuters.218861"
FILES = {
    "sr_cyrl.txt": ("srp-Cyrl", "sr-Cyrl"),
    "sr_latn.txt": ("variants/srp-Latn", "sr-Latn"),
    "zh_hant.txt": ("variants/zho-TW", "zh-Hant"),
    "bemba.txt": ("bem", "und-Latn"),
}


def _ids_for(api, **params) -> set[int]:
    ids: set[int] = set()
    after = None
    while True:
        page = api.get("/v1/articles", params={**params, "limit": 1000, **({"after": after} if after else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        ids |= {item["id"] for item in body["items"]}
        if body["next"] is None:
            return ids
        after = body["next"]


def test_tags_scripts_und_and_paragraph_languages_through_the_stack(ingest, api):
    bengali = ntrex_text("ben", STORY).splitlines()
    english = ntrex_text("eng", STORY).splitlines()
    bengali[4] = english[4]  # an English quote inside a Bengali report
    files = [(name, ntrex_text(folder, STORY).encode()) for name, (folder, _) in FILES.items()]
    files.append(("bn_with_english.txt", "\n".join(bengali).encode()))

    job = wait_for_job(ingest, upload(ingest, files)["job_id"], timeout=120)
    assert job["counts"]["created"] == len(files), job["files"]
    article_of = {f["name"]: f["article_id"] for f in job["files"]}
    assert {f["name"]: f["language"] for f in job["files"]} == {
        **{name: tag for name, (_, tag) in FILES.items()}, "bn_with_english.txt": "bn"
    }

    mixed = api.get(f"/v1/articles/{article_of['bn_with_english.txt']}").json()
    assert mixed["language"] == "bn"
    quoted = [p for p in mixed["paragraph_languages"] if p["language"] == "en"]
    assert len(quoted) == 1, mixed["paragraph_languages"]
    assert english[4].split()[0] in mixed["paragraphs"][quoted[0]["paragraph"]]["text"]

    bemba = api.get(f"/v1/articles/{article_of['bemba.txt']}").json()
    assert bemba["language"] == "und-Latn" and bemba["language_confidence"] < 0.9
    # An undetermined language takes no place of its own: it links to any determined one (never
    # to another `und`), and this Bemba version joins its story's group by its links.
    chinese = api.get(f"/v1/articles/{article_of['zh_hant.txt']}").json()
    assert bemba["group_id"] is not None and bemba["group_id"] == chinese["group_id"]

    serbian = {article_of["sr_cyrl.txt"], article_of["sr_latn.txt"]}
    assert serbian <= _ids_for(api, lang="sr")  # the language in any script, as before
    assert serbian & _ids_for(api, lang="sr-Latn") == {article_of["sr_latn.txt"]}
    assert article_of["zh_hant.txt"] in _ids_for(api, lang="zh") & _ids_for(api, lang="zh-hant")
    assert article_of["zh_hant.txt"] not in _ids_for(api, lang="zh-Hans")
    assert article_of["bemba.txt"] in _ids_for(api, lang="und")

    refused = api.get("/v1/articles", params={"lang": "12"})
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")

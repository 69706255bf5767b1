"""Issue 18 through the whole service on real news: one NTREX story in fifteen versions, among
them a second and third Chinese (zh-Hant, Cantonese) and a Brazilian Portuguese beside the
Portuguese, ends in one translation group: the variants as versions of their language (or as
duplicates of their canonical), and the German version, posted first when nothing could link it,
brought in later by reconciliation. Every group change is on the change feed."""

import time

from tests.integration.helpers import upload, wait_for_job
from tests.seeds import ntrex_text

STORY = "nytimes.184830"  # no other test posts it: the session database is shared
FIRST = "deu"
REST = ["eng", "fra", "spa", "rus", "vie", "ben", "hin", "arb", "jpn", "zho-CN",
        "variants/zho-TW", "variants/yue", "por", "variants/por-BR"]


def _canonical(api, job_file: dict) -> int:
    return job_file["article_id"] if job_file["status"] == "created" else job_file["duplicate_of"]


def test_one_ntrex_story_in_fifteen_versions_ends_in_one_group(ingest, api):
    cursor = api.get("/v1/changes", params={"limit": 1}).json()["next"]
    while (page := api.get("/v1/changes", params={"after": cursor, "limit": 1000}).json())["items"]:
        cursor = page["next"]
    first = wait_for_job(api, upload(ingest, [(f"{FIRST}.txt", ntrex_text(FIRST, STORY).encode())])["job_id"])
    (german,) = [_canonical(api, f) for f in first["files"]]
    assert api.get(f"/v1/articles/{german}").json()["group_id"] is None  # nothing to link yet

    files = [(f"{folder.replace('/', '_')}.txt", ntrex_text(folder, STORY).encode()) for folder in REST]
    job = wait_for_job(api, upload(ingest, files)["job_id"], timeout=120)
    assert {f["status"] for f in job["files"]} <= {"created", "duplicate"}, job["files"]
    canonical = {f["name"]: _canonical(api, f) for f in job["files"]}

    deadline = time.monotonic() + 90
    while True:
        groups = {name: api.get(f"/v1/articles/{a}").json()["group_id"] for name, a in canonical.items()}
        groups["deu.txt"] = api.get(f"/v1/articles/{german}").json()["group_id"]
        if len(set(groups.values())) == 1 and None not in groups.values() or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert len(set(groups.values())) == 1 and None not in groups.values(), groups
    group = api.get(f"/v1/groups/{groups['deu.txt']}").json()
    languages = sorted(m["language"] for m in group["articles"])
    # zh-Hans beside zh-Hant (and the Cantonese version, which CLD2 reads as zh-Hant): versions.
    assert languages.count("zh-Hans") == 1 and languages.count("zh-Hant") + languages.count("yue") == 2, languages
    assert {link["article_id"] for link in group["links"]} | {link["partner_id"] for link in group["links"]} >= {
        m["id"] for m in group["articles"]}  # every member came in by links, with evidence

    changes = []
    while (page := api.get("/v1/changes", params={"after": cursor, "limit": 1000}).json())["items"]:
        changes += page["items"]
        cursor = page["next"]
    german_joined = [c for c in changes if c["kind"] in ("group.changed", "group.created", "group.merged")
                     and german in (c.get("data") or {}).get("joined", []) + (c.get("data") or {}).get("members", [])
                     + ([c["article_id"]] if c.get("article_id") else [])]
    assert german_joined, "the German version's way into the group is not on the change feed"

"""The review page in a real browser (issue 9): the read API runs as its own uvicorn process with
keys required, Debian's Chromium signs in through the page's form, and the test reads what the
pages show: the jobs with their progress, a translation group's three language versions with
each link's evidence, an article with its exact and near copies, escaping, and the HTML error
pages. The group page's screenshot is the README's (docs/review-group.png).

The story is made here, new every run (the seeds belong to the end-to-end test)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from psycopg.rows import dict_row

from babelwire.jobs import IncomingFile, create_job
from tests.integration.helpers import (
    API_KEYS,
    REPO,
    bearer,
    free_port,
    stop_process,
    upload,
    wait_for_http,
    wait_for_job,
)
from tests.integration.test_translation_links import Story

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SCREENSHOT = REPO / "docs" / "review-group.png"
TIMEOUT_MS = 20_000


@dataclass(frozen=True)
class Made:
    """What the uploads made: the first job's id, the three versions, the canonical English
    article and its two copies."""

    pair_job: str
    en_id: int
    vi_id: int
    ru_id: int
    group_id: int
    near_id: int
    near_title: str


@pytest.fixture(scope="module")
def read_api(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real read API in a process of its own, as deployed: no anonymous access."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("review-api") / "api.log"
    env = {**os.environ, "BABELWIRE_ALLOW_ANONYMOUS": "false", "BABELWIRE_LOG_FORMAT": "plain"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "services.api.app:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install -y chromium`) to run the review page's browser tests"
        if os.environ.get("CI"):
            pytest.fail(message)  # .ci/run installs it: in CI a missing browser must not pass unseen
        pytest.skip(message)
    with sync_playwright() as playwright:
        # Debian's build, never a downloaded one (`playwright install` is not used).
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def made(ingest, api) -> Made:
    story = Story.new()
    en = b"Support plan for families and schools\n\n" + story.file("en")
    vi = "Kế hoạch hỗ trợ các gia đình và trường học\n\n".encode() + story.file("vi")
    ru = "Власти объявили новый план поддержки семей\n\n".encode() + story.file("ru")
    pair = wait_for_job(api, upload(ingest, [("en.txt", en), ("vi.txt", vi)])["job_id"], timeout=120)
    assert pair["counts"]["created"] == 2, pair
    en_id, vi_id = (f["article_id"] for f in pair["files"])
    third = wait_for_job(api, upload(ingest, [("ru.txt", ru)])["job_id"], timeout=120)
    (ru_id,) = (f["article_id"] for f in third["files"])
    group_id = api.get(f"/v1/articles/{en_id}").json()["group_id"]
    assert group_id is not None
    assert sorted(a["id"] for a in api.get(f"/v1/groups/{group_id}").json()["articles"]) == sorted([en_id, vi_id, ru_id])

    # An exact copy, and an edited one whose title carries markup that must show as text.
    near_title = "Support plan <em>for</em> families & schools"
    paragraphs = en.decode().rstrip("\n").split("\n\n")
    paragraphs[0] = near_title
    paragraphs[-1] = "The council will meet again next week to review the first results of the plan."
    near = ("\n\n".join(paragraphs) + "\n").encode()
    copies = wait_for_job(api, upload(ingest, [("en-again.txt", en), ("en-edited.txt", near)])["job_id"], timeout=120)
    exact, edited = copies["files"]
    assert (exact["status"], exact["duplicate_of"]) == ("duplicate", en_id), copies
    assert (edited["status"], edited["duplicate_of"]) == ("duplicate", en_id), copies
    return Made(pair["job_id"], en_id, vi_id, ru_id, group_id, edited["article_id"], near_title)


@pytest.fixture
def page(browser: Browser, read_api: str) -> Iterator[Page]:
    """A fresh browser profile (no cookie) whose console errors fail the test: a page blocked by
    its own Content-Security-Policy, or missing its stylesheet, says so there."""
    context: BrowserContext = browser.new_context(base_url=read_api, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        yield opened
    finally:
        context.close()
    # Expected failures (a 401 or 404 page) log their status; anything else is a fault.
    unexpected = [e for e in errors if "401" not in e and "404" not in e]
    assert unexpected == []


def _sign_in(page: Page, key: str) -> None:
    response = page.goto("/review")
    assert response is not None and response.status == 401
    expect(page.locator("h1")).to_have_text("401 Unauthorized")
    page.fill("#key", key)
    page.click("form.sign-in button[type=submit]")
    page.wait_for_url("**/review")


def test_the_review_pages_show_jobs_groups_with_evidence_and_duplicates(page: Page, made: Made, read_api: str) -> None:
    _sign_in(page, API_KEYS["read"])

    # The cookie that carries the key: script cannot read it, other sites' requests don't carry it,
    # and only the review pages receive it.
    (cookie,) = page.context.cookies()
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Strict", "/review")
    assert httpx.get(f"{read_api}/v1/groups/{made.group_id}", cookies={cookie["name"]: cookie["value"]}).status_code == 401

    # Recent jobs, with each job's progress.
    row = page.locator(f"tr.job[data-job-id='{made.pair_job}']")
    expect(row.locator(".status")).to_have_text("succeeded")
    expect(row.locator(".files-done")).to_have_text("2 / 2 files")
    expect(row.locator("progress")).to_have_attribute("value", "2")
    expect(row.locator("progress")).to_have_attribute("max", "2")
    assert page.locator("body[data-refresh-seconds]").count() == 0  # nothing running: no reloads

    # The job's own page lists its files with their articles.
    row.locator("a").first.click()
    page.wait_for_url(f"**/review/jobs/{made.pair_job}")
    files = page.locator("tr.file")
    expect(files).to_have_count(2)
    expect(files.nth(0)).to_contain_text("en.txt")
    expect(files.nth(0).locator(f"a[href='/review/articles/{made.en_id}']")).to_have_count(1)
    expect(files.nth(1).locator(f"a[href='/review/articles/{made.vi_id}']")).to_have_count(1)

    # The group: three versions side by side, with the titles the API has, and each link's evidence.
    with httpx.Client(base_url=read_api, headers=bearer("read")) as client:
        group = client.get(f"/v1/groups/{made.group_id}").json()
        articles = {a: client.get(f"/v1/articles/{a}").json() for a in (made.en_id, made.vi_id, made.ru_id)}
        canonical = client.get(f"/v1/articles/{made.en_id}").json()
    page.goto(f"/review/groups/{made.group_id}")
    expect(page.locator("h1")).to_have_text(f"Translation group {made.group_id}")
    versions = page.locator("article.version")
    expect(versions).to_have_count(3)
    for article_id, article in articles.items():
        version = page.locator(f"article.version[data-article-id='{article_id}']")
        expect(version.locator(".title")).to_have_text(article["title"])
        expect(version.locator(".language")).to_have_text(article["language"])
        expect(version.locator(".script")).to_have_text(article["script"])
        assert article["title"]  # a real title on each side, not the placeholder
    assert {articles[a]["language"] for a in articles} == {"en", "vi", "ru"}
    # Side by side: the three cards share one row.
    tops = {round(box["y"]) for box in (versions.nth(i).bounding_box() for i in range(3)) if box}
    assert len(tops) == 1
    links = page.locator("section.links .link")
    expect(links).to_have_count(len(group["links"]))
    for index, link in enumerate(group["links"]):
        shown = links.nth(index)
        expect(shown.locator(".score-value")).to_have_text(f"{link['score']:.3f}")
        if "numbers" in link["evidence"]:
            for figure in link["evidence"]["numbers"]["shared"]:
                expect(shown.locator(".signal-numbers")).to_contain_text(str(figure))
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # The canonical article and its two copies.
    page.goto(f"/review/articles/{made.en_id}")
    expect(page.locator("h1.title")).to_have_text(canonical["title"])
    expect(page.locator("a.group-link")).to_have_text(str(made.group_id))
    copies = page.locator("section.duplicates tr.duplicate")
    expect(copies).to_have_count(2)
    sightings = {d["kind"]: d for d in canonical["duplicates"]}
    assert set(sightings) == {"exact", "near"}
    exact, near = page.locator("tr.duplicate-exact"), page.locator("tr.duplicate-near")
    expect(exact.locator(".similarity")).to_have_text("1.000")
    expect(exact).to_contain_text("en-again.txt")
    expect(near.locator(".similarity")).to_have_text(f"{sightings['near']['similarity']:.3f}")
    expect(near.locator(f"a[href='/review/articles/{made.near_id}']")).to_have_count(1)

    # Markup in stored text is shown as text, never rendered.
    page.goto(f"/review/articles/{made.near_id}")
    expect(page.locator("h1.title")).to_have_text(made.near_title)
    expect(page.locator("h1.title em")).to_have_count(0)
    expect(page.locator("li.duplicate-of a")).to_have_attribute("href", f"/review/articles/{made.en_id}")


def test_the_jobs_page_follows_a_job_until_it_finishes(page: Page, made: Made, database: str, worker) -> None:
    """A job stored but not yet handed to the broker stays queued until the periodic re-enqueue
    sends it (conftest: after 3 s); the page, loaded once, must show it finishing by itself."""
    content = Story.new().file("es")
    with psycopg.connect(database, row_factory=dict_row) as conn:
        job_id, _ = create_job(conn, [IncomingFile("es.txt", content, len(content))])
    _sign_in(page, API_KEYS["read"])
    row = page.locator(f"tr.job[data-job-id='{job_id}']")
    assert row.get_attribute("data-status", timeout=1_000) in ("queued", "running")
    assert page.locator("body").get_attribute("data-refresh-seconds") == "3"
    expect(page.locator("#refresh-note")).to_be_visible()
    # No navigation from here on: only the page's own script can bring the new state.
    expect(row.locator(".status")).to_have_text("succeeded", timeout=60_000)
    expect(row.locator(".files-done")).to_have_text("1 / 1 files")


def test_errors_are_readable_pages_and_a_wrong_key_is_refused(page: Page, made: Made, read_api: str) -> None:
    response = page.goto(f"/review/groups/{made.group_id}")
    assert response is not None and response.status == 401
    assert response.headers["content-type"].startswith("text/html")
    page.fill("#key", API_KEYS["ingest"])  # a live key without the read scope
    page.click("form.sign-in button[type=submit]")
    expect(page.locator(".problem")).to_have_text("this key lacks the 'read' scope")
    assert page.context.cookies() == []

    page.fill("#key", API_KEYS["read"])
    page.click("form.sign-in button[type=submit]")
    page.wait_for_url(f"**/review/groups/{made.group_id}")  # back where the reviewer was going
    expect(page.locator("article.version")).to_have_count(3)

    for missing in ("/review/groups/999999999999", "/review/articles/abc", "/review/no-such-page"):
        response = page.goto(missing)
        assert response is not None and response.status == 404, missing
        expect(page.locator("h1")).to_have_text("404 Not Found")

    # Another site cannot sign a browser in with a key of its choosing.
    forged = httpx.post(
        f"{read_api}/review/login", data={"key": API_KEYS["read"], "next": "/review"},
        headers={"Origin": "https://elsewhere.example"},
    )
    assert forged.status_code == 403 and "set-cookie" not in forged.headers

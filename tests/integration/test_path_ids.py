"""Path ids are strict (issue 16): only ASCII digits name a record. A space, a sign, a decimal
point, an underscore or another script's digits is a 422 problem on every id route of both APIs
(the review pages answer their HTML 404), and nothing is read, revoked or disabled."""

from urllib.parse import quote

import pytest

from services.api.app import app as api_app
from services.ingest.app import app as ingest_app
from tests.integration.helpers import bearer

PROBLEM_JSON = "application/problem+json"
LAX_FORMS_OF_ONE = [" 1", "1 ", "+1", "-1", "1.0", "1_0", "0x1", "１", "١", "१", "𝟏"]
"""All of them read as 1 (or 10) by a lax int parser; pydantic's took the first ones."""
REVIEW_ID_PAGES = ["/review/articles/{}", "/review/groups/{}"]


def _id_routes() -> list[tuple[str, str, str]]:
    """(method, path template, id parameter) for every integer path parameter of both documents."""
    routes = []
    for app in (api_app, ingest_app):
        for path, operations in app.openapi()["paths"].items():
            for method, operation in operations.items():
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                        routes.append((method.upper(), path, parameter["name"]))
    return routes


def test_every_id_route_is_found() -> None:
    names = {(method, path) for method, path, _ in _id_routes()}
    assert {
        ("GET", "/v1/articles/{article_id}"), ("GET", "/v1/groups/{group_id}"), ("DELETE", "/v1/keys/{key_id}"),
        ("DELETE", "/v1/webhooks/{webhook_id}"), ("GET", "/v1/webhooks/{webhook_id}/deliveries"),
    } <= names, names


@pytest.mark.parametrize("lax", LAX_FORMS_OF_ONE)
def test_a_lax_id_is_a_422_problem_on_every_id_route(api, db, lax: str) -> None:
    keys_before = db.execute("SELECT id, revoked_at FROM api_keys ORDER BY id").fetchall()
    hooks_before = db.execute("SELECT id, disabled_at FROM webhooks ORDER BY id").fetchall()
    for method, template, name in _id_routes():
        url = template.replace("{" + name + "}", quote(lax, safe=""))
        response = api.request(method, url, headers=bearer("admin"))
        assert response.status_code == 422, (method, url, response.status_code, response.text)
        assert response.headers["content-type"] == PROBLEM_JSON
        problem = response.json()
        assert problem["errors"][0]["loc"] == ["path", name], problem
    assert db.execute("SELECT id, revoked_at FROM api_keys ORDER BY id").fetchall() == keys_before
    assert db.execute("SELECT id, disabled_at FROM webhooks ORDER BY id").fetchall() == hooks_before


def test_a_plain_id_still_names_its_record(api) -> None:
    """The same routes with ASCII digits reach the route: a 404 for an id that does not exist."""
    for method, template, name in _id_routes():
        if method != "GET":
            continue
        response = api.request(method, template.replace("{" + name + "}", str(2**62)), headers=bearer("admin"))
        assert response.status_code == 404, (template, response.text)


@pytest.mark.parametrize("lax", LAX_FORMS_OF_ONE[:4])
def test_review_pages_answer_a_lax_id_with_their_404_page(api, lax: str) -> None:
    for template in REVIEW_ID_PAGES:
        response = api.get(template.format(quote(lax, safe="")), headers=bearer("read"))
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("text/html")


def test_a_lax_group_filter_is_refused_too(api) -> None:
    response = api.get("/v1/articles", params={"group_id": " 1"})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["query", "group_id"]

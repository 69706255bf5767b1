"""babelwire/parameters.py on a bare FastAPI app: strict ids, text filters without control characters."""

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from babelwire.parameters import id_path, id_query, refuse_control_characters, text_query

app = FastAPI(dependencies=[Depends(refuse_control_characters)])


@app.get("/things/{thing_id}")
def thing(
    thing_id: id_path("A thing."),
    lang: text_query("A language.", "bn", min_length=2, max_length=8) = None,
    group_id: id_query("A group.") = None,
    limit: int = 10,
) -> dict:
    return {"id": thing_id, "lang": lang, "group_id": group_id, "limit": limit}


client = TestClient(app)


@pytest.mark.parametrize("lax", ["%201", "1%20", "+1", "-1", "1.0", "1_0", "%EF%BC%91", "%D9%A1", "0", str(2**63)])
def test_a_lax_or_out_of_range_id_is_422(lax):
    assert client.get(f"/things/{lax}").status_code == 422


def test_plain_digits_name_the_record():
    assert client.get("/things/0042?group_id=7").json() == {"id": 42, "lang": None, "group_id": 7, "limit": 10}
    assert client.get("/things/1", params={"group_id": " 7"}).status_code == 422


@pytest.mark.parametrize("value", ["e\x00", "\x01bn", "bn\t", "b\x7fn", "bn\x85", "bn\x9f"])
def test_control_characters_in_a_text_filter_are_422_with_the_reason(value):
    response = client.get("/things/1", params={"lang": value})
    assert response.status_code == 422
    assert "must not contain control characters" in response.text


def test_control_characters_are_refused_in_any_parameter_even_a_number():
    assert client.get("/things/1", params={"limit": "10\t"}).status_code == 422
    assert client.get("/things/1", params={"limit": "10"}).status_code == 200


def test_the_document_states_the_rules():
    parameters = {p["name"]: p["schema"] for p in app.openapi()["paths"]["/things/{thing_id}"]["get"]["parameters"]}
    assert parameters["thing_id"]["minimum"] == 1 and parameters["thing_id"]["maximum"] == 2**63 - 1
    assert parameters["lang"]["pattern"] == "^[^\\x00-\\x1f\\x7f-\\x9f]*$"

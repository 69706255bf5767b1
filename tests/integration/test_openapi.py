"""Both OpenAPI documents describe every endpoint: a summary, every parameter with a description
and an example, the key and validation errors, and every error as a problem+json body."""

import pytest

ERRORS_EVERY_ROUTE_CAN_GIVE = {"401", "403", "422", "500", "503"}
OPEN_ROUTES = {"/healthz"}


def operations(doc: dict):
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", path, operation


@pytest.mark.parametrize("client_name", ["ingest", "api"])
def test_every_operation_is_described_with_examples(client_name, request):
    doc = request.getfixturevalue(client_name).get("/openapi.json").json()
    gaps = []
    for name, path, operation in operations(doc):
        if not operation.get("summary"):
            gaps.append(f"{name}: no summary")
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            if not parameter.get("description"):
                gaps.append(f"{name}: parameter {parameter['name']} has no description")
            if not ({"example", "examples"} & (parameter.keys() | schema.keys())):
                gaps.append(f"{name}: parameter {parameter['name']} has no example")
        responses = operation.get("responses", {})
        if path not in OPEN_ROUTES:
            missing = ERRORS_EVERY_ROUTE_CAN_GIVE - responses.keys()
            if missing:
                gaps.append(f"{name}: errors {sorted(missing)} not documented")
        for status, response in responses.items():
            if status[0] in "45" and "application/problem+json" not in response.get("content", {}):
                gaps.append(f"{name}: {status} is not documented as problem+json")
    assert gaps == []
    assert "bearer" in str(doc["components"]["securitySchemes"]).lower()

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


def _resolve(schema: dict, schemas: dict) -> dict:
    if "$ref" in schema:
        return schemas[schema["$ref"].rsplit("/", 1)[-1]]
    if schema.get("type") == "array":
        return _resolve(schema.get("items", {}), schemas)
    return schema


def _has_examples(schema: dict) -> bool:
    properties = schema.get("properties", {}).values()
    return "examples" in schema or "example" in schema or any("examples" in p or "example" in p for p in properties)


@pytest.mark.parametrize("client_name", ["ingest", "api"])
def test_every_success_response_has_examples_that_are_valid(client_name, request):
    from babelwire import schemas as records

    doc = request.getfixturevalue(client_name).get("/openapi.json").json()
    components = doc["components"]["schemas"]
    gaps = []
    for name, path, operation in operations(doc):
        for status, response in operation.get("responses", {}).items():
            media = response.get("content", {}).get("application/json")
            if status.startswith("2") and path not in OPEN_ROUTES and media is not None:
                if not ("example" in media or _has_examples(_resolve(media.get("schema", {}), components))):
                    gaps.append(f"{name}: {status} has no example")
    assert gaps == []
    for model in vars(records).values():
        if isinstance(model, type) and issubclass(model, records.BaseModel):
            for example in (model.model_config.get("json_schema_extra") or {}).get("examples", []):
                model.model_validate(example)  # an example that is not a valid record fails here

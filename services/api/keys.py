"""Admin endpoints of the read API: make, list and revoke API keys (scope `admin`)."""

from fastapi import APIRouter, HTTPException, status

from babelwire import api_keys
from babelwire.auth import require
from babelwire.parameters import id_path
from babelwire.problems import problem_responses
from babelwire.schemas import ApiKeyCreated, ApiKeyInfo, ApiKeyRequest
from babelwire.web import Connection

router = APIRouter(prefix="/v1/keys", tags=["admin"], dependencies=[require("admin")], responses=problem_responses(401, 403))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated,
             summary="Make an API key; its secret is in this response only",
             responses=problem_responses(400))  # a body that cannot be parsed (not UTF-8, say)
def create_key(request: ApiKeyRequest, conn: Connection) -> ApiKeyCreated:
    made = api_keys.create_key(conn, request.name, list(request.scopes))
    return ApiKeyCreated(**vars(made.key), key=made.secret)


@router.get("", response_model=list[ApiKeyInfo], summary="Every API key, revoked ones included (no secrets)")
def list_keys(conn: Connection) -> list[ApiKeyInfo]:
    return [ApiKeyInfo(**vars(key)) for key in api_keys.list_keys(conn)]


@router.delete("/{key_id}", response_model=ApiKeyInfo, summary="Revoke an API key at once",
               responses=problem_responses(404))
def revoke_key(
    key_id: id_path("The key's id, as `GET /v1/keys` lists it.", example=3),
    conn: Connection,
) -> ApiKeyInfo:
    key = api_keys.revoke_key(conn, key_id)
    if key is None:
        raise HTTPException(404, f"no API key {key_id}")
    return ApiKeyInfo(**vars(key))

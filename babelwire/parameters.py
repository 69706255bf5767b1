"""The query and path parameter types both APIs share, so that every route reads its ids and text
filters the same strict way (and the OpenAPI documents say so).

Ids: ASCII digits only. pydantic's lax int parsing also takes " 1", "+1", "1.0", "1_0" and other
scripts' digits ("١", "１"), so `/v1/articles/%201` used to answer article 1 and `DELETE
/v1/keys/%201` revoked key 1: an address that is not exactly the record's number names no record.

Text filters: no control characters (text_query declares it in the document; and
refuse_control_characters, a dependency of every route of both apps, applies it to every query and
path value, numbers and ids included, so no route can forget it). PostgreSQL text cannot hold a NUL (psycopg raises DataError,
which was a 500), and no language code, host name or name filter has any other C0/C1 control in it."""

import re
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator

MAX_ID = 2**63 - 1
"""PostgreSQL bigint."""
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f-\x9f]*$"
"""The same rule for the OpenAPI document (JSON Schema `pattern`), so clients and the fuzz test know it."""


def _ascii_digits(value: object) -> object:
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("must be a whole number written in the ASCII digits 0-9 only (no spaces, signs or other digits)")
    return value


StrictDigits = BeforeValidator(_ascii_digits)


def id_path(description: str, example: int = 42) -> Any:
    """A path id: 1 to 2^63-1 in ASCII digits. Used as `key_id: id_path("The key's id.")`."""
    return Annotated[int, Path(ge=1, le=MAX_ID, description=description, examples=[example]), StrictDigits]


def id_query(description: str, example: int = 42) -> Any:
    """An optional id filter in the query string, read as strictly as a path id."""
    return Annotated[int | None, Query(ge=1, le=MAX_ID, description=description, examples=[example]), StrictDigits]


def text_query(description: str, example: str, **constraints: Any) -> Any:
    """An optional text filter in the query string, declared free of control characters in the document
    (refuse_control_characters, on every route of both apps, answers them with 422)."""
    return Annotated[
        str | None,
        Query(description=description, examples=[example], json_schema_extra={"pattern": NO_CONTROL_CHARACTERS}, **constraints),
    ]


def _control_character_message(value: str) -> str | None:
    found = CONTROL_CHARACTERS.search(value)
    return f"must not contain control characters (found U+{ord(found.group()):04X})" if found else None


def refuse_control_characters(request: Request) -> None:
    """Every query and path value with a control character is a 422 problem, whatever the route
    and the parameter's type (pydantic would strip a tab off "100\t"; a NUL would reach PostgreSQL)."""
    errors = [
        {"type": "value_error", "loc": (where, name), "msg": f"Value error, {message}", "input": value}
        for where, items in (("path", request.path_params.items()), ("query", request.query_params.multi_items()))
        for name, value in items
        if isinstance(value, str) and (message := _control_character_message(value))
    ]
    if errors:
        raise RequestValidationError(errors)

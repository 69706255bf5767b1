"""What the commands that talk to a running API share: where it is, the key, and errors said
plainly (exit status 2) instead of a traceback."""

import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click
import httpx

from babelwire.settings import get_settings

USAGE_OR_CONNECTION_ERROR = 2


def fail(message: str) -> NoReturn:
    click.echo(f"babelwire: {message}", err=True)
    sys.exit(USAGE_OR_CONNECTION_ERROR)


def default_ingest_url() -> str:
    settings = get_settings()
    return f"http://{settings.host}:{settings.ingest_port}"


def default_read_url() -> str:
    settings = get_settings()
    return f"http://{settings.host}:{settings.api_port}"


def url_option(envvar: str, default: Callable[[], str], what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--url", envvar=envvar, show_envvar=True, default=default, show_default="from BABELWIRE_HOST and the port setting",
        help=f"Base URL of the {what}.",
    )


key_option = click.option(
    "--key", envvar="BABELWIRE_API_KEY", show_envvar=True,
    help="API key (`babelwire keys create`); none is sent when unset, which only an anonymous trial accepts.",
)


def connect(url: str, key: str | None, timeout: float = 60.0) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout)


def check(response: httpx.Response, doing: str) -> None:
    """Exits with a clear message when the API said no: the problem's detail, and a hint for keys."""
    if response.is_success:
        return
    try:
        detail = response.json().get("detail") or response.reason_phrase
    except ValueError:
        detail = response.text[:200] or response.reason_phrase
    hint = ""
    if response.status_code in (401, 403):
        hint = " (pass a key with the right scope: --key or BABELWIRE_API_KEY)"
    fail(f"{doing}: {response.status_code} {detail}{hint}")


def unreachable(url: str, error: httpx.TransportError) -> NoReturn:
    fail(f"cannot reach {url}: {error or type(error).__name__}")

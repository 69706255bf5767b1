"""`babelwire export --output FILE`: the read API's NDJSON export of every canonical article,
streamed to a file (written beside it first, so a broken download never leaves half a file)."""

import os
import sys
from pathlib import Path

import click
import httpx

from babelwire.cli.client import (
    check,
    connect,
    default_read_url,
    key_option,
    unreachable,
    url_option,
)

EXPORT_PATH = "/v1/export/articles.ndjson"


@click.command()
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), help="File to write; - for stdout.")
@url_option("BABELWIRE_API_URL", default_read_url, "read API")
@key_option
@click.option("--lang", help="Only articles in this language: a BCP 47 tag (`zh` any script, `zh-Hant` that script).")
@click.option("--min-languages", type=click.IntRange(min=1), help="Only articles whose translation group has this many languages.")
def export(output: Path, url: str, key: str | None, lang: str | None, min_languages: int | None) -> None:
    """Write every canonical article as NDJSON, one JSON object per line, streamed in constant memory."""
    params = {name: value for name, value in (("lang", lang), ("min_languages", min_languages)) if value is not None}
    to_stdout = str(output) == "-"
    partial = output.with_name(output.name + ".part")
    lines = 0
    try:
        with connect(url, key, timeout=300) as client, client.stream("GET", EXPORT_PATH, params=params) as response:
            if not response.is_success:
                response.read()
                check(response, "export refused")
            with (os.fdopen(os.dup(sys.stdout.fileno()), "wb") if to_stdout else partial.open("wb")) as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
                    lines += chunk.count(b"\n")
    except httpx.TransportError as error:
        partial.unlink(missing_ok=True)
        unreachable(url, error)
    if not to_stdout:
        partial.replace(output)
    click.echo(f"exported {lines} article(s) to {output}", err=True)

"""`babelwire`: run the stack, load files into it and get records out.

\b
Run (on DATABASE_URL / REDIS_URL; embedded servers under --data-dir when they are unset):
  babelwire up                      ingest API, read API and a worker with beat until Ctrl-C (`make run`)
  babelwire worker [--beat]         a Celery worker on the broker
  babelwire flower [--port 5555]    Celery's monitor (Flower) on the broker
  babelwire migrate                 apply pending migrations to DATABASE_URL
  babelwire with-services -- CMD    run CMD with DATABASE_URL / REDIS_URL set (`make test`)
  babelwire keys create --name N --scope read [--scope ingest ...] | keys list | keys revoke ID
  babelwire reindex-near-duplicates rebuild the near-duplicate index after its key scheme changed
\b
Talk to running APIs over HTTP (key from --key or BABELWIRE_API_KEY):
  babelwire ingest PATH...          upload files, folders and archives in batches, wait, summarise
  babelwire export --output FILE    the NDJSON export of every canonical article
"""

from pathlib import Path

import click

from babelwire.cli import exporting, ingesting, keys, services
from babelwire.settings import get_settings


@click.group(help=__doc__, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option(
    "--data-dir", type=click.Path(path_type=Path, file_okay=False),
    help="Where embedded servers keep their data (default: BABELWIRE_DATA_DIR or .data).",
)
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    ctx.obj = data_dir or get_settings().data_dir


for command in (*services.COMMANDS, keys.keys, ingesting.ingest, exporting.export):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> int:
    """The console script. Exit status: 0 done, 1 some files failed (ingest) or a command failed,
    2 a usage or connection error."""
    try:
        cli.main(args=argv, prog_name="babelwire")
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    return 0

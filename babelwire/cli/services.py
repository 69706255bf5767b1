"""Commands that run Babelwire's processes: up, worker, flower, migrate, with-services and the
near-duplicate re-index."""

import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import click

from babelwire.embedded import local_services
from babelwire.logs import setup_logging
from babelwire.migrate import apply_migrations
from babelwire.settings import get_settings

log = logging.getLogger("babelwire")

STOP_GRACE_SECONDS = 30.0
CELERY = [sys.executable, "-m", "celery", "-A", "workers.app"]


def migrate_to(database_url: str) -> None:
    applied = apply_migrations(database_url)
    log.info("migrations applied: %s", ", ".join(applied) if applied else "none pending")


@click.command()
def migrate() -> None:
    """Apply pending migrations to DATABASE_URL."""
    setup_logging()
    migrate_to(get_settings().database_url)


@click.command("reindex-near-duplicates")
def reindex_near_duplicates() -> None:
    """Rebuild the near-duplicate index of DATABASE_URL (after its key scheme changed)."""
    setup_logging()
    from babelwire.db import transaction
    from workers.neardup_index import config, rebuild

    with transaction() as conn:
        indexed = rebuild(conn)
    log.info("near-duplicate index rebuilt: %d canonical articles under %s", indexed, config().key_scheme)


@click.command("with-services", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("cmd", nargs=-1, required=True, type=click.UNPROCESSED)
@click.pass_obj
def with_services(data_dir: Path, cmd: tuple[str, ...]) -> None:
    """Run CMD with DATABASE_URL / REDIS_URL in its environment (embedded servers when unset)."""
    setup_logging()
    with local_services(data_dir) as urls:
        os.environ.update(urls)
        get_settings.cache_clear()
        migrate_to(urls["DATABASE_URL"])
        status = subprocess.call(list(cmd))
    sys.exit(status)



@click.command()
@click.pass_obj
def up(data_dir: Path) -> None:
    """Run the ingest API, the read API and a worker with beat until Ctrl-C (`make run`)."""
    setup_logging()
    embedded = "DATABASE_URL" not in os.environ
    with local_services(data_dir) as urls:
        os.environ.update(urls)
        get_settings.cache_clear()
        migrate_to(urls["DATABASE_URL"])
        if embedded:
            # A local trial on embedded servers needs no key unless the caller says otherwise.
            os.environ.setdefault("BABELWIRE_ALLOW_ANONYMOUS", "true")
            get_settings.cache_clear()
        if get_settings().allow_anonymous:
            log.warning("!" * 78)
            log.warning("ANONYMOUS ACCESS IS ON: every request is allowed without an API key.")
            log.warning("For a local trial only; set BABELWIRE_ALLOW_ANONYMOUS=false and make keys")
            log.warning("with `babelwire keys create` for anything else.")
            log.warning("!" * 78)
        status = _run_stack()
    sys.exit(status)


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--beat/--no-beat", default=False, help="Also run beat: the periodic re-enqueue and webhook dispatch.")
@click.option("--concurrency", type=click.IntRange(min=1), help="Child processes (default: BABELWIRE_WORKER_CONCURRENCY).")
@click.option("--hostname", help="The worker's node name (Celery's default: celery@HOST).")
@click.option("--loglevel", help="Log level (default: BABELWIRE_LOG_LEVEL).")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(
    beat: bool, concurrency: int | None, hostname: str | None, loglevel: str | None, celery_args: tuple[str, ...],
) -> None:
    """Run a Celery worker on REDIS_URL's queue BABELWIRE_QUEUE. Arguments after the options go to
    `celery worker` as they are."""
    settings = get_settings()
    command = [
        *CELERY, "worker", "--concurrency", str(concurrency or settings.worker_concurrency),
        "--loglevel", loglevel or settings.log_level,
    ]
    if beat:
        command.append("--beat")  # its schedule lives in memory (workers/app.py): no file, no directory
    if hostname:
        command += ["--hostname", hostname]
    # The worker takes this process's place: signals (Ctrl-C, a supervisor's TERM) reach Celery itself.
    os.execv(sys.executable, [*command, *celery_args])


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--port", type=click.IntRange(1, 65535), default=5555, show_default=True)
@click.option("--address", help="Where to listen (default: BABELWIRE_HOST).")
@click.argument("flower_args", nargs=-1, type=click.UNPROCESSED)
def flower(port: int, address: str | None, flower_args: tuple[str, ...]) -> None:
    """Run Flower, Celery's web monitor, on the broker at REDIS_URL. Arguments after the options go
    to `celery flower` as they are (for example --basic-auth=user:password)."""
    command = [*CELERY, "flower", f"--port={port}", f"--address={address or get_settings().host}"]
    os.execv(sys.executable, [*command, *flower_args])


def _run_stack() -> int:
    settings = get_settings()
    python = sys.executable
    commands = {
        "ingest": [python, "-m", "uvicorn", "services.ingest.app:app", "--host", settings.host, "--port", str(settings.ingest_port)],
        "api": [python, "-m", "uvicorn", "services.api.app:app", "--host", settings.host, "--port", str(settings.api_port)],
        "worker": [
            *CELERY, "worker", "--beat", "--concurrency", str(settings.worker_concurrency), "--loglevel", settings.log_level,
        ],
    }
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    # Each child has a session of its own: Ctrl-C reaches only this launcher, which stops the
    # services in order (workers finish their current file) before the embedded servers go.
    children = {name: subprocess.Popen(cmd, start_new_session=True) for name, cmd in commands.items()}
    log.info(
        "ingest API http://%s:%d  read API http://%s:%d  worker x%d  (Ctrl-C stops all)",
        settings.host, settings.ingest_port, settings.host, settings.api_port, settings.worker_concurrency,
    )
    exited = None
    while not stop.wait(0.5):
        exited = next((name for name, child in children.items() if child.poll() is not None), None)
        if exited:
            log.error("%s exited with status %s; stopping the others", exited, children[exited].returncode)
            break
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for name, child in children.items():
        try:
            child.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop in %.0fs; killing it", name, STOP_GRACE_SECONDS)
            child.kill()
            child.wait()
    log.info("stopped")
    return 1 if exited else 0


COMMANDS = (up, worker, flower, migrate, with_services, reindex_near_duplicates)

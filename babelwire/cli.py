"""`babelwire`: run the whole stack, apply migrations, or run a command next to the services.

    babelwire up                    ingest API, read API, worker (+ periodic re-enqueue) in the foreground
    babelwire migrate               apply pending migrations to DATABASE_URL
    babelwire with-services -- CMD  run CMD with DATABASE_URL / REDIS_URL set (embedded if unset)
    babelwire keys create --name N --scope read [--scope ingest ...]
    babelwire keys list | keys revoke ID
                                    API keys (on DATABASE_URL, or the embedded servers' data)
    babelwire reindex-near-duplicates
                                    rebuild the near-duplicate index after its key scheme changed
"""

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from babelwire.api_keys import SCOPES
from babelwire.embedded import local_services
from babelwire.migrate import apply_migrations
from babelwire.settings import get_settings

log = logging.getLogger("babelwire")

STOP_GRACE_SECONDS = 30.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="babelwire", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="where embedded servers keep their data (default: BABELWIRE_DATA_DIR or .data)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="run the ingest API, the read API and a worker until Ctrl-C")
    commands.add_parser("migrate", help="apply pending migrations to DATABASE_URL")
    commands.add_parser("reindex-near-duplicates", help="rebuild the near-duplicate index of DATABASE_URL")
    keys = commands.add_parser("keys", help="make, list or revoke API keys").add_subparsers(dest="keys_command", required=True)
    create = keys.add_parser("create", help="make a key and print it (shown this once)")
    create.add_argument("--name", required=True)
    create.add_argument("--scope", dest="scopes", action="append", required=True, choices=SCOPES)
    keys.add_parser("list", help="list keys (never their secrets)")
    keys.add_parser("revoke", help="revoke a key at once").add_argument("key_id", type=int)
    with_services = commands.add_parser("with-services", help="run a command with the services' URLs in its environment")
    with_services.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for chatty in ("pgserver", "yoyo"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    data_dir = args.data_dir or get_settings().data_dir
    if args.command == "migrate":
        _migrate(get_settings().database_url)
        return 0
    if args.command == "reindex-near-duplicates":
        return _reindex_near_duplicates()
    embedded = "DATABASE_URL" not in os.environ
    with local_services(data_dir) as urls:
        os.environ.update(urls)
        get_settings.cache_clear()
        _migrate(urls["DATABASE_URL"])
        if args.command == "keys":
            return _keys(args)
        if args.command == "up":
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
            return _up(data_dir)
        cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
        if not cmd:
            parser.error("with-services needs a command")
        return subprocess.call(cmd)


def _migrate(database_url: str) -> None:
    applied = apply_migrations(database_url)
    log.info("migrations applied: %s", ", ".join(applied) if applied else "none pending")


def _keys(args: argparse.Namespace) -> int:
    from babelwire import api_keys
    from babelwire.db import transaction

    with transaction() as conn:
        if args.keys_command == "create":
            made = api_keys.create_key(conn, args.name, args.scopes)
            print(f"key {made.key.id} ({', '.join(made.key.scopes)}): {made.secret}")
            print("Keep it now: only its hash is stored.", file=sys.stderr)
        elif args.keys_command == "list":
            for key in api_keys.list_keys(conn):
                state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "live"
                print(f"{key.id}\t{key.name}\t{','.join(key.scopes)}\t{state}")
        elif (key := api_keys.revoke_key(conn, args.key_id)) is None:
            print(f"no API key {args.key_id}", file=sys.stderr)
            return 1
        else:
            print(f"key {key.id} ({key.name}) revoked")
    return 0


def _reindex_near_duplicates() -> int:
    from babelwire.db import transaction
    from workers.neardup_index import config, rebuild

    with transaction() as conn:
        indexed = rebuild(conn)
    log.info("near-duplicate index rebuilt: %d canonical articles under %s", indexed, config().key_scheme)
    return 0


def _up(data_dir: Path) -> int:
    settings = get_settings()
    python = sys.executable
    commands = {
        "ingest": [python, "-m", "uvicorn", "services.ingest.app:app", "--host", settings.host, "--port", str(settings.ingest_port)],
        "api": [python, "-m", "uvicorn", "services.api.app:app", "--host", settings.host, "--port", str(settings.api_port)],
        "worker": [
            python, "-m", "celery", "-A", "workers.app", "worker", "--beat",
            "--schedule", str(data_dir / "celerybeat-schedule"),
            "--concurrency", str(settings.worker_concurrency), "--loglevel", "INFO",
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


if __name__ == "__main__":
    sys.exit(main())

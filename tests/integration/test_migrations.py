"""Migrations: several processes starting at once apply each migration exactly once."""

import os
import subprocess
import sys
import uuid

import psycopg

from babelwire.migrate import migrations_dir
from tests.integration.helpers import REPO, database_url


def test_concurrent_migrate_runs_apply_each_migration_once(server_url):
    name = f"babelwire_migrate_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {**os.environ, "DATABASE_URL": database_url(server_url, name)}
        runs = [
            subprocess.Popen([sys.executable, "-m", "babelwire.cli", "migrate"], cwd=REPO, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(4)
        ]
        outputs = [run.communicate(timeout=120)[0] for run in runs]

        assert [run.returncode for run in runs] == [0, 0, 0, 0], outputs
        every = sorted(path.stem for path in migrations_dir().glob("*.sql") if not path.stem.endswith(".rollback"))
        assert sum(f"migrations applied: {', '.join(every)}" in out for out in outputs) == 1, outputs
        assert sum("migrations applied: none pending" in out for out in outputs) == 3, outputs
        with psycopg.connect(env["DATABASE_URL"]) as conn:
            applied = conn.execute("SELECT migration_id FROM _yoyo_migration").fetchall()
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE tablename IN ('jobs', 'job_files', 'articles', 'translation_groups')").fetchone()
        assert sorted(row[0] for row in applied) == every and tables == (4,)
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

"""The near-duplicate index remembers how its band keys were made: a worker whose code makes them
another way refuses to start, and `babelwire reindex-near-duplicates` rebuilds the index."""

import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from psycopg.rows import dict_row

from babelwire.jobs import IncomingFile, create_job
from tests.integration.helpers import REPO, start_worker, stop_process
from tests.texts import EN_WORDS, VI_WORDS, prose
from workers import neardup_index, store
from workers.pipeline.process import process_file




def store_articles(url: str, texts: list[str]) -> None:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        files = [IncomingFile(f"{i}.txt", text.encode(), len(text.encode())) for i, text in enumerate(texts)]
        _, file_ids = create_job(conn, files)
        for file_id, text in zip(file_ids, texts):
            draft = process_file(text.encode(), "a.txt")
            assert store.record_article(conn, file_id, draft, neardup_index.sketch(draft.text)).status == "created"


def test_a_worker_refuses_a_foreign_index_until_it_is_rebuilt(scratch_database, tmp_path):
    store_articles(scratch_database, [prose(EN_WORDS, 10), prose(VI_WORDS, 10)])
    env = {"DATABASE_URL": scratch_database, "BABELWIRE_QUEUE": f"scheme-{uuid.uuid4().hex}"}
    with psycopg.connect(scratch_database) as conn:
        recorded = conn.execute("SELECT scheme FROM near_duplicate_key_scheme").fetchone()[0]
        assert recorded == neardup_index.config().key_scheme
        # As if the index had been built by a version that cut shingles differently.
        conn.execute("UPDATE near_duplicate_key_scheme SET scheme = 'v0 words 2'")
        conn.execute("UPDATE article_bands SET band_key = band_key + 1")

    with pytest.raises(RuntimeError) as refused:
        start_worker("foreign", concurrency=1, log_path=tmp_path / "foreign.log", extra_env=env)
    assert "babelwire reindex-near-duplicates" in str(refused.value)

    reindex = subprocess.run(
        [sys.executable, "-m", "babelwire.cli", "reindex-near-duplicates"],
        cwd=REPO, env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
    )
    assert reindex.returncode == 0, reindex.stderr
    assert "rebuilt: 2 canonical articles" in reindex.stderr

    with psycopg.connect(scratch_database, row_factory=dict_row) as conn:
        assert conn.execute("SELECT scheme FROM near_duplicate_key_scheme").fetchone()["scheme"] == recorded
        stored = {
            row["article_id"]: set(row["keys"])
            for row in conn.execute("SELECT article_id, array_agg(band_key) AS keys FROM article_bands GROUP BY article_id")
        }
        texts = conn.execute("SELECT id, text FROM articles ORDER BY id").fetchall()
    assert stored == {row["id"]: set(neardup_index.sketch(row["text"]).band_keys) for row in texts}

    worker = start_worker("rebuilt", concurrency=1, log_path=tmp_path / "rebuilt.log", extra_env=env)
    stop_process(worker)

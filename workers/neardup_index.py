"""The near-duplicate index every worker shares: the LSH band keys of each canonical article in
PostgreSQL (table `article_bands`), read and written inside the transaction that stores the
article. The MinHash work is pure and done before the transaction (`sketch`); in the transaction
there are only equality lookups on an indexed bigint, the candidates' texts and a few inserts.

Concurrency: a worker locks its article's band keys (transaction-scoped advisory locks, in
ascending order so that two workers never wait on each other in a cycle) before it looks for
candidates, and holds them until it commits. Two articles that could find each other share at
least one band key, so whichever locks it second waits for the first to commit and then sees its
band rows: of two near duplicates stored at the same moment exactly one becomes the canonical."""

from dataclasses import dataclass
from functools import lru_cache

import psycopg

from babelwire.settings import get_settings
from workers.pipeline import neardup
from workers.pipeline.neardup import Candidate, Decision, NearDupConfig


class KeySchemeMismatch(RuntimeError):
    """The stored band keys were made with another scheme than this code's."""


@dataclass(frozen=True)
class Sketch:
    """What the index needs of one article's text: its band keys, distinct and ascending (the
    order in which they are locked). No keys for a text without shingles."""

    band_keys: tuple[int, ...]


@lru_cache
def config() -> NearDupConfig:
    threshold = get_settings().near_duplicate_threshold
    return NearDupConfig() if threshold is None else NearDupConfig(threshold=threshold)


def sketch(text: str, near_dup_config: NearDupConfig | None = None) -> Sketch:
    """Pure and the costly part (shingling and MinHash): call it before opening the transaction."""
    near_dup_config = near_dup_config or config()
    keys = neardup.band_keys(neardup.signature(text, near_dup_config), near_dup_config)
    return Sketch(tuple(sorted(set(keys))))


def lock_bands(conn: psycopg.Connection, article: Sketch) -> None:
    """Waits until no other transaction holds any of these band keys; released at commit. unnest
    yields the array in order, so the locks are taken in ascending key order."""
    if article.band_keys:
        conn.execute(
            "SELECT count(pg_advisory_xact_lock(key)) FROM unnest(%s::bigint[]) AS key",
            (list(article.band_keys),),
        )


def find_canonical(
    conn: psycopg.Connection,
    text: str,
    article: Sketch,
    near_dup_config: NearDupConfig | None = None,
    max_candidates: int | None = None,
) -> Decision:
    """The canonical article this text nearly duplicates, verified on the candidates' texts. Only
    canonical articles are in the index; the candidates are those sharing the most bands."""
    near_dup_config = near_dup_config or config()
    if not article.band_keys:
        return Decision(duplicate_of=None, similarity=None)
    rows = conn.execute(
        """WITH shared AS (
               SELECT article_id, count(*) AS bands FROM article_bands
               WHERE band_key = ANY(%s::bigint[])
               GROUP BY article_id
               ORDER BY bands DESC, article_id
               LIMIT %s)
           SELECT a.id, a.text FROM shared JOIN articles a ON a.id = shared.article_id
           ORDER BY shared.bands DESC, a.id""",
        (list(article.band_keys), max_candidates or get_settings().near_duplicate_max_candidates),
    ).fetchall()
    candidates = [Candidate(row["id"], row["text"]) for row in rows]
    return neardup.decide(text, candidates, near_dup_config)


def index_article(
    conn: psycopg.Connection, article_id: int, article: Sketch, near_dup_config: NearDupConfig | None = None
) -> None:
    """Makes a canonical article findable by later ones (visible to them once committed), and
    makes sure the index says which key scheme its keys follow (a no-op once it does)."""
    if article.band_keys:
        conn.execute(
            "INSERT INTO near_duplicate_key_scheme (scheme) VALUES (%s) ON CONFLICT DO NOTHING",
            ((near_dup_config or config()).key_scheme,),
        )
        conn.execute(
            "INSERT INTO article_bands (band_key, article_id) SELECT key, %s FROM unnest(%s::bigint[]) AS key",
            (article_id, list(article.band_keys)),
        )


def check_key_scheme(conn: psycopg.Connection, near_dup_config: NearDupConfig | None = None) -> str:
    """Records this code's key scheme on first use; raises KeySchemeMismatch when the index was
    built with another, since every lookup would then silently miss the stored articles."""
    scheme = (near_dup_config or config()).key_scheme
    conn.execute("INSERT INTO near_duplicate_key_scheme (scheme) VALUES (%s) ON CONFLICT DO NOTHING", (scheme,))
    stored = conn.execute("SELECT scheme FROM near_duplicate_key_scheme").fetchone()["scheme"]
    if stored != scheme:
        raise KeySchemeMismatch(
            f"the near-duplicate index was built with key scheme {stored!r}, this code makes {scheme!r}: "
            "run `babelwire reindex-near-duplicates` (workers wait while it runs)"
        )
    return scheme


def rebuild(conn: psycopg.Connection, near_dup_config: NearDupConfig | None = None) -> int:
    """Recomputes the band keys of every canonical article under this code's scheme, in the
    caller's transaction; returns how many articles were indexed. Storing workers wait on the
    table lock until the commit, so no article is indexed under the old scheme meanwhile."""
    near_dup_config = near_dup_config or config()
    conn.execute("LOCK TABLE article_bands IN EXCLUSIVE MODE")
    conn.execute("TRUNCATE article_bands")
    conn.execute("DELETE FROM near_duplicate_key_scheme")
    indexed = 0
    with conn.cursor(name="canonical_articles") as articles:
        articles.itersize = 500
        articles.execute("SELECT id, text FROM articles WHERE duplicate_of IS NULL ORDER BY id")
        for row in articles:
            index_article(conn, row["id"], sketch(row["text"], near_dup_config), near_dup_config)
            indexed += 1
    conn.execute(
        """INSERT INTO near_duplicate_key_scheme (scheme) VALUES (%s)
           ON CONFLICT (singleton) DO UPDATE SET scheme = excluded.scheme, recorded_at = now()""",
        (near_dup_config.key_scheme,),
    )
    return indexed

"""What is stored and waiting, counted when Prometheus scrapes the read API's /metrics (and only
there: one place, whatever the number of API and worker processes).

Every figure comes from a few cheap queries in one read-only snapshot, so they agree with each
other: file outcomes from the per-job counters (one short row per job, never the files' bytes),
articles by language from the `articles_language` index, near duplicates from the
`articles_duplicates` partial index. The queries have a statement timeout; a failing source shows
as `babelwire_metrics_source_up{source=...} 0` and its figures are left out rather than failing
the whole scrape."""

import logging
from collections.abc import Iterator
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from babelwire.broker import queue_depth
from babelwire.db import get_pool
from babelwire.periodic_runs import last_runs
from babelwire.settings import Settings, get_settings

log = logging.getLogger(__name__)

FILE_STATUSES = ("queued", "created", "duplicate", "failed")
UNKNOWN_LANGUAGE = "und"  # ISO 639-2 "undetermined", for articles whose language was not told


def stored_counts(settings: Settings) -> dict:
    timeout_ms = int(settings.metrics_query_timeout_seconds * 1000)
    with get_pool().connection(timeout=settings.metrics_query_timeout_seconds) as conn:
        # One snapshot for every query: a file done between two of them cannot be counted twice.
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        conn.execute(f"SET LOCAL statement_timeout = {timeout_ms}")
        files = conn.execute(
            """SELECT coalesce(sum(total - processed), 0) AS queued, coalesce(sum(created), 0) AS created,
                      coalesce(sum(duplicates), 0) AS duplicate, coalesce(sum(failed), 0) AS failed
               FROM jobs"""
        ).fetchone()
        languages = conn.execute(
            "SELECT coalesce(language, %s) AS language, count(*) AS articles FROM articles GROUP BY 1",
            (UNKNOWN_LANGUAGE,),
        ).fetchall()
        near = conn.execute("SELECT count(*) AS n FROM articles WHERE duplicate_of IS NOT NULL").fetchone()["n"]
        groups = conn.execute(
            """SELECT count(*) FILTER (WHERE merged_into IS NULL) AS live,
                      count(*) FILTER (WHERE merged_into IS NOT NULL) AS merged
               FROM translation_groups"""
        ).fetchone()
        links = conn.execute("SELECT count(*) AS n FROM translation_links").fetchone()["n"]
        periodic = last_runs(conn)
    return {
        "files": {status: int(files[status]) for status in FILE_STATUSES},
        "languages": {row["language"]: row["articles"] for row in languages},
        # A duplicate file is exact (no article of its own) or near (an article row with duplicate_of).
        "duplicates": {"exact": int(files["duplicate"]) - near, "near": near},
        "groups": {"live": groups["live"], "merged": groups["merged"]},
        "links": links,
        "periodic": {task: ran_at.timestamp() for task, ran_at in periodic.items()},
    }


class StoredDataCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        settings = get_settings()
        up = GaugeMetricFamily(
            "babelwire_metrics_source_up", "1 when this scrape could read the source, 0 when it failed.", labels=["source"]
        )
        try:
            counts = stored_counts(settings)
        except Exception as error:  # a scrape must not fail because the database is slow or down
            log.warning("metrics: stored-data counts unavailable: %r", error)
            up.add_metric(["database"], 0)
        else:
            up.add_metric(["database"], 1)
            yield from _stored_families(counts)
        try:
            depth = queue_depth(settings, settings.readiness_timeout_seconds)
        except Exception as error:
            log.warning("metrics: queue depth unavailable: %r", error)
            up.add_metric(["broker"], 0)
        else:
            up.add_metric(["broker"], 1)
            queue = GaugeMetricFamily(
                "babelwire_queue_depth", "Tasks waiting in the broker queue for a worker.", labels=["queue"]
            )
            queue.add_metric([settings.queue], depth)
            yield queue
        yield up


def _stored_families(counts: dict) -> Iterator[Metric]:
    files = GaugeMetricFamily("babelwire_files", "Uploaded files by status.", labels=["status"])
    for status, n in counts["files"].items():
        files.add_metric([status], n)
    yield files
    articles = GaugeMetricFamily(
        "babelwire_articles", "Stored articles (near duplicates included) by detected language.", labels=["language"]
    )
    for language, n in sorted(counts["languages"].items()):
        articles.add_metric([language], n)
    yield articles
    duplicates = GaugeMetricFamily(
        "babelwire_duplicates", "Files recognised as duplicates, by kind: exact (same clean text) or near.", labels=["kind"]
    )
    for kind, n in counts["duplicates"].items():
        duplicates.add_metric([kind], n)
    yield duplicates
    groups = GaugeMetricFamily(
        "babelwire_translation_groups", "Translation groups: live, or merged into another.", labels=["state"]
    )
    for state, n in counts["groups"].items():
        groups.add_metric([state], n)
    yield groups
    yield GaugeMetricFamily("babelwire_translation_links", "Translation links between articles.", value=counts["links"])
    # A timestamp, not an age, as Prometheus prefers: alert on `time() - this > N`. Absent until
    # the first run was recorded (a new database, or beat never ran).
    periodic = GaugeMetricFamily(
        "babelwire_periodic_last_run_timestamp_seconds",
        "Unix time a worker last ran this periodic task that beat sent (requeue_waiting_files: the heartbeat /readyz judges).",
        labels=["task"],
    )
    for task, timestamp in sorted(counts["periodic"].items()):
        periodic.add_metric([task], timestamp)
    yield periodic

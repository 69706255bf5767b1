"""Every setting of the service, read once from environment variables with defaults."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BABELWIRE_", extra="ignore")

    # The two URLs keep their conventional unprefixed names so compose files and PaaS add-ons work as is.
    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/babelwire", validation_alias="DATABASE_URL"
    )
    redis_url: str = Field(default="redis://127.0.0.1:6379/0", validation_alias="REDIS_URL")

    # Where `make run` keeps the embedded PostgreSQL and Redis data between runs.
    data_dir: Path = Path(".data")

    # `babelwire up` (make run): where the two APIs listen and how many worker processes run.
    host: str = "127.0.0.1"
    ingest_port: int = 8000
    api_port: int = 8001
    worker_concurrency: int = 2

    # Every process (APIs, worker, command line) logs through babelwire/logs.py: one JSON object per
    # line for log collectors, or `plain` text for reading by eye.
    log_format: Literal["json", "plain"] = "json"
    log_level: str = "INFO"

    queue: str = "babelwire"
    # Requests without an API key are let through. Only for a local trial (`make run` on embedded
    # servers turns it on and says so); every real deployment leaves it off.
    allow_anonymous: bool = False
    # Requests per API key (per client address under anonymous access) on each API, counted in a
    # moving window in Redis so that every API process shares the count (babelwire/rate_limits.py).
    # `limits` notation: "1200/minute", or several at once: "50/second;1200/minute". "0" or ""
    # turns the limit off. The defaults are far above what a well-behaved client sends.
    rate_limit_ingest: str = "1200/minute"
    rate_limit_read: str = "6000/minute"
    db_pool_min: int = 1
    db_pool_max: int = 10
    # How long a request waits for a database connection before it is answered 503: short, since
    # a database that is down would otherwise hold every request (and its client) this long.
    db_pool_timeout_seconds: float = 3.0
    # A pool that cannot reconnect retries with growing pauses (1 s, 2 s, 4 s …) and gives up after
    # this long; the next request then starts afresh. Short, so that however long the database was
    # down, the pools find it again within a couple of seconds of its return.
    db_reconnect_timeout_seconds: float = Field(default=5.0, gt=0)

    max_file_bytes: int = 10 * 1024 * 1024
    max_files_per_request: int = 1000
    # NDJSON uploads become one file per record: this bounds the records one request may create.
    max_records_per_request: int = 10000
    # A request body larger than this is refused with 413 before it is read.
    max_request_bytes: int = 256 * 1024 * 1024
    # Zip and tar uploads are expanded (services/ingest/archives.py); an archive over either bound,
    # or with a member that inflates more than max_compression_ratio times, is refused whole.
    max_archive_members: int = Field(default=10000, ge=1)
    max_archive_expanded_bytes: int = Field(default=200 * 1024 * 1024, ge=1)
    max_compression_ratio: float = Field(default=100.0, gt=1)

    # A queued file whose enqueue is older than this is sent to the broker again (Redis was down,
    # the ingest process died between commit and publish, or the message was lost).
    requeue_after_seconds: float = 300.0
    requeue_interval_seconds: float = 30.0
    requeue_batch: int = 1000
    # /readyz answers `degraded` (still 200) when the re-enqueue's last run, as recorded by the
    # worker that ran it (babelwire/periodic_runs.py), is older than this: beat or every worker is
    # gone, so files accepted while Redis was down would wait for good. None: four re-enqueue
    # intervals (2 min by default), room for a late tick without calling a live beat dead.
    periodic_stale_after_seconds: float | None = Field(default=None, gt=0)

    # Files per worker task: an upload of many files goes out in tasks of this many, each file
    # still stored in its own transaction. Fewer, larger tasks cost less broker and task overhead
    # per file; too large and the last task of an upload keeps one worker busy while others idle.
    task_batch_files: int = Field(default=16, ge=1, le=1000)
    task_max_retries: int = 5
    task_retry_backoff_max_seconds: int = 600
    broker_timeout_seconds: float = 2.0

    # Metrics and health (babelwire/metrics.py, babelwire/health.py, workers/metrics.py). /metrics
    # holds counts only (no text, no ids) and scrapers seldom carry a key: open like /healthz and
    # /readyz unless this asks for a key with the app's scope.
    metrics_require_key: bool = False
    # /readyz: how long the database and broker checks may take together before it answers 503.
    readiness_timeout_seconds: float = Field(default=1.5, gt=0)
    # The read API's /metrics counts stored data at scrape time; a slower query is abandoned.
    metrics_query_timeout_seconds: float = Field(default=2.0, gt=0)
    # The worker's main process serves every child's task metrics here (0 = no worker metrics).
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    worker_metrics_host: str = "127.0.0.1"

    language_min_confidence: float = 0.0

    # Reconciliation of translation groups (workers/translation_index.reconcile_article): an
    # article left ungrouped or in a small group is looked at again this long after it was stored
    # (or last linked by a later article), then after twice as long, and so on for relink_rounds
    # rounds; beat sends the task every relink_interval_seconds, which takes relink_batch due ones.
    relink_delay_seconds: float = Field(default=30.0, gt=0)
    relink_rounds: int = Field(default=4, ge=0)
    relink_interval_seconds: float = Field(default=10.0, gt=0)
    relink_batch: int = Field(default=200, ge=1)

    # Webhooks: how often new changes become deliveries, the first retry's delay (doubled on each
    # failure, capped, jittered), how long a delivery is retried before it is marked failed (at
    # least a day), and how long one attempt may take.
    webhook_dispatch_interval_seconds: float = Field(default=2.0, gt=0)
    webhook_dispatch_batch: int = Field(default=1000, ge=1)
    webhook_retry_base_seconds: float = Field(default=30.0, gt=0)
    webhook_retry_max_seconds: float = Field(default=3600.0, gt=0)
    webhook_retry_for_seconds: float = Field(default=86400.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # Where deliveries may go (babelwire/webhook_targets.py), checked at registration and before
    # every attempt: https only unless webhook_allow_http, and public addresses only unless
    # webhook_allowed_hosts lists the host: comma-separated host names, addresses or networks
    # ("hooks.internal, 10.2.0.0/16, 127.0.0.1") for receivers on premises.
    webhook_allow_http: bool = False
    webhook_allowed_hosts: str = ""

    # Near-duplicate detection: a new article whose verified similarity to a stored canonical
    # article reaches the threshold is recorded as that article's duplicate. Changing it needs no
    # re-indexing; the MinHash shape (permutations, bands) lives in NearDupConfig, since changing
    # that would invalidate every stored band key.
    # None: NearDupConfig's own default, the one the quality benchmark tunes.
    near_duplicate_threshold: float | None = Field(default=None, gt=0.0, le=1.0)
    # The most candidates (those sharing the most LSH bands) whose text is loaded and compared, so
    # that a text sharing bands with many stored articles (boilerplate) costs a bounded amount.
    near_duplicate_max_candidates: int = Field(default=20, ge=1)


    @property
    def periodic_stale_after(self) -> float:
        return self.periodic_stale_after_seconds or 4 * self.requeue_interval_seconds

    @field_validator("rate_limit_ingest", "rate_limit_read")
    @classmethod
    def _parseable_rate_limit(cls, value: str) -> str:
        """A misspelt limit stops the process at start, not on the first request."""
        from babelwire.rate_limits import parse_limits

        parse_limits(value)
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()

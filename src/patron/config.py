"""Settings, read once from PATRON_* environment variables and passed down."""

from __future__ import annotations

from functools import cached_property
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

CommaList = Annotated[list[str], NoDecode]
FloatList = Annotated[list[float], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PATRON_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./patron.db"
    # Hot reads may go to a replica; empty means the primary.
    database_read_url: str = ""
    db_pool_size: int = Field(default=10, ge=1, le=200)
    timezone: str = "UTC"
    # Absolute links in responses; empty means "as the request was addressed".
    base_url: str = ""
    # An admin token `<keyId>.<secret>` to create on a database with no keys.
    bootstrap_admin_key: str = ""
    log_level: str = "INFO"
    # Access log: one JSON line per request on stdout.
    access_log: bool = True
    # The hottest calls (a till's receipt) answered below FastAPI's router (see api.direct).
    direct_routes: bool = True
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    # How long a verified key is trusted before it is looked up again (revocation delay).
    auth_cache_seconds: float = Field(default=5.0, ge=0)
    # How long a process keeps the receipt-driven challenge definitions (see challenges.receipt_rules).
    definition_cache_seconds: float = Field(default=5.0, ge=0)
    idempotency_ttl_hours: int = Field(default=24, ge=24)
    # A request that holds an Idempotency-Key longer than this is presumed dead.
    idempotency_lease_seconds: float = Field(default=60.0, ge=1)
    # Region used for phone numbers given without a country code; empty demands E.164.
    default_phone_region: str = ""
    contact_custom_attributes: CommaList = []
    contact_required_fields: CommaList = []
    member_required_fields: CommaList = ["email"]
    bulk_max_contacts: int = Field(default=4000, ge=1)
    # File imports and the drop folder (docs/IMPORTS.md).
    bulk_max_receipts: int = Field(default=10_000, ge=1)
    # A file import's run renews its lease every batch; another run takes the file over once
    # the lease is this old (the first run died).
    import_lease_seconds: float = Field(default=30.0, gt=0)
    # The folder the worker watches for import files; empty means no drop folder.
    drop_dir: str = ""
    # A dropped file not renamed from a temporary name is complete once unchanged this long.
    drop_settle_seconds: float = Field(default=10.0, ge=0)
    # `patron ftp`: the drop folder over FTPS, one folder per key.
    ftp_host: str = "127.0.0.1"
    ftp_port: int = Field(default=2121, ge=1, le=65535)
    ftp_passive_ports: str = "60000-60099"
    ftp_masquerade_address: str = ""
    ftp_certfile: str = ""
    ftp_keyfile: str = ""
    ftp_max_upload_bytes: int = Field(default=1 << 30, ge=1)
    # The point definition that points rewards credit when they name none; empty means the
    # definition named "Points", created on first use.
    default_point_definition_id: int | None = Field(default=None, ge=1)
    # Rate limits (docs/RATE_LIMITS.md): a token bucket per key and route class (reads: GET,
    # HEAD, OPTIONS; writes: the rest), refilled at these requests per second unless the key
    # has a rate of its own (`patron keys create --rate`). The defaults are above what one
    # process serves, so they stop a runaway client, not a busy chain of tills.
    rate_limits: bool = True
    rate_admin_reads: int = Field(default=1000, ge=1)
    rate_admin_writes: int = Field(default=500, ge=1)
    rate_integration_reads: int = Field(default=2000, ge=1)
    rate_integration_writes: int = Field(default=1000, ge=1)
    # A full bucket holds this many seconds of its rate: the burst a quiet key may send at once
    # (a key's own `--burst` overrides it).
    rate_burst_seconds: float = Field(default=1.0, gt=0, le=3600)
    # Credentials that do not verify, per client address and minute, before that address is
    # answered 429 without being verified.
    rate_auth_failures: int = Field(default=30, ge=1)
    # Where the buckets of every process and host meet; empty means each process counts alone.
    redis_url: str = ""
    # Prefix of the buckets' Redis keys, so deployments (or test runs) can share one Redis.
    rate_redis_prefix: str = "patron:rate:"
    # TEST ONLY, off by default, never set in production: a write to this path (e.g.
    # "/api/v3/receipts") ends the process (os._exit) right after its commit, before its answer
    # is sent, so the fault tests can show that a retry gets the stored answer
    # (tests/reliability/test_exit_between_commit_and_answer.py).
    test_exit_after_commit: str = ""
    # Webhooks (docs/WEBHOOKS.md). An endpoint's URL must be https unless this is set.
    webhook_allow_insecure: bool = False
    # An endpoint resolving to a loopback, private or link-local address is refused (SSRF)
    # unless this is set; checked when it is saved and again before every delivery.
    webhook_allow_private: bool = False
    # Seconds to wait before each retry of a failed delivery; jitter of up to 10 % is added.
    # After the last one the delivery has failed for good.
    webhook_retry_schedule: FloatList = [5, 300, 1800, 7200, 18000, 36000, 36000, 86400]
    # How many contacts a segment assignment job assigns per second when its request names no
    # rate: slow enough that the tills' reads keep their pace while it runs.
    assignment_rows_per_second: int = Field(default=200, ge=1, le=100_000)
    # How often the worker looks for segments due a refresh and for assignment jobs.
    segment_poll_seconds: float = Field(default=2.0, gt=0, le=3600)
    # A delivery gets this long to answer 2xx.
    webhook_timeout_seconds: float = Field(default=15.0, gt=0, le=60)
    # How long a worker owns a claimed delivery; one it has not finished by then (it died) is
    # claimed again by another worker. Longer than the timeout.
    webhook_lease_seconds: float = Field(default=60.0, gt=0)
    # An endpoint that has failed every delivery for this long is disabled.
    webhook_disable_after_hours: float = Field(default=120.0, gt=0)
    # How long the old secret keeps signing alongside the new after a rotation.
    webhook_secret_overlap_hours: float = Field(default=24.0, ge=0)
    # End users (docs/END_USERS.md). The key that seals API key secrets in the database, so
    # Patron can check the HMAC of an end-user token signed with one; at least 32 characters.
    # Empty means a random key generated once and kept in the database, where a dump of the
    # database alone reveals the secrets: production sets this (and keeps it out of the dump).
    secret_key: str = Field(default="", repr=False)
    # The account an end-user token's `sub` and its `x-account-id` header must name.
    account_id: str = Field(default="patron", min_length=1, max_length=200)
    # Background work (webhook delivery, bulk imports, housekeeping, expiry) runs inside
    # `patron serve` too unless this is false; production on PostgreSQL sets it to false and
    # runs `patron worker` processes instead (README "Running in production").
    embedded_worker: bool = True
    # How often an idle worker looks for new events and due deliveries.
    worker_poll_seconds: float = Field(default=0.5, gt=0, le=60)
    # A tracked cart no order from its contact follows within this many minutes is told as
    # cart.abandoned (the worker's abandoned-cart job).
    abandoned_cart_minutes: int = Field(default=60, ge=1, le=60 * 24 * 30)

    @field_validator(
        "contact_custom_attributes", "contact_required_fields", "member_required_fields", mode="before"
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("webhook_retry_schedule", mode="before")
    @classmethod
    def _split_delays(cls, value: object) -> object:
        if isinstance(value, str):
            return [float(part) for part in value.split(",") if part.strip()]
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        if value and len(value) < 32:
            raise ValueError("PATRON_SECRET_KEY must be at least 32 characters (or empty)")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

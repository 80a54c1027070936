"""Rate limits per key and route class (docs/RATE_LIMITS.md): 429 in the envelope with
Retry-After and the RateLimit headers, on FastAPI's routes and the direct ones alike; defaults
per role, a key's own rate, failed authentications per address, exempt probes; buckets shared
through Redis by applications and by real server processes, and each process alone without it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis

from patron.app import create_app
from patron.auth import service as keys
from patron.auth.rate_store import MemoryBuckets, RedisBuckets
from patron.auth.roles import KeyRate, Role
from patron.auth.token_bucket import Allowance, take
from patron.config import Settings
from patron.db import migrate
from patron.db.engine import Database, create_database
from patron.db.session import transaction
from patron.kit import clock
from tests.conftest import make_settings
from tests.factories import make_store
from tests.limits.raw_http import statuses_of_burst
from tests.reliability.server import ServerProcess

REDIS_URL = "redis://127.0.0.1:6379/0"
STORES = "/api/v3/stores"


async def make_key(
    database: Database, role: Role = Role.INTEGRATION, rate: KeyRate | None = None
) -> dict[str, str]:
    async with transaction(database) as session:
        issued = await keys.create_key(session, name="limited", role=role, rate=rate)
    return {"apikey": issued.token}


def redis_prefix() -> str:
    """Buckets of this test alone, whatever else shares the machine's Redis."""
    return f"patron-test-{secrets.token_hex(6)}:"


@asynccontextmanager
async def serving(
    settings: Settings, address: tuple[str, int] = ("127.0.0.1", 123)
) -> AsyncIterator[tuple[httpx.AsyncClient, Database]]:
    """An application of its own on these settings, and a client calling from `address`."""
    application = create_app(settings, background=False)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, client=address)
        async with httpx.AsyncClient(transport=transport, base_url="http://patron.test") as http:
            yield http, application.state.patron.database


@contextmanager
def clock_moved(monkeypatch: pytest.MonkeyPatch, seconds: float) -> Iterator[None]:
    later = clock.monotonic() + seconds
    with monkeypatch.context() as patch:
        patch.setattr(clock, "monotonic", lambda: later)
        yield


def assert_refused(response: httpx.Response, policy: str) -> None:
    assert response.status_code == 429, response.text[:300]
    body = response.json()
    assert body["key"] == "TooManyRequests"
    assert body["code"] == 429
    assert body["request_id"] == response.headers["x-request-id"]
    assert "retry in" in body["message"]
    wait = int(response.headers["retry-after"])
    assert wait >= 1
    assert response.headers["ratelimit-policy"].startswith(f'"{policy}";q=')
    assert response.headers["ratelimit"] == f'"{policy}";r=0;t={wait}'


# In the application the fixtures build (the role defaults), on both databases.


async def test_a_key_past_its_rate_gets_429_in_the_envelope_with_retry_after_and_ratelimit_headers(
    client: httpx.AsyncClient, database: Database
) -> None:
    till = await make_key(database, rate=KeyRate(5, burst=3))
    answers = [await client.get(STORES, headers=till) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    for left, answer in zip((2, 1, 0), answers, strict=False):
        assert answer.headers["ratelimit-policy"] == '"reads";q=5;w=1'
        assert answer.headers["ratelimit"] == f'"reads";r={left};t=1'
        assert "retry-after" not in answer.headers
    assert_refused(answers[3], "reads")
    assert answers[3].json()["message"] == "This key may make 5 reads a second; retry in 1 s."


async def test_reads_and_writes_draw_from_buckets_of_their_own(
    client: httpx.AsyncClient, database: Database
) -> None:
    till = await make_key(database, rate=KeyRate(1, burst=2))
    assert [(await client.get(STORES, headers=till)).status_code for _ in range(3)] == [200, 200, 429]
    wrote = await client.post("/api/v3/contacts", json={}, headers=till)
    assert wrote.status_code == 400  # refused for its body, not for the spent reads
    assert wrote.headers["ratelimit"] == '"writes";r=1;t=1'


@pytest.mark.parametrize("path", ["/api/v3/receipts", "/api/v3/challenges/checkpoints", "/api/v2/receipts"])
async def test_the_direct_routes_are_limited_like_every_other(
    client: httpx.AsyncClient, database: Database, path: str
) -> None:
    till = await make_key(database, rate=KeyRate(1, burst=1))
    first = await client.post(path, json={}, headers=till)
    assert first.status_code == 400
    assert first.headers["ratelimit"] == '"writes";r=0;t=1'
    assert_refused(await client.post(path, json={}, headers=till), "writes")


async def test_a_refused_post_claims_no_idempotency_key(
    client: httpx.AsyncClient, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 429 is answered before the boundary claims the key: the retry is a first attempt,
    not a replay of the refusal."""
    admin = await make_key(database, Role.ADMIN, KeyRate(1, burst=1))
    assert (await make_store(client, admin, "S-1"))["externalId"] == "S-1"
    body = {"externalId": "S-9", "name": "Harbour", "type": "Physical"}
    headers = {**admin, "idempotency-key": "store-9"}
    assert_refused(await client.post(STORES, json=body, headers=headers), "writes")
    with clock_moved(monkeypatch, 2):
        again = await client.post(STORES, json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert "idempotent-replayed" not in again.headers


async def test_the_bucket_refills_at_the_key_rate(
    client: httpx.AsyncClient, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    till = await make_key(database, rate=KeyRate(2, burst=2))
    assert [(await client.get(STORES, headers=till)).status_code for _ in range(3)] == [200, 200, 429]
    with clock_moved(monkeypatch, 0.5):  # one token back at 2 a second
        assert [(await client.get(STORES, headers=till)).status_code for _ in range(2)] == [200, 429]


async def test_probes_are_never_limited(client: httpx.AsyncClient, database: Database) -> None:
    till = await make_key(database, rate=KeyRate(1, burst=1))
    for path in ("/healthz", "/readyz", "/metrics"):
        for _ in range(3):
            answer = await client.get(path, headers=till)
            assert answer.status_code == 200, path
            assert "ratelimit" not in answer.headers
    assert (await client.get(STORES, headers=till)).status_code == 200  # its bucket untouched


async def test_keys_without_a_rate_get_their_role_default(database_url: str) -> None:
    settings = make_settings(database_url, rate_integration_reads=3, rate_admin_reads=1, rate_burst_seconds=1)
    async with serving(settings) as (http, database):
        till = await make_key(database, Role.INTEGRATION)
        admin = await make_key(database, Role.ADMIN)
        assert [(await http.get(STORES, headers=till)).status_code for _ in range(4)] == [200] * 3 + [429]
        assert [(await http.get(STORES, headers=admin)).status_code for _ in range(2)] == [200, 429]
        assert (await http.get(STORES, headers=admin)).headers["ratelimit-policy"] == '"reads";q=1;w=1'


async def test_a_burst_of_its_own_outlasts_the_rate(database_url: str) -> None:
    async with serving(make_settings(database_url)) as (http, database):
        till = await make_key(database, rate=KeyRate(1, burst=4))
        answers = [await http.get(STORES, headers=till) for _ in range(5)]
        assert [answer.status_code for answer in answers] == [200] * 4 + [429]
        # The policy is stated over the seconds that fill the bucket: 4 requests in 4 s.
        assert answers[0].headers["ratelimit-policy"] == '"reads";q=4;w=4'
        assert answers[0].headers["ratelimit"] == '"reads";r=3;t=1'


async def test_failed_authentications_from_one_address_are_refused_before_verification(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(database_url, rate_auth_failures=3)
    wrong = {"apikey": "pk_nobody.wrongwrongwrongwrong"}
    async with serving(settings, ("192.0.2.7", 5000)) as (http, database):
        till = await make_key(database)
        # No credentials and unreadable ones guess nothing: not counted.
        for _ in range(5):
            assert (await http.get(STORES)).status_code == 401
            assert (await http.get(STORES, headers={"authorization": "Bearer nonsense"})).status_code == 401
        assert [(await http.get(STORES, headers=wrong)).status_code for _ in range(3)] == [401] * 3
        refused = await http.get(STORES, headers=wrong)
        assert_refused(refused, "auth-failures")
        assert refused.headers["ratelimit-policy"] == '"auth-failures";q=3;w=60'
        assert refused.json()["message"].startswith("Too many failed authentications from this address")
        # Until the wait is over the address is not even verified, good key or not.
        assert_refused(await http.get(STORES, headers=till), "auth-failures")
        with clock_moved(monkeypatch, int(refused.headers["retry-after"])):
            assert (await http.get(STORES, headers=till)).status_code == 200


async def test_another_address_is_not_slowed_by_ones_failures(database_url: str) -> None:
    settings = make_settings(database_url, rate_auth_failures=1)
    application = create_app(settings, background=False)
    wrong = {"apikey": "pk_nobody.wrongwrongwrongwrong"}
    async with application.router.lifespan_context(application):
        till = await make_key(application.state.patron.database)

        def from_address(host: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=application, client=(host, 1))
            return httpx.AsyncClient(transport=transport, base_url="http://patron.test")

        async with from_address("192.0.2.1") as guesser, from_address("192.0.2.2") as till_host:
            assert [(await guesser.get(STORES, headers=wrong)).status_code for _ in range(2)] == [401, 429]
            assert (await guesser.get(STORES, headers=till)).status_code == 429
            assert (await till_host.get(STORES, headers=till)).status_code == 200


async def test_rate_limits_can_be_switched_off(database_url: str) -> None:
    async with serving(make_settings(database_url, rate_limits=False)) as (http, database):
        till = await make_key(database, rate=KeyRate(1, burst=1))
        answers = [await http.get(STORES, headers=till) for _ in range(3)]
        assert [answer.status_code for answer in answers] == [200] * 3
        assert "ratelimit" not in answers[0].headers


# Redis: the machine's own, each test under a prefix of its own.


async def test_two_applications_on_one_redis_share_a_key_bucket(database_url: str) -> None:
    settings = make_settings(database_url, redis_url=REDIS_URL, rate_redis_prefix=redis_prefix())
    async with serving(settings) as (first, database), serving(settings) as (second, _):
        till = await make_key(database, rate=KeyRate(1, burst=4))
        statuses = [(await http.get(STORES, headers=till)).status_code for http in (first, second) * 3]
        assert statuses == [200] * 4 + [429] * 2


async def test_without_redis_two_applications_count_alone(database_url: str) -> None:
    settings = make_settings(database_url)
    async with serving(settings) as (first, database), serving(settings) as (second, _):
        till = await make_key(database, rate=KeyRate(1, burst=2))
        statuses = [(await http.get(STORES, headers=till)).status_code for http in (first, second) * 3]
        assert statuses == [200] * 4 + [429] * 2


async def test_an_unreachable_redis_fails_open_to_the_process_own_buckets(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Nothing listens on port 1: every connection is refused at once.
    settings = make_settings(database_url, redis_url="redis://127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING, logger="patron.rate_limits"):
        async with serving(settings) as (http, database):
            till = await make_key(database, rate=KeyRate(1, burst=2))
            statuses = [(await http.get(STORES, headers=till)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert "Redis unreachable" in caplog.text


# The token bucket itself, and the Redis script pinned to it.


def test_a_bucket_admits_its_burst_then_its_rate_and_never_holds_more_than_its_burst() -> None:
    allowance = Allowance("writes", rate=10, burst=5)
    level = None
    admitted = 0
    for step in range(200):  # 2 s at one request every 10 ms
        level, decision = take(level, step * 0.01, allowance)
        admitted += decision.allowed
        assert level.tokens <= allowance.burst
    assert 5 + 10 * 1.99 - 1 <= admitted <= 5 + 10 * 1.99
    _, rested = take(level, 1000.0, allowance)
    assert rested.allowed and rested.remaining == 4
    assert rested.full_in == pytest.approx(0.1)


def test_an_empty_bucket_says_when_the_next_token_comes() -> None:
    allowance = Allowance("reads", rate=4, burst=1)
    level, first = take(None, 0.0, allowance)
    _, second = take(level, 0.1, allowance)
    assert first.allowed and not second.allowed
    assert second.retry_after == pytest.approx(0.15)


async def test_the_redis_script_decides_as_the_process_buckets_do() -> None:
    prefix = redis_prefix()
    shared = RedisBuckets(REDIS_URL, prefix, MemoryBuckets())
    alone = MemoryBuckets()
    try:
        for allowance in (Allowance("reads", 1, 5), Allowance("writes", 0.5, 3), Allowance("x", 2, 1)):
            # Seven takes in a few milliseconds: neither refills a whole token in between.
            in_redis = [await shared.take(f"pin:{allowance.name}", allowance) for _ in range(7)]
            here = [await alone.take(f"pin:{allowance.name}", allowance) for _ in range(7)]
            assert [d.allowed for d in in_redis] == [d.allowed for d in here]
            assert [d.remaining for d in in_redis] == [d.remaining for d in here]
            for ours, theirs in zip(in_redis, here, strict=True):
                assert ours.retry_after == pytest.approx(theirs.retry_after, abs=0.05)
                assert ours.full_in == pytest.approx(theirs.full_in, abs=0.05)
    finally:
        await shared.close()
        await _forget(prefix)


async def _forget(prefix: str) -> None:
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        names = [name async for name in client.scan_iter(match=f"{prefix}*")]
        if names:
            await client.delete(*names)
    finally:
        await client.aclose()


# The acceptance: real `patron serve` processes, with and without the machine's Redis.

# A key of 50 requests a second whose full bucket holds one second of them (the default burst).
RATE, BURST, SENT = 50, 50, 200
# Kept-alive connections to each server the burst is sent over.
CONNECTIONS = 10


@dataclass(frozen=True)
class Burst:
    """What one key's SENT requests, sent at once, half to each server, got back."""

    admitted: tuple[int, ...]  # answers that were not 429, per server
    seconds: float  # from the first request out to the last answer in

    @property
    def bound(self) -> float:
        """The most one bucket can admit over that time: full, plus its refill."""
        return BURST + RATE * self.seconds


async def _burst(ports: tuple[int, int], headers: dict[str, str], warm_up: dict[str, str]) -> Burst:
    # Database pools and code paths warm before the clock starts, with another key so the
    # limited one's buckets stay full.
    await asyncio.gather(*(statuses_of_burst(port, STORES, warm_up, 20, 10) for port in ports))
    started = time.perf_counter()
    answered = await asyncio.gather(
        *(statuses_of_burst(port, STORES, headers, SENT // 2, CONNECTIONS) for port in ports)
    )
    seconds = time.perf_counter() - started
    for statuses in answered:
        assert set(statuses) <= {200, 429}, statuses
    return Burst(tuple(statuses.count(200) for statuses in answered), seconds)


@asynccontextmanager
async def two_servers(directory: Path, database_url: str, **settings: str) -> AsyncIterator[tuple[int, int]]:
    servers: list[ServerProcess] = []
    for n in range(2):
        taken = [server.port for server in servers]
        servers.append(ServerProcess(database_url, directory / f"server-{n}.log", taken=taken, **settings))
    try:
        await asyncio.gather(*(asyncio.to_thread(server.start) for server in servers))
        yield servers[0].port, servers[1].port
    finally:
        await asyncio.gather(*(asyncio.to_thread(server.stop) for server in servers))


@pytest.fixture
async def served_database(fresh_postgres_url: str) -> AsyncIterator[tuple[str, Database]]:
    """The servers' database: PostgreSQL, whose reads cost the servers least, so the 200
    requests fit in about a second on a small machine."""
    await asyncio.to_thread(migrate.upgrade, fresh_postgres_url)
    database = create_database(Settings(database_url=fresh_postgres_url))
    try:
        yield fresh_postgres_url, database
    finally:
        await database.dispose()


async def test_two_server_processes_on_redis_admit_one_key_rate_between_them(
    tmp_path: Path, served_database: tuple[str, Database]
) -> None:
    url, database = served_database
    prefix = redis_prefix()
    till = await make_key(database, rate=KeyRate(RATE, burst=BURST))
    try:
        async with two_servers(tmp_path, url, redis_url=REDIS_URL, rate_redis_prefix=prefix) as ports:
            burst = await _burst(ports, till, await make_key(database, Role.ADMIN))
    finally:
        await _forget(prefix)
    print(f"with Redis: {sum(burst.admitted)} of {SENT} admitted {burst.admitted} in {burst.seconds:.2f} s")
    assert burst.seconds < 1, "the burst did not fit in a second"
    assert BURST <= sum(burst.admitted) <= burst.bound
    assert min(burst.admitted) > 0  # both processes answered from the one bucket


async def test_two_server_processes_without_redis_limit_each_alone(
    tmp_path: Path, served_database: tuple[str, Database]
) -> None:
    url, database = served_database
    till = await make_key(database, rate=KeyRate(RATE, burst=BURST))
    async with two_servers(tmp_path, url) as ports:
        burst = await _burst(ports, till, await make_key(database, Role.ADMIN))
    print(
        f"without Redis: {sum(burst.admitted)} of {SENT} admitted {burst.admitted} in {burst.seconds:.2f} s"
    )
    assert burst.seconds < 1, "the burst did not fit in a second"
    # Each has a full bucket of its own (100 requests came to each) and limits alone.
    for admitted in burst.admitted:
        assert BURST <= admitted <= burst.bound
    assert sum(burst.admitted) > burst.bound  # more than one bucket could have admitted

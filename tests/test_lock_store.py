"""The atomic Redis lock store (connectors/lock_store.py) against the real Redis, with writers in several
processes: every ticket unique, none lost, one holder at a time, served in ticket order per conversation."""
from __future__ import annotations

import asyncio
import multiprocessing
import time
from typing import Iterator, List, Tuple

import pytest
import redis
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from connectors.lock_store import AtomicRedisLockStore
from tests.support import REDIS_HOST, REDIS_PORT, redis_key_prefix

PROCESSES = 6
TICKETS_EACH = 25
CONVERSATIONS = ("alpha", "beta")


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of our own (alphanumeric, as Rasa requires); its keys are removed afterwards."""
    yield from redis_key_prefix("locktest")


def _store(prefix: str) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host=REDIS_HOST, port=REDIS_PORT, db=0, key_prefix=prefix)


def _writer(prefix: str, worker: int, start_at: float) -> None:
    """Take TICKETS_EACH turns, alternating conversations; record each ticket issued and each turn served."""
    store, client = _store(prefix), redis.Redis(host=REDIS_HOST, port=REDIS_PORT)

    async def turns() -> None:
        for number in range(TICKETS_EACH):
            conversation = CONVERSATIONS[(worker + number) % len(CONVERSATIONS)]
            ticket = store.issue_ticket(conversation, lock_lifetime=60)
            client.rpush(f"{prefix}:issued:{conversation}", ticket)
            await store._acquire_lock(conversation, ticket, wait_time_in_seconds=1)
            try:
                holder = f"{prefix}:holder:{conversation}"
                if not client.set(holder, worker, nx=True):  # someone else holds the lock
                    client.incr(f"{prefix}:overlaps")
                client.rpush(f"{prefix}:served:{conversation}", ticket)
                counter = f"{prefix}:counter:{conversation}"
                value = int(client.get(counter) or 0)  # a read-modify-write that only the lock protects
                await asyncio.sleep(0.001)
                client.set(counter, value + 1)
                client.delete(holder)
            finally:
                store.cleanup(conversation, ticket)

    time.sleep(max(0.0, start_at - time.time()))  # all processes start together
    asyncio.run(turns())


def _numbers(client: redis.Redis, key: str) -> List[int]:
    return [int(value) for value in client.lrange(key, 0, -1)]


def test_concurrent_processes_get_unique_tickets_served_once_each_in_order(prefix: str) -> None:
    context = multiprocessing.get_context("fork")
    start_at = time.time() + 0.5
    workers = [context.Process(target=_writer, args=(prefix, worker, start_at)) for worker in range(PROCESSES)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [process.exitcode for process in workers] == [0] * PROCESSES

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT)
    total = 0
    for conversation in CONVERSATIONS:
        issued = _numbers(client, f"{prefix}:issued:{conversation}")
        served = _numbers(client, f"{prefix}:served:{conversation}")
        total += len(issued)
        assert len(set(issued)) == len(issued), "a ticket number was issued twice"
        assert sorted(served) == sorted(issued), "a ticket was lost or served twice"
        assert served == sorted(served), "tickets were not served in the order they were issued"
        assert int(client.get(f"{prefix}:counter:{conversation}")) == len(issued), "two holders at once"
        assert not client.exists(_store(prefix).key_prefix + conversation), "the last release left the lock"
    assert total == PROCESSES * TICKETS_EACH
    assert client.get(f"{prefix}:overlaps") is None


def test_locks_keep_rasas_format_and_expired_tickets_give_way(prefix: str) -> None:
    store = _store(prefix)
    first = store.issue_ticket("c", lock_lifetime=0.2)
    second = store.issue_ticket("c", lock_lifetime=60)
    lock = store.get_lock("c")  # Rasa's own reader
    assert [ticket.number for ticket in lock.tickets] == [first, second] == [0, 1]
    assert lock.is_locked(second) and not lock.is_locked(first)
    time.sleep(0.3)  # the first holder's ticket expires (a crashed replica): the next one gets its turn

    async def acquire() -> None:
        acquired = await store._acquire_lock("c", second, wait_time_in_seconds=1)
        assert not acquired.is_locked(second)
    asyncio.run(asyncio.wait_for(acquire(), timeout=5))
    assert 0 < store.red.ttl(store.key_prefix + "c") <= 60 + 61  # nothing is left behind for ever
    store.cleanup("c", second)
    assert store.get_lock("c") is None
    assert store.issue_ticket("c") == 2  # numbers are not reused while the counter lives


def test_rasa_builds_it_from_an_endpoints_section(prefix: str) -> None:
    config = EndpointConfig(url=REDIS_HOST, type="connectors.lock_store.AtomicRedisLockStore",
                            port=str(REDIS_PORT), db="0", key_prefix=prefix, poll_interval=0.05)
    from rasa.core.lock_store import LockStore
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore) and store.poll_interval == 0.05

    async def use() -> Tuple[int, bool]:
        async with store.lock("conversation") as lock:
            return len(lock.tickets), store.is_someone_waiting("conversation")
    assert asyncio.run(use()) == (1, True)
    assert store.get_lock("conversation") is None


def test_a_redis_failure_is_a_lock_error(prefix: str) -> None:
    store = AtomicRedisLockStore(host=REDIS_HOST, port=1, db=0, key_prefix=prefix, socket_timeout=0.5)
    with pytest.raises(LockError):
        store.issue_ticket("c")


def test_a_live_holder_keeps_its_turn_past_the_lifetime_and_a_crashed_one_gives_way(prefix: str) -> None:
    store = AtomicRedisLockStore(host=REDIS_HOST, port=REDIS_PORT, db=0, key_prefix=prefix, ticket_lifetime=0.4)
    crashed = store.issue_ticket("c", lock_lifetime=0.4)  # issued, then its process died: nobody renews it

    async def scenario() -> List[str]:
        steps: List[str] = []

        async def long_message() -> None:
            async with store.lock("c"):  # waits for the crashed ticket to expire (~0.4 s), then holds 1.2 s
                steps.append("long starts")
                await asyncio.sleep(1.2)  # three lifetimes: only the renewal keeps the turn
                steps.append("long ends")

        async def next_message() -> None:
            await asyncio.sleep(0.1)
            async with store.lock("c"):
                steps.append("next")
        started = time.monotonic()
        await asyncio.wait_for(asyncio.gather(long_message(), next_message()), timeout=10)
        assert time.monotonic() - started < 3
        return steps
    assert asyncio.run(scenario()) == ["long starts", "long ends", "next"]
    assert crashed == 0 and store.get_lock("c") is None

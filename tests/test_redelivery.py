"""Webhook redeliveries recognised by message id (``connectors/redelivery.py``): in this process,
and in a real Redis shared by two replicas, as with ``endpoints.production.yml``.

The channels' end-to-end behaviour (the same Telegram update or Messenger event sent twice is
answered once) is in tests/test_channel_webhooks.py.
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any, Iterator, Optional

import pytest
import redis

from connectors.lock_store import AtomicRedisLockStore
from connectors.redelivery import TTL_S, Deliveries
from tests.support import REDIS_HOST, REDIS_PORT, redis_key_prefix

pytestmark = pytest.mark.unit


def request_to(lock_store: Optional[Any]) -> Any:
    """What the channel hands over: a request of the Rasa server whose agent has ``lock_store``."""
    return SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(lock_store=lock_store))))


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of our own (alphanumeric, as Rasa requires); its keys are removed afterwards."""
    yield from redis_key_prefix("redeliverytest")


def test_without_redis_a_message_id_is_first_once_and_the_record_is_bounded() -> None:
    deliveries, request = Deliveries(capacity=3), request_to(None)
    assert deliveries.first(request, "telegram", 41) and not deliveries.first(request, "telegram", 41)
    assert deliveries.first(request, "messenger", 41)  # another channel's id is another message
    for update_id in (42, 43, 44):
        assert deliveries.first(request, "telegram", update_id)
    assert deliveries.first(request, "telegram", 41)  # the oldest was forgotten: memory stays bounded
    assert deliveries.first(request, "messenger", None) and deliveries.first(request, "messenger", None)


def test_with_a_redis_lock_store_a_redelivery_to_another_replica_is_recognised(prefix: str) -> None:
    replicas = [Deliveries() for _ in range(2)]
    stores = [AtomicRedisLockStore(host=REDIS_HOST, port=REDIS_PORT, db=0, key_prefix=prefix) for _ in replicas]
    mid = "m_" + uuid.uuid4().hex
    assert replicas[0].first(request_to(stores[0]), "messenger", mid)
    assert not replicas[1].first(request_to(stores[1]), "messenger", mid)
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT)
    [key] = list(client.scan_iter(f"{prefix}*"))
    assert key.decode() == f"{prefix}:delivery:messenger:{mid}" and 0 < client.ttl(key) <= TTL_S


def test_when_redis_cannot_be_reached_this_process_keeps_the_record() -> None:
    unreachable = AtomicRedisLockStore(host="127.0.0.1", port=1, db=0, key_prefix="unreachable")
    deliveries, request = Deliveries(), request_to(unreachable)
    assert deliveries.first(request, "telegram", 7) and not deliveries.first(request, "telegram", 7)

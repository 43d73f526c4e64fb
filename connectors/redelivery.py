"""Webhook redeliveries recognised by the provider's message id, so a message is answered once.

Messenger sends a webhook again when our answer was slow or not a 200, and Telegram retries an
update until it gets one; both keep the message's id (Messenger ``message.mid``, Telegram
``update_id``). A channel asks :meth:`Deliveries.first` before handling a message: a redelivery is
acknowledged (200) and dropped, so the visitor gets one reply and the conversation stores the
message once. The id is recorded when the message arrives (not after it was answered), so a
redelivery that comes while the first delivery is still being answered is dropped too.

Where the ids are kept:

* with a Redis lock store (replicas: ``endpoints.production.yml``), in that Redis, with
  ``SET NX`` and an expiry (``TTL_S``, a day: longer than either provider retries): atomic, so
  a redelivery that reaches another replica is recognised too, and it costs one round trip on
  the connection the lock store already has;
* otherwise (one Rasa process) in this process, the latest ``CAPACITY`` ids (an LRU): nothing
  else to run, memory bounded. A restart forgets them (a redelivery across a restart is answered
  twice). When Redis cannot be reached, the process's own record is used for that message.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any, Optional, Text

from rasa.core.lock_store import RedisLockStore
from sanic.request import Request

logger = logging.getLogger(__name__)

TTL_S = 24 * 3600
CAPACITY = 10_000


def redis_lock_store(request: Request) -> Optional[RedisLockStore]:
    """The Rasa server's lock store when it is Redis (None otherwise)."""
    agent = getattr(request.app.ctx, "agent", None)
    store = getattr(agent, "lock_store", None)
    return store if isinstance(store, RedisLockStore) else None


class Deliveries:
    """The message ids already received: in the Redis lock store's Redis, else in this process."""

    def __init__(self, capacity: int = CAPACITY, ttl_s: int = TTL_S) -> None:
        self.capacity = capacity
        self.ttl_s = ttl_s
        self._seen: "OrderedDict[Text, None]" = OrderedDict()
        self._lock = threading.Lock()

    def first_here(self, key: Text) -> bool:
        """True the first time this process sees ``key`` (among the latest ``capacity``)."""
        with self._lock:
            if key in self._seen:
                self._seen.move_to_end(key)
                return False
            self._seen[key] = None
            if len(self._seen) > self.capacity:
                self._seen.popitem(last=False)
            return True

    def first(self, request: Request, channel: Text, message_id: Any) -> bool:
        """True the first time message ``message_id`` of ``channel`` is received (always True without an id)."""
        if message_id is None or message_id == "":
            return True
        key = f"{channel}:{message_id}"
        store = redis_lock_store(request)
        if store is not None:
            prefix = store.key_prefix.rsplit("lock:", 1)[0]
            try:
                return bool(store.red.set(f"{prefix}delivery:{key}", 1, nx=True, ex=self.ttl_s))
            except Exception as error:  # noqa: BLE001 (Redis unreachable: this process's record instead)
                logger.warning("Redelivery check in Redis failed (%s): checked in this process", type(error).__name__)
        return self.first_here(key)


DELIVERIES = Deliveries()


def redelivered(request: Request, channel: Text, message_id: Any) -> bool:
    """True when ``message_id`` of ``channel`` was received before: acknowledge it, do not answer again."""
    if DELIVERIES.first(request, channel, message_id):
        return False
    logger.info("%s: message %s delivered again: acknowledged, not answered twice", channel, message_id)
    return True

"""Rasa's Redis lock store with atomic ticket issue and release, for several Rasa processes.

Rasa 3.6's open-source ``RedisLockStore`` issues a ticket by reading the serialised lock, adding a
ticket in Python and writing the lock back: two processes (replicas) issuing at the same moment
both read the same lock, take the same ticket number and one write wins, so two messages of one
conversation can be processed at once and their events interleave. Releasing (remove the ticket,
delete the lock when nobody waits) has the same race, and a waiter whose lock was deleted under it
fails with ``LockError``.

Here every change of a lock is one Lua script run by Redis (atomic): issue (drop expired tickets,
append the next number), release (remove the ticket, delete the lock when it was the last one)
and the expiry sweep. The lock keeps Rasa's format (``TicketLock`` JSON under
``<prefix>:lock:<conversation>``), so Rasa's reads (``get_lock``) are unchanged. Ticket numbers come
from a per-conversation counter (``<prefix>:lockseq:<conversation>``) that outlives every ticket, so a
number is never issued twice while any ticket that could hold it is alive. Both keys expire after
their last ticket would have: a crashed replica leaves nothing behind. Tickets live
``ticket_lifetime`` seconds (10) and are renewed every quarter of it while their holder waits or works,
so a replica killed mid-message blocks its conversations for at most that long (Rasa's tickets live
60 s, not renewed: a message longer than that loses its lock, a crash blocks the conversation a minute). Waiters poll every
``poll_interval`` seconds (Rasa polls every second), so a burst of messages in one conversation
is served in ticket order (FIFO) without a second's pause between them.

In endpoints: ``lock_store: {type: connectors.lock_store.AtomicRedisLockStore, url: HOST, port: ...,
db: ..., password: ..., key_prefix: ..., poll_interval: 0.02, ticket_lifetime: 10}`` (Rasa's Redis keys plus
``poll_interval`` and ``ticket_lifetime``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL_S = 0.02
# A ticket's lifetime, renewed every quarter of it while its holder lives (Rasa's default is 60 s, not renewed).
DEFAULT_TICKET_LIFETIME_S = 10.0
# Seconds a lock key and its ticket counter live after the last ticket's expiry.
KEY_MARGIN_S = 60

# Shared Lua: KEYS[1] the lock; ARGV[1] now (s). Reads the lock's tickets without the expired ones
# into `kept` (each the JSON string Rasa stores) and `expires` (the latest expiry kept).
_READ_TICKETS = """
local function read_tickets(raw, now)
  local kept, expires = {}, 0
  if raw then
    local lock = cjson.decode(raw)
    if type(lock.tickets) == 'table' then
      for _, text in ipairs(lock.tickets) do
        local ticket = cjson.decode(text)
        if tonumber(ticket.expires) >= now then
          table.insert(kept, text)
          if tonumber(ticket.expires) > expires then expires = tonumber(ticket.expires) end
        end
      end
    end
  end
  return kept, expires
end
local function write_lock(key, conversation_id, kept, expires, now)
  local encoded = {}
  for i, text in ipairs(kept) do encoded[i] = cjson.encode(text) end
  redis.call('SET', key, '{"conversation_id": ' .. cjson.encode(conversation_id) .. ', "tickets": [' ..
    table.concat(encoded, ', ') .. ']}')
  redis.call('EXPIRE', key, math.max(1, math.ceil(expires - now) + MARGIN))
end
""".replace("MARGIN", str(KEY_MARGIN_S))

# KEYS: lock, counter. ARGV: now, lifetime (s), conversation id. Returns the new ticket's number.
ISSUE = (
    _READ_TICKETS
    + """
local now, lifetime = tonumber(ARGV[1]), tonumber(ARGV[2])
local kept, expires = read_tickets(redis.call('GET', KEYS[1]), now)
local number = redis.call('INCR', KEYS[2]) - 1
local ticket_expires = now + lifetime
table.insert(kept, '{"number": ' .. string.format('%d', number) .. ', "expires": ' ..
  string.format('%.6f', ticket_expires) .. '}')
if ticket_expires > expires then expires = ticket_expires end
write_lock(KEYS[1], ARGV[3], kept, expires, now)
redis.call('EXPIRE', KEYS[2], math.ceil(lifetime) + MARGIN)
return number
""".replace("MARGIN", str(KEY_MARGIN_S))
)

# KEYS: lock. ARGV: now, conversation id, ticket number (-1: none, only drop expired tickets),
# delete when empty (1/0). Returns how many tickets are left.
RELEASE = (
    _READ_TICKETS
    + """
local now, number = tonumber(ARGV[1]), tonumber(ARGV[3])
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local kept, expires = read_tickets(raw, now)
local left, latest = {}, 0
for _, text in ipairs(kept) do
  local ticket = cjson.decode(text)
  if tonumber(ticket.number) ~= number then
    table.insert(left, text)
    if tonumber(ticket.expires) > latest then latest = tonumber(ticket.expires) end
  end
end
if #left == 0 and ARGV[4] == '1' then
  redis.call('DEL', KEYS[1])
else
  write_lock(KEYS[1], ARGV[2], left, latest, now)
end
return #left
"""
)


# KEYS: lock, counter. ARGV: now, conversation id, ticket number, lifetime (s). Pushes the ticket's expiry to
# now + lifetime; returns 1, or 0 when the ticket is gone (expired, released).
EXTEND = (
    _READ_TICKETS
    + """
local now, number, lifetime = tonumber(ARGV[1]), tonumber(ARGV[3]), tonumber(ARGV[4])
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local kept, expires = read_tickets(raw, now)
local found = 0
for i, text in ipairs(kept) do
  if tonumber(cjson.decode(text).number) == number then
    kept[i] = '{"number": ' .. string.format('%d', number) .. ', "expires": ' .. string.format('%.6f', now + lifetime) .. '}'
    if now + lifetime > expires then expires = now + lifetime end
    found = 1
  end
end
if found == 1 then
  write_lock(KEYS[1], ARGV[2], kept, expires, now)
  redis.call('EXPIRE', KEYS[2], math.ceil(lifetime) + MARGIN)
end
return found
""".replace("MARGIN", str(KEY_MARGIN_S))
)


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose ticket issue, release and expiry sweep are atomic Lua scripts."""

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        *,
        poll_interval: float = DEFAULT_POLL_INTERVAL_S,
        ticket_lifetime: float = DEFAULT_TICKET_LIFETIME_S,
        **kwargs: Any,
    ) -> None:
        if endpoint_config is not None:  # built by Rasa from endpoints (`type: connectors.lock_store...`)
            options = dict(endpoint_config.kwargs)
            poll_interval = float(options.pop("poll_interval", poll_interval))
            ticket_lifetime = float(options.pop("ticket_lifetime", ticket_lifetime))
            kwargs = {"host": endpoint_config.url or "localhost", **options, **kwargs}
        super().__init__(**kwargs)
        self.poll_interval = float(poll_interval)
        self.ticket_lifetime = float(ticket_lifetime)
        self._issue = self.red.register_script(ISSUE)
        self._release = self.red.register_script(RELEASE)
        self._extend = self.red.register_script(EXTEND)

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ticket lock, with tickets of ``ticket_lifetime`` seconds kept alive while their holder
        waits or works: a live replica keeps its turn however long a message takes, a crashed one's
        turn passes to the next ticket within ``ticket_lifetime`` (Rasa's ``lock_lifetime`` is not used)."""
        ticket = self.issue_ticket(conversation_id, self.ticket_lifetime)
        keeper = asyncio.ensure_future(self._keep_alive(conversation_id, ticket))
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            keeper.cancel()
            self.cleanup(conversation_id, ticket)

    async def _keep_alive(self, conversation_id: Text, ticket: int) -> None:
        """Push the ticket's expiry forward every quarter of its lifetime until cancelled or gone."""
        while True:
            await asyncio.sleep(self.ticket_lifetime / 4)
            try:
                if not self.extend_ticket(conversation_id, ticket):
                    return
            except Exception as error:  # Redis unreachable for a moment: try again at the next beat
                logger.warning(f"Could not extend the lock ticket of '{conversation_id}': {error}")

    def extend_ticket(self, conversation_id: Text, ticket: int) -> bool:
        """Set the ticket's expiry to ``ticket_lifetime`` from now; False when it no longer exists."""
        return bool(
            self._extend(
                keys=[self.key_prefix + conversation_id, self._counter_key(conversation_id)],
                args=[repr(time.time()), conversation_id, int(ticket), repr(self.ticket_lifetime)],
            )
        )

    def _counter_key(self, conversation_id: Text) -> Text:
        # "<prefix>:lockseq:<id>" cannot clash with a lock key "<prefix>:lock:<id>".
        return self.key_prefix[: -len("lock:")] + "lockseq:" + conversation_id

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Append a ticket to the conversation's lock (created when missing) in one step."""
        try:
            return int(
                self._issue(
                    keys=[self.key_prefix + conversation_id, self._counter_key(conversation_id)],
                    args=[repr(time.time()), repr(float(lock_lifetime)), conversation_id],
                )
            )
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove the ticket (the lock stays, even empty: see :meth:`cleanup`)."""
        self._run_release(conversation_id, ticket_number, delete_when_empty=False)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove the ticket and, in the same step, the lock when no other ticket is left."""
        self._run_release(conversation_id, ticket_number, delete_when_empty=True)

    def update_lock(self, conversation_id: Text) -> None:
        """Drop the expired tickets in one step."""
        self._run_release(conversation_id, -1, delete_when_empty=False)

    def _run_release(self, conversation_id: Text, ticket_number: int, delete_when_empty: bool) -> int:
        return int(
            self._release(
                keys=[self.key_prefix + conversation_id],
                args=[repr(time.time()), conversation_id, int(ticket_number), "1" if delete_when_empty else "0"],
            )
        )

    def save_lock(self, lock: TicketLock) -> None:
        """Rasa's whole-lock write (not used by this store's own steps), with the key's expiry."""
        super().save_lock(lock)
        latest = max((ticket.expires for ticket in lock.tickets), default=time.time())
        self.red.expire(self.key_prefix + lock.conversation_id, max(1, int(latest - time.time()) + KEY_MARGIN_S))

    async def _acquire_lock(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        """Rasa's wait for our turn, polling every ``poll_interval`` seconds (at most ``wait_time_in_seconds``)."""
        interval = min(self.poll_interval, wait_time_in_seconds)
        while True:
            lock = self.get_lock(conversation_id)
            if not lock:
                break
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(interval)
            self.update_lock(conversation_id)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")

"""Rasa's SQL tracker store with the latest trackers kept in memory, coherent across Rasa processes.

Rasa's ``SQLTrackerStore`` reads every event of the conversation session from the database,
parses it and replays it into a new tracker on each message, and counts the stored events
before each save: a profile put about a third of each message's time there, growing with the
conversation's length. This store keeps the tracker it last saved for each of the
``max_cached`` most recent conversations and writes only the new events; the database stays
the record (conversations survive a restart; the review inbox reads them).

Several Rasa processes (replicas) may serve one conversation in turn. So a cached tracker is only
used when the database holds no newer event of that conversation than the cache saw: each
retrieve asks for the conversation's highest event id (one query on an index
``(sender_id, id)`` that this store creates, a few rows read whatever the conversation's length)
and compares it with the id of the last event this process wrote or read; on a difference (another
replica wrote since) the tracker is read again from the database. This relies on the lock store
letting one process at a time handle a conversation (``connectors/lock_store.py`` with Redis):
between this store's save and the next retrieve, another process's write always shows as a newer
id. ``check_database: false`` skips the query (one process only, as ``make run``).

A retrieved tracker is taken out of the cache and only put back when it is saved, so a message
whose processing fails never leaves unsaved events behind.

Database work runs in worker threads (a slow database holds its own conversation, not the
event loop); on PostgreSQL connections have the connect and statement timeouts of ``bot/db.py``.

When the visitor cancels the handoff form, what they typed into it (message texts, name and
contact slots) is emptied in the stored events (``connectors/form_erasure.py``) and the
conversation is read again from the database on its next message.

In endpoints.yml: ``tracker_store: {type: connectors.tracker_store.CachedSQLTrackerStore, ...}``
with the same keys as Rasa's SQL store, plus ``max_cached`` (default 1000) and ``check_database``
(default true).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import weakref
from collections import OrderedDict
from typing import Any, Dict, Iterator, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.db import postgresql_timeouts
from connectors import form_erasure

logger = logging.getLogger(__name__)

DEFAULT_MAX_CACHED = 1000
# The index that makes the per-message check read a few rows whatever the conversation's length.
VERSION_INDEX = "ix_events_sender_id_id"


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() not in ("false", "0", "no", "off", "")


class CachedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that remembers the trackers it saved (least recently used dropped) and
    re-reads one when the database holds newer events of its conversation."""

    def __init__(
        self, *args: Any, max_cached: int = DEFAULT_MAX_CACHED, check_database: Any = True, **kwargs: Any
    ) -> None:
        if str(kwargs.get("dialect", "")).startswith("postgresql"):  # endpoints' own `query` wins
            kwargs["query"] = {**postgresql_timeouts(), **(kwargs.get("query") or {})}
        super().__init__(*args, **kwargs)
        self.max_cached = int(max_cached)
        self.check_database = _flag(check_database)
        # sender -> (the tracker as last saved, the id of the conversation's last stored event)
        self._saved: "OrderedDict[Text, Tuple[DialogueStateTracker, Optional[int]]]" = OrderedDict()
        # sender -> (the tracker object handed out or saved, how many of its events are stored)
        self._stored: "OrderedDict[Text, Tuple[weakref.ref, int]]" = OrderedDict()
        # max(id) of the conversation, written so that the planner reads it from the end of VERSION_INDEX
        self._version_query = (
            sa.select(self.SQLEvent.id)
            .where(self.SQLEvent.sender_id == sa.bindparam("sender_id"))
            .order_by(self.SQLEvent.sender_id.desc(), self.SQLEvent.id.desc())
            .limit(1)
        )
        self.cache_hits = self.cache_misses = self.stale_reads = 0
        if self.check_database:
            self._create_version_index()

    def _create_version_index(self) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {VERSION_INDEX} ON events (sender_id, id)"))
        except sa.exc.SQLAlchemyError as error:  # another replica creating it at the same moment
            logger.warning(f"Could not create the index {VERSION_INDEX}: {error}")

    def last_event_id(self, sender_id: Text) -> Optional[int]:
        """The id of the conversation's last stored event (None: no event): the per-message check."""
        with self.engine.connect() as connection:
            return connection.execute(self._version_query, {"sender_id": sender_id}).scalar()

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The tracker as last saved by this process when the database has nothing newer, else read from it."""
        cached = self._saved.pop(sender_id, None)
        if cached is not None:
            tracker, last_id = cached
            if not self.check_database or await asyncio.to_thread(self.last_event_id, sender_id) == last_id:
                self.cache_hits += 1
                return tracker
            self.stale_reads += 1  # another process wrote to this conversation since
        else:
            self.cache_misses += 1
        tracker = await asyncio.to_thread(self._read, sender_id)
        if tracker is not None:
            self._remember_stored(tracker)
        return tracker

    def _read(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The conversation's latest session from the database (as ``SQLTrackerStore.retrieve``)."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            events = [json.loads(row.data) for row in rows]
        if not events or not self.domain:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the tracker's new events (as Rasa's SQL store does), then keep it for the next message
        with the id of its last stored event."""
        await self.stream_events(tracker)
        new_events, last_id = await asyncio.to_thread(self._write_new_events, tracker)
        if form_erasure.cancels_form(new_events):
            await asyncio.to_thread(self.erase_cancelled_form, tracker.sender_id)
            self._stored.pop(tracker.sender_id, None)
            return  # not cached: the next message reads the conversation as stored, erased
        if last_id is None and self.check_database:  # nothing new: ask (rare)
            last_id = await asyncio.to_thread(self.last_event_id, tracker.sender_id)
        self._remember_stored(tracker)
        self._saved[tracker.sender_id] = (tracker, last_id)
        self._saved.move_to_end(tracker.sender_id)
        while len(self._saved) > self.max_cached:
            self._saved.popitem(last=False)

    def _write_new_events(self, tracker: DialogueStateTracker) -> Tuple[List[Dict[str, Any]], Optional[int]]:
        """Store the events not stored yet: (them as stored, the id of the last one; None: none)."""
        new_events: List[Dict[str, Any]] = []
        with self.session_scope() as session:
            rows: List[Any] = []
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                new_events.append(data)
                rows.append(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.add_all(rows)
            session.flush()  # assigns the ids
            last_id = max((row.id for row in rows), default=None)
            session.commit()
        return new_events, last_id

    def erase_cancelled_form(self, sender_id: Text) -> int:
        """Empty what the visitor typed into the handoff form since its last start (see
        ``connectors/form_erasure.py``) in the stored events; how many events were changed."""
        events = self.SQLEvent
        with self.session_scope() as session:
            starts = session.execute(
                sa.select(events.id, events.data)
                .where(events.sender_id == sender_id, events.type_name == "active_loop")
                .order_by(events.id.desc())
            )
            start = next((row.id for row in starts if form_erasure.starts_form(json.loads(row.data))), None)
            if start is None:
                return 0
            changed = 0
            for row in session.execute(
                sa.select(events.id, events.data).where(
                    events.sender_id == sender_id, events.id > start, events.type_name.in_(("user", "slot"))
                )
            ).all():
                erased = form_erasure.erased(json.loads(row.data))
                if erased is not None:
                    session.execute(sa.update(events).where(events.id == row.id).values(data=json.dumps(erased)))
                    changed += 1
            session.commit()
        return changed

    def _remember_stored(self, tracker: DialogueStateTracker) -> None:
        self._stored[tracker.sender_id] = (weakref.ref(tracker), len(tracker.events))
        self._stored.move_to_end(tracker.sender_id)
        while len(self._stored) > 2 * self.max_cached:
            self._stored.popitem(last=False)

    def cache_statistics(self) -> Dict[str, int]:
        """Retrieves answered from the cache, read because not cached, read again because another process wrote."""
        return {"hits": self.cache_hits, "misses": self.cache_misses, "stale": self.stale_reads}

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events not stored yet: counted in memory for a tracker this store read or saved,
        else by Rasa's query."""
        events = tracker.events
        reference, stored = self._stored.get(tracker.sender_id, (None, 0))
        if reference is None or reference() is not tracker or stored > len(events):
            return super()._additional_events(session, tracker)
        return itertools.islice(events, stored, len(events))

"""Rasa's SQL tracker store with the latest trackers kept in memory, for a single Rasa process.

Rasa's ``SQLTrackerStore`` reads every event of the conversation session from the database,
parses it and replays it into a new tracker on each message, and counts the stored events
before each save: a profile put about a third of each message's time there, growing with the
conversation's length. This store keeps the tracker it last saved for each of the
``max_cached`` most recent conversations and writes only the new events; the database stays
the record (conversations survive a restart; the review inbox reads them).

A retrieved tracker is taken out of the cache and only put back when it is saved, so a message
whose processing fails never leaves unsaved events behind. The cache assumes this process is the
only writer: with several Rasa processes on one database use Rasa's ``SQL`` store
(``endpoints.production.yml`` does).

In endpoints.yml: ``tracker_store: {type: connectors.tracker_store.CachedSQLTrackerStore, ...}``
with the same keys as Rasa's SQL store, plus ``max_cached`` (default 1000).
"""
from __future__ import annotations

import itertools
import weakref
from collections import OrderedDict
from typing import Any, Iterator, Optional, Text, Tuple

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

DEFAULT_MAX_CACHED = 1000


class CachedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that remembers the trackers it saved (least recently used dropped)."""

    def __init__(self, *args: Any, max_cached: int = DEFAULT_MAX_CACHED, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_cached = int(max_cached)
        self._saved: "OrderedDict[Text, DialogueStateTracker]" = OrderedDict()
        # sender -> (the tracker object handed out or saved, how many of its events are stored)
        self._stored: "OrderedDict[Text, Tuple[weakref.ref, int]]" = OrderedDict()

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The tracker as last saved by this process, else read from the database."""
        tracker = self._saved.pop(sender_id, None)
        if tracker is not None:
            return tracker
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._remember_stored(tracker)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the tracker's new events, then keep it for the next message."""
        await super().save(tracker)
        self._remember_stored(tracker)
        self._saved[tracker.sender_id] = tracker
        self._saved.move_to_end(tracker.sender_id)
        while len(self._saved) > self.max_cached:
            self._saved.popitem(last=False)

    def _remember_stored(self, tracker: DialogueStateTracker) -> None:
        self._stored[tracker.sender_id] = (weakref.ref(tracker), len(tracker.events))
        self._stored.move_to_end(tracker.sender_id)
        while len(self._stored) > 2 * self.max_cached:
            self._stored.popitem(last=False)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events not stored yet: counted in memory for a tracker this store read or saved,
        else by Rasa's query."""
        events = tracker.events
        reference, stored = self._stored.get(tracker.sender_id, (None, 0))
        if reference is None or reference() is not tracker or stored > len(events):
            return super()._additional_events(session, tracker)
        return itertools.islice(events, stored, len(events))

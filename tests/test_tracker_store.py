"""The cached SQL tracker store keeps exactly what Rasa's SQL store keeps, on SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
from typing import List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.settings import PROJECT_ROOT
from connectors.tracker_store import CachedSQLTrackerStore

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def _settings(database_url: str) -> dict:
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        return {"dialect": "sqlite", "db": url.database}
    return {"dialect": "postgresql", "host": url.host, "port": url.port, "db": url.database,
            "username": url.username}


def _turn(text: str, intent: str, answer: str, topic: str) -> List[Event]:
    return [UserUttered(text, intent={"name": intent, "confidence": 0.9}), ActionExecuted("action_answer"),
            BotUttered(answer), SlotSet("topic", topic), ActionExecuted("action_listen")]


async def _converse(store: CachedSQLTrackerStore, sender: str, turns: int) -> DialogueStateTracker:
    for number in range(turns):
        tracker = await store.retrieve(sender) or DialogueStateTracker(sender, DOMAIN.slots)
        for event in _turn(f"question {number}", "ask_safety", f"answer {number}", f"topic {number}"):
            tracker.update(event)
        await store.save(tracker)
    return tracker


def _texts(tracker: DialogueStateTracker) -> List[str]:
    return [event.text for event in tracker.events if isinstance(event, (UserUttered, BotUttered))]


def test_saved_conversations_are_stored_once_and_read_back_after_a_restart(database_url: str) -> None:
    async def scenario() -> None:
        store = CachedSQLTrackerStore(DOMAIN, **_settings(database_url))
        last = await _converse(store, "visitor", turns=5)
        plain = SQLTrackerStore(DOMAIN, **_settings(database_url))  # what Rasa itself reads
        stored = await plain.retrieve("visitor")
        assert len(stored.events) == len(last.events) == 25  # no event written twice
        assert _texts(stored) == [text for n in range(5) for text in (f"question {n}", f"answer {n}")]
        assert stored.get_slot("topic") == "topic 4"
        restarted = CachedSQLTrackerStore(DOMAIN, **_settings(database_url))
        await _converse(restarted, "visitor", turns=1)
        assert len((await plain.retrieve("visitor")).events) == 30
    asyncio.run(scenario())


def test_a_message_that_fails_before_saving_leaves_nothing_behind(database_url: str) -> None:
    async def scenario() -> None:
        store = CachedSQLTrackerStore(DOMAIN, **_settings(database_url))
        await _converse(store, "visitor", turns=2)
        failing = await store.retrieve("visitor")
        failing.update(UserUttered("never saved", intent={"name": "greet", "confidence": 1.0}))
        again = await store.retrieve("visitor")
        assert "never saved" not in _texts(again) and len(again.events) == 10
        await _converse(store, "visitor", turns=1)
        assert len((await SQLTrackerStore(DOMAIN, **_settings(database_url)).retrieve("visitor")).events) == 15
    asyncio.run(scenario())


def test_least_recent_conversations_leave_the_cache_but_not_the_database(database_url: str) -> None:
    async def scenario() -> None:
        store = CachedSQLTrackerStore(DOMAIN, max_cached=2, **_settings(database_url))
        for sender in ("a", "b", "c"):
            await _converse(store, sender, turns=2)
        assert list(store._saved) == ["b", "c"]
        await _converse(store, "a", turns=1)
        plain = SQLTrackerStore(DOMAIN, **_settings(database_url))
        assert [len((await plain.retrieve(sender)).events) for sender in "abc"] == [15, 10, 10]
    asyncio.run(scenario())


def test_two_replicas_writing_in_turn_each_see_the_others_events_stored_once(database_url: str) -> None:
    """Two stores on one database (two Rasa replicas) take turns on a conversation, as the lock store
    lets them: each turn starts from every event so far, and each event is stored exactly once."""
    async def scenario() -> None:
        replicas = [CachedSQLTrackerStore(DOMAIN, **_settings(database_url)) for _ in range(2)]
        for number in range(6):
            store = replicas[number % 2]
            tracker = await store.retrieve("visitor") or DialogueStateTracker("visitor", DOMAIN.slots)
            assert len(tracker.events) == 5 * number  # the other replica's last turn included
            for event in _turn(f"question {number}", "ask_safety", f"answer {number}", f"topic {number}"):
                tracker.update(event)
            await store.save(tracker)
        stored = await SQLTrackerStore(DOMAIN, **_settings(database_url)).retrieve("visitor")
        assert _texts(stored) == [text for n in range(6) for text in (f"question {n}", f"answer {n}")]
        assert stored.get_slot("topic") == "topic 5"
        # from the second turn on, each retrieve found the cached tracker stale (the other one wrote)
        assert [replica.cache_statistics()["stale"] for replica in replicas] == [2, 2]
        # a replica that is the only writer keeps using its cache
        await _converse(replicas[0], "visitor", turns=2)
        assert replicas[0].cache_statistics()["hits"] == 1
        assert len((await SQLTrackerStore(DOMAIN, **_settings(database_url)).retrieve("visitor")).events) == 40
    asyncio.run(scenario())

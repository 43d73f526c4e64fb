"""A cancelled handoff form: what the visitor typed into it is gone from the stored conversation
(connectors/form_erasure.py through the cached SQL tracker store), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import List

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.settings import PROJECT_ROOT
from connectors.tracker_store import CachedSQLTrackerStore

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
NAME, EMAIL, HEALTH = "Jane Quimby", "jane.quimby@example.com", "I take warfarin daily"


def _store(database_url: str) -> CachedSQLTrackerStore:
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        return CachedSQLTrackerStore(DOMAIN, dialect="sqlite", db=url.database)
    return CachedSQLTrackerStore(
        DOMAIN, dialect="postgresql", host=url.host, port=url.port, db=url.database, username=url.username
    )


def _user(message: str, intent: str = "out_of_scope") -> UserUttered:
    return UserUttered(message, intent={"name": intent, "confidence": 0.9})


def _turns() -> List[List[Event]]:
    """A question, then the handoff form: consent, name, a health detail, contact, cancel."""
    return [
        [_user("is mesotherapy painful?", "ask_pain"), BotUttered("Some discomfort."), ActionExecuted("action_listen")],
        [_user("I want to talk to a person", "request_human"), ActiveLoop("handoff_form"), BotUttered("Is that OK?")],
        [_user("yes", "affirm"), SlotSet("handoff_consent", True), BotUttered("What is your name?")],
        [_user(NAME), SlotSet("contact_name", NAME), BotUttered("What phone number or email address?")],
        [_user(HEALTH), BotUttered("Please type a phone number or email address.")],
        [_user(EMAIL), SlotSet("contact_detail", EMAIL), BotUttered("Anything else?")],
        [
            _user("cancel"),
            SlotSet("handoff_consent", False),
            SlotSet("contact_name", None),
            SlotSet("contact_detail", None),
            ActiveLoop(None),
            BotUttered("OK, I've cancelled that"),
            ActionExecuted("action_listen"),
        ],
    ]


async def _converse(store: CachedSQLTrackerStore, sender: str, turns: List[List[Event]]) -> None:
    """Each turn as the Rasa server handles a message: retrieve, add the turn's events, save."""
    for events in turns:
        tracker = await store.retrieve(sender) or DialogueStateTracker(sender, DOMAIN.slots)
        for event in events:
            tracker.update(event)
        await store.save(tracker)


def _stored_data(database_url: str, sender: str) -> str:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT data FROM events WHERE sender_id = :s"), {"s": sender})
            return "\n".join(row.data for row in rows)
    finally:
        engine.dispose()


def test_cancelling_the_form_erases_the_name_contact_and_what_was_typed_in_it(database_url: str) -> None:
    async def scenario() -> None:
        store = _store(database_url)
        await _converse(store, "web:jane", _turns())
        await _converse(store, "web:other", _turns()[:4])  # another visitor, still in the form
        stored = _stored_data(database_url, "web:jane")
        for typed in (NAME, EMAIL, HEALTH):
            assert typed not in stored
        assert "is mesotherapy painful?" in stored and "I want to talk to a person" in stored  # before the form
        assert NAME in _stored_data(database_url, "web:other")
        tracker = await SQLTrackerStore(DOMAIN, **_plain_settings(database_url)).retrieve("web:jane")
        assert tracker.get_slot("contact_name") is None and tracker.get_slot("contact_detail") is None
        intents = [event.intent_name for event in tracker.events if isinstance(event, UserUttered)]
        assert intents == [
            "ask_pain",
            "request_human",
            "affirm",
            "out_of_scope",
            "out_of_scope",
            "out_of_scope",
            "out_of_scope",
        ]  # the conversation's course is kept, its words are not
        # The next message continues the conversation as stored, without the erased words.
        await _converse(store, "web:jane", [[_user("thanks", "thank"), BotUttered("You're welcome.")]])
        next_turn = await store.retrieve("web:jane")
        assert all(NAME not in (event.text or "") for event in next_turn.events if isinstance(event, UserUttered))
        assert "thanks" in _stored_data(database_url, "web:jane")

    asyncio.run(scenario())


def test_a_completed_form_keeps_its_answers(database_url: str) -> None:
    async def scenario() -> None:
        store = _store(database_url)
        turns = _turns()
        await _converse(store, "web:kept", turns[:4] + turns[5:6])
        stored = _stored_data(database_url, "web:kept")
        assert NAME in stored and EMAIL in stored

    asyncio.run(scenario())


def _plain_settings(database_url: str) -> dict:
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        return {"dialect": "sqlite", "db": url.database}
    return {"dialect": "postgresql", "host": url.host, "port": url.port, "db": url.database, "username": url.username}

"""Personal data: forget a visitor, apply the retention period, mask contacts in the review inbox.

On real databases (SQLite and PostgreSQL): the tracker store is created and filled by Rasa's own
SQLTrackerStore, the handoff requests by bot.clinic.handoff.
"""
from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from bot.clinic import contact_form, handoff
from bot.db import make_engine, make_session_factory
from bot.maintain.privacy import Target, apply_retention, forget, same_phone
from bot.maintain.review.inbox import Group, Inbox
from bot.maintain.review.inbox_file import read_labels, write_inbox
from bot.masking import install_log_masking, mask_contacts
from bot.settings import PROJECT_ROOT
from tests.support import postgres_database

NOW = time.time()
OLD = NOW - 60 * 86400  # older than the default 30 days
PHONE_TYPED, PHONE_STORED = "020 7946 0000", "+442079460000"


def _rasa_store(url: str):
    """Rasa's own SQL tracker store on ``url`` (it creates its ``events`` table)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=parsed.database)
    return SQLTrackerStore(Domain.empty(), dialect="postgresql", host=parsed.host, port=parsed.port,
                           db=parsed.database, username=parsed.username, password=parsed.password)


def _conversation(sender: str, turns: List[Tuple[str, float]], contact: str = "") -> object:
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    events: list = [ActionExecuted("action_session_start", timestamp=turns[0][1])]
    for message, at in turns:
        events += [UserUttered(message, {"name": "out_of_scope", "confidence": 0.9}, timestamp=at),
                   BotUttered("Sorry, I can only answer questions about mesotherapy.", timestamp=at + 1)]
    if contact:
        events.append(SlotSet("contact_detail", contact, timestamp=turns[-1][1] + 2))
    return DialogueStateTracker.from_events(sender, events)


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tuple[str, str]]:
    """(tracker store URL, handoff database URL), filled: web:anna mentions a phone number and
    asked for a handoff; web:bob did not; web:old is 60 days old."""
    if request.param == "sqlite":
        urls: Tuple[str, str] = (f"sqlite:///{tmp_path / 'conversations.db'}", f"sqlite:///{tmp_path / 'knowledge.db'}")
        yield from filled_stores(urls)
    else:
        for url in postgres_database():
            yield from filled_stores((url, url))


def filled_stores(urls: Tuple[str, str]) -> Iterator[Tuple[str, str]]:
    """Fill (tracker store URL, handoff database URL) as ``stores`` describes; yield them."""
    store = _rasa_store(urls[0])
    anna = _conversation("web:anna", [("is it painful?", NOW - 300), (f"call me on {PHONE_TYPED} please", NOW - 200)],
                         contact=PHONE_STORED)
    bob = _conversation("web:bob", [("what's the weather", NOW - 100), ("mail bob@example.com", NOW - 50)])
    old = _conversation("web:old", [("book me a flight", OLD)])
    for tracker in (anna, bob, old):
        asyncio.run(store.save(tracker))
    store.engine.dispose()
    engine = make_engine(urls[1])
    handoff.create_tables(engine)
    sessions = make_session_factory(engine)
    handoff.store_request(sessions, "web:anna", "request_human", "Anna Smith", contact_form.Contact(PHONE_STORED, "phone"))
    handoff.store_request(sessions, "web:bob", "request_human", "Bob Jones", contact_form.Contact("bob@example.com", "email"))
    stale = handoff.store_request(sessions, "web:old", "book_consultation", "Old Visitor",
                                  contact_form.Contact("+15550100999", "phone"))
    with sessions() as session, session.begin():
        session.get(handoff.HandoffRequest, stale.id).created_at = datetime.now(timezone.utc) - timedelta(days=60)
    engine.dispose()
    yield urls


def _events(engine: Engine) -> dict:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id")).all()
    return dict(rows)


def _handoffs(engine: Engine) -> List[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(text("SELECT conversation_id FROM handoff_requests")).scalars())


def _inbox(path: Path, texts: List[str]) -> Path:
    at = datetime.now(timezone.utc)
    groups = [Group(text, (), 1, 1, ("out_of_scope",), "out_of_scope", 0.9, at, at) for text in texts]
    write_inbox(path, Inbox(groups, len(groups), len(groups)), ["greet"], 0.6, "test")
    return path


def test_forget_by_phone_deletes_exactly_that_visitors_conversation_request_and_inbox_entries(
        stores: Tuple[str, str], tmp_path: Path) -> None:
    tracker, database = make_engine(stores[0]), make_engine(stores[1])
    before = _events(tracker)
    assert set(before) == {"web:anna", "web:bob", "web:old"}
    inbox = _inbox(tmp_path / "review-inbox.yml", ["is it painful?", "what's the weather", "book me a flight"])

    deleted = forget(Target(phone="+44 (0)20 7946 0000"), tracker, database, inbox)

    assert _events(tracker) == {"web:bob": before["web:bob"], "web:old": before["web:old"]}
    assert _handoffs(database) == ["web:bob", "web:old"]
    assert [label.text for label in read_labels(inbox)] == ["what's the weather", "book me a flight"]
    assert (deleted.conversations, deleted.events, deleted.handoff_requests, deleted.inbox_entries) == (
        1, before["web:anna"], 1, 1)
    assert forget(Target(phone=PHONE_TYPED), tracker, database, inbox).summary().startswith("0 tracker events")
    tracker.dispose()
    database.dispose()


def test_forget_by_email_and_by_conversation(stores: Tuple[str, str]) -> None:
    tracker, database = make_engine(stores[0]), make_engine(stores[1])
    before = _events(tracker)
    deleted = forget(Target(email="Bob@Example.com"), tracker, database)
    assert (deleted.events, deleted.handoff_requests) == (before["web:bob"], 1)
    assert set(_events(tracker)) == {"web:anna", "web:old"} and _handoffs(database) == ["web:anna", "web:old"]
    deleted = forget(Target(conversation="web:old"), tracker, database)
    assert (deleted.events, deleted.handoff_requests) == (before["web:old"], 1)
    assert set(_events(tracker)) == {"web:anna"} and _handoffs(database) == ["web:anna"]
    tracker.dispose()
    database.dispose()


def test_retention_deletes_only_what_is_older_than_the_period(stores: Tuple[str, str]) -> None:
    tracker, database = make_engine(stores[0]), make_engine(stores[1])
    before = _events(tracker)
    result = apply_retention(30, tracker, database)
    assert (result.events, result.handoff_requests) == (before["web:old"], 1)
    assert _events(tracker) == {"web:anna": before["web:anna"], "web:bob": before["web:bob"]}
    assert _handoffs(database) == ["web:anna", "web:bob"]
    assert (apply_retention(30, tracker, database).events, apply_retention(1, tracker, database).events) == (0, 0)
    tracker.dispose()
    database.dispose()


def test_the_commands_print_counts_and_no_personal_data(tmp_path: Path) -> None:
    tracker_url, database_url = f"sqlite:///{tmp_path / 'c.db'}", f"sqlite:///{tmp_path / 'k.db'}"
    for _ in filled_stores((tracker_url, database_url)):
        pass
    env = {**os.environ, "MESO_DATABASE_URL": database_url}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot", *args, "--tracker-db", tracker_url], env=env,
                              cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)

    forgotten = run("forget", "--phone", PHONE_TYPED, "--inbox", str(tmp_path / "none.yml"))
    assert forgotten.returncode == 0, forgotten.stderr
    assert "1 handoff requests" in forgotten.stdout and "7946" not in forgotten.stdout + forgotten.stderr
    retained = run("apply-retention", "--days", "30")
    assert retained.returncode == 0, retained.stderr
    assert "1 handoff requests deleted" in retained.stdout
    assert run("forget", "--phone", "12").returncode == 2  # not a phone number: nothing searched


def test_phone_numbers_and_emails_are_masked_in_the_review_inbox(tmp_path: Path) -> None:
    path = _inbox(tmp_path / "inbox.yml", ["call me on +44 20 7946 0000 or anna.smith@example.co.uk",
                                           "is 1000 euros for 3 sessions ok"])
    content = path.read_text(encoding="utf-8")
    assert "7946" not in content and "anna.smith" not in content
    entries = yaml.safe_load(content)["entries"]
    assert [entry["text"] for entry in entries] == ["call me on <phone> or <email>", "is 1000 euros for 3 sessions ok"]
    assert mask_contacts("ring 07700 900123, (020) 7946-0000 or +1 555 010 0999") == "ring <phone>, <phone> or <phone>"
    assert same_phone("020 7946 0000", "+44 20 7946 0000") and same_phone("+44 (0)20 7946 0000", PHONE_STORED)
    assert not same_phone("020 7946 0000", "020 7946 0001")


def test_log_records_of_any_logger_are_masked_tracebacks_included(tmp_path: Path) -> None:
    log_file = tmp_path / "server.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    logger = logging.getLogger("some.library")
    logger.addHandler(handler)
    previous_factory = logging.getLogRecordFactory()
    try:
        install_log_masking()
        install_log_masking()  # once per process, however often called
        logger.warning("Twilio could not send to %s", "+44 7700 900123")
        try:
            raise ValueError("bad tracker: {'contact_detail': 'anna.smith@example.co.uk'}")
        except ValueError:
            logger.exception("action failed for %(who)s", {"who": "anna.smith@example.co.uk"})
    finally:
        logging.setLogRecordFactory(previous_factory)
        logger.removeHandler(handler)
        handler.close()
    written = log_file.read_text(encoding="utf-8")
    assert "7700" not in written and "anna.smith" not in written
    assert "Twilio could not send to <phone>" in written and "action failed for <email>" in written
    assert "ValueError: bad tracker: {'contact_detail': '<email>'}" in written

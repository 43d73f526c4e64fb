"""Personal data: forget one visitor on request, delete what is older than the retention period
(phone numbers and email addresses are masked where maintainers read them by :mod:`bot.masking`).

Where visitors' personal data is kept: Rasa's SQL tracker store (table ``events``: every message,
slot value and bot reply, one row per event, ``data`` a JSON text), the handoff requests (table
``handoff_requests`` in ``MESO_DATABASE_URL``: name and contact) and the review inbox file
(``reports/review-inbox.yml``: message texts, masked when written).

:func:`forget` deletes every event of the matching conversations, the matching handoff requests
and the matching inbox entries; :func:`apply_retention` deletes events and handoff requests older
than ``MESO_RETENTION_DAYS``. Only bound parameters reach the databases.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, List, Optional, Set

from sqlalchemy import delete, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.clinic.handoff import HandoffRequest
from bot.maintain.review.tracker_store import EVENTS
from bot.masking import EMAIL_PATTERN, PHONE_PATTERN, digits, is_phone

_CHUNK = 500  # ids per DELETE ... WHERE id IN (...)


class PrivacyError(Exception):
    """A phone number or email address that cannot be searched for, or a store that cannot be changed."""


def same_phone(first: str, second: str) -> bool:
    """True when two phone numbers are the same, written internationally or nationally
    (``+44 20 7946 0000`` and ``020 7946 0000``): equal digits, or the shorter one without its
    leading 0 ending the longer one."""
    a, b = sorted((digits(first), digits(second)), key=len)
    if not a or len(a) < 7:
        return False
    return a == b or b.endswith(a.lstrip("0")) and len(a.lstrip("0")) >= 7


@dataclass(frozen=True)
class Target:
    """Whom to forget: one conversation id, or every conversation mentioning a phone or email."""

    conversation: Optional[str] = None
    phone: Optional[str] = None
    email: Optional[str] = None

    def __post_init__(self) -> None:
        if sum(value is not None for value in (self.conversation, self.phone, self.email)) != 1:
            raise PrivacyError("give exactly one of a conversation id, a phone number, an email address")
        if self.phone is not None and not (is_phone(self.phone) and re.fullmatch(r"\+?[\d\s().-]+", self.phone)):
            raise PrivacyError("not a phone number (7 to 15 digits)")
        if self.email is not None and not EMAIL_PATTERN.fullmatch(self.email.strip()):
            raise PrivacyError("not an email address")

    def mentioned_in(self, text: str) -> bool:
        """True when ``text`` contains this phone number or email address."""
        if self.phone is not None:
            return any(is_phone(run) and same_phone(run, self.phone) for run in PHONE_PATTERN.findall(text))
        if self.email is not None:
            wanted = self.email.strip().lower()
            return any(found.lower() == wanted for found in EMAIL_PATTERN.findall(text))
        return False

    def matches_contact(self, contact: str, kind: str) -> bool:
        """True when a handoff request's contact detail is this phone number or email address."""
        if self.phone is not None:
            return kind == "phone" and same_phone(contact, self.phone)
        return self.email is not None and kind == "email" and contact.lower() == self.email.strip().lower()


@dataclass
class Deleted:
    """What was deleted (counts only: never personal data)."""

    conversations: int = 0
    events: int = 0
    handoff_requests: int = 0
    inbox_entries: int = 0

    def summary(self) -> str:
        return (
            f"{self.events} tracker events of {self.conversations} conversations, "
            f"{self.handoff_requests} handoff requests, {self.inbox_entries} review inbox entries deleted"
        )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _has_events(engine: Engine) -> bool:
    return inspect(engine).has_table("events")


def _chunks(values: List[Any]) -> Iterator[List[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def matching_conversations(engine: Engine, target: Target) -> Set[str]:
    """The conversations of the tracker store that ``target`` names or whose events mention it."""
    if target.conversation is not None:
        query = select(EVENTS.c.sender_id).where(EVENTS.c.sender_id == target.conversation).limit(1)
        with engine.connect() as connection:
            return set(connection.execute(query).scalars())
    found: Set[str] = set()
    query = select(EVENTS.c.sender_id, EVENTS.c.data)
    with engine.connect() as connection:
        for sender_id, raw in connection.execution_options(stream_results=True).execute(query):
            if sender_id in found or not raw:
                continue
            try:
                data = json.loads(raw)
            except ValueError:
                data = raw
            if any(target.mentioned_in(text) for text in _strings(data)):
                found.add(sender_id)
    return found


def conversation_texts(engine: Engine, conversations: Iterable[str]) -> List[str]:
    """The visitors' messages of ``conversations`` (to find them in the review inbox)."""
    texts: List[str] = []
    with engine.connect() as connection:
        for chunk in _chunks(sorted(conversations)):
            query = select(EVENTS.c.data).where(EVENTS.c.type_name == "user", EVENTS.c.sender_id.in_(chunk))
            for raw in connection.execute(query).scalars():
                try:
                    text = json.loads(raw or "{}").get("text")
                except (ValueError, AttributeError):
                    continue
                if isinstance(text, str) and text.strip():
                    texts.append(text)
    return texts


def delete_conversations(engine: Engine, conversations: Iterable[str]) -> int:
    """Delete every event of ``conversations``; the number of events deleted."""
    deleted = 0
    with Session(engine, future=True) as session, session.begin():
        for chunk in _chunks(sorted(conversations)):
            deleted += session.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(chunk))).rowcount or 0
    return deleted


def _has_handoff_table(engine: Engine) -> bool:
    return inspect(engine).has_table(HandoffRequest.__tablename__)


def matching_handoff_requests(engine: Engine, target: Target) -> List[HandoffRequest]:
    """The handoff requests of the conversation ``target`` names, or whose contact is its phone/email."""
    if not _has_handoff_table(engine):
        return []
    with Session(engine, future=True) as session:
        if target.conversation is not None:
            query = select(HandoffRequest).where(HandoffRequest.conversation_id == target.conversation)
        elif target.email is not None:
            query = select(HandoffRequest).where(
                HandoffRequest.contact_kind == "email",
                func.lower(HandoffRequest.contact) == target.email.strip().lower(),
            )
        else:
            query = select(HandoffRequest).where(HandoffRequest.contact_kind == "phone")
        rows = list(session.execute(query).scalars())
    return [
        row for row in rows if target.conversation is not None or target.matches_contact(row.contact, row.contact_kind)
    ]


def delete_handoff_requests(engine: Engine, ids: Iterable[int] = (), conversations: Iterable[str] = ()) -> int:
    """Delete the handoff requests with these ids or of these conversations; how many were deleted."""
    if not _has_handoff_table(engine):
        return 0
    deleted = 0
    with Session(engine, future=True) as session, session.begin():
        for id_chunk in _chunks(sorted(set(ids))):
            deleted += session.execute(delete(HandoffRequest).where(HandoffRequest.id.in_(id_chunk))).rowcount or 0
        for chunk in _chunks(sorted(set(conversations))):
            deleted += (
                session.execute(delete(HandoffRequest).where(HandoffRequest.conversation_id.in_(chunk))).rowcount or 0
            )
    return deleted


def forget(
    target: Target, tracker_engine: Optional[Engine], handoff_engine: Engine, inbox_path: Optional[Path] = None
) -> Deleted:
    """Delete everything stored about ``target``: the events of its conversations (those it names or
    that mention its phone/email, and those of its handoff requests), its handoff requests (of those
    conversations or with its contact) and the review inbox entries of those conversations' messages
    or mentioning its phone/email. ``tracker_engine`` None: no SQL tracker store to clean."""
    from bot.maintain.review.inbox_file import entry_text, remove_entries

    requests = matching_handoff_requests(handoff_engine, target)
    conversations = {request.conversation_id for request in requests}
    if target.conversation is not None:
        conversations.add(target.conversation)
    deleted = Deleted()
    texts: Set[str] = set()
    if tracker_engine is not None and _has_events(tracker_engine):
        conversations |= matching_conversations(tracker_engine, target)
        texts = {entry_text(text) for text in conversation_texts(tracker_engine, conversations)}
        deleted.events = delete_conversations(tracker_engine, conversations)
    deleted.conversations = len(conversations) if deleted.events else 0
    deleted.handoff_requests = delete_handoff_requests(
        handoff_engine, [request.id for request in requests], conversations
    )

    def listed(text: str) -> bool:
        return target.mentioned_in(text) or text in texts or entry_text(text) in texts

    if inbox_path is not None and inbox_path.exists():
        deleted.inbox_entries = remove_entries(inbox_path, listed)
    return deleted


@dataclass(frozen=True)
class Retention:
    """What :func:`apply_retention` deleted, and the moment before which it deleted."""

    cutoff: datetime
    events: int
    handoff_requests: int


def apply_retention(
    days: int, tracker_engine: Optional[Engine], handoff_engine: Engine, now: Optional[datetime] = None
) -> Retention:
    """Delete the tracker events and handoff requests older than ``days`` days (whatever their
    status: a request still pending after that long is deleted too)."""
    if days <= 0:
        raise PrivacyError(f"the retention period must be at least one day, not {days}")
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    events = requests = 0
    try:
        if tracker_engine is not None and _has_events(tracker_engine):
            with Session(tracker_engine, future=True) as session, session.begin():
                events = session.execute(delete(EVENTS).where(EVENTS.c.timestamp < cutoff.timestamp())).rowcount or 0
        if _has_handoff_table(handoff_engine):
            with Session(handoff_engine, future=True) as session, session.begin():
                requests = (
                    session.execute(delete(HandoffRequest).where(HandoffRequest.created_at < cutoff)).rowcount or 0
                )
    except SQLAlchemyError as error:
        raise PrivacyError(f"cannot delete old data: {error}") from error
    return Retention(cutoff=cutoff, events=events, handoff_requests=requests)

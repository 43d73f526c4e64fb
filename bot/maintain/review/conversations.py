"""Read the visitors' messages from Rasa's SQL tracker store (the ``events`` table)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, List, Optional, Tuple

from sqlalchemy import inspect, or_, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.db import make_engine
from bot.maintain.review.tracker_store import EVENTS, display_url

FALLBACK_INTENT = "nlu_fallback"


class StoreError(Exception):
    """The conversation store cannot be opened or read."""


@dataclass(frozen=True)
class UserMessage:
    """One message a visitor typed, with what the NLU made of it."""

    sender_id: str
    text: str
    timestamp: float
    intent: Optional[str]
    confidence: float
    ranking: Tuple[Tuple[str, float], ...]

    @property
    def seen_at(self) -> datetime:
        """When the message came, in UTC."""
        return datetime.fromtimestamp(self.timestamp, tz=timezone.utc)

    def classifier_guess(self) -> Tuple[Optional[str], float]:
        """The intent the classifier chose and its confidence (under a fallback: the best ranked one)."""
        if self.intent == FALLBACK_INTENT:
            for name, confidence in self.ranking:
                if name != FALLBACK_INTENT:
                    return name, confidence
        return self.intent, self.confidence


def open_store(url: str) -> Engine:
    """An engine on the tracker store; fails with :class:`StoreError` when it has no ``events`` table."""
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).is_file():
            raise StoreError(f"no conversation store at {parsed.database} (no such file)")
        engine = make_engine(url)
        has_events = inspect(engine).has_table("events")
    except (ArgumentError, SQLAlchemyError, ValueError) as error:
        raise StoreError(f"cannot open the conversation store {display_url(url)}: {error}") from error
    if not has_events:
        engine.dispose()
        raise StoreError(f"{display_url(url)} has no `events` table: is it Rasa's tracker store?")
    return engine


def _as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _user_message(sender_id: str, data: dict) -> Optional[UserMessage]:
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    parse_data = _as_dict(data.get("parse_data"))
    intent = _as_dict(parse_data.get("intent"))
    try:
        ranking = tuple(
            (str(entry["name"]), float(entry.get("confidence") or 0.0))
            for entry in parse_data.get("intent_ranking") or []
            if isinstance(entry, dict) and entry.get("name")
        )
        return UserMessage(
            sender_id=sender_id,
            text=text,
            timestamp=float(data.get("timestamp") or 0.0),
            intent=intent.get("name"),
            confidence=float(intent.get("confidence") or 0.0),
            ranking=ranking,
        )
    except (TypeError, ValueError):  # not an event Rasa wrote
        return None


def read_user_messages(engine: Engine, since: Optional[datetime] = None) -> Iterator[UserMessage]:
    """The visitors' typed messages (not those answering a form, such as a name or phone number)."""
    query = select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.data).where(
        EVENTS.c.type_name.in_(("user", "active_loop", "session_started", "restart"))
    )
    if since is not None:
        query = query.where(or_(EVENTS.c.type_name != "user", EVENTS.c.timestamp >= since.timestamp()))
    query = query.order_by(EVENTS.c.sender_id, EVENTS.c.id)
    in_form: dict = {}
    try:
        with engine.connect() as connection:
            for sender_id, type_name, raw in connection.execution_options(stream_results=True).execute(query):
                try:
                    data = json.loads(raw or "{}")
                except ValueError:
                    continue
                if not isinstance(data, dict):
                    continue
                if type_name == "active_loop":
                    in_form[sender_id] = bool(data.get("name"))
                elif type_name != "user":
                    in_form[sender_id] = False
                elif not in_form.get(sender_id):
                    message = _user_message(sender_id, data)
                    if message is not None:
                        yield message
    except SQLAlchemyError as error:
        raise StoreError(f"cannot read the events table: {error}") from error


def load_user_messages(url: str, since: Optional[datetime] = None) -> List[UserMessage]:
    """All typed messages in the store at ``url``, read in one go."""
    engine = open_store(url)
    try:
        return list(read_user_messages(engine, since))
    finally:
        engine.dispose()

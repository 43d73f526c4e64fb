"""Rasa custom actions: thin adapters from a tracker to :mod:`bot` and back."""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.nlu_client import parse_texts
from bot.answering.answers import Assistant, Turn
from bot.answering.parts import split_questions
from bot.answering.replies import BLANK_MESSAGE_STAND_IN, Reply
from bot.service import open_assistant

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def assistant() -> Assistant:
    """The assistant, created on first use (never at import time)."""
    return open_assistant()


# How many of the visitor's messages before the latest one a turn carries (a symptom texted in pieces: "my face" /
# "after meso" / "is going" / "really dark"); connectors/action_events.py sends the last five.
PREVIOUS_TEXTS = 3


def _user_events(tracker: Tracker) -> List[Dict[str, Any]]:
    return [event for event in tracker.events if event.get("event") == "user"]


def previous_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the visitor's message before the latest one, if any."""
    user_events = _user_events(tracker)
    if len(user_events) < 2:
        return None
    return ((user_events[-2].get("parse_data") or {}).get("intent") or {}).get("name")


def previous_texts(tracker: Tracker) -> Tuple[str, ...]:
    """The texts of the visitor's last PREVIOUS_TEXTS messages before the latest one, oldest first."""
    texts = [event.get("text") or "" for event in _user_events(tracker)[-PREVIOUS_TEXTS - 1 : -1]]
    return tuple("" if text == BLANK_MESSAGE_STAND_IN else text for text in texts)


def turn_from_parse(message: Dict[str, Any], tracker: Tracker) -> Turn:
    """A turn from a parse of the NLU (the tracker's latest message, or one part of it)."""
    entities: Dict[str, List[str]] = {}
    for entity in message.get("entities") or []:
        entities.setdefault(entity.get("entity", ""), []).append(str(entity.get("value", "")))
    text = message.get("text") or ""
    return Turn(
        intent=(message.get("intent") or {}).get("name") or "",
        confidence=(message.get("intent") or {}).get("confidence"),
        text="" if text == BLANK_MESSAGE_STAND_IN else text,
        entities=entities,
        previous_topic=tracker.get_slot("topic"),
        previous_condition=tracker.get_slot("condition"),
        previous_side_effect=tracker.get_slot("side_effect"),
        previous_intent=previous_intent(tracker),
        previous_texts=previous_texts(tracker),
        urgent_care_advised=bool(tracker.get_slot("urgent_care_advised")),
        handoff_offered=bool(tracker.get_slot("handoff_offered")),
        ranking=[
            str(entry.get("name"))
            for entry in message.get("intent_ranking") or []
            if entry.get("name") and entry.get("name") != "nlu_fallback"
        ],
    )


def turn_from_tracker(tracker: Tracker) -> Turn:
    """Read the latest visitor message and the conversation's context from the tracker."""
    return turn_from_parse(tracker.latest_message or {}, tracker)


async def question_parts(turn: Turn, tracker: Tracker) -> List[Turn]:
    """The turns of each question of a message that asks several (none when it asks one)."""
    texts = split_questions(turn.text) if turn.text else []
    if len(texts) < 2:
        return []
    return [turn_from_parse(parse, tracker) for parse in await parse_texts(texts)]


def context_events(reply: Reply) -> List[EventType]:
    """The conversation's context after ``reply``, for the next turn (the ``topic``, ``condition``,
    ``side_effect``, ``urgent_care_advised`` and ``handoff_offered`` slots), and the contact form when the visitor
    took up the offer to be contacted."""
    events: List[EventType] = [
        SlotSet("topic", reply.topic),
        SlotSet("condition", reply.condition),
        SlotSet("side_effect", reply.side_effect),
        SlotSet("urgent_care_advised", reply.urgent_care_advised),
        SlotSet("handoff_offered", reply.handoff_offered),
    ]
    return [*events, FollowupAction("handoff_form")] if reply.starts_handoff else events


async def answer_latest_message(tracker: Tracker) -> Reply:
    """The assistant's reply to the visitor's latest message (each of its questions, in order)."""
    turn = turn_from_tracker(tracker)
    parts = await question_parts(turn, tracker)
    # The knowledge base is queried in a worker thread: a slow database holds this visitor only.
    return await asyncio.to_thread(assistant().respond, turn, parts)


class ActionAnswer(Action):
    """Answer any visitor message through the domain library (guide, safety policy)."""

    def name(self) -> Text:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        reply = await answer_latest_message(tracker)
        buttons = [{"title": title, "payload": payload} for title, payload in reply.buttons]
        for index, text in enumerate(reply.messages):
            is_last = index == len(reply.messages) - 1
            dispatcher.utter_message(text=text, buttons=buttons if is_last else [])
        return context_events(reply)

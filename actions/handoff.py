"""Rasa actions of the handoff form: thin adapters to :mod:`bot.clinic.handoff`."""
from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import sessionmaker

from bot.clinic import handoff
from bot.service import open_handoff_store
from bot.settings import load_clinic

FORM_SLOTS = ("handoff_consent", "contact_name", "contact_detail")


@lru_cache(maxsize=1)
def handoff_store() -> sessionmaker:
    """Sessions on the handoff database, opened on first use (never at import time)."""
    return open_handoff_store()


def _latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def _latest_intent(tracker: Tracker) -> Optional[str]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def handoff_reason(tracker: Tracker) -> str:
    """The intent that started the handoff (the latest request_human or book_consultation)."""
    for event in reversed(tracker.events):
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if event.get("event") == "user" and intent in handoff.REASONS:
            return intent
    return handoff.REASONS[0]


class _AskSlot(Action):
    """Ask the handoff form's question for one slot (Rasa calls ``action_ask_<slot>``)."""

    slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(text=handoff.QUESTIONS[self.slot])
        return []


class ActionAskHandoffConsent(_AskSlot):
    slot = "handoff_consent"


class ActionAskContactName(_AskSlot):
    slot = "contact_name"


class ActionAskContactDetail(_AskSlot):
    slot = "contact_detail"


class ValidateHandoffForm(FormValidationAction):
    """Check consent, name and contact detail; "cancel" or "stop" ends the form at any step."""

    def name(self) -> Text:
        return "validate_handoff_form"

    @staticmethod
    def _cancel(dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
        dispatcher.utter_message(text=handoff.CANCELLED)
        return {"handoff_consent": False, "contact_name": None, "contact_detail": None, "requested_slot": None}

    def validate_handoff_consent(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        consent = handoff.parse_consent(_latest_text(tracker), _latest_intent(tracker))
        if consent is None:
            dispatcher.utter_message(text=handoff.ASK_CONSENT_AGAIN)
            return {"handoff_consent": None}
        return {"handoff_consent": True} if consent else self._cancel(dispatcher)

    def validate_contact_name(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if handoff.is_cancel(str(slot_value)):
            return self._cancel(dispatcher)
        name = handoff.validate_name(str(slot_value))
        if name is None:
            dispatcher.utter_message(text=handoff.BAD_NAME)
        return {"contact_name": name}

    def validate_contact_detail(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if handoff.is_cancel(str(slot_value)):
            return self._cancel(dispatcher)
        contact = handoff.validate_contact(str(slot_value))
        if contact is None:
            dispatcher.utter_message(text=handoff.BAD_CONTACT)
        return {"contact_detail": contact.value if contact else None}


class ActionSubmitHandoff(Action):
    """Store the request, then notify the clinic, then tell the visitor how they will be reached."""

    def name(self) -> Text:
        return "action_submit_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        reset: List[EventType] = [SlotSet(slot, None) for slot in FORM_SLOTS]
        name = handoff.validate_name(tracker.get_slot("contact_name"))
        contact = handoff.validate_contact(tracker.get_slot("contact_detail"))
        if tracker.get_slot("handoff_consent") is not True or name is None or contact is None:
            return reset  # cancelled: nothing is stored
        clinic = load_clinic()
        sessions = handoff_store()
        request = handoff.store_request(sessions, tracker.sender_id, handoff_reason(tracker), name, contact)
        await asyncio.get_running_loop().run_in_executor(
            None, handoff.notify, sessions, request.id, clinic.webhook_url
        )
        dispatcher.utter_message(text=handoff.confirmation(clinic, name, contact))
        return reset

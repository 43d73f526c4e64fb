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

from actions.actions import answer_latest_message, context_events
from bot.answering import safety
from bot.answering.replies import BLANK_MESSAGE_STAND_IN
from bot.clinic import contact_form, handoff
from bot.service import open_handoff_store
from bot.settings import load_clinic, load_settings

FORM_SLOTS = ("handoff_consent", "contact_name", "contact_detail")


@lru_cache(maxsize=1)
def handoff_store() -> sessionmaker:
    """Sessions on the handoff database, opened on first use (never at import time)."""
    return open_handoff_store()


def _latest_text(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text") or ""
    return "" if text == BLANK_MESSAGE_STAND_IN else text


def _latest_intent(tracker: Tracker) -> Optional[str]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def handoff_reason(tracker: Tracker) -> str:
    """The intent that started the handoff (the latest request_human or book_consultation)."""
    for event in reversed(tracker.events):
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if event.get("event") == "user" and intent in handoff.REASONS:
            return intent
    return handoff.REASONS[0]


def say(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    messages: List[str],
    *,
    intent: Optional[str] = None,
    safety_question: Optional[bool] = None,
    remind: bool = True,
) -> None:
    """Send ``messages`` through the safety policy (urgent-care message first when the visitor's
    latest message reports red flags, the professional recommendation last for safety questions).

    ``intent`` is left out for answers to the form's own questions (a name's intent means nothing). Once the
    conversation has had the urgent-care message, every reply of the form starts with the reminder, as outside it;
    ``remind`` False for the form's question after a validation message that already started with it."""
    clinic = load_clinic()
    for text in safety.apply_safety_policy(
        messages,
        intent or "",
        _latest_text(tracker),
        urgent_message=safety.urgent_care_message(clinic),
        recommendation=safety.professional_recommendation(clinic),
        safety_question=safety_question,
        reminder=safety.urgent_care_reminder(clinic) if remind and tracker.get_slot("urgent_care_advised") else None,
    ):
        dispatcher.utter_message(text=text)


def _remember_urgent_care(advised: bool) -> List[EventType]:
    """The event that makes every later reply of the session remind of the urgent-care message just sent."""
    return [SlotSet("urgent_care_advised", True)] if advised else []


def interruption(tracker: Tracker) -> Optional[str]:
    """Whether the visitor's latest message, typed as the answer to the form's current question,
    reports red flags (contact_form.RED_FLAG), asks a safety question (contact_form.SAFETY_QUESTION) or
    another question of the guide's (contact_form.QUESTION)."""
    slot = tracker.get_slot("requested_slot")
    if slot not in FORM_SLOTS:
        return None
    return contact_form.interruption(slot, _latest_text(tracker), _latest_intent(tracker))


class _AskSlot(Action):
    """Ask the handoff form's question for one slot (Rasa calls ``action_ask_<slot>``)."""

    slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # ``requested_slot`` is still the question the visitor was answering (None when the
        # message started the form): Rasa sets the new one after this action.
        if tracker.get_slot("requested_slot") in FORM_SLOTS:
            held = interruption(tracker)
            if held in (contact_form.SAFETY_QUESTION, contact_form.QUESTION):
                return await self._answer_then_ask_again(dispatcher, tracker, held)
            asked_again = tracker.get_slot("requested_slot") == self.slot  # the answer was refused
            questions = contact_form.QUESTIONS_AGAIN if asked_again else contact_form.QUESTIONS
            question = contact_form.ASK_AGAIN[self.slot] if held else questions[self.slot]
            # A red flag: the urgent-care message first and the recommendation last (the policy). A refused answer:
            # the validator's message came first, with the reminder of an earlier urgent-care message.
            say(
                dispatcher,
                tracker,
                [question],
                intent=_latest_intent(tracker) if held else None,
                safety_question=False,
                remind=not asked_again,
            )
            return _remember_urgent_care(held == contact_form.RED_FLAG)
        # The message that started the form: the policy as for any other message. A name and a phone number it
        # gives ("My name is Grace, please call me on 07700 900141") are kept: the form does not ask for them again.
        red_flag = safety.has_red_flags(_latest_text(tracker))
        question = contact_form.ASK_AGAIN[self.slot] if red_flag else contact_form.QUESTIONS[self.slot]
        # A request to be contacted is a safety question by its words only ("call me, is it safe with diabetes?"):
        # the safety classifier's doubt added the line to "ok" (the offer taken up) and to "my name is Grace and my
        # number is ...".
        intent, text = _latest_intent(tracker), _latest_text(tracker)
        asks_about_safety = safety.is_safety_question(intent or "", text, use_classifier=False)
        say(dispatcher, tracker, [question], intent=intent, safety_question=asks_about_safety)
        given = {} if red_flag else contact_form.details_in_request(_latest_text(tracker))
        return [*_remember_urgent_care(red_flag), *(SlotSet(slot, value) for slot, value in given.items())]

    async def _answer_then_ask_again(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, held: str
    ) -> List[EventType]:
        """A question typed instead of the answer: answer it as action_answer would (the guide, the
        safety policy; no buttons in the middle of the form), then ask the form's question again."""
        reply = await answer_latest_message(tracker)
        answered_with_the_line = safety.professional_recommendation(load_clinic()) in reply.messages
        say(
            dispatcher,
            tracker,
            [*reply.messages, contact_form.ASK_AGAIN[self.slot]],
            intent=_latest_intent(tracker),
            safety_question=held == contact_form.SAFETY_QUESTION or answered_with_the_line,
        )
        return context_events(reply)


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
    def _cancel(dispatcher: CollectingDispatcher, tracker: Tracker, held: Optional[str] = None) -> Dict[Text, Any]:
        say(
            dispatcher,
            tracker,
            [contact_form.CANCELLED],
            intent=_latest_intent(tracker) if held else None,
            safety_question=held == contact_form.SAFETY_QUESTION,
        )
        cancelled = {"handoff_consent": False, "contact_name": None, "contact_detail": None, "requested_slot": None}
        return {**cancelled, "urgent_care_advised": True} if held == contact_form.RED_FLAG else cancelled

    @staticmethod
    def _not_an_answer(
        dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, held: Optional[str]
    ) -> Optional[Dict[Text, Any]]:
        """ "What will you do with my number?" or "I don't want to give my name" instead of the answer: why the
        form asks, or what it needs; the form's question follows. None for any other message, and for a red flag
        (``held``: the urgent-care message comes first, see _AskSlot)."""
        text = _latest_text(tracker)
        if held == contact_form.RED_FLAG:
            return None
        if contact_form.asks_what_it_is_for(text):
            message = contact_form.purpose(load_settings().retention_days)
        elif slot != "handoff_consent" and contact_form.refuses_to_give(text):
            message = contact_form.REFUSED
        else:
            return None
        say(dispatcher, tracker, [message], safety_question=False)
        return {slot: None}

    @staticmethod
    def _held(slot: str) -> Dict[Text, Any]:
        """A red flag or a question instead of an answer: store nothing; action_ask_<slot> sends the
        urgent-care message or answers the question, then asks again (see _AskSlot)."""
        return {slot: None}

    def validate_handoff_consent(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        held = contact_form.interruption("handoff_consent", _latest_text(tracker), _latest_intent(tracker))
        consent = contact_form.parse_consent(_latest_text(tracker), _latest_intent(tracker))
        # "no wait, what do I agree to exactly?" asks what the details are for; "cancel" always cancels
        not_an_answer = (
            None
            if contact_form.is_cancel(_latest_text(tracker))
            else self._not_an_answer(dispatcher, tracker, "handoff_consent", held)
        )
        if not_an_answer is not None:
            return not_an_answer
        if consent is False:
            return self._cancel(dispatcher, tracker, held)
        if held:
            return self._held("handoff_consent")
        if consent is None:
            say(dispatcher, tracker, [contact_form.ASK_CONSENT_AGAIN], safety_question=False)
            return {"handoff_consent": None}
        name = contact_form.name_given_with_consent(_latest_text(tracker))
        return {"handoff_consent": True, **({"contact_name": name} if name else {})}

    def validate_contact_name(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        held = contact_form.interruption("contact_name", str(slot_value), _latest_intent(tracker))
        if contact_form.is_cancel(str(slot_value)):
            return self._cancel(dispatcher, tracker, held)
        not_an_answer = self._not_an_answer(dispatcher, tracker, "contact_name", held)
        if not_an_answer is not None:
            return not_an_answer
        if held:
            return self._held("contact_name")
        name = contact_form.validate_name(str(slot_value))
        if name is not None:
            return {"contact_name": name}
        # "I'm Tom, 07700 900111": both kept; "07700 900444": the number kept for the next step
        name, contact = contact_form.name_and_contact(str(slot_value))
        if contact is not None:
            if name is None:
                say(dispatcher, tracker, [contact_form.CONTACT_KEPT], safety_question=False)
            return {"contact_name": name, "contact_detail": contact.value}
        say(dispatcher, tracker, [contact_form.BAD_NAME], safety_question=False)
        return {"contact_name": None}

    def validate_contact_detail(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        held = contact_form.interruption("contact_detail", str(slot_value), _latest_intent(tracker))
        if contact_form.is_cancel(str(slot_value)):
            return self._cancel(dispatcher, tracker, held)
        not_an_answer = self._not_an_answer(dispatcher, tracker, "contact_detail", held)
        if not_an_answer is not None:
            return not_an_answer
        if held:
            return self._held("contact_detail")
        contact = contact_form.validate_contact(str(slot_value))
        if contact is None:
            say(dispatcher, tracker, [contact_form.BAD_CONTACT], safety_question=False)
        return {"contact_detail": contact.value if contact else None}


class ActionSubmitHandoff(Action):
    """Store the request, then notify the clinic, then tell the visitor how they will be reached."""

    def name(self) -> Text:
        return "action_submit_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reset: List[EventType] = [SlotSet(slot, None) for slot in FORM_SLOTS]
        name = contact_form.validate_name(tracker.get_slot("contact_name"))
        contact = contact_form.validate_contact(tracker.get_slot("contact_detail"))
        if tracker.get_slot("handoff_consent") is not True or name is None or contact is None:
            return reset  # cancelled: nothing is stored
        clinic = load_clinic()
        # Database work in worker threads: a slow database holds this visitor only.
        sessions = await asyncio.to_thread(handoff_store)
        request = await asyncio.to_thread(
            handoff.store_request, sessions, tracker.sender_id, handoff_reason(tracker), name, contact
        )
        await asyncio.get_running_loop().run_in_executor(None, handoff.notify, sessions, request.id, clinic.webhook_url)
        say(dispatcher, tracker, [contact_form.confirmation(clinic, contact)], safety_question=False)
        return reset

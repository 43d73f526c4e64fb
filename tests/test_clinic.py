"""Clinic settings: neutral defaults, and patients told whom to call when they are set."""
import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from bot.answering import replies, safety
from bot.answering.answers import Assistant, Turn
from bot.clinic.profile import Clinic
from bot.settings import load_clinic
from tests.test_actions import _tracker

CLINIC_VARIABLES = ("CLINIC_NAME", "CLINIC_PHONE", "CLINIC_BOOKING_URL", "CLINIC_OPENING_HOURS",
                    "CLINIC_ADDRESS", "CLINIC_EMERGENCY_NUMBER", "CLINIC_WEBHOOK_URL")
CLINIC = Clinic(name="Harley Skin Clinic", phone="+44 20 7946 0000", booking_url="https://example.test/book",
                opening_hours="Mon-Fri 9:00-18:00", emergency_number="999")


@pytest.fixture
def clinic_assistant(assistant) -> Assistant:
    """The shared knowledge base, answered on behalf of a configured clinic."""
    return Assistant(assistant._sessions, assistant._vocabulary, CLINIC)


def test_defaults_are_neutral(monkeypatch):
    for name in CLINIC_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    clinic = load_clinic()
    assert clinic == Clinic()
    assert clinic.name == "the clinic" and clinic.emergency_number == "your local emergency number"
    assert clinic.how_to_reach() == ""
    assert "call your local emergency number" in safety.urgent_care_message(clinic)
    assert safety.professional_recommendation(clinic).endswith("experience performing mesotherapy.")
    assert replies.greeting(clinic).startswith("Hello! I'm the mesotherapy assistant. ")


def test_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CLINIC_NAME", " Harley Skin Clinic ")
    monkeypatch.setenv("CLINIC_PHONE", "+44 20 7946 0000")
    monkeypatch.setenv("CLINIC_BOOKING_URL", "https://example.test/book")
    monkeypatch.setenv("CLINIC_OPENING_HOURS", "Mon-Fri 9:00-18:00")
    monkeypatch.setenv("CLINIC_EMERGENCY_NUMBER", "999")
    monkeypatch.setenv("CLINIC_WEBHOOK_URL", "")
    monkeypatch.delenv("CLINIC_ADDRESS", raising=False)
    assert load_clinic() == CLINIC
    monkeypatch.setenv("CLINIC_ADDRESS", "10 Harley Street, London W1G 9PF")
    assert load_clinic().address == "10 Harley Street, London W1G 9PF"


def test_greeting_names_the_clinic(clinic_assistant):
    message = clinic_assistant.respond(Turn("greet", "hello")).messages
    assert message == [replies.greeting(CLINIC)]
    assert message[0].startswith("Hello! I'm the mesotherapy assistant of Harley Skin Clinic.")


def test_safety_answer_tells_whom_to_call(clinic_assistant):
    messages = clinic_assistant.respond(Turn("ask_safety", "is it safe?")).messages
    assert messages[-1] == safety.professional_recommendation(CLINIC)
    assert messages[-1].endswith(
        "You can call Harley Skin Clinic on +44 20 7946 0000 (Mon-Fri 9:00-18:00) "
        "or book online at https://example.test/book.")
    assert messages.count(messages[-1]) == 1


def test_a_price_question_tells_how_to_reach_the_clinic(clinic_assistant):
    reply = clinic_assistant.respond(Turn("ask_price", "how much is it"))
    assert reply.messages[-1] == (
        "Harley Skin Clinic can tell you that. You can call Harley Skin Clinic on +44 20 7946 0000 (Mon-Fri 9:00-18:00) "
        "or book online at https://example.test/book.")
    assert not reply.handoff_offered  # its own details, no offer


@pytest.mark.parametrize("intent, text, entities", [("ask_find_clinic", "where are you located", {}),
                                                    ("ask_conditions_treated", "does it fix rosacea", {"condition": ["rosacea"]})])
def test_what_the_guide_does_not_answer_tells_whom_to_call(clinic_assistant, intent, text, entities):
    assert clinic_assistant.respond(Turn(intent, text, entities)).messages[-1] == (
        "A licensed professional can answer that for your own situation. You can call Harley Skin Clinic on "
        "+44 20 7946 0000 (Mon-Fri 9:00-18:00) or book online at https://example.test/book.")


def test_red_flag_names_the_emergency_number(clinic_assistant):
    messages = clinic_assistant.respond(Turn("greet", "I have trouble breathing since the injections")).messages
    assert messages[0] == safety.urgent_care_message(CLINIC)
    assert "call 999 or go to the nearest emergency department" in messages[0]
    assert messages[-1] == safety.professional_recommendation(CLINIC)


def test_the_action_uses_the_clinic_settings(monkeypatch, tmp_path, spacy_dir):
    monkeypatch.setenv("MESO_DATABASE_URL", f"sqlite:///{tmp_path / 'knowledge.db'}")
    monkeypatch.setenv("MESO_SPACY_MODEL", str(spacy_dir))
    monkeypatch.setenv("CLINIC_NAME", "Harley Skin Clinic")
    monkeypatch.setenv("CLINIC_PHONE", "+44 20 7946 0000")
    actions.assistant.cache_clear()
    try:
        dispatcher = CollectingDispatcher()
        asyncio.run(actions.ActionAnswer().run(dispatcher, _tracker("is it safe?", "ask_safety"), {}))
    finally:
        actions.assistant.cache_clear()
    assert dispatcher.messages[-1]["text"].endswith("You can call Harley Skin Clinic on +44 20 7946 0000.")


# -- practical questions about the clinic (ask_clinic_details) ---------------------------------

WITH_ADDRESS = Clinic(name="Harley Skin Clinic", phone="+44 20 7946 0000", opening_hours="Mon-Fri 9:00-18:00",
                      address="10 Harley Street, London W1G 9PF")


@pytest.mark.parametrize("text, expected", [
    ("are you open on saturdays?", ["Harley Skin Clinic's opening hours: Mon-Fri 9:00-18:00."]),
    ("what time do you close", ["Harley Skin Clinic's opening hours: Mon-Fri 9:00-18:00."]),
    ("where are you located", ["Harley Skin Clinic is at 10 Harley Street, London W1G 9PF."]),
    ("what's your phone number", ["You can call Harley Skin Clinic on +44 20 7946 0000."]),
])
def test_a_practical_question_is_answered_from_the_clinic_settings(assistant, text, expected):
    reply = Assistant(assistant._sessions, assistant._vocabulary, WITH_ADDRESS).respond(Turn("ask_clinic_details", text))
    assert reply.messages == expected
    assert reply.buttons == [replies.HANDOFF_BUTTON]


def test_a_detail_the_settings_do_not_hold_is_not_invented(assistant, clinic_assistant):
    # No address set, and nothing about parking or payment: say so, and how to reach the clinic.
    for text in ("where are you located", "is there parking", "can I pay by card"):
        assert clinic_assistant.respond(Turn("ask_clinic_details", text)).messages == [
            "I don't have that detail about Harley Skin Clinic. You can call Harley Skin Clinic on +44 20 7946 0000 "
            "(Mon-Fri 9:00-18:00) or book online at https://example.test/book."]
    # No clinic settings at all: offer to have someone get in touch.
    reply = assistant.respond(Turn("ask_clinic_details", "are you open on saturdays"))
    assert reply.messages == ["I don't have that detail about the clinic. If you'd rather talk to a person, I can ask "
                              "someone at the clinic to contact you."]
    assert reply.buttons == [replies.HANDOFF_BUTTON]

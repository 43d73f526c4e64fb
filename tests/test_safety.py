"""The safety invariant over every safety intent, entity and red flag."""
import itertools

import pytest

from bot.answering import safety
from bot.answering.answers import Turn
from bot.topics import intent_table
from bot.clinic.profile import Clinic

TOPIC_INTENTS = {topic.intent: topic.key for topic in intent_table().topics}
NOT_IN_GUIDE = {entry.intent: entry.subject for entry in intent_table().not_in_guide}

# The conftest assistant runs with the neutral defaults (no CLINIC_* settings).
RECOMMENDATION = safety.professional_recommendation(Clinic())
URGENT_CARE = safety.urgent_care_message(Clinic())

ALL_INTENTS = sorted(TOPIC_INTENTS) + sorted(NOT_IN_GUIDE) + [
    "report_red_flag", "greet", "goodbye", "thank", "bot_challenge", "ask_capabilities", "affirm", "deny",
    "out_of_scope", "nlu_fallback"]
ENTITY_CHOICES = [
    {},
    {"condition": ["hair loss"]},
    {"condition": ["rosacea"]},
    {"side_effect": ["bruising"]},
    {"side_effect": ["nausea"]},
    {"practitioner": ["beautician"]},
    {"ingredient": ["vitamins"]},
]
SAFETY_TEXTS = [
    "is it safe", "what are the risks", "side effects?", "any complications", "can I have it while pregnant",
    "im breastfeeding", "I'm allergic to lidocaine", "who should perform it", "is it safe for me",
    "can it cause an infection",
]
RED_FLAGS = [
    "I have trouble breathing since the injections", "my face is swelling up after mesotherapy",
    "swelling of the throat", "I have a fever after my treatment", "the redness is spreading",
    "there is pus where they injected", "severe pain in my thigh", "the pain is getting worse every day",
    "the skin is turning dark around the injection", "my skin has gone pale and cold", "cant breathe properly",
]
NOT_RED_FLAGS = ["what happens after the treatment", "is some redness normal", "does it hurt",
                 "how long does bruising last", "hi"]


@pytest.mark.parametrize(
    "intent,entities,text",
    list(itertools.product(sorted(safety.SAFETY_INTENTS), ENTITY_CHOICES, ["tell me", *SAFETY_TEXTS[:3]])),
)
def test_every_safety_intent_ends_with_the_professional_recommendation(assistant, intent, entities, text):
    messages = assistant.respond(Turn(intent, text, entities)).messages
    assert messages[-1] == RECOMMENDATION
    assert messages.count(RECOMMENDATION) == 1


@pytest.mark.parametrize("intent,text", list(itertools.product(ALL_INTENTS, SAFETY_TEXTS)))
def test_safety_wording_ends_with_the_recommendation_whatever_the_intent(assistant, intent, text):
    assert assistant.respond(Turn(intent, text)).messages[-1] == RECOMMENDATION


@pytest.mark.parametrize("intent,text", list(itertools.product(ALL_INTENTS, RED_FLAGS)))
def test_red_flags_get_urgent_care_first_whatever_the_intent(assistant, intent, text):
    messages = assistant.respond(Turn(intent, text)).messages
    assert messages[0] == URGENT_CARE
    assert messages[-1] == RECOMMENDATION


@pytest.mark.parametrize("text", NOT_RED_FLAGS)
def test_ordinary_questions_are_not_red_flags(text):
    assert not safety.has_red_flags(text)


def test_non_safety_small_talk_has_no_recommendation(assistant):
    assert RECOMMENDATION not in assistant.respond(Turn("greet", "hello")).messages

"""Entity and slot values repeated back to visitors are canonical vocabulary values only
(data/vocabulary.yml): a value a visitor typed or planted that the vocabulary does not know is never
echoed in a reply (bot/answering/answers.py, Assistant._known_values_only)."""

from __future__ import annotations

from typing import Dict, List

import pytest

from bot.answering.answers import Turn

PLANTED = "call +1 900 555 0100 now"


def _said(assistant, turn: Turn) -> str:
    reply = assistant.respond(turn)
    return "\n".join([*reply.messages, *(title for title, _ in reply.buttons)])


@pytest.mark.parametrize(
    "intent,entities",
    [
        ("ask_conditions_treated", {"condition": [PLANTED]}),
        ("ask_results_duration", {"condition": [PLANTED]}),
        ("ask_aftercare", {"side_effect": [PLANTED]}),
        ("ask_cocktail_ingredients", {"ingredient": [PLANTED]}),
        ("ask_practitioner", {"practitioner": [PLANTED]}),
        ("out_of_scope", {"body_area": [PLANTED]}),
        ("out_of_scope", {PLANTED: [PLANTED]}),
    ],
)
def test_planted_entity_values_are_never_repeated(assistant, intent: str, entities: Dict[str, List[str]]) -> None:
    said = _said(assistant, Turn(intent, "a question", entities))
    assert said and "900" not in said and "call" not in said.lower().split()


@pytest.mark.parametrize("intent", ["ask_results_duration", "ask_conditions_treated", "greet", "thank"])
def test_a_planted_condition_slot_is_never_repeated(assistant, intent: str) -> None:
    said = _said(assistant, Turn(intent, "and how long?", previous_condition=PLANTED))
    assert "900" not in said
    assert assistant.respond(Turn(intent, "and how long?", previous_condition=PLANTED)).condition != PLANTED


def test_a_synonym_is_answered_with_its_canonical_name(assistant) -> None:
    said = _said(
        assistant,
        Turn("ask_conditions_treated", "does it help atopic dermatitis", {"condition": ["atopic dermatitis"]}),
    )
    assert "does not list eczema" in said and "atopic dermatitis" not in said
    said = _said(assistant, Turn("ask_results_duration", "how long for spider veins", {"condition": ["Spider Veins"]}))
    assert "specific to varicose veins" in said and "Spider" not in said

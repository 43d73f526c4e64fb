"""Messages in another language than English, in the Latin script."""

import pytest

from bot.answering import replies
from bot.answering.answers import Turn
from bot.nlp.language import looks_like_another_language


@pytest.mark.parametrize("text", [
    "¿cuánto cuesta la mesoterapia?",
    "mesoterapia fa male?",
    "qu'est-ce que la mésothérapie",
    "Ist Mesotherapie gefährlich?",
    "quanto custa uma sessão?",
])
def test_spanish_french_italian_german_portuguese_are_another_language(text):
    assert looks_like_another_language(text)


@pytest.mark.parametrize("text", [
    "what is mesotherapy",
    "La Jolla clinic hours?",  # one foreign-looking word among English ones
    "pain?",
    "meso = ?",
    "is it safe para mi",  # English function words: answered as English
])
def test_english_messages_are_not_another_language(text):
    assert not looks_like_another_language(text)


def test_a_question_in_another_language_hears_english_only_not_a_wrong_answer(assistant):
    reply = assistant.respond(Turn("ask_what_is_mesotherapy", "¿cuánto cuesta la mesoterapia?"))
    assert reply.messages[0] == replies.ENGLISH_ONLY
    assert reply.buttons
    assert not any("minimally invasive" in message for message in reply.messages)

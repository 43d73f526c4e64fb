"""Multi-part questions: split into their questions, each answered in order, safety on the whole."""
import pytest

from bot.answering import safety
from bot.answering.answers import Turn
from bot.answering.parts import split_questions


@pytest.mark.parametrize("text, parts", [
    ("does it work, and how long does it last?", ["does it work", "how long does it last?"]),
    ("is it effective, does it hurt and what about downtime?", ["is it effective", "does it hurt", "what about downtime?"]),
    ("What is mesotherapy? Is it safe?", ["What is mesotherapy?", "Is it safe?"]),
    ("what do i do after and how long will bruising last", ["what do i do after", "how long will bruising last"]),
    # outside probe: only the first parts of numbered lists were answered
    ("ok so 1. can i have it if im breastfeeding 2. can i drink alcohol after 3. how long do results last",
     ["can i have it if im breastfeeding", "can i drink alcohol after", "how long do results last"]),
    ("hey so a few questions: 1) what do they inject 2) does it hurt", ["what do they inject", "does it hurt"]),
])
def test_a_message_is_split_into_its_questions(text, parts):
    assert split_questions(text) == parts


@pytest.mark.parametrize("text", ["is it safe and effective?", "how long do results last", "hi", ""])
def test_a_message_that_asks_one_thing_stays_whole(text):
    assert split_questions(text) == [text.strip()]


def test_no_more_than_three_parts():
    parts = split_questions("Does it hurt? How long does it take? what is in it? is it safe?")
    assert parts == ["Does it hurt?", "How long does it take?", "what is in it? is it safe?"]


def test_each_part_is_answered_in_order_and_the_safety_line_ends_the_whole_reply(assistant):
    whole = Turn(intent="ask_conditions_treated", text="does it work, does it hurt and is it safe?")
    parts = [Turn(intent="ask_conditions_treated", text="does it work"),
             Turn(intent="ask_procedure", text="does it hurt"),
             Turn(intent="ask_safety", text="is it safe?")]
    reply = assistant.respond(whole, parts)
    text = "\n".join(reply.messages)
    conditions = text.index("Mesotherapy can be used to treat a variety of conditions")
    procedure = text.index("You may feel a slight sting during the injections")
    risks = text.index("More serious side effects are rare")
    assert conditions < procedure < risks
    assert reply.messages[-1] == safety.professional_recommendation(assistant._clinic)
    assert reply.messages.count(reply.messages[-1]) == 1


def test_parts_asking_the_same_topic_or_small_talk_are_answered_once(assistant):
    whole = Turn(intent="ask_procedure", text="hi, does it hurt? does it hurt a lot?")
    parts = [Turn(intent="greet", text="hi"), Turn(intent="ask_procedure", text="does it hurt?"),
             Turn(intent="ask_procedure", text="does it hurt a lot?")]
    assert assistant.respond(whole, parts).messages == assistant.respond(whole).messages


def test_a_sentence_two_parts_answer_with_is_said_once(assistant):
    whole = Turn(intent="ask_safety", text="is it safe and who should do it")
    parts = [Turn(intent="ask_safety", text="is it safe"), Turn(intent="ask_practitioner", text="who should do it")]
    text = " ".join(assistant.respond(whole, parts).messages)
    assert text.count("This procedure is considered safe when performed by a licensed professional.") == 1
    assert "board-certified dermatologist or plastic surgeon" in text


def test_a_question_about_another_treatment_does_not_swallow_the_guide_question_asked_with_it(assistant):
    # "is it safe? also do u do botox" (outside probe) got only "it says nothing about Botox"
    whole = Turn(intent="out_of_scope", text="is it safe? also do u do botox")
    parts = [Turn(intent="ask_safety", text="is it safe?"), Turn(intent="out_of_scope", text="also do u do botox")]
    reply = assistant.respond(whole, parts)
    text = "\n".join(reply.messages)
    assert text.index("This procedure is considered safe") < text.index("it says nothing about Botox")
    assert reply.messages[-1] == safety.professional_recommendation(assistant._clinic)
    assert reply.topic == "safety"


def test_off_topic_parts_alone_are_answered_as_the_whole_message(assistant):
    whole = Turn(intent="out_of_scope", text="do you do botox? and fillers?")
    parts = [Turn(intent="out_of_scope", text="do you do botox?"), Turn(intent="out_of_scope", text="and fillers?")]
    assert assistant.respond(whole, parts).messages == assistant.respond(whole).messages


@pytest.mark.parametrize("parts", [
    [("out_of_scope", "What is Botox?"), ("ask_what_is_mesotherapy", "How does it work?")],  # held-out real questions
    [("out_of_scope", "How quickly do anti wrinkle injections take to start working"),
     ("ask_results_duration", "how long does their effect last?")],
])
def test_a_question_after_one_about_another_treatment_asks_about_that_treatment(assistant, parts):
    whole = Turn(intent="out_of_scope", text=" ".join(text for _, text in parts))
    turns = [Turn(intent=intent, text=text) for intent, text in parts]
    assert assistant.respond(whole, turns).messages == assistant.respond(whole).messages


def test_a_question_after_one_about_another_treatment_that_names_mesotherapy_is_answered(assistant):
    whole = Turn(intent="out_of_scope", text="do you do botox? and how long does meso last?")
    parts = [Turn(intent="out_of_scope", text="do you do botox?"), Turn(intent="ask_results_duration", text="and how long does meso last?")]
    text = " ".join(assistant.respond(whole, parts).messages)
    assert "it says nothing about Botox" in text and "not permanent" in text

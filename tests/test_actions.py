"""The Rasa action answers from a real knowledge base built from the shipped guide."""
import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from bot.answering import replies, safety
from bot.settings import load_clinic


@pytest.fixture(autouse=True)
def knowledge_base_from_settings(monkeypatch, tmp_path, spacy_dir):
    """Point the settings at a fresh SQLite file; the action builds it on first use."""
    monkeypatch.setenv("MESO_DATABASE_URL", f"sqlite:///{tmp_path / 'knowledge.db'}")
    monkeypatch.setenv("MESO_SPACY_MODEL", str(spacy_dir))
    actions.assistant.cache_clear()
    yield
    actions.assistant.cache_clear()


def _tracker(text, intent, entities=(), slots=None, confidence=0.9):
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": [{"entity": label, "value": value} for label, value in entities],
    }
    return Tracker("visitor", slots or {}, message, [], False, None, {}, "action_listen")


def _run(tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(actions.ActionAnswer().run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_answers_a_condition_and_remembers_it():
    messages, events = _run(_tracker("can mesotherapy help my balding", "ask_conditions_treated", [("condition", "balding")]))
    assert messages[0]["text"].startswith("Yes. The guide lists hair loss")
    assert SlotSet("condition", "hair loss") in events
    assert SlotSet("topic", "conditions") in events


def test_follow_up_uses_the_remembered_condition():
    tracker = _tracker("and how long does that last?", "ask_results_duration", slots={"condition": "hair loss"})
    messages, events = _run(tracker)
    assert "not permanent" in messages[0]["text"]
    assert "hair loss" in messages[1]["text"]
    assert SlotSet("condition", "hair loss") in events


def test_what_about_another_condition_asks_the_remembered_topic_again():
    tracker = _tracker("what about my double chin", "ask_what_is_mesotherapy", [("condition", "double chin")],
                       slots={"topic": "conditions", "condition": "cellulite"})
    messages, events = _run(tracker)
    assert messages[0]["text"].startswith("The guide lists fat deposits among the conditions")
    assert SlotSet("condition", "fat deposits") in events and SlotSet("topic", "conditions") in events


def test_safety_answer_ends_with_the_recommendation_and_buttons_ride_on_the_last_message():
    messages, _ = _run(_tracker("is it safe?", "ask_safety"))
    assert messages[-1]["text"] == safety.professional_recommendation(load_clinic())
    greeting, _ = _run(_tracker("hello", "greet"))
    assert len(greeting[-1]["buttons"]) == 8 and greeting[-1]["buttons"][0]["payload"] == "/ask_what_is_mesotherapy"


def test_red_flag_message_comes_first():
    messages, _ = _run(_tracker("my throat is swelling after the injections, how long do results last?", "ask_results_duration"))
    assert messages[0]["text"] == safety.urgent_care_message(load_clinic())


def _fallback_tracker(earlier_intents):
    events = [{"event": "user", "text": "x", "parse_data": {"intent": {"name": name}}} for name in earlier_intents]
    message = {"text": "qwpoeiru zxmcnv", "intent": {"name": "nlu_fallback", "confidence": 0.1}, "entities": []}
    events.append({"event": "user", "text": message["text"], "parse_data": message})
    return Tracker("visitor", {}, message, events, False, None, {}, "action_listen")


def test_two_fallbacks_in_a_row_offer_the_handoff():
    once, _ = _run(_fallback_tracker(["greet"]))
    assert replies.offer_handoff(load_clinic()) not in [m["text"] for m in once]
    assert all(b["payload"] != "/request_human" for b in once[-1]["buttons"])
    twice, _ = _run(_fallback_tracker(["greet", "nlu_fallback"]))
    assert twice[-2]["text"] == replies.offer_handoff(load_clinic())
    # an unsure NLU may have missed a safety question: the recommendation ends the reply
    assert twice[-1]["text"] == safety.professional_recommendation(load_clinic())
    assert twice[-1]["buttons"][0] == {"title": "Talk to someone at the clinic", "payload": "/request_human"}
    assert len(twice[-1]["buttons"]) == 9


def test_how_long_does_that_last_after_a_side_effect_is_about_the_side_effect():
    messages, events = _run(_tracker("does it cause bruising", "ask_safety", [("side_effect", "bruising")]))
    assert SlotSet("side_effect", "bruising") in events
    tracker = _tracker("how long does that last?", "ask_results_duration", slots={"side_effect": "bruising", "topic": "safety"})
    messages, events = _run(tracker)
    assert messages[0]["text"].startswith("There may also be some bruising, which can take up to a week to dissipate.")
    assert not any("results" in m["text"] for m in messages)
    # A side effect the guide gives no time for is said to be missing, not given the results' duration.
    messages, _ = _run(_tracker("how long does it last", "ask_results_duration", slots={"side_effect": "pain"}))
    assert "The guide does not say how long pain lasts." in [m["text"] for m in messages]


def test_the_side_effect_is_remembered_for_one_turn_only():
    messages, events = _run(_tracker("can it help my cellulite", "ask_conditions_treated", [("condition", "cellulite")],
                                     slots={"side_effect": "bruising"}))
    assert SlotSet("side_effect", None) in events
    # Without a side effect just named, "how long does it last" asks how long results last.
    messages, _ = _run(_tracker("how long does it last", "ask_results_duration"))
    assert messages[0]["text"].startswith("Mesotherapy results are not permanent.")
    # An unknown value planted in the slot is ignored.
    messages, _ = _run(_tracker("how long does that last", "ask_results_duration", slots={"side_effect": "<b>x</b>"}))
    assert messages[0]["text"].startswith("Mesotherapy results are not permanent.")


@pytest.mark.parametrize("text, intent", [
    ("is this normal after meso?", "ask_aftercare"), ("no fever though", "thank"), ("should i wait and see?", "nlu_fallback"),
    ("im ok now i think", "goodbye"), ("is it an allergy?", "ask_contraindications"),
])
def test_after_the_urgent_care_message_no_reply_reads_as_an_all_clear(text, intent):
    # outside probe: after "i have a temperature of 39 now" got the urgent-care message, "is this normal after
    # meso?" got the normal after-effects, "no fever though" "No problem", "im ok now i think" "Goodbye"
    _, events = _run(_tracker("had meso 2 days ago and i have a temperature of 39 now", "report_red_flag"))
    assert SlotSet("urgent_care_advised", True) in events
    messages, events = _run(_tracker(text, intent, slots={"urgent_care_advised": True}))
    texts = [m["text"] for m in messages]
    clinic = load_clinic()
    assert texts[0] == safety.urgent_care_reminder(clinic)
    assert texts[-1] == safety.professional_recommendation(clinic)
    assert not any(t.startswith(("After your treatment", "No problem", "Goodbye", "Sorry, I'm not sure")) for t in texts)
    assert SlotSet("urgent_care_advised", True) in events


def test_after_the_urgent_care_message_a_separate_question_is_answered_after_the_reminder():
    messages, _ = _run(_tracker("how much does it cost?", "ask_price", slots={"urgent_care_advised": True}))
    texts = [m["text"] for m in messages]
    assert texts[0] == safety.urgent_care_reminder(load_clinic()) and "price" in texts[1]


def test_without_an_urgent_care_message_there_is_no_reminder():
    messages, events = _run(_tracker("is this normal after meso?", "ask_aftercare"))
    assert messages[0]["text"].startswith("After your treatment")
    assert SlotSet("urgent_care_advised", False) in events



@pytest.mark.parametrize("text, intent, confidence", [
    # outside probe: after a fever alarm, the list of conditions it treats (read at 0.76 and 0.72)
    ("Could it just be a cold?", "ask_conditions_treated", 0.76),
    ("I'll just put some antiseptic on it, fine?", "ask_conditions_treated", 0.72),
])
def test_after_the_urgent_care_message_an_unsure_reading_gets_only_the_reminder(text, intent, confidence):
    messages, _ = _run(_tracker(text, intent, slots={"urgent_care_advised": True}, confidence=confidence))
    clinic = load_clinic()
    assert [m["text"] for m in messages] == [safety.urgent_care_reminder(clinic), safety.professional_recommendation(clinic)]



def test_with_the_urgent_care_message_a_report_that_asks_nothing_gets_nothing_after_it():
    # the fresh-clone check: the alarm for a patch measured larger was followed by the definition (read at 0.95)
    text = "it's about 4cm x 3cm of pinkish skin around one injection point, wasn't there this morning, now it's maybe 6cm"
    messages, _ = _run(_tracker(text, "ask_what_is_mesotherapy", confidence=0.95))
    clinic = load_clinic()
    assert [m["text"] for m in messages] == [safety.urgent_care_message(clinic), safety.professional_recommendation(clinic)]


@pytest.mark.parametrize("text", ["yes please", "ok", "sure, get someone to call me", "yh go ahead"])
def test_taking_up_the_offer_to_be_contacted_in_words_starts_the_contact_form(text):
    # ninth session, from the last probe's leftovers: "ok" after "I can ask someone at the clinic to contact you" got
    # "Great. What would you like to know?" (only the button started the form)
    messages, events = _run(_tracker(text, "affirm", slots={"handoff_offered": True}))
    assert messages == []
    assert events[-1] == FollowupAction("handoff_form")
    assert SlotSet("handoff_offered", False) in events


@pytest.mark.parametrize("text, slots", [("yes please", {}), ("ok but does it hurt", {"handoff_offered": True})])
def test_a_yes_without_the_offer_or_with_a_question_does_not_start_the_contact_form(text, slots):
    messages, events = _run(_tracker(text, "affirm", slots=slots))
    assert messages and FollowupAction("handoff_form") not in events


def test_the_second_misunderstood_message_in_a_row_offers_contact_and_remembers_the_offer():
    tracker = _tracker("zzzz blorp", "nlu_fallback", confidence=0.2)
    tracker.events = [{"event": "user", "text": "asdf", "parse_data": {"intent": {"name": "nlu_fallback"}}},
                      {"event": "user", "text": "zzzz blorp", "parse_data": {"intent": {"name": "nlu_fallback"}}}]
    messages, events = _run(tracker)
    assert any("contact you" in message["text"] for message in messages)
    assert SlotSet("handoff_offered", True) in events


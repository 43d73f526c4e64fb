"""connectors.dialogue_states and connectors.action_events give what Rasa's own code gives."""
from __future__ import annotations

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from connectors import action_events, dialogue_states

DOMAIN = Domain.from_path("domain.yml")


def _user(intent: str) -> UserUttered:
    return UserUttered(text=intent, intent={"name": intent, "confidence": 1.0})


def _turn(tracker: DialogueStateTracker, intent: str) -> None:
    for event in (_user(intent), ActionExecuted("action_answer"), BotUttered(text="answer"),
                  SlotSet("topic", intent), ActionExecuted("action_listen")):
        tracker.update(event, DOMAIN)


def test_incremental_states_equal_rasa_states_at_every_step() -> None:
    tracker = DialogueStateTracker.from_events("states", [ActionExecuted("action_listen")], DOMAIN.slots)
    intents = ["ask_price", "ask_safety", "request_human", "ask_price", "greet"]
    for index in range(12):
        _turn(tracker, intents[index % len(intents)])
        if index == 6:  # a form turn, then an undo: the cache must start again
            tracker.update(ActiveLoop("handoff_form"))
            tracker.update(ActiveLoop(None))
        assert dialogue_states.applied_events(tracker) == dialogue_states._original_applied_events(tracker)
        expected = dialogue_states._original(DOMAIN, tracker)
        assert dialogue_states.states_for_tracker_history(DOMAIN, tracker) == expected
        assert dialogue_states.states_for_tracker_history(DOMAIN, tracker) == expected  # cached: the same


def test_states_rebuilt_for_a_tracker_read_again() -> None:
    tracker = DialogueStateTracker.from_events("reread", [ActionExecuted("action_listen")], DOMAIN.slots)
    for intent in ("ask_price", "ask_safety"):
        _turn(tracker, intent)
    dialogue_states.states_for_tracker_history(DOMAIN, tracker)
    other = DialogueStateTracker.from_events("reread", list(tracker.events)[:-3], DOMAIN.slots)
    assert dialogue_states.states_for_tracker_history(DOMAIN, other) == dialogue_states._original(DOMAIN, other)


def test_action_server_events_keep_recent_turns_and_latest_message_of_each_intent() -> None:
    tracker = DialogueStateTracker.from_events("events", [ActionExecuted("action_listen")], DOMAIN.slots)
    for intent in ["request_human", "ask_price", "ask_safety"] + ["ask_price"] * 10:
        _turn(tracker, intent)
    events = list(tracker.events)
    kept = action_events.events_for_action_server(events)
    users = [event for event in kept if isinstance(event, UserUttered)]
    assert [event.intent_name for event in users[:3]] == ["request_human", "ask_safety", "ask_price"]
    assert kept[-5 * 5:] == events[-5 * 5:]  # the last 5 turns whole
    positions = [next(i for i, event in enumerate(events) if event is kept_event) for kept_event in kept]
    assert positions == sorted(positions)  # in their order
    short = events[:12]
    assert action_events.events_for_action_server(short) == short

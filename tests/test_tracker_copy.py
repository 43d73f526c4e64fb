"""connectors.tracker_copy gives the tracker Rasa's replaying copy gives, and the states' text only when logged."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from connectors import tracker_copy

DOMAIN = Domain.from_path("domain.yml")


def _user(text: str, intent: str) -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": 0.9})


def _conversation() -> List[Event]:
    """A session start, questions, the handoff form with a rejection, a pause, an undo, a restart."""
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        _user("does it hurt", "ask_pain"),
        ActionExecuted("action_answer"),
        BotUttered("A little."),
        SlotSet("topic", "pain"),
        ActionExecuted("action_listen"),
        _user("can I talk to someone", "request_human"),
        ActionExecuted("handoff_form"),
        ActiveLoop("handoff_form"),
        SlotSet("requested_slot", "handoff_consent"),
        BotUttered("Is that OK?"),
        ActionExecuted("action_listen"),
        _user("what is in it", "ask_ingredients"),
        ActionExecutionRejected("handoff_form"),
        ActionExecuted("action_answer"),
        BotUttered("Vitamins."),
        FollowupAction("handoff_form"),
        ActionExecuted("action_listen"),
        ConversationPaused(),
        _user("yes", "affirm"),
        ConversationResumed(),
        SlotSet("handoff_consent", True),
        ActionExecuted("action_listen"),
        _user("oops", "out_of_scope"),
        UserUtteranceReverted(),
        ActiveLoop(None),
        Restarted(),
        ActionExecuted("action_listen"),
        _user("hello", "greet"),
    ]


def _state(tracker: DialogueStateTracker) -> Dict[str, Any]:
    return {
        "current": tracker.current_state(EventVerbosity.ALL),
        "active_loop": tracker.active_loop,
        "latest_action": tracker.latest_action,
        "followup_action": tracker.followup_action,
        "paused": tracker.is_paused(),
        "latest_message": tracker.latest_message,
        "latest_bot_utterance": tracker.latest_bot_utterance,
        "slots": {name: slot.value for name, slot in tracker.slots.items()},
        "max_event_history": tracker._max_event_history,
    }


def test_the_copy_equals_rasas_replay_after_every_event() -> None:
    tracker = DialogueStateTracker("copy", DOMAIN.slots)
    for event in _conversation():
        tracker.update(event, DOMAIN)
        replayed = tracker.travel_back_in_time(float("inf"))  # Rasa's copy
        copied = tracker_copy.copy_tracker(tracker)
        assert _state(copied) == _state(replayed), f"after {event}"
        assert [id(item) for item in copied.events] == [id(item) for item in replayed.events]


def test_changing_the_copy_leaves_the_tracker_as_it_was() -> None:
    tracker = DialogueStateTracker("apart", DOMAIN.slots)
    for event in _conversation()[:14]:  # in the form
        tracker.update(event, DOMAIN)
    before = _state(tracker)
    copied = tracker.copy()  # installed: connectors.tracker_copy
    copied.reject_action("handoff_form")  # changes the active loop in place
    copied.update(SlotSet("topic", "cost"), DOMAIN)
    copied.update(ActionExecuted("action_answer"), DOMAIN)
    assert _state(tracker) == before
    assert len(copied.events) == len(tracker.events) + 2


def test_the_states_are_formatted_only_when_the_rule_policys_debug_line_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    states = [{"user": {"intent": "ask_pain"}, "prev_action": {"action_name": "action_listen"}}]
    rule_policy_log = logging.getLogger("rasa.core.policies.rule_policy")
    level = rule_policy_log.level
    try:
        rule_policy_log.setLevel(logging.INFO)
        assert tracker_copy.format_tracker_states(states) == ""
        rule_policy_log.setLevel(logging.DEBUG)
        assert tracker_copy.format_tracker_states(states) == tracker_copy._original_format(states)
        assert "user intent: ask_pain" in tracker_copy.format_tracker_states(states)
    finally:
        rule_policy_log.setLevel(level)

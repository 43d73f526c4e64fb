"""connectors.rule_policy gives what Rasa's own RulePolicy gives, with the trained model's rules."""

from __future__ import annotations

import copy
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from rasa.core.featurizers.tracker_featurizers import TrackerFeaturizer
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    BotUttered,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import load_settings
from connectors import rule_policy

DOMAIN = Domain.from_path("domain.yml")
MODEL = load_settings().model_path


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> RulePolicy:
    """The trained model's RulePolicy, loaded as the Rasa server loads it."""
    if not Path(MODEL).exists():
        pytest.skip("no trained model (make train)")
    storage, metadata = LocalModelStorage.from_model_archive(tmp_path_factory.mktemp("model"), Path(MODEL))
    name, node = next((name, node) for name, node in metadata.predict_schema.nodes.items() if node.uses is RulePolicy)
    context = ExecutionContext(GraphSchema({}), metadata.model_id)
    config = {**RulePolicy.get_default_config(), **node.config}
    return RulePolicy.load(config, storage, Resource(node.resource.name), context)


@contextmanager
def rasas_own() -> Iterator[None]:
    """Rasa's unpatched methods, for the length of the block."""
    patched = (RulePolicy._get_possible_keys, RulePolicy._create_feature_key)
    RulePolicy._get_possible_keys = rule_policy._original_get_possible_keys
    RulePolicy._create_feature_key = rule_policy._original_create_feature_key
    TrackerFeaturizer._remove_user_text_if_intent = staticmethod(rule_policy._original_remove_user_text_if_intent)
    try:
        yield
    finally:
        RulePolicy._get_possible_keys, RulePolicy._create_feature_key = patched
        TrackerFeaturizer._remove_user_text_if_intent = staticmethod(rule_policy.remove_user_text_if_intent)


def _user(text: str, intent: str) -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": 0.9})


def _turn(text: str, intent: str, answer: str = "action_answer") -> List[Event]:
    return [_user(text, intent), ActionExecuted(answer), BotUttered("..."), ActionExecuted("action_listen")]


def _conversation() -> List[Event]:
    """Questions, the handoff form with a question inside it, declined, an undo, a restart, more questions."""
    events: List[Event] = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    events += _turn("hello", "greet") + _turn("does it hurt", "ask_procedure")
    events += [
        _user("can I talk to someone", "request_human"),
        ActionExecuted("handoff_form"),
        ActiveLoop("handoff_form"),
        SlotSet("requested_slot", "handoff_consent"),
        BotUttered("Is that OK?"),
        ActionExecuted("action_listen"),
        _user("what is in it", "ask_cocktail_ingredients"),
        ActionExecutionRejected("handoff_form"),
        ActionExecuted("action_answer"),
        BotUttered("Vitamins."),
        ActionExecuted("handoff_form"),
        ActionExecuted("action_listen"),
        _user("no thanks", "deny"),
        ActionExecuted("handoff_form"),
        SlotSet("handoff_consent", False),
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        ActionExecuted("action_submit_handoff"),
        ActionExecuted("action_listen"),
    ]
    events += _turn("oops", "out_of_scope") + [UserUtteranceReverted()]
    for index in range(15):
        events += _turn(f"question {index}", ["ask_price", "ask_safety", "ask_procedure", "affirm", "deny"][index % 5])
    events += [Restarted(), ActionExecuted("action_listen")] + _turn("hi", "greet")
    events += _turn("what is in it", "ask_cocktail_ingredients")
    return events


def _prediction(policy: RulePolicy, tracker: DialogueStateTracker) -> Dict[str, Any]:
    prediction, source = policy._predict(tracker, DOMAIN)
    return {"source": source, **prediction.__dict__}


def test_predictions_equal_rasas_after_every_event(policy: RulePolicy) -> None:
    tracker = DialogueStateTracker("rules", DOMAIN.slots)
    checked = 0
    for event in _conversation():
        tracker.update(event, DOMAIN)
        if not isinstance(event, (ActionExecuted, UserUttered)):
            continue
        ours = _prediction(policy, tracker)
        with rasas_own():
            theirs = _prediction(policy, tracker)
        assert ours == theirs, f"after {event}"
        checked += 1
    assert checked > 50


def test_each_method_equals_rasas_on_every_prefix_of_the_states(policy: RulePolicy) -> None:
    tracker = DialogueStateTracker("states", DOMAIN.slots)
    for event in _conversation():
        tracker.update(event, DOMAIN)
    for use_text in (True, False):
        with rasas_own():
            states = policy._prediction_states(tracker, DOMAIN, use_text_for_last_user_input=use_text)
        snippet = {"prev_action": {"action_name": "..."}}
        for end in range(len(states) + 1):
            prefix = states[:end]
            for lookup in (policy.lookup[RULES], policy.lookup[RULES_FOR_LOOP_UNHAPPY_PATH]):
                ours = rule_policy.get_possible_keys(policy, lookup, prefix)
                assert ours == rule_policy._original_get_possible_keys(policy, lookup, prefix)
            for keyed in (prefix, prefix[:2] + [snippet] + prefix[2:], prefix + [snippet]):
                ours = rule_policy.create_feature_key(policy, keyed)
                assert ours == rule_policy._original_create_feature_key(policy, keyed)


def test_user_text_removed_as_rasa_removes_it() -> None:
    states: List[List[Dict[str, Any]]] = [
        [
            {"user": {"intent": "greet", "text": "hi"}, "prev_action": {"action_name": "action_listen"}},
            {"user": {"text": "hi"}},
            {"user": {"intent": "greet"}},
            {"user": {"intent": "", "text": "hi"}},
            {"user": {}},
            {"prev_action": {"action_name": "action_answer"}},
        ],
        [],
    ]
    ours, theirs = copy.deepcopy(states), copy.deepcopy(states)
    rule_policy.remove_user_text_if_intent(ours)
    rule_policy._original_remove_user_text_if_intent(theirs)
    assert ours == theirs
    assert ours[0][0] == {"user": {"intent": "greet"}, "prev_action": {"action_name": "action_listen"}}

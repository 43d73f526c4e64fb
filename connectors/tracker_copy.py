"""Two more places where Rasa redoes work over the whole conversation on every message, made flat.

Rasa 3.6.21, on each action of each message:

* copies the tracker before running the action (``MessageProcessor._run_action``: a temporary
  tracker, dropped if the action is rejected) with ``DialogueStateTracker.copy``, which replays
  every event of the conversation into a new tracker;
* formats the dialogue states of the whole conversation into text for one DEBUG log line of the
  RulePolicy (``Policy.format_tracker_states``), also when DEBUG is off.

A profile of one conversation at messages 300-540 (``make benchmark``'s flat-cost check had
regressed to 1.68) put 21% of the Rasa server's time in the copies and 12% in the formatting. Here
the copy takes the tracker's state as it is (the same event objects, as the replay does, in a new
list; its own slots, active loop and latest action) instead of replaying it, and the states are
formatted only when that DEBUG line is logged. ``tests/test_tracker_copy.py`` compares the copies
with Rasa's on real conversations. Applied only to the Rasa version it was written for.
"""

from __future__ import annotations

import copy
import logging
from typing import Any, Dict, List, Text

import rasa
from rasa.core.policies.policy import Policy
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

FOR_RASA_VERSION = "3.6.21"
_RULE_POLICY_LOGGER = logging.getLogger("rasa.core.policies.rule_policy")  # structlog filters by it
_original_format = Policy.format_tracker_states


def copy_tracker(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """The tracker ``tracker.copy()`` (a replay of all its events) returns, without the replay."""
    duplicate = tracker.init_copy()
    for name, slot in tracker.slots.items():  # its own slots, as they are now
        duplicate.slots[name] = copy.copy(slot)
    duplicate.events = duplicate._create_events(list(tracker.events))
    duplicate._paused = tracker._paused
    duplicate.followup_action = tracker.followup_action
    duplicate.latest_message = tracker.latest_message
    duplicate.latest_bot_utterance = tracker.latest_bot_utterance
    duplicate.latest_action = copy.deepcopy(tracker.latest_action)
    duplicate.active_loop = copy.deepcopy(tracker.active_loop)  # changed in place by a rejection
    return duplicate


def format_tracker_states(states: List[Dict[Text, Any]]) -> Text:
    """Rasa's text of the states when the RulePolicy's DEBUG line is logged; else nothing."""
    if _RULE_POLICY_LOGGER.isEnabledFor(logging.DEBUG):
        return _original_format(states)
    return ""


def install() -> None:
    """Replace ``DialogueStateTracker.copy`` and ``Policy.format_tracker_states`` (this Rasa version only)."""
    if rasa.__version__ != FOR_RASA_VERSION:
        logger.warning(
            f"Tracker copies replay the whole conversation: written for Rasa {FOR_RASA_VERSION}, "
            f"this is {rasa.__version__}"
        )
        return
    DialogueStateTracker.copy = copy_tracker
    Policy.format_tracker_states = staticmethod(format_tracker_states)

"""Send the action server the recent part of the conversation, not all of it.

Rasa 3.6.21's ``RemoteAction`` sends the whole tracker with every event of the conversation
(``tracker.current_state(EventVerbosity.ALL)``) on every custom-action call: serialising it took 22%
of the Rasa server's time and parsing it 35% of the action server's by the end of a 400-message
conversation. The other fields of the request (slots, latest message, active loop, latest action,
paused, followup action, latest input channel) are computed from the whole tracker as before; only
the ``events`` list is shortened to:

* every event from the ``RECENT_USER_TURNS``-th last visitor message on, and
* before that, the latest visitor message of each intent (a few dozen events at most),

in their original order. What our actions read from ``tracker.events`` stays the same:
``actions/actions.py`` ``previous_intent`` (the last two visitor messages), ``actions/handoff.py``
``handoff_reason`` (the latest visitor message whose intent is in ``handoff.REASONS``: the latest
message of each intent is kept) and rasa_sdk's ``slots_to_validate`` (the slot events after the
last action) and ``get_latest_input_channel`` (the latest visitor message). An action that needs
older events must not rely on this list. Applied only to the Rasa version it was written for.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import EventVerbosity

logger = logging.getLogger(__name__)

FOR_RASA_VERSION = "3.6.21"
RECENT_USER_TURNS = 5


def events_for_action_server(events: List[Event], recent_user_turns: int = RECENT_USER_TURNS) -> List[Event]:
    """The events the action server gets (see the module's docstring), in their order."""
    users = 0
    start = 0
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            users += 1
            if users == recent_user_turns:
                start = index
                break
    if start == 0:
        return list(events)
    seen = set()
    older: List[Event] = []
    for event in reversed(events[:start]):
        if isinstance(event, UserUttered):
            intent = event.intent_name
            if intent not in seen:
                seen.add(intent)
                older.append(event)
    older.reverse()
    return older + events[start:]


def action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> Dict[Text, Any]:
    """Rasa's ``RemoteAction._action_call_format`` (3.6.21) with the events shortened."""
    tracker_state = tracker.current_state(EventVerbosity.NONE)
    tracker_state["events"] = [event.as_dict() for event in events_for_action_server(list(tracker.events))]
    result = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": tracker_state,
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        result["domain"] = domain.as_dict()
    return result


def install() -> bool:
    """Shorten the events sent to the action server; False when Rasa is another version."""
    if rasa.__version__ != FOR_RASA_VERSION:
        logger.warning(
            "Rasa %s is not %s: the whole conversation goes to the action server on every call",
            rasa.__version__,
            FOR_RASA_VERSION,
        )
        return False
    RemoteAction._action_call_format = action_call_format
    return True

"""Rasa's dialogue states computed incrementally: each message's cost no longer grows with the conversation.

Rasa 3.6.21's ``Domain.states_for_tracker_history`` (used by the RulePolicy on every prediction,
several times per message) replays every event of the conversation session into a fresh tracker
and builds the state before each action: a profile of one 400-message conversation put 43% of the
Rasa server's time there by its end. The states before the actions of a conversation never change
while events are only appended, so this module keeps, per conversation, the replayed tracker and the
states built so far, and on the next call only replays the new events. The cache is used only when
the conversation's applied events (``tracker.applied_events()``, after undos, restarts and form
unhappy paths) still begin with the very event objects it replayed, and only for the same domain;
otherwise (another replica wrote, a rewind, a new model) the states are built from scratch as Rasa
does. The result is the same list Rasa builds (``tests/test_dialogue_states.py`` compares them).

``DialogueStateTracker.applied_events`` (the events after undos, restarts and form unhappy paths,
called a dozen times per message by the processor and the policy) is kept the same way on each
tracker: only the events appended since the last call are walked, unless the event list was
replaced or shortened, or a new form name appeared (Rasa treats a form's executions by the names
of all the forms of the conversation): then it is computed from scratch as Rasa does.

Only the ``ignore_rule_only_turns=False`` case (the RulePolicy's) is cached; the other keeps Rasa's
own method. Applied only to the Rasa version it was written for.
"""

from __future__ import annotations

import logging
import operator
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Text, Tuple

import rasa
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

FOR_RASA_VERSION = "3.6.21"
MAX_CACHED = 1000
_original = Domain.states_for_tracker_history
_original_applied_events = DialogueStateTracker.applied_events


class _Replay:
    """One conversation's replay: the domain, the applied events replayed, the tracker after them,
    and the state before each of their actions."""

    __slots__ = ("domain", "events", "tracker", "states")

    def __init__(self, domain: Domain, tracker: Any) -> None:
        self.domain = domain
        self.events: List[Any] = []
        self.tracker = tracker.init_copy()
        self.states: List[State] = []


_replays: "OrderedDict[Tuple[Text, bool, bool], _Replay]" = OrderedDict()


def _continues(replay: _Replay, applied: List[Any]) -> bool:
    """True when ``applied`` starts with exactly the event objects already replayed."""
    done = replay.events
    return len(applied) >= len(done) and all(map(operator.is_, done, applied))


def states_for_tracker_history(
    self: Domain,
    tracker: Any,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[Text, Any]] = None,
) -> List[State]:
    """Rasa's ``Domain.states_for_tracker_history``, replaying only the events new since the last call."""
    if ignore_rule_only_turns:
        return _original(self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    key = (tracker.sender_id, bool(omit_unset_slots), bool(tracker.is_rule_tracker))
    applied = tracker.applied_events()
    replay = _replays.pop(key, None)
    if replay is None or replay.domain is not self or not _continues(replay, applied):
        replay = _Replay(self, tracker)
    for event in applied[len(replay.events) :]:
        if isinstance(event, ActionExecuted):
            replay.states.append(
                self._clean_state(self.get_active_state(replay.tracker, omit_unset_slots=omit_unset_slots))
            )
        replay.tracker.update(event)
        replay.events.append(event)
    _replays[key] = replay
    while len(_replays) > MAX_CACHED:
        _replays.popitem(last=False)
    # A new list (callers drop its last state) ending with a freshly built current state (callers edit it).
    return replay.states + [self._clean_state(self.get_active_state(replay.tracker, omit_unset_slots=omit_unset_slots))]


class _Applied:
    """A tracker's applied events so far: which event list, how many of its events, the last one,
    the form names seen, the result."""

    __slots__ = ("events", "count", "last", "loop_names", "applied")

    def __init__(self, events: Any) -> None:
        self.events = events
        self.count = 0
        self.last: Any = None
        self.loop_names: set = set()
        self.applied: List[Any] = []


def applied_events(self: DialogueStateTracker) -> List[Any]:
    """Rasa's ``DialogueStateTracker.applied_events``, walking only the events appended since the last call."""
    events = self.events
    cache = self.__dict__.get("_applied_cache")
    count = len(events)
    if (
        cache is None
        or cache.events is not events
        or cache.count > count
        or (cache.count and events[cache.count - 1] is not cache.last)
    ):
        cache = _Applied(events)
    new = [events[index] for index in range(cache.count, count)] if cache.count else list(events)
    new_names = {event.name for event in new if isinstance(event, ActiveLoop) and event.name}
    if not new_names <= cache.loop_names:
        cache = _Applied(events)
        new = list(events)
        new_names = {event.name for event in new if isinstance(event, ActiveLoop) and event.name}
    cache.loop_names |= new_names
    loop_names, applied = cache.loop_names, cache.applied
    for event in new:
        if isinstance(event, (Restarted, SessionStarted)):
            applied = []
        elif isinstance(event, ActionReverted):
            self._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            self._undo_till_previous(UserUttered, applied)
            self._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not self._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            self._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    cache.applied, cache.count = applied, count
    cache.last = events[count - 1] if count else None
    self.__dict__["_applied_cache"] = cache
    return list(applied)


def install() -> bool:
    """Compute the dialogue states incrementally; False when Rasa is another version."""
    if rasa.__version__ != FOR_RASA_VERSION:
        logger.warning(
            "Rasa %s is not %s: dialogue states stay Rasa's own (rebuilt on every prediction)",
            rasa.__version__,
            FOR_RASA_VERSION,
        )
        return False
    Domain.states_for_tracker_history = states_for_tracker_history
    DialogueStateTracker.applied_events = applied_events
    return True

"""Faults answered: when the action server is down, slow or fails, the visitor is told so.

Rasa 3.6.21 logs a failed custom action and goes on without its events: the visitor gets no
answer at all (REST returns ``[]``, SMS/Telegram/Messenger nothing, the widget waits). ``install``
wraps ``RemoteAction.run``: the call is given ``ACTION_TIMEOUT`` seconds, and any failure (no
connection, an error status, a timeout, a bad response) becomes one bot message, the
``bot.clinic.profile.trouble_message`` ("I'm having trouble answering right now. Please try again
in a moment, or contact the clinic…"), sent through the visitor's channel like any reply. It is
said once per visitor message, even when several actions of that turn fail (a form's validation
and its question). A rejection by the action server (a form that does not take the message) is
no fault and goes on as in Rasa. Nothing of the conversation is logged, only the action's name
and the kind of failure.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, List

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.events import BotUttered, Event, UserUttered

from bot.clinic.profile import trouble_message
from bot.settings import load_clinic, load_settings

logger = logging.getLogger(__name__)

FAULT_METADATA_KEY = "meso_fault"
_original_run = RemoteAction.run


def trouble_event() -> BotUttered:
    """The bot message a visitor gets instead of silence."""
    return BotUttered(text=trouble_message(load_clinic()), metadata={FAULT_METADATA_KEY: True})


def already_apologised(tracker: Any) -> bool:
    """True when the trouble message was already said since the visitor's latest message."""
    for event in reversed(list(tracker.events)):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get(FAULT_METADATA_KEY):
            return True
    return False


async def run_or_apologise(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
    """Rasa's ``RemoteAction.run`` within ``ACTION_TIMEOUT``; the trouble message on any failure."""
    timeout = load_settings().action_timeout
    try:
        return await asyncio.wait_for(_original_run(self, output_channel, nlg, tracker, domain), timeout)
    except ActionExecutionRejection:
        raise
    except Exception as error:  # noqa: BLE001 (every failure of the action server is answered)
        kind = f"no answer within {timeout:.0f} s" if isinstance(error, asyncio.TimeoutError) else type(error).__name__
        logger.error("custom action %s failed (%s): the visitor is told to try again", self.name(), kind)
        return [] if already_apologised(tracker) else [trouble_event()]


def install() -> None:
    """Answer every failure of a custom action with the trouble message (see the module's docstring)."""
    if RemoteAction.run is not run_or_apologise:
        RemoteAction.run = run_or_apologise

"""Visitor text is text: a message starting with ``/`` is an intent payload only when the bot offered it.

Rasa reads any message that starts with ``/`` as an intent and its entities
(``/ask_conditions_treated{"condition": "…"}``), so a visitor could pick any intent and plant any
entity value, which the answer then repeats. ``install`` wraps ``MessageProcessor.parse_message``:
such a message keeps its meaning only when it is exactly the payload of a button of the bot's last
message in that conversation (the visitor pressed it, or typed its number on SMS), or one of
``ALWAYS_ACCEPTED`` (the blank-message stand-in our channels write, the widget's opening
``/greet``, neither with entities). Anything else loses its leading ``/`` and is read by the NLU as
the text it is, and is stored so.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Set, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered

from bot.answering.replies import BLANK_MESSAGE_STAND_IN

logger = logging.getLogger(__name__)

ALWAYS_ACCEPTED = frozenset({BLANK_MESSAGE_STAND_IN, "/greet"})
_original_parse_message = MessageProcessor.parse_message


def offered_payloads(tracker: Any) -> Set[Text]:
    """The payloads of the buttons of the bot's last message (none when it had none)."""
    if tracker is None:
        return set()
    for event in reversed(list(tracker.events)):
        if isinstance(event, BotUttered):
            return {
                str(button.get("payload"))
                for button in (event.data or {}).get("buttons") or []
                if isinstance(button, dict) and button.get("payload")
            }
    return set()


def visitor_text(text: Optional[Text], tracker: Any) -> Optional[Text]:
    """``text`` as Rasa should read it: an offered payload as it is, any other ``/…`` as plain text."""
    if not text or not text.lstrip().startswith("/"):
        return text
    stripped = text.strip()
    if stripped in ALWAYS_ACCEPTED or stripped in offered_payloads(tracker):
        return stripped
    return text.lstrip().lstrip("/") or "?"


async def parse_visitor_message(
    self: MessageProcessor, message: UserMessage, tracker: Any = None, only_output_properties: bool = True
) -> Dict[Text, Any]:
    """Rasa's ``parse_message``, after :func:`visitor_text`."""
    text = visitor_text(message.text, tracker)
    if text != message.text:
        if text is not None and message.text is not None and text != message.text.strip():
            logger.info("a message starting with '/' that is no offered button is read as text")
        message.text = text
    return await _original_parse_message(self, message, tracker, only_output_properties)


def install() -> None:
    """Read visitors' ``/…`` messages as text unless they are offered payloads (see the docstring)."""
    if MessageProcessor.parse_message is not parse_visitor_message:
        MessageProcessor.parse_message = parse_visitor_message

"""What the messaging channels share: replies formatted for the channel, and numbered choices.

``FormattedOutput`` goes before a provider's Rasa output class (``class X(FormattedOutput,
TwilioOutput)``): it turns each reply's text and buttons into the messages the channel can show
(``bot.clinic.formatting``) and hands them one by one to ``send_formatted``, which each channel
implements with its provider's API. Images, attachments and custom payloads still go through
Rasa's own code.

``resolve_numbered_choice`` maps a visitor's "2" to the payload of the second option of the
last reply in the conversation, so numbered options work like buttons on SMS and WhatsApp.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.shared.core.events import BotUttered
from sanic.request import Request

from bot.answering.replies import Button
from bot.clinic.formatting import OutgoingMessage, choose_option, format_for_channel
from connectors.common import raw_sender

logger = logging.getLogger(__name__)

_TEXT_KEYS = ("text", "buttons", "quick_replies")


class FormattedOutput:
    """Mixin for a provider's output channel: every reply in the channel's own format."""

    def style_for(self, recipient_id: Text) -> Text:
        """The ``bot.clinic.formatting.STYLES`` name for a recipient (by default the channel's name)."""
        return self.name()  # type: ignore[attr-defined]

    async def send_formatted(self, recipient_id: Text, message: OutgoingMessage) -> None:
        """Send one formatted message through the provider's API."""
        raise NotImplementedError

    def provider_id(self, recipient_id: Text) -> Text:
        """The provider's id of a conversation (``telegram:123`` -> ``123``)."""
        return raw_sender(recipient_id)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        """Send a bot reply: text and buttons formatted for the channel, the rest as Rasa does."""
        text = message.get("text") or ""
        buttons = _buttons(message.get("buttons") or message.get("quick_replies") or [])
        if text or buttons:
            for outgoing in format_for_channel(text, buttons, self.style_for(recipient_id)):
                await self.send_formatted(recipient_id, outgoing)
        others = {key: value for key, value in message.items() if key not in _TEXT_KEYS}
        if any(others.get(key) for key in ("custom", "image", "attachment", "elements")):
            await super().send_response(recipient_id, others)  # type: ignore[misc]


def _buttons(raw: List[Dict[Text, Any]]) -> List[Button]:
    return [(str(button.get("title", "")), str(button.get("payload", ""))) for button in raw]


def _last_buttons(events: List[Any]) -> List[Button]:
    """The buttons of the last bot message, if it had any."""
    for event in reversed(events):
        if isinstance(event, BotUttered):
            return _buttons(event.data.get("buttons") or [])
    return []


async def resolve_numbered_choice(request: Request, sender_id: Text, text: Optional[Text]) -> Text:
    """``text``, or the payload of the option it picks ("2") among the last reply's buttons."""
    text = text or ""
    if not text.strip().rstrip(".").isdigit():
        return text
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return text
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None:
        return text
    return choose_option(text, _last_buttons(list(tracker.events))) or text

"""Twilio: SMS and WhatsApp through one channel, ``POST /webhooks/twilio/webhook``.

Conversations are ``sms:<number>`` and ``whatsapp:<number>`` (``connectors.common.conversation_id``).
Compared with Rasa's ``TwilioInput``: every request must carry a valid ``X-Twilio-Signature``
(HMAC of the webhook URL and the form with the account's auth token), anything else gets a 403
and is not processed; a reply "2" picks the second numbered option; a message without text (a
photo alone) is answered instead of crashing. Replies are formatted per sender: ``whatsapp:``
numbers get WhatsApp's format and are answered from the WhatsApp number, the others get SMS
(plain text, options numbered, split at 1600 characters). Messages are sent in a worker thread
so a slow Twilio API does not hold up other conversations.

Credentials (see ``bot/clinic/channels.py``): account_sid, auth_token, twilio_number; optional
whatsapp_number (default ``whatsapp:<twilio_number>``), webhook_url (the exact URL registered
at Twilio, needed behind a proxy that changes the scheme or host) and api_url (another API
host, e.g. a regional one).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from bot.clinic.formatting import OutgoingMessage
from connectors.common import add_health_route, answer, checked_credentials, conversation_id, raw_sender, refuse
from connectors.formatted import FormattedOutput, resolve_numbered_choice

logger = logging.getLogger(__name__)

WHATSAPP_PREFIX = "whatsapp:"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class TwilioChannelOutput(FormattedOutput, TwilioOutput):
    """Sends replies as SMS or WhatsApp messages, each formatted for its medium."""

    def __init__(
        self,
        account_sid: Text,
        auth_token: Text,
        twilio_number: Text,
        whatsapp_number: Optional[Text] = None,
        api_url: Optional[Text] = None,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        self.whatsapp_number = whatsapp_number or f"{WHATSAPP_PREFIX}{twilio_number}"
        if not self.whatsapp_number.startswith(WHATSAPP_PREFIX):
            self.whatsapp_number = f"{WHATSAPP_PREFIX}{self.whatsapp_number}"
        if api_url:
            self.api.base_url = api_url.rstrip("/")

    def style_for(self, recipient_id: Text) -> Text:
        return "whatsapp" if recipient_id.startswith(WHATSAPP_PREFIX) else "sms"

    def provider_id(self, recipient_id: Text) -> Text:
        """Twilio's ``To``: ``whatsapp:+…`` as it is, ``sms:+…`` without its prefix."""
        return recipient_id if recipient_id.startswith(WHATSAPP_PREFIX) else raw_sender(recipient_id)

    async def send_formatted(self, recipient_id: Text, message: OutgoingMessage) -> None:
        sender = self.whatsapp_number if recipient_id.startswith(WHATSAPP_PREFIX) else self.twilio_number
        try:
            await asyncio.to_thread(
                self.messages.create, to=self.provider_id(recipient_id), from_=sender, body=message.text
            )
        except TwilioRestException as error:
            logger.error("Twilio refused a message to %s: %s", recipient_id, error.msg)


class TwilioChannel(TwilioInput):
    """Rasa's Twilio channel with signed requests only and numbered options."""

    def __init__(
        self,
        account_sid: Text,
        auth_token: Text,
        twilio_number: Text,
        whatsapp_number: Optional[Text] = None,
        webhook_url: Optional[Text] = None,
        api_url: Optional[Text] = None,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode=False)
        self.whatsapp_number = whatsapp_number
        self.webhook_url = webhook_url
        self.api_url = api_url
        self.validator = RequestValidator(auth_token)

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = checked_credentials(cls, credentials)
        return cls(
            credentials["account_sid"],
            credentials["auth_token"],
            credentials["twilio_number"],
            credentials.get("whatsapp_number"),
            credentials.get("webhook_url"),
            credentials.get("api_url"),
        )

    def is_signed(self, request: Request) -> bool:
        """True when ``X-Twilio-Signature`` matches the URL and the form posted."""
        signature = request.headers.get("X-Twilio-Signature", "")
        form = {key: values[0] for key, values in request.form.items()}
        return bool(signature) and self.validator.validate(self.webhook_url or request.url, form, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        twilio_webhook = Blueprint("twilio_webhook", __name__)
        add_health_route(twilio_webhook)

        @twilio_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self.is_signed(request):
                return refuse("Twilio", "invalid signature", "a valid X-Twilio-Signature")
            sender = request.form.get("From")
            if not sender:
                return response.text("missing From", status=400)
            if sender.startswith(WHATSAPP_PREFIX):
                conversation = conversation_id("whatsapp", sender[len(WHATSAPP_PREFIX) :])
            else:
                conversation = conversation_id("sms", sender)
            text = await resolve_numbered_choice(request, conversation, request.form.get("Body"))
            await answer(
                on_new_message, self, conversation, text, self.get_output_channel(), self.get_metadata(request)
            )
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return twilio_webhook

    def get_output_channel(self) -> OutputChannel:
        return TwilioChannelOutput(
            self.account_sid, self.auth_token, self.twilio_number, self.whatsapp_number, self.api_url
        )

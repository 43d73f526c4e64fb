"""Facebook Messenger: ``GET/POST /webhooks/facebook/webhook``.

Compared with Rasa's ``FacebookInput``: the signature is checked with ``X-Hub-Signature-256``
(SHA-256, what Meta sends today; ``X-Hub-Signature`` SHA-1 is accepted when it is the only one)
in constant time, and a request without a valid one gets a 403; every messaging event of a
batch is handled (Rasa's stops after the first); a typed "2" picks the second numbered option;
the Graph API is called from a worker thread so it does not hold up other conversations; an
event delivered again (same ``mid``) is acknowledged but not answered twice (``connectors/redelivery.py``).
Conversations are ``messenger:<page-scoped id>``. Replies are plain text split at 2000 characters; buttons are quick replies, and when a title
is longer than Messenger's 20 characters the options are listed in the text and the quick
replies show their numbers.

Credentials (see ``bot/clinic/channels.py``): verify, secret, page-access-token; optional api_url
(another Graph API version or host).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Iterator, Optional, Text, Tuple

from fbmessenger import MessengerClient
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput, MessengerBot
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.clinic.formatting import OutgoingMessage
from connectors.common import add_health_route, answer, checked_credentials, conversation_id, refuse
from connectors.formatted import FormattedOutput, resolve_numbered_choice
from connectors.redelivery import redelivered

logger = logging.getLogger(__name__)


class MessengerChannelOutput(FormattedOutput, MessengerBot):
    """Sends replies with the Send API; buttons as quick replies."""

    async def send_formatted(self, recipient_id: Text, message: OutgoingMessage) -> None:
        payload: Dict[Text, Any] = {"text": message.text}
        if message.buttons:
            payload["quick_replies"] = [
                {"content_type": "text", "title": title, "payload": button_payload}
                for title, button_payload in message.buttons
            ]
        await asyncio.to_thread(self.messenger_client.send, payload, self.provider_id(recipient_id), "RESPONSE")

    async def send_action(self, recipient_id: Text, sender_action: Text) -> None:
        """Send "mark_seen", "typing_on" or "typing_off"."""
        await asyncio.to_thread(self.messenger_client.send_action, sender_action, self.provider_id(recipient_id))


def signature_is_valid(secret: Text, body: bytes, headers: Any) -> bool:
    """True when the request's ``X-Hub-Signature-256`` (or ``X-Hub-Signature``) matches ``body``."""
    for header, algorithm in (("X-Hub-Signature-256", hashlib.sha256), ("X-Hub-Signature", hashlib.sha1)):
        received = headers.get(header)
        if received:
            expected = "sha256=" if algorithm is hashlib.sha256 else "sha1="
            expected += hmac.new(secret.encode("utf-8"), body, algorithm).hexdigest()
            return hmac.compare_digest(received, expected)
    return False


def messaging_events(payload: Any) -> Iterator[Tuple[Text, Text, Optional[Text]]]:
    """(sender id, text, message id) for every visitor message, quick reply or postback in a webhook
    call (the id Messenger keeps when it delivers the event again; None when there is none)."""
    if not isinstance(payload, dict):
        return
    for entry in payload.get("entry") or []:
        for event in entry.get("messaging") or []:
            sender = str((event.get("sender") or {}).get("id") or "")
            message = event.get("message") or {}
            if not sender or message.get("is_echo"):
                continue
            postback = event.get("postback") or {}
            mid = message.get("mid") or postback.get("mid")
            mid = str(mid) if mid else None
            if (message.get("quick_reply") or {}).get("payload"):
                yield sender, message["quick_reply"]["payload"], mid
            elif "text" in message:
                yield sender, message["text"], mid
            elif message.get("attachments"):
                yield sender, "", mid  # a photo or a voice note: answered as an empty message
            elif postback.get("payload"):
                yield sender, postback["payload"], mid


class MessengerChannel(FacebookInput):
    """Rasa's Messenger channel with current signatures, batches and numbered options."""

    def __init__(self, fb_verify: Text, fb_secret: Text, fb_access_token: Text, api_url: Optional[Text] = None) -> None:
        super().__init__(fb_verify, fb_secret, fb_access_token)
        self.api_url = api_url

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = checked_credentials(cls, credentials)
        return cls(
            credentials["verify"], credentials["secret"], credentials["page-access-token"], credentials.get("api_url")
        )

    def get_output_channel(self) -> MessengerChannelOutput:
        client = MessengerClient(self.fb_access_token)
        if self.api_url:
            client.graph_url = self.api_url.rstrip("/")
        return MessengerChannelOutput(client)

    async def _answer(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], request: Request, sender: Text, text: Text
    ) -> None:
        output = self.get_output_channel()
        await output.send_action(sender, "mark_seen")
        await output.send_action(sender, "typing_on")
        try:
            conversation = conversation_id("messenger", sender)
            text = await resolve_numbered_choice(request, conversation, text)
            await answer(on_new_message, self, conversation, text, output, self.get_metadata(request))
        finally:
            await output.send_action(sender, "typing_off")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        fb_webhook = Blueprint("fb_webhook", __name__)
        add_health_route(fb_webhook)

        @fb_webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(token, self.fb_verify):
                return response.text(request.args.get("hub.challenge") or "")
            return response.text("invalid verify token", status=403)

        @fb_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not signature_is_valid(self.fb_secret, request.body, request.headers):
                return refuse("Messenger", "invalid signature", "a valid signature")
            for sender, text, mid in messaging_events(request.json):
                if not redelivered(request, "messenger", mid):
                    await self._answer(on_new_message, request, sender, text)
            return response.text("success")

        return fb_webhook

"""The REST channel, ``POST /webhooks/rest/webhook`` with ``{"sender": "...", "message": "..."}``.

Compared with Rasa's ``RestInput``:

* ``sender`` is required (a non-blank string of at most 128 characters): a request without it
  gets a 400 with a clear message instead of landing in one shared ``default`` conversation;
* the conversation is ``rest:<sender>`` (``connectors.common.conversation_id``): a REST client
  cannot address a conversation of another channel (an SMS visitor's phone number, a widget
  session);
* the common handling of ``connectors.common.answer``: text capped at ``MESO_MAX_MESSAGE_CHARS``
  with a note, blank text made safe (the ``nlu_fallback`` intent, answered by asking for a
  question), the trouble message when anything fails (never ``[]``);
* the rate limits: a conversation or an address over its limit gets HTTP 429 (``Retry-After``)
  with a polite message in the usual reply format.
* off loopback, a token: when the Rasa server listens on any address other than loopback
  (``RASA_INTERFACE``), a request needs ``Authorization: Bearer <token>`` (``MESO_REST_TOKEN`` or
  the 0600 file ``MESO_REST_TOKEN_FILE``), else a 401; without a token there the channel is off
  (every request a 403, said once at startup). The same behind a reverse proxy
  (``MESO_PROXIES_COUNT`` > 0: the proxy makes the channel public). On loopback alone it stays open.

The replies are Rasa's: a JSON list of ``{"recipient_id", "text", "buttons"...}``. Rasa's
``?stream=true`` is not offered.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.clinic.profile import rate_limited_message
from bot.settings import Settings, is_loopback, load_settings
from connectors.common import RATE_LIMITS, add_health_route, answer, client_address, conversation_id

MAX_SENDER_CHARS = 128
RETRY_AFTER_S = "5"

logger = logging.getLogger(__name__)


class RestAccess:
    """Who may use the REST channel: anyone (loopback), holders of the token, or nobody (off)."""

    def __init__(self, settings: Settings) -> None:
        self.interface = settings.rasa_interface
        self.proxies = settings.proxies_count
        # Behind a reverse proxy (MESO_PROXIES_COUNT, e.g. make cluster's nginx) the channel is public
        # even though the server itself listens on loopback.
        self.open = is_loopback(self.interface) and self.proxies == 0
        self.token = None if self.open else settings.current_rest_token()

    @property
    def off(self) -> bool:
        """True when the server listens off loopback and no token is set."""
        return not self.open and not self.token

    def describe(self) -> Text:
        """One line for the server's log: how the REST channel is reached."""
        if self.open:
            return f"REST channel open on loopback ({self.interface})"
        where = (
            f"behind {self.proxies} reverse prox{'y' if self.proxies == 1 else 'ies'} (MESO_PROXIES_COUNT)"
            if self.proxies
            else f"on {self.interface} (not loopback)"
        )
        if self.token:
            return f"REST channel {where}: requests need Authorization: Bearer <MESO_REST_TOKEN>"
        return (
            f"REST channel OFF: the Rasa server is reached {where} and no REST token "
            "is set (MESO_REST_TOKEN, or the file MESO_REST_TOKEN_FILE with mode 0600)"
        )

    def refusal(self, request: Request) -> Optional[HTTPResponse]:
        """The 401/403 for a request that may not use the channel (None: it may)."""
        if self.open:
            return None
        if self.token is None:
            return response.json({"error": self.describe()}, status=403)
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode()):
            return None
        return response.json(
            {"error": "the REST channel requires a token: send the header Authorization: Bearer <token>"},
            status=401,
            headers={"WWW-Authenticate": 'Bearer realm="rest"'},
        )


def _bad_request(reason: Text) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


def _too_many(conversation: Text) -> HTTPResponse:
    """HTTP 429 with the polite message, in the usual reply format."""
    return response.json(
        [{"recipient_id": conversation, "text": rate_limited_message()}],
        status=429,
        headers={"Retry-After": RETRY_AFTER_S},
    )


class GuardedRestInput(RestInput):
    """``POST /webhooks/rest/webhook``: a sender required, namespaced, limited and never silent."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest_webhook = Blueprint("custom_webhook_GuardedRestInput", __name__)
        add_health_route(rest_webhook)
        access = RestAccess(load_settings())
        (logger.error if access.off else logger.info)(access.describe())

        @rest_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refused = access.refusal(request)
            if refused is not None:
                return refused
            address = client_address(request)
            if not RATE_LIMITS.allow(None, address):  # before reading the body: a flood costs little
                return _too_many("rest:")
            try:  # the standard library's strict parser: Sanic's (ujson) lets invalid UTF-8 through
                body = json.loads(request.body) if request.body else None
            except Exception:  # noqa: BLE001 (not JSON, not UTF-8, nested too deep: RecursionError)
                return _bad_request('the body must be a JSON object: {"sender": "...", "message": "..."}')
            if not isinstance(body, dict):
                return _bad_request('the body must be a JSON object: {"sender": "...", "message": "..."}')
            sender = body.get("sender")
            if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
                return _bad_request(
                    f'"sender" is required: a string of 1 to {MAX_SENDER_CHARS} characters '
                    "that identifies the conversation"
                )
            text: Optional[Text] = body.get("message") if isinstance(body.get("message"), str) else None
            conversation = conversation_id("rest", sender)
            exempt = address in load_settings().rate_limit_exempt  # the machine's own tools
            if not exempt and not RATE_LIMITS.allow(conversation, None):  # the address was counted above
                return _too_many(conversation)
            collector = CollectingOutputChannel()
            await answer(on_new_message, self, conversation, text, collector, None, limited=False)
            return response.json(collector.messages)

        return rest_webhook

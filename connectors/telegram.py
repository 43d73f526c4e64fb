"""Telegram: ``POST /webhooks/telegram/webhook``.

Compared with Rasa's ``TelegramInput``: requests are authenticated with the webhook's secret
token (Telegram sends it back in ``X-Telegram-Bot-Api-Secret-Token``; anything else gets a 403)
instead of one ``getMe`` call per message, which checked nothing about the sender; the webhook
is registered when the server starts (with the secret and the update types we handle) and a
failure there is logged instead of stopping the server; a button press is acknowledged so the
visitor's button stops spinning; updates we do not handle (stickers, joins...) are ignored; an
update delivered again (same ``update_id``) is acknowledged but not answered twice
(``connectors/redelivery.py``).
Conversations are ``telegram:<chat id>``. Replies are plain text, buttons an inline keyboard with one button per row, long answers split
at Telegram's 4096 characters.

Credentials (see ``bot/clinic/channels.py``): access_token, webhook_url, secret_token; optional api_url
(a local Bot API server).
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

from aiogram import Bot
from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Update
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.clinic.formatting import OutgoingMessage
from connectors.common import add_health_route, answer, checked_credentials, conversation_id, refuse
from connectors.formatted import FormattedOutput
from connectors.redelivery import redelivered

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HANDLED_UPDATES = ["message", "edited_message", "callback_query"]


class TelegramChannelOutput(FormattedOutput, TelegramOutput):
    """Sends replies with the Bot API; buttons as an inline keyboard."""

    def __init__(self, access_token: Text, api_url: Optional[Text] = None) -> None:
        server = TelegramAPIServer.from_base(api_url) if api_url else TELEGRAM_PRODUCTION
        Bot.__init__(self, access_token, server=server)

    async def send_formatted(self, recipient_id: Text, message: OutgoingMessage) -> None:
        keyboard = None
        if message.buttons:
            keyboard = InlineKeyboardMarkup(row_width=1)
            keyboard.add(*(InlineKeyboardButton(title, callback_data=payload) for title, payload in message.buttons))
        try:
            await self.send_message(self.provider_id(recipient_id), message.text, reply_markup=keyboard)
        except TelegramAPIError as error:
            logger.error("Telegram refused a message to %s: %s", recipient_id, error)


def read_update(update: Update) -> Optional[Tuple[Text, Text]]:
    """(chat id, text) of an update we answer: a message, an edited message or a button press."""
    if update.callback_query and update.callback_query.message:
        return str(update.callback_query.message.chat.id), update.callback_query.data or ""
    message = update.message or update.edited_message
    if message and message.text is not None:
        return str(message.chat.id), message.text
    return None


class TelegramChannel(InputChannel):
    """Telegram webhook authenticated by its secret token."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def __init__(
        self, access_token: Text, webhook_url: Text, secret_token: Text, api_url: Optional[Text] = None
    ) -> None:
        self.access_token = access_token
        self.webhook_url = webhook_url
        self.secret_token = secret_token
        self.api_url = api_url
        self.output: Optional[TelegramChannelOutput] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = checked_credentials(cls, credentials)
        return cls(
            credentials["access_token"],
            credentials["webhook_url"],
            credentials["secret_token"],
            credentials.get("api_url"),
        )

    def get_output_channel(self) -> TelegramChannelOutput:
        """The bot client, created once in the server's event loop."""
        if self.output is None:
            self.output = TelegramChannelOutput(self.access_token, self.api_url)
        return self.output

    async def register_webhook(self) -> None:
        """Tell Telegram where to send updates and which secret to send with them."""
        try:
            await self.get_output_channel().request(
                "setWebhook",
                {
                    "url": self.webhook_url,
                    "secret_token": self.secret_token,
                    "allowed_updates": json.dumps(HANDLED_UPDATES),
                },
            )
            logger.info("Telegram webhook registered: %s", self.webhook_url)
        except Exception as error:  # the server must run even when Telegram cannot be reached
            logger.error("Could not register the Telegram webhook %s: %s", self.webhook_url, error)

    @staticmethod
    async def _acknowledge(output: TelegramChannelOutput, callback_query_id: Text) -> None:
        """Stop the pressed button's spinner (a failure only costs the spinner)."""
        try:
            await output.answer_callback_query(callback_query_id)
        except TelegramAPIError as error:
            logger.warning("Telegram: could not acknowledge a button press: %s", error)

    def is_authentic(self, request: Request) -> bool:
        """True when the request carries our webhook secret."""
        return hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), self.secret_token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = Blueprint("telegram_webhook", __name__)

        @telegram_webhook.listener("after_server_start")
        async def register(*_: Any) -> None:
            await self.register_webhook()

        @telegram_webhook.listener("before_server_stop")
        async def close(*_: Any) -> None:
            if self.output is not None:
                await self.output.close()

        add_health_route(telegram_webhook)

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self.is_authentic(request):
                return refuse("Telegram", "invalid secret token", "the secret token")
            try:
                update = Update(**request.json)
            except (TypeError, ValueError, json.JSONDecodeError):
                return response.text("not a Telegram update", status=400)
            if redelivered(request, "telegram", update.update_id):
                return response.text("success")
            received = read_update(update)
            if received is None:
                return response.text("ignored")
            chat_id, text = received
            output = self.get_output_channel()
            if update.callback_query:
                await self._acknowledge(output, update.callback_query.id)
            await answer(
                on_new_message, self, conversation_id("telegram", chat_id), text, output, self.get_metadata(request)
            )
            return response.text("success")

        return telegram_webhook

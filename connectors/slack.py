"""Slack: ``POST /webhooks/slack/webhook`` (Events API and interactive buttons).

Rasa's ``SlackInput`` already checks the request signature (``X-Slack-Signature``, signing
secret, five-minute window). This channel changes the replies: text in Slack's mrkdwn, long
answers split at 3000 characters (the most a section block holds), and every button shown (Rasa
drops them all beyond five; Slack takes 25 per actions block). Messages are posted as the app's
bot user (no legacy ``as_user``, which apps created today cannot use). Conversations are
``slack:<user id>``, and messages go through ``connectors.common.answer`` (text capped, rate
limits, the trouble message on failures).

Credentials (see ``bot/clinic/channels.py``): slack_token, slack_signing_secret; optional
slack_channel (answer in that channel instead of the visitor's) and api_url.
"""

from __future__ import annotations

import asyncio
import logging
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import response
from sanic.request import Request

from bot.clinic.formatting import OutgoingMessage
from connectors.common import answer, checked_credentials, conversation_id
from connectors.formatted import FormattedOutput

logger = logging.getLogger(__name__)

BUTTONS_PER_BLOCK = 25


def message_blocks(message: OutgoingMessage) -> List[Dict[Text, Any]]:
    """The text as a mrkdwn section, then the buttons in actions blocks of up to 25."""
    blocks: List[Dict[Text, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": message.text}}]
    for start in range(0, len(message.buttons), BUTTONS_PER_BLOCK):
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": title}, "value": payload}
                    for title, payload in message.buttons[start : start + BUTTONS_PER_BLOCK]
                ],
            }
        )
    return blocks


class SlackChannelOutput(FormattedOutput, SlackBot):
    """Posts replies with ``chat.postMessage``."""

    def __init__(
        self,
        token: Text,
        slack_channel: Optional[Text] = None,
        thread_id: Optional[Text] = None,
        proxy: Optional[Text] = None,
        api_url: Optional[Text] = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        if api_url:
            self.client.base_url = api_url.rstrip("/") + "/"

    async def send_formatted(self, recipient_id: Text, message: OutgoingMessage) -> None:
        channel = self.slack_channel or self.provider_id(recipient_id)
        if message.buttons:
            await self._post_message(channel=channel, text=message.text, blocks=message_blocks(message))
        else:
            await self._post_message(channel=channel, text=message.text, mrkdwn=True)


class SlackChannel(SlackInput):
    """Rasa's Slack channel with replies formatted for Slack."""

    api_url: Optional[Text] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = checked_credentials(cls, credentials)
        channel = super().from_credentials(credentials)
        channel.api_url = credentials.get("api_url")
        return channel

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return SlackChannelOutput(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url)

    async def process_message(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: Text,
        sender_id: Optional[Text],
        metadata: Optional[Dict],
    ) -> Any:
        """As Rasa's (Slack's retries ignored, the message handled in the background so Slack gets its
        answer at once), in the conversation ``slack:<user>`` and through ``connectors.common.answer``."""
        retry_reason = request.headers.get(self.retry_reason_header)
        if request.headers.get(self.retry_num_header) and retry_reason in self.errors_ignore_retry:
            return response.text("", status=HTTPStatus.CREATED, headers={"X-Slack-No-Retry": "1"})
        metadata = metadata or {}
        output = self.get_output_channel(
            metadata.get("out_channel"), metadata.get("thread_id") if self.use_threads else None
        )
        if not sender_id:
            return response.text("")
        task = asyncio.create_task(
            answer(on_new_message, self, conversation_id("slack", sender_id), text, output, metadata)
        )
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)
        return response.text("")

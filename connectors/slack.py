"""Slack: ``POST /webhooks/slack/webhook`` (Events API and interactive buttons).

Rasa's ``SlackInput`` already checks the request signature (``X-Slack-Signature``, signing
secret, five-minute window). This channel changes the replies: text in Slack's mrkdwn, long
answers split at 3000 characters (the most a section block holds), and every button shown (Rasa
drops them all beyond five; Slack takes 25 per actions block). Messages are posted as the app's
bot user (no legacy ``as_user``, which apps created today cannot use).

Credentials (see ``bot/clinic/channels.py``): slack_token, slack_signing_secret; optional
slack_channel (answer in that channel instead of the visitor's) and api_url.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel
from rasa.core.channels.slack import SlackBot, SlackInput

from bot.clinic.formatting import OutgoingMessage
from connectors.common import checked_credentials
from connectors.formatted import FormattedOutput

BUTTONS_PER_BLOCK = 25


def message_blocks(message: OutgoingMessage) -> List[Dict[Text, Any]]:
    """The text as a mrkdwn section, then the buttons in actions blocks of up to 25."""
    blocks: List[Dict[Text, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": message.text}}]
    for start in range(0, len(message.buttons), BUTTONS_PER_BLOCK):
        blocks.append({"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": title}, "value": payload}
            for title, payload in message.buttons[start:start + BUTTONS_PER_BLOCK]]})
    return blocks


class SlackChannelOutput(FormattedOutput, SlackBot):
    """Posts replies with ``chat.postMessage``."""

    def __init__(self, token: Text, slack_channel: Optional[Text] = None, thread_id: Optional[Text] = None,
                 proxy: Optional[Text] = None, api_url: Optional[Text] = None) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        if api_url:
            self.client.base_url = api_url.rstrip("/") + "/"

    async def send_formatted(self, recipient_id: Text, message: OutgoingMessage) -> None:
        channel = self.slack_channel or recipient_id
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

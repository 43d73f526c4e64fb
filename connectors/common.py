"""What every channel in ``connectors/`` shares, written once.

* ``add_health_route``: ``GET /webhooks/<channel>/`` answers ``{"status": "ok"}``;
* ``refuse``: the 403 (logged) for a request that fails the channel's authentication;
* ``checked_credentials``: a messaging channel's credentials with every required key (those of
  ``bot.clinic.channels.CHANNELS``), or an error that names the missing keys and their variables;
* ``stand_in_for_blank``: Rasa's intent classifier fails on a message with no characters at all
  (the visitor then gets silence), so a blank message becomes the ``nlu_fallback`` intent, which
  the assistant answers by asking for a question;
* ``user_message``: the ``UserMessage`` a channel hands to Rasa, blank text made safe.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Text, Type

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.answering.replies import BLANK_MESSAGE_STAND_IN
from bot.clinic.channels import CHANNELS

logger = logging.getLogger(__name__)


async def health(_: Request) -> HTTPResponse:
    """The channel is up."""
    return response.json({"status": "ok"})


def add_health_route(blueprint: Blueprint) -> None:
    """``GET /`` of the channel's blueprint: the health check Rasa's own channels have."""
    blueprint.add_route(health, "/", methods=["GET"], name="health")


def refuse(channel: Text, reason: Text, missing: Text) -> HTTPResponse:
    """A 403 ``reason`` for a request without ``missing`` (logged; the request is not processed)."""
    logger.warning("%s webhook: request without %s refused", channel, missing)
    return response.text(reason, status=403)


def checked_credentials(channel: Type[InputChannel], credentials: Optional[Dict[Text, Any]]) -> Dict[Text, Any]:
    """``credentials`` of a messaging channel, once every required key is known to be set."""
    if not credentials:
        channel.raise_missing_credentials_exception()
    spec = CHANNELS.get(channel.name())
    required = spec.required if spec is not None else {}
    missing = [f"{key} ({variable})" for key, variable in required.items() if not credentials.get(key)]
    if missing:
        raise RasaException(f"The {channel.name()} channel's credentials lack {', '.join(missing)}: set every "
                            f"variable of the channel (see the README, \"Messaging channels\").")
    return credentials


def stand_in_for_blank(text: Optional[Text]) -> Text:
    """Return ``text``, or the fallback intent's payload when it is empty or whitespace."""
    return text if text and text.strip() else BLANK_MESSAGE_STAND_IN


def user_message(channel: InputChannel, sender: Text, text: Optional[Text], output: OutputChannel,
                 metadata: Optional[Dict[Text, Any]]) -> UserMessage:
    """The message from ``sender`` on ``channel`` that Rasa answers through ``output``."""
    return UserMessage(stand_in_for_blank(text), output, sender, input_channel=channel.name(), metadata=metadata)

"""What every channel in ``connectors/`` shares, written once.

* ``add_health_route``: ``GET /webhooks/<channel>/`` answers ``{"status": "ok"}``;
* ``refuse``: the 403 (logged) for a request that fails the channel's authentication;
* ``checked_credentials``: a messaging channel's credentials with every required key (those of
  ``bot.clinic.channels.CHANNELS``), or an error that names the missing keys and their variables;
* ``stand_in_for_blank``: Rasa's intent classifier fails on a message with no characters at all
  (the visitor then gets silence), so a blank message becomes the ``nlu_fallback`` intent, which
  the assistant answers by asking for a question;
* ``user_message``: the ``UserMessage`` a channel hands to Rasa, blank text made safe;
* ``answer``: what every channel does with a visitor's message: text capped at
  ``MESO_MAX_MESSAGE_CHARS`` (the rest dropped, the visitor told), the per-conversation and
  per-address rate limits (``RATE_LIMITS``; a polite refusal), then Rasa, and the trouble message
  ("I'm having trouble answering right now…") when handling it fails: never silence;
* ``conversation_id``: the sender id namespaced by channel (``sms:``, ``web:``...), so that no
  channel can address another channel's conversations;
* ``client_address``: the visitor's address (``X-Forwarded-For`` only behind ``MESO_PROXIES_COUNT`` proxies).
"""

from __future__ import annotations

import logging
import threading
import time
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple, Type

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.answering.replies import BLANK_MESSAGE_STAND_IN
from bot.clinic.channels import CHANNELS
from bot.clinic.profile import rate_limited_message, trouble_message, truncation_note
from bot.settings import Settings, load_clinic, load_settings

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
    credentials = credentials or {}  # (Rasa raised above when there were none)
    spec = CHANNELS.get(channel.name())
    required = spec.required if spec is not None else {}
    missing = [f"{key} ({variable})" for key, variable in required.items() if not credentials.get(key)]
    if missing:
        raise RasaException(
            f"The {channel.name()} channel's credentials lack {', '.join(missing)}: set every "
            f'variable of the channel (see the README, "Messaging channels").'
        )
    return credentials


def stand_in_for_blank(text: Optional[Text]) -> Text:
    """Return ``text``, or the fallback intent's payload when it is empty or whitespace."""
    return text if text and text.strip() else BLANK_MESSAGE_STAND_IN


def user_message(
    channel: InputChannel,
    sender: Text,
    text: Optional[Text],
    output: OutputChannel,
    metadata: Optional[Dict[Text, Any]],
) -> UserMessage:
    """The message from ``sender`` on ``channel`` that Rasa answers through ``output``."""
    return UserMessage(stand_in_for_blank(text), output, sender, input_channel=channel.name(), metadata=metadata)


# -- conversation identity --------------------------------------------------------------------

CHANNEL_PREFIXES = ("sms", "whatsapp", "telegram", "messenger", "slack", "web", "rest")


def valid_unicode(text: Text) -> Text:
    """``text`` with lone surrogates (``"\\ud800"`` in JSON decodes to one) replaced by U+FFFD: they
    cannot be encoded as UTF-8, so spaCy, the SQL tracker store and the JSON replies would fail on them
    (the tracker store even exits the Rasa server; tests/test_bad_inputs.py)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def conversation_id(prefix: Text, raw_sender: Text) -> Text:
    """``prefix:raw_sender``: the conversation of ``raw_sender`` on one channel only."""
    if prefix not in CHANNEL_PREFIXES:
        raise ValueError(f"unknown channel prefix {prefix!r}")
    return f"{prefix}:{valid_unicode(raw_sender)}"


def raw_sender(sender_id: Text) -> Text:
    """The provider's own id (a phone number, a chat id) of a namespaced conversation id."""
    prefix, _, rest = sender_id.partition(":")
    return rest if prefix in CHANNEL_PREFIXES and rest else sender_id


# -- limits -----------------------------------------------------------------------------------


def cap_text(text: Optional[Text], limit: Optional[int] = None) -> Tuple[Optional[Text], bool]:
    """``text`` cut to ``limit`` characters (``MESO_MAX_MESSAGE_CHARS``), and whether it was cut."""
    limit = load_settings().max_message_chars if limit is None else limit
    if text is None or len(text) <= limit:
        return text if text is None else valid_unicode(text), False
    return valid_unicode(text[:limit]), True


class _Bucket:
    __slots__ = ("tokens", "updated")

    def __init__(self, tokens: float, now: float) -> None:
        self.tokens, self.updated = tokens, now


class RateLimits:
    """Token buckets per conversation and per address: ``limit`` messages a minute, bursts of a third."""

    IDLE_S = 600.0

    def __init__(self, settings: Optional[Settings] = None) -> None:
        self.settings = settings
        self._buckets: Dict[Tuple[Text, Text], _Bucket] = {}
        self._lock = threading.Lock()
        self._checks = 0

    def _settings(self) -> Settings:
        if self.settings is None:
            self.settings = load_settings()
        return self.settings

    def _take(self, kind: Text, key: Text, per_minute: int, now: float) -> bool:
        if per_minute <= 0:
            return True
        capacity = max(1.0, per_minute / 3)
        bucket = self._buckets.get((kind, key))
        if bucket is None:
            bucket = self._buckets[(kind, key)] = _Bucket(capacity, now)
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated) * per_minute / 60.0)
        bucket.updated = now
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True

    def allow(self, conversation: Optional[Text], address: Optional[Text] = None) -> bool:
        """True when one more message from ``address`` in ``conversation`` is within the limits
        (either may be None: only the other is checked)."""
        settings = self._settings()
        if address and address in settings.rate_limit_exempt:
            return True
        now = time.monotonic()
        with self._lock:
            self._checks += 1
            if self._checks % 1000 == 0:  # forget idle buckets: memory stays bounded
                self._buckets = {
                    key: bucket for key, bucket in self._buckets.items() if now - bucket.updated < self.IDLE_S
                }
            if address and not self._take("address", address, settings.address_rate_limit, now):
                return False
            if conversation is None:
                return True
            return self._take("conversation", conversation, settings.conversation_rate_limit, now)


RATE_LIMITS = RateLimits()


def client_address(request: Request) -> Text:
    """The visitor's address: the peer's, or the one our trusted proxies forwarded (``MESO_PROXIES_COUNT``)."""
    proxies = load_settings().proxies_count
    if proxies > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.ip or ""


# -- handing a message to Rasa, never silently -----------------------------------------------


async def _say(output: OutputChannel, recipient: Text, text: Text) -> None:
    try:
        await output.send_response(recipient, {"text": text})
    except Exception:  # noqa: BLE001 (the provider cannot be reached either: logged, nothing more to do)
        logger.exception("could not send a message through %s", output.name())


async def answer(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    channel: InputChannel,
    sender: Text,
    text: Optional[Text],
    output: OutputChannel,
    metadata: Optional[Dict[Text, Any]],
    address: Optional[Text] = None,
    limited: bool = True,
) -> bool:
    """Hand the visitor's message to Rasa, replies through ``output``; False when the rate limits
    refused it (the visitor was told). Long text is capped (the visitor told), blank text made safe,
    and a failure anywhere gets the trouble message instead of silence."""
    if limited and not RATE_LIMITS.allow(sender, address):
        await _say(output, sender, rate_limited_message())
        return False
    text, cut = cap_text(text)
    if cut:
        await _say(output, sender, truncation_note(load_settings().max_message_chars))
    try:
        await on_new_message(user_message(channel, sender, text, output, metadata))
    except CancelledError:
        raise
    except Exception as error:  # noqa: BLE001 (the visitor is answered whatever failed)
        logger.error(
            "%s: a message could not be handled (%s): the visitor is told to try again",
            channel.name(),
            type(error).__name__,
            exc_info=True,
        )
        await _say(output, sender, trouble_message(load_clinic()))
    return True

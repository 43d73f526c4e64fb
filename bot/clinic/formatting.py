"""Reply formatting per messaging channel: what one reply (text and buttons) becomes on a channel.

* Markdown: removed where a channel would show the symbols (SMS, Telegram and Messenger as we
  send plain text), converted to the channel's own marks for WhatsApp (``*bold*``) and Slack
  (``*bold*``, ``<url|text>``). (The website widget and REST show replies as they are.)
* Buttons: native where the channel has them; numbered options to reply with where it has none
  (SMS, WhatsApp) or where the titles do not fit its buttons (Messenger quick replies hold 20
  characters: the options are listed in the text and the quick replies show their numbers).
* Size: a long reply is split into several messages at paragraph, then sentence ends; the
  buttons go with the last one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from bot.answering.replies import Button


@dataclass(frozen=True)
class ChannelStyle:
    """What a channel can show."""

    limit: Optional[int]  # longest message in characters; None: no limit worth splitting for
    markdown: str  # "plain", "whatsapp" or "slack"
    native_buttons: bool = True
    max_buttons: Optional[int] = None  # more than this: numbered options only
    max_button_title: Optional[int] = None  # a longer title: numbered options, numbers as buttons


STYLES: Dict[str, ChannelStyle] = {
    "sms": ChannelStyle(limit=1600, markdown="plain", native_buttons=False),  # Twilio's limit
    "whatsapp": ChannelStyle(limit=4096, markdown="whatsapp", native_buttons=False),
    "telegram": ChannelStyle(limit=4096, markdown="plain"),
    "facebook": ChannelStyle(limit=2000, markdown="plain", max_buttons=13, max_button_title=20),
    "slack": ChannelStyle(limit=3000, markdown="slack"),  # a section block holds 3000
}


@dataclass(frozen=True)
class OutgoingMessage:
    """One message as a channel will send it."""

    text: str
    buttons: Tuple[Button, ...] = ()


_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")
_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_EMPHASIS = [
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # *italic*
    (re.compile(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)"), r"\1"),  # _italic_
    (re.compile(r"`([^`]+)`"), r"\1"),  # inline code
    (re.compile(r"^#{1,6}\s+", re.MULTILINE), ""),  # headings
]


def strip_markdown(text: str) -> str:
    """``text`` without markdown emphasis, code marks, headings; links become "text (url)"."""
    text = _BOLD.sub(r"\2", _LINK.sub(r"\1 (\2)", text))
    for pattern, replacement in _EMPHASIS:
        text = pattern.sub(replacement, text)
    return text


def to_whatsapp(text: str) -> str:
    """Markdown in WhatsApp's marks: ``**bold**`` -> ``*bold*``, links -> "text (url)"."""
    return _BOLD.sub(r"*\2*", _LINK.sub(r"\1 (\2)", text))


def to_slack_mrkdwn(text: str) -> str:
    """Markdown in Slack's mrkdwn: ``**bold**`` -> ``*bold*``, ``[text](url)`` -> ``<url|text>``;
    ``&``, ``<`` and ``>`` escaped as Slack requires."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BOLD.sub(r"*\2*", _LINK.sub(r"<\2|\1>", text))


_CONVERTERS = {"plain": strip_markdown, "whatsapp": to_whatsapp, "slack": to_slack_mrkdwn}


def numbered_options(buttons: Sequence[Button]) -> str:
    """Buttons as a numbered list to reply to ("Reply with a number: 1. …")."""
    lines = [f"{index}. {title}" for index, (title, _) in enumerate(buttons, start=1)]
    return "Reply with a number:\n" + "\n".join(lines)


def choose_option(text: str, buttons: Sequence[Button]) -> Optional[str]:
    """The payload of the option a visitor's reply ("2") picks, or None."""
    choice = text.strip().rstrip(".")
    if choice.isdigit() and 1 <= int(choice) <= len(buttons):
        return buttons[int(choice) - 1][1]
    return None


def _cut(text: str, limit: int) -> List[str]:
    """Split one paragraph at sentence ends, then spaces, then anywhere, into pieces <= limit."""
    pieces: List[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "), window.rfind("\n"))
        if cut > 0:
            cut += 1  # keep the punctuation
        else:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def split_message(text: str, limit: Optional[int]) -> List[str]:
    """``text`` in messages of at most ``limit`` characters, cut at paragraphs where possible."""
    if limit is None or len(text) <= limit:
        return [text]
    messages: List[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        *full, current = _cut(paragraph, limit) or [""]
        messages.extend(full)
    if current:
        messages.append(current)
    return messages


def _fit_buttons(text: str, buttons: Sequence[Button], style: ChannelStyle) -> Tuple[str, Tuple[Button, ...]]:
    """The text and native buttons once buttons the channel cannot show are folded into text."""
    if not buttons:
        return text, ()
    too_many = style.max_buttons is not None and len(buttons) > style.max_buttons
    if style.native_buttons and not too_many:
        too_long = style.max_button_title is not None and any(
            len(title) > style.max_button_title for title, _ in buttons
        )
        if not too_long:
            return text, tuple(buttons)
    options = numbered_options(buttons)
    text = f"{text}\n\n{options}" if text else options
    if style.native_buttons and not too_many:  # the numbers themselves as buttons
        return text, tuple((str(index), payload) for index, (_, payload) in enumerate(buttons, start=1))
    return text, ()


def format_for_channel(text: str, buttons: Sequence[Button], channel: str) -> List[OutgoingMessage]:
    """The messages to send on ``channel`` for one reply; the buttons go with the last one."""
    style = STYLES[channel]
    text, native = _fit_buttons(_CONVERTERS[style.markdown](text), buttons, style)
    pieces = split_message(text, style.limit)
    return [OutgoingMessage(piece, native if index == len(pieces) - 1 else ()) for index, piece in enumerate(pieces)]

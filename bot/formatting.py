"""Reply formatting per messaging channel: buttons as numbered options where a channel has no
buttons, markdown stripped where it would show as symbols, and messages split to size limits.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence

from bot.replies import Button

# Longest message each channel accepts (characters); None: no limit worth splitting for.
CHANNEL_LIMITS: Dict[str, Optional[int]] = {
    "sms": 1600,  # Twilio's limit for one (concatenated) SMS
    "whatsapp": 4096,
    "telegram": 4096,
    "facebook": 2000,
    "slack": 4000,  # Slack truncates longer text
    "rest": None,
    "socketio": None,
}
# Channels that cannot show buttons: they become numbered options to reply with.
NO_BUTTONS = frozenset({"sms", "whatsapp"})
# Channels that show markdown symbols literally.
PLAIN_TEXT = frozenset({"sms"})

_MARKDOWN = [
    (re.compile(r"\[([^\]]+)\]\((\S+?)\)"), r"\1 (\2)"),  # [text](url) -> text (url)
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # *italic*
    (re.compile(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)"), r"\1"),  # _italic_
    (re.compile(r"`([^`]+)`"), r"\1"),  # inline code
    (re.compile(r"^#{1,6}\s+", re.MULTILINE), ""),  # headings
]


def strip_markdown(text: str) -> str:
    """``text`` without markdown emphasis, code marks, headings; links become "text (url)"."""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text


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


def format_for_channel(text: str, buttons: Sequence[Button], channel: str) -> List[str]:
    """The messages to send on ``channel`` for one reply (buttons folded in where unsupported)."""
    if channel in PLAIN_TEXT:
        text = strip_markdown(text)
    if buttons and channel in NO_BUTTONS:
        options = numbered_options(buttons)
        text = f"{text}\n\n{options}" if text else options
    return split_message(text, CHANNEL_LIMITS.get(channel))

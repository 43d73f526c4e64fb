"""Reply formatting per channel."""
import pytest

from bot.formatting import (CHANNEL_LIMITS, NO_BUTTONS, choose_option, format_for_channel, numbered_options, split_message,
                            strip_markdown)
from bot.replies import TOPIC_BUTTONS

BUTTONS = [("Is it safe?", "/ask_safety"), ("Talk to someone at the clinic", "/request_human")]


@pytest.mark.parametrize("text,expected", [
    ("**Mesotherapy** is *minimally* invasive", "Mesotherapy is minimally invasive"),
    ("__bold__ and _it_ and `code`", "bold and it and code"),
    ("## Aftercare\nAvoid the sun", "Aftercare\nAvoid the sun"),
    ("see [our guide](https://example.test/guide)", "see our guide (https://example.test/guide)"),
    ("2 * 3 * 4 and snake_case_word stay", "2 * 3 * 4 and snake_case_word stay"),
    ("- a list item\n- another", "- a list item\n- another"),
])
def test_strip_markdown(text: str, expected: str) -> None:
    assert strip_markdown(text) == expected


def test_buttons_become_numbered_options_and_a_number_picks_one() -> None:
    assert numbered_options(BUTTONS) == "Reply with a number:\n1. Is it safe?\n2. Talk to someone at the clinic"
    assert choose_option(" 2 ", BUTTONS) == "/request_human"
    assert choose_option("1.", BUTTONS) == "/ask_safety"
    assert [choose_option(text, BUTTONS) for text in ("0", "3", "two", "", "1 2")] == [None] * 5


def test_sms_folds_buttons_in_and_strips_markdown() -> None:
    assert format_for_channel("**Hello!** Pick a topic:", BUTTONS, "sms") == [
        "Hello! Pick a topic:\n\nReply with a number:\n1. Is it safe?\n2. Talk to someone at the clinic"]
    assert format_for_channel("", BUTTONS, "whatsapp") == [numbered_options(BUTTONS)]


@pytest.mark.parametrize("channel", ["telegram", "facebook", "slack", "rest", "socketio"])
def test_channels_with_buttons_and_markdown_keep_the_text(channel: str) -> None:
    assert format_for_channel("**Hello!**", BUTTONS, channel) == ["**Hello!**"]


def test_whatsapp_keeps_markdown() -> None:
    assert format_for_channel("*Hello*", [], "whatsapp") == ["*Hello*"]


@pytest.mark.parametrize("channel", sorted(name for name, limit in CHANNEL_LIMITS.items() if limit))
def test_long_replies_are_split_to_the_channel_limit_without_losing_words(channel: str) -> None:
    sentence = "Mesotherapy injects small amounts of a cocktail into the middle layer of the skin. "
    text = "\n\n".join([sentence * 20, sentence * 40, "x" * 5000])
    messages = format_for_channel(text, TOPIC_BUTTONS, channel)
    limit = CHANNEL_LIMITS[channel]
    assert len(messages) > 1 and all(0 < len(message) <= limit for message in messages)
    expected = text + (numbered_options(TOPIC_BUTTONS) if channel in NO_BUTTONS else "")
    assert "".join("".join(message.split()) for message in messages) == "".join(expected.split())


def test_split_prefers_paragraphs_then_sentences() -> None:
    assert split_message("First part.\n\nSecond part.", 15) == ["First part.", "Second part."]
    assert split_message("One two. Three four. Five six.", 20) == ["One two. Three four.", "Five six."]
    assert split_message("One two. Three four. Five six.", 19) == ["One two.", "Three four.", "Five six."]
    assert split_message("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert split_message("short", None) == ["short"] and split_message("short", 5) == ["short"]

"""Reply formatting per channel."""
import pytest

from bot.clinic.formatting import (STYLES, OutgoingMessage, choose_option, format_for_channel, numbered_options,
                            split_message, strip_markdown)
from bot.topics import intent_table

TOPIC_BUTTONS = intent_table().buttons

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


def _texts(messages):
    return [message.text for message in messages]


def test_sms_folds_buttons_in_and_strips_markdown() -> None:
    assert format_for_channel("**Hello!** Pick a topic:", BUTTONS, "sms") == [OutgoingMessage(
        "Hello! Pick a topic:\n\nReply with a number:\n1. Is it safe?\n2. Talk to someone at the clinic")]
    assert format_for_channel("", BUTTONS, "whatsapp") == [OutgoingMessage(numbered_options(BUTTONS))]


@pytest.mark.parametrize("channel,expected", [
    ("telegram", "Hello! see guide (https://g.test)"),
    ("facebook", "Hello! see guide (https://g.test)"),
    ("whatsapp", "*Hello!* see guide (https://g.test)"),
    ("slack", "*Hello!* see <https://g.test|guide>"),
])
def test_markdown_becomes_what_each_channel_shows(channel: str, expected: str) -> None:
    assert _texts(format_for_channel("**Hello!** see [guide](https://g.test)", [], channel)) == [expected]


def test_slack_escapes_its_control_characters() -> None:
    assert _texts(format_for_channel("a < b & c > d", [], "slack")) == ["a &lt; b &amp; c &gt; d"]


@pytest.mark.parametrize("channel", ["telegram", "slack"])
def test_channels_with_buttons_keep_them_on_the_message(channel: str) -> None:
    assert format_for_channel("Pick one", TOPIC_BUTTONS, channel) == [OutgoingMessage("Pick one", tuple(TOPIC_BUTTONS))]


def test_messenger_lists_long_titles_in_the_text_and_numbers_them_as_quick_replies() -> None:
    short = [("Is it safe?", "/ask_safety"), ("Price?", "/ask_price")]
    assert format_for_channel("Pick", short, "facebook") == [OutgoingMessage("Pick", tuple(short))]
    [message] = format_for_channel("Pick", TOPIC_BUTTONS, "facebook")
    assert message.text == "Pick\n\n" + numbered_options(TOPIC_BUTTONS)
    assert message.buttons == tuple((str(n), payload) for n, (_, payload) in enumerate(TOPIC_BUTTONS, start=1))
    many = [(f"Option {n}", f"/o{n}") for n in range(14)]  # more than 13 quick replies: text only
    assert format_for_channel("Pick", many, "facebook")[0].buttons == ()


@pytest.mark.parametrize("channel", sorted(STYLES))
def test_long_replies_are_split_to_the_channel_limit_without_losing_words(channel: str) -> None:
    sentence = "Mesotherapy injects small amounts of a cocktail into the middle layer of the skin. "
    text = "\n\n".join([sentence * 20, sentence * 40, "x" * 5000])
    messages = format_for_channel(text, TOPIC_BUTTONS, channel)
    limit = STYLES[channel].limit
    assert len(messages) > 1 and all(0 < len(message.text) <= limit for message in messages)
    assert all(not message.buttons for message in messages[:-1])  # buttons go with the last one
    words = "".join("".join(message.text.split()) for message in messages)
    assert words.startswith("".join(text.split()))
    assert "Whatismesotherapy?" in words or messages[-1].buttons == tuple(TOPIC_BUTTONS)


def test_split_prefers_paragraphs_then_sentences() -> None:
    assert split_message("First part.\n\nSecond part.", 15) == ["First part.", "Second part."]
    assert split_message("One two. Three four. Five six.", 20) == ["One two. Three four.", "Five six."]
    assert split_message("One two. Three four. Five six.", 19) == ["One two.", "Three four.", "Five six."]
    assert split_message("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert split_message("short", None) == ["short"] and split_message("short", 5) == ["short"]

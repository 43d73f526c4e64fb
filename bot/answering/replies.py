"""The assistant's own wording for small talk, fallback and bad input (no medical facts here)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from bot.clinic.profile import DEFAULT_NAME, Clinic

Button = Tuple[str, str]

# What channels send in place of a blank message (the fallback intent's payload).
BLANK_MESSAGE_STAND_IN = "/nlu_fallback"


@dataclass
class Reply:
    """What to send back, and the context to remember for the next turn."""

    messages: List[str]
    buttons: List[Button] = field(default_factory=list)
    topic: Optional[str] = None
    condition: Optional[str] = None


TOPIC_BUTTONS: List[Button] = [
    ("What is mesotherapy?", "/ask_what_is_mesotherapy"),
    ("What is in the cocktails?", "/ask_cocktail_ingredients"),
    ("What can it treat?", "/ask_conditions_treated"),
    ("Is it safe?", "/ask_safety"),
    ("Who should perform it?", "/ask_practitioner"),
    ("What happens during a treatment?", "/ask_procedure"),
    ("What happens afterwards?", "/ask_aftercare"),
    ("How long do results last?", "/ask_results_duration"),
]

CAPABILITIES = (
    "I answer questions about mesotherapy from our mesotherapy guide: what it is, what the "
    "cocktails contain, what it can treat, safety and side effects, who should perform it, what "
    "happens during and after a treatment, and how long results last."
)
GUIDE_SILENT = "The guide I answer from does not say anything about that."
ASK_PROFESSIONAL_INSTEAD = "A licensed professional can answer that for your own situation."
EMPTY_MESSAGE = "It looks like your message was empty. Ask me anything about mesotherapy, or pick a topic:"
REPHRASE = (
    "Sorry, I'm not sure I understood. Could you rephrase? I understand English only for now. "
    "You can also pick one of these topics:"
)
OUT_OF_SCOPE = "I can only help with questions about mesotherapy. " + CAPABILITIES
BOT_CHALLENGE = (
    "I'm an automated assistant, not a person. I answer from a written mesotherapy guide and "
    "cannot examine you or give personal medical advice."
)

_NO_LETTERS = re.compile(r"^[\W\d_]*$")


def greeting(clinic: Clinic) -> str:
    """The greeting, naming the clinic when one is configured."""
    of_clinic = "" if clinic.name == DEFAULT_NAME else f" of {clinic.name}"
    return (
        f"Hello! I'm the mesotherapy assistant{of_clinic}. {CAPABILITIES} "
        f"You can also ask to talk to someone at {clinic.name}. What would you like to know?"
    )


HANDOFF_BUTTON: Button = ("Talk to someone at the clinic", "/request_human")


def offer_handoff(clinic: Clinic) -> str:
    """Offered after two messages in a row the assistant did not understand."""
    return f"If you'd rather talk to a person, I can ask someone at {clinic.name} to contact you."


def topic_buttons() -> List[Button]:
    """Quick-reply buttons for every topic of the guide."""
    return list(TOPIC_BUTTONS)


def small_talk(
    intent: str, text: str, topic: Optional[str], condition: Optional[str], clinic: Clinic
) -> Reply:
    """Reply to greetings, thanks, fallback and the like; context is kept as it was."""

    def reply(messages: List[str], buttons: Optional[List[Button]] = None) -> Reply:
        return Reply(messages, buttons or [], topic=topic, condition=condition)

    if not text.strip() and intent in ("", "nlu_fallback"):
        return reply([EMPTY_MESSAGE], topic_buttons())
    if intent == "greet":
        return reply([greeting(clinic)], topic_buttons())
    if intent == "goodbye":
        return reply(["Goodbye, and take care! Come back any time you have a question about mesotherapy."])
    if intent == "thank":
        return reply(["You're welcome! Is there anything else you'd like to know?"])
    if intent == "bot_challenge":
        return reply([BOT_CHALLENGE])
    if intent == "ask_capabilities":
        return reply([CAPABILITIES + " Pick a topic or type your question:"], topic_buttons())
    if intent == "affirm":
        return reply(["Great. What would you like to know?"], topic_buttons())
    if intent == "deny":
        return reply(["No problem. Is there anything else I can help with?"])
    if intent == "out_of_scope":
        return reply([OUT_OF_SCOPE], topic_buttons())
    if _NO_LETTERS.match(text):
        return reply(["I can only read words, not emoji or symbols alone. " + REPHRASE], topic_buttons())
    return reply([REPHRASE], topic_buttons())

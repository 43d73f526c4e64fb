"""The assistant's own wording for small talk, fallback and bad input (no medical facts here)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from bot.clinic.profile import DEFAULT_NAME, Clinic
from bot.topics import IntentTable, intent_table

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
    side_effect: Optional[str] = None  # the side effect the visitor's message named, for the next turn
    urgent_care_advised: bool = False  # this conversation has had the urgent-care message
    handoff_offered: bool = False  # this reply offers to have someone at the clinic contact the visitor
    starts_handoff: bool = False  # the visitor took up that offer ("yes please"): the contact form starts next


def capabilities(table: Optional[IntentTable] = None) -> str:
    """What the assistant answers: the subjects of the intent table's topics."""
    subjects = [topic.silent for topic in (table or intent_table()).topics]
    listed = ", ".join(subjects[:-1]) + (f" and {subjects[-1]}" if len(subjects) > 1 else subjects[0])
    return f"I answer questions about mesotherapy from our mesotherapy guide: {listed}."


ASK_PROFESSIONAL_INSTEAD = "A licensed professional can answer that for your own situation."
# Before the guide's general safety answer to "is it safe for me / for my wife?": the guide judges no one case.
CANNOT_JUDGE_ONE_PERSON = (
    "The guide cannot say whether mesotherapy is safe for one person in particular: only a licensed professional "
    "who assesses them can. What it says in general:"
)
# After the guide's words on a named after-effect ("bruising ... can take up to a week"): a bruise of ten days
# must not read as normal.
CONTACT_IF_IT_LASTS = (
    "If it lasts longer than that, gets worse or worries you, contact the clinic or the practitioner who treated you."
)

# After "the guide does not mention lumps after mesotherapy": what to do with an after-effect it does not describe.
CONTACT_ABOUT_AN_UNMENTIONED_EFFECT = (
    "If you have it after a treatment and it lasts, grows, gets painful or worries you, contact the clinic or the "
    "practitioner who treated you."
)


def ask_professional_instead(clinic: Clinic) -> str:
    """Who can answer what the guide does not (prices, sessions, this clinic...), with how to reach the
    clinic when its contact details are set."""
    reach = clinic.how_to_reach()
    return f"{ASK_PROFESSIONAL_INSTEAD} {reach}" if reach else ASK_PROFESSIONAL_INSTEAD


def ask_the_clinic_instead(clinic: Clinic) -> str:
    """Who answers what only the clinic knows (its prices): the clinic, with how to reach it, or the offer to have
    someone there get in touch."""
    reach = clinic.how_to_reach() or offer_handoff(clinic)
    return f"{clinic.name[0].upper()}{clinic.name[1:]} can tell you that. {reach}"


EMPTY_MESSAGE = "It looks like your message was empty. Ask me anything about mesotherapy, or pick a topic:"
DID_YOU_MEAN = "Sorry, I'm not sure I understood. Did you mean one of these? You can also rephrase your question."
REPHRASE = (
    "Sorry, I'm not sure I understood. Could you rephrase? I understand English only for now. "
    "You can also pick one of these topics:"
)
ENGLISH_ONLY = "Sorry, I understand English only for now. Please ask your question in English, or pick a topic:"
OUT_OF_SCOPE = "I can only help with questions about mesotherapy."
BOT_CHALLENGE = (
    "I'm an automated assistant, not a person. I answer from a written mesotherapy guide and "
    "cannot examine you or give personal medical advice."
)

_NO_LETTERS = re.compile(r"^[\W\d_]*$")


def greeting(clinic: Clinic, table: Optional[IntentTable] = None) -> str:
    """The greeting, naming the clinic when one is configured."""
    of_clinic = "" if clinic.name == DEFAULT_NAME else f" of {clinic.name}"
    return (
        f"Hello! I'm the mesotherapy assistant{of_clinic}. {capabilities(table)} "
        f"You can also ask to talk to someone at {clinic.name}. What would you like to know?"
    )


HANDOFF_BUTTON: Button = ("Talk to someone at the clinic", "/request_human")


def offer_handoff(clinic: Clinic) -> str:
    """Offered after two messages in a row the assistant did not understand."""
    return f"If you'd rather talk to a person, I can ask someone at {clinic.name} to contact you."


def small_talk(
    intent: str,
    text: str,
    topic: Optional[str],
    condition: Optional[str],
    clinic: Clinic,
    table: Optional[IntentTable] = None,
) -> Reply:
    """Reply to greetings, thanks, fallback and the like; context is kept as it was."""
    table = table or intent_table()
    buttons = table.buttons

    def reply(messages: List[str], with_buttons: bool = False) -> Reply:
        return Reply(messages, buttons if with_buttons else [], topic=topic, condition=condition)

    if not text.strip() and intent in ("", "nlu_fallback"):
        return reply([EMPTY_MESSAGE], with_buttons=True)
    conversation = {  # the intent table's `conversation` intents: (messages, with topic buttons)
        "greet": ([greeting(clinic, table)], True),
        "goodbye": (["Goodbye, and take care! Come back any time you have a question about mesotherapy."], False),
        "thank": (["You're welcome! Is there anything else you'd like to know?"], False),
        "bot_challenge": ([BOT_CHALLENGE], False),
        "ask_capabilities": ([capabilities(table) + " Pick a topic or type your question:"], True),
        "affirm": (["Great. What would you like to know?"], True),
        "deny": (["No problem. Is there anything else I can help with?"], False),
        "out_of_scope": ([f"{OUT_OF_SCOPE} {capabilities(table)}"], True),
    }
    if intent in conversation:
        messages, with_buttons = conversation[intent]
        return reply(messages, with_buttons)
    if _NO_LETTERS.match(text):
        return reply(["I can only read words, not emoji or symbols alone. " + REPHRASE], with_buttons=True)
    return reply([REPHRASE], with_buttons=True)

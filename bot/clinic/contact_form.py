"""The contact form's words and answers: its questions and messages, and reading what the visitor types at
each step (consent, a name, a phone number or email address, "cancel", or something that is no answer at all:
a red flag, a question). Storing and sending the request: :mod:`bot.clinic.handoff`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from bot.clinic.profile import Clinic

# The form's questions, by slot.
QUESTIONS = {
    "handoff_consent": (
        "I can ask the clinic to contact you. To do that I will store your name and a phone number or "
        "email address with your request, only so that the clinic can get back to you about it. "
        "Is that OK? (yes / no; type cancel at any time to stop)"
    ),
    "contact_name": "Thank you. What is your name?",
    "contact_detail": "What phone number or email address should the clinic use to contact you?",
}
# The question again after an answer that was not one ("Sorry, that doesn't look like a name"): no "Thank you".
QUESTIONS_AGAIN = {**QUESTIONS, "contact_name": "What is your name?"}
ASK_CONSENT_AGAIN = "Please answer yes to go on, or no to cancel."
BAD_NAME = "Sorry, that doesn't look like a name. Please type your name (letters only, up to 100 characters)."
BAD_CONTACT = (
    "Sorry, that doesn't look like a phone number or an email address. Please type a phone "
    "number (for example +44 20 7946 0000) or an email address (for example name@example.com)."
)
# A name or contact detail the visitor would rather not give ("I don't want to give my name").
REFUSED = (
    "That's fine, but the clinic needs a name (a first name is enough) and a phone number or email address to get "
    "back to you. If you'd rather not give them, type cancel and nothing is stored."
)
# A phone number or email address typed when the form asked for the name: kept for the next step.
CONTACT_KEPT = "Thanks, I've noted that for the clinic."


def purpose(retention_days: int) -> str:
    """Why the form asks for a name and a contact detail ("what will you do with my number?")."""
    return (
        "The clinic uses your name and phone number or email address only to contact you about this request, and "
        f"the request is deleted after {retention_days} days."
    )


# True with the tracker stores of endpoints*.yml (connectors/form_erasure.py erases the typed answers).
CANCELLED = (
    "OK, I've cancelled that: nothing was sent to the clinic, and what you typed into this form "
    "(your name and contact details) has been deleted. Is there anything else I can help with?"
)

# -- safety and questions at every step of the form ----------------------------------------------
# A red flag or a question typed as an answer is never stored as the answer: the urgent-care
# message comes first (bot.answering.safety), or the question is answered as any other; then the
# form's question is asked again.
ASK_AGAIN = {
    "handoff_consent": (
        "If you still want the clinic to contact you, I will store your name and a phone number or email "
        "address only for that. Is that OK? (yes / no; type cancel at any time to stop)"
    ),
    "contact_name": "I haven't stored that as your name. If you still want the clinic to contact you, please type "
    "your name (or cancel to stop).",
    "contact_detail": "I haven't stored that as your contact details. If you still want the clinic to contact you, "
    "please type a phone number or email address (or cancel to stop).",
}
RED_FLAG = "red_flag"
SAFETY_QUESTION = "safety_question"
QUESTION = "question"
_SENTENCE_WORDS = re.compile(
    r"\b(?:is|it|its|i|im|am|my|me|can|could|safe|the|a|for|if|do|does|what|how|will|would|should|have|has|had|"
    r"while|after|since|on|with|to|and|are|feel|felt|this|that)\b|\?",
    re.IGNORECASE,
)


def interruption(slot: str, text: Optional[str], intent: Optional[str]) -> Optional[str]:
    """What the visitor's answer to the form's question for ``slot`` really is, when it must not be
    stored: RED_FLAG (a report of red-flag symptoms), SAFETY_QUESTION, QUESTION (another question
    the assistant answers, "how long does it last?"), else None.

    A plausible answer (a name, a phone number, yes/no) is a question only when it reads like a
    sentence with question or safety words, so that names are never taken for questions.
    """
    from bot.answering import parts, safety
    from bot.topics import intent_table

    text = text or ""
    if safety.has_red_flags(text):
        return RED_FLAG
    if asks_what_it_is_for(text) or (slot != "handoff_consent" and refuses_to_give(text)):
        return None  # the form's own matter, answered by its validation ("what will you do with my number?")
    if slot == "handoff_consent":
        plausible = parse_consent(text, None) is not None and len(text.split()) <= 4 and "?" not in text
    elif slot == "contact_name":
        plausible = validate_name(text) is not None and not _SENTENCE_WORDS.search(text)
    else:
        plausible = validate_contact(text) is not None
    if plausible:
        return None
    # Not the classifier here: it would take some names ("my name is Anna") for questions.
    if safety.is_safety_question(intent or "", text, use_classifier=False):
        return SAFETY_QUESTION
    if intent in intent_table().question_intents and parts.reads_as_question(text):
        return QUESTION
    return None


_CANCEL_WORDS = re.compile(
    # "ok nvm" as consent, "no forget it" as a name, "actually no, never mind"
    r"^\s*(?:(?:ok|okay|oh|ah|actually|hmm+|um+|well|no|nah|sorry|wait)\W+){0,3}"
    r"(cancel|stop|quit|exit|abort|never ?mind|nvm|forget it|forget about it|no thanks?|no thank you|no need|"
    r"not now|(?:i(?:'ve| have)? )?changed my mind|don'?t bother|do not bother|leave it|"
    r"(?:please )?don'?t (?:store|save|keep) (?:anything|it|my \w+))\b",
    re.IGNORECASE,
)
_REFUSES = re.compile(
    r"\b(?:don'?t|do not|won'?t|will not|rather not|prefer not to|not comfortable)\b(?:\W+\w+){0,3}?\W+"
    r"(?:give|giving|share|sharing|tell|telling|say|provide|leave|leaving)\b|\bno (?:name|number|phone|email)\b",
    re.IGNORECASE,
)
_ASKS_WHAT_IT_IS_FOR = re.compile(
    r"\bwhat (?:do|am|would) i (?:agree\w*|consent\w*|sign\w*) to\b|"
    r"\bwhat (?:do you need (?:it|them|that|this|my \w+)|(?:will|do) you do with|is (?:it|this|that) for|"
    r"are (?:they|these) for|for\b)|\bwhy (?:do|does) (?:you|the clinic|they) need|\bwho (?:sees|gets|will see)|"
    r"\bhow long (?:do|will) (?:you|they) keep|\bis my (?:data|number|email|info\w*|name) (?:safe|secure|private)|"
    r"\bgdpr\b|\bdata protection\b|\bprivacy\b",
    re.IGNORECASE,
)
_YES_WORDS = (
    r"sure,? why not|why not|y|yes|si|sí|oui|yeah|yea|ya|yah|yh|yep|yup|yass?|sure|ok|okay|k|kk|fine|alright|all right|agreed?|i agree|i consent|"
    r"of course|go ahead|go on|please do|yes please|sounds good|that'?s (?:ok|okay|fine)|that is (?:ok|okay|fine)"
)
_THUMBS_UP = "\U0001f44d"  # 👍, with or without a skin tone
_NO_WORDS = r"n|no|nope|nah|no way|i don'?t agree|don'?t"
# An answer that opens with yes or no ("yes, go ahead"), and one that only says it: never a name
# ("yes" after "please type your name (or cancel)").
_YES = re.compile(rf"^\s*(?:(?:{_YES_WORDS})\b|{_THUMBS_UP}[\U0001F3FB-\U0001F3FF]?)", re.IGNORECASE)
_NO = re.compile(rf"^\s*(?:{_NO_WORDS})\b", re.IGNORECASE)
_ONLY_YES = re.compile(rf"^\s*(?:{_YES_WORDS})\s*[.!]*\s*$", re.IGNORECASE)
# What a visitor may type before the name itself ("my name is Priya", "it's Tom").
_NAME_OPENING = re.compile(
    r"^\s*(?:(?:ok|okay|sure|yes|yeah|ya|hi|hey|hello)\W+)?(?:(?:(?:my )?name(?:'s| is|:)|i'?m|i am|it'?s|this is|call me)\s+)?",
    re.IGNORECASE,
)
# "my name is Grace, please call me", "my name is Grace and my number is ...": the name up to the clause's end
_GIVES_A_NAME = re.compile(
    r"\b(?:my )?name(?:'s| is|:)\s+(?P<name>[^,;!?]+?)\s*(?:\b(?:and|but)\b|[,;!?]|\.(?:\s|$)|$)", re.IGNORECASE
)
# Words that are no one's name: symptoms, and what texters type when they mean something else ("pain",
# "help", "asap pls" were stored as names).
_NOT_A_NAME_WORDS = frozenset(
    "pain painful hurts hurt hurting sore tender itchy itch itching rash rashes bleeding bleed bleeds numb numbness "
    "headache swollen swelling bruise bruised bruising bruises redness fever lump lumps bump bumps dizzy sick "
    "nausea burning stinging infection pus help asap pls plz please tmrw tmr tomorrow today tonight now later "
    "idk dunno hello hi hey thanks thx lol what why how when where who yes no ok okay".split()
)
# Sentence words no name has ("I don't want to give my name", "ignore previous instructions and store...").
_SENTENCE_NOT_NAME_WORDS = frozenset(
    "i i'm im my me you your the want wanna give giving don't dont not store save ignore previous instructions "
    "prompt system name number phone email rather would could should can because it this that of for with and "
    "is are was be".split()
)
_MOST_WORDS_IN_A_NAME = 6
# What a visitor types around a name that is not part of it: "erm... it's, um, Dave", "Anna 😊".
_FILLERS = re.compile(r"\b(?:erm+|um+|uh+|hmm+|ehm)\b|[,;:!…]|\.{2,}|[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]")
# Words that lead into a contact detail said with a name ("my name's Bill, my phone is 07700 900888").
_CONTACT_LEAD_IN = re.compile(
    r"\b(?:(?:my|the) )?(?:phone(?: number)?|number|mobile|cell|tel|telephone|email|e-mail|whatsapp)"
    r"(?:'s| is|:)?(?=\W|$)|\b(?:you can )?(?:call|text|reach|email|whatsapp) me(?: on| at)?\b|\b(?:and|on|at)\b",
    re.IGNORECASE,
)
_ONLY_NO = re.compile(rf"^\s*(?:{_NO_WORDS})\s*[.!]*\s*$", re.IGNORECASE)
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]+)*\.?$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().-]+$")
_CONTACT_IN_A_SENTENCE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|\+?\(?\d[\d\s().-]{5,}\d")


# -- validators -------------------------------------------------------------------------------


def is_cancel(text: Optional[str]) -> bool:
    """True when the visitor asks to stop ("cancel", "stop", "never mind", a bare "no"...)."""
    return bool(_CANCEL_WORDS.match(text or "") or _ONLY_NO.match(text or ""))


def parse_consent(text: Optional[str], intent: Optional[str]) -> Optional[bool]:
    """True for an explicit yes, False for no (or cancel), None when the answer is neither.

    Consent needs yes-words in the text: the affirm intent alone is not enough, since the
    classifier can take gibberish for affirm. Yes-words that open a question ("ok what about acne
    itself") are no answer: the visitor moved on.
    """
    from bot.answering import parts

    if intent == "deny" or is_cancel(text) or _NO.match(text or ""):
        return False
    yes = _YES.match(text or "")
    if not yes:
        return None
    rest = (text or "")[yes.end() :].strip(" ,.!")
    return None if re.search(r"\w", rest) and parts.reads_as_question(rest) else True


def validate_name(text: Optional[str]) -> Optional[str]:
    """The name, tidied and without "my name is", fillers or emoji, or None when it is not a plausible name: a bare
    "yes" or "no", a word that is no one's name ("pain", "help", "asap pls"), or a sentence ("I don't want to give
    my name")."""
    tidied = " ".join(_FILLERS.sub(" ", text or "").split())
    name = _NAME_OPENING.sub("", tidied, count=1)
    if not 1 < len(name) <= 100 or not _NAME.match(name) or _ONLY_YES.match(name) or _ONLY_NO.match(name):
        return None
    words = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", name.lower())
    if len(words) > _MOST_WORDS_IN_A_NAME or any(
        word in _NOT_A_NAME_WORDS or word.replace("’", "'") in _SENTENCE_NOT_NAME_WORDS for word in words
    ):
        return None
    return name


def name_and_contact(text: Optional[str]) -> Tuple[Optional[str], Optional["Contact"]]:
    """The name and the one phone number or email address of an answer that gives both ("I'm Tom, 07700 900111",
    "my name's Bill, my phone is 07700 900888"); (None, contact) when it gives only a contact detail."""
    contact = validate_contact(text)
    if contact is None:
        return None, None
    rest = _CONTACT_LEAD_IN.sub(" ", _CONTACT_IN_A_SENTENCE.sub(" ", text or ""))
    # "my name is Oliver Smith and my number is ... but please only call after 5pm": the name said as one
    return name_given_with_consent(rest) or validate_name(rest), contact


def refuses_to_give(text: Optional[str]) -> bool:
    """True for "I don't want to give my name", "I'd rather not give my number"."""
    return bool(_REFUSES.search(text or ""))


def asks_what_it_is_for(text: Optional[str]) -> bool:
    """True for "what will you do with my number?", "what do you need it for?", "is my data safe?"."""
    return bool(_ASKS_WHAT_IT_IS_FOR.search(text or ""))


def details_in_request(text: Optional[str]) -> Dict[str, str]:
    """The name ("my name is Grace") and contact detail a request to be contacted already gives, by slot."""
    details: Dict[str, str] = {}
    given = _GIVES_A_NAME.search(_CONTACT_LEAD_IN.sub(" ", _CONTACT_IN_A_SENTENCE.sub(" ", text or "")))
    name = validate_name(given.group("name").strip(" .!")) if given else None
    contact = validate_contact(text)
    if name:
        details["contact_name"] = name
    if contact:
        details["contact_detail"] = contact.value
    return details


def name_given_with_consent(text: Optional[str]) -> Optional[str]:
    """The name in a consent answer that gives it ("ok my name is Priya"), else None."""
    given = _GIVES_A_NAME.search(text or "")
    return validate_name(given.group("name").strip(" .!")) if given else None


@dataclass(frozen=True)
class Contact:
    """A validated phone number or email address."""

    value: str
    kind: str  # "phone" or "email"


def validate_contact(text: Optional[str]) -> Optional[Contact]:
    """A phone number (7 to 15 digits) or an email address, tidied, or None. Said in a sentence ("my number is
    +44 20 7946 0958", "07700 900789, evenings are best"), the one number or address in it."""
    value = (text or "").strip()
    contact = _contact(value)
    if contact is not None:
        return contact
    found = [_contact(match.group(0).strip()) for match in _CONTACT_IN_A_SENTENCE.finditer(value)]
    contacts = [contact for contact in found if contact is not None]
    return contacts[0] if len(contacts) == 1 else None


def _contact(value: str) -> Optional[Contact]:
    if _EMAIL.match(value) and len(value) <= 254:
        return Contact(value.lower(), "email")
    digits = re.sub(r"\D", "", value)
    if _PHONE_CHARS.match(value) and 7 <= len(digits) <= 15:
        return Contact(("+" if value.startswith("+") else "") + digits, "phone")
    return None


def confirmation(clinic: Clinic, contact: Contact) -> str:
    """What the visitor is told once the request is stored. Nothing typed is repeated back (a
    visitor's text is never sent by the clinic's number): the phone number's last four digits only."""
    if contact.kind == "phone":
        how = f"call you on the number you gave (ending {contact.value[-4:]})"
    else:
        how = "email you at the address you gave"
    when = f" during opening hours ({clinic.opening_hours})" if clinic.opening_hours else ""
    text = f"Thank you. I've passed your request on: {clinic.name} will {how}{when}."
    reach = clinic.how_to_reach()
    return f"{text} If you'd rather not wait: {reach[0].lower()}{reach[1:]}" if reach else text

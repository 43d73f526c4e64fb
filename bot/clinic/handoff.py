"""Handing a conversation over to the clinic: validate the visitor's details, store the
request, then notify the clinic's webhook (with retries; failed notifications stay pending).

The webhook: the body is JSON signed with ``CLINIC_WEBHOOK_SECRET`` (header
``X-Clinic-Signature-256: sha256=<HMAC-SHA256 hex of the exact body>``); only a 2xx answer counts
(a redirect is a failure, never followed); the URL must be https, except on loopback; every error
of an attempt is caught and recorded (the request stays pending, never lost). Pending requests are
retried by the action server in the background (``retry_delay`` gives the backoff) and by
``python -m bot handoff-retry``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Dict, List, Optional
from urllib.parse import urlsplit

from sqlalchemy import Column, DateTime, Integer, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import declarative_base, sessionmaker

from bot.clinic.profile import Clinic
from bot.http_json import request_json
from bot.settings import load_settings

logger = logging.getLogger(__name__)

Base = declarative_base()

PENDING = "pending"
SENT = "sent"
REASONS = ("request_human", "book_consultation")
SIGNATURE_HEADER = "X-Clinic-Signature-256"
MAX_RETRY_DELAY_S = 3600.0

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
ASK_CONSENT_AGAIN = "Please answer yes to go on, or no to cancel."
BAD_NAME = "Sorry, that doesn't look like a name. Please type your name (letters only, up to 100 characters)."
BAD_CONTACT = (
    "Sorry, that doesn't look like a phone number or an email address. Please type a phone "
    "number (for example +44 20 7946 0000) or an email address (for example name@example.com)."
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
    r"^\s*(?:(?:ok|okay|oh|ah|actually|hmm+|um+|well|no|nah)\W+)?"  # "ok nvm" consent, "no forget it" a name
    r"(cancel|stop|quit|exit|abort|never ?mind|nvm|forget it|no thanks?|no thank you|no need|not now)\b",
    re.IGNORECASE,
)
_YES_WORDS = (
    r"y|yes|yeah|yea|ya|yah|yh|yep|yup|yass?|sure|ok|okay|k|kk|fine|alright|all right|agreed?|i agree|i consent|"
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
_GIVES_A_NAME = re.compile(r"\b(?:my )?name(?:'s| is|:)\s+(?P<name>.+)$", re.IGNORECASE)
# Words that are no one's name: symptoms, and what texters type when they mean something else ("pain",
# "help", "asap pls" were stored as names).
_NOT_A_NAME_WORDS = frozenset(
    "pain painful hurts hurt hurting sore tender itchy itch itching rash rashes bleeding bleed bleeds numb numbness "
    "headache swollen swelling bruise bruised bruising bruises redness fever lump lumps bump bumps dizzy sick "
    "nausea burning stinging infection pus help asap pls plz please tmrw tmr tomorrow today tonight now later "
    "idk dunno hello hi hey thanks thx lol what why how when where who yes no ok okay".split()
)
_ONLY_NO = re.compile(rf"^\s*(?:{_NO_WORDS})\s*[.!]*\s*$", re.IGNORECASE)
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]+)*\.?$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().-]+$")
_CONTACT_IN_A_SENTENCE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|\+?\(?\d[\d\s().-]{5,}\d")


class HandoffRequest(Base):
    """A visitor's request to be contacted by the clinic."""

    __tablename__ = "handoff_requests"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime(timezone=True), nullable=False)
    conversation_id = Column(String(255), nullable=False)
    reason = Column(String(40), nullable=False)
    name = Column(String(100), nullable=False)
    contact = Column(String(254), nullable=False)
    contact_kind = Column(String(10), nullable=False)
    status = Column(String(10), nullable=False, default=PENDING, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text)
    sent_at = Column(DateTime(timezone=True))

    def payload(self) -> Dict[str, object]:
        """The JSON body sent to the clinic's webhook (times in UTC, whatever the database)."""
        created_at = self.created_at if self.created_at.tzinfo else self.created_at.replace(tzinfo=timezone.utc)
        return {
            "id": self.id,
            "created_at": created_at.astimezone(timezone.utc).isoformat(),
            "conversation_id": self.conversation_id,
            "reason": self.reason,
            "name": self.name,
            "contact": self.contact,
            "contact_kind": self.contact_kind,
        }


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
    """The name, tidied and without "my name is", or None when it is not a plausible name: a bare "yes"
    or "no", or a word that is no one's name ("pain", "help", "asap pls")."""
    name = _NAME_OPENING.sub("", " ".join((text or "").split()), count=1)
    if not 1 < len(name) <= 100 or not _NAME.match(name) or _ONLY_YES.match(name) or _ONLY_NO.match(name):
        return None
    if any(word in _NOT_A_NAME_WORDS for word in re.findall(r"[^\W\d_]+", name.lower())):
        return None
    return name


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


# -- storage and notification -----------------------------------------------------------------


def create_tables(engine: Engine) -> None:
    """Create the ``handoff_requests`` table if it does not exist."""
    Base.metadata.create_all(engine)


def store_request(
    sessions: sessionmaker, conversation_id: str, reason: str, name: str, contact: Contact
) -> HandoffRequest:
    """Store a new pending request and return it."""
    request = HandoffRequest(
        created_at=datetime.now(timezone.utc),
        conversation_id=conversation_id,
        reason=reason,
        name=name,
        contact=contact.value,
        contact_kind=contact.kind,
        status=PENDING,
        attempts=0,
    )
    with sessions() as session, session.begin():
        session.add(request)
    return request


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try to reach the webhook."""

    attempts: int = 3
    timeout: float = 2.0
    backoff: float = 0.5  # seconds before the 2nd attempt, doubled each time


def signature(secret: str, body: bytes) -> str:
    """The value of ``X-Clinic-Signature-256`` for ``body``: ``sha256=`` and the HMAC-SHA256 in hex."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def webhook_url_problem(url: str) -> Optional[str]:
    """Why ``url`` may not receive visitors' details (None when it may): https, or http on loopback."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return None
        return "the webhook URL must be https:// (http:// only on loopback)"
    return "the webhook URL must be an https:// URL"


def retry_delay(interval: float, failed_rounds: int) -> float:
    """Seconds before the next background retry: ``interval``, doubled per failed round, at most an hour."""
    return min(MAX_RETRY_DELAY_S, interval * 2 ** min(failed_rounds, 20))


def _post(url: str, body: bytes, secret: Optional[str], timeout: float) -> None:
    headers = {SIGNATURE_HEADER: signature(secret, body)} if secret else {}
    request_json("POST", url, body, headers=headers, timeout=timeout, follow_redirects=False)


def notify(
    sessions: sessionmaker,
    request_id: int,
    url: Optional[str],
    policy: RetryPolicy = RetryPolicy(),
    secret: Optional[str] = None,
) -> bool:
    """POST the request to the clinic's webhook (signed with ``secret``, by default
    ``CLINIC_WEBHOOK_SECRET``); mark it sent, or leave it pending with the error. Never raises."""
    if not url:
        return False
    if secret is None:
        secret = load_settings().clinic_webhook_secret
    try:
        with sessions() as session, session.begin():
            request = session.get(HandoffRequest, request_id)
            body = json.dumps(request.payload()).encode("utf-8")
    except Exception as exc:  # noqa: BLE001 (the database is down: the request stays pending)
        logger.warning("Handoff %s: could not be read for the webhook: %s", request_id, type(exc).__name__)
        return False
    if not secret:
        logger.warning("Handoff %s: CLINIC_WEBHOOK_SECRET is not set: the webhook body is not signed", request_id)
    error: Optional[str] = webhook_url_problem(url)
    tries = 0
    if error is None:
        for attempt in range(policy.attempts):
            if attempt:
                time.sleep(policy.backoff * 2 ** (attempt - 1))
            tries += 1
            try:
                _post(url, body, secret, policy.timeout)  # any 2xx answer will do; a 3xx is a failure
                error = None
                break
            except Exception as exc:  # noqa: BLE001 (every failure of an attempt is recorded, none escapes)
                error = str(exc) or type(exc).__name__
                logger.warning("Handoff %s: webhook attempt %d failed: %s", request_id, tries, error)
    else:
        logger.error("Handoff %s: not sent: %s", request_id, error)
    try:
        with sessions() as session, session.begin():
            request = session.get(HandoffRequest, request_id)
            request.attempts += tries
            request.last_error = error
            if error is None:
                request.status = SENT
                request.sent_at = datetime.now(timezone.utc)
    except Exception as exc:  # noqa: BLE001 (stays pending: sent again later, the clinic de-duplicates by id)
        logger.error("Handoff %s: could not record the webhook's outcome: %s", request_id, type(exc).__name__)
        return False
    return error is None


def pending_requests(sessions: sessionmaker) -> List[HandoffRequest]:
    """Requests whose notification has not gone through, oldest first."""
    with sessions() as session:
        statement = select(HandoffRequest).where(HandoffRequest.status == PENDING).order_by(HandoffRequest.id)
        return list(session.execute(statement).scalars())


def retry_pending(
    sessions: sessionmaker, url: Optional[str], policy: RetryPolicy = RetryPolicy(), secret: Optional[str] = None
) -> Dict[int, bool]:
    """Notify every pending request again; return whether each one went through."""
    return {request.id: notify(sessions, request.id, url, policy, secret) for request in pending_requests(sessions)}

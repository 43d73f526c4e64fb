"""The safety policy, enforced in one place for every reply the assistant sends.

- A message that reports red-flag symptoms gets the urgent-care message first.
- A reply to a safety question ends with the recommendation to see a licensed professional.
"""
from __future__ import annotations

import re
from typing import List

from bot.clinic.profile import Clinic

SAFETY_INTENTS = frozenset(
    {"ask_safety", "ask_practitioner", "ask_contraindications", "report_red_flag", "ask_aftercare"}
)

_SAFETY_WORDS = re.compile(
    r"\b(safe\w*|unsafe|risk\w*|danger\w*|harm\w*|side[\s-]?effects?|complications?|"
    r"contraindicat\w*|allerg\w*|pregnan\w*|breast[\s-]?feed\w*|nursing|infect\w*|"
    r"bruis\w*|swell\w*|swollen|reactions?|medications?|blood thinners?|diabet\w*|"
    r"who (?:can|should|may) (?:do|perform|give)|qualified|licen[sc]ed|for me)\b",
    re.IGNORECASE,
)

_RED_FLAGS = re.compile(
    r"(?:trouble|difficult\w*|hard|struggl\w*|can'?t|cannot|unable to)\s+(?:to\s+)?breath\w*|"
    r"short(?:ness)? of breath|breathless|wheez\w*|"
    r"(?:face|throat|tongue|lips?|mouth|eyes?)\s+(?:is\s+|are\s+|has\s+|have\s+)?(?:swell\w*|swollen|closing|tight)|"
    r"swell\w*\s+(?:of|in)\s+(?:my\s+|the\s+)?(?:face|throat|tongue|lips?|mouth)|"
    r"swollen\s+(?:face|throat|tongue|lips?)|throat\s+(?:is\s+)?closing|"
    r"\bfever\w*|high temperature|\bchills\b|"
    r"spreading\s+redness|redness\s+(?:is\s+)?spreading|red\s+streaks?|"
    r"\bpus\b|\boozing\b|discharge|abscess|"
    r"(?:severe|extreme|unbearable|excruciating|worsening|getting worse|worse and worse|intense)\s+(?:\w+\s+)?pain|"
    r"pain\s+(?:is\s+)?(?:getting worse|worsening|unbearable|severe)|"
    r"(?:skin|area|spot)\s+(?:is\s+|has\s+)?(?:turn\w*|gone|going|become|becoming|looks?)\s+(?:\w+\s+)?"
    r"(?:dark|black|blue|purple|grey|gray|white|pale)|"
    r"chest pain|faint\w*|passed out|anaphyla\w*|hives all over",
    re.IGNORECASE,
)

_RECOMMENDATION = (
    "For advice about your own situation, please consult a licensed professional: "
    "a board-certified dermatologist or plastic surgeon who has experience performing mesotherapy."
)


def professional_recommendation(clinic: Clinic) -> str:
    """The recommendation to see a licensed professional, with how to reach the clinic."""
    reach = clinic.how_to_reach()
    return f"{_RECOMMENDATION} {reach}" if reach else _RECOMMENDATION


def urgent_care_message(clinic: Clinic) -> str:
    """The urgent-care message, naming the emergency number to call."""
    return (
        "⚠️ The symptoms you describe can be serious after an injection treatment. "
        f"Please get urgent medical care now: call {clinic.emergency_number} or go to the nearest "
        "emergency department. Do not wait for a chat answer."
    )


def has_red_flags(text: str) -> bool:
    """True when ``text`` reports a symptom that needs urgent care."""
    return bool(_RED_FLAGS.search(text or ""))


def is_safety_question(intent: str, text: str) -> bool:
    """True when the intent or the words of the message are about safety."""
    return intent in SAFETY_INTENTS or bool(_SAFETY_WORDS.search(text or ""))


def apply_safety_policy(
    messages: List[str],
    intent: str,
    text: str,
    urgent_message: str,
    recommendation: str,
) -> List[str]:
    """Return ``messages`` with the urgent-care message first and the recommendation last,
    each where the policy asks for it."""
    result = [m for m in messages if m not in (urgent_message, recommendation)]
    if has_red_flags(text) or intent == "report_red_flag":
        result.insert(0, urgent_message)
    if is_safety_question(intent, text) or has_red_flags(text):
        result.append(recommendation)
    return result

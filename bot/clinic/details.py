"""What the clinic's own details (``CLINIC_*`` settings) say to a visitor's practical question:
"are you open on saturdays?", "what's your address?", "what is your phone number?".

Only details that are set are given; a question they do not answer (parking, payment, a detail
that is not set) gets nothing here, and the assistant says it does not have that detail.
"""

from __future__ import annotations

import re
from typing import List

from bot.clinic.profile import Clinic

_ASKS_HOURS = re.compile(
    r"\b(?:open\w*|clos\w*|hours?|times?|mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?|"
    r"weekends?|evenings?|mornings?|holidays?|late)\b",
    re.IGNORECASE,
)
_ASKS_ADDRESS = re.compile(
    r"\b(?:where|address|located|location|find you|directions?|postcode|zip code|how (?:do|can) i get there|"
    r"get to you|get there)\b",
    re.IGNORECASE,
)
_ASKS_PHONE = re.compile(r"\b(?:phone|call|ring|number|telephone|contact|reach)\b", re.IGNORECASE)
_ASKS_BOOKING = re.compile(r"\b(?:book\w*|appointments?|website|online)\b", re.IGNORECASE)


def details_for(clinic: Clinic, text: str) -> List[str]:
    """The sentences of the clinic's set details that answer ``text`` (none when no set detail does)."""
    answers = []
    if _ASKS_HOURS.search(text) and clinic.opening_hours:
        answers.append(f"{_capitalised(clinic.name)}'s opening hours: {clinic.opening_hours}.")
    if _ASKS_ADDRESS.search(text) and clinic.address:
        answers.append(f"{_capitalised(clinic.name)} is at {clinic.address}.")
    if _ASKS_PHONE.search(text) and clinic.phone:
        answers.append(f"You can call {clinic.name} on {clinic.phone}.")
    if _ASKS_BOOKING.search(text) and clinic.booking_url:
        answers.append(f"You can book online at {clinic.booking_url}.")
    return answers


def _capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]

"""The clinic behind the assistant: whom visitors are told to call, and how it is worded.

The values come from environment variables (read in :func:`bot.settings.load_clinic`); every
field has a neutral default so the assistant works for any clinic, or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

DEFAULT_NAME = "the clinic"
DEFAULT_EMERGENCY_NUMBER = "your local emergency number"


@dataclass(frozen=True)
class Clinic:
    """Contact details of the clinic (``CLINIC_*`` variables)."""

    name: str = DEFAULT_NAME
    phone: Optional[str] = None
    booking_url: Optional[str] = None
    opening_hours: Optional[str] = None
    address: Optional[str] = None
    emergency_number: str = DEFAULT_EMERGENCY_NUMBER
    webhook_url: Optional[str] = None

    def how_to_reach(self) -> str:
        """One sentence on how to contact the clinic, or "" when no contact detail is set."""
        parts = []
        if self.phone:
            hours = f" ({self.opening_hours})" if self.opening_hours else ""
            parts.append(f"call {self.name} on {self.phone}{hours}")
        if self.booking_url:
            parts.append(f"book online at {self.booking_url}")
        return f"You can {' or '.join(parts)}." if parts else ""


def trouble_message(clinic: Clinic) -> str:
    """What a visitor is told when the assistant cannot answer (action server down, slow or failing)."""
    reach = clinic.how_to_reach()
    text = f"I'm having trouble answering right now. Please try again in a moment, or contact {clinic.name} directly."
    return f"{text} {reach}" if reach else text


def truncation_note(limit: int) -> str:
    """Told to a visitor whose message was longer than ``limit`` characters."""
    return f"Your message was long, so I only read its first {limit} characters. Please send one question at a time."


def rate_limited_message() -> str:
    """Told to a visitor (or an address) sending messages faster than the limits allow."""
    return "You're sending messages very quickly. Please wait a few seconds, then try again."

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

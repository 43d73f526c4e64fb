"""A cancelled handoff form leaves nothing of what the visitor typed into it in the stored
conversation: the texts of their messages from the form's start to the cancel are emptied (the
intent each was read as is kept) and the name and contact slots set back to nothing.

The cancel is the ``handoff_consent`` slot set to ``False`` (``actions/handoff.py`` sets it so
only when the visitor cancels). ``connectors/tracker_store.py`` applies :func:`erased` to the
stored events of the conversation from the form's last activation on.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

FORM = "handoff_form"
CANCEL_SLOT = "handoff_consent"
TYPED_SLOTS = ("contact_name", "contact_detail")


def cancels_form(events: Iterable[Dict[str, Any]]) -> bool:
    """True when ``events`` (as stored: ``event.as_dict()``) include the visitor's cancel of the form."""
    return any(
        event.get("event") == "slot" and event.get("name") == CANCEL_SLOT and event.get("value") is False
        for event in events
    )


def starts_form(event: Dict[str, Any]) -> bool:
    """True for the event that activates the handoff form."""
    return event.get("event") == "active_loop" and event.get("name") == FORM


def erased(event: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """``event`` without what the visitor typed (None: it holds nothing typed)."""
    if event.get("event") == "user":
        parse_data = event.get("parse_data") or {}
        if not event.get("text") and not parse_data.get("text") and not parse_data.get("entities"):
            return None
        return {**event, "text": "", "parse_data": {**parse_data, "text": "", "entities": []}}
    if event.get("event") == "slot" and event.get("name") in TYPED_SLOTS and event.get("value") is not None:
        return {**event, "value": None}
    return None

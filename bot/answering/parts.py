"""Split a message that asks several things ("does it work, and how long does it last?") into its questions."""

from __future__ import annotations

import re
from typing import List

MAX_PARTS = 3
_QUESTION_START = (
    r"(?:how|what|whats|what's|which|who|whom|when|where|why|is|are|does|do|did|can|could|will|would|"
    r"should|shall|may|might|has|have|was|were|any)"
)
# A question mark, or ", and" / "and" / "also" / "plus" / ";" before a word that starts a question.
_BOUNDARY = re.compile(
    rf"(?<=\?)\s+|\s*(?:[,;]\s*(?:and\s+|also\s+|plus\s+|but\s+)?|\s+(?:and|also|plus)\s+)(?={_QUESTION_START}\b)",
    re.IGNORECASE,
)
# A numbered list: "1) what do they inject 2) does it hurt", "1. can i have it ... 2. can i drink alcohol after".
_LIST_ITEM = re.compile(r"(?:^|\s)\(?\d{1,2}[.)]\s+(?=[a-z])", re.IGNORECASE)
_MIN_WORDS = 2
# "how long does it last", "and how long...", "and the results, how long do they last"
_OPENS_AS_QUESTION = re.compile(
    rf"^\W*(?:(?:and|so|but|also|ok|okay|then)\W+)?{_QUESTION_START}\b|[,;:]\s*{_QUESTION_START}\b", re.IGNORECASE
)


_OPENS_WITH_A_QUESTION_WORD = re.compile(rf"^{_QUESTION_START}\b", re.IGNORECASE)


def opens_with_a_question_word(text: str) -> bool:
    """True when ``text`` starts with a word that starts a question ("how", "is", "can"...)."""
    return bool(_OPENS_WITH_A_QUESTION_WORD.match(text))


def reads_as_question(text: str) -> bool:
    """True when ``text`` has a question mark or a clause of it opens with a question word ("how long does it
    last", "and the results, how long do they last")."""
    return "?" in text or bool(_OPENS_AS_QUESTION.search(text))


def split_questions(text: str) -> List[str]:
    """The questions of ``text`` in order (at most :data:`MAX_PARTS`); one part when it asks one thing."""
    items = _LIST_ITEM.split(text.strip())
    listed = items[1:] if len(items) > 2 else [text.strip()]  # what comes before "1)" only introduces the list
    parts = [
        part.strip(" ,;") for item in listed for part in _BOUNDARY.split(item.strip()) if part and part.strip(" ,;?")
    ]
    parts = [part for part in parts if len(re.findall(r"\w+", part)) >= _MIN_WORDS]
    if len(parts) < 2:
        return [text.strip()]
    if len(parts) > MAX_PARTS:  # the rest goes with the last question answered
        parts = parts[: MAX_PARTS - 1] + [" ".join(parts[MAX_PARTS - 1 :])]
    return parts

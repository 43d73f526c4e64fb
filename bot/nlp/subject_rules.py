"""Intent decisions by the subject a message names, applied after the intent classifier.

1. Another treatment and nothing of mesotherapy ("Is PRP therapy painful?"): ``out_of_scope``, or
   ``ask_comparison`` when it compares (:mod:`bot.nlp.other_subjects`).
2. A question that mentions pregnancy or breastfeeding ("does the cocktail affect pregnancy?"): the
   intent that asks who should not have mesotherapy, the not-in-guide subject whose words name
   pregnancy in data/topics.yml; the answer then says the guide does not address it, and ends with
   the professional line.
3. A question that opens by asking what mesotherapy is ("What is mesotherapy and how is it
   performed?", "Mesotherapy for hair: what is it?"): ``ask_what_is_mesotherapy``, the label of a
   multi-part question being its first part's (each part is still answered in turn).

A message the classifier took for anything but a question (a red-flag report, booking, small talk)
keeps its intent under rules 2 and 3.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import FrozenSet, Optional

from bot.answering.safety import personal_conditions
from bot.nlp.other_subjects import OtherSubjects
from bot.topics import IntentTable, mentions

PREGNANCY_CONDITIONS = frozenset({"pregnancy", "breastfeeding"})
FALLBACK = "nlu_fallback"
DEFINITION = "ask_what_is_mesotherapy"

_MESOTHERAPY = r"(?:(?:hair|facial|face|scalp|body|skin|hair loss)\s+)?(?:meso(?:therapy|therapie|terapia)?|it)"
# "what is mesotherapy" ending there (?, :, "and", a dash), or "mesotherapy: what is it"; not "what is
# mesotherapy used for" (what it treats).
_OPENS_WITH_DEFINITION = re.compile(
    rf"^\W*(?:so,?\s+)?(?:what(?:'|’)?s|what is)\s+(?:exactly\s+)?{_MESOTHERAPY}(?:\s+exactly)?"
    rf"\s*(?:\?|:|,|\.|!|$|\s+and\s+|\s+[-–—]\s+)|^\W*{_MESOTHERAPY}(?:\s+[\w-]+){{0,3}}\s*[:,?\-–—]+\s*what(?:(?:'|’)?s| is) it\b",
    re.IGNORECASE,
)


class SubjectRules:
    """The two rules above, for one intent table and list of other treatments."""

    def __init__(self, other: OtherSubjects, table: IntentTable) -> None:
        self._other = other
        self._questions: FrozenSet[str] = frozenset(
            [t.intent for t in table.topics] + [u.intent for u in table.not_in_guide] + [FALLBACK]
        )
        self._pregnancy = next((u.intent for u in table.not_in_guide if mentions("pregnancy", u.words)), None)

    @classmethod
    def load(cls, subjects_path: Path, vocabulary_path: Path, table: IntentTable) -> "SubjectRules":
        """Read the other treatments and the vocabulary."""
        return cls(OtherSubjects.load(subjects_path, vocabulary_path), table)

    def intent_for(self, text: str, intent: str) -> Optional[str]:
        """The intent the rules set for ``text`` (classified as ``intent``), or None to keep it."""
        other = self._other.intent_for(text)
        if other:
            return other
        if intent not in self._questions:
            return None
        if self._pregnancy and PREGNANCY_CONDITIONS & set(personal_conditions(text)):
            return self._pregnancy if intent != self._pregnancy else None
        if _OPENS_WITH_DEFINITION.search(text):
            return DEFINITION if intent != DEFINITION else None
        return None

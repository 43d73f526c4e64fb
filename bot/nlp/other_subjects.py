"""Questions about another treatment: recognised by the names of treatments in data/other_subjects.yml.

A message that names another treatment ("Is PRP therapy painful?") and nothing of mesotherapy's
family is about that treatment, whatever the intent classifier says: its intent becomes
``out_of_scope``. When it names mesotherapy too and compares them ("botox or mesotherapy?"), or
compares "it" with the other treatment ("does it hurt more than botox?"), the intent becomes
``ask_comparison``. A message that names no other treatment ("is it painful?") is left alone: in a
conversation about mesotherapy, "it" is mesotherapy. So is a question about "it" from someone who
has had the other treatment or wants to combine them ("I had botox last week, can I have it now?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Pattern, Tuple

import yaml

from bot.nlp.vocabulary import Vocabulary
from bot.settings import PROJECT_ROOT

DEFAULT_PATH = PROJECT_ROOT / "data" / "other_subjects.yml"

OUT_OF_SCOPE = "out_of_scope"
COMPARISON = "ask_comparison"

_COMPARES = re.compile(
    r"\b(?:vs|versus|than|compar\w*|differ\w*|same as|same thing as|similar|better|instead|rather|"
    r"against|stack up|alternatives?|which (?:one|is|treatment|works|would)|should i (?:just )?(?:get|try|go for))\b"
)
_ABOUT_IT = re.compile(r"\b(?:it|this|this treatment|this procedure|the treatment|the procedure)\b")
_HISTORY_OR_COMBINING = re.compile(
    r"\b(?:i|ive|i have|i am|im|i was|i just|i recently)\s+(?:just |recently |already |also |been )?"
    r"(?:had|did|done|on|taking|using|used|tried)\b|"
    r"\b(?:combin\w*|together|same (?:day|time|session|week)|alongside|along with|mix\w*|with it|and it|"
    r"in it|in them|in there|myself|yourself|at home)\b"
)

# Needling devices a visitor can use at home (derma roller, derma pen, derma stamp): questions about
# them are the not-in-guide "home kit" subject of data/topics.yml, which the classifier knows.
_HOME_DEVICE = re.compile(r"(?<= )(?:derma|micro|meso)? ?(?:roller|pen|stamp)s?(?= )")


def _plain(text: str) -> str:
    """Lowercase words separated by single spaces; apostrophes dropped ("didn't" -> "didnt")."""
    text = text.lower().replace("’", "").replace("'", "")
    return " " + " ".join(re.findall(r"[a-z0-9]+", text)) + " "


def _phrases_pattern(phrases: Iterable[str]) -> Pattern[str]:
    """Any of ``phrases`` as whole words, with an optional plural "s"."""
    alternatives = sorted(
        {_plain(phrase).strip() for phrase in phrases if _plain(phrase).strip()}, key=len, reverse=True
    )
    return re.compile(r"(?<= )(?:" + "|".join(re.escape(p) for p in alternatives) + r")s?(?= )")


@dataclass(frozen=True)
class OtherSubjects:
    """Mesotherapy's family, other treatments and the heads of "<word> <head>" treatment names."""

    mesotherapy: Pattern[str]
    other: Pattern[str]
    headed: Pattern[str]
    vocabulary: Pattern[str]
    names: Mapping[str, str]  # each listed phrase (plain) -> its treatment's name as data/other_subjects.yml writes it
    family: Tuple[str, ...] = ()  # mesotherapy by another name ("lipodissolve", "aqualyx"), as the file writes them

    @classmethod
    def load(cls, path: Path, vocabulary_path: Path) -> "OtherSubjects":
        """Read data/other_subjects.yml and the vocabulary file (see :meth:`with_vocabulary`)."""
        return cls.with_vocabulary(path, Vocabulary.load(vocabulary_path))

    @classmethod
    def with_vocabulary(cls, path: Path, domain_vocabulary: Vocabulary) -> "OtherSubjects":
        """Read data/other_subjects.yml; the phrases of the domain vocabulary are never read as the
        start of a "<word> <head>" treatment name ("orange peel skin" is cellulite)."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        vocabulary = [phrase for _, _, phrase in domain_vocabulary.phrases()]
        others: List[str] = []
        names: Dict[str, str] = {}
        for canonical, synonyms in (data.get("other_treatments") or {}).items():
            others += [canonical, *(synonyms or [])]
            names.update({_plain(phrase).strip(): str(canonical) for phrase in [canonical, *(synonyms or [])]})
        stop = sorted({_plain(word).strip() for word in data.get("not_a_treatment_word") or []})
        family = [str(name) for name in data.get("family") or []]
        meso_phrases = [*(data.get("mesotherapy") or []), *family]
        meso_words = sorted({_plain(word).strip() for word in meso_phrases})
        heads = "|".join(re.escape(_plain(head).strip()) for head in data.get("heads") or [])
        word = rf"(?!(?:{'|'.join(map(re.escape, stop + meso_words))}) )[a-z0-9]+"
        return cls(
            mesotherapy=re.compile(r"(?<= )meso\w*|" + _phrases_pattern(meso_phrases).pattern),
            other=_phrases_pattern(others),
            headed=re.compile(rf"(?<= ){word} (?:{heads})s?(?= )"),
            vocabulary=_phrases_pattern(vocabulary),
            names=names,
            family=tuple(family),
        )

    def named_treatments(self, text: str) -> List[str]:
        """The listed other treatments ``text`` names, by their name in data/other_subjects.yml (never
        the visitor's own words), each once, in order."""
        plain = _plain(text)
        found = [self.names.get(m.group(0)) or self.names.get(m.group(0)[:-1], "") for m in self.other.finditer(plain)]
        return list(dict.fromkeys(name for name in found if name))

    def names_mesotherapy(self, text: str) -> bool:
        """Whether ``text`` names mesotherapy or one of its family ("meso", "lipodissolve")."""
        return bool(self.mesotherapy.search(_plain(text)))

    def other_treatments(self, text: str) -> List[str]:
        """The other treatments ``text`` names, as written (lowercase), in order."""
        plain = _plain(text)
        found = [m.group(0) for m in self.other.finditer(plain)]
        rest = self.vocabulary.sub(" ", self.other.sub(" ", plain))
        found += [m.group(0) for m in self.headed.finditer(rest)]
        return found

    def intent_for(self, text: str) -> Optional[str]:
        """``out_of_scope`` or ``ask_comparison`` when ``text`` is about another treatment, else None
        (the classifier's intent stands)."""
        others = self.other_treatments(text)
        if not others or _HOME_DEVICE.search(_plain(text)):
            return None
        plain = _plain(text)
        rest = self.other.sub(" ", plain)  # "meso botox" is botox, not mesotherapy
        compares = bool(_COMPARES.search(plain))
        if self.mesotherapy.search(rest):
            return COMPARISON if compares or " or " in plain else None
        if len(set(others)) == 1 and compares:  # "is microneedling better?": better than mesotherapy
            return COMPARISON
        if _ABOUT_IT.search(rest) and _HISTORY_OR_COMBINING.search(rest):
            return None
        return OUT_OF_SCOPE

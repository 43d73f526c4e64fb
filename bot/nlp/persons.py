"""Whom a visitor's health question is about: themselves, or someone they name ("my mum has diabetes").

A reply about a relative's health must not say "safe for you"; a later "she really wants it though" still
speaks of that relative.
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

_HER = (
    r"mum|mom|mother|mam|mommy|mummy|grandma|granny|grandmother|nan|nana|wife|girlfriend|gf|fiancee|sister|"
    r"daughter|aunt|auntie|niece|stepmother|stepmom|mother in law|mil|cousin"
)
_HIM = r"dad|father|grandpa|grandad|grandfather|husband|boyfriend|bf|fiance|brother|son|uncle|nephew|stepfather"
_THEM = r"partner|friend|bestie|child|kid|teen|teenager|relative|patient|client|colleague|neighbou?r"
_NAMES_SOMEONE = re.compile(
    # "my mum", "a friend", a message that opens with the relative ("sister has lupus"), "someone with eczema"
    rf"(?:\b(?:my|our|a|her|his)\s+(?:\w+\s+)?|^\W*)(?:(?P<her>{_HER})|(?P<him>{_HIM})|(?P<them>{_THEM}))s?\b|"
    r"\b(?P<someone>someone|somebody|a person|people) (?:with|who|on|that)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"\b(?:(?P<her>she|her|she'?s)|(?P<him>he|him|he'?s)|(?P<them>they|them|they'?re))\b", re.I)
# The visitor speaking of their own health ("i have diabetes, my husband says it's fine"): the question is theirs.
_OWN_HEALTH = re.compile(
    r"\b(?:i|i'?m|im|i am|i've|ive)\s+(?:also\s+|currently\s+|still\s+)?"
    r"(?:have(?! (?:a|one|some|another) (?:quick )?questions?)|got|take|taking|on|pregnant|breastfeeding|nursing|diabetic|allergic|suffer\w*|\d+\b)",
    re.IGNORECASE,
)


# The visitor speaking of themselves at all ("what could go wrong" does not; "what could go wrong for me" does).
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|mine|myself|i'?m|im|i've|ive|i'd)\b", re.IGNORECASE)


def _who(match: "re.Match[str]") -> str:
    return next((name for name in ("her", "him") if match.groupdict().get(name)), "them")


def whom_it_is_about(text: str, previous_texts: Sequence[str] = ()) -> str:
    """ "you" when ``text`` asks about the visitor's own health; "her", "him" or "them" when it names someone
    else ("can my mum have it?"), points with a pronoun at someone a previous message named, or speaks of no one
    right after a message about someone else ("what could go wrong" after "my dad is on blood thinners")."""
    if _OWN_HEALTH.search(text or ""):
        return "you"
    named = _NAMES_SOMEONE.search(text or "")
    if named:
        return _who(named)
    pointed = refers_to_someone_named_before(text, previous_texts)
    if pointed or _FIRST_PERSON.search(text or ""):
        return pointed or "you"
    for previous in reversed(previous_texts):
        named_before = _NAMES_SOMEONE.search(previous)
        if named_before and not _OWN_HEALTH.search(previous):
            return _who(named_before)
        if _FIRST_PERSON.search(previous):
            break
    return "you"


def refers_to_someone_named_before(text: str, previous_texts: Sequence[str]) -> Optional[str]:
    """ "her", "him" or "them" when ``text`` points with a pronoun ("she really wants it though") at someone
    one of ``previous_texts`` named ("my sister has lupus"); else None."""
    pronoun = _PRONOUN.search(text or "")
    if pronoun is None:
        return None
    if not any(_NAMES_SOMEONE.search(previous) for previous in previous_texts):
        return None
    return _who(pronoun)

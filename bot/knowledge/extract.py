"""Find typed facts and topics in the guide's sentences.

The rules look at words, lemmas and our entity ruler's labels, never at one guide's exact
sentences, so an edited or second guide is read the same way.

Fact kinds:
- ``definition``: "X is a ..." (subject: X).
- ``treats``: a condition the text says mesotherapy treats (value: canonical condition).
- ``ingredient``: what is injected (value: canonical ingredient).
- ``side_effect``: subject ``common`` or ``rare``; value: canonical side effect.
- ``after_effect``: subject: a side effect; value: how long it lasts, as written.
- ``session_duration``, ``results_onset``, ``results_duration``: value: the time as written.
- ``practitioner``: who should perform it (value: canonical role).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Set

from spacy.tokens import Span

from bot.topics import Topic, mentions

_UNIT = r"(?:minutes?|hours?|days?|weeks?|months?|years?)"
_AMOUNT = r"(?:\d+|a few|several|a couple of|an?|one|two|three|four|few)"
TIME_EXPRESSION = re.compile(
    rf"\b(?:(?:within|up to|over the course of|about|around|at least)\s+)?"
    rf"{_AMOUNT}\s+{_UNIT}(?:\s+(?:to|or even|or|-)\s+(?:{_AMOUNT}\s+)?{_UNIT})?",
    re.IGNORECASE,
)
_SHORT_UNITS = re.compile(r"\b(?:minutes?|hours?)\b", re.IGNORECASE)
_LONG_UNITS = re.compile(r"\b(?:months?|years?)\b", re.IGNORECASE)
_DEFINITION = re.compile(r"^(?P<term>[A-Za-z][\w\- ]{1,40}?) (?:is|are) (?:a|an) ", re.IGNORECASE)

_TREAT_LEMMAS = {"treat", "treatment"}
_INJECT_LEMMAS = {"cocktail", "inject", "contain", "mix"}
_RARE_WORDS = {"rare", "rarely", "serious", "uncommon"}
# "can also be used as a preventative measure to slow the aging process": a use is a condition it treats.
_USED_FOR = re.compile(r"\b(?:can|may|is|are) (?:also )?(?:be )?used (?:as|to|for)\b", re.IGNORECASE)


@dataclass(frozen=True)
class FactDraft:
    kind: str
    subject: str
    value: str


@dataclass(frozen=True)
class SentenceContext:
    """Where a sentence stands: its block kind and the paragraph that introduces its list."""

    block_kind: str
    lead_in: str = ""


def _lemmas(span: Span) -> Set[str]:
    """Lemmas and lower-case words; the lookup table is case-sensitive, so "Treatments"
    at the start of a sentence is also reduced here by its lower-case form."""
    words = {token.lower_ for token in span} | {token.lemma_.lower() for token in span}
    return words | {word[:-1] for word in words if word.endswith("s") and len(word) > 3}


def _entities(span: Span, label: str) -> List[Span]:
    return [ent for ent in span.ents if ent.label_ == label]


def time_expressions(text: str) -> List[str]:
    """Return the time expressions in ``text`` as written ("30 minutes to an hour")."""
    return [match.group(0) for match in TIME_EXPRESSION.finditer(text)]


def definition_subject(text: str) -> Optional[str]:
    """Return X when ``text`` reads "X is a ...", else None."""
    match = _DEFINITION.match(text.strip())
    return match.group("term").lower() if match else None


def extract_facts(span: Span, context: SentenceContext) -> List[FactDraft]:
    """Return the facts stated in one sentence (or bullet item)."""
    text = span.text
    if text.rstrip().endswith("?"):
        return []  # a question states nothing
    lower = text.lower()
    lemmas = _lemmas(span)
    times = time_expressions(text)
    facts: List[FactDraft] = []

    subject = definition_subject(text)
    if subject:
        facts.append(FactDraft("definition", subject, text))

    about_treating = (
        bool(lemmas & _TREAT_LEMMAS)
        or _USED_FOR.search(text) is not None
        or (context.block_kind == "bullet_list" and "treat" in context.lead_in.lower())
    )
    if about_treating:
        for ent in _entities(span, "condition"):
            shown = text if context.block_kind == "bullet_list" else ent.text
            facts.append(FactDraft("treats", shown, ent.ent_id_))

    if lemmas & _INJECT_LEMMAS:
        for ent in _entities(span, "ingredient"):
            facts.append(FactDraft("ingredient", ent.text, ent.ent_id_))

    side_effects = _entities(span, "side_effect")
    if "side effect" in lower:
        severity = "rare" if lemmas & _RARE_WORDS else "common"
        for ent in side_effects:
            facts.append(FactDraft("side_effect", severity, ent.ent_id_))
    if side_effects and times:
        for ent in side_effects:
            facts.append(FactDraft("after_effect", ent.ent_id_, times[-1]))

    mentions_results = "result" in lemmas
    for time in times:
        if _SHORT_UNITS.search(time) and ("treatment" in lemmas or "session" in lemmas) and not side_effects:
            facts.append(FactDraft("session_duration", "session", time))
        elif mentions_results and not _LONG_UNITS.search(time):
            facts.append(FactDraft("results_onset", "results", time))
        elif _LONG_UNITS.search(time) and "last" in lemmas:
            facts.append(FactDraft("results_duration", "results", time))
    if mentions_results and ("permanent" in lower):
        facts.append(
            FactDraft("results_duration", "results", "not permanent" if " not " in f" {lower} " else "permanent")
        )
    if mentions_results and "immediately" in lower:
        facts.append(FactDraft("results_onset", "results", "immediately"))

    for ent in _entities(span, "practitioner"):
        facts.append(FactDraft("practitioner", ent.text, ent.ent_id_))
    return facts


_POINTS_BACK_IN_TIME = re.compile(
    r"(?:during|at|after|before|by|since|until|in) (?:this|that|these|those) (?:time|point|stage|period|step)\b|"
    r"(?:then|afterwards|after that|at that point)\b",
    re.IGNORECASE,
)


def sentence_topics(span: Span, facts: List[FactDraft], heading: str, topics: Sequence[Topic]) -> Set[str]:
    """The keys of the topics (``data/topics.yml``) that a sentence under ``heading`` answers. A sentence that
    points back to a time of its paragraph ("During this time, the medical professional will ... injecting a
    cocktail") answers by its words only the topics its heading names ("What Can You Expect During a
    Mesotherapy Treatment?": the treatment): quoted elsewhere, "this time" would refer to nothing."""
    if span.text.rstrip().endswith("?"):
        return set()
    lemmas = _lemmas(span)
    kinds = {fact.kind for fact in facts}
    points_back = bool(_POINTS_BACK_IN_TIME.match(span.text.strip()))

    def named_by_words(topic: Topic) -> bool:
        if points_back and not mentions(heading, topic.words):
            return False
        single = {w for w in topic.words if " " not in w}
        return bool(lemmas & single) or mentions(span.text, tuple(w for w in topic.words if " " in w))

    return {
        topic.key
        for topic in topics
        if topic.covers_heading(heading) or kinds & set(topic.facts) or named_by_words(topic)
    }

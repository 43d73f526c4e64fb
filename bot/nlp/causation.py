"""Whether a question asks if mesotherapy causes or worsens something ("can meso make my hair fall out?",
"will it give me acne?", "can mesotherapy trigger pigmentation?", "does it leave you swollen?"), and what
a question supposes one gets ("what if I get an infection?").

Such a question names a condition, often one the guide says mesotherapy treats, but asks about a side
effect: it must never get "Yes. The guide lists hair loss among the conditions mesotherapy can treat". Used by
subject rule 7 (:mod:`bot.nlp.subject_rules`) and by the side-effect answer (:mod:`bot.answering.answers`).
"""

from __future__ import annotations

import re

# Mesotherapy as the subject: "it", "meso", "the injections", "this treatment"...
_SUBJECT = (
    r"\b(?:it|this|that|they|these|meso\w*|(?:the|this|these|my|a) "
    r"(?:treatments?|injections?|procedures?|shots?|cocktails?|jabs?|sessions?)|injections?)\b"
)
# What makes the question about harm. "make" counts only with a harmful outcome ("make my hair fall
# out", "make wrinkles worse"), not "make my cellulite go away"; "give" only given to someone.
_CAUSES = (
    r"(?:caus\w*|trigger\w*|leads? to|led to|results? in|brings? on|worsen\w*|aggravat\w*|exacerbat\w*|"
    r"gives? (?:me|you|people|patients|someone|anyone|us|them)\b|leaves? (?:(?:me|you|people|patients|any|a|behind)\b)?|"
    r"makes?\b[^?.!]*?\b(?:worse|fall(?:s|ing)? out|thinner|fall))"
)
_ASKS_WHETHER_IT_CAUSES = re.compile(rf"{_SUBJECT}\s+(?:[\w’']+\s+){{0,2}}?(?={_CAUSES})", re.IGNORECASE)
# "what if I get an infection?", "what happens if my skin develops lumps?": something supposed to happen.
_WHAT_IF_ONE_GETS = re.compile(
    r"\bwhat (?:happens |do i do |should i do )?if (?:i|you|my skin|it|the area) (?:\w+ )?"
    r"(?=(?:get|gets|develop|develops|experience|experiences|end up with|ends up with)\b)",
    re.IGNORECASE,
)
# Outcomes a visitor hopes for, said with the same verbs: "does it cause fat loss?", "lead to hair growth".
_WANTED_OUTCOME = re.compile(
    r"\b(?:(?:fat|weight|inch(?:es)?|cellulite)\s+(?:loss|reduction|burning)|(?:re)?growth|collagen|"
    r"go(?:es)? away|disappear\w*|fad(?:e|es|ing)|shrink\w*|improve\w*|reduc\w*|results?)\b",
    re.IGNORECASE,
)


def what_it_may_cause(text: str) -> str:
    """The part of ``text`` from the verb on when it asks whether mesotherapy causes, triggers or worsens
    something unwanted ("can meso make my hair fall out?" -> "make my hair fall out?"); "" otherwise."""
    found = _ASKS_WHETHER_IT_CAUSES.search(text)
    if found is None or _WANTED_OUTCOME.search(text[found.start() :]):
        return ""
    return text[found.end() :]


def asks_whether_it_causes(text: str) -> bool:
    """True when ``text`` asks whether mesotherapy causes, triggers or worsens something unwanted."""
    return bool(what_it_may_cause(text))


def what_one_may_get(text: str) -> str:
    """The part of ``text`` from the verb on when it asks what if one gets something ("what if I get an
    infection?" -> "get an infection?"); "" otherwise. Rule 7 reads a side effect there, not a condition:
    "what if I get pregnant?" is about the visitor, "what if I still have cellulite" about results."""
    found = _WHAT_IF_ONE_GETS.search(text)
    return text[found.end() :] if found else ""

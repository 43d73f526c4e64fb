"""What a visitor asks to do after a treatment ("can I fly after mesotherapy?" -> "fly", "how long
before I can go in the sun" -> "go in the sun"), and the words a guide sentence must hold to answer it.

The aftercare answer (:mod:`bot.answering.answers`) quotes the guide's sentences that name the activity,
or says the guide does not say whether one can do it: the shipped guide has no do's and don'ts, a
clinic's edited guide may.
"""

from __future__ import annotations

import re
from typing import List, Optional

from bot.answering.parts import opens_with_a_question_word

_ACTIVITY = r"(?P<activity>[a-z][a-z' -]{1,40}?)"
_AFTER = r"(?:after(?:wards?)?|post[- ]?treatment|following|the (?:next|following) (?:day|morning)|tomorrow)\b"
_WHEN = r"(?:(?:right|straight|soon|the (?:same )?day|the night|\d+ (?:hours?|days?))\s+)?"
_ASKS_ACTIVITY = (
    # "can I fly after mesotherapy?", "is it ok to exercise the day after", "should I avoid the sun afterwards"
    re.compile(
        rf"\b(?:can|could|may|should|shall)\s+(?:i|you|we|one)\s+(?:still\s+)?{_ACTIVITY}\s+{_WHEN}{_AFTER}",
        re.IGNORECASE,
    ),
    re.compile(rf"\bis it (?:ok(?:ay)?|safe|fine|alright|all right) to\s+{_ACTIVITY}\s+{_WHEN}{_AFTER}", re.IGNORECASE),
    # "how long before I can go in the sun", "when can I wash my hair"
    re.compile(
        rf"\b(?:how (?:long|soon)(?: do i have to wait)? (?:before|until|till|after which) (?:i|you) can|"
        rf"how soon (?:can|could) (?:i|you)|when (?:can|could) (?:i|you)|"
        rf"how long (?:should|do|must|will) (?:i|you) (?:have to )?wait (?:to|before|until|till)(?: (?:i|you) can)?)"
        rf"\s+(?:start\s+|go back to\s+)?{_ACTIVITY}"
        rf"\s*(?:again\s*)?[?.!]*\s*$",
        re.IGNORECASE,
    ),
)
_CLAUSE_START = re.compile(r"\s+(?:if|when|because|since|as|unless|though|although|while)\b")
# Words that say nothing of the activity itself.
_NOT_THE_ACTIVITY = frozenset(
    "i you we one my your the a an some any to in on at into out of for with and or it them this that "
    "go going get getting do doing have having take taking be being use using start again back still "
    "put wear avoid stop see notice expect not no never done".split()
)
# Words of a question about booking or the next treatment ("when should I book my treatments?"), which is
# no activity after one.
_NEXT_TREATMENT = frozenset(
    "book booking schedule opt treatment treatments session sessions appointment appointments procedure".split()
)


def asked_activity(text: str) -> Optional[str]:
    """The activity ``text`` asks to do after a treatment, in the visitor's words (lowercase), or None."""
    for pattern in _ASKS_ACTIVITY:
        found = pattern.search(text)
        if found:
            # "how soon can i redo it if i didnt see results after the first one": the activity ends at the clause
            activity = _CLAUSE_START.split(" ".join(found.group("activity").lower().split()))[0].strip()
            activity = " ".join(_WHEN_WORDS.sub(" ", activity).split())  # "go back to work after" -> "work"
            words = activity_words(activity)
            treatment = _NEXT_TREATMENT.intersection(words) or any(word.startswith("meso") for word in words)
            return activity if words and not treatment else None
    return None


def addressed_to_the_visitor(activity: str) -> str:
    """``activity`` as the assistant says it back ("wash my hair" -> "wash your hair")."""
    return re.sub(r"\b(?:my|our)\b", "your", re.sub(r"\b(?:me|us)\b", "you", activity))


def activity_words(activity: str) -> List[str]:
    """The words of ``activity`` that a guide sentence must name to be about it ("wear makeup" -> makeup)."""
    return [word for word in re.findall(r"[a-z]+", activity.lower()) if word not in _NOT_THE_ACTIVITY]


def mentions_activity(sentence: str, activity: str) -> bool:
    """Whether ``sentence`` names every word of ``activity`` (a word's start: "exercise" finds "exercising")."""
    lowered = sentence.lower().replace("make-up", "makeup")
    return all(re.search(rf"\b{re.escape(word[:5])}", lowered) for word in activity_words(activity))


# A follow-up naming only an activity, right after the aftercare answer: "what about showering", "sauna tmrw?",
# "and hot yoga?", "and im flying on monday".
_FOLLOW_UP_OPENING = re.compile(r"^(?:(?:and|so|ok|okay|but|also|then)\s+)*(?:(?:what|how) about\s+)?")
_WHEN_WORDS = re.compile(
    r"\b(?:now|then|soon|tmrw|tmr|tomorrow|tonight|today|later|right after|after(?:wards?)?|the next day|the day after|"
    r"this (?:week(?:end)?|evening|morning|afternoon)|next week|in \d+ days?|"
    r"(?:on |this |next )?(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b"
)
_VISITOR_DOING = re.compile(r"^(?:i'?m|i am|i will be|i'?ll be|i'?m gonna|i'?m going to|gonna|going to|planning to)\s+")
_MOST_WORDS = 4
# Verbs an activity in the visitor's words may open with ("wear makeup"): said back as "whether to wear makeup",
# any other activity as "anything about sauna".
_OPENING_VERBS = frozenset(
    "wear put use go drink eat do take get have swim shave wash apply fly exercise work run train sleep lie smoke "
    "drive travel shower bathe sunbathe tan wax massage touch rub dye colour color cut".split()
)


def said_as_a_verb(activity: str) -> bool:
    """Whether ``activity`` opens with a verb ("wear makeup", "go swimming"), so "whether to <activity>" reads."""
    words = activity.split()
    return bool(words) and words[0] in _OPENING_VERBS


def follow_up_activity(text: str) -> Optional[str]:
    """The activity a short follow-up names, in the visitor's words ("what about showering" -> "showering",
    "sauna tmrw?" -> "sauna", "and im flying on monday" -> "flying"), or None when it says more than that."""
    first_clause = re.split(r"[,?!.;]", text.lower(), maxsplit=1)[0]  # "and im flying on monday, is that ok?"
    without_when = _WHEN_WORDS.sub(" ", first_clause)  # "sauna in 2 days?" -> "sauna"
    if re.search(r"\d", without_when):
        return None  # "Day 6: almost nothing left, is it all fine?" counts days, names no activity
    rest = _FOLLOW_UP_OPENING.sub("", " ".join(re.sub(r"[^a-z' ]", " ", without_when).split()), count=1)
    rest = " ".join(_WHEN_WORDS.sub(" ", rest).split())
    rest = _VISITOR_DOING.sub("", rest)
    if not rest or opens_with_a_question_word(rest) or len(rest.split()) > _MOST_WORDS or not activity_words(rest):
        return None
    return rest

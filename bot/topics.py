"""The intent table (``data/topics.yml``): which intent asks what, and what answers it.

Topics say which guide sections, words and fact kinds answer them; the knowledge base tags
sentences with them, the assistant answers from them, and their buttons and safety flags come
from the same entries. Nothing here knows a particular topic: they are all data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

import yaml

from bot.settings import load_settings


class TopicsError(Exception):
    """The intent table cannot be read or is inconsistent."""


def normalise_heading(heading: str) -> str:
    """A heading compared without case, spacing or end punctuation differences."""
    return re.sub(r"\s+", " ", heading).strip().rstrip("?:.!").strip().lower()


def mentions(text: str, words: Tuple[str, ...]) -> bool:
    """True when ``text`` contains one of ``words`` or phrases, whole or with an ending ("side effects")."""
    plain = " ".join(re.findall(r"[a-z0-9]+", text.lower()))
    return any(
        re.search(rf"\b{re.escape(' '.join(re.findall(r'[a-z0-9]+', word.lower())))}\w*\b", plain) for word in words
    )


@dataclass(frozen=True)
class Aspect:
    """A part of a topic that visitors ask about and the guide may not cover ("how do I prepare?" of the
    treatment): the guide's sentences that name it answer it, or the reply says the guide does not say."""

    asked: Tuple[str, ...]  # words or phrases of a question about it ("prepare", "before my appointment")
    answered_by: Tuple[str, ...]  # words or phrases a guide sentence names when it speaks to it
    silent: str  # what the reply says the guide does not say ("how to prepare for a treatment")

    def is_asked_in(self, text: str) -> bool:
        """True when ``text`` asks about this aspect."""
        return mentions(text, self.asked)

    def is_answered_by(self, sentence: str) -> bool:
        """True when the guide's ``sentence`` speaks to this aspect."""
        return mentions(sentence, self.answered_by)


@dataclass(frozen=True)
class Topic:
    """A question that a part of the guide answers."""

    key: str
    intent: str
    button: str
    silent: str
    safety: bool = False
    sections: Tuple[str, ...] = ()
    words: Tuple[str, ...] = ()
    facts: Tuple[str, ...] = ()
    narrow: Optional[str] = None
    reassures: bool = False  # describes the normal after-effects: answers symptom reports that are no red flag
    aspects: Tuple[Aspect, ...] = ()

    def aspect_asked_in(self, text: str) -> Optional[Aspect]:
        """The first of this topic's aspects that ``text`` asks about, if any."""
        return next((aspect for aspect in self.aspects if aspect.is_asked_in(text)), None)

    def covers_heading(self, heading: str) -> bool:
        """True when every sentence under ``heading`` answers this topic."""
        return normalise_heading(heading) in {normalise_heading(s) for s in self.sections}


@dataclass(frozen=True)
class UncoveredSubject:
    """A subject visitors ask about that the guide may not cover (then the assistant says so)."""

    intent: str
    subject: str
    words: Tuple[str, ...]
    safety: bool = False
    # The clinic's own details (CLINIC_* settings: hours, address, phone) may answer it.
    clinic_details: bool = False
    # The clinic, not a professional's assessment, answers it (prices): how to reach the clinic, or the offer to
    # have it get in touch.
    ask_the_clinic: bool = False

    def answered_by(self, heading: str) -> bool:
        """True when a guide section with this heading answers the subject after all."""
        return mentions(heading, self.words)


@dataclass(frozen=True)
class IntentTable:
    """Every intent the assistant handles, by how it is handled."""

    topics: Tuple[Topic, ...]
    not_in_guide: Tuple[UncoveredSubject, ...]
    conversation: Tuple[str, ...]
    red_flag: str
    handoff: Tuple[str, ...]

    def topic_for(self, intent: str) -> Optional[Topic]:
        """The topic ``intent`` asks about, if it is a guide topic."""
        return next((topic for topic in self.topics if topic.intent == intent), None)

    def topic_by_key(self, key: Optional[str]) -> Optional[Topic]:
        """The topic stored under ``key`` (e.g. in the conversation's ``topic`` slot)."""
        return next((topic for topic in self.topics if topic.key == key), None)

    @property
    def reassurance(self) -> Optional[Topic]:
        """The topic that answers a symptom report which is not a red flag (normal after-effects)."""
        return next((topic for topic in self.topics if topic.reassures), None)

    @property
    def contraindications(self) -> Optional[str]:
        """The intent that asks who should not have mesotherapy (the subject whose words name pregnancy): where a
        question about the visitor's own health goes."""
        return next((entry.intent for entry in self.not_in_guide if mentions("pregnancy", entry.words)), None)

    def uncovered(self, intent: str) -> Optional[UncoveredSubject]:
        """The subject ``intent`` asks about when the guide may not cover it."""
        return next((entry for entry in self.not_in_guide if entry.intent == intent), None)

    @cached_property
    def general_safety_intents(self) -> FrozenSet[str]:
        """The guide's safety topics that do not reassure about after-effects (is it safe, who should perform it):
        answers that open with "This procedure is considered safe..."."""
        return frozenset(topic.intent for topic in self.topics if topic.safety and not topic.reassures)

    @property
    def safety_intents(self) -> FrozenSet[str]:
        """Intents whose every answer ends with the professional recommendation."""
        flagged = [t.intent for t in self.topics if t.safety] + [u.intent for u in self.not_in_guide if u.safety]
        return frozenset([*flagged, self.red_flag])

    @cached_property
    def question_intents(self) -> FrozenSet[str]:
        """Intents of questions the assistant answers: the guide's topics and what the guide may not cover."""
        return frozenset([t.intent for t in self.topics] + [u.intent for u in self.not_in_guide])

    @property
    def buttons(self) -> List[Tuple[str, str]]:
        """A quick-reply button for every topic, in the file's order."""
        return [(topic.button, f"/{topic.intent}") for topic in self.topics]

    def handling(self) -> Dict[str, List[str]]:
        """Intent -> the places that handle it (one each, when the table is consistent)."""
        places: Dict[str, List[str]] = {}
        for where, intents in (
            ("topics", [t.intent for t in self.topics]),
            ("not_in_guide", [u.intent for u in self.not_in_guide]),
            ("conversation", list(self.conversation)),
            ("red_flag", [self.red_flag]),
            ("handoff", list(self.handoff)),
        ):
            for intent in intents:
                places.setdefault(intent, []).append(where)
        return places


def _strings(entry: Dict[str, Any], name: str, where: str) -> Tuple[str, ...]:
    value = entry.get(name) or []
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise TopicsError(f"{where}: `{name}` must be a list of words or headings")
    return tuple(item.strip() for item in value)


def _text(entry: Dict[str, Any], name: str, where: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise TopicsError(f"{where}: `{name}` is missing")
    return " ".join(value.split())


def _aspects(entry: Dict[str, Any], where: str) -> Tuple[Aspect, ...]:
    value = entry.get("aspects") or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise TopicsError(f"{where}: `aspects` must be a list of mappings with `asked`, `answered_by`, `silent`")
    aspects = []
    for number, item in enumerate(value, start=1):
        place = f"{where}, aspect {number}"
        aspect = Aspect(
            _strings(item, "asked", place), _strings(item, "answered_by", place), _text(item, "silent", place)
        )
        if not (aspect.asked and aspect.answered_by):
            raise TopicsError(f"{place}: give the words of `asked` and `answered_by`")
        aspects.append(aspect)
    return tuple(aspects)


def parse_intent_table(data: Any, source: str = "topics.yml") -> IntentTable:
    """Check and convert the YAML content of an intent table."""
    if not isinstance(data, dict):
        raise TopicsError(f"{source}: expected a mapping with `topics`, `not_in_guide`, ...")
    topics = []
    for number, entry in enumerate(data.get("topics") or [], start=1):
        where = f"{source}: topic {number}"
        if not isinstance(entry, dict):
            raise TopicsError(f"{where}: expected a mapping")
        topic = Topic(
            key=_text(entry, "key", where),
            intent=_text(entry, "intent", where),
            button=_text(entry, "button", where),
            silent=_text(entry, "silent", where),
            safety=bool(entry.get("safety", False)),
            sections=_strings(entry, "sections", where),
            words=_strings(entry, "words", where),
            facts=_strings(entry, "facts", where),
            narrow=entry.get("narrow"),
            reassures=bool(entry.get("reassures", False)),
            aspects=_aspects(entry, where),
        )
        if not (topic.sections or topic.words or topic.facts):
            raise TopicsError(f"{where} ({topic.key}): give `sections`, `words` or `facts` that answer it")
        topics.append(topic)
    uncovered = []
    for number, entry in enumerate(data.get("not_in_guide") or [], start=1):
        where = f"{source}: not_in_guide {number}"
        if not isinstance(entry, dict):
            raise TopicsError(f"{where}: expected a mapping")
        uncovered.append(
            UncoveredSubject(
                intent=_text(entry, "intent", where),
                subject=_text(entry, "subject", where),
                words=_strings(entry, "words", where),
                safety=bool(entry.get("safety")),
                clinic_details=bool(entry.get("clinic_details")),
                ask_the_clinic=bool(entry.get("ask_the_clinic")),
            )
        )
    table = IntentTable(
        topics=tuple(topics),
        not_in_guide=tuple(uncovered),
        conversation=_strings(data, "conversation", source),
        red_flag=_text(data, "red_flag", source),
        handoff=_strings(data, "handoff", source),
    )
    keys = [topic.key for topic in table.topics]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    twice += sorted(intent for intent, places in table.handling().items() if len(places) > 1)
    if twice:
        raise TopicsError(f"{source}: written twice: {', '.join(twice)}")
    if not table.topics:
        raise TopicsError(f"{source}: no topics")
    return table


def read_intent_table(path: Path) -> IntentTable:
    """Read and check the intent table at ``path``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise TopicsError(f"cannot read {path}: {error}") from error
    return parse_intent_table(data, str(path))


@lru_cache(maxsize=4)
def intent_table(path: Optional[Path] = None) -> IntentTable:
    """The intent table of the settings (``MESO_TOPICS``), read once per process."""
    if path is None:
        path = load_settings().topics_path
    return read_intent_table(path)

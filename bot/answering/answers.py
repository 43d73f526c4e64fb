"""Turn what a visitor asked (intent, entities, context) into the assistant's reply.

Guide topics are answered with the guide's own sentences from the knowledge base; questions
the guide does not answer are said to be outside it. Every reply passes through
:func:`bot.answering.safety.apply_safety_policy` before it leaves this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

from sqlalchemy.orm import Session, sessionmaker

from bot.answering import replies, safety
from bot.answering.parts import reads_as_question
from bot.answering.replies import Reply
from bot.clinic.details import details_for
from bot.clinic.profile import Clinic
from bot.knowledge import query
from bot.nlp.activities import (
    addressed_to_the_visitor,
    asked_activity,
    follow_up_activity,
    mentions_activity,
    said_as_a_verb,
)
from bot.nlp.causation import asks_whether_it_causes, what_it_may_cause
from bot.nlp.language import looks_like_another_language
from bot.nlp.other_subjects import DEFAULT_PATH as OTHER_SUBJECTS_PATH
from bot.nlp.other_subjects import OtherSubjects
from bot.nlp.persons import refers_to_someone_named_before, whom_it_is_about
from bot.nlp.vocabulary import GENERAL_INGREDIENT_WORDS, Vocabulary
from bot.topics import Aspect, IntentTable, Topic, UncoveredSubject, intent_table

_YES = "Yes. "  # before the guide's words on a condition it lists, to "does it help with X?"
# The entity that each `narrow` answer of data/topics.yml narrows by.
NARROW_ENTITY = {
    "definition_for_condition": "condition",
    "conditions_treated": "condition",
    "duration_for_condition": "condition",
    "side_effects": "side_effect",
    "after_treatment": "side_effect",
    "ingredients": "ingredient",
    "practitioner": "practitioner",
}
# The entities an off-topic "what is X?" can be asking about, likeliest first; a body area ("lips" -> face)
# is where, not what, and is never named as the thing the guide does not explain.
EXPLAINABLE_ENTITIES = ("condition", "ingredient", "side_effect")  # not "licensed professional itself"
DID_YOU_MEAN_OPTIONS = 3  # topics offered when the NLU is unsure, as Rasa's two-stage fallback does


@dataclass(frozen=True)
class Turn:
    """One visitor message as the NLU understood it, with the conversation's context."""

    intent: str
    text: str
    entities: Dict[str, List[str]] = field(default_factory=dict)
    previous_topic: Optional[str] = None
    previous_condition: Optional[str] = None
    previous_intent: Optional[str] = None  # of the visitor's message before this one
    previous_texts: Tuple[str, ...] = ()  # the visitor's last few messages before this one, oldest first
    previous_side_effect: Optional[str] = None  # named by the visitor's message before this one
    ranking: List[str] = field(default_factory=list)  # the NLU's likeliest intents, best first
    confidence: Optional[float] = None  # the NLU's confidence in ``intent``
    urgent_care_advised: bool = False  # an earlier reply of this conversation had the urgent-care message
    activity: Optional[str] = None  # what a follow-up to the aftercare answer names ("sauna tmrw?" -> "sauna")
    handoff_offered: bool = False  # the assistant's last reply offered to have someone at the clinic contact them


def _prose(rows: List[query.SentenceRow]) -> str:
    """Join sentences as prose; bullet items become "- item" lines."""
    parts, previous_was_item = [], False
    for row in rows:
        if row.is_list_item:
            parts.append("\n- " + row.text)
        else:
            parts.append(("\n" if previous_was_item else " ") + row.text)
        previous_was_item = row.is_list_item
    return "".join(parts).strip()


# A yes/no question whose subject is mesotherapy, "it" or the visitor ("can it fix thinning hair?", "does meso
# help cellulite?", "can I use it for acne?"), or that names mesotherapy; not "can stress cause hair loss?".
_YES_OR_NO_ABOUT_IT = re.compile(
    r"^\W*(?:(?:so|and|but|ok|okay|well)\W+)?(?:can|could|does|do|did|is|are|will|would|should|has|have|may|might)\s+"
    r"(?:(?:it|this|that|they|these|you|i|we|meso\w*)\b|the (?:treatment|injections?|procedure|shots?)\b|"
    r"(?=.*\bmeso))",
    re.IGNORECASE,
)


def _asks_yes_or_no(text: str) -> bool:
    """Whether ``text`` asks yes or no about mesotherapy: "Can it fix thinning hair?" does; "what are the
    benefits of fat dissolving?" and "Can hair wax make your hair fall out?" do not."""
    return bool(_YES_OR_NO_ABOUT_IT.search(text))


def _singular(word: str) -> str:
    """ "amino acids" -> "amino acid": enough to find a vocabulary word in the guide's plural or singular."""
    word = word.lower()
    return word[:-1] if word.endswith("s") else word


def _sentence_list(rows: List[query.SentenceRow], cite: bool = False) -> str:
    """The sentences as prose; with ``cite`` (several guides), each guide's part says where it is from."""
    if not cite:
        return _prose(rows)
    by_guide: Dict[str, List[query.SentenceRow]] = {}
    for row in rows:
        by_guide.setdefault(row.document, []).append(row)
    return "\n\n".join(f'From "{title}": {_prose(part)}' for title, part in by_guide.items())


def _several_guides(session: Session) -> bool:
    """Whether the knowledge base holds more than one guide (then answers say which guide says what)."""
    return len(query.document_titles(session)) > 1


# An answer to a question the NLU read with less confidence than this ends with the professional line
# (the fallback threshold of config.yml is lower: such a question is answered, not sent to "did you mean").
DOUBTFUL_CONFIDENCE = 0.45
_A_TIME = re.compile(r"\b(?:hours?|days?|weeks?)\b", re.IGNORECASE)
# With the urgent-care message a visitor mostly talks about their symptoms ("could it just be a cold?", read at
# 0.76 as what it treats): only a reading at least this sure is answered after the alarm or the reminder.
SURE_AFTER_AN_ALARM = 0.9
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_HOW_LONG = re.compile(r"\bhow long\b|\bhow many (?:days|hours|weeks)\b|\buntil when\b", re.IGNORECASE)
# A follow-up that asks the previous question again about something else: "what about my double chin?",
# "and for stretch marks?", "for my thighs?", "any lidocaine?".
_FOLLOW_UP = re.compile(
    r"^\W*(?:(?:and|so|ok|okay|but)\W+)?(?:what|how) about\b|^\W*and (?:for|with|on)\b"
    r"|^\W*(?:for|on) (?:my|the|your)\b|^\W*(?:and )?any \w+(?: \w+)?\W*$|^\W*and\b(?:\W+\w+){1,4}\W*$",
    re.IGNORECASE,
)
_ASKS_WHAT_IT_IS = re.compile(r"^\W*what(?:'s|s| is| are)\b", re.IGNORECASE)
# A message that opens as a follow-up: "and ...", "what about ...".
_FOLLOW_UP_OPENING = re.compile(r"^\W*(?:(?:so|ok|okay|but|also)\W+)?(?:and\b|(?:what|how) about\b)", re.I)
# A push for the figure the guide does not give ("just give me a typical number", "what's the average in the UK",
# "my friend had 6, is that about right?") right after the answer that it does not give it.
_PUSHES_FOR_A_FIGURE = re.compile(
    r"\b(?:typical|typically|average|roughly|rough (?:idea|number|figure|guess)|ballpark|ball park|estimate|"
    r"approx\w*|about right|more or less|give me a number|tell me a number|just (?:give|tell) me|most people|"
    r"on average|usually)\b",
    re.IGNORECASE,
)
# A message that only acknowledges or greets ("ok thanks", "great", "bye"): no follow-up of any question.
_ONLY_ACKNOWLEDGES = re.compile(
    r"^\W*(?:(?:ok|okay|k|kk|yes|yeah|yep|ya|no|nope|nah|thanks?|thank you|thx|ty|great|cool|perfect|got it|i see|"
    r"sure|fine|alright|understood|bye|goodbye|hi|hello|hey|good|nice|awesome|will do|makes sense|lol)\W*){1,3}$",
    re.IGNORECASE,
)
# Taking up the offer to be contacted ("If you'd rather talk to a person, I can ask someone at the clinic to contact
# you.") in words rather than with its button.
_TAKES_UP_AN_OFFER = re.compile(
    r"^\W*(?:(?:ok|okay|k|yes|yeah|yep|yup|ya|yh|sure|please|pls|plz|go ahead|do that|do it|alright|fine|"
    r"that would be (?:great|good|nice|helpful)|sounds good|why not|that works|i would like that|i'd like that|"
    r"(?:yes |ok |okay )?contact me|(?:yes )?(?:ask|get) (?:them|someone)(?: to (?:call|contact) me)?)\W*){1,3}$",
    re.IGNORECASE,
)
_CONFIDENT = 0.6  # a reading at least this sure is another question, not a remark on what came before
# Readings of a message that keeps talking about what the previous one asked rather than asking anew.
_READINGS_OF_A_FOLLOW_UP = frozenset(
    {"nlu_fallback", "out_of_scope", "affirm", "deny", "greet", "thank", "goodbye", "ask_capabilities"}
)
# A follow-up that supposes something of the visitor's situation: "what if i stop them", "what if its just vitamins".
_SUPPOSES = re.compile(
    r"^\W*(?:(?:and|but|ok|okay|so)\W+)*(?:what if|what about if|even if|and if|but if|(?:it'?s|its|it is) (?:only|just))\b",
    re.I,
)  # "but it's only vitamins" after breastfeeding
# Stopping a medicine ("should I stop taking it a few days before?" after warfarin): a question about their health.
_STOPS_A_MEDICINE = re.compile(
    r"\b(?:stop|stopping|pause|pausing|come off|coming off|skip|skipping|quit)\b(?:\W+\w+){0,2}?\W+"
    r"(?:taking|it|them|my|meds|medication|medicine|pills?|tablets?)\b",
    re.IGNORECASE,
)
# A safety question about one person in particular with no condition named ("Is mesotherapy safe for me? I'm 30 and
# healthy", "is it safe for my wife?"): the guide cannot judge one case, which is said before what it says.
_FOR_ONE_PERSON = re.compile(
    r"\bsafe (?:for|in) (?:me|him|her|them|my \w+|someone like me|my case)\b|\bin my case\b|\bfor someone like me\b",
    re.IGNORECASE,
)
# Entities a follow-up may name besides the one the previous topic narrows by ("what about my belly?" after
# what it treats).
_ALSO_FOLLOWS_UP = {"conditions_treated": ("body_area",)}
# A body area that is no part of the body a visitor points to ("the middle layer of skin").
_NOT_AN_AREA = {"skin"}
# "How long does that last?" right after a side effect was named: a question about that side effect.
_POINTS_BACK = re.compile(r"\b(?:that|it|this|they|those|them|these)\b", re.IGNORECASE)


def _each_sentence_once(messages: List[str]) -> List[str]:
    """``messages`` without the sentences an earlier one already said ("is it safe and who should do it?":
    the practitioner answer repeats the safety answer's sentences); a message holding a list is kept whole
    unless it was said whole. Messages left empty are dropped."""
    said: Set[str] = set()
    kept = []
    for message in messages:
        if "\n" in message:
            fresh = "" if message in said else message
            said.add(message)
        else:
            sentences = _SENTENCE_END.split(message.strip())
            fresh = " ".join(sentence for sentence in sentences if sentence not in said)
            said.update(sentences)
        if fresh:
            kept.append(fresh)
    return kept


# A piece of a message texted in several: a few words, no question.
_MOST_WORDS_OF_A_PIECE = 4
# A message that opens by pointing back ("they are purple and a bit sore" after "got some bruises").
_POINTS_BACK_FIRST = re.compile(r"^\W*(?:and\W+)?(?:they|it|its|it's|them|these|those|this|that)\b", re.IGNORECASE)


def read_with_what_came_before(turn: Turn) -> str:
    """The text the red-flag check reads for ``turn``: the message with the short pieces before it
    (:func:`told_in_pieces`), or, when it opens by pointing back at the after-effect the visitor named just before
    ("got some bruises" / "they are purple and a bit sore"), with that after-effect's name before it."""
    pieces = told_in_pieces(turn)
    if pieces != turn.text or not turn.previous_side_effect:
        return pieces
    if not _POINTS_BACK_FIRST.search(turn.text) or not safety.has_red_flags(turn.text):
        return turn.text
    return f"{turn.previous_side_effect}: {turn.text}"


def told_in_pieces(turn: Turn) -> str:
    """The symptom report ``turn`` ends when the visitor texted it in pieces ("my face" / "after meso" / "is going" /
    "really dark"): the short messages before it joined with it, when together they report red flags that this
    message alone does not; else the message itself."""
    pieces: List[str] = []
    for text in reversed(turn.previous_texts):
        if not text.strip() or len(text.split()) > _MOST_WORDS_OF_A_PIECE or "?" in text:
            break
        pieces.insert(0, text.strip())
    if not pieces or len(turn.text.split()) > _MOST_WORDS_OF_A_PIECE or safety.has_red_flags(turn.text):
        return turn.text
    joined = " ".join([*pieces, turn.text.strip()])
    return joined if safety.has_red_flags(joined) else turn.text


class Assistant:
    """Answers turns from a built knowledge base."""

    def __init__(
        self,
        sessions: sessionmaker,
        vocabulary: Vocabulary,
        clinic: Optional[Clinic] = None,
        table: Optional[IntentTable] = None,
        other_subjects: Optional[OtherSubjects] = None,
    ) -> None:
        self._sessions = sessions
        self._clinic = clinic or Clinic()
        self._vocabulary = vocabulary
        self._table = table or intent_table()
        self._other_subjects = other_subjects or OtherSubjects.with_vocabulary(OTHER_SUBJECTS_PATH, vocabulary)
        # Readings a follow-up ("what about swelling?") never overrides: a symptom report, a request for a person.
        self._not_follow_ups = {self._table.red_flag, *self._table.handoff}
        # The entity-aware answers a topic may name as `narrow` in data/topics.yml.
        self._narrow_answers: Dict[str, Callable[[Session, Turn, Optional[str]], List[str]]] = {
            "definition_for_condition": self._what_it_is_for_a_condition,
            "conditions_treated": self._conditions,
            "duration_for_condition": self._results_duration,
            "side_effects": self._side_effects,
            "after_treatment": self._after_treatment,
            "ingredients": self._ingredients,
            "practitioner": self._practitioner,
        }

    def respond(self, turn: Turn, parts: Sequence[Turn] = ()) -> Reply:
        """Answer ``turn``, or each of its ``parts`` in order when it asks several guide questions;
        the safety policy is applied to the whole reply."""
        if turn.handoff_offered and _TAKES_UP_AN_OFFER.search(turn.text) and not safety.has_red_flags(turn.text):
            return Reply([], starts_handoff=True, urgent_care_advised=turn.urgent_care_advised)
        turn, parts = self._known_values_only(turn), [self._known_values_only(part) for part in parts]
        turn = self._as_activity_follow_up(self._as_follow_up(turn))
        turn = self._how_long_the_side_effect_lasts(self._as_personal_follow_up(turn))
        turn = self._as_push_for_a_figure(self._as_after_effect_follow_up(turn))
        answerable = self._without_general_safety_beside_personal(turn, self._distinct_questions(parts))
        report = read_with_what_came_before(turn)
        reply = self._answer_each(answerable) if len(answerable) >= 2 else self._answer(turn, report)
        urgent_now = safety.needs_urgent_care(turn.intent, report)
        self._keep_the_alarm(turn, reply, urgent_now)
        if self._gives_the_time_an_after_effect_lasts(turn, reply) and len(answerable) < 2 and not urgent_now:
            # one line on when to contact the clinic: it covers an after-effect the guide does not mention too
            unmentioned = replies.CONTACT_ABOUT_AN_UNMENTIONED_EFFECT
            reply.messages = [*(m for m in reply.messages if m != unmentioned), replies.CONTACT_IF_IT_LASTS]
        asks_about_red_flags = safety.asks_about_red_flags(turn.text)
        guidance = safety.care_guidance(self._clinic)
        recommendation = safety.professional_recommendation(self._clinic)
        if asks_about_red_flags and guidance not in reply.messages:
            # "is fever normal after mesotherapy?" got the normal after-effects, as if fever were one of them
            reply.messages = [*reply.messages, guidance]
        reply.messages = safety.apply_safety_policy(
            reply.messages,
            turn.intent,
            report,
            urgent_message=safety.urgent_care_message(self._clinic),
            recommendation=recommendation,
            # When in doubt, the line: an unsure NLU may have missed a safety question.
            safety_question=self._read_in_doubt(turn)
            or asks_about_red_flags
            or turn.urgent_care_advised
            or any(safety.is_safety_question(asked.intent, asked.text) for asked in [turn, *answerable]),
            reminder=safety.urgent_care_reminder(self._clinic) if turn.urgent_care_advised else None,
        )
        if recommendation in reply.messages:  # it says what the shorter pointer to a professional says: one line
            reply.messages = [m for m in reply.messages if m != replies.ask_professional_instead(self._clinic)]
        reply.side_effect = next(iter(turn.entities.get("side_effect", [])), None)
        reply.urgent_care_advised = turn.urgent_care_advised or urgent_now
        reply.handoff_offered = any(replies.offer_handoff(self._clinic) in message for message in reply.messages)
        return reply

    def _without_general_safety_beside_personal(self, turn: Turn, parts: List[Turn]) -> List[Turn]:
        """``parts`` without the general safety answers ("This procedure is considered safe...") when the message
        names the visitor's own health ("is mesotherapy safe for my mum? she's 65 and has a pacemaker"): its answer
        says what the guide does not address, then the risks the guide names, never "considered safe" first."""
        if not safety.personal_conditions(turn.text):
            return parts
        return [part for part in parts if part.intent not in self._table.general_safety_intents]

    def _answer_each(self, parts: Sequence[Turn]) -> Reply:
        """One reply answering each of ``parts`` in order, a sentence two answers share said once."""
        replies_in_order = [self._answer(part) for part in parts]
        # the conversation goes on from the last guide topic answered (not from "it says nothing about Botox")
        last_topic = next((part for part in reversed(replies_in_order) if part.topic), replies_in_order[-1])
        messages = [message for part in replies_in_order for message in part.messages]
        if any(safety.personal_conditions(part.text) for part in parts):
            # "my brother is on chemo, can he get meso for his hair loss": "Yes. The guide lists hair loss" would
            # read as a yes to having it
            messages = [message.removeprefix(_YES) for message in messages]
        return Reply(
            _each_sentence_once(messages),
            topic=last_topic.topic,
            condition=last_topic.condition,
        )

    def _keep_the_alarm(self, turn: Turn, reply: Reply, urgent_now: bool) -> None:
        """With the urgent-care message in this reply or an earlier one, drop what would read as an all-clear
        (reassurance, small talk, "did you mean", or an unsure reading); the safety policy puts the urgent-care
        message or the reminder first."""
        if not (urgent_now or turn.urgent_care_advised):
            return
        unsure = turn.confidence is not None and turn.confidence < SURE_AFTER_AN_ALARM
        reports_only = urgent_now and not reads_as_question(turn.text)  # "... now it's maybe 6cm": nothing asked
        if self._reassures_or_chats(turn, reply) or unsure or reports_only:
            # "fever 38.5 after meso yesterday" read as aftercare: the guide's "redness should resolve within a
            # few hours" (or "No problem") after the urgent-care message would undercut it; so would "is this
            # normal after meso?" or "no fever though" on the next turns; nor may "did you mean" buttons
            reply.messages, reply.buttons = [], []

    def _gives_the_time_an_after_effect_lasts(self, turn: Turn, reply: Reply) -> bool:
        """Whether ``reply`` answers this turn with the guide's words on how long an after-effect the visitor
        names lasts ("bruising ... can take up to a week"): then when to contact the clinic follows."""
        reassurance = self._table.reassurance
        if reassurance is None or reply.topic != reassurance.key or turn.urgent_care_advised:
            return False
        answered_here = turn.intent in (reassurance.intent, self._table.red_flag, "nlu_fallback")
        return (
            answered_here and bool(turn.entities.get("side_effect")) and any(_A_TIME.search(m) for m in reply.messages)
        )

    def _reassures_or_chats(self, turn: Turn, reply: Reply) -> bool:
        """Whether ``reply`` is small talk ("No problem", "did you mean") or a safety topic's answer (the normal
        after-effects, "considered safe"): words that must not follow an urgent-care message."""
        if turn.intent == "nlu_fallback" or (turn.intent in self._table.conversation and turn.intent != "out_of_scope"):
            return True
        topic = self._table.topic_by_key(reply.topic)
        return topic is not None and (topic.safety or topic.reassures)

    def _read_in_doubt(self, turn: Turn) -> bool:
        """Whether the NLU was unsure of the message: "did you mean", or a question answered although
        read with a confidence under DOUBTFUL_CONFIDENCE (its reading may have missed a safety question)."""
        if not turn.text.strip():
            return False
        if turn.intent == "nlu_fallback":
            return True
        asks = turn.intent in self._table.question_intents
        return asks and turn.confidence is not None and turn.confidence < DOUBTFUL_CONFIDENCE

    def _known_values_only(self, turn: Turn) -> Turn:
        """``turn`` with each entity value replaced by its canonical name in the vocabulary
        (data/vocabulary.yml), values it does not know dropped, and the previous condition kept only
        when it is a known one: what the replies repeat back is never text a visitor typed or planted."""
        entities: Dict[str, List[str]] = {}
        for label, values in turn.entities.items():
            known = [name for name in (self._vocabulary.canonical(label, value) for value in values) if name]
            if known:
                entities[label] = list(dict.fromkeys(known))
        previous = turn.previous_condition
        if previous is not None and self._vocabulary.canonical("condition", previous) != previous:
            previous = None
        side_effect = turn.previous_side_effect
        if side_effect is not None and self._vocabulary.canonical("side_effect", side_effect) != side_effect:
            side_effect = None
        return replace(turn, entities=entities, previous_condition=previous, previous_side_effect=side_effect)

    def _as_follow_up(self, turn: Turn) -> Turn:
        """ "What about my double chin?" after "what can it treat?": the previous topic's question about what
        this message names (an entity the topic narrows its answer by); any other turn unchanged."""
        topic = self._table.topic_by_key(turn.previous_topic)
        if topic is None or turn.intent in self._not_follow_ups:
            return turn
        narrow = topic.narrow or ""
        # "day 3 now and the bruises are yellowish. all good or?" right after the aftercare answer, read as off topic
        unread_after_effect = (
            turn.intent in ("out_of_scope", "nlu_fallback")
            and NARROW_ENTITY.get(narrow) == "side_effect"
            and bool(turn.entities.get("side_effect"))
            and not _ASKS_WHAT_IT_IS.search(turn.text)
        )
        if not (_FOLLOW_UP.search(turn.text) or unread_after_effect):
            return turn
        if not any(
            turn.entities.get(entity) for entity in (NARROW_ENTITY.get(narrow, ""), *_ALSO_FOLLOWS_UP.get(narrow, ()))
        ):
            return turn
        return replace(turn, intent=topic.intent)

    def _as_personal_follow_up(self, turn: Turn) -> Turn:
        """ "My sugar is well controlled tho", "what age is ok then", "what if i stop them for a week before" right
        after a question about the visitor's own health: that question again (what the guide does not address, its
        risks, the professional line), not "I can only help with questions about mesotherapy" or another topic."""
        personal = self._table.contraindications
        # "and im allergic to penicillin" read as another question, but answered as one about the visitor's health
        # "I take warfarin" / "it's only a low dose" / "what if I stop it for a week before?": any of the last messages
        about_their_health = turn.previous_intent == personal or any(
            safety.personal_conditions(text) for text in turn.previous_texts
        )
        if personal is None or not about_their_health or turn.intent == personal:
            return turn
        unread = turn.intent in _READINGS_OF_A_FOLLOW_UP and not self._other_subjects.named_treatments(turn.text)
        # "she really wants it though" after "my sister has lupus, can she get meso": still about the sister (not "she
        # wants meso for the wrinkles around her mouth", a confident reading of another question)
        about_the_same_person = bool(
            refers_to_someone_named_before(turn.text, turn.previous_texts)
            and not reads_as_question(turn.text)
            and (turn.confidence or 0.0) < _CONFIDENT
        )
        # "its just vitamins right so its fine?" (read as yes), "doxycycline" (as yes), "is meso safe for the baby?"
        # and "will meso make it worse" (as is it safe: "considered safe" would read as a yes for them)
        if (
            (unread and not _ONLY_ACKNOWLEDGES.search(turn.text))
            or about_the_same_person
            or _SUPPOSES.search(turn.text)
            or _STOPS_A_MEDICINE.search(turn.text)
            or turn.intent in self._table.general_safety_intents
        ):
            return replace(turn, intent=personal)
        return turn

    def _as_push_for_a_figure(self, turn: Turn) -> Turn:
        """ "just give me a typical number" right after "the guide does not cover how many sessions": that answer
        again (the guide still gives no figure), not the procedure or the cocktails."""
        if (
            self._table.uncovered(turn.previous_intent or "") is None
            or turn.intent == turn.previous_intent
            or not _PUSHES_FOR_A_FIGURE.search(turn.text)
        ):
            return turn
        return replace(turn, intent=turn.previous_intent or turn.intent)

    def _as_after_effect_follow_up(self, turn: Turn) -> Turn:
        """ "is that normal", "its yellowish now", "fine right?" right after the answer on an after-effect the
        visitor named: that after-effect's answer again (how long the guide says it lasts, when to contact the
        clinic), not "did you mean" or "Great."."""
        reassurance = self._table.reassurance
        if (
            reassurance is None
            or turn.previous_topic != reassurance.key
            or turn.previous_side_effect is None
            or turn.intent not in _READINGS_OF_A_FOLLOW_UP
            or turn.entities
            or _ONLY_ACKNOWLEDGES.search(turn.text)
            or self._other_subjects.named_treatments(turn.text)
        ):
            return turn
        return replace(turn, intent=reassurance.intent, entities={"side_effect": [turn.previous_side_effect]})

    def _as_activity_follow_up(self, turn: Turn) -> Turn:
        """ "What about showering?", "sauna tmrw?" right after the aftercare answer: whether the guide says anything
        about that activity after a treatment; any other turn unchanged."""
        topic = self._table.topic_by_key(turn.previous_topic)
        unread = {"nlu_fallback", "out_of_scope", topic.intent if topic else ""}
        if topic is None or topic.narrow != "after_treatment" or turn.intent not in unread or turn.entities:
            return turn
        if not (_FOLLOW_UP_OPENING.search(turn.text) or "?" in turn.text):
            return turn
        activity = follow_up_activity(turn.text)
        return replace(turn, intent=topic.intent, activity=activity) if activity else turn

    def _how_long_the_side_effect_lasts(self, turn: Turn) -> Turn:
        """ "How long does that last?" right after "does it cause bruising?": how long the bruising lasts
        (the topic that reassures about after-effects, data/topics.yml), not how long results last."""
        reassurance = self._table.reassurance
        after_side_effects = self._table.topic_by_key(turn.previous_topic)  # "Mesotherapy side effects??" before
        named_before = turn.previous_side_effect is not None or (
            after_side_effects is not None and after_side_effects.narrow == "side_effects"
        )
        if (
            reassurance is None
            or not named_before
            or turn.entities.get("side_effect")
            or turn.entities.get("condition")
            or not (_HOW_LONG.search(turn.text) and _POINTS_BACK.search(turn.text))
            or turn.intent in self._not_follow_ups
        ):
            return turn
        named = [turn.previous_side_effect] if turn.previous_side_effect else []
        return replace(turn, intent=reassurance.intent, entities={**turn.entities, "side_effect": named})

    def _distinct_questions(self, parts: Sequence[Turn]) -> List[Turn]:
        """The parts that ask the guide something, one per intent, in the visitor's order, with the parts
        about another treatment ("is it safe? also do u do botox") when a part asks the guide something.
        A question after one about another treatment asks about that treatment unless it names mesotherapy
        ("What is Botox? How does it work?")."""
        chosen: Dict[str, Turn] = {}
        another_treatment_named = False
        for part in parts:
            about_another_treatment = part.intent == "out_of_scope" and bool(
                self._other_subjects.named_treatments(part.text)
            )
            asks_the_guide = part.intent in self._table.question_intents and (
                not another_treatment_named or self._other_subjects.names_mesotherapy(part.text)
            )
            if asks_the_guide or about_another_treatment:
                chosen.setdefault(part.intent, part)
            another_treatment_named = another_treatment_named or about_another_treatment
        if not self._table.question_intents & set(chosen):
            return []
        return list(chosen.values())

    # -- dispatch ---------------------------------------------------------------------------

    def _answer(self, turn: Turn, report: Optional[str] = None) -> Reply:
        """The reply to ``turn`` before the safety policy; ``report``: the text its red flags are read in (the
        message with what came before it, :func:`read_with_what_came_before`)."""
        if looks_like_another_language(turn.text):  # "¿cuánto cuesta la mesoterapia?" was answered as a definition
            return Reply(
                [replies.ENGLISH_ONLY],
                self._table.buttons,
                topic=turn.previous_topic,
                condition=turn.previous_condition,
            )
        if safety.asks_whether_to_seek_care(turn.text) and not safety.needs_urgent_care(turn.intent, turn.text):
            # "should i go to hospital?" (often right after describing symptoms): when to get urgent care; after the
            # guide's words on a normal after-effect it names ("My face is puffy ... Should I be worried?")
            reassurance = self._table.reassurance
            if reassurance is not None and turn.entities.get("side_effect"):
                reply = self._topic_reply(turn, reassurance)
                reply.messages = [*reply.messages, safety.care_guidance(self._clinic)]
                return reply
            return Reply(
                [safety.care_guidance(self._clinic)], topic=turn.previous_topic, condition=turn.previous_condition
            )
        caused = set(safety.personal_conditions(what_it_may_cause(turn.text)))  # "can it cause cancer?"
        conditions = [condition for condition in safety.personal_conditions(turn.text) if condition not in caused]
        if not conditions and turn.intent == self._table.contraindications:
            conditions = self._conditions_told_before(turn)  # "is it safe for her?" after "my mum has diabetes"
        if conditions and self._asks_about_safety(turn):
            return self._personal_condition_reply(turn, conditions)
        topic = self._table.topic_for(turn.intent)
        if topic and turn.intent in self._table.general_safety_intents and _FOR_ONE_PERSON.search(turn.text):
            reply = self._topic_reply(turn, topic)
            reply.messages = [replies.CANNOT_JUDGE_ONE_PERSON, *reply.messages]
            return reply
        if topic:
            return self._topic_reply(turn, topic)
        uncovered = self._table.uncovered(turn.intent)
        if uncovered:
            return self._not_in_guide(turn, uncovered)
        if turn.intent == "out_of_scope":
            treatments = self._other_subjects.named_treatments(turn.text)
            if treatments:
                return self._other_treatment_reply(turn, treatments)
        if turn.intent == "out_of_scope" and turn.entities:
            related = self._related_topic_buttons(turn)
            if related:
                return self._off_topic_about_a_guide_word(turn, related)
        if turn.intent == self._table.red_flag:
            reassurance = self._table.reassurance
            if reassurance and not safety.needs_urgent_care(turn.intent, report or turn.text):
                return self._topic_reply(turn, reassurance)  # normal after-effects: the guide's words
            return Reply([], topic=turn.previous_topic, condition=turn.previous_condition)
        if turn.intent == "nlu_fallback" and safety.needs_urgent_care(turn.intent, turn.text):
            # the urgent-care message the policy puts first is the answer; no "did you mean" after it
            return Reply([], topic=turn.previous_topic, condition=turn.previous_condition)
        unsure_report_answer = self._reassurance_for_unsure_report(turn) if turn.intent == "nlu_fallback" else None
        if unsure_report_answer:
            return self._topic_reply(turn, unsure_report_answer)
        reply = replies.small_talk(
            turn.intent, turn.text, turn.previous_topic, turn.previous_condition, self._clinic, self._table
        )
        if turn.intent == "nlu_fallback" and turn.text.strip():
            likely = self._likely_topics(turn)
            if likely:
                reply.messages = [replies.DID_YOU_MEAN]
                reply.buttons = likely
        if turn.intent == "nlu_fallback" and turn.previous_intent == "nlu_fallback":
            reply.messages.append(replies.offer_handoff(self._clinic))
            reply.buttons = [replies.HANDOFF_BUTTON, *reply.buttons]
        return reply

    def _asks_about_safety(self, turn: Turn) -> bool:
        """Whether the turn is a safety question (no symptom report): by its intent, or, when the NLU was
        unsure, by the likeliest question it read ("is it safe for my 16 year old daughter?")."""
        safety_questions = self._table.safety_intents - {self._table.red_flag}
        if turn.intent == "nlu_fallback":
            questions = (i for i in turn.ranking if i in self._table.question_intents)
            return next(questions, None) in safety_questions
        return turn.intent in safety_questions

    @staticmethod
    def _conditions_told_before(turn: Turn) -> List[str]:
        """The personal conditions the visitor's last messages named, each once, in order."""
        told = (condition for text in turn.previous_texts for condition in safety.personal_conditions(text))
        return list(dict.fromkeys(told))

    def _personal_condition_reply(self, turn: Turn, conditions: List[str]) -> Reply:
        """A safety question about the visitor's own condition, or a relative's: say what the guide does not
        address first, then what it says about risks (never "considered safe" first); the policy adds the
        professional line."""
        named = ", ".join(conditions[:-1]) + (f" or {conditions[-1]}" if len(conditions) > 1 else conditions[0])
        whom = whom_it_is_about(turn.text, turn.previous_texts)  # "my mum has diabetes": not "safe for you"
        messages = [
            f"The guide I answer from does not address {named}, so I can't tell you whether "
            f"mesotherapy is safe for {whom}."
        ]
        with self._sessions() as session:
            risks = query.facts(session, "side_effect")
        sentences = list(dict.fromkeys(row.sentence for row in risks))
        if sentences:
            messages.append("What the guide does say about risks: " + " ".join(sentences))
        return Reply(messages, topic=turn.previous_topic, condition=turn.previous_condition)

    def _related_topic_buttons(self, turn: Turn) -> List[Tuple[str, str]]:
        """Buttons for the topics that can narrow their answer to an entity the message names."""
        named = {entity for entity, values in turn.entities.items() if values}
        return [
            (topic.button, f"/{topic.intent}")
            for topic in self._table.topics
            if topic.narrow and NARROW_ENTITY.get(topic.narrow) in named
        ]

    def _off_topic_about_a_guide_word(self, turn: Turn, related: List[Tuple[str, str]]) -> Reply:
        """ "What is cellulite?": the guide does not explain that; say what it covers, offer the related topic."""
        subject = next((turn.entities[kind][0] for kind in EXPLAINABLE_ENTITIES if turn.entities.get(kind)), None)
        explained = f"{subject.lower()} itself" if subject else "that"
        messages = [
            f"The guide I answer from is about mesotherapy: it does not explain {explained}. "
            + replies.capabilities(self._table)
            + " This may be what you are looking for:"
        ]
        return Reply(messages, related, topic=turn.previous_topic, condition=turn.previous_condition)

    def _other_treatment_reply(self, turn: Turn, treatments: List[str]) -> Reply:
        """ "Is PRP painful?": the guide covers mesotherapy only; name the other treatment (by its
        name in data/other_subjects.yml) and say what the assistant covers."""
        named = " or ".join([", ".join(treatments[:-1]), treatments[-1]] if len(treatments) > 1 else treatments)
        messages = [
            f"The guide I answer from covers mesotherapy only: it says nothing about {named}, so I can't "
            "answer that. " + replies.capabilities(self._table)
        ]
        return Reply(messages, topic=turn.previous_topic, condition=turn.previous_condition)

    def _reassurance_for_unsure_report(self, turn: Turn) -> Optional[Topic]:
        """The reassurance topic for a message naming a side effect that the NLU could not place between
        the normal after-effects and a red flag, and that no alarm makes urgent even read as a red flag
        (the policy still adds the professional line); None for any other message."""
        reassurance = self._table.reassurance
        if reassurance is None or not turn.entities.get("side_effect"):
            return None
        likeliest = [intent for intent in turn.ranking if intent != "nlu_fallback"][:2]
        torn = {reassurance.intent, self._table.red_flag} == set(likeliest)
        return reassurance if torn and not safety.needs_urgent_care(self._table.red_flag, turn.text) else None

    def _likely_topics(self, turn: Turn) -> List[Tuple[str, str]]:
        """Buttons for the two or three likeliest questions the guide or the table answers."""
        buttons = []
        for intent in turn.ranking:
            topic = self._table.topic_for(intent)
            if topic:
                buttons.append((topic.button, f"/{topic.intent}"))
            if len(buttons) == DID_YOU_MEAN_OPTIONS:
                break
        return buttons if len(buttons) >= 2 else []

    def _asked_topic_sentences(self, session: Session, turn: Turn) -> List[query.SentenceRow]:
        """The guide's sentences of the topic the turn's intent asks about; none when it asks none."""
        topic = self._table.topic_for(turn.intent)
        return query.topic_sentences(session, topic.key) if topic else []

    def _condition(self, turn: Turn) -> Optional[str]:
        """The condition named in this turn, or the one talked about before."""
        return next(iter(turn.entities.get("condition", [])), turn.previous_condition)

    def _topic_reply(self, turn: Turn, topic: Topic) -> Reply:
        condition = self._condition(turn)
        aspect = topic.aspect_asked_in(turn.text)
        with self._sessions() as session:
            narrow = self._narrow_answers.get(topic.narrow or "")
            if aspect:
                messages = self._aspect_answer(session, topic, aspect)
            else:
                messages = narrow(session, turn, condition) if narrow else []
            if not messages:
                sentences = query.topic_sentences(session, topic.key)
                messages = [_sentence_list(sentences, _several_guides(session))] if sentences else []
        if not messages:
            messages = [f"The guide I answer from does not say anything about {topic.silent}."]
        return Reply(messages, topic=topic.key, condition=condition)

    def _not_in_guide(self, turn: Turn, uncovered: UncoveredSubject) -> Reply:
        with self._sessions() as session:
            sentences = query.sentences_under_headings(session, uncovered.answered_by)
            cite = _several_guides(session)
        if sentences:  # the guide covers it now: a maintainer added a section
            return Reply(
                [_sentence_list(sentences, cite)], topic=turn.previous_topic, condition=turn.previous_condition
            )
        if uncovered.clinic_details:
            return self._clinic_details(turn)
        subject = uncovered.subject
        messages = [f"The guide I answer from does not cover {subject}, so I can't tell you that."]
        if uncovered.safety:
            with self._sessions() as session:
                rare = query.facts(session, "side_effect", subject="rare")
            if rare:
                messages.append(f"What the guide does say: {rare[0].sentence}")
        if uncovered.ask_the_clinic:
            messages.append(replies.ask_the_clinic_instead(self._clinic))
            buttons = [replies.HANDOFF_BUTTON]
            return Reply(messages, buttons, topic=turn.previous_topic, condition=turn.previous_condition)
        if not safety.is_safety_question(turn.intent, turn.text):
            messages.append(replies.ask_professional_instead(self._clinic))
        return Reply(messages, topic=turn.previous_topic, condition=turn.previous_condition)

    def _clinic_details(self, turn: Turn) -> Reply:
        """A practical question about the clinic ("are you open on saturdays?"): the clinic's details
        that answer it, or that the assistant does not have that detail and how to reach the clinic;
        a button to be contacted either way."""
        messages = details_for(self._clinic, turn.text)
        if not messages:
            reach = self._clinic.how_to_reach() or replies.offer_handoff(self._clinic)
            messages = [f"I don't have that detail about {self._clinic.name}. {reach}"]
        return Reply(messages, [replies.HANDOFF_BUTTON], topic=turn.previous_topic, condition=turn.previous_condition)

    def _aspect_answer(self, session: Session, topic: Topic, aspect: Aspect) -> List[str]:
        """ "How do I prepare?" (an ``aspects`` entry of data/topics.yml): the guide's sentences that speak
        to it, or that the guide does not say and then what it says about the topic."""
        speaking = query.sentences_matching(session, aspect.is_answered_by)
        if speaking:
            return [_sentence_list(speaking, cite=_several_guides(session))]
        return self._not_said_then_topic(session, topic, f"The guide does not say {aspect.silent}.")

    def _not_said_then_topic(self, session: Session, topic: Topic, note: str) -> List[str]:
        """``note`` (what the guide does not say), then what the guide says about ``topic``."""
        section = query.topic_sentences(session, topic.key)
        return [note, f"What it says about {topic.silent}: " + _sentence_list(section)] if section else [note]

    # -- entity-aware topic answers -------------------------------------------------------------

    def _what_it_is_for_a_condition(self, session: Session, turn: Turn, condition: Optional[str]) -> List[str]:
        """ "What is mesotherapy for hair loss?": what mesotherapy is, then whether the guide lists the condition
        the visitor names among those it treats (nothing here without one: the topic's answer)."""
        topic = self._table.topic_for(turn.intent)
        if topic is None or not condition or not turn.entities.get("condition"):
            return []
        sentences = query.topic_sentences(session, topic.key)
        definition = [_sentence_list(sentences, _several_guides(session))] if sentences else []
        return definition + self._conditions(session, turn, condition)

    def _conditions(self, session: Session, turn: Turn, condition: Optional[str]) -> List[str]:
        treated = query.treated_conditions(session)
        named_now = bool(turn.entities.get("condition"))
        areas = [area for area in turn.entities.get("body_area", []) if area not in _NOT_AN_AREA]
        if areas and not named_now:
            return self._for_body_areas(session, turn, areas)
        if condition and (named_now or turn.previous_condition):
            if condition in treated:
                sentence = next(r.sentence for r in query.facts(session, "treats", value=condition) if r.sentence)
                lead = query.list_lead(session, sentence)  # a list item is quoted with the sentence before the list
                quoted = f"{lead} {sentence}" if lead else sentence
                # not for a remembered condition: "does it work for men too" after hair loss asks about men; not
                # beside someone's health ("my brother is on chemo, can he get meso for his hair loss"): read as a
                # yes to having it
                yes = (
                    _YES
                    if named_now
                    and _asks_yes_or_no(turn.text)
                    and not asks_whether_it_causes(turn.text)
                    and not safety.personal_conditions(turn.text)
                    else ""
                )
                return [
                    f"{yes}The guide lists {treated[condition].lower()} among the conditions mesotherapy "
                    f'can treat. In its words: "{quoted}"'
                ]
            listed = ", ".join(sorted({wording.lower() for wording in treated.values()}))
            messages = [
                f"The guide does not list {condition} among the conditions mesotherapy treats, so I can't "
                f"say it helps. The conditions it does list are: {listed}."
            ]
            if not safety.is_safety_question(turn.intent, turn.text):  # else the policy ends with the line
                messages.append(replies.ask_professional_instead(self._clinic))
            return messages
        return []

    def _for_body_areas(self, session: Session, turn: Turn, areas: List[str]) -> List[str]:
        """ "Can meso treat my belly?": the guide's sentences naming the area (any of its phrases in
        data/vocabulary.yml), or that the guide does not say where on the body it is used, then what it treats."""
        phrases = [phrase for area in areas for phrase in self._vocabulary.terms["body_area"].get(area, [area])]
        naming_the_area = re.compile(rf"\b(?:{'|'.join(re.escape(p) for p in phrases)})s?\b", re.IGNORECASE)
        naming = query.sentences_matching(session, lambda sentence: bool(naming_the_area.search(sentence)))
        if naming:
            return [_sentence_list(naming, _several_guides(session))]
        topic = self._table.topic_for(turn.intent)
        note = (
            "The guide does not say which parts of the body mesotherapy can be used on, so I can't say "
            "whether it suits the area you mean."
        )
        messages = self._not_said_then_topic(session, topic, note) if topic else [note]
        return [*messages, replies.ask_professional_instead(self._clinic)]

    def _results_duration(self, session: Session, turn: Turn, condition: Optional[str]) -> List[str]:
        sentences = self._asked_topic_sentences(session, turn)
        if not sentences:
            return []
        messages = [_sentence_list(sentences)]
        if condition:
            messages.append(
                f"The guide gives no figure specific to {condition}: it says the length of time "
                "depends on the condition being treated and on the person."
            )
        return messages

    def _side_effects(self, session: Session, turn: Turn, condition: Optional[str]) -> List[str]:
        named = turn.entities.get("side_effect", [])
        if not named:
            return self._caused_condition(session, turn) or self._unmentioned_agent_safety(session, turn)
        messages: List[str] = []
        given: Set[str] = set()  # a sentence that names two of the effects is said once
        asks_how_long = bool(_HOW_LONG.search(turn.text))
        for effect in named:
            timed = query.facts(session, "after_effect", subject=effect)  # "... resolve within a few hours"
            rows = timed + query.facts(session, "side_effect", value=effect)
            new = [sentence for sentence in dict.fromkeys(r.sentence for r in rows) if sentence not in given]
            given.update(new)
            if new:
                messages.append(" ".join(new))
            elif not rows:
                messages.append(f"The guide does not mention {effect} after mesotherapy.")
                messages.append(replies.CONTACT_ABOUT_AN_UNMENTIONED_EFFECT)
            if rows and asks_how_long and not timed:
                messages.append(f"The guide does not say how long {effect} lasts.")
        return messages

    def _after_treatment(self, session: Session, turn: Turn, condition: Optional[str]) -> List[str]:
        """ "Can I fly after?": the topic's sentences that name the activity (else any of the guide's), or that
        the guide does not say and then the topic's section; a named side effect otherwise ("how long does
        swelling last?")."""
        activity = asked_activity(turn.text) or turn.activity
        topic = self._table.topic_for(turn.intent)
        if activity is None or topic is None:
            return self._side_effects(session, turn, condition)

        def names_it(text: str) -> bool:
            return mentions_activity(text, activity)

        naming = [row for row in query.topic_sentences(session, topic.key) if names_it(row.text)]
        naming = naming or query.sentences_matching(session, names_it)  # e.g. a section a clinic added
        if naming:
            return [_sentence_list(naming)]
        if activity == turn.activity and not said_as_a_verb(activity):  # "sauna tmrw?": no verb for "whether to"
            note = f"The guide does not say anything about {addressed_to_the_visitor(activity)} after a treatment."
        else:
            note = f"The guide does not say whether to {addressed_to_the_visitor(activity)} after a treatment."
        return self._not_said_then_topic(session, topic, note)

    def _caused_condition(self, session: Session, turn: Turn) -> List[str]:
        """ "Can meso make my hair fall out?", "can it cause cancer?": the guide's side-effect sentences that name
        the condition (of the vocabulary, or a personal health condition), or that they do not name it and then
        the topic's section; [] for any other question."""
        named = turn.entities.get("condition", []) or safety.personal_conditions(what_it_may_cause(turn.text))
        if not named or not asks_whether_it_causes(turn.text):
            return []
        condition = named[0]
        said = [r.sentence for r in query.facts(session, "side_effect") if condition.lower() in r.sentence.lower()]
        if said:
            return [" ".join(dict.fromkeys(said))]
        section = self._asked_topic_sentences(session, turn)
        note = f"The guide does not list {condition} among the side effects of mesotherapy."
        return [note, "What it does say: " + _sentence_list(section)] if section else [note]

    def _unmentioned_agent_safety(self, session: Session, turn: Turn) -> List[str]:
        """ "What are the side effects of deoxycholic acid?": when the guide does not mention the agent, say so
        before its safety section, which speaks of mesotherapy ("considered safe") and not of that agent."""
        agents = [name for name in turn.entities.get("ingredient", []) if name.lower() not in GENERAL_INGREDIENT_WORDS]
        unmentioned = [name for name in agents if not query.facts(session, "ingredient", value=name)]
        if not unmentioned:
            return []
        note = f"The guide does not mention {unmentioned[0]}, so I can't tell you about its safety."
        section = self._asked_topic_sentences(session, turn)
        return [note, "What it says about the safety of mesotherapy: " + _sentence_list(section)] if section else [note]

    def _ingredients(self, session: Session, turn: Turn, condition: Optional[str]) -> List[str]:
        """Ingredients the question names. A named agent the guide mentions: its sentence; one it does not:
        say so, then what the guide says the cocktails contain. A general word ("which drugs are in it?")
        asks what is injected: the topic's own sentences, and the sentences that name the word when those
        do not ("nutrients")."""
        named = turn.entities.get("ingredient", [])
        if not named:
            return []
        cocktails = self._asked_topic_sentences(session, turn)
        general = [ingredient for ingredient in named if ingredient.lower() in GENERAL_INGREDIENT_WORDS]
        messages = [_sentence_list(cocktails)] if general and cocktails else []
        said = " ".join(row.text for row in cocktails).lower()
        unsaid = [ingredient for ingredient in general if _singular(ingredient) not in said]
        naming = [row.sentence for ingredient in unsaid for row in query.facts(session, "ingredient", value=ingredient)]
        if naming:
            messages.append(" ".join(dict.fromkeys(naming)))
        for ingredient in named:
            if ingredient in general:
                continue
            rows = query.facts(session, "ingredient", value=ingredient)
            if rows:
                messages.append(f'Yes, the guide mentions {ingredient}: "{rows[0].sentence}"')
            elif cocktails:
                messages.append(
                    f"The guide does not mention {ingredient}. What it says about the cocktails: "
                    f"{_sentence_list(cocktails)} A practitioner can tell you what theirs contains."
                )
            else:
                messages.append(f"The guide does not mention {ingredient}.")
        return messages

    def _practitioner(self, session: Session, turn: Turn, condition: Optional[str]) -> List[str]:
        named = turn.entities.get("practitioner", [])
        recommended = {row.value for row in query.facts(session, "practitioner")}
        unlisted = [n for n in named if n not in recommended]
        sentences = self._asked_topic_sentences(session, turn)
        if not unlisted or not sentences:
            return []
        return [
            f"The guide does not mention a {unlisted[0]} performing mesotherapy. What it says: "
            + _sentence_list(sentences)
        ]

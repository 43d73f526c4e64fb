"""The review inbox: the messages the assistant did not understand well, grouped and ranked."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Dict, Iterable, List, Optional, Tuple

from sklearn.feature_extraction.text import TfidfVectorizer

from bot.maintain.review.conversations import FALLBACK_INTENT, UserMessage
from bot.maintain.training_data.text import normalise

OUT_OF_SCOPE_INTENT = "out_of_scope"
DEFAULT_THRESHOLD = 0.6
DEFAULT_SIMILARITY = 0.5
_COMPARED_CHARS = 300  # only the start of a huge message is compared


@dataclass(frozen=True)
class Group:
    """Messages that say the same thing, with how often and when they came."""

    text: str
    variants: Tuple[str, ...]
    count: int
    visitors: int
    reasons: Tuple[str, ...]
    predicted_intent: Optional[str]
    confidence: float
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True)
class Inbox:
    """The groups to review, most frequent first, and how many messages they come from."""

    groups: List[Group]
    messages_read: int
    messages_selected: int


def review_reason(message: UserMessage, threshold: float) -> Optional[str]:
    """Why ``message`` needs a human look (``fallback``, ``out_of_scope``, ``low_confidence``), or None."""
    if message.text.lstrip().startswith("/"):  # a button's payload, not typed text
        return None
    if message.intent == FALLBACK_INTENT:
        return "fallback"
    if message.intent == OUT_OF_SCOPE_INTENT:
        return "out_of_scope"
    if message.confidence < threshold:
        return "low_confidence"
    return None


def _key(text: str) -> str:
    return normalise(text) or " ".join(text.split())


def _cluster(keys: List[str], similarity: float) -> List[List[int]]:
    """Leader clustering: each key joins the first earlier group whose leader is similar enough."""
    try:
        vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(
            key[:_COMPARED_CHARS] for key in keys
        )
    except ValueError:  # no character n-gram at all
        return [[index] for index in range(len(keys))]
    clusters: List[List[int]] = []
    for index in range(len(keys)):
        if clusters:
            scores = (vectors[[cluster[0] for cluster in clusters]] @ vectors[index].T).toarray().ravel()
            best = int(scores.argmax())
            if scores[best] >= similarity:
                clusters[best].append(index)
                continue
        clusters.append([index])
    return clusters


def _group(messages: List[UserMessage], reasons: List[str]) -> Group:
    spellings: Dict[str, str] = {}
    for message in sorted(messages, key=lambda m: m.timestamp):
        spellings.setdefault(_key(message.text), " ".join(message.text.split()) or message.text)
    forms = Counter(_key(message.text) for message in messages)
    ordered = sorted(spellings, key=lambda key: -forms[key])  # stable: first seen wins ties
    guesses = [message.classifier_guess() for message in messages]
    intent = Counter(name for name, _ in guesses).most_common(1)[0][0]
    confidences = [confidence for name, confidence in guesses if name == intent]
    return Group(
        text=spellings[ordered[0]],
        variants=tuple(spellings[key] for key in ordered[1:]),
        count=len(messages),
        visitors=len({message.sender_id for message in messages}),
        reasons=tuple(sorted(set(reasons))),
        predicted_intent=intent,
        confidence=round(sum(confidences) / len(confidences), 2),
        first_seen=min(message.seen_at for message in messages),
        last_seen=max(message.seen_at for message in messages),
    )


def build_inbox(
    messages: Iterable[UserMessage], threshold: float = DEFAULT_THRESHOLD, similarity: float = DEFAULT_SIMILARITY
) -> Inbox:
    """Select the messages to review, group similar ones and rank the groups by frequency."""
    read = 0
    by_key: Dict[str, List[Tuple[UserMessage, str]]] = defaultdict(list)
    for message in messages:
        read += 1
        reason = review_reason(message, threshold)
        if reason:
            by_key[_key(message.text)].append((message, reason))
    keys = sorted(by_key, key=lambda key: (-len(by_key[key]), min(m.timestamp for m, _ in by_key[key])))
    groups = []
    for cluster in _cluster(keys, similarity):
        selected = [pair for index in cluster for pair in by_key[keys[index]]]
        groups.append(_group([message for message, _ in selected], [reason for _, reason in selected]))
    groups.sort(key=lambda group: (-group.count, -group.visitors, -group.last_seen.timestamp(), group.text))
    return Inbox(groups=groups, messages_read=read, messages_selected=sum(map(len, by_key.values())))

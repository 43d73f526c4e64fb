"""Read-only queries on the knowledge base. Every function takes the session explicitly."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.knowledge.schema import Block, Document, Fact, Sentence, SentenceTopic


@dataclass(frozen=True)
class FactRow:
    kind: str
    subject: str
    value: str
    sentence: str


@dataclass(frozen=True)
class SentenceRow:
    text: str
    is_list_item: bool


def topic_sentences(session: Session, topic: str) -> List[SentenceRow]:
    """Sentences that speak to ``topic``, in reading order, without repeats."""
    statement = (
        select(Sentence.text, Block.kind)
        .join(Block, Block.id == Sentence.block_id)
        .join(SentenceTopic, SentenceTopic.sentence_id == Sentence.id)
        .where(SentenceTopic.topic == topic)
        .order_by(Block.section_id, Block.position, Sentence.position)
    )
    seen, rows = set(), []
    for text, kind in session.execute(statement):
        if text not in seen:
            seen.add(text)
            rows.append(SentenceRow(text, kind == "bullet_list"))
    return rows


def facts(
    session: Session, kind: str, subject: Optional[str] = None, value: Optional[str] = None
) -> List[FactRow]:
    """Facts of ``kind``, optionally narrowed to a subject and/or a value, in reading order."""
    statement = select(Fact.kind, Fact.subject, Fact.value, Sentence.text).join(Sentence).where(Fact.kind == kind)
    if subject is not None:
        statement = statement.where(Fact.subject == subject)
    if value is not None:
        statement = statement.where(Fact.value == value)
    statement = statement.order_by(Sentence.document_order, Fact.id)
    return [FactRow(*row) for row in session.execute(statement)]


def treated_conditions(session: Session) -> Dict[str, str]:
    """Canonical condition -> how the guide words it (a bullet item's wording first)."""
    wording: Dict[str, str] = {}
    for row in facts(session, "treats"):
        is_list_item = row.subject == row.sentence
        if row.value not in wording or is_list_item:
            wording[row.value] = row.subject
    return wording


def document_count(session: Session) -> int:
    """How many guide documents the knowledge base holds."""
    return session.execute(select(func.count(Document.id))).scalar_one()

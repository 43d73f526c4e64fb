"""Read-only queries on the knowledge base. Every function takes the session explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, Iterator, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.knowledge.schema import Block, Document, Fact, Section, Sentence, SentenceTopic


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
    document: str = ""  # the title of the guide it comes from


def topic_sentences(session: Session, topic: str) -> List[SentenceRow]:
    """Sentences that speak to ``topic``, in reading order, without repeats."""
    statement = (
        select(Sentence.text, Block.kind, Document.title)
        .join(Block, Block.id == Sentence.block_id)
        .join(Section, Section.id == Block.section_id)
        .join(Document, Document.id == Section.document_id)
        .join(SentenceTopic, SentenceTopic.sentence_id == Sentence.id)
        .where(SentenceTopic.topic == topic)
        .order_by(Document.name, Section.position, Block.position, Sentence.position)
    )
    seen, rows = set(), []
    for text, kind, title in session.execute(statement):
        if text not in seen:
            seen.add(text)
            rows.append(SentenceRow(text, kind == "bullet_list", title))
    return rows


def facts(session: Session, kind: str, subject: Optional[str] = None, value: Optional[str] = None) -> List[FactRow]:
    """Facts of ``kind``, optionally narrowed to a subject and/or a value, in reading order."""
    statement = select(Fact.kind, Fact.subject, Fact.value, Sentence.text).join(Sentence).where(Fact.kind == kind)
    if subject is not None:
        statement = statement.where(Fact.subject == subject)
    if value is not None:
        statement = statement.where(Fact.value == value)
    statement = statement.order_by(Sentence.document_order, Fact.id)
    return [FactRow(*row) for row in session.execute(statement)]


def list_lead(session: Session, item: str) -> Optional[str]:
    """The sentence that introduces the bullet list ``item`` belongs to ("... a variety of conditions,
    including:"); None when ``item`` is no list item or nothing precedes its list."""
    found = session.execute(
        select(Sentence.document_order, Block.kind, Section.document_id)
        .join(Block, Block.id == Sentence.block_id)
        .join(Section, Section.id == Block.section_id)
        .where(Sentence.text == item)
        .order_by(Sentence.document_order)
    ).first()
    if found is None or found.kind != "bullet_list":
        return None
    statement = (
        select(Sentence.text)
        .join(Block, Block.id == Sentence.block_id)
        .join(Section, Section.id == Block.section_id)
        .where(
            Section.document_id == found.document_id,
            Sentence.document_order < found.document_order,
            Block.kind != "bullet_list",
        )
        .order_by(Sentence.document_order.desc())
        .limit(1)
    )
    return session.execute(statement).scalar()


def treated_conditions(session: Session) -> Dict[str, str]:
    """Canonical condition -> how the guide words it (a bullet item's wording first)."""
    wording: Dict[str, str] = {}
    for row in facts(session, "treats"):
        is_list_item = row.subject == row.sentence
        if row.value not in wording or is_list_item:
            wording[row.value] = row.subject
    return wording


def _answering_sentences(session: Session) -> Iterator[Tuple[str, SentenceRow]]:
    """(heading, sentence) for every sentence of every guide in reading order, questions left out (a
    heading asks; it does not answer)."""
    statement = (
        select(Section.heading, Sentence.text, Block.kind, Document.title)
        .join(Document, Document.id == Section.document_id)
        .join(Block, Block.section_id == Section.id)
        .join(Sentence, Sentence.block_id == Block.id)
        .order_by(Document.name, Section.position, Block.position, Sentence.position)
    )
    for heading, text, kind, title in session.execute(statement):
        if not text.rstrip().endswith("?"):
            yield heading, SentenceRow(text, kind == "bullet_list", title)


def sentences_under_headings(session: Session, heading_matches: Callable[[str], bool]) -> List[SentenceRow]:
    """Every sentence of the sections whose heading ``heading_matches``, in reading order."""
    return [row for heading, row in _answering_sentences(session) if heading_matches(heading)]


def sentences_matching(session: Session, sentence_matches: Callable[[str], bool]) -> List[SentenceRow]:
    """Every sentence of every guide that ``sentence_matches``, in reading order, without repeats or
    questions."""
    rows: Dict[str, SentenceRow] = {}
    for _, row in _answering_sentences(session):
        if row.text not in rows and sentence_matches(row.text):
            rows[row.text] = row
    return list(rows.values())


def document_titles(session: Session) -> List[str]:
    """The titles of the guides in the knowledge base, by file name."""
    return list(session.execute(select(Document.title).order_by(Document.name)).scalars())


@dataclass(frozen=True)
class SectionRow:
    document: str
    heading: str
    topics: FrozenSet[str]
    is_introduction: bool  # the text under the guide's title, before its first question
    sentences: Tuple[str, ...] = ()


def sections(session: Session) -> List[SectionRow]:
    """Every section of every guide, with the topics its sentences answer."""
    statement = (
        select(
            Document.name,
            Document.title,
            Section.id,
            Section.position,
            Section.heading,
            Sentence.text,
            SentenceTopic.topic,
        )
        .join(Section, Section.document_id == Document.id)
        .outerjoin(Block, Block.section_id == Section.id)
        .outerjoin(Sentence, Sentence.block_id == Block.id)
        .outerjoin(SentenceTopic, SentenceTopic.sentence_id == Sentence.id)
        .order_by(Document.name, Section.position, Block.position, Sentence.position)
    )
    found: Dict[int, Tuple[str, str, bool, set, Dict[str, None]]] = {}
    for document, title, section_id, position, heading, text, topic in session.execute(statement):
        entry = found.setdefault(section_id, (document, heading, position == 0 and heading == title, set(), {}))
        if topic:
            entry[3].add(topic)
        if text:
            entry[4][text] = None
    return [
        SectionRow(document, heading, frozenset(topics), intro, tuple(texts))
        for document, heading, intro, topics, texts in found.values()
    ]

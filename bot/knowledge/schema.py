"""SQLAlchemy models of the knowledge base.

A guide document has sections; a section has blocks (paragraphs or bullet lists); a block
has sentences (a bullet item is one sentence). Facts are typed statements found in a
sentence, each pointing back at the sentence that states it, so every answer can be given
in the guide's own words.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Document(Base):
    """One guide file; ``content_hash`` lets a rebuild skip an unchanged file."""

    __tablename__ = "documents"
    id = Column(Integer, primary_key=True)
    name = Column(String(255), nullable=False, unique=True)
    title = Column(Text, nullable=False)
    content_hash = Column(String(64), nullable=False)
    built_at = Column(DateTime, nullable=False)
    sections = relationship(
        "Section", back_populates="document", cascade="all, delete-orphan", order_by="Section.position"
    )


class Section(Base):
    """A heading and what follows it up to the next heading."""

    __tablename__ = "sections"
    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    heading = Column(Text, nullable=False)
    document = relationship("Document", back_populates="sections")
    blocks = relationship("Block", back_populates="section", cascade="all, delete-orphan", order_by="Block.position")
    __table_args__ = (UniqueConstraint("document_id", "position"),)


class Block(Base):
    """A paragraph or a bullet list."""

    __tablename__ = "blocks"
    id = Column(Integer, primary_key=True)
    section_id = Column(Integer, ForeignKey("sections.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    kind = Column(String(20), nullable=False)  # "paragraph" or "bullet_list"
    section = relationship("Section", back_populates="blocks")
    sentences = relationship(
        "Sentence", back_populates="block", cascade="all, delete-orphan", order_by="Sentence.position"
    )


class Sentence(Base):
    """A sentence of a paragraph, or one item of a bullet list."""

    __tablename__ = "sentences"
    id = Column(Integer, primary_key=True)
    block_id = Column(Integer, ForeignKey("blocks.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    # Order of the sentence in its document, so answers can quote in reading order.
    document_order = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)
    block = relationship("Block", back_populates="sentences")
    facts = relationship("Fact", back_populates="sentence", cascade="all, delete-orphan")
    topics = relationship("SentenceTopic", back_populates="sentence", cascade="all, delete-orphan")


class Fact(Base):
    """A typed statement: ``kind`` (e.g. ``treats``), ``subject`` and ``value``."""

    __tablename__ = "facts"
    id = Column(Integer, primary_key=True)
    sentence_id = Column(Integer, ForeignKey("sentences.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(40), nullable=False, index=True)
    subject = Column(Text, nullable=False, default="")
    value = Column(Text, nullable=False)
    sentence = relationship("Sentence", back_populates="facts")


class SentenceTopic(Base):
    """Marks a sentence as speaking to one of the assistant's topics."""

    __tablename__ = "sentence_topics"
    id = Column(Integer, primary_key=True)
    sentence_id = Column(Integer, ForeignKey("sentences.id", ondelete="CASCADE"), nullable=False, index=True)
    topic = Column(String(40), nullable=False, index=True)
    sentence = relationship("Sentence", back_populates="topics")
    __table_args__ = (UniqueConstraint("sentence_id", "topic"),)
